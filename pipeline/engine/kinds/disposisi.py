"""`disposisi`: an incoming letter or a disposition sheet opens a case; the stage's documents
(`naskah`, e.g. the Secretary's nota dinas) go out at once."""

from __future__ import annotations

from pipeline.core.sla import due_at
from pipeline.core.values import Event, NewCase, Number, Outcome, Output, Render
from pipeline.engine.context import SYSTEM, Decide
from pipeline.engine.contexts import naskah_context
from pipeline.engine.kinds.base import Kind
from pipeline.engine.kinds.opening import open_case
from pipeline.engine.model import Naskah, SopDef, StageDef

ACCEPTS = frozenset({"pdf", "docx", "image"})


def on_drop(ctx: Decide, stage: StageDef) -> Outcome:
    ctx.drop.kind(stage.terima)
    case = open_case(ctx, ctx.drop.text())
    step = stage.step_of("diterima") or 1
    issued = step_of_issue(stage)
    documents = [_naskah(ctx, stage, case, n, issued) for n in stage.naskah]
    return Outcome(
        case_id=case.id,
        new_case=case,
        input_dest=ctx.masuk(case.id, step, "disposisi"),
        input_kind="disposisi",
        input_role=ctx.role,
        input_step=step,
        outputs=tuple(o for outputs, _ in documents for o in outputs),
        numbers=tuple(n for _, n in documents if n is not None),
        events=(Event("disposisi", ctx.now), Event("perintah", ctx.now, SYSTEM)),
    )


def step_of_issue(stage: StageDef) -> int:
    return stage.step_of("diteruskan") or stage.step_of("diterima") or 1


def _naskah(
    ctx: Decide, stage: StageDef, case: NewCase, naskah: Naskah, step: int
) -> tuple[tuple[Output, ...], Number | None]:
    """One document of the stage: rendered once, placed in every outbox it is meant for."""
    number = ctx.reserve(naskah.nomor, case.id, naskah.judul) if naskah.nomor else None
    following = ctx.sop.step(step + 1)
    due = due_at(ctx.now, following.waktu, ctx.office.calendar) if following else ctx.now
    context = naskah_context(
        ctx.office, ctx.sop, case.id, case.period, naskah, ctx.local, due.astimezone(ctx.tz),
        number.text if number else "", ctx.drop.name,
    )  # fmt: skip
    content = Render(naskah.template, context)
    name = f"{case.id} {naskah.judul}.docx"
    readers = dict.fromkeys((naskah.dari or stage.role, *naskah.kepada, *naskah.tembusan))
    outputs = tuple(
        Output(f"outbox/{role}/{name}", content, _kind(naskah), role, step, keep=i == 0)
        for i, role in enumerate(readers)
    )
    return outputs, number


def _kind(naskah: Naskah) -> str:
    return naskah.judul.casefold().replace(" ", "-")


def default_folder(sop: SopDef, stage: StageDef) -> str:
    return f"disposisi-{sop.kode.lower()}"


KIND = Kind(
    name="disposisi",
    events={"diterima": "disposisi", "diteruskan": "perintah"},
    last="diteruskan",
    accepts=ACCEPTS,
    folder=default_folder,
    opens=True,
    on_drop=on_drop,
    keys=frozenset({"naskah"}),
)
