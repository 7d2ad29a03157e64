"""Checking a signed PDF before it is filed in the archive.

Interface:

    check = check_signed_pdf(data, trust_roots=folder, expected_texts=["DK-2026-001"],
                             require_trusted_signature=False)
    check.to_record()        # plain dict for the manifest and the journal

A drop that fails raises `Rejected` (reason and advice in Bahasa Indonesia); nothing is filed.

What is checked:
- the file opens (not encrypted, not broken, has pages);
- its text names the case (one of `expected_texts`); a scan without any text is accepted and
  recorded as not verifiable by text;
- every embedded signature is validated with pyHanko, offline, against the office's trust roots:
  signed bytes intact, signature value valid, whole file covered (no unsigned change appended
  after signing), chain to a configured root. The verdict combines all of these: a tampered file
  can still carry a mathematically valid signature value.

Policy: with `require_trusted_signature=False` a wet-signed scan without a digital signature is
accepted, but a signature that is present and fails is always a rejection. With `True` at least
one intact, whole-file, trusted signature is required.

The bytes are only read, never re-saved: re-writing a signed PDF breaks its signature.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    FormUpdatingRule,
    GenericFieldModificationRule,
    ModificationLevel,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
)
from pyhanko.sign.diff_analysis.constants import ACROFORM_EXEMPT_STRICT_COMPARISON
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from pipeline.core.errors import Rejected
from pipeline.signing.revocation import load_revocation_lists

log = logging.getLogger(__name__)

TRUST_ROOT_SUFFIXES = (".pem", ".crt", ".cer")
UNTRUSTED = "sertifikat penanda tangan tidak berasal dari CA yang dipercaya"
REVOKED = "dicabut"
STALE_REVOCATION_LIST = "crl-kedaluwarsa"
REVOCATION_PROBLEMS = {
    REVOKED: "sertifikat penanda tangan sudah dicabut (tercantum dalam daftar pencabutan/CRL "
    "penerbitnya)",
    STALE_REVOCATION_LIST: "daftar pencabutan sertifikat (CRL) penerbitnya di config/sertifikat/ "
    "sudah kedaluwarsa, sehingga status sertifikat tidak dapat dipastikan",
}
NOT_VERIFIABLE_BY_TEXT = "tidak dapat diverifikasi dari teks"


@dataclass(frozen=True)
class SignatureFacts:
    """What was found about one embedded signature; `problems` is the verdict."""

    field_name: str
    signer: str
    serial: str
    issuer: str
    signed_at: datetime | None
    intact: bool
    valid: bool
    whole_file: bool
    coverage: str
    modification: str | None
    trusted: bool
    error: str | None = None
    byte_range: tuple[int, ...] = ()
    revocation: str = ""  # REVOKED, or STALE_REVOCATION_LIST: why the certificate is not trusted

    @property
    def signed_from(self) -> int:
        """Where the signature value starts: every byte before it is covered by the signature,
        so the document as it was before signing is a prefix of at most this length."""
        return self.byte_range[1] if len(self.byte_range) == 4 else 0

    @property
    def problems(self) -> tuple[str, ...]:
        """Indonesian descriptions of every failed check (empty when the signature holds)."""
        if self.error is not None:  # the library's own words stay in the log and the manifest
            return ("data tanda tangan di dalam PDF rusak sehingga tidak dapat diperiksa",)
        checks = (
            (self.intact, "bagian yang ditandatangani tidak cocok lagi dengan tanda tangannya"),
            (self.valid, "nilai tanda tangan tidak cocok dengan sertifikat penanda tangan"),
            (self.whole_file, "ada perubahan yang tidak ditandatangani setelah penandatanganan"),
            (self.trusted, REVOCATION_PROBLEMS.get(self.revocation, UNTRUSTED)),
        )
        return tuple(message for ok, message in checks if not ok)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_record(self) -> dict[str, Any]:
        return {
            "field": self.field_name,
            "signer": self.signer,
            "serial": self.serial,
            "issuer": self.issuer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "intact": self.intact,
            "valid": self.valid,
            "whole_file": self.whole_file,
            "coverage": self.coverage,
            "modification": self.modification,
            "trusted": self.trusted,
            "revocation": self.revocation,
            "error": self.error,
            "ok": self.ok,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class SignedPdfCheck:
    """The accepted result of checking a signed PDF."""

    pages: int
    text_match: str | None
    text_note: str
    signatures: tuple[SignatureFacts, ...] = field(default=())
    require_trusted_signature: bool = False

    @property
    def verdict(self) -> str:
        if any(sig.ok for sig in self.signatures):
            return "tte-sah"
        return "tanpa-tte"

    def to_record(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "text_match": self.text_match,
            "text_note": self.text_note,
            "require_trusted_signature": self.require_trusted_signature,
            "verdict": self.verdict,
            "signatures": [sig.to_record() for sig in self.signatures],
        }


def check_signed_pdf(
    data: bytes,
    *,
    trust_roots: Path | None,
    expected_texts: Sequence[str],
    require_trusted_signature: bool = False,
    moment: datetime | None = None,
) -> SignedPdfCheck:
    """Check `data` (a signed PDF as received); raise `Rejected` if it may not be filed.

    `moment` is the validation time (default: now); pass the signing time to re-check an old
    record whose certificate has since expired.
    """
    reader = _open_pdf(data)
    text = _extract_text(reader)
    match = find_expected_text(text, expected_texts)
    signatures = tuple(_validate_signatures(data, trust_roots, moment))
    check = SignedPdfCheck(
        pages=len(reader.pages),
        text_match=match,
        text_note=f"cocok dengan teks '{match}'" if match else NOT_VERIFIABLE_BY_TEXT,
        signatures=signatures,
        require_trusted_signature=require_trusted_signature,
    )
    decide(check, has_text=bool(text.strip()), expected_texts=expected_texts)
    return check


def decide(check: SignedPdfCheck, *, has_text: bool, expected_texts: Sequence[str]) -> None:
    """The policy, pure: raise `Rejected` when `check` may not be filed."""
    if expected_texts and has_text and check.text_match is None:
        raise Rejected(
            "isi PDF tidak menyebut berkas ini (dicari: " + ", ".join(expected_texts) + ")",
            "Periksa apakah PDF yang ditandatangani adalah naskah untuk berkas ini, lalu "
            "letakkan PDF yang benar.",
        )
    for sig in check.signatures:
        if not sig.ok:
            raise Rejected(
                f"tanda tangan elektronik '{sig.field_name}' oleh {sig.signer} gagal: "
                + "; ".join(sig.problems),
                _what_to_do(sig),
            )
    if check.require_trusted_signature and not check.signatures:
        raise Rejected(
            "PDF tidak memuat tanda tangan elektronik (TTE), padahal TTE diwajibkan",
            "Tandatangani naskah secara elektronik dengan sertifikat BSrE, lalu letakkan "
            "PDF hasil tanda tangan apa adanya.",
        )


def _what_to_do(sig: SignatureFacts) -> str:
    if sig.problems == (REVOCATION_PROBLEMS[STALE_REVOCATION_LIST],):
        return (
            "Minta petugas TI mengganti file CRL di config/sertifikat/ dengan daftar pencabutan "
            "terbaru dari penerbit sertifikat, lalu letakkan lagi PDF ini apa adanya."
        )
    return (
        "Jangan mengubah PDF setelah ditandatangani. Tandatangani ulang naskah asli dengan "
        "sertifikat TTE yang sah, lalu letakkan PDF hasil tanda tangan apa adanya."
    )


SIGNING_REVIEW = StandardDiffPolicy(
    global_rules=DEFAULT_DIFF_POLICY.global_rules,
    form_rule=FormUpdatingRule(
        field_rules=[
            SigFieldCreationRule(),  # type: ignore[no-untyped-call]
            SigFieldModificationRule(),
            GenericFieldModificationRule(),
        ],
        # the first signature of a document sets the form's signature flags
        ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
    ),
)
"""pyHanko's standard review of what was appended to a document, from the unsigned issued
copy to the signed file: adding a signature is form filling, anything else is more."""


def only_signed_after(data: bytes, issued: bytes) -> bool:
    """True when `data` is `issued`, byte for byte, with nothing appended after it but a
    signature (a new signature field and its value) and archival material (DSS, timestamps).

    pyHanko's diff policy reviews every revision appended after the issued ones against them:
    an edit saved as an update before signing, or made inside the signing revision, is more
    than form filling and fails; so does anything that does not start with the issued bytes.
    """
    if not data.startswith(issued):
        return False
    try:
        base = PdfFileReader(BytesIO(issued), strict=False).xrefs.total_revisions - 1
        result = SIGNING_REVIEW.review_file(PdfFileReader(BytesIO(data), strict=False), base)
    except Exception as exc:  # an unparsable revision is not a clean signature
        log.info("cannot compare the signed revisions with the issued copy: %r", exc)
        return False
    level = getattr(result, "modification_level", None)
    log.info("changes after the issued copy: %s", level.name if level else result)
    return level is not None and bool(level <= ModificationLevel.FORM_FILLING)


def find_expected_text(text: str, expected_texts: Sequence[str]) -> str | None:
    """The first of `expected_texts` found in `text`, ignoring case and whitespace."""
    haystack = _squash(text)
    for expected in expected_texts:
        if _squash(expected) and _squash(expected) in haystack:
            return expected
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _open_pdf(data: bytes) -> PdfReader:
    """Opened by the one reader every inbox uses, so a PDF that opens without a password (an
    owner password only) is accepted here too, and each fault is worded as at every inbox."""
    from pipeline.inputs.pdf import open_pdf

    return open_pdf(data)


def _extract_text(reader: PdfReader) -> str:
    parts = []
    for page in reader.pages:
        try:
            parts.append(page.extract_text() or "")
        except Exception as exc:  # a page whose text cannot be read counts as a scanned page
            log.info("no text from a page: %s", exc)
    return "\n".join(parts)


def _validate_signatures(
    data: bytes, trust_roots: Path | None, moment: datetime | None
) -> list[SignatureFacts]:
    embedded = _embedded_signatures(data)
    if not embedded:
        return []
    context = _validation_context(trust_roots, moment)
    results = [_validate_one(sig, context) for sig in embedded]
    last = results[-1]
    tail_signed = isinstance(last, PdfSignatureStatus) and _covers_whole_file(last, False)
    return [
        _facts_from_status(sig, result, tail_signed)
        if isinstance(result, PdfSignatureStatus)
        else _broken_facts(sig, result)
        for sig, result in zip(embedded, results, strict=True)
    ]


def _embedded_signatures(data: bytes) -> list[EmbeddedPdfSignature]:
    if b"/ByteRange" not in data:  # no signature value anywhere: nothing for pyHanko to read
        return []
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        return list(reader.embedded_regular_signatures)
    except Exception as exc:  # pypdf opened it; the signature structure itself is broken
        log.info("cannot read signature fields: %s", exc)
        raise Rejected(
            "struktur tanda tangan elektronik di dalam PDF rusak",
            "Tandatangani ulang naskah asli, lalu letakkan PDF hasil tanda tangan apa adanya.",
        ) from exc


def _validation_context(trust_roots: Path | None, moment: datetime | None) -> ValidationContext:
    roots = load_trust_roots(trust_roots) if trust_roots else []
    return ValidationContext(
        trust_roots=roots,
        crls=load_revocation_lists(trust_roots),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def load_trust_roots(folder: Path) -> list[Any]:
    """Every certificate (asn1crypto) in the *.pem/*.crt/*.cer files of `folder`, PEM or DER."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in TRUST_ROOT_SUFFIXES)
    return [cert for path in files for cert in load_certs_from_pemder_data(path.read_bytes())]


def _validate_one(
    sig: EmbeddedPdfSignature, context: ValidationContext
) -> PdfSignatureStatus | str:
    try:
        return validate_pdf_signature(sig, signer_validation_context=context)
    except Exception as exc:  # a malformed signature is a failed signature, not a crash
        log.info("signature %s cannot be validated: %s", sig.field_name, exc)
        return str(exc) or type(exc).__name__


def _facts_from_status(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, tail_signed: bool
) -> SignatureFacts:
    cert = status.signing_cert
    level = status.modification_level
    return SignatureFacts(
        field_name=str(sig.field_name),
        signer=_common_name(cert.subject),
        serial=format(cert.serial_number, "x"),
        issuer=cert.issuer.human_friendly,
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        whole_file=_covers_whole_file(status, tail_signed),
        coverage=status.coverage.name if status.coverage else "UNKNOWN",
        modification=level.name if level else None,
        trusted=bool(status.trusted),
        byte_range=_byte_range(sig),
        revocation=_revocation(status),
    )


def _revocation(status: PdfSignatureStatus) -> str:
    """Why revocation made the certificate untrusted: listed in a current CRL, or the only
    list of its CA is past its next update (pyHanko's TRY_LATER)."""
    if status.revoked:
        return REVOKED
    indication = getattr(status.trust_problem_indic, "name", "")
    return STALE_REVOCATION_LIST if indication == "TRY_LATER" else ""


def _byte_range(sig: EmbeddedPdfSignature) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in sig.byte_range)
    except (TypeError, ValueError):
        return ()


def _covers_whole_file(status: PdfSignatureStatus, tail_signed: bool) -> bool:
    """No unsigned change after this signature.

    Either the signature covers the whole file, or what was appended after it is only archival
    material (DSS, document timestamps), or only later signatures (form filling) while the last
    signature of the file covers everything after them.
    """
    if status.docmdp_ok is False:
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.modification_level
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or level is None:
        return False
    allowed = ModificationLevel.FORM_FILLING if tail_signed else ModificationLevel.LTA_UPDATES
    return bool(level <= allowed)


def _broken_facts(sig: EmbeddedPdfSignature, error: str) -> SignatureFacts:
    try:
        cert: Any = sig.signer_cert
    except Exception:  # the CMS blob itself is unreadable
        cert = None
    return SignatureFacts(
        field_name=str(sig.field_name),
        signer=_common_name(cert.subject) if cert else "(tidak diketahui)",
        serial=format(cert.serial_number, "x") if cert else "",
        issuer=cert.issuer.human_friendly if cert else "",
        signed_at=None,
        intact=False,
        valid=False,
        whole_file=False,
        coverage="UNKNOWN",
        modification=None,
        trusted=False,
        error=error,
    )


def _common_name(name: Any) -> str:
    native = name.native
    return str(native.get("common_name") or name.human_friendly)
