"""Batch regeneration: each case's documents rendered again from its stored, normalised data
with the current templates (never by re-reading workbooks).

    for progress in regenerate(settings, journal, selection, options, clock): ...

Planning is pure over what the journal holds. Each selected case gets its nota dinas and, when
every bidang is in, its draft. Contexts use the case's stored dates only (the order's time, the
time of the last draft rendered from data), never the current time, so the same data and
template give the same bytes. A document is rendered when it has no earlier regenerated render
("baru"), when its template or data hash differs from that render ("template berubah",
"data berubah"), or when the recorded file no longer holds what was written ("berkas tidak
ada"); otherwise it is left alone.

Where documents go: the draft of an open case (no draf_final yet) becomes a new draft version
through the normal flow (outbox/analis/ and the case's own copy in berkas/<case>/keluar/, a
drafts row with source "regenerasi"); every other document goes to the output folder (default
outbox/regenerasi/<case>/). Nothing under archive/ is ever written.

Rendering runs in this process (workers=1) or over N worker processes, each preparing its
templates once; only plain data crosses to a worker. PDFs are made in N batches, each by one
LibreOffice run with its own profile. This module never prints: it yields `Progress` events,
and `Summary` turns them into lines for the command line.
"""

from __future__ import annotations

import logging
import multiprocessing
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.core.errors import PipelineError, TemplateError
from pipeline.core.sla import due_at
from pipeline.core.values import CaseState, Made, Output
from pipeline.documents.pdfconvert import ConversionError, check_pdf, convert_batch
from pipeline.documents.templates import Documents, data_hash
from pipeline.engine.contexts import draft_context, naskah_context
from pipeline.engine.kinds.disposisi import step_of_issue
from pipeline.engine.model import Naskah, SopDef, StageDef
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_copy, atomic_write, sha256_bytes, sha256_file
from pipeline.store.journal import FileRecord, Journal, RenderRecord
from pipeline.store.lock import FlowLock

log = logging.getLogger(__name__)

DRAF_DOC = "draf"
BARU = "baru"
TEMPLATE_BERUBAH = "template berubah"
DATA_BERUBAH = "data berubah"
BERKAS_HILANG = "berkas tidak ada"
DEFAULT_OUT = "outbox/regenerasi"
STAGING = "work/regenerasi"  # under the state folder: new draft versions before their commit
PDF_TIMEOUT_BASE = 120.0
PDF_TIMEOUT_PER_DOCUMENT = 10.0
Clock = Callable[[], datetime]


class Status(StrEnum):
    WRITTEN = "ditulis"
    UNCHANGED = "tidak berubah"
    SKIPPED = "dilewati"
    PLANNED = "akan ditulis"
    FAILED = "gagal"


class Phase(StrEnum):
    RENDER = "Merender dokumen"
    PDF = "Membuat PDF"


@dataclass(frozen=True)
class Selection:
    """Which cases: the listed ids, or every case of `year`, or (neither given) every case."""

    case_ids: tuple[str, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Options:
    out_dir: Path | None = None
    pdf: bool = False
    workers: int = 1
    dry_run: bool = False


@dataclass(frozen=True)
class Job:
    """One document to render. Plain data only, so that it can be sent to a worker process.

    `paths` are relative to the share root (or absolute, for an output folder outside it);
    the last one is the copy the journal records.
    """

    case_id: str
    document: str
    template: str
    context: dict[str, Any]
    paths: tuple[str, ...]
    version: int | None
    normal_flow: bool
    reasons: tuple[str, ...]
    template_sha: str
    data_sha: str
    flow_paths: tuple[str, ...] = ()  # where a new draft version goes once committed
    step: int = 0  # the SOP step a new draft version belongs to

    @property
    def record(self) -> str:
        return (self.flow_paths or self.paths)[-1]


@dataclass(frozen=True)
class Result:
    """What happened to one document."""

    case_id: str
    template: str
    path: str
    status: Status
    reasons: tuple[str, ...] = ()
    version: int | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.case_id} {self.template}"


