"""Signed PDF checks: real PAdES signatures made by pyHanko with a CA created by the test."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter

from pipeline.core.errors import Rejected
from pipeline.signing.revocation import revocation_notices
from pipeline.signing.tte import NOT_VERIFIABLE_BY_TEXT, check_signed_pdf
from tests.support.hostile import pdf_file as _pdf
from tests.support.pki import (
    Issued,
    make_ca,
    make_crl,
    make_signer,
    sign_pdf,
    write_trust_roots,
)

CASE = "DK-2026-001"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(line: str) -> bytes:
    """One A4 page showing `line` in Helvetica, uncompressed (so a test can edit a byte)."""
    content = b"BT /F1 14 Tf 72 760 Td (" + line.encode("latin-1") + b") Tj ET"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def scan_pdf() -> bytes:
    """One page that only shows a small grey image, like a scanned sheet without OCR."""
    pixels = bytes((x * 16 + y) % 256 for x in range(16) for y in range(16))
    image = _stream(
        pixels,
        b"/Type /XObject /Subtype /Image /Width 16 /Height 16"
        b" /ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
            _stream(b"q 500 0 0 700 40 70 cm /Im1 Do Q"),
            image,
        ]
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Issued]:
    ca = make_ca("CA Dinas Uji")
    other_ca = make_ca("CA Lain")
    return {
        "ca": ca,
        "signer": make_signer(ca, "Kepala Dinas Uji"),
        "other_ca": other_ca,
        "stranger": make_signer(other_ca, "Orang Lain"),
    }


@pytest.fixture
def roots(tmp_path: Path, pki: dict[str, Issued]) -> Path:
    return write_trust_roots(tmp_path / "trust", pki["ca"])


@pytest.fixture
def signed(tmp_path: Path, pki: dict[str, Issued]) -> bytes:
    return sign_pdf(text_pdf(f"Laporan Kinerja {CASE}"), pki["signer"], pki["ca"], tmp_path)


def check(
    data: bytes, roots: Path | None, *, strict: bool = False, texts: tuple[str, ...] = (CASE,)
):
    return check_signed_pdf(
        data, trust_roots=roots, expected_texts=texts, require_trusted_signature=strict
    )


def test_intact_trusted_signature_is_accepted(signed: bytes, roots: Path) -> None:
    result = check(signed, roots, strict=True)
    [sig] = result.signatures
    assert (sig.intact, sig.valid, sig.whole_file, sig.trusted) == (True, True, True, True)
    assert sig.signer == "Kepala Dinas Uji"
    assert "CA Dinas Uji" in sig.issuer
    assert sig.signed_at is not None
    assert result.text_match == CASE
    record = result.to_record()
    assert record["verdict"] == "tte-sah"
    assert record["signatures"][0]["coverage"] == "ENTIRE_FILE"
    assert record["signatures"][0]["serial"] == sig.serial != ""


def test_one_flipped_byte_in_signed_range_is_rejected(signed: bytes, roots: Path) -> None:
    at = signed.index(b"Laporan")
    tampered = signed[:at] + b"X" + signed[at + 1 :]
    with pytest.raises(Rejected) as caught:
        check(tampered, roots)
    assert "tidak cocok lagi dengan tanda tangannya" in caught.value.alasan


def test_unsigned_change_appended_after_signing_is_rejected(signed: bytes, roots: Path) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    added = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 500 Td (BATAL) Tj ET")
    )
    writer.add_stream_to_page(0, added)
    out = BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert appended.startswith(signed)
    with pytest.raises(Rejected) as caught:
        check(appended, roots)
    assert "tidak ditandatangani setelah penandatanganan" in caught.value.alasan
    assert "berubah setelah" not in caught.value.alasan


def test_annotation_appended_by_pypdf_is_rejected(signed: bytes, roots: Path) -> None:
    writer = PdfWriter(BytesIO(signed), incremental=True)
    writer.add_annotation(
        0,
        {"/Type": "/Annot", "/Subtype": "/Square", "/Rect": [100, 100, 200, 200]},  # type: ignore[arg-type]
    )
    out = BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(signed)
    with pytest.raises(Rejected, match="tidak ditandatangani"):
        check(out.getvalue(), roots)


def test_second_signature_over_the_first_is_accepted(
    signed: bytes, tmp_path: Path, pki: dict[str, Issued], roots: Path
) -> None:
    twice = sign_pdf(signed, pki["signer"], pki["ca"], tmp_path, field_name="Paraf")
    result = check(twice, roots, strict=True)
    assert [s.coverage for s in result.signatures] == ["ENTIRE_REVISION", "ENTIRE_FILE"]
    assert all(s.ok for s in result.signatures)


def test_signer_from_untrusted_ca_is_rejected(
    tmp_path: Path, pki: dict[str, Issued], roots: Path
) -> None:
    data = sign_pdf(text_pdf(f"Laporan {CASE}"), pki["stranger"], pki["other_ca"], tmp_path)
    with pytest.raises(Rejected) as caught:
        check(data, roots)
    assert "tidak berasal dari CA yang dipercaya" in caught.value.alasan
    assert "Orang Lain" in caught.value.alasan
    assert "berubah setelah" not in caught.value.alasan
    assert "tidak ditandatangani" not in caught.value.alasan


def test_without_trust_roots_no_signature_is_trusted(signed: bytes) -> None:
    with pytest.raises(Rejected, match="CA yang dipercaya"):
        check(signed, None)


def test_scan_without_text_or_signature_is_accepted_by_default(roots: Path) -> None:
    result = check(scan_pdf(), roots)
    assert result.text_note == NOT_VERIFIABLE_BY_TEXT
    assert result.text_match is None
    assert result.signatures == ()
    assert result.to_record()["verdict"] == "tanpa-tte"


def test_scan_is_rejected_when_a_trusted_signature_is_required(roots: Path) -> None:
    with pytest.raises(Rejected, match="TTE"):
        check(scan_pdf(), roots, strict=True)


def test_wet_signed_pdf_with_text_is_accepted_by_default(roots: Path) -> None:
    result = check(text_pdf(f"Nomor 800/12/PUSTAKA/2026 berkas {CASE}"), roots)
    assert result.text_match == CASE
    assert result.signatures == ()


def test_pdf_naming_another_case_is_rejected(
    tmp_path: Path, pki: dict[str, Issued], roots: Path
) -> None:
    data = sign_pdf(text_pdf("Laporan Kinerja DK-2026-002"), pki["signer"], pki["ca"], tmp_path)
    with pytest.raises(Rejected) as caught:
        check(data, roots)
    assert "tidak menyebut berkas ini" in caught.value.alasan


def test_document_number_matches_ignoring_case_and_spaces(roots: Path) -> None:
    data = text_pdf("Nomor: 800 / 12 / pustaka / 2026")
    result = check(data, roots, texts=(CASE, "800/12/PUSTAKA/2026"))
    assert result.text_match == "800/12/PUSTAKA/2026"


def test_broken_and_encrypted_files_are_rejected(roots: Path) -> None:
    with pytest.raises(Rejected, match="tidak dapat dibaca"):
        check(b"%PDF-1.7\nnot really", roots)
    writer = PdfWriter(clone_from=PdfReader(BytesIO(text_pdf(CASE))))
    writer.encrypt("rahasia", algorithm="AES-128")
    out = BytesIO()
    writer.write(out)
    with pytest.raises(Rejected, match="terenkripsi"):
        check(out.getvalue(), roots)


# --- revocation, checked offline against the lists the office places beside its CAs ------------

CRL_URL = "http://crl.contoh.invalid/ca-dinas-uji.crl"


@pytest.fixture(scope="module")
def declaring(pki: dict[str, Issued]) -> Issued:
    """A signer whose certificate declares where its CA publishes revocation, as BSrE's do."""
    return make_signer(pki["ca"], "Kepala Dinas Uji", crl_url=CRL_URL)


