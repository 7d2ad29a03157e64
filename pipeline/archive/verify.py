"""`pipeline verify`: re-hash every bag (fixity) and re-check every signed record in the archive.

Interface:

    result = verify_archive(settings, journal, jobs=2)          # ArchiveCheck
    result = verify_archive(settings, journal, deep=True)       # re-validate every signed PDF
    result.ok, result.cases, result.missing_bags, result.megabytes_per_second

Each bag is one unit of work, spread over `jobs` worker processes. A worker hashes the bag in one
read per file through every algorithm its manifests declare (`fixity`); when the bag is intact,
its signed record is re-checked from the facts recorded at filing (`signature_facts`: the signed
file is byte for byte the one whose signature was checked, under today's policy and trust
roots). With `deep`, or where the facts cannot decide (a bag filed before they were recorded, a
trust root removed since), the signed PDF itself is re-validated: pyHanko over its signatures,
as of the recorded signing time, and pypdf's text must name the case.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from itertools import repeat
from pathlib import Path
from typing import Any

from pipeline.archive.filing import MANIFEST
from pipeline.archive.fixity import BagReport, Reader
from pipeline.archive.signature_facts import (
    NO_SIGNED_DOCUMENT,
    SignaturePolicy,
    policy_of,
    recheck,
    signed_entry,
)
from pipeline.core.errors import Rejected
from pipeline.settings import Settings
from pipeline.signing.tte import check_signed_pdf
from pipeline.store.journal import Journal

CASE_MANIFEST = f"data/{MANIFEST}"


class SignatureCheck(Enum):
    """How a bag's signed record was re-checked."""

    FACTS = "from the facts recorded at filing"
    DEEP = "re-validated from the PDF"
    SKIPPED = "not checked"


@dataclass(frozen=True)
class Plan:
    """What every worker checks (picklable: it travels to the worker processes)."""

    policy: SignaturePolicy
    deep: bool = False
    signatures: bool = True


@dataclass(frozen=True)
class CaseCheck:
    case_id: str
    bag_dir: Path
    fixity: BagReport
    signature_problem: str | None
    signature_check: SignatureCheck = SignatureCheck.SKIPPED
    why_deep: str | None = None  # why the facts could not decide (None: they did, or --deep)

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
    jobs: int = 1

    @property
    def ok(self) -> bool:
        return not self.missing_bags and all(c.ok for c in self.cases)

    @property
    def bytes_checked(self) -> int:
        return sum(c.fixity.bytes_checked for c in self.cases)

    @property
    def files_checked(self) -> int:
        return sum(c.fixity.files_checked for c in self.cases)

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes_checked / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def signature_checks(self) -> Counter[SignatureCheck]:
        return Counter(c.signature_check for c in self.cases)

    def deep_reasons(self) -> Counter[str]:
        """Why bags were re-validated although `deep` was not asked, with how many of each."""
        return Counter(c.why_deep for c in self.cases if c.why_deep)


def find_bags(archive: Path) -> Iterator[Path]:
    """Every bag folder: archive/<year>/<case>/ holding a bagit.txt."""
    for declaration in sorted(archive.glob("*/*/bagit.txt")):
        yield declaration.parent


def verify_archive(
    settings: Settings,
    journal: Journal | None,
    case_id: str | None = None,
    *,
    jobs: int = 1,
    deep: bool = False,
    signatures: bool = True,
    clock: Callable[[], float] = time.perf_counter,
) -> ArchiveCheck:
    """Check every bag (or the one of `case_id`); `signatures=False` checks fixity only."""
    start = clock()
    signing = settings.office.signing
    plan = Plan(policy_of(signing.trust_roots, signing.require_trusted_signature), deep, signatures)
    bags = [b for b in find_bags(settings.root / "archive") if case_id in (None, b.name)]
    checks = tuple(check_bags(bags, plan, jobs))
    missing = _missing_bags(journal, bags, case_id)
    return ArchiveCheck(checks, missing, clock() - start, max(1, min(jobs, len(bags))))


