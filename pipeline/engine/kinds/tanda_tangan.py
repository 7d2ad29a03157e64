"""`tanda-tangan`: when the flow reaches it, the signing copy goes to the signer (the final
version as PDF, the paraf record and the document's number on it, sealed with a QR code on
every page by the shell). The signed drop must be that copy, signed."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.errors import Rejected
from pipeline.core.values import Addition, CaseState, Event, Outcome, Output, SigningCopy
from pipeline.engine.context import Decide
from pipeline.engine.kinds.base import Kind
from pipeline.engine.labels import label
from pipeline.engine.model import SopDef, StageDef

SIGNING_COPY = "naskah-untuk-tanda-tangan"


def _signing(paraf: tuple[str, ...]) -> Callable[[CaseState], bool]:
    def waiting(state: CaseState) -> bool:
        ready = all(state.has(f"paraf:{r}") for r in paraf) and state.has("draf_final")
        return ready and not state.has("ditandatangani")

    return waiting


def on_drop(ctx: Decide, stage: StageDef) -> Outcome:
    ctx.drop.kind(stage.terima)
    paraf = ctx.sop.paraf_roles()
    state = ctx.resolve(ctx.drop.text(), _signing(paraf), "naskah bertanda tangan")
    missing = [r for r in paraf if not state.has(f"paraf:{r}")]
    if missing:
        raise Rejected(
            f"naskah kasus {state.id} belum diparaf {', '.join(missing)}",
            "tanda tangan dilakukan setelah semua paraf lengkap",
        )
    _check_not_the_unsigned_copy(ctx, state.id)
    record = ctx.drop.signature(state.id)
    step = stage.step_of("ditandatangani") or 1
    return Outcome(
        case_id=state.id,
        input_dest=ctx.masuk(state.id, step, "tanda tangan"),
        input_kind="naskah-ditandatangani",
        input_role=ctx.role,
        input_step=step,
        events=(Event("ditandatangani", ctx.now),),
        signature=dict(record),
    )


def _check_not_the_unsigned_copy(ctx: Decide, case_id: str) -> None:
    if ctx.drop.sha256 in ctx.cases.issued_hashes(case_id, SIGNING_COPY):
        raise Rejected(
            "PDF ini sama persis dengan naskah yang diterbitkan untuk ditandatangani: belum ada tanda tangan",
            "tandatangani naskah (TTE, atau tanda tangan basah lalu pindai), lalu letakkan hasilnya di sini",
        )


def on_start(ctx: Decide, stage: StageDef, state: CaseState, step: int) -> Addition:
    """The signing copy of the final version, for the signer."""
    final = state.latest_draft
    assert final is not None, "the flow reaches the signature only with a final version"
    number = ctx.reserve(stage.nomor, state.id, ctx.sop.judul_dokumen) if stage.nomor else None
    content = SigningCopy(
        final.path, state.id, final.version, paraf_record(ctx, state), number.text if number else ""
    )
    out = Output(
        f"outbox/{stage.role}/{state.id} Untuk Ditandatangani.pdf", content, SIGNING_COPY,
        stage.role, step, version=final.version,
    )  # fmt: skip
    return Addition(outputs=(out,), numbers=(number,) if number else ())


def paraf_record(ctx: Decide, state: CaseState) -> str:
    """Who initialled the final version and when, for the signer to see on the signing copy."""
    done = {e.name: e for e in state.events}
    lines = [f"{state.id} - paraf tercatat oleh sistem"]
    for role in ctx.sop.paraf_roles():
        event = done.get(f"paraf:{role}")
        if event is None:
            continue
        local = event.at.astimezone(ctx.tz)
        who = f" oleh {event.by}" if event.by else ""
        lines.append(f"Paraf {label(ctx, role)}: {local:%d-%m-%Y %H.%M} {local.tzname()}{who}")
    return "\n".join(lines)


def default_folder(sop: SopDef, stage: StageDef) -> str:
    return "tanda-tangan"


KIND = Kind(
    name="tanda-tangan",
    events={"ditandatangani": "ditandatangani"},
    last="ditandatangani",
    accepts=frozenset({"pdf"}),
    folder=default_folder,
    on_drop=on_drop,
    on_start=on_start,
    keys=frozenset({"nomor"}),
)
