"""One short handler per kind of drop. Each decides what an accepted drop changes and returns
it as an `Outcome`; none of them writes a file or the journal (the runner does, in order).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.archive import signature_summary
from pipeline.assign import (
    assign_case,
    case_id_pattern,
    find_case_ids,
    format_case_id,
    period_from_name,
)
from pipeline.board import role_label
from pipeline.config import Settings
from pipeline.documents import (
    DRAF,
    DRAFT_VERSION_PROPERTY,
    NOTA_DINAS,
    Documents,
    draft_context,
    nota_dinas_context,
)
from pipeline.errors import Rejected
from pipeline.forms import BidangData, build_form, read_form
from pipeline.fsops import sha256_bytes
from pipeline.journal import Journal
from pipeline.model import CaseState, Delivery, Draft, Drop, NewCase, Outcome, Output
from pipeline.names import safe_filename
from pipeline.safety import check_drop, check_pdf, docx_properties, docx_text, pdf_content
from pipeline.signatures import (
    SignatureFacts,
    SignedPdfCheck,
    check_signed_pdf,
    find_expected_text,
    load_trust_roots,
    only_signed_after,
)
from pipeline.signing.scan import check_scan, read_marks
from pipeline.signing.seal import Seal, seal_pdf
from pipeline.sla import due_at
from pipeline.sop import Event, Stage
from pipeline.stamp import stamp_text

log = logging.getLogger(__name__)
PdfMaker = Callable[[bytes, str], bytes | None]
SIGNING_COPY = "naskah-untuk-tanda-tangan"
SYSTEM = "sistem (otomatis)"
"""Who did what the pipeline itself does: the order, the draft's first render, the filing."""


@dataclass(frozen=True)
class StageContext:
    """What a handler may read: settings, the journal, the templates, the time, a PDF maker."""

    settings: Settings
    journal: Journal
    documents: Documents
    now: datetime
    to_pdf: PdfMaker

    @property
    def prefix(self) -> str:
        return self.settings.sop.case_prefix

    def cases(self, wanted: Callable[[CaseState], bool]) -> list[CaseState]:
        states = (self.journal.case(cid) for cid in self.journal.case_ids(open_only=True))
        return [s for s in states if s is not None and wanted(s)]

    def next_seq(self, year: int) -> int:
        """The next case number of `year`: after the journal's and after every case of that year
        the share holds (a bag, or accepted inputs), so a lost journal never hands out a used
        number again. Outputs alone (a crash before the commit) do not count: they are redone."""
        pattern = case_id_pattern(self.prefix)
        root = self.settings.root
        folders = [
            *root.glob(f"archive/{year}/*"),
            *(m.parent for m in root.glob("berkas/*/masuk")),
        ]
        found = [pattern.fullmatch(f.name) for f in folders]
        seen = [int(m.group(2)) for m in found if m and int(m.group(1)) == year]
        return max([self.journal.next_seq(year), *(s + 1 for s in seen)])

    def masuk(self, case_id: str, step: int, label: str, name: str) -> str:
        """A free place for an accepted drop: a bidang may send a form twice under one name."""
        taken = 0
        while (self.settings.root / masuk_name(case_id, step, label, name, taken)).exists():
            taken += 1
        return masuk_name(case_id, step, label, name, taken)

    def resolve(
        self, drop: Drop, text: str, wanted: Callable[[CaseState], bool], what: str
    ) -> CaseState:
        named, inside = find_case_ids(self.prefix, drop.name), find_case_ids(self.prefix, text)
        if named and inside and not set(named) & set(inside):
            raise Rejected(
                f"nama file menyebut {named[0]}, tetapi isi file (nomor kasus di dalamnya) milik {inside[0]}",
                f"gunakan file {named[0]} dari outbox Anda bila data ini untuk {named[0]}; "
                f"bila data ini memang untuk {inside[0]}, perbaiki nama file lalu kirim ulang",
            )
        found = tuple(dict.fromkeys((*named, *inside)))
        waiting = [c.id for c in self.cases(wanted)]
        case_id = assign_case(found, self.journal.case_ids(), waiting, what)
        state = self.journal.case(case_id)
        assert state is not None
        if state.cancelled:
            raise Rejected(
                f"kasus {case_id} sudah dibatalkan",
                _closed_hint(waiting),
                resend=bool(waiting),
                informational=not waiting,
                case_id=case_id,
            )
        if state.closed:
            raise Rejected(
                f"kasus {case_id} sudah selesai dan diarsipkan",
                _closed_hint(waiting),
                resend=bool(waiting),
                informational=not waiting,
                case_id=case_id,
            )
        return state