def declared_signed(tmp_path: Path, pki: dict[str, Issued], signer: Issued) -> bytes:
    return sign_pdf(text_pdf(f"Laporan Kinerja {CASE}"), signer, pki["ca"], tmp_path)


@pytest.mark.parametrize("pem", [False, True], ids=["der", "pem"])
def test_a_signer_listed_in_a_current_revocation_list_is_rejected(
    tmp_path: Path, pki: dict[str, Issued], declaring: Issued, roots: Path, pem: bool
) -> None:
    data = declared_signed(tmp_path, pki, declaring)
    assert check(data, roots).signatures[0].ok, "no list yet: soft-fail accepts"
    (roots / "ca-dinas.crl").write_bytes(make_crl(pki["ca"], (declaring,), pem=pem))
    with pytest.raises(Rejected) as caught:
        check(data, roots)
    assert "sudah dicabut" in caught.value.alasan and "Kepala Dinas Uji" in caught.value.alasan
    assert "CA yang dipercaya" not in caught.value.alasan
    assert "Tandatangani ulang" in caught.value.saran


def test_a_signer_not_in_the_list_is_accepted(
    tmp_path: Path, pki: dict[str, Issued], declaring: Issued, roots: Path
) -> None:
    other = make_signer(pki["ca"], "Sekretaris Uji", crl_url=CRL_URL)
    (roots / "ca-dinas.crl").write_bytes(make_crl(pki["ca"], (other,)))
    [sig] = check(declared_signed(tmp_path, pki, declaring), roots, strict=True).signatures
    assert sig.ok and sig.trusted and sig.revocation == ""


def test_a_list_past_its_update_fails_until_it_is_replaced_and_the_office_is_told(
    tmp_path: Path, pki: dict[str, Issued], declaring: Issued, roots: Path
) -> None:
    data = declared_signed(tmp_path, pki, declaring)
    (roots / "ca-dinas.crl").write_bytes(make_crl(pki["ca"], (), next_update_days=-2))
    with pytest.raises(Rejected) as caught:
        check(data, roots)
    assert "CRL" in caught.value.alasan and "kedaluwarsa" in caught.value.alasan
    assert "petugas TI" in caught.value.saran and "config/sertifikat/" in caught.value.saran
    [notice] = revocation_notices(roots, datetime.now(UTC))
    assert "ca-dinas.crl" in notice and "CA Dinas Uji" in notice and "kedaluwarsa" in notice
    (roots / "ca-dinas.crl").write_bytes(make_crl(pki["ca"], ()))  # IT replaces it
    assert check(data, roots).signatures[0].ok
    assert revocation_notices(roots, datetime.now(UTC)) == []


def test_a_file_that_is_no_revocation_list_is_named_and_left_out(
    tmp_path: Path, pki: dict[str, Issued], declaring: Issued, roots: Path
) -> None:
    (roots / "salah.crl").write_bytes(b"ini bukan CRL")
    assert check(declared_signed(tmp_path, pki, declaring), roots).signatures[0].ok
    [notice] = revocation_notices(roots, datetime.now(UTC))
    assert "salah.crl" in notice and "tidak dapat dibaca" in notice
