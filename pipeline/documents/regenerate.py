"""Batch regeneration: each case's documents written again from its stored, normalised data with
the current templates (never by re-reading workbooks), and its versions named for what they are.

    for progress in regenerate(settings, journal, selection, options, clock): ...

What is planned, and why, is `regenerate_plan`: stage documents as issued, an open case's next
draft version, and for a case past drafting each version it has (the drafter's copied exactly;
the pipeline's reproduced byte for byte or marked as a new render). Contexts use the case's
stored dates only, never the current time, so the same data and template give the same bytes.

Where documents go: the draft of an open case (no reviewed draft yet) becomes a new draft version
through the normal flow (outbox/analis/ and the case's own copy in berkas/<case>/keluar/, a
drafts row with source "regenerasi"); every other document goes to the output folder (default
outbox/regenerasi/<case>/). Nothing under archive/ is ever written.

How it scales: the journal is read a chunk of cases at a time on its own connection, inside one
read transaction, while cases stream to the workers (`workers` processes, each preparing its
templates once; a few tasks of several cases in flight per worker; only plain data crosses).
Workers plan each case, check, render or copy, and write each file (temporary name, fsync,
rename; each folder synced once per task); this process
records what was written in the journal in batches, one transaction per `COMMIT_EVERY`
documents (a crash before a batch is recorded only means those files are written again next
time). A new draft version is written by the worker under temporary names beside its places and
joins its case here under the watcher's flow lock (renamed into place, then recorded; a batch's
versions in one transaction), or is removed when the case moved on meanwhile. PDFs are
made in `workers` batches, each by one LibreOffice run with its own profile. This module never
prints: it yields `Progress` events, and `Summary` turns them into lines for the command line.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
    wait,
)
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from multiprocessing.context import BaseContext
from pathlib import Path

from pipeline import __version__
from pipeline.core.errors import PipelineError
from pipeline.core.values import CaseState, Made, Output
from pipeline.documents.pdfconvert import ConversionError, check_pdf, convert_batch
from pipeline.documents.regenerate_plan import (
    BERKAS_HILANG,
    CaseInput,
    CasePlan,
    Job,
    Kind,
    Planner,
    Result,
    Selection,
    Status,
    due,
    in_normal_flow,
    marked,
    output_dir,
    read_cases,
    reproduces,
    selected_ids,
    template_shas,
    unplanned,
    version_path,
)
from pipeline.documents.templates import Documents
from pipeline.settings import Settings
from pipeline.store.fsops import (
    atomic_write,
    fsync_dir,
    fsync_file,
    is_temp_name,
    sha256_bytes,
    temp_name,
)
from pipeline.store.journal import Journal, RenderRecord
from pipeline.store.lock import FlowLock

__all__ = [
    "BERKAS_HILANG",
    "Options",
    "Phase",
    "Progress",
    "Result",
    "Selection",
    "Status",
    "Summary",
    "regenerate",
]

log = logging.getLogger(__name__)

PDF_TIMEOUT_BASE = 120.0
PDF_TIMEOUT_PER_DOCUMENT = 10.0
CASES_PER_TASK = 8  # cases sent to a worker at once
TASKS_PER_WORKER = 4  # tasks in flight per worker: work queued while this process commits
COMMIT_EVERY = 200  # documents recorded per journal transaction
Clock = Callable[[], datetime]


class Phase(StrEnum):
    RENDER = "Merender dokumen"
    PDF = "Membuat PDF"


@dataclass(frozen=True)
class Options:
    out_dir: Path | None = None
    pdf: bool = False
    workers: int = 1
    dry_run: bool = False


@dataclass(frozen=True)
class PdfResult:
    source: str
    pdf: str | None
    error: str | None = None


@dataclass(frozen=True)
class Progress:
    """One document settled; `total` is exact once every case is planned, estimated before."""

    phase: Phase
    done: int
    total: int
    item: Result | PdfResult


@dataclass(frozen=True)
class Rendered:
    """What a worker did with one job: wrote `path` (the last of its paths), found it
    unchanged, or failed."""

    sha256: str = ""
    size: int = 0
    template_sha: str = ""
    path: str = ""
    reasons: tuple[str, ...] = ()
    written: tuple[str, ...] = ()  # in place (their folders still to sync)
    staged: tuple[str, ...] = ()  # a new draft version: beside its places, under temporary names
    unchanged: bool = False
    error: str | None = None


# --- doing one job (in this process or in a worker) ---------------------------------------------


def run_jobs(documents: Documents, root: Path, jobs: Sequence[Job]) -> list[Rendered]:
    """Each job's document made and written under temporary names beside its places; then all
    of them synced and renamed into place, and each folder written into synced once: the
    renames are durable before what was written is recorded in the journal. Syncing the batch
    after writing it lets the file system commit it in one go instead of once per file."""
    done = [_settled(pending) for pending in [run_job(documents, root, job) for job in jobs]]
    try:
        for folder in sorted({(root / path).parent for d in done for path in d.written}):
            fsync_dir(folder)
    except OSError as exc:
        log.error("cannot sync the folders written: %s", exc)
        return [Rendered(error=f"folder not synced: {exc}")] * len(jobs)
    return done


@dataclass(frozen=True)
class Pending:
    """A job's outcome, with its bytes under temporary names (`temps`: temporary, place) still to
    be synced and, unless the job joins a case's flow (`staged`), renamed into place."""

    job: Job
    rendered: Rendered
    temps: tuple[tuple[Path, Path], ...] = ()


