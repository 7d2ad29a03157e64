"""What a stage decision may ask of the shell: the facts of the dropped file, and the cases.

Both are passed in. In the watcher they read the file (once, lazily) and the journal; in the
unit tests they are small fakes, so that every rule of the workflow is tested without a disk.
Every method that reads a file raises `Rejected` with the staff-facing reason when the file
cannot be used.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from pipeline.core.office import Bidang
from pipeline.core.people import Actor
from pipeline.core.values import BidangData, CaseState


class DropFacts(Protocol):
    """The dropped file as the decisions see it."""

    @property
    def name(self) -> str: ...
    @property
    def folder(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def actor(self) -> Actor: ...

    def kind(self, accepts: frozenset[str]) -> str:
        """What the file is, from its content ("pdf", "docx", "xlsx", "image"); refused when
        it is none of `accepts`, damaged, protected, active or hostile."""
        ...

    def text(self) -> str:
        """The readable text of a Word file or a PDF ("" for an image or a scan)."""
        ...

    def properties(self) -> Mapping[str, str]:
        """A Word file's custom document properties."""
        ...

    def form(self, bidang: Bidang) -> tuple[BidangData, str]:
        """A returned bidang form, validated: its data and its text (for case numbers)."""
        ...

    def signature(self, case_id: str) -> Mapping[str, Any]:
        """Prove the PDF is the signing copy issued for `case_id`, signed (TTE or a
        QR-matched scan, by the office's policy); returns the facts for the archive."""
        ...


class Cases(Protocol):
    """The journal as the decisions see it: cases, earlier drops, free numbers."""

    def known(self) -> Collection[str]:
        """Every case id, open or closed (asked mostly whether it holds one id)."""
        ...

    def open_cases(self, prefix: str) -> list[CaseState]:
        """The open cases of the SOP whose case ids start with `prefix`."""
        ...

    def get(self, case_id: str) -> CaseState | None: ...

    def opened_by(self, folder: str, name: str) -> list[str]:
        """Open cases that a drop of this name into this folder opened before."""
        ...

    def next_seq(self, prefix: str, year: int) -> int:
        """The next free case number of the year (journal, archive and case folders)."""
        ...

    def issued_hashes(self, case_id: str, kind: str) -> frozenset[str]:
        """SHA-256 of every output of `kind` issued for the case."""
        ...

    def next_number(self, register: str, year: int) -> int:
        """The next free number of a register in a year."""
        ...

    def kept(self, path: str) -> bool:
        """Whether the share already keeps a file at `path` (relative to its root)."""
        ...
