"""`pengumpulan`: every unit (bidang) gets a pre-filled form and sends its data back; when the
last one is in, the draft stage takes over. A unit may send again until the draft is reviewed:
the newest data win, and a new draft version is rendered from them."""

from __future__ import annotations

from dataclasses import replace

from pipeline.core.errors import Rejected
from pipeline.core.values import Addition, CaseState, Event, Form, Outcome, Output
from pipeline.engine.context import Decide
from pipeline.engine.kinds.base import Kind
from pipeline.engine.kinds.draf import from_data
from pipeline.engine.model import SopDef, StageDef, unit_of


def _collecting(state: CaseState) -> bool:
    """Data are taken until the drafter sends a reviewed draft: from then on it is final."""
    return state.has("perintah") and not state.has("draf_diterima")


def on_drop(ctx: Decide, stage: StageDef) -> Outcome:
    slug = unit_of(ctx.role) or ""
    bidang = ctx.office.bidang_by_slug(slug)
    if bidang is None:
        raise Rejected(
            f"bidang '{slug}' tidak terdaftar",
            "letakkan formulir di folder bidang Anda sendiri di inbox/bidang/",
            resend=False,
        )
    ctx.drop.kind(stage.terima)
    data, text = ctx.drop.form(bidang)
    state = ctx.resolve(text, _collecting, f"data {bidang.nama}")
    if state.has("draf_diterima"):
        raise Rejected(
            f"draf kasus {state.id} sudah ditelaah analis dan menjadi draf final",
            "data tidak dapat diubah lagi; hubungi analis bila ada kesalahan",
            resend=False,
        )
    step = stage.step_of("lengkap") or 1
    base = Outcome(
        case_id=state.id,
        input_dest=ctx.masuk(state.id, step, f"data {bidang.slug}"),
        input_kind="data-bidang",
        input_role=ctx.role,
        input_step=step,
        bidang_data=data,
    )
    collected = state.bidang | {bidang.slug: data}
    if not all(b.slug in collected for b in ctx.office.bidang):
        return base
    return _complete(ctx, replace(state, bidang=collected), base)


def _complete(ctx: Decide, state: CaseState, base: Outcome) -> Outcome:
    """Every unit is in: the first time the stage ends (the draft stage starts from there);
    after that, newer data give the draft its next version at once."""
    if not state.has("data_lengkap"):
        return replace(base, events=(*base.events, Event("data_lengkap", ctx.now)))
    draf = ctx.sop.stage("draf")
    if draf is None or not draf.template:
        return base
    return base.plus(from_data(ctx, draf, state))


def on_start(ctx: Decide, stage: StageDef, state: CaseState, step: int) -> Addition:
    """A pre-filled form for every bidang, in its outbox."""
    outputs = tuple(
        Output(
            f"outbox/bidang/{b.slug}/{state.id} Formulir Data Kinerja {b.slug}.xlsx",
            Form(b.slug, state.id, state.period),
            "formulir",
            f"bidang/{b.slug}",
            step,
            bidang=b.slug,
        )
        for b in ctx.office.bidang
    )
    return Addition(outputs=outputs)


def default_folder(sop: SopDef, stage: StageDef) -> str:
    return ""


KIND = Kind(
    name="pengumpulan",
    events={"lengkap": "data_lengkap"},
    last="lengkap",
    accepts=frozenset({"xlsx"}),
    folder=default_folder,
    on_drop=on_drop,
    on_start=on_start,
    keys=frozenset({"formulir"}),
)