def run_job(documents: Documents, root: Path, job: Job) -> Pending:
    temps: list[tuple[Path, Path]] = []
    try:
        reasons = due(root, job)
        if not reasons:
            return Pending(job, Rendered(path=job.kept, unchanged=True))
        data, paths, template_sha = _made(documents, root, job)
        for path in paths:
            temps.append((_unsynced(root / path, data), root / path))
    except Exception as exc:  # one broken document must not stop the batch; it is named
        _discard(temps)
        return Pending(job, _failed(job, exc))
    made = Rendered(sha256_bytes(data), len(data), template_sha, paths[-1], reasons)
    if job.flow_paths:  # joins the case's flow only when committed under the flow lock
        return Pending(job, replace(made, staged=tuple(str(t) for t, _ in temps)), tuple(temps))
    return Pending(job, replace(made, written=paths), tuple(temps))


def _settled(pending: Pending) -> Rendered:
    """The job's temporaries synced and (unless staged) renamed into place."""
    try:
        for temp, _ in pending.temps:
            fsync_file(temp)
        if not pending.rendered.staged:
            for temp, place in pending.temps:
                temp.replace(place)
    except OSError as exc:
        _discard(list(pending.temps))
        return _failed(pending.job, exc)
    return pending.rendered


def _unsynced(dest: Path, data: bytes) -> Path:
    """`data` under a temporary name beside `dest`, not yet synced."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_name(dest)
    temp.write_bytes(data)
    return temp


def _discard(temps: list[tuple[Path, Path]]) -> None:
    for temp, _ in temps:
        temp.unlink(missing_ok=True)


def _failed(job: Job, exc: Exception) -> Rendered:
    log.error("cannot regenerate %s %s: %s", job.case_id, job.label, exc)
    if isinstance(exc, PipelineError):
        return Rendered(error=str(exc))
    if isinstance(exc, OSError) and exc.filename:
        return Rendered(error=os_problem(exc))
    return Rendered(error=repr(exc))


OS_PROBLEMS = {
    errno.ENOENT: "tidak ditemukan",
    errno.EACCES: "tidak ada izin",
    errno.EPERM: "tidak ada izin",
    errno.EISDIR: "berupa folder, bukan file",
    errno.ENOTDIR: "sebagian jalurnya berupa file, bukan folder",
    errno.EEXIST: "sudah ada sebagai file, bukan folder",
    errno.ENOSPC: "disk penuh",
    errno.EROFS: "disk hanya dapat dibaca",
}


def os_problem(exc: OSError) -> str:
    """The path a file operation failed on (the destination, never a temporary name) and why,
    in the office's words."""
    where = str(exc.filename)
    if exc.filename2 and is_temp_name(Path(where).name):
        where = str(exc.filename2)
    return f"{where}: {OS_PROBLEMS.get(exc.errno or 0, exc.strerror or repr(exc))}"


