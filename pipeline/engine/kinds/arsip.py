"""`arsip`: right after the signature the case is filed (a BagIt bag in archive/<year>/<case>/,
written by the shell), copies of the signed record go out, and the case closes."""

from __future__ import annotations

from pipeline.core.values import DROP, Addition, CaseState, Copy, Delivery, Event, Output
from pipeline.engine.context import SYSTEM, Decide
from pipeline.engine.kinds.base import Kind
from pipeline.engine.model import OPENER, RECIPIENTS, SopDef, StageDef


def on_start(ctx: Decide, stage: StageDef, state: CaseState, step: int) -> Addition:
    own = stage.step_of("diarsipkan") or step
    name = f"{state.id} {ctx.sop.judul_dokumen}.pdf"
    outputs = tuple(o for target in stage.kirim_ke for o in _copies(ctx, state, target, name, own))
    year = state.opened_at.astimezone(ctx.tz).year
    return Addition(
        outputs=outputs,
        events=(Event("diarsipkan", ctx.now, SYSTEM),),
        closes_at=ctx.now,
        archive_dir=f"archive/{year}/{state.id}",
        deliveries=_deliveries(ctx, stage),
    )


def _copies(ctx: Decide, state: CaseState, target: str, name: str, step: int) -> tuple[Output, ...]:
    if target == RECIPIENTS:
        return tuple(
            Output(f"outbox/distribusi/{p.slug}/{name}", Copy(DROP), "distribusi",
                   f"distribusi/{p.slug}", step, keep=False)
            for p in ctx.office.penerima
        )  # fmt: skip
    role = state.opener_role if target == OPENER else target
    if not role:
        return ()
    return (Output(f"outbox/{role}/{name}", Copy(DROP), "distribusi", role, step, keep=False),)


def _deliveries(ctx: Decide, stage: StageDef) -> tuple[Delivery, ...]:
    """Mail to every recipient with an address, the signed record attached."""
    if RECIPIENTS not in stage.kirim_ke:
        return ()
    return tuple(Delivery(p.slug, p.email, ctx.input_dest) for p in ctx.office.penerima if p.email)


def default_folder(sop: SopDef, stage: StageDef) -> str:
    return ""


KIND = Kind(
    name="arsip",
    events={"diarsipkan": "diarsipkan"},
    last="diarsipkan",
    folder=default_folder,
    on_start=on_start,
    keys=frozenset({"kirim_ke"}),
)