def _closed_hint(waiting: list[str]) -> str:
    if not waiting:
        return "tidak ada yang perlu dikirim lagi untuk kasus ini"
    return (
        f"yang sedang menunggu adalah kasus {', '.join(waiting)}: gunakan file kasus itu dari "
        "outbox Anda (nomor kasus ada di nama file), lalu kirim"
    )


def masuk_name(case_id: str, step: int, label: str, name: str, taken: int = 0) -> str:
    """Where an accepted drop is kept with its case; `taken` earlier drops had the same name."""
    stem = f"{step:02d} {label}" + (f" ({taken + 1})" if taken else "")
    return f"berkas/{case_id}/masuk/{stem} - {safe_filename(name.replace('%', ' persen'))}"


# --- 1–2: disposisi opens a case, the Secretary's order and the bidang forms go out -----------


def handle_disposisi(ctx: StageContext, drop: Drop, stage: Stage, slot: str) -> Outcome:
    kind = check_drop(drop.path, stage.accepts)
    local = ctx.now.astimezone(ctx.settings.tz)
    period = period_from_name(drop.name, local.year)
    _check_new_case(ctx, drop, _document_text(drop.path, kind), period)
    seq = ctx.next_seq(local.year)
    case = NewCase(format_case_id(ctx.prefix, local.year, seq), local.year, seq, period)
    outputs = (_nota_dinas(ctx, case, drop.name), *_forms(ctx, case))
    return Outcome(
        case_id=case.id,
        new_case=case,
        input_dest=ctx.masuk(case.id, 1, "disposisi", drop.name),
        input_kind="disposisi",
        input_role=stage.role,
        input_step=1,
        outputs=outputs,
        events=(Event("disposisi", ctx.now), Event("perintah", ctx.now, SYSTEM)),
    )


NEW_CASE_WORD = "baru"


def _document_text(path: Path, kind: str) -> str:
    if kind == "pdf":
        return check_pdf(path).text
    return docx_text(path) if kind == "docx" else ""


def _check_new_case(ctx: StageContext, drop: Drop, text: str, period: str) -> None:
    """A disposition opens a new case; a file about an existing case was dropped here by mistake."""
    named = [c for c in find_case_ids(ctx.prefix, drop.name, text) if c in ctx.journal.case_ids()]
    if named:
        raise Rejected(
            f"file ini menyebut kasus {named[0]} yang sudah ada, padahal folder ini membuka kasus baru",
            "letakkan file di folder langkah yang sedang ditunggu (lihat status.html atau PETUNJUK.txt)",
            resend=False,
        )
    open_ids = set(ctx.journal.case_ids(open_only=True))
    earlier = ctx.journal.accepted_drops(drop.folder, drop.name)
    same = [d.case_id for d in earlier if d.case_id in open_ids]
    if same and NEW_CASE_WORD not in drop.name.casefold():
        raise Rejected(
            f"disposisi dengan nama file yang sama sudah membuka kasus {same[0]} ({period}), "
            "yang masih berjalan",
            f"bila memang perlu kasus baru untuk periode yang sama, tambahkan kata '{NEW_CASE_WORD}' "
            "pada nama file lalu kirim ulang; bila tidak, file ini tidak perlu dikirim",
            resend=False,
            informational=True,
            case_id=same[0],
        )