def _made(documents: Documents, root: Path, job: Job) -> tuple[bytes, tuple[str, ...], str]:
    """The bytes of `job` and where they go (a render that is not the version it would name
    goes under its marked name), with the template's hash."""
    if job.kind is Kind.COPY:
        return _copied(root, job), job.paths, ""
    template_sha = documents.template(job.template).sha256
    if job.kind is Kind.RENDER:
        return documents.render(job.template, job.context), job.paths, template_sha
    if reproduces(root, job):
        data = documents.render(job.template, job.context)
        if sha256_bytes(data) == job.source_sha:
            return data, job.paths, template_sha
        log.warning("%s v%s: not reproduced by its own inputs", job.case_id, job.version)
    return documents.render(job.template, marked(job.context, job.version)), job.renew, template_sha


def _copied(root: Path, job: Job) -> bytes:
    """A drafter's version, exactly as the case keeps it."""
    data = (root / job.source).read_bytes()
    if sha256_bytes(data) != job.source_sha:
        raise PipelineError(
            f"{job.source} no longer holds version {job.version} as the journal recorded it"
        )
    return data


@dataclass(frozen=True)
class Done:
    """What a task did: each job planned (without its context) and what became of it, and the
    cases that could not be planned."""

    cases: int
    jobs: list[Job] = field(default_factory=list)
    rendered: list[Rendered] = field(default_factory=list)
    failed: list[Result] = field(default_factory=list)


def run_task(planner: Planner, documents: Documents, task: Sequence[CaseInput]) -> Done:
    """Plan each case of the task, then write its documents."""
    plans = [planner.plan(case) for case in task]
    jobs = [job for plan in plans for job in plan.jobs]
    rendered = run_jobs(documents, planner.settings.root, jobs)
    failed = [plan.failed for plan in plans if plan.failed is not None]
    return Done(len(task), [replace(job, context={}) for job in jobs], rendered, failed)


_worker: tuple[Planner, Documents] | None = None


def _worker_start(planner: Planner) -> None:
    global _worker
    _worker = (planner, Documents(planner.settings.templates_dir))


def _worker_run(task: tuple[CaseInput, ...]) -> Done:
    if _worker is None:
        raise RuntimeError("worker process started without its planner")
    return run_task(*_worker, task)


def process_context() -> BaseContext:
    """fork (no re-import, fastest) while this process runs no other thread, else forkserver."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def done_tasks(planner: Planner, tasks: Iterator[list[CaseInput]], workers: int) -> Iterator[Done]:
    """Run each task (a few cases); yields them as they finish. With workers, the next tasks
    are read from the journal only as workers free up."""
    if workers <= 1:
        documents = Documents(planner.settings.templates_dir)
        for task in tasks:
            yield run_task(planner, documents, task)
        return
    with ProcessPoolExecutor(workers, process_context(), _worker_start, (planner,)) as pool:
        running: dict[Future[Done], list[CaseInput]] = {}
        for task in tasks:
            running[pool.submit(_worker_run, tuple(task))] = task
            if len(running) >= workers * TASKS_PER_WORKER:
                yield from _finished(running, FIRST_COMPLETED)
        yield from _finished(running, ALL_COMPLETED)


def _finished(running: dict[Future[Done], list[CaseInput]], until: str) -> Iterator[Done]:
    done, _ = wait(running, return_when=until)
    for future in done:
        yield _outcome(future, running.pop(future))


def _outcome(future: Future[Done], task: list[CaseInput]) -> Done:
    try:
        return future.result()
    except Exception as exc:  # a worker died or its result could not be sent back
        log.error("worker task failed: %r", exc)
        error = f"worker process failed: {exc!r}"
        return Done(len(task), failed=[unplanned(c.state.id, error) for c in task])


# --- recording ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """The share root and the lock under which a new draft version joins a case's flow."""

    root: Path
    lock: AbstractContextManager[object]


def _record(job: Job, done: Rendered, at: datetime) -> RenderRecord:
    path = job.flow_paths[-1] if job.flow_paths else done.path
    return RenderRecord(
        job.case_id, job.document, path, done.sha256, done.size, done.template_sha,
        job.data_sha, job.version, __version__, at,
    )  # fmt: skip


