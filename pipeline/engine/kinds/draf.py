"""`draf`: a document in versions. Version 1 is rendered from the collected data (`template`)
or is the drafter's first drop (then the stage may open the case). Every accepted drop is a
new version, copied to the first paraf role; the last one before the first paraf is final.
Where the stage opens the case, a drop under the name that opened it, or whose name gives the
case (from the same folder), is its next version; any other name opens another case."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.core.assign import find_case_ids
from pipeline.core.errors import Rejected
from pipeline.core.pemeriksaan import CHECKLIST_TITLE
from pipeline.core.values import (
    DROP,
    Addition,
    CaseState,
    Copy,
    Draft,
    Event,
    NewCase,
    Outcome,
    Output,
    Render,
)
from pipeline.engine.context import SYSTEM, Decide
from pipeline.engine.contexts import DRAFT_VERSION_PROPERTY, draft_context
from pipeline.engine.kinds.base import Kind
from pipeline.engine.kinds.opening import NEW_CASE_WORD, open_case
from pipeline.engine.labels import label
from pipeline.engine.model import SopDef, StageDef


def _drafting(state: CaseState) -> bool:
    return state.has("draf_awal") and not state.has("draf_final")


def on_drop(ctx: Decide, stage: StageDef) -> Outcome:
    ctx.drop.kind(stage.terima)
    if stage.index == 0:
        corrected = _corrected_case(ctx, stage)
        if corrected is None:
            return _opening(ctx, stage)
        state = corrected
    else:
        state = ctx.resolve(ctx.drop.text(), _drafting, f"draf dari {label(ctx, stage.role)}")
    _check_open_for_versions(ctx, state)
    _check_checklist_removed(ctx)
    _check_draft_base(ctx, stage, state, ctx.drop.properties())
    first = not state.has("draf_diterima")
    step = stage.step_of("ditelaah" if first else "final") or stage.step_of("tersedia") or 1
    dest = ctx.masuk(state.id, step, "konsep" if stage.index == 0 else "draf")
    latest = state.latest_draft
    same = latest is not None and latest.sha256 == ctx.drop.sha256
    version = latest.version if same and latest else len(state.drafts) + 1
    draft = None if same else Draft(version, ctx.drop.sha256, dest, "analis", ctx.now)
    events = (Event("draf_diterima", ctx.now), *_final_without_paraf(ctx))
    return Outcome(
        case_id=state.id,
        input_dest=dest,
        input_kind="draf",
        input_role=ctx.role,
        input_step=step,
        outputs=_for_paraf(ctx, state.id, version, step),
        draft=draft,
        events=events,
    )


def _check_checklist_removed(ctx: Decide) -> None:
    """A version still carrying the analyst's checklist is not ready to be initialled."""
    if CHECKLIST_TITLE in ctx.drop.text():
        raise Rejected(
            f"draf ini masih memuat bagian {CHECKLIST_TITLE}",
            "periksa setiap butirnya bersama bidang yang bersangkutan, perbaiki tabelnya bila "
            "perlu, hapus seluruh bagian itu dari draf, simpan, lalu letakkan kembali di sini",
        )


def _opening(ctx: Decide, stage: StageDef) -> Outcome:
    """The drafter's first drop opens the case: it is version 1, ready for paraf."""
    case: NewCase = open_case(ctx, "")  # a letter's text may quote any case number
    step = stage.step_of("tersedia") or stage.step_of("ditelaah") or 1
    dest = ctx.masuk(case.id, step, "konsep")
    events = (Event("draf_awal", ctx.now), Event("draf_diterima", ctx.now))
    return Outcome(
        case_id=case.id,
        new_case=case,
        input_dest=dest,
        input_kind="draf",
        input_role=ctx.role,
        input_step=step,
        outputs=_for_paraf(ctx, case.id, 1, step),
        draft=Draft(1, ctx.drop.sha256, dest, "analis", ctx.now),
        events=(*events, *_final_without_paraf(ctx)),
    )


def _corrected_case(ctx: Decide, stage: StageDef) -> CaseState | None:
    """The case a drop into the opening folder is a new version of: the open case a drop of
    the same name opened in this folder, else the one its name gives (opened from this same
    folder). None: the drop opens a case. Only the name counts: a letter may quote anything."""
    same = ctx.cases.opened_by(ctx.drop.folder, ctx.drop.name)
    if same:
        state = ctx.cases.get(same[0])
        if state is not None and state.has("draf_final"):
            raise _past_paraf(
                ctx, state, f"file dengan nama yang sama sudah membuka kasus {state.id}"
            )
        return state
    given = find_case_ids(ctx.prefix, ctx.drop.name)
    named = [c for c in given if c in ctx.cases.known()]
    if given and not named:
        raise Rejected(
            f"nama file menyebut kasus {given[0]} yang tidak dikenal",
            f"bila ini perbaikan surat Anda, gunakan nama file atau nomor kasus yang benar (lihat "
            f"status.html); bila ini surat baru, hapus nomor {given[0]} dari nama file lalu "
            "kirim ulang",
            resend=False,
        )
    state = ctx.cases.get(named[0]) if named else None
    if state is None:
        return None
    if state.closed or state.cancelled or state.opener_role != ctx.role:
        raise Rejected(
            f"nama file menyebut kasus {state.id}, padahal folder ini membuka kasus baru dan "
            f"{state.id} bukan surat bidang Anda yang masih berjalan",
            f"bila ini surat baru, hapus nomor {state.id} dari nama file lalu kirim ulang",
            resend=False,
        )
    if state.has("draf_final"):
        raise _past_paraf(ctx, state, f"file ini menyebut kasus {state.id}")
    return state


