"""Making the bytes of what the engine decided to issue: rendered documents, forms, copies, and
the signing copy (the final version as PDF, the paraf record and number stamped on it, sealed).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.core.errors import PipelineError
from pipeline.core.values import (
    DROP,
    Copy,
    Form,
    Made,
    Outcome,
    Output,
    Render,
    SigningCopy,
)
from pipeline.documents.forms import build_form
from pipeline.documents.numbering import Blanks, fill_blanks
from pipeline.documents.restate import changed_paragraphs, custom_property, restate
from pipeline.documents.stamp import stamp_record
from pipeline.documents.templates import Documents
from pipeline.engine.contexts import DRAFT_VERSION_PROPERTY
from pipeline.settings import Settings
from pipeline.signing.seal import find_signature_box, seal_pdf
from pipeline.store.fsops import sha256_bytes

log = logging.getLogger(__name__)
PdfMaker = Callable[[bytes, str], bytes | None]
"""docx bytes and a name → PDF bytes (LibreOffice), or None when no converter is installed."""


class Materializer:
    """Makes each output's bytes, once, before anything is written."""

    def __init__(self, settings: Settings, documents: Documents, to_pdf: PdfMaker) -> None:
        self.settings = settings
        self.documents = documents
        self.to_pdf = to_pdf

    def make(self, outcome: Outcome, drop: Path) -> Outcome:
        """`outcome` with the bytes of every output, and the hash of a rendered draft."""
        made = tuple(m for out in outcome.outputs for m in self._one(out, drop))
        return _with_draft_hash(replace(outcome, outputs=made))

    def _one(self, out: Output, drop: Path) -> Sequence[Output]:
        content = out.content
        if isinstance(content, SigningCopy):
            return self._signing_copy(out, content)
        return (replace(out, data=self._bytes(content, drop)),)

    def _bytes(self, content: Render | Form | Copy | Made, drop: Path) -> bytes:
        if isinstance(content, Render):
            return self.documents.render(content.template, content.context)
        if isinstance(content, Form):
            return self._form(content)
        if isinstance(content, Copy):
            source = drop if content.source == DROP else self.settings.root / content.source
            return source.read_bytes()
        return content.data

    def _form(self, form: Form) -> bytes:
        office = self.settings.office
        bidang = office.bidang_by_slug(form.bidang)
        assert bidang is not None, "forms are issued only for configured bidang"
        return build_form(bidang, form.case_id, form.period, office.nama)

    def _signing_copy(self, out: Output, copy: SigningCopy) -> Sequence[Output]:
        final = self._restated((self.settings.root / copy.source).read_bytes(), copy)
        blanks = Blanks(copy.number, copy.tanggal, self.settings.office.tempat)
        docx, filled = fill_blanks(final, blanks)
        pdf = self.to_pdf(docx, f"{copy.case_id} Untuk Ditandatangani v{copy.version}")
        if pdf is None:
            return _without_pdf(out, copy, docx)
        record = copy.record + numbered_note(copy, filled) + signature_place(pdf, copy)
        sealed, seal = seal_pdf(stamp_record(pdf, record), copy.case_id, copy.version)
        return (replace(out, data=sealed, facts={"seal": seal.to_json(), "nomor": copy.number}),)

    def _restated(self, final: bytes, copy: SigningCopy) -> bytes:
        """The final version as the document to be signed: where the drafter's copy still
        states the draft it was made from (Draf v1), it states the version initialled, and
        the document is titled by its name and period. The drafter's file stays as it is; a
        copy that cannot be restated goes as it is (the seal and the record name the version)."""
        if not copy.template or copy.context is None:
            return final
        try:
            restated, count = self._restate(final, copy.template, copy.context)
        except (PipelineError, ValueError, KeyError, SyntaxError, zipfile.BadZipFile) as exc:
            log.warning("signing copy of %s v%d not restated: %s", copy.case_id, copy.version, exc)
            return final
        log.info(
            "signing copy of %s: %d line(s) restated to v%d", copy.case_id, count, copy.version
        )
        return restated

    def _restate(
        self, final: bytes, template: str, context: Mapping[str, Any]
    ) -> tuple[bytes, int]:
        title = f"{context.get('judul', '')} {context.get('periode', '')}".strip()
        base = custom_property(final, DRAFT_VERSION_PROPERTY)
        changes: dict[str, str] = {}
        if base is not None and base != str(context["versi"]):
            before = self.documents.render(template, {**context, "versi": base})
            changes = changed_paragraphs(before, self.documents.render(template, context))
        return restate(final, changes, title)


def signature_place(pdf: bytes, copy: SigningCopy) -> str:
    """A signature block in the record for a document that has none of its own (no title,
    name and NIP at its end): the signer then knows where to sign, and the scan where to look."""
    if find_signature_box(pdf) is not None or not any(copy.signer):
        return ""
    jabatan, nama, nip = copy.signer
    return f"\n\nTempat tanda tangan:\n{jabatan},\n\n\n\n{nama}\nNIP. {nip}"


def numbered_note(copy: SigningCopy, filled: list[str]) -> str:
    """The record's lines about the number, and what the system wrote into the document's
    dotted lines (the author may have written the number or the date already)."""
    number = f"\nNomor: {copy.number}" if copy.number else ""
    written = (
        f"\n{' dan '.join(filled).capitalize()} diisi oleh sistem saat penomoran" if filled else ""
    )
    return number + written


def _without_pdf(out: Output, copy: SigningCopy, docx: bytes) -> Sequence[Output]:
    """No LibreOffice: the signer gets the .docx and a note saying what to do."""
    stem = str(PurePosixPath(out.path).with_suffix(""))
    name = PurePosixPath(stem).name
    note = (
        "PDF tidak dapat dibuat otomatis karena LibreOffice tidak terpasang di server.\n"
        f"Hubungi pengelola sistem. Sementara itu '{name}.docx' berisi naskah yang sama.\n"
    )
    return (
        replace(out, path=f"{stem}.docx", data=docx),
        replace(out, path=f"{PurePosixPath(stem).parent}/{copy.case_id} CATATAN.txt",
                content=Made(note.encode()), kind="catatan", data=note.encode()),
    )  # fmt: skip


def _with_draft_hash(outcome: Outcome) -> Outcome:
    """A draft rendered by the pipeline is known by the hash of its bytes, made just now."""
    draft = outcome.draft
    if draft is None or draft.sha256:
        return outcome
    made = next(o for o in outcome.outputs if o.record_path(outcome.case_id) == draft.path)
    return replace(outcome, draft=replace(draft, sha256=sha256_bytes(made.data)))