@dataclass(frozen=True)
class PdfResult:
    source: str
    pdf: str | None
    error: str | None = None


@dataclass(frozen=True)
class Progress:
    phase: Phase
    done: int
    total: int
    item: Result | PdfResult


@dataclass(frozen=True)
class Rendered:
    """What a worker did with one job."""

    sha256: str = ""
    size: int = 0
    template_sha: str = ""
    error: str | None = None


# --- planning (pure over the journal's data) ---------------------------------------------------


def _event_at(state: CaseState, name: str) -> datetime | None:
    return next((e.at for e in state.events if e.name == name), None)


def order_moment(state: CaseState) -> datetime:
    """When the Secretary's order (nota dinas) went out."""
    return _event_at(state, "perintah") or state.opened_at


def draft_moment(state: CaseState) -> datetime:
    """The date a draft rendered from the data carries: that of the last one the watcher made."""
    made = [d.at for d in state.drafts if d.source == "pipeline"]
    return made[-1] if made else (_event_at(state, "data_lengkap") or state.opened_at)


def disposisi_name(files: Iterable[FileRecord]) -> str:
    """The disposition's file name, as the case keeps it (`01 disposisi - <name>`)."""
    kept = next((f.name for f in files if f.direction == "in" and f.kind == "disposisi"), "")
    return kept.partition(" - ")[2] or kept


def document_key(naskah: Naskah) -> str:
    """How a stage document is known among a case's renders: its title, e.g. `nota-dinas`."""
    return naskah.judul.casefold().replace(" ", "-")


def naskah_of(
    settings: Settings, sop: SopDef, state: CaseState, naskah: Naskah, disposisi: str, number: str
) -> dict[str, Any]:
    """A stage document as it was issued: at the order's time, with its number."""
    moment = order_moment(state)
    following = sop.step(step_of_issue(sop.opener) + 1)
    due = due_at(moment, following.waktu, settings.office.calendar) if following else moment
    local, due_local = moment.astimezone(settings.tz), due.astimezone(settings.tz)
    return naskah_context(
        settings.office, sop, state.id, state.period, naskah, local, due_local, number, disposisi
    )


def draf_context(settings: Settings, sop: SopDef, state: CaseState, version: int) -> dict[str, Any]:
    moment = draft_moment(state).astimezone(settings.tz)
    office = settings.office
    return draft_context(office, sop, state.id, state.period, version, state.bidang, moment)


def data_complete(settings: Settings, state: CaseState) -> bool:
    return all(b.slug in state.bidang for b in settings.office.bidang)


def in_normal_flow(state: CaseState) -> bool:
    """An open case whose draft the analyst has not sent back yet takes a new version."""
    return not state.closed and not state.has("draf_diterima")


def reasons_for(
    last: RenderRecord | None, template_sha: str, data_sha: str, holds: bool
) -> tuple[str, ...]:
    """Why a document must be written again; empty when it is unchanged."""
    if last is None:
        return (BARU,)
    reasons = []
    if last.template_sha != template_sha:
        reasons.append(TEMPLATE_BERUBAH)
    if last.data_sha != data_sha:
        reasons.append(DATA_BERUBAH)
    if not reasons and not holds:
        reasons.append(BERKAS_HILANG)
    return tuple(reasons)


def _holds(path: Path, sha256: str) -> bool:
    return path.is_file() and sha256_file(path) == sha256