def _past_paraf(ctx: Decide, state: CaseState, found: str) -> Rejected:
    return Rejected(
        f"{found}, yang drafnya sudah diparaf",
        f"bila ini surat lain, tambahkan kata '{NEW_CASE_WORD}' pada nama file lalu kirim ulang; "
        f"bila ini perbaikan {state.id}, minta petugas TI membatalkan kasus itu (atas persetujuan "
        f"{_paraf_label(ctx)}), lalu kirim perbaikannya dengan kata '{NEW_CASE_WORD}' pada nama "
        "file",
        resend=False,
        case_id=state.id,
    )


def _paraf_label(ctx: Decide) -> str:
    roles = ctx.sop.paraf_roles()
    return label(ctx, roles[0]) if roles else label(ctx, ctx.sop.stages[-1].role)


def _final_without_paraf(ctx: Decide) -> tuple[Event, ...]:
    """Without a paraf stage the drafter's version is final as soon as it is accepted."""
    return () if ctx.sop.stage("paraf") else (Event("draf_final", ctx.now),)


def _for_paraf(ctx: Decide, case_id: str, version: int, step: int) -> tuple[Output, ...]:
    """The version, copied to the first paraf role's outbox (the case keeps the input)."""
    roles = ctx.sop.paraf_roles()
    if not roles:
        return ()
    return (
        Output(
            f"outbox/{roles[0]}/{case_id} Draf Final v{version} untuk paraf.docx",
            Copy(DROP),
            "draf-untuk-paraf",
            roles[0],
            step,
            version=version,
            keep=False,
        ),
    )


def _check_open_for_versions(ctx: Decide, state: CaseState) -> None:
    if not state.has("draf_awal"):
        raise Rejected(
            f"kasus {state.id} belum memiliki draf awal",
            "tunggu sampai data semua bidang lengkap dan draf v1 terbit",
            resend=False,
        )
    if state.has("draf_final"):
        raise Rejected(
            f"draf kasus {state.id} sudah diparaf, versi baru tidak dapat diterima",
            f"hubungi {_paraf_label(ctx)} bila draf masih perlu diperbaiki",
            resend=False,
        )


def _check_draft_base(
    ctx: Decide, stage: StageDef, state: CaseState, properties: Mapping[str, str]
) -> None:
    """An edited draft must start from the newest draft the pipeline rendered (newest data)."""
    base = properties.get(DRAFT_VERSION_PROPERTY, "")
    rendered = [d.version for d in state.drafts if d.source != "analis"]
    if not base.isdigit() or not rendered or int(base) >= max(rendered):
        return
    newest = max(rendered)
    raise Rejected(
        f"draf ini dibuat dari Draf v{base}, padahal data bidang terbaru ada di Draf v{newest}",
        f"telaah dan edit '{state.id} Draf v{newest}.docx' dari outbox/{stage.role}/, "
        "lalu kirim ulang",
    )


def from_data(ctx: Decide, stage: StageDef, state: CaseState) -> Addition:
    """The next version rendered from the collected data, in the drafter's outbox."""
    version = len(state.drafts) + 1
    context = draft_context(
        ctx.office, ctx.sop, state.id, state.period, version, state.bidang, ctx.local
    )
    name = f"{state.id} Draf v{version}.docx"
    step = stage.step_of("tersedia") or 1
    out = Output(
        f"outbox/{stage.role}/{name}", Render(stage.template, context), "draf", stage.role, step,
        version=version,
    )  # fmt: skip
    draft = Draft(version, "", out.record_path(state.id), "pipeline", ctx.now)
    events = () if state.has("draf_awal") else (Event("draf_awal", ctx.now, SYSTEM),)
    return Addition(outputs=(out,), draft=draft, events=events)


def on_start(ctx: Decide, stage: StageDef, state: CaseState, step: int) -> Addition:
    """Reached after the stage before it: version 1 rendered from the collected data when there
    is a template; else the stage opens for the drafter, whose first drop is version 1."""
    if stage.template:
        return from_data(ctx, stage, state)
    return Addition(events=(Event("draf_awal", ctx.now, SYSTEM),))


def default_folder(sop: SopDef, stage: StageDef) -> str:
    return f"konsep-{sop.kode.lower()}" if stage.index == 0 else "draf"


KIND = Kind(
    name="draf",
    events={"tersedia": "draf_awal", "ditelaah": "draf_diterima", "final": "draf_final"},
    last="final",
    accepts=frozenset({"docx"}),
    folder=default_folder,
    opens=True,
    on_drop=on_drop,
    on_start=on_start,
    keys=frozenset({"template"}),
)
