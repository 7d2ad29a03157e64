"""The engine's ports, backed by the share and the journal: the facts of a dropped file (each
read once, when first asked for) and the cases as the journal keeps them."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.core.assign import case_id_pattern
from pipeline.core.office import Bidang
from pipeline.core.people import Actor
from pipeline.core.values import BidangData, CaseState, Drop
from pipeline.inputs.forms import read_form
from pipeline.inputs.kinds import KINDS, check_drop
from pipeline.inputs.pdf import check_pdf
from pipeline.inputs.word import docx_properties, docx_text
from pipeline.settings import Settings
from pipeline.signing.verify import issued_signing_copy, signature_record
from pipeline.store.journal import Journal
from pipeline.store.numbers_kept import highest_kept_number


class FileFacts:
    """A drop as the decisions see it: its kind, text, properties and form, read once."""

    def __init__(self, drop: Drop, settings: Settings, journal: Journal) -> None:
        self._drop = drop
        self._settings = settings
        self._journal = journal
        self._kinds: dict[frozenset[str], str] = {}

    @property
    def name(self) -> str:
        return self._drop.name

    @property
    def folder(self) -> str:
        return self._drop.folder

    @property
    def sha256(self) -> str:
        return self._drop.sha256

    @property
    def actor(self) -> Actor:
        return self._drop.actor

    def kind(self, accepts: frozenset[str]) -> str:
        if accepts not in self._kinds:
            self._kinds[accepts] = check_drop(self._drop.path, accepts)
        return self._kinds[accepts]

    @cached_property
    def _sniffed(self) -> str:
        return self.kind(KINDS)

    def text(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        kind = self._sniffed
        if kind == "pdf":
            return check_pdf(self._drop.path).text
        return docx_text(self._drop.path) if kind == "docx" else ""

    def properties(self) -> Mapping[str, str]:
        return docx_properties(self._drop.path) if self._sniffed == "docx" else {}

    def form(self, bidang: Bidang) -> tuple[BidangData, str]:
        return read_form(self._drop.path, bidang)

    def signature(self, case_id: str) -> Mapping[str, Any]:
        issued = issued_signing_copy(self._journal, self._settings.root, case_id)
        policy = self._settings.office.signing
        return signature_record(policy, case_id, self._drop.path.read_bytes(), issued)


class KnownCases(Collection[str]):
    """Every case id of the journal, looked up one at a time (a drop names one or two)."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    def __contains__(self, case_id: object) -> bool:
        return isinstance(case_id, str) and self._journal.has_case(case_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._journal.case_ids())

    def __len__(self) -> int:
        return len(self._journal.case_ids())


class JournalCases:
    """The cases as the journal (and, for numbers, the share) keeps them."""

    def __init__(self, settings: Settings, journal: Journal) -> None:
        self._settings = settings
        self._journal = journal
        self._on_share: dict[tuple[str, int], int] = {}

    def known(self) -> Collection[str]:
        return KnownCases(self._journal)

    def open_cases(self, prefix: str) -> list[CaseState]:
        states = (self._journal.case(c) for c in self._journal.case_ids(open_only=True))
        return [s for s in states if s is not None and s.prefix == prefix]

    def get(self, case_id: str) -> CaseState | None:
        return self._journal.case(case_id)

    def opened_by(self, folder: str, name: str) -> list[str]:
        still_open = set(self._journal.case_ids(open_only=True))
        earlier = self._journal.accepted_drops(folder, name)
        return [d.case_id for d in earlier if d.case_id in still_open]

    def next_seq(self, prefix: str, year: int) -> int:
        """After the journal's and after every case of that year the share holds (a bag, or
        accepted inputs), so a lost journal never hands out a used number again. Outputs alone
        (a crash before the commit) do not count: they are redone. The share is looked at once
        per year: a case's folders are made only by the pipeline, after its number is in the
        journal."""
        if (prefix, year) not in self._on_share:
            self._on_share[(prefix, year)] = self._last_on_share(prefix, year)
        return max(self._journal.next_seq(prefix, year), self._on_share[(prefix, year)] + 1)

    def _last_on_share(self, prefix: str, year: int) -> int:
        root = self._settings.root
        folders = [
            *root.glob(f"archive/{year}/{prefix}-{year}-*"),
            *(m.parent for m in root.glob(f"berkas/{prefix}-{year}-*/masuk")),
        ]
        pattern = case_id_pattern(prefix)
        found = [pattern.fullmatch(f.name) for f in folders]
        return max((int(m.group(2)) for m in found if m and int(m.group(1)) == year), default=0)

    def issued_hashes(self, case_id: str, kind: str) -> frozenset[str]:
        return frozenset(f.sha256 for f in self._journal.files(case_id) if f.kind == kind)

    def next_number(self, register: str, year: int) -> int:
        """After the journal's and after every number of that register and year the share
        records, in the case records and the archive's bags (as for case numbers: a lost
        journal never gives a number again)."""
        key = (f"nomor:{register}", year)
        if key not in self._on_share:
            self._on_share[key] = highest_kept_number(self._settings.root, register, year)
        return max(self._journal.next_number(register, year), self._on_share[key] + 1)

    def kept(self, path: str) -> bool:
        return (self._settings.root / Path(path)).exists()