@dataclass(frozen=True)
class CasePlanner:
    """Builds the jobs of one case from what the journal holds about it."""

    settings: Settings
    sop: SopDef
    out_dir: Path
    template_shas: Mapping[str, str]
    state: CaseState
    renders: Mapping[str, RenderRecord]
    numbers: Mapping[str, str]

    def jobs(self, disposisi: str) -> list[Job]:
        found = [self._naskah(n, disposisi) for n in self.sop.opener.naskah]
        draf = self.sop.stage("draf")
        if draf is not None and draf.template and data_complete(self.settings, self.state):
            found.append(self._draft(draf))
        return found

    def _naskah(self, naskah: Naskah, disposisi: str) -> Job:
        number = self.numbers.get(naskah.judul, "")
        context = naskah_of(self.settings, self.sop, self.state, naskah, disposisi, number)
        path = (self._out(naskah.judul),)
        return self._job(document_key(naskah), naskah.template, context, path, None)

    def _out(self, title: str) -> str:
        path = self.out_dir / self.state.id / f"{self.state.id} {title}.docx"
        return relative_to_root(self.settings.root, path)

    def _job(
        self, document: str, template: str, context: dict[str, Any], paths: tuple[str, ...],
        version: int | None, normal_flow: bool = False,
    ) -> Job:  # fmt: skip
        template_sha, data_sha = self.template_shas[template], data_hash(context)
        last = self.renders.get(document)
        holds = last is not None and _holds(self.settings.root / paths[-1], last.sha256)
        reasons = reasons_for(last, template_sha, data_sha, holds)
        return Job(
            self.state.id, document, template, context, paths, version, normal_flow, reasons,
            template_sha, data_sha,
        )  # fmt: skip

    def _draft(self, draf: StageDef) -> Job:
        state, template = self.state, draf.template
        latest = state.latest_draft.version if state.latest_draft else 0
        if not in_normal_flow(state):
            version = latest or 1
            context = draf_context(self.settings, self.sop, state, version)
            out = (self._out(f"Draf v{version}"),)
            return self._job(DRAF_DOC, template, context, out, version)
        last = self.renders.get(DRAF_DOC)
        if last is None or last.version is None:
            return self._next_version(draf, latest + 1, (BARU,))
        same = draf_context(self.settings, self.sop, state, last.version)
        kept = self._job(DRAF_DOC, template, same, (last.path,), last.version, normal_flow=True)
        return self._next_version(draf, latest + 1, kept.reasons) if kept.reasons else kept

    def _next_version(self, draf: StageDef, version: int, reasons: tuple[str, ...]) -> Job:
        """The open case's next draft version, through the normal flow: rendered into the state
        folder first, put in place only when committed under the flow lock."""
        case = self.state.id
        name = f"{case} Draf v{version}.docx"
        paths = (f"outbox/{draf.role}/{name}", f"berkas/{case}/keluar/{name}")
        staged = str(self.settings.state_dir / STAGING / case / name)
        context = draf_context(self.settings, self.sop, self.state, version)
        job = self._job(DRAF_DOC, draf.template, context, (staged,), version, normal_flow=True)
        step = draf.step_of("tersedia") or 1
        return replace(job, reasons=reasons, flow_paths=paths, step=step)


