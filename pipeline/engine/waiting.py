"""Who a case waits for at a step, and where they drop next. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.values import CaseState
from pipeline.engine.model import SopDef, StageDef, expand


@dataclass(frozen=True)
class Waiting:
    roles: tuple[str, ...]
    next_drop: str | None  # `inbox/<folder>/`, `<bidang>` standing for each unit's slug


def _moment_of(sop: SopDef, step: int) -> tuple[StageDef, str] | None:
    for stage in sop.stages:
        for moment, no in stage.langkah:
            if no == step:
                return stage, moment
    return None


def waiting_at(sop: SopDef, step: int, case: CaseState, units: tuple[str, ...]) -> Waiting:
    """The roles whose drop ends `step` of `case` (the step's actor when the pipeline ends it
    by itself), and the folder they drop into."""
    found = _moment_of(sop, step)
    actor = sop.step(step)
    fallback = Waiting((actor.pelaksana,) if actor else (), None)
    if found is None:
        return fallback
    stage, moment = found
    return _by_kind(sop, stage, moment, case, units) or fallback


def _by_kind(
    sop: SopDef, stage: StageDef, moment: str, case: CaseState, units: tuple[str, ...]
) -> Waiting | None:
    if stage.jenis == "pengumpulan":
        missing = tuple(
            r for r in expand(stage.role, units) if r.split("/", 1)[1] not in case.bidang
        )
        return Waiting(missing, _folder(stage, "bidang/<bidang>"))
    if stage.jenis == "paraf":
        return Waiting((moment,), _folder(stage, moment))
    if stage.jenis == "draf":
        return _draft(sop, stage, moment, case)
    if (stage.jenis, moment) in {("disposisi", "diterima"), ("tanda-tangan", "ditandatangani")}:
        return Waiting((stage.role,), _folder(stage, stage.role))
    return None  # done by the pipeline itself: the step's actor is shown


def _draft(sop: SopDef, stage: StageDef, moment: str, case: CaseState) -> Waiting | None:
    paraf = sop.stage("paraf")
    if moment == "final" and paraf is not None:
        first = paraf.pelaksana[0]
        return Waiting((first,), _folder(paraf, first))
    if moment == "tersedia" and stage.template:
        return None
    role = (case.opener_role or stage.role) if stage.units else stage.role
    return Waiting((role,), _folder(stage, role))


def _folder(stage: StageDef, role: str) -> str:
    return f"inbox/{stage.inbox(role)}/"
