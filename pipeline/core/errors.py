"""One error tree for the whole pipeline.

    PipelineError                 base of everything the pipeline raises on purpose
    ├── ConfigError               a configuration, SOP or template file is unusable (start-up)
    │   └── TemplateError         a docx template fails to load, lint or render
    ├── LockHeld                  another watcher already owns this share
    ├── NotReady                  a drop is still arriving or open in Office: try again later
    └── Rejected                  a drop cannot be used; carries the Indonesian reason for staff
            (file, sheet, row, column or page where it applies, and what to do next)

Messages of `Rejected` are staff-facing and written in Bahasa Indonesia; everything else is
for the operator and written in English.
"""

from __future__ import annotations

from dataclasses import dataclass


class PipelineError(Exception):
    """Base class of the pipeline's own errors."""


class ConfigError(PipelineError):
    """A configuration, SOP definition or template cannot be used."""


class TemplateError(ConfigError):
    """A docx template cannot be loaded, linted or rendered."""


class LockHeld(PipelineError):
    """Another live watcher holds the single-instance lock of this share."""


class NotReady(PipelineError):
    """The file is still being written or is open in Office; it must be retried, not rejected."""


@dataclass(frozen=True)
class Where:
    """Where in a file a problem sits; every field is optional."""

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    page: int | None = None

    def describe(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column is not None:
            parts.append(f"kolom {self.column}")
        if self.page is not None:
            parts.append(f"halaman {self.page}")
        return ", ".join(parts)


class Rejected(PipelineError):
    """A drop that cannot be used. `alasan` says what is wrong, `saran` what to do.

    Both are in Bahasa Indonesia: they are written beside the rejected original for the person
    who dropped it.
    """

    def __init__(
        self,
        alasan: str,
        saran: str,
        where: Where | None = None,
        *,
        resend: bool = True,
        informational: bool = False,
        case_id: str | None = None,
    ) -> None:
        self.alasan = alasan
        self.saran = saran
        self.where = where or Where()
        self.resend = resend  # False: the advice is to go elsewhere, wait, or not send again
        self.informational = informational  # nothing to fix (a duplicate, a closed case)
        self.case_id = case_id  # the case it concerns, when the handler knows it
        super().__init__(self.message)

    @property
    def message(self) -> str:
        place = self.where.describe()
        prefix = f"{place}: " if place else ""
        saran = self.saran[:1].upper() + self.saran[1:]
        return f"{prefix}{self.alasan}. {saran}".rstrip(".") + "."


class RejectedMany(Rejected):
    """Several problems in one file (a spreadsheet with more than one bad cell)."""

    def __init__(self, problems: list[Rejected]) -> None:
        self.problems = tuple(problems)
        first = problems[0]
        super().__init__(
            first.alasan, first.saran, first.where, resend=all(p.resend for p in problems)
        )

    @property
    def message(self) -> str:
        return "\n".join(f"- {p.message}" for p in self.problems)