def relative_to_root(root: Path, path: Path) -> str:
    """`path` relative to the share root when inside it, else absolute (as text)."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def output_dir(settings: Settings, out: Path | None) -> Path:
    """Where documents outside the normal flow go; never inside archive/."""
    root = settings.root
    chosen = (root / DEFAULT_OUT if out is None else out).resolve()
    if chosen.is_relative_to((root / "archive").resolve()):
        raise PipelineError(
            f"the output folder {chosen} is inside archive/, which is never written"
        )
    return chosen


def template_shas(settings: Settings) -> dict[str, str]:
    shas = {}
    for name in sorted({t for sop in settings.sops for t in sop.templates}):
        try:
            shas[name] = sha256_file(settings.templates_dir / name)
        except OSError as exc:
            raise TemplateError(f"cannot read template {name}: {exc}") from exc
    return shas


def select_cases(journal: Journal, selection: Selection) -> list[CaseState]:
    known = journal.case_ids()
    wanted = list(dict.fromkeys(selection.case_ids)) or known
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise PipelineError(f"unknown case(s): {', '.join(unknown)}")
    states = [s for c in wanted if (s := journal.case(c)) is not None]
    chosen = [s for s in states if selection.year is None or s.year == selection.year]
    return [s for s in chosen if not s.cancelled]


def plan(
    settings: Settings, journal: Journal, selection: Selection, out_dir: Path
) -> tuple[list[Job], list[Result]]:
    """Every document of the selected cases as a job, and the cases that cannot be planned."""
    shas = template_shas(settings)
    jobs: list[Job] = []
    failed: list[Result] = []
    for state in select_cases(journal, selection):
        sop = settings.sop_of(state.id)
        if sop is None:
            continue
        numbers = {d: n for d, n in journal.numbers(state.id)}
        planner = CasePlanner(
            settings, sop, out_dir, shas, state, journal.renders(state.id), numbers
        )
        try:
            jobs += planner.jobs(disposisi_name(journal.files(state.id)))
        except (KeyError, ValueError, PipelineError) as exc:
            log.warning("cannot plan the documents of %s: %s", state.id, exc)
            error = f"stored data do not fit the configuration or templates: {exc!r}"
            failed.append(Result(state.id, "(kasus)", "", Status.FAILED, error=error))
    return jobs, failed


# --- rendering (in this process or in a worker) -----------------------------------------------


def render_jobs(documents: Documents, root: Path, jobs: Sequence[Job]) -> list[Rendered]:
    return [_render_one(documents, root, job) for job in jobs]


def _render_one(documents: Documents, root: Path, job: Job) -> Rendered:
    try:
        data = documents.render(job.template, job.context)
        for path in job.paths:
            atomic_write(root / path, data)
        template_sha = documents.template(job.template).sha256
    except Exception as exc:  # one broken document must not stop the batch; it is named
        log.error("cannot regenerate %s %s: %s", job.case_id, job.template, exc)
        return Rendered(error=str(exc) if isinstance(exc, PipelineError) else repr(exc))
    return Rendered(sha256_bytes(data), len(data), template_sha)


_worker_documents: Documents | None = None


def _worker_start(templates_dir: str) -> None:
    global _worker_documents
    _worker_documents = Documents(Path(templates_dir))


def _worker_render(root: str, jobs: tuple[Job, ...]) -> list[Rendered]:
    if _worker_documents is None:
        raise RuntimeError("worker process started without its templates")
    return render_jobs(_worker_documents, Path(root), jobs)


def process_context() -> BaseContext:
    """fork (no re-import, fastest) while this process runs no other thread, else forkserver."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def by_case(jobs: Sequence[Job]) -> list[list[Job]]:
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.case_id, []).append(job)
    return list(groups.values())


def rendered_batches(
    settings: Settings, batches: list[list[Job]], workers: int
) -> Iterator[tuple[list[Job], list[Rendered]]]:
    """Render each batch (one case's jobs); yields batches as they finish."""
    if workers <= 1 or len(batches) <= 1:
        documents = Documents(settings.templates_dir)
        for batch in batches:
            yield batch, render_jobs(documents, settings.root, batch)
        return
    start = (str(settings.templates_dir),)
    with ProcessPoolExecutor(
        min(workers, len(batches)), process_context(), _worker_start, start
    ) as pool:
        futures = {pool.submit(_worker_render, str(settings.root), tuple(b)): b for b in batches}
        for future in as_completed(futures):
            yield futures[future], _outcome(future, len(futures[future]))


def _outcome(future: Future[list[Rendered]], count: int) -> list[Rendered]:
    try:
        return future.result()
    except Exception as exc:  # a worker died or its result could not be sent back
        log.error("worker batch failed: %r", exc)
        return [Rendered(error=f"worker process failed: {exc!r}")] * count


# --- recording ----------------------------------------------------------------------------------


