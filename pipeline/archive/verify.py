"""`pipeline verify`: re-hash every bag (fixity) and re-check every signature in the archive."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.archive.bagging import BagReport, verify_bag
from pipeline.archive.filing import read_manifest
from pipeline.core.errors import Rejected
from pipeline.settings import Settings
from pipeline.signing.tte import check_signed_pdf, load_trust_roots
from pipeline.store.journal import Journal

SIGNED_KIND = "naskah-ditandatangani"


@dataclass(frozen=True)
class CaseCheck:
    case_id: str
    bag_dir: Path
    fixity: BagReport
    signature_problem: str | None

    @property
    def ok(self) -> bool:
        return self.fixity.ok and self.signature_problem is None

    def problems(self) -> list[str]:
        found = [f"missing: {p}" for p in self.fixity.missing]
        found += [f"added: {p}" for p in self.fixity.extra]
        found += [f"altered: {p}" for p in self.fixity.altered]
        found += [f"error: {p}" for p in self.fixity.errors]
        if self.signature_problem:
            found.append(f"signature: {self.signature_problem}")
        return found


@dataclass(frozen=True)
class ArchiveCheck:
    cases: tuple[CaseCheck, ...]
    missing_bags: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.missing_bags and all(c.ok for c in self.cases)

    @property
    def bytes_checked(self) -> int:
        return sum(c.fixity.bytes_checked for c in self.cases)

    @property
    def files_checked(self) -> int:
        return sum(c.fixity.files_checked for c in self.cases)


def find_bags(archive: Path) -> Iterator[Path]:
    """Every bag folder: archive/<year>/<case>/ holding a bagit.txt."""
    for declaration in sorted(archive.glob("*/*/bagit.txt")):
        yield declaration.parent


def verify_archive(
    settings: Settings,
    journal: Journal | None,
    case_id: str | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ArchiveCheck:
    start = clock()
    bags = [b for b in find_bags(settings.root / "archive") if case_id in (None, b.name)]
    checks = tuple(check_case(settings, bag) for bag in bags)
    return ArchiveCheck(checks, _missing_bags(settings, journal, bags, case_id), clock() - start)


def _missing_bags(
    settings: Settings, journal: Journal | None, bags: list[Path], case_id: str | None
) -> tuple[str, ...]:
    """Closed cases the journal knows of whose bag is not in the archive."""
    if journal is None:
        return ()
    present = {b.name for b in bags}
    closed = [journal.case(cid) for cid in journal.case_ids()]
    return tuple(
        c.id
        for c in closed
        if c and c.closed and not c.cancelled and c.id not in present and case_id in (None, c.id)
    )


def check_case(settings: Settings, bag: Path) -> CaseCheck:
    fixity = verify_bag(bag)
    return CaseCheck(
        bag.name, bag, fixity, _signature_problem(settings, bag) if fixity.ok else None
    )


def _signature_problem(settings: Settings, bag: Path) -> str | None:
    try:
        manifest = read_manifest(bag)
    except (OSError, ValueError) as exc:
        return f"manifest unreadable: {exc}"
    signed = [f for f in manifest.get("files", []) if f.get("kind") == SIGNED_KIND]
    if not signed:
        return "no signed document in the bag"
    data = (bag / "data" / signed[0]["name"]).read_bytes()
    try:
        check_signed_pdf(
            data,
            trust_roots=_roots(settings),
            expected_texts=[manifest["case_id"]],
            require_trusted_signature=settings.office.signing.require_trusted_signature,
            moment=_signed_at(manifest),
        )
    except Rejected as exc:
        return exc.message
    return None


def _roots(settings: Settings) -> Path | None:
    roots = settings.office.signing.trust_roots
    return roots if roots is not None and roots.is_dir() and load_trust_roots(roots) else None


def _signed_at(manifest: dict[str, object]) -> datetime | None:
    """Validate as of the signing time recorded at filing (an expired certificate still checks)."""
    record = manifest.get("signature")
    signatures = record.get("signatures") if isinstance(record, dict) else None
    if not signatures or not isinstance(signatures, list):
        return None
    moment = signatures[-1].get("signed_at")
    return datetime.fromisoformat(moment) if isinstance(moment, str) else None
