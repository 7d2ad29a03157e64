"""`paraf`: each role of the chain, in order, initials the final version by dropping that exact
file; a changed or older version is refused. The first paraf makes the last version final;
after each one the version goes on to the next role, after the last one to the signature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipeline.core.errors import Rejected
from pipeline.core.values import CaseState, Copy, Draft, Event, Outcome, Output
from pipeline.engine.context import SYSTEM, Decide
from pipeline.engine.kinds.base import ParafKind
from pipeline.engine.labels import label
from pipeline.engine.model import SopDef, StageDef


def on_drop(ctx: Decide, stage: StageDef) -> Outcome:
    ctx.drop.kind(stage.terima)
    role = ctx.role
    order = stage.pelaksana
    state = _paraf_case(ctx, role, order)
    final = _final_version(ctx, state)
    index = order.index(role)
    step = stage.step_of(role) or 1
    events = [Event(f"paraf:{role}", ctx.now, ctx.by)]
    if index == 0:
        events.insert(0, Event("draf_final", final_at(state, final), final_by(state)))
    return Outcome(
        case_id=state.id,
        input_dest=ctx.masuk(state.id, step, f"paraf {role}"),
        input_kind=f"paraf-{role}",
        input_role=role,
        input_step=step,
        outputs=_to_next(state.id, final, order, index, step),
        events=tuple(events),
    )


def final_by(state: CaseState) -> str:
    """Who made the final version: the drafter whose accepted draft was the last one."""
    sent = [e.by for e in state.events if e.name == "draf_diterima"]
    return sent[-1] if sent else SYSTEM


def final_at(state: CaseState, final: Draft) -> datetime:
    """When the draft became final: the drafter's last accepted drop (it may be an unchanged
    pipeline version, made earlier), never before the version itself existed."""
    sent = [e.at for e in state.events if e.name == "draf_diterima"]
    return max([final.at, *sent])


def _waiting_for(role: str, order: tuple[str, ...]) -> Callable[[CaseState], bool]:
    before = order[: order.index(role)]

    def waiting(state: CaseState) -> bool:
        return (
            state.has("draf_diterima")
            and all(state.has(f"paraf:{r}") for r in before)
            and not state.has(f"paraf:{role}")
        )

    return waiting


def _paraf_case(ctx: Decide, role: str, order: tuple[str, ...]) -> CaseState:
    waiting = _waiting_for(role, order)
    by_hash = [s for s in ctx.waiting(waiting) if _holds(s, ctx.drop.sha256)]
    state = by_hash[0] if len(by_hash) == 1 else ctx.resolve(ctx.drop.text(), waiting, "paraf")
    _check_order(ctx, state, role, order)
    return state


def _holds(state: CaseState, sha256: str) -> bool:
    return state.latest_draft is not None and state.latest_draft.sha256 == sha256


def _check_order(ctx: Decide, state: CaseState, role: str, order: tuple[str, ...]) -> None:
    drafter = ctx.sop.stage("draf")
    if not state.has("draf_diterima"):
        who = label(ctx, drafter.role) if drafter else "pengonsep"
        where = f"inbox/{drafter.inbox(drafter.role)}/" if drafter else "foldernya"
        raise Rejected(
            f"draf kasus {state.id} belum ditelaah {who}",
            f"{who} perlu meletakkan draf hasil telaah di {where} terlebih dahulu",
            resend=False,
        )
    missing = [r for r in order[: order.index(role)] if not state.has(f"paraf:{r}")]
    if missing:
        raise Rejected(
            f"draf kasus {state.id} belum diparaf {', '.join(missing)}",
            "paraf dilakukan berurutan; tunggu paraf sebelumnya",
            resend=False,
        )
    if state.has(f"paraf:{role}"):
        raise Rejected(
            f"draf kasus {state.id} sudah diparaf {role}",
            "tidak perlu dikirim lagi",
            resend=False,
            informational=True,
            case_id=state.id,
        )


def _final_version(ctx: Decide, state: CaseState) -> Draft:
    final = state.latest_draft
    assert final is not None
    if final.sha256 == ctx.drop.sha256:
        return final
    older = next((d for d in state.drafts if d.sha256 == ctx.drop.sha256), None)
    if older is not None:
        raise Rejected(
            f"file ini adalah draf versi lama (v{older.version}); versi final adalah v{final.version}",
            f"paraf file '{state.id} Draf Final v{final.version} untuk paraf.docx' dari outbox Anda",
        )
    drafter = ctx.sop.stage("draf")
    who = label(ctx, drafter.role).lower() if drafter else "pengonsep"
    raise Rejected(
        f"isi file berbeda dari draf final v{final.version} kasus {state.id} (mungkin sudah diedit atau disimpan ulang)",
        f"jangan mengubah draf final; letakkan salinan persis dari outbox Anda. Perbaikan dikirim lewat {who}",
    )


def _to_next(
    case_id: str, final: Draft, order: tuple[str, ...], index: int, step: int
) -> tuple[Output, ...]:
    """The final version for the next role of the chain (the last one's goes to signature)."""
    if index + 1 >= len(order):
        return ()
    nxt = order[index + 1]
    name = f"{case_id} Draf Final v{final.version} untuk paraf.docx"
    copy = Output(
        f"outbox/{nxt}/{name}", Copy(final.path), "draf-untuk-paraf", nxt, step,
        version=final.version, keep=False,
    )  # fmt: skip
    return (copy,)


def default_folder(sop: SopDef, stage: StageDef) -> str:
    return "paraf"


KIND = ParafKind(
    name="paraf",
    events={},
    last="",
    accepts=frozenset({"docx"}),
    folder=default_folder,
    on_drop=on_drop,
)