def _nota_dinas(ctx: StageContext, case: NewCase, disposisi: str) -> Output:
    office, sop = ctx.settings.office, ctx.settings.sop
    collect = next(s for s in sop.steps if s.starts_on == "perintah")
    due = due_at(ctx.now, collect.standard, office.calendar).astimezone(ctx.settings.tz)
    context = nota_dinas_context(
        office, sop, case.id, case.period, disposisi, ctx.now.astimezone(ctx.settings.tz), due
    )
    data = ctx.documents.render(NOTA_DINAS, context)
    return Output(
        f"outbox/sekretaris/{case.id} Nota Dinas.docx", data, "nota-dinas", "sekretaris", 2
    )


def _forms(ctx: StageContext, case: NewCase) -> tuple[Output, ...]:
    office = ctx.settings.office
    return tuple(
        Output(
            f"outbox/bidang/{b.slug}/{case.id} Formulir Data Kinerja {b.slug}.xlsx",
            build_form(b, case.id, case.period, office.nama),
            "formulir",
            f"bidang/{b.slug}",
            2,
            bidang=b.slug,
        )
        for b in office.bidang
    )


# --- 3–4: bidang data; when every bidang is in, the draft is rendered -------------------------


def _collecting(state: CaseState) -> bool:
    """Data are taken until the analyst sends a reviewed draft: from then on that draft is final."""
    return state.has("perintah") and not state.has("draf_diterima")


def handle_data_bidang(ctx: StageContext, drop: Drop, stage: Stage, slot: str) -> Outcome:
    bidang = ctx.settings.office.bidang_by_slug(slot)
    if bidang is None:
        raise Rejected(
            f"bidang '{slot}' tidak terdaftar",
            "letakkan formulir di folder bidang Anda sendiri di inbox/bidang/",
            resend=False,
        )
    check_drop(drop.path, stage.accepts)
    data, text = read_form(drop.path, bidang)
    state = ctx.resolve(drop, text, _collecting, f"data {bidang.nama}")
    if state.has("draf_diterima"):
        raise Rejected(
            f"draf kasus {state.id} sudah ditelaah analis dan menjadi draf final",
            "data tidak dapat diubah lagi; hubungi analis bila ada kesalahan",
            resend=False,
        )
    collected = state.bidang | {bidang.slug: data}
    base = Outcome(
        case_id=state.id,
        input_dest=ctx.masuk(state.id, 3, f"data {bidang.slug}", drop.name),
        input_kind="data-bidang",
        input_role=stage.role_for(slot),
        input_step=3,
        bidang_data=data,
    )
    if not all(b.slug in collected for b in ctx.settings.office.bidang):
        return base
    return _with_draft(ctx, state, collected, base)


def _with_draft(
    ctx: StageContext, state: CaseState, collected: dict[str, BidangData], base: Outcome
) -> Outcome:
    version = len(state.drafts) + 1
    office, sop = ctx.settings.office, ctx.settings.sop
    context = draft_context(
        office, sop, state.id, state.period, version, collected, ctx.now.astimezone(ctx.settings.tz)
    )
    data = ctx.documents.render(DRAF, context)
    out = Output(
        f"outbox/analis/{state.id} Draf v{version}.docx", data, "draf", "analis", 4, version=version
    )
    draft = Draft(version, sha256_bytes(data), out.record_path(state.id), "pipeline", ctx.now)
    made = {"data_lengkap": "", "draf_awal": SYSTEM}  # the last form completes the data
    events = tuple(Event(n, ctx.now, by) for n, by in made.items() if not state.has(n))
    return replace(base, outputs=(out,), draft=draft, events=events)


# --- 5–6: the analyst's versions ---------------------------------------------------------------


def _drafting(state: CaseState) -> bool:
    return state.has("draf_awal") and not state.has("draf_final")