def _result(
    job: Job, status: Status, done: Rendered | None = None, error: str | None = None
) -> Result:
    shown = job.flow_paths[0] if job.flow_paths else (done.path if done else "") or job.paths[0]
    reasons = done.reasons if done else job.reasons
    return Result(job.case_id, job.label, shown, status, reasons, job.version, error)


def commit(
    journal: Journal, written: Sequence[tuple[Job, Rendered]], at: datetime, flow: Flow
) -> list[Result]:
    """Record what was written: the renders in one transaction; then, under the flow lock, the
    new draft versions of open cases that still take one, put in place and recorded in one."""
    plain = [(job, done) for job, done in written if not job.flow_paths]
    if plain:
        journal.record_renders([_record(job, done, at) for job, done in plain])
    results = [_result(job, Status.WRITTEN, done) for job, done in plain]
    drafts = [(job, done) for job, done in written if job.flow_paths]
    if drafts:
        with flow.lock:
            results += _commit_drafts(journal, drafts, at, flow.root)
    return results


def _commit_drafts(
    journal: Journal, drafts: Sequence[tuple[Job, Rendered]], at: datetime, root: Path
) -> list[Result]:
    """Put each staged draft version in place if its case still takes one (the watcher may
    have moved it on meanwhile: the analyst sent a reviewed draft, or data made a version),
    sync each folder once, and record them all in one transaction."""
    states = {s.id: s for s in journal.case_states([job.case_id for job, _ in drafts])}
    results = [_place_draft(states.get(job.case_id), job, done, root) for job, done in drafts]
    placed = [d for d, r in zip(drafts, results, strict=True) if r.status is Status.WRITTEN]
    try:
        for folder in sorted({(root / p).parent for job, _ in placed for p in job.flow_paths}):
            fsync_dir(folder)
    except OSError as exc:
        log.error("cannot sync the folders of the new draft versions: %s", exc)
        return _withdrawn(root, drafts, results, f"folder not synced: {exc}")
    if placed:
        journal.commit_regenerated_drafts(
            [(_record(j, d, at), _draft_output(j)) for j, d in placed]
        )
    return results


def _withdrawn(
    root: Path, drafts: Sequence[tuple[Job, Rendered]], results: list[Result], error: str
) -> list[Result]:
    """The versions put in place taken out again (nothing recorded): each now failed."""
    withdrawn = []
    for (job, done), result in zip(drafts, results, strict=True):
        if result.status is Status.WRITTEN:
            for path in job.flow_paths:
                (root / path).unlink(missing_ok=True)
            result = _result(job, Status.FAILED, done, error)
        withdrawn.append(result)
    return withdrawn


def _draft_output(job: Job) -> Output:
    role = job.flow_paths[0].split("/")[1]
    return Output(job.flow_paths[0], Made(b""), "draf", role, job.step, version=job.version)


def _place_draft(state: CaseState | None, job: Job, done: Rendered, root: Path) -> Result:
    latest = state.latest_draft.version if state and state.latest_draft else 0
    if state is None or not in_normal_flow(state) or latest >= (job.version or 0):
        for staged in done.staged:
            Path(staged).unlink(missing_ok=True)
        return _result(job, Status.SKIPPED, done, "kasus sudah berubah selama regenerasi")
    try:
        _put_in_place(root, done.staged, job.flow_paths)
    except OSError as exc:  # e.g. a `watch --once` swept the temporary files meanwhile
        log.error("cannot put %s v%s in place: %s", job.case_id, job.version, exc)
        return _result(job, Status.FAILED, done, f"staged version not put in place: {exc}")
    return _result(job, Status.WRITTEN, done)


def _put_in_place(root: Path, staged: Sequence[str], paths: Sequence[str]) -> None:
    """Rename each staged file into its place, the staff's copy last; all or none (a place
    already filled is emptied again when a later one fails)."""
    placed: list[Path] = []
    try:
        for temp, path in reversed(list(zip(staged, paths, strict=True))):
            Path(temp).replace(root / path)
            placed.append(root / path)
    except OSError:
        for place in [*placed, *map(Path, staged)]:
            place.unlink(missing_ok=True)
        raise


