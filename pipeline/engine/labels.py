"""The names staff read for roles: from the SOP definitions and the office's bidang."""

from __future__ import annotations

from typing import Protocol

from pipeline.core.office import Office
from pipeline.engine.model import SopDef, unit_of


class _Known(Protocol):
    @property
    def sop(self) -> SopDef: ...
    @property
    def office(self) -> Office: ...


def role_name(role: str, sop: SopDef | None, office: Office | None) -> str:
    """`analis` → "Analis Perencana, Evaluasi dan Pelaporan"; `bidang/x` → the bidang's name."""
    unit = unit_of(role)
    if unit is not None and office is not None:
        found = office.bidang_by_slug(unit)
        if found is not None:
            return found.nama
    named = sop.label(role) if sop is not None else ""
    return named or fallback(role)


def fallback(role: str) -> str:
    """A readable name from the slug alone: `kasubag-ppmep` → "Kasubag Ppmep"."""
    unit = unit_of(role)
    if unit is not None:
        return "Bidang " + unit.replace("-", " ").title()
    return role.replace("-", " ").title()


def label(ctx: _Known, role: str) -> str:
    return role_name(role, ctx.sop, ctx.office)