def handle_draf(ctx: StageContext, drop: Drop, stage: Stage, slot: str) -> Outcome:
    check_drop(drop.path, stage.accepts)
    state = ctx.resolve(drop, docx_text(drop.path), _drafting, "draf dari analis")
    if not state.has("draf_awal"):
        raise Rejected(
            f"kasus {state.id} belum memiliki draf awal",
            "tunggu sampai data semua bidang lengkap dan draf v1 terbit",
            resend=False,
        )
    if state.has("draf_final"):
        raise Rejected(
            f"draf kasus {state.id} sudah diparaf, versi baru tidak dapat diterima",
            "hubungi Kasubag PPMEP bila draf masih perlu diperbaiki",
            resend=False,
        )
    _check_draft_base(state, docx_properties(drop.path))
    first = not state.has("draf_diterima")
    step = 5 if first else 6
    dest = ctx.masuk(state.id, step, "draf", drop.name)
    latest = state.latest_draft
    same = latest is not None and latest.sha256 == drop.sha256
    version = latest.version if same and latest else len(state.drafts) + 1
    draft = None if same else Draft(version, drop.sha256, dest, "analis", ctx.now)
    copy = Output(
        f"outbox/kasubag-ppmep/{state.id} Draf Final v{version} untuk paraf.docx",
        drop.path.read_bytes(),
        "draf-untuk-paraf",
        "kasubag-ppmep",
        step,
        version=version,
        keep=False,  # a copy of the analyst's version, which the case keeps as its input
    )
    return Outcome(
        case_id=state.id,
        input_dest=dest,
        input_kind="draf",
        input_role=stage.role,
        input_step=step,
        outputs=(copy,),
        draft=draft,
        events=(Event("draf_diterima", ctx.now),),
    )


def _check_draft_base(state: CaseState, properties: dict[str, str]) -> None:
    """An edited draft must start from the newest draft the pipeline rendered (newest data)."""
    base = properties.get(DRAFT_VERSION_PROPERTY, "")
    rendered = [d.version for d in state.drafts if d.source != "analis"]
    if not base.isdigit() or not rendered or int(base) >= max(rendered):
        return
    newest = max(rendered)
    raise Rejected(
        f"draf ini dibuat dari Draf v{base}, padahal data bidang terbaru ada di Draf v{newest}",
        f"telaah dan edit '{state.id} Draf v{newest}.docx' dari outbox/analis/, lalu kirim ulang",
    )


# --- 7–8: paraf, only on the exact final version -----------------------------------------------


def handle_paraf(ctx: StageContext, drop: Drop, stage: Stage, slot: str) -> Outcome:
    check_drop(drop.path, stage.accepts)
    order = ctx.settings.sop.paraf_order()
    state = _paraf_case(ctx, drop, stage.role, order)
    final = _final_version(state, drop)
    index = order.index(stage.role)
    step = 7 + index
    by = drop.actor.label if drop.actor.known else ""
    events = [Event(f"paraf:{stage.role}", ctx.now, by)]
    if index == 0:
        events.insert(0, Event("draf_final", final_at(state, final), _final_by(state)))
    initialled = replace(state, events=(*state.events, *events))
    return Outcome(
        case_id=state.id,
        input_dest=ctx.masuk(state.id, step, f"paraf {stage.role}", drop.name),
        input_kind=f"paraf-{stage.role}",
        input_role=stage.role,
        input_step=step,
        outputs=_after_paraf(ctx, initialled, final, order, index),
        events=tuple(events),
    )


def _final_by(state: CaseState) -> str:
    """Who made the final version: the analyst whose accepted draft was the last one."""
    sent = [e.by for e in state.events if e.name == "draf_diterima"]
    return sent[-1] if sent else SYSTEM


def final_at(state: CaseState, final: Draft) -> datetime:
    """When the draft became final: the analyst's last accepted drop (it may be an unchanged
    pipeline version, made earlier), never before the version itself existed."""
    sent = [e.at for e in state.events if e.name == "draf_diterima"]
    return max([final.at, *sent])