def _record(job: Job, rendered: Rendered, at: datetime) -> RenderRecord:
    return RenderRecord(
        job.case_id, job.document, job.record, rendered.sha256, rendered.size,
        rendered.template_sha, job.data_sha, job.version, __version__, at,
    )  # fmt: skip


def _result(job: Job, status: Status, error: str | None = None) -> Result:
    shown = (job.flow_paths or job.paths)[0]
    return Result(job.case_id, job.template, shown, status, job.reasons, job.version, error)


def commit_batch(
    journal: Journal,
    batch: Sequence[Job],
    rendered: Sequence[Rendered],
    at: datetime,
    flow: Flow,
) -> list[Result]:
    """Record what was written: open-case drafts as draft versions, the rest as renders."""
    results, plain = [], []
    for job, done in zip(batch, rendered, strict=True):
        if done.error is not None:
            results.append(_result(job, Status.FAILED, done.error))
        elif job.flow_paths:
            with flow.lock:
                results.append(_commit_draft(journal, job, done, at, flow.root))
        else:
            plain.append(_record(job, done, at))
            results.append(_result(job, Status.WRITTEN))
    if plain:
        journal.record_renders(plain)
    return results


@dataclass(frozen=True)
class Flow:
    """The share root and the lock under which a new draft version joins a case's flow."""

    root: Path
    lock: AbstractContextManager[object]


def _commit_draft(journal: Journal, job: Job, done: Rendered, at: datetime, root: Path) -> Result:
    """Put a staged draft version in place, if the case still takes one (the watcher may have
    moved it on meanwhile: the analyst sent a reviewed draft, or data changed the version)."""
    staged = Path(job.paths[0])
    state = journal.case(job.case_id)
    latest = state.latest_draft.version if state and state.latest_draft else 0
    if state is None or not in_normal_flow(state) or latest >= (job.version or 0):
        staged.unlink(missing_ok=True)
        return _result(job, Status.SKIPPED, "kasus sudah berubah selama regenerasi")
    for path in job.flow_paths:
        atomic_copy(staged, root / path)
    role = job.flow_paths[0].split("/")[1]
    output = Output(job.flow_paths[0], Made(b""), "draf", role, job.step, version=job.version)
    journal.commit_regenerated_draft(_record(job, done, at), output)
    staged.unlink(missing_ok=True)
    return _result(job, Status.WRITTEN)


# --- PDFs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfJob:
    source: Path
    dest: Path


def pdf_jobs(
    settings: Settings, out_dir: Path, jobs: Sequence[Job], results: Sequence[Result]
) -> list[PdfJob]:
    """A PDF beside each document written now, and for unchanged ones that have none yet."""
    wanted = {(r.case_id, r.template) for r in results if r.status is not Status.FAILED}
    found = []
    for job in jobs:
        source = settings.root / job.record
        dest = out_dir / job.case_id / f"{source.stem}.pdf"
        if (job.case_id, job.template) in wanted and (job.reasons or not dest.exists()):
            found.append(PdfJob(source, dest))
    return found


def convert_all(state_dir: Path, jobs: Sequence[PdfJob], converters: int) -> Iterator[PdfResult]:
    """Convert in `converters` batches side by side, each one LibreOffice run with its own
    profile; yields each batch's results as it finishes."""
    batches = [list(jobs[i::converters]) for i in range(converters) if jobs[i::converters]]
    with ThreadPoolExecutor(max(1, len(batches)), thread_name_prefix="pdf") as pool:
        futures = [pool.submit(convert_one_batch, state_dir, i, b) for i, b in enumerate(batches)]
        for future in as_completed(futures):
            yield from future.result()


def convert_one_batch(state_dir: Path, index: int, batch: Sequence[PdfJob]) -> list[PdfResult]:
    profile = state_dir / f"libreoffice-regenerasi-{index}"
    timeout = PDF_TIMEOUT_BASE + PDF_TIMEOUT_PER_DOCUMENT * len(batch)
    state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=state_dir, prefix="regenerasi-pdf-") as work:
        error = ""
        try:
            convert_batch([j.source for j in batch], Path(work), profile, timeout)
        except (ConversionError, ValueError) as exc:
            error = str(exc)
            log.error("PDF batch %d: %s", index, exc)
        return [_place_pdf(Path(work) / f"{j.source.stem}.pdf", j, error) for j in batch]


