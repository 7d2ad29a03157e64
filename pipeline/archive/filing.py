"""Filing a closed case: the manifest (pure) and the archive folder, written once, never again."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.archive.bagging import make_bag
from pipeline.core.values import CaseState
from pipeline.engine.model import SopDef
from pipeline.engine.timeline import StepTime
from pipeline.settings import Settings

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ArchivedFile:
    """One file of a case as filed: its place in the archive and where it comes from."""

    source: Path
    name: str
    role: str
    step: int
    kind: str
    direction: str
    received_at: datetime
    sha256: str
    size: int
    by: str = ""  # who dropped it (inputs), as staff read it


def build_manifest(
    settings: Settings,
    sop: SopDef,
    case: CaseState,
    closed_at: datetime,
    files: Sequence[ArchivedFile],
    times: Sequence[StepTime],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    office = settings.office
    return {
        "case_id": case.id,
        "period": case.period,
        "sop": {"nomor": sop.nomor, "nama": sop.nama, "kode": sop.kode},
        "office": f"{office.nama} {office.daerah}",
        "opened_at": case.opened_at.isoformat(),
        "closed_at": closed_at.isoformat(),
        "files": [_file_entry(f) for f in files],
        "timeline": [t.to_record() | {"late": t.overdue} for t in times],
        **(extra or {}),
    }


def _file_entry(f: ArchivedFile) -> dict[str, Any]:
    return {
        "name": f.name,
        "role": f.role,
        "step": f.step,
        "kind": f.kind,
        "direction": f.direction,
        "received_at": f.received_at.isoformat(),
        "sha256": f.sha256,
        "size": f.size,
        "by": f.by or None,
    }


def bag_info(
    settings: Settings, sop: SopDef, manifest: dict[str, Any], signature: dict[str, Any] | None
) -> dict[str, str]:
    """bag-info.txt of a case: the office, SOP, case, period, classification and retention."""
    office, arsip = settings.office, settings.office.arsip
    opened, closed = (_local_day(manifest[k], settings) for k in ("opened_at", "closed_at"))
    return {
        "Bagging-Date": closed,
        "Source-Organization": f"{office.nama} {office.daerah}",
        "Organization-Address": office.alamat,
        "External-Identifier": manifest["case_id"],
        "External-Description": f"{sop.judul_dokumen} {manifest['period']}",
        "SOP-Nomor": sop.nomor,
        "SOP-Nama": sop.nama,
        "Periode": manifest["period"],
        "Kurun-Waktu": opened if opened == closed else f"{opened} s.d. {closed}",
        "Kode-Klasifikasi": sop.klasifikasi or arsip.kode_klasifikasi,
        "Retensi-Aktif": f"{arsip.retensi_aktif_tahun} tahun",
        "Retensi-Inaktif": f"{arsip.retensi_inaktif_tahun} tahun",
        "Nasib-Akhir": arsip.nasib_akhir,
        "Tanda-Tangan": signature_summary(signature),
        **_numbers(manifest),
    }


def _numbers(manifest: dict[str, Any]) -> dict[str, str]:
    found = [n["number"] for n in manifest.get("numbers", [])]
    return {"Nomor-Naskah": ", ".join(found)} if found else {}


def _local_day(moment: str, settings: Settings) -> str:
    """The office's calendar day of an ISO time: what staff call the date it happened."""
    return datetime.fromisoformat(moment).astimezone(settings.tz).date().isoformat()


def signature_summary(signature: dict[str, Any] | None) -> str:
    """One line for bag-info.txt: how the record was signed and how that was checked."""
    signature = signature or {}
    method = signature.get("method")
    if signature.get("signatures"):
        return (
            "TTE: "
            + "; ".join(_tte(s) for s in signature["signatures"])
            + (
                "; mencakup naskah yang diterbitkan untuk ditandatangani, byte demi byte"
                if method == "tte"
                else ""
            )
        )
    if method == "pindaian-qr":
        pages = len((signature.get("scan") or {}).get("pages") or [])
        return (
            f"tanda tangan basah (pindaian {pages} halaman); setiap halaman dicocokkan dengan "
            "naskah yang diterbitkan lewat kode QR, dan kotak tanda tangan berisi tinta"
        )
    if method == "pindaian-tanpa-qr":
        return (
            "tanda tangan basah (pindaian) TANPA kode QR, diterima menurut kebijakan "
            "scan-tanpa-qr: tidak dicocokkan dengan naskah yang diterbitkan"
        )
    note = signature.get("text_note") or "teks sesuai nomor kasus"
    return f"tanpa tanda tangan elektronik (tanda tangan basah/pindaian); {note}"


def _tte(s: dict[str, Any]) -> str:
    return (
        f"{s.get('signer')} (serial {s.get('serial')}, penerbit {s.get('issuer')}, "
        f"waktu {s.get('signed_at')}, utuh={s.get('intact')}, seluruh-file={s.get('whole_file')}, "
        f"terpercaya={s.get('trusted')})"
    )


def file_case(
    archive_dir: Path,
    files: Sequence[ArchivedFile],
    manifest: dict[str, Any],
    info: dict[str, str],
    work: Path,
) -> None:
    """File the case as one BagIt bag at `archive_dir`, built beside it and renamed into place.

    An existing bag is never touched: if it is the same filing (a replay after a crash between
    filing and journal commit) it is adopted, otherwise FileExistsError.
    """
    if archive_dir.exists():
        _adopt(archive_dir, manifest)
        return
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="bag-") as staging:
        payload = Path(staging) / "payload"
        _stage(payload, files, manifest)
        make_bag(payload, archive_dir, info)


def _stage(payload: Path, files: Sequence[ArchivedFile], manifest: dict[str, Any]) -> None:
    for f in files:
        dest = payload / f.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(f.source, dest)
        except OSError:
            shutil.copyfile(f.source, dest)
    (payload / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )


def read_manifest(bag_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((bag_dir / "data" / MANIFEST).read_text(encoding="utf-8"))
    return data


def _adopt(archive_dir: Path, manifest: dict[str, Any]) -> None:
    try:
        existing = read_manifest(archive_dir)
    except (OSError, ValueError) as exc:
        raise FileExistsError(f"{archive_dir} exists and has no readable manifest") from exc
    same = {f["sha256"] for f in existing.get("files", [])} == {
        f["sha256"] for f in manifest["files"]
    }
    if existing.get("case_id") != manifest["case_id"] or not same:
        raise FileExistsError(f"{archive_dir} already holds another filing")
    log.info("archive %s already filed (replay after interruption); kept as it is", archive_dir)