def _paraf_case(ctx: StageContext, drop: Drop, role: str, order: tuple[str, ...]) -> CaseState:
    def waiting(state: CaseState) -> bool:
        before = order[: order.index(role)]
        return (
            state.has("draf_diterima")
            and all(state.has(f"paraf:{r}") for r in before)
            and not state.has(f"paraf:{role}")
        )

    by_hash = [
        s for s in ctx.cases(waiting) if s.latest_draft and s.latest_draft.sha256 == drop.sha256
    ]
    state = (
        by_hash[0]
        if len(by_hash) == 1
        else ctx.resolve(drop, docx_text(drop.path), waiting, "paraf")
    )
    missing = [r for r in order[: order.index(role)] if not state.has(f"paraf:{r}")]
    if not state.has("draf_diterima"):
        raise Rejected(
            f"draf kasus {state.id} belum ditelaah analis",
            "analis perlu meletakkan draf hasil telaah di inbox/analis/draf/ terlebih dahulu",
            resend=False,
        )
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
    return state


def _final_version(state: CaseState, drop: Drop) -> Draft:
    final = state.latest_draft
    assert final is not None
    if final.sha256 == drop.sha256:
        return final
    older = next((d for d in state.drafts if d.sha256 == drop.sha256), None)
    if older is not None:
        raise Rejected(
            f"file ini adalah draf versi lama (v{older.version}); versi final adalah v{final.version}",
            f"paraf file '{state.id} Draf Final v{final.version} untuk paraf.docx' dari outbox Anda",
        )
    raise Rejected(
        f"isi file berbeda dari draf final v{final.version} kasus {state.id} (mungkin sudah diedit atau disimpan ulang)",
        "jangan mengubah draf final; letakkan salinan persis dari outbox Anda. Perbaikan dikirim lewat analis",
    )


def _after_paraf(
    ctx: StageContext, state: CaseState, final: Draft, order: tuple[str, ...], index: int
) -> tuple[Output, ...]:
    data = (ctx.settings.root / final.path).read_bytes()
    name = f"{state.id} Draf Final v{final.version}"
    if index + 1 < len(order):
        nxt = order[index + 1]
        return (
            Output(
                f"outbox/{nxt}/{name} untuk paraf.docx",
                data,
                "draf-untuk-paraf",
                nxt,
                7 + index,
                version=final.version,
                keep=False,
            ),
        )
    return _signing_copy(ctx, state, final.version, data, 7 + index)


def paraf_record(ctx: StageContext, state: CaseState) -> str:
    """Who initialled the final draft and when, for the Head to see on the signing copy."""
    done = {e.name: e for e in state.events}
    lines = [
        f"Paraf {role_label(role)}: {_local(ctx, done[f'paraf:{role}'].at)}"
        + (f" oleh {done[f'paraf:{role}'].by}" if done[f"paraf:{role}"].by else "")
        for role in ctx.settings.sop.paraf_order()
    ]
    return "\n".join([f"{state.id} - paraf tercatat oleh sistem", *lines])


def _local(ctx: StageContext, moment: datetime) -> str:
    local = moment.astimezone(ctx.settings.tz)
    return f"{local:%d-%m-%Y %H.%M} WIB"


def _signing_copy(
    ctx: StageContext, state: CaseState, version: int, docx: bytes, step: int
) -> tuple[Output, ...]:
    case_id = state.id
    pdf = ctx.to_pdf(docx, f"{case_id} Draf Final v{version}")
    title = f"outbox/kepala-dinas/{case_id} Untuk Ditandatangani"
    if pdf is not None:
        sealed, seal = seal_pdf(stamp_text(pdf, paraf_record(ctx, state)), case_id, version)
        facts = {"seal": seal.to_json()}
        return (Output(f"{title}.pdf", sealed, SIGNING_COPY, "kepala-dinas", step, facts=facts),)
    note = (
        "PDF tidak dapat dibuat otomatis karena LibreOffice tidak terpasang di server.\n"
        f"Buka '{case_id} Untuk Ditandatangani.docx', simpan sebagai PDF, tandatangani, lalu letakkan\n"
        "PDF bertanda tangan di inbox/kepala-dinas/tanda-tangan/.\n"
    )
    return (
        Output(f"{title}.docx", docx, SIGNING_COPY, "kepala-dinas", step),
        Output(
            f"outbox/kepala-dinas/{case_id} CATATAN.txt",
            note.encode(),
            "catatan",
            "kepala-dinas",
            step,
        ),
    )


