"""Staff actions in tests: what each role does to the files the pipeline hands them."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.demo import disposition_docx, fill_form, review_draft, sign_by_stamp, text_pdf
from pipeline.settings import Settings
from pipeline.signing.specimen import wet_signed_scan

__all__ = [
    "Staff",
    "disposition_docx",
    "fill_form",
    "one",
    "review_draft",
    "sign_by_stamp",
    "text_pdf",
    "wait_for",
]


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Wait until `condition()` is true; fail naming `what` (a bound on waiting, not a timing)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {[p.name for p in found]}"
    return found[0]


class Staff:
    """Drops files into a share the way each role would (writing elsewhere, then moving in)."""

    def __init__(self, settings: Settings, scratch: Path) -> None:
        self.settings = settings
        self.root = settings.root
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)

    def drop(self, source: Path, folder: str, name: str | None = None) -> Path:
        dest = self.root / "inbox" / folder / (name or source.name)
        shutil.copyfile(source, dest)
        return dest

    def disposisi(self, name: str = "Disposisi Triwulan III 2026.docx") -> Path:
        path = self.scratch / name
        disposition_docx(path, "Triwulan III 2026")
        return self.drop(path, "kepala-dinas/disposisi-data-kinerja")

    def isi_formulir(self, case_id: str, slug: str, keterangan: str | None = None) -> Path:
        form = one(self.root / "outbox" / "bidang" / slug, f"{case_id} *.xlsx")
        bidang = self.settings.office.bidang_by_slug(slug)
        assert bidang is not None
        filled = self.scratch / form.name
        fill_form(form, filled, bidang, keterangan)
        return self.drop(filled, f"bidang/{slug}")

    def telaah_draf(self, case_id: str, version: int) -> Path:
        draft = one(self.root / "outbox" / "analis", f"{case_id} Draf v{version}.docx")
        reviewed = self.scratch / f"{case_id} Draf v{version + 1}.docx"
        review_draft(draft, reviewed)
        return self.drop(reviewed, "analis/draf")

    def paraf(self, case_id: str, role: str) -> Path:
        final = one(self.root / "outbox" / role, f"{case_id} Draf Final *.docx")
        return self.drop(final, f"{role}/paraf")

    def signing_copy(self, case_id: str) -> bytes:
        folder = self.root / "outbox" / "kepala-dinas"
        return one(folder, f"{case_id} Untuk Ditandatangani.pdf").read_bytes()

    def tanda_tangan(self, case_id: str, **scan: Any) -> Path:
        """The Head signs the printed signing copy by hand; it is scanned and dropped."""
        signed = self.scratch / f"{case_id} Ditandatangani.pdf"
        signed.write_bytes(wet_signed_scan(self.signing_copy(case_id), **scan))
        return self.drop(signed, "kepala-dinas/tanda-tangan")