def _place_pdf(made: Path, job: PdfJob, error: str) -> PdfResult:
    try:
        check_pdf(made, error)
        atomic_write(job.dest, made.read_bytes())
    except (ConversionError, OSError) as exc:
        return PdfResult(str(job.source), None, str(exc))
    return PdfResult(str(job.source), str(job.dest))


# --- the whole run --------------------------------------------------------------------------------


def regenerate(
    settings: Settings,
    journal: Journal,
    selection: Selection,
    options: Options,
    clock: Clock,
    flow_lock: AbstractContextManager[object] | None = None,
) -> Iterator[Progress]:
    """Plan, render, record and (with `options.pdf`) convert; yields one event per document."""
    out_dir = output_dir(settings, options.out_dir)
    jobs, failed = plan(settings, journal, selection, out_dir)
    todo = [j for j in jobs if j.reasons]
    settled = failed + [_result(j, Status.UNCHANGED) for j in jobs if not j.reasons]
    if options.dry_run:
        settled += [_result(j, Status.PLANNED) for j in todo]
    total = len(jobs) + len(failed)
    for done, result in enumerate(settled, start=1):
        yield Progress(Phase.RENDER, done, total, result)
    if options.dry_run:
        return
    results: list[Result] = []
    flow = Flow(settings.root, flow_lock or FlowLock(settings.state_dir))
    for batch, rendered in rendered_batches(settings, by_case(todo), options.workers):
        for result in commit_batch(journal, batch, rendered, clock(), flow):
            results.append(result)
            yield Progress(Phase.RENDER, len(settled) + len(results), total, result)
    if options.pdf:
        yield from _pdf_phase(settings, out_dir, jobs, settled + results, options.workers)


def _pdf_phase(
    settings: Settings, out_dir: Path, jobs: Sequence[Job], results: Sequence[Result], workers: int
) -> Iterator[Progress]:
    wanted = pdf_jobs(settings, out_dir, jobs, results)
    converted = convert_all(settings.state_dir, wanted, max(1, workers))
    for done, item in enumerate(converted, start=1):
        yield Progress(Phase.PDF, done, len(wanted), item)


# --- what the command line shows ---------------------------------------------------------------


@dataclass
class Summary:
    """Collects the events of a run into lines for a person (built up, then read)."""

    results: list[Result] = field(default_factory=list)
    pdfs: list[PdfResult] = field(default_factory=list)

    def add(self, progress: Progress) -> None:
        if isinstance(progress.item, Result):
            self.results.append(progress.item)
        else:
            self.pdfs.append(progress.item)

    def count(self, status: Status) -> int:
        return sum(r.status is status for r in self.results)

    def failures(self) -> list[str]:
        docs = [f"GAGAL {r.label}: {r.error}" for r in self.results if r.status is Status.FAILED]
        return docs + [f"GAGAL PDF {p.source}: {p.error}" for p in self.pdfs if p.error]

    def lines(self) -> list[str]:
        shown = (Status.WRITTEN, Status.PLANNED, Status.SKIPPED)
        listed = [
            f"{r.status.value:<13} {r.path}  ({', '.join((*r.reasons, *([r.error] if r.error else [])))})"
            for r in self.results
            if r.status in shown
        ]
        counts = ", ".join(f"{self.count(s)} {s.value}" for s in Status if self.count(s))
        made = sum(p.pdf is not None for p in self.pdfs)
        tail = f"; {made} PDF dibuat" if self.pdfs else ""
        return [*listed, f"{len(self.results)} dokumen: {counts or 'tidak ada kasus'}{tail}"]
