"""Filing a closed case: the manifest (pure) and the archive folder, written once, never again."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.fsops import fsync_dir
from pipeline.intake import temp_name
from pipeline.sop import StepTime

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


def build_manifest(
    settings: Settings,
    case_id: str,
    period: str,
    opened_at: datetime,
    closed_at: datetime,
    files: Sequence[ArchivedFile],
    times: Sequence[StepTime],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    sop, office = settings.sop, settings.office
    return {
        "case_id": case_id,
        "period": period,
        "sop": {"nomor": sop.nomor, "nama": sop.nama},
        "office": f"{office.nama} {office.daerah}",
        "opened_at": opened_at.isoformat(),
        "closed_at": closed_at.isoformat(),
        "files": [_file_entry(f) for f in files],
        "timeline": [_step_entry(t) for t in times],
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
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _step_entry(t: StepTime) -> dict[str, Any]:
    return {
        "no": t.spec.no,
        "actor": t.spec.actor,
        "activity": t.spec.activity,
        "standard": t.spec.standard.label(),
        "started_at": _iso(t.started_at),
        "completed_at": _iso(t.completed_at),
        "due_at": _iso(t.due_at),
        "late": t.overdue,
    }


def file_case(archive_dir: Path, files: Sequence[ArchivedFile], manifest: dict[str, Any]) -> None:
    """Write the case folder under a temporary name beside it, fsync, then rename into place.

    An existing folder is never touched: if it is the same filing (a replay after a crash
    between filing and journal commit) it is adopted, otherwise FileExistsError.
    """
    if archive_dir.exists():
        _adopt(archive_dir, manifest)
        return
    archive_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = temp_name(archive_dir)
    staging.mkdir()
    try:
        _fill(staging, files, manifest)
        staging.rename(archive_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_dir(archive_dir.parent)


def _fill(staging: Path, files: Sequence[ArchivedFile], manifest: dict[str, Any]) -> None:
    for f in files:
        dest = staging / f.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f.source, dest)
        _fsync_file(dest)
    (staging / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    _fsync_file(staging / MANIFEST)
    for folder in {p.parent for p in staging.rglob("*")} | {staging}:
        fsync_dir(folder)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _adopt(archive_dir: Path, manifest: dict[str, Any]) -> None:
    try:
        existing = json.loads((archive_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileExistsError(f"{archive_dir} exists and has no readable manifest") from exc
    same = {f["sha256"] for f in existing.get("files", [])} == {
        f["sha256"] for f in manifest["files"]
    }
    if existing.get("case_id") != manifest["case_id"] or not same:
        raise FileExistsError(f"{archive_dir} already holds another filing")
    log.info("archive %s already filed (replay after interruption); kept as it is", archive_dir)