def check_bags(bags: Sequence[Path], plan: Plan, jobs: int) -> list[CaseCheck]:
    """`check_case` of every bag, in order, over `jobs` worker processes."""
    if jobs <= 1 or len(bags) <= 1:
        return [check_case(bag, plan) for bag in bags]
    workers = min(jobs, len(bags))
    chunk = max(1, len(bags) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=_start_method()) as pool:
        return list(pool.map(check_case, bags, repeat(plan), chunksize=chunk))


def _start_method() -> multiprocessing.context.BaseContext:
    """fork where it is safe (no other thread whose locks a child could inherit held), which
    starts workers in milliseconds; otherwise a fork server that has imported this module."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


_local = threading.local()


def _reader() -> Reader:
    """One read buffer per thread (and so per worker process), reused for every file."""
    reader: Reader | None = getattr(_local, "reader", None)
    if reader is None:
        reader = _local.reader = Reader()
    return reader


def check_case(bag: Path, plan: Plan) -> CaseCheck:
    """Fixity of `bag`, then (when it holds and `plan` asks) its signed record."""
    fixity = _reader().check_bag(bag, keep=(CASE_MANIFEST,))
    slim = replace(fixity, kept={}, digests={})  # what goes back to the parent process
    if not (fixity.ok and plan.signatures):
        return CaseCheck(bag.name, bag, slim, None)
    try:
        manifest = _case_manifest(fixity)
    except ValueError as exc:
        return CaseCheck(bag.name, bag, slim, f"manifest unreadable: {exc}")
    if plan.deep:
        deep = _deep_problem(bag, manifest, plan.policy)
        return CaseCheck(bag.name, bag, slim, deep, SignatureCheck.DEEP)
    found = recheck(manifest, fixity.digests, plan.policy)
    if found.needs_deep is None:
        return CaseCheck(bag.name, bag, slim, found.problem, SignatureCheck.FACTS)
    deep = _deep_problem(bag, manifest, plan.policy)
    return CaseCheck(bag.name, bag, slim, deep, SignatureCheck.DEEP, found.needs_deep)


def _case_manifest(fixity: BagReport) -> dict[str, Any]:
    """The case manifest as it was just verified (ValueError if the bag's manifests omit it
    or it is not a JSON object)."""
    if CASE_MANIFEST not in fixity.kept:
        raise ValueError(f"{CASE_MANIFEST} is not listed in the bag's manifests")
    data = json.loads(fixity.kept[CASE_MANIFEST].decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{CASE_MANIFEST} is not a JSON object")
    return data


def _deep_problem(bag: Path, manifest: dict[str, Any], policy: SignaturePolicy) -> str | None:
    """Re-validate the signed PDF itself: its signatures (pyHanko) and that it names the case."""
    entry = signed_entry(manifest)
    if entry is None:
        return NO_SIGNED_DOCUMENT
    try:
        data = (bag / "data" / entry["name"]).read_bytes()
        check_signed_pdf(
            data,
            trust_roots=policy.trust_roots,
            expected_texts=[manifest["case_id"]],
            require_trusted_signature=policy.require_trusted_signature,
            moment=_signed_at(manifest),
        )
    except Rejected as exc:
        return exc.message
    except OSError as exc:
        return f"data/{entry['name']} cannot be read ({exc.strerror})"
    return None


def _signed_at(manifest: dict[str, Any]) -> datetime | None:
    """Validate as of the signing time recorded at filing (an expired certificate still checks)."""
    record = manifest.get("signature")
    signatures = record.get("signatures") if isinstance(record, dict) else None
    if not signatures or not isinstance(signatures, list):
        return None
    moment = signatures[-1].get("signed_at")
    return datetime.fromisoformat(moment) if isinstance(moment, str) else None


def _missing_bags(
    journal: Journal | None, bags: list[Path], case_id: str | None
) -> tuple[str, ...]:
    """Closed cases the journal knows of whose bag is not in the archive (cancelled ones have
    none): only the cases without a bag are loaded."""
    if journal is None:
        return ()
    present = {b.name for b in bags}
    closed = set(journal.case_ids()) - set(journal.case_ids(open_only=True))
    candidates = sorted(c for c in closed - present if case_id in (None, c))
    states = (journal.case(c) for c in candidates)
    return tuple(s.id for s in states if s and s.closed and not s.cancelled)
