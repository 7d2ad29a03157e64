"""A drop's whole outcome: what its stage decides, then what every stage the flow reaches by
it issues (a stage is reached when the one before it completes)."""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from pipeline.core.values import Addition, CaseState, Event, Outcome
from pipeline.engine.context import Decide
from pipeline.engine.model import SopDef, StageDef
from pipeline.engine.registry import kind_of
from pipeline.engine.timeline import step_ended_by


def decide(ctx: Decide, stage: StageDef) -> Outcome:
    """Everything an accepted drop into `stage`'s folder changes (or `Rejected`)."""
    on_drop = kind_of(stage.jenis).on_drop
    if on_drop is None:
        raise ValueError(f"stage kind {stage.jenis} takes no drops")
    return carry_on(ctx, on_drop(ctx, stage))


def carry_on(ctx: Decide, outcome: Outcome) -> Outcome:
    """Start each stage that this outcome's events reach, in order, into the same outcome."""
    ctx = replace(ctx, input_dest=outcome.input_dest)
    state = advanced(ctx, None, outcome.case_id, outcome)
    pending = deque(outcome.events)
    while pending:
        nxt = reached_by(ctx.sop, pending.popleft())
        if nxt is None:
            continue
        stage, step = nxt
        on_start = kind_of(stage.jenis).on_start
        addition = on_start(ctx, stage, state, step) if on_start else Addition()
        outcome = outcome.plus(addition)
        state = advanced(ctx, state, outcome.case_id, addition)
        pending.extend(addition.events)
    return outcome


def reached_by(sop: SopDef, event: Event) -> tuple[StageDef, int] | None:
    """The stage `event` starts (the one after the stage it completes), and the step it ended."""
    for stage in sop.stages:
        if kind_of(stage.jenis).completion(stage) == event.name:
            following = sop.after(stage)
            ended = step_ended_by(sop, event.name) or max(n for _, n in stage.langkah)
            return (following, ended) if following else None
    return None


def advanced(
    ctx: Decide, state: CaseState | None, case_id: str, change: Outcome | Addition
) -> CaseState:
    """The case as it stands after `change` (a new case when `state` is None)."""
    if state is None:
        state = ctx.cases.get(case_id) or _new(ctx, change)
    drafts = (*state.drafts, change.draft) if change.draft else state.drafts
    data = getattr(change, "bidang_data", None)
    bidang = state.bidang | {data.bidang: data} if data else state.bidang
    return replace(state, events=(*state.events, *change.events), drafts=drafts, bidang=bidang)


def _new(ctx: Decide, change: Outcome | Addition) -> CaseState:
    assert isinstance(change, Outcome) and change.new_case is not None
    case = change.new_case
    return CaseState(
        id=case.id,
        year=case.year,
        period=case.period,
        opened_at=ctx.now,
        closed_at=None,
        events=(),
        bidang={},
        drafts=(),
        opener_role=change.input_role,
    )