# --- 9–10: the signed record is archived and distributed ----------------------------------------


def _signing(state: CaseState) -> bool:
    return state.has("paraf:sekretaris") and not state.has("ditandatangani")


def handle_tanda_tangan(ctx: StageContext, drop: Drop, stage: Stage, slot: str) -> Outcome:
    check_drop(drop.path, stage.accepts)
    facts = check_pdf(drop.path)
    state = ctx.resolve(drop, facts.text, _signing, "naskah bertanda tangan")
    missing = [r for r in ctx.settings.sop.paraf_order() if not state.has(f"paraf:{r}")]
    if missing:
        raise Rejected(
            f"naskah kasus {state.id} belum diparaf {', '.join(missing)}",
            "tanda tangan dilakukan setelah semua paraf lengkap",
        )
    _check_not_the_unsigned_copy(ctx, state.id, drop)
    data = drop.path.read_bytes()
    issued = issued_signing_copy(ctx, state.id)
    record = _signature_record(ctx, state.id, data, issued)
    dest = ctx.masuk(state.id, 9, "tanda tangan", drop.name)
    year = state.opened_at.astimezone(ctx.settings.tz).year
    return Outcome(
        case_id=state.id,
        input_dest=dest,
        input_kind="naskah-ditandatangani",
        input_role=stage.role,
        input_step=9,
        outputs=_distribution_copies(ctx, state.id, data),
        events=(Event("ditandatangani", ctx.now), Event("diarsipkan", ctx.now, SYSTEM)),
        closes_at=ctx.now,
        archive_dir=f"archive/{year}/{state.id}",
        signature=record,
        deliveries=tuple(
            Delivery(p.slug, p.email, dest) for p in ctx.settings.office.penerima if p.email
        ),
    )


@dataclass(frozen=True)
class IssuedCopy:
    """The signing copy the pipeline issued for a case: its bytes and its seal (if sealed)."""

    name: str
    data: bytes
    seal: Seal | None


def issued_signing_copy(ctx: StageContext, case_id: str) -> IssuedCopy | None:
    """The newest signing copy issued as a PDF for `case_id`, or None (no LibreOffice)."""
    found = [
        f for f in ctx.journal.files(case_id) if f.kind == SIGNING_COPY and f.path.endswith(".pdf")
    ]
    if not found:
        return None
    last = found[-1]
    seal = Seal.from_json(last.facts["seal"]) if last.facts and "seal" in last.facts else None
    return IssuedCopy(last.name, (ctx.settings.root / last.path).read_bytes(), seal)


def _signature_record(
    ctx: StageContext, case_id: str, data: bytes, issued: IssuedCopy | None
) -> dict[str, Any]:
    """Check the signed PDF is the issued copy, signed; returns the facts for the archive."""
    signed = _check_signature(ctx, data, case_id)
    if signed.signatures:
        _check_signed_copy(case_id, data, signed.signatures[0], issued)
        record = signed.to_record() | {"method": "tte"}
    else:
        record = _check_wet_signed(ctx, case_id, data, issued, signed)
    log.info("signed record of %s accepted: %s", case_id, signature_summary(record))
    return record


