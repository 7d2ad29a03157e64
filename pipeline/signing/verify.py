"""Proving a signed PDF is the signing copy the pipeline issued, signed: a digital signature
(TTE) over the issued bytes, or a scan matched page by page by the copy's QR codes, with ink in
its signature box (see README, "Step 9"). Each failure is a `Rejected` saying what is wrong."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.archive.filing import signature_summary
from pipeline.core.errors import Rejected
from pipeline.core.office import SigningPolicy
from pipeline.inputs.pdf import pdf_content
from pipeline.signing.scan import check_scan, read_marks
from pipeline.signing.seal import Seal
from pipeline.signing.tte import (
    SignatureFacts,
    SignedPdfCheck,
    check_signed_pdf,
    find_expected_text,
    load_trust_roots,
    only_signed_after,
)
from pipeline.store.journal import Journal

log = logging.getLogger(__name__)
SIGNING_COPY = "naskah-untuk-tanda-tangan"


@dataclass(frozen=True)
class IssuedCopy:
    """The signing copy the pipeline issued for a case: its bytes and its seal (if sealed)."""

    name: str
    data: bytes
    seal: Seal | None


def issued_signing_copy(journal: Journal, root: Path, case_id: str) -> IssuedCopy | None:
    """The newest signing copy issued as a PDF for `case_id`, or None (no LibreOffice)."""
    found = [
        f for f in journal.files(case_id) if f.kind == SIGNING_COPY and f.path.endswith(".pdf")
    ]
    if not found:
        return None
    last = found[-1]
    seal = Seal.from_json(last.facts["seal"]) if last.facts and "seal" in last.facts else None
    return IssuedCopy(last.name, (root / last.path).read_bytes(), seal)


def signature_record(
    policy: SigningPolicy, case_id: str, data: bytes, issued: IssuedCopy | None
) -> dict[str, Any]:
    """Check the signed PDF is the issued copy, signed; returns the facts for the archive."""
    signed = _check_signature(policy, data)
    if signed.signatures:
        _check_signed_copy(case_id, data, signed.signatures[0], issued)
        record = signed.to_record() | {"method": "tte"}
    else:
        record = _check_wet_signed(policy, case_id, data, issued, signed)
    log.info("signed record of %s accepted: %s", case_id, signature_summary(record))
    return record


def _check_signed_copy(
    case_id: str, data: bytes, first: SignatureFacts, issued: IssuedCopy | None
) -> None:
    """A digital signature must cover the exact bytes issued: signing appends to them."""
    if issued is None:
        raise _no_issued_copy(case_id)
    if len(issued.data) <= first.signed_from and only_signed_after(data, issued.data):
        return
    raise Rejected(
        f"PDF bertanda tangan elektronik ini bukan naskah yang diterbitkan untuk ditandatangani: "
        f"isinya sebelum tanda tangan berbeda dari '{issued.name}'",
        f"tandatangani secara elektronik '{issued.name}' dari outbox/kepala-dinas/ apa adanya "
        "(jangan disimpan ulang, dicetak ulang ke PDF, atau diubah sebelum ditandatangani), "
        "lalu letakkan PDF hasil tanda tangan di sini",
    )


def _no_issued_copy(case_id: str) -> Rejected:
    return Rejected(
        f"sistem belum menerbitkan naskah PDF untuk ditandatangani bagi kasus {case_id} "
        "(LibreOffice tidak terpasang di server), sehingga tanda tangan tidak dapat dicocokkan",
        "hubungi pengelola sistem untuk memasang LibreOffice, atau gunakan kebijakan "
        "scan-tanpa-qr di config/kantor.toml",
        resend=False,
    )


def _check_wet_signed(
    policy: SigningPolicy,
    case_id: str,
    data: bytes,
    issued: IssuedCopy | None,
    signed: SignedPdfCheck,
) -> dict[str, Any]:
    """Without a digital signature: a scan of the sealed signing copy, with ink in the box."""
    if policy.accept_scan_without_qr and not _has_marks(data):
        _check_names_case(data, case_id)
        return signed.to_record() | {"method": "pindaian-tanpa-qr"}
    if issued is None or issued.seal is None:
        raise _no_issued_copy(case_id)
    scan = check_scan(data, issued.seal, issued.data)
    return signed.to_record() | {"method": "pindaian-qr", "scan": scan.to_record()}


def _has_marks(data: bytes) -> bool:
    return any(page.mark is not None for page in read_marks(data))


def _check_names_case(data: bytes, case_id: str) -> None:
    text, _images = pdf_content(data)
    if text and find_expected_text(text, [case_id]) is None:
        raise Rejected(
            f"isi PDF tidak menyebut berkas ini (dicari: {case_id})",
            "Periksa apakah PDF yang ditandatangani adalah naskah untuk berkas ini, lalu "
            "letakkan PDF yang benar.",
        )


def _check_signature(policy: SigningPolicy, data: bytes) -> SignedPdfCheck:
    roots = policy.trust_roots
    has_roots = roots is not None and roots.is_dir() and bool(load_trust_roots(roots))
    return check_signed_pdf(
        data,
        trust_roots=roots if has_roots else None,
        expected_texts=[],  # the issued bytes or the seal prove which document it is
        require_trusted_signature=policy.require_trusted_signature,
    )
