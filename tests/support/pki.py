"""A throw-away PKI made at test time: a CA, a signer certificate, and PDF signing with pyHanko.

No certificate or key is ever committed: every test run makes its own with `cryptography`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key, both PEM."""

    cert_pem: bytes
    key_pem: bytes

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Uji Coba"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _builder(
    subject: str, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
    )


def make_ca(common_name: str = "CA Uji Coba") -> Issued:
    """A self-signed root CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(common_name, _name(common_name), key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def make_signer(
    ca: Issued, common_name: str = "Kepala Dinas Uji", crl_url: str | None = None
) -> Issued:
    """A signing certificate issued by `ca` (digital signature + non-repudiation); with
    `crl_url`, it declares where its CA publishes revocation (as BSrE certificates do)."""
    key = ec.generate_private_key(ec.SECP256R1())
    ca_key = _ca_key(ca)
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    builder = (
        _builder(common_name, ca.cert.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .add_extension(aki, critical=False)
    )
    if crl_url:
        where = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([where]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def make_crl(
    ca: Issued, revoked: tuple[Issued, ...] = (), *, next_update_days: float = 7, pem: bool = False
) -> bytes:
    """`ca`'s certificate revocation list naming `revoked`, issued a day ago and due for its
    next update in `next_update_days` (negative: a list past its update). DER unless `pem`."""
    ca_key = _ca_key(ca)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now - dt.timedelta(days=1) + dt.timedelta(days=min(0, next_update_days)))
        .next_update(now + dt.timedelta(days=next_update_days))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for issued in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(issued.cert.serial_number)
        builder = builder.add_revoked_certificate(
            entry.revocation_date(now - dt.timedelta(hours=1)).build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM if pem else serialization.Encoding.DER)


def _ca_key(ca: Issued) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(ca.key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def write_trust_roots(folder: Path, *cas: Issued) -> Path:
    """Write CA certificates as .pem files into `folder` (the office's trust-root folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, ca in enumerate(cas):
        (folder / f"root-{number}.pem").write_bytes(ca.cert_pem)
    return folder


def sign_pdf(pdf: bytes, signer: Issued, ca: Issued, tmp: Path, field_name: str = "TTE") -> bytes:
    """Sign `pdf` with a PAdES signature of `signer` (chain includes `ca`)."""
    cert_file = tmp / "signer.pem"
    cert_file.write_bytes(signer.cert_pem)
    ca_file = tmp / "ca.pem"
    ca_file.write_bytes(ca.cert_pem)
    pdf_signer = signers.SimpleSigner(
        signing_cert=load_cert_from_pemder(str(cert_file)),
        signing_key=load_private_key_from_pemder_data(signer.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs([load_cert_from_pemder(str(ca_file))]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=pdf_signer)
    return out.getvalue()