@dataclass
class Run:
    """One regeneration as it goes: cases done, documents settled, renders to record."""

    journal: Journal
    flow: Flow
    clock: Clock
    cases: int
    cases_done: int = 0
    done: int = 0
    waiting: list[Result] = field(default_factory=list)  # settled, not yet reported
    written: list[tuple[Job, Rendered]] = field(default_factory=list)  # not yet recorded
    results: list[Result] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Documents in all: exact at the end, estimated from the cases done before."""
        seen = self.done + len(self.waiting) + len(self.written)
        if not self.cases_done:
            return max(self.cases, seen)
        return seen + round((self.cases - self.cases_done) * seen / self.cases_done)

    def take(self, done: Done) -> Iterator[Progress]:
        self.cases_done += done.cases
        self.waiting += done.failed
        for job, rendered in zip(done.jobs, done.rendered, strict=True):
            if rendered.error is not None:
                self.waiting.append(_result(job, Status.FAILED, rendered, rendered.error))
            elif rendered.unchanged:
                self.waiting.append(_result(job, Status.UNCHANGED, rendered))
            else:
                self.written.append((job, rendered))
        if len(self.written) >= COMMIT_EVERY:
            yield from self.flush()
        yield from self._report()

    def flush(self) -> Iterator[Progress]:
        written, self.written = self.written, []
        if written:
            self.waiting += commit(self.journal, written, self.clock(), self.flow)
        yield from self._report()

    def _report(self) -> Iterator[Progress]:
        waiting, self.waiting = self.waiting, []
        for result in waiting:
            self.done += 1
            self.results.append(result)
            yield Progress(Phase.RENDER, self.done, max(self.total, self.done), result)


# --- PDFs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfJob:
    source: Path
    dest: Path


def pdf_jobs(root: Path, out_dir: Path, results: Sequence[Result]) -> list[PdfJob]:
    """A PDF beside each document written now, and for unchanged ones that have none yet."""
    found = []
    for result in results:
        if result.status not in (Status.WRITTEN, Status.UNCHANGED):
            continue
        source = root / result.path
        dest = out_dir / result.case_id / f"{source.stem}.pdf"
        if result.status is Status.WRITTEN or not dest.exists():
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
    """Plan, write, record and (with `options.pdf`) convert; yields one event per document."""
    out_dir = output_dir(settings, options.out_dir)
    shas = template_shas(settings)
    ids = selected_ids(journal, selection)
    reader = Journal(journal.path)  # its own connection: one snapshot while this one commits
    try:
        cases = read_cases(settings, reader, ids, selection.year)
        planner = Planner(settings, out_dir, shas)
        if options.dry_run:
            yield from _dry_run(settings.root, (planner.plan(case) for case in cases))
            return
        flow = Flow(settings.root, flow_lock or FlowLock(settings.state_dir))
        run = Run(journal, flow, clock, len(ids))
        for done in done_tasks(planner, _tasks(cases), options.workers):
            yield from run.take(done)
        run.cases = run.cases_done  # every case read: the total is exact now
        yield from run.flush()
    finally:
        reader.close()
    if options.pdf:
        yield from _pdf_phase(settings, out_dir, run.results, options.workers)


def _tasks(cases: Iterable[CaseInput]) -> Iterator[list[CaseInput]]:
    """The cases, `CASES_PER_TASK` at a time, as they are read."""
    task: list[CaseInput] = []
    for case in cases:
        task.append(case)
        if len(task) >= CASES_PER_TASK:
            yield task
            task = []
    if task:
        yield task


def _dry_run(root: Path, plans: Iterable[CasePlan]) -> Iterator[Progress]:
    """What a run would write, and why; nothing is written."""
    results = []
    for plan in plans:
        results += [plan.failed] if plan.failed else []
        for job in plan.jobs:
            reasons = due(root, job)
            if reasons:
                path, status = version_path(root, job), Status.PLANNED
            else:
                path, status = job.kept, Status.UNCHANGED
            results.append(Result(job.case_id, job.label, path, status, reasons, job.version))
    for done, result in enumerate(results, start=1):
        yield Progress(Phase.RENDER, done, len(results), result)


def _pdf_phase(
    settings: Settings, out_dir: Path, results: Sequence[Result], workers: int
) -> Iterator[Progress]:
    wanted = pdf_jobs(settings.root, out_dir, results)
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