def _check_signed_copy(
    case_id: str, data: bytes, first: SignatureFacts, issued: IssuedCopy | None
) -> None:
    """A digital signature must cover the exact bytes issued: signing appends to them."""
    if issued is None:
        raise _no_issued_copy(case_id)
    if len(issued.data) <= first.signed_from and only_signed_after(data, issued.data):
        return
    raise Rejected(
        f"PDF bertanda tangan elektronik ini bukan naskah yang diterbitkan untuk ditandatangani: "
        f"isinya sebelum tanda tangan berbeda dari '{issued.name}'",
        f"tandatangani secara elektronik '{issued.name}' dari outbox/kepala-dinas/ apa adanya "
        "(jangan disimpan ulang, dicetak ulang ke PDF, atau diubah sebelum ditandatangani), "
        "lalu letakkan PDF hasil tanda tangan di sini",
    )


def _no_issued_copy(case_id: str) -> Rejected:
    return Rejected(
        f"sistem belum menerbitkan naskah PDF untuk ditandatangani bagi kasus {case_id} "
        "(LibreOffice tidak terpasang di server), sehingga tanda tangan tidak dapat dicocokkan",
        "hubungi pengelola sistem untuk memasang LibreOffice, atau gunakan kebijakan "
        "scan-tanpa-qr di config/kantor.toml",
        resend=False,
    )


def _check_wet_signed(
    ctx: StageContext,
    case_id: str,
    data: bytes,
    issued: IssuedCopy | None,
    signed: SignedPdfCheck,
) -> dict[str, Any]:
    """Without a digital signature: a scan of the sealed signing copy, with ink in the box."""
    if ctx.settings.office.signing.accept_scan_without_qr and not _has_marks(data):
        _check_names_case(data, case_id)
        return signed.to_record() | {"method": "pindaian-tanpa-qr"}
    if issued is None or issued.seal is None:
        raise _no_issued_copy(case_id)
    scan = check_scan(data, issued.seal, issued.data)
    return signed.to_record() | {"method": "pindaian-qr", "scan": scan.to_record()}


def _has_marks(data: bytes) -> bool:
    return any(page.mark is not None for page in read_marks(data))


def _check_names_case(data: bytes, case_id: str) -> None:
    text, _images = pdf_content(data)
    if text and find_expected_text(text, [case_id]) is None:
        raise Rejected(
            f"isi PDF tidak menyebut berkas ini (dicari: {case_id})",
            "Periksa apakah PDF yang ditandatangani adalah naskah untuk berkas ini, lalu "
            "letakkan PDF yang benar.",
        )


def _check_not_the_unsigned_copy(ctx: StageContext, case_id: str, drop: Drop) -> None:
    issued = {f.sha256 for f in ctx.journal.files(case_id) if f.kind == SIGNING_COPY}
    if drop.sha256 in issued:
        raise Rejected(
            "PDF ini sama persis dengan naskah yang diterbitkan untuk ditandatangani: belum ada tanda tangan",
            "tandatangani naskah (TTE, atau tanda tangan basah lalu pindai), lalu letakkan hasilnya di sini",
        )


def _check_signature(ctx: StageContext, data: bytes, case_id: str) -> SignedPdfCheck:
    policy = ctx.settings.office.signing
    roots = policy.trust_roots
    has_roots = roots is not None and roots.is_dir() and bool(load_trust_roots(roots))
    return check_signed_pdf(
        data,
        trust_roots=roots if has_roots else None,
        expected_texts=[],  # the issued bytes or the seal prove which document it is
        require_trusted_signature=policy.require_trusted_signature,
    )


def _distribution_copies(ctx: StageContext, case_id: str, data: bytes) -> tuple[Output, ...]:
    name = f"{case_id} {ctx.settings.sop.document_title}.pdf"
    return tuple(
        Output(
            f"outbox/distribusi/{p.slug}/{name}",
            data,
            "distribusi",
            f"distribusi/{p.slug}",
            10,
            keep=False,
        )
        for p in ctx.settings.office.penerima
    )


Handler = Callable[[StageContext, Drop, Stage, str], Outcome]
HANDLERS: dict[str, Handler] = {
    "disposisi": handle_disposisi,
    "data_bidang": handle_data_bidang,
    "draf": handle_draf,
    "paraf": handle_paraf,
    "tanda_tangan": handle_tanda_tangan,
}
