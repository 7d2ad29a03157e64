"""`tanda-tangan`: when the flow reaches it, the signing copy goes to the signer (the final
version as PDF, the paraf record and the document's number on it, sealed with a QR code on
every page by the shell). The signed drop must be that copy, signed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pipeline.core.errors import Rejected
from pipeline.core.values import Addition, CaseState, Event, Outcome, Output, SigningCopy
from pipeline.engine.context import SYSTEM, Decide
from pipeline.engine.contexts import draft_context, person, tanggal
from pipeline.engine.kinds.base import Kind
from pipeline.engine.labels import label
from pipeline.engine.model import SopDef, StageDef

SIGNING_COPY = "naskah-untuk-tanda-tangan"
NAMED_ACTOR = re.compile(r"(.+) \(([^()]+)\)")
"""How the journal names a pegawai who acted: "<nama> (<akun>)"."""


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
        final.path, state.id, final.version, paraf_record(ctx, state, final.version),
        number.text if number else "", tanggal(ctx.local), *drafted_from(ctx, state, final.version),
        signer=signer(ctx, stage.role),
    )  # fmt: skip
    out = Output(
        f"outbox/{stage.role}/{state.id} Untuk Ditandatangani.pdf", content, SIGNING_COPY,
        stage.role, step, version=final.version,
    )  # fmt: skip
    return Addition(outputs=(out,), numbers=(number,) if number else ())


def drafted_from(ctx: Decide, state: CaseState, version: int) -> tuple[str, dict[str, Any] | None]:
    """The template the SOP drafts from the collected data and its values for `version` (so
    that the signing copy states the version initialled), or nothing when the drafter writes
    the document."""
    draf = ctx.sop.stage("draf")
    complete = all(b.slug in state.bidang for b in ctx.office.bidang)
    if draf is None or not draf.template or not complete:
        return "", None
    context = draft_context(
        ctx.office, ctx.sop, state.id, state.period, version, state.bidang, ctx.local
    )
    return draf.template, context


def signer(ctx: Decide, role: str) -> tuple[str, str, str]:
    """Title, name and NIP of whoever signs for `role` (marked blank lines where not set)."""
    found = person(ctx.office, role, ctx.sop)
    return found["jabatan"], found["nama"], found["nip"]


def paraf_record(ctx: Decide, state: CaseState, version: int) -> str:
    """Who initialled the final version and when, for the signer to see on the signing copy:
    the pegawai's name as the journal attributed the paraf, else the role."""
    done = {e.name: e for e in state.events}
    lines = [f"Paraf naskah {state.id} versi {version} (tercatat oleh sistem)"]
    for role in ctx.sop.paraf_roles():
        event = done.get(f"paraf:{role}")
        if event is None:
            continue
        local = event.at.astimezone(ctx.tz)
        jabatan = label(ctx, role)
        name = pegawai_name(event.by)
        who = f"{name} ({jabatan})" if name else jabatan
        lines.append(f"Diparaf oleh {who}, {local:%d-%m-%Y %H.%M} {local.tzname()}")
    return "\n".join(lines)


def pegawai_name(by: str) -> str:
    """The name in an actor's label ("ERLINAWATY, SH (erlina)"); "" for an account that is
    not a pegawai ("akun budi"), an unknown owner or the system."""
    found = NAMED_ACTOR.fullmatch(by)
    return found.group(1).strip() if found and by != SYSTEM else ""


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
