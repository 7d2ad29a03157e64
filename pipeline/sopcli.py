"""What `pipeline sop …` and `pipeline register` report, as text (the command line prints it).

`check` finds every problem of definition files at once: their own (with the line), their
templates (each rendered once with sample values), and clashes with the other SOPs of the same
share (a case code or an opening folder used twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.definitions import SOP_FOLDER, check_file, definition_files
from pipeline.documents.templates import Documents
from pipeline.engine.model import SopDef
from pipeline.engine.routing import clashes, opener_folders
from pipeline.settings import OFFICE_FILE, Settings, load_office
from pipeline.store.journal import Journal


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def problem(self, text: str) -> None:
        self.lines.append(text)
        self.failed = True


def check(files: Sequence[Path], root: Path | None) -> CheckReport:
    report = CheckReport()
    for path in files:
        _check_one(path.resolve(), root.resolve() if root else _share_of(path.resolve()), report)
    return report


def _share_of(path: Path) -> Path | None:
    """A definition in `ROOT/config/sop/` belongs to the share ROOT."""
    root = path.parent.parent.parent
    return root if (root / "config" / OFFICE_FILE).is_file() else None


def _check_one(path: Path, root: Path | None, report: CheckReport) -> None:
    sop, problems = check_file(path)
    for problem in problems:
        report.problem(str(problem))
    if sop is None:
        return
    before = report.failed
    if root is None:
        report.lines.append(f"{path.name}: templates not checked: the file is not in a share")
    else:
        _check_in_share(path, sop, root, report)
    if report.failed == before:
        report.lines.append(f"{path.name}: OK — {_summary(sop)}")


def _check_in_share(path: Path, sop: SopDef, root: Path, report: CheckReport) -> None:
    others = _others(root, path)
    try:
        office = load_office(root / "config" / OFFICE_FILE, root, (*others, sop))
        Documents(root / "templates").check_all(office, [sop])
    except ConfigError as exc:
        report.problem(f"{path.name}: {exc}")
        return
    units = tuple(b.slug for b in office.bidang)
    for clash in clashes((*others, sop), units):
        report.problem(f"{path.name}: {clash}")


def _others(root: Path, path: Path) -> tuple[SopDef, ...]:
    found = []
    for other in definition_files(root / "config" / SOP_FOLDER):
        if other.resolve() != path:
            sop, _ = check_file(other)
            if sop is not None:
                found.append(sop)
    return tuple(found)


def _summary(sop: SopDef) -> str:
    stages = ", ".join(s.jenis for s in sop.stages)
    return f"SOP {sop.nomor} ({sop.kode}), {len(sop.steps)} steps; stages: {stages}"


def listing(settings: Settings) -> str:
    openers = opener_folders(settings.sops, settings.units)
    lines = []
    for sop in settings.sops:
        folders = sorted(f for f, codes in openers.items() if sop.kode in codes)
        lines += [
            f"{sop.kode:<6} SOP {sop.nomor} — {sop.nama}",
            f"       {len(sop.steps)} steps, stages: {', '.join(s.jenis for s in sop.stages)}",
            f"       opens cases in: {_shown(folders)}",
            f"       file: config/{SOP_FOLDER}/{sop.source}",
        ]
    return "\n".join(lines)


def _shown(folders: list[str]) -> str:
    units = [f for f in folders if f.startswith("bidang/")]
    rest = [f"inbox/{f}/" for f in folders if not f.startswith("bidang/")]
    if units:
        tail = units[0].split("/", 2)[2] if units[0].count("/") >= 2 else ""
        rest.append(f"inbox/bidang/<bidang>/{tail}/".replace("//", "/"))
    return ", ".join(rest)


def imported(path: Path) -> str:
    from pipeline.sopimport import skeleton

    return skeleton(path)


def register_table(journal: Journal, year: int) -> str:
    rows = journal.register(year)
    if not rows:
        return f"no numbers were given in {year}"
    lines = [f"{'number':<28} {'register':<14} {'case':<13} {'status':<7} document"]
    lines += [
        f"{r.number:<28} {r.register:<14} {r.case_id:<13} {r.status:<7} {r.document}" for r in rows
    ]
    return "\n".join(lines)
