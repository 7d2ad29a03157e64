"""`pipeline reindex`: rebuild the journal's record of closed cases from the archive bags alone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.archive.filing import read_manifest
from pipeline.archive.verify import find_bags
from pipeline.core.values import BidangData, Event, NewCase
from pipeline.engine.model import SopDef
from pipeline.engine.timeline import step_events
from pipeline.settings import Settings
from pipeline.store.journal import FileRecord, Journal, NumberRecord, RestoredCase


def _events(sop: SopDef, timeline: list[dict[str, Any]]) -> tuple[Event, ...]:
    """The events that produce the recorded timeline (each step's start and completion)."""
    found: dict[str, Event] = {}
    for entry, (_step, starts_on, ends_on) in zip(timeline, step_events(sop), strict=False):
        for name, moment, by in (
            (starts_on, entry.get("started_at"), ""),
            (ends_on, entry.get("completed_at"), entry.get("completed_by") or ""),
        ):
            if moment and (name not in found or (by and not found[name].by)):
                found[name] = Event(name, datetime.fromisoformat(moment), by)
    return tuple(sorted(found.values(), key=lambda e: e.at))


def _file(case_id: str, archive_dir: str, f: dict[str, Any]) -> FileRecord:
    return FileRecord(
        case_id,
        f["direction"],
        f["kind"],
        f["role"],
        int(f["step"]),
        Path(f["name"]).name,
        f"{archive_dir}/data/{f['name']}",
        f["sha256"],
        int(f["size"]),
        datetime.fromisoformat(f["received_at"]),
        None,
        None,
        f.get("by") or "",
    )


def restored_case(sop: SopDef, bag: Path, root: Path) -> RestoredCase:
    m = read_manifest(bag)
    case_id = m["case_id"]
    year, seq = (int(part) for part in case_id.rsplit("-", 2)[1:])
    archive_dir = bag.relative_to(root).as_posix()
    return RestoredCase(
        case=NewCase(case_id, year, seq, m["period"]),
        opened_at=datetime.fromisoformat(m["opened_at"]),
        closed_at=datetime.fromisoformat(m["closed_at"]),
        archive_dir=archive_dir,
        events=_events(sop, m.get("timeline", [])),
        files=tuple(_file(case_id, archive_dir, f) for f in m.get("files", [])),
        bidang=tuple(BidangData.from_json(d) for d in m.get("bidang_data", {}).values()),
        numbers=_numbers(case_id, m),
    )


def _numbers(case_id: str, manifest: dict[str, Any]) -> tuple[NumberRecord, ...]:
    """The numbers the case's documents were given (bags filed before registers were kept
    name no register: those numbers are shown in the bag but cannot be restored)."""
    at = datetime.fromisoformat(manifest["closed_at"])
    return tuple(
        NumberRecord(n["register"], int(n["year"]), int(n["seq"]), n["number"], case_id,
                     n["document"], "terbit", at)
        for n in manifest.get("numbers", [])
        if "register" in n
    )  # fmt: skip


def reindex(settings: Settings, journal: Journal) -> list[str]:
    """Add every bagged case the journal does not know; returns their ids."""
    known = set(journal.case_ids())
    restored = []
    for bag in find_bags(settings.root / "archive"):
        sop = settings.sop_of(bag.name)
        if sop is None or bag.name in known:
            continue
        case = restored_case(sop, bag, settings.root)
        if case.case.id not in known:
            journal.restore_case(case)
            restored.append(case.case.id)
    return restored
