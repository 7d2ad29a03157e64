"""Planning a batch regeneration: which documents of which cases are written, and why.

Pure over what the journal holds, read a chunk of cases at a time (one query per table) inside
one read transaction, so that planning costs the same per case at any size of the journal and
the run sees one consistent journal while the watcher goes on beside it.

Each selected case gets:
- its stage documents (the nota dinas), as issued: the order's time, its number;
- while the case still takes new draft versions (no reviewed draft yet): the next version,
  through the normal flow (see `regenerate`);
- otherwise every version it has, each named for what it is: a version the drafter made is
  copied exactly as it is; a version the pipeline rendered is rendered again from the stored
  data with the current template, and keeps the version's name only when that reproduces it
  byte for byte (same template, same data, same pipeline: the renderer is deterministic);
  any other render is named and marked a new render ("render ulang"), never passed off as the
  version. A case with no recorded versions (restored from the archive) gets one marked
  render from its data.

A document is written when it was never written by a regeneration ("baru"), when its template
or data differ from that render ("template berubah", "data berubah"), or when the file that
render wrote no longer holds it ("berkas tidak ada"; checked where the job runs).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.core.errors import PipelineError, TemplateError
from pipeline.core.sla import due_at
from pipeline.core.values import CaseState, Draft
from pipeline.documents.restate import custom_properties
from pipeline.documents.templates import data_hash
from pipeline.engine.contexts import draft_context, naskah_context
from pipeline.engine.kinds.disposisi import step_of_issue
from pipeline.engine.model import Naskah, SopDef, StageDef
from pipeline.settings import Settings
from pipeline.store.fsops import sha256_file
from pipeline.store.journal import Journal, RenderRecord

DRAF_DOC = "draf"
BARU = "baru"
TEMPLATE_BERUBAH = "template berubah"
DATA_BERUBAH = "data berubah"
BERKAS_HILANG = "berkas tidak ada"
RENDER_ULANG = "render ulang"
RENDER_ULANG_NOTE = "render ulang dari data dan templat terkini, bukan versi yang diparaf"
DEFAULT_OUT = "outbox/regenerasi"
READ_CHUNK = 200  # cases read from the journal per query

log = logging.getLogger(__name__)


class Status(StrEnum):
    WRITTEN = "ditulis"
    UNCHANGED = "tidak berubah"
    SKIPPED = "dilewati"
    PLANNED = "akan ditulis"
    FAILED = "gagal"


class Kind(StrEnum):
    RENDER = "render"  # rendered from the data: a stage document, an open case's next version
    VERSION = "version"  # a version the pipeline rendered: reproduced, or marked as a new render
    COPY = "copy"  # a version the drafter made: copied exactly as it is


@dataclass(frozen=True)
class Selection:
    """Which cases: the listed ids, or every case of `year`, or (neither given) every case."""

    case_ids: tuple[str, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Job:
    """One document to write. Plain data only, so that it can be sent to a worker process.

    `paths` are relative to the share root (or absolute, for an output folder outside it); the
    last one is the copy the journal records. `reasons` empty: unchanged, as long as `kept`
    still holds `kept_sha` (where the last render that had the same inputs went, in the output
    folder of this run).
    """

    case_id: str
    document: str
    kind: Kind
    template: str
    context: dict[str, Any]
    paths: tuple[str, ...]
    version: int | None
    reasons: tuple[str, ...]
    template_sha: str
    data_sha: str
    kept: str = ""
    kept_sha: str = ""
    flow_paths: tuple[str, ...] = ()  # where a new draft version goes once committed
    step: int = 0  # the SOP step a new draft version belongs to
    source: str = ""  # the version's own file (COPY, VERSION)
    source_sha: str = ""  # and the bytes the journal recorded for it
    renew: tuple[str, ...] = ()  # VERSION: where a render that is not the version goes

    @property
    def record(self) -> str:
        return (self.flow_paths or self.paths)[-1]

    @property
    def label(self) -> str:
        return self.template or self.document


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
class CasePlan:
    """One case's jobs, or why it could not be planned."""

    case_id: str
    jobs: list[Job] = field(default_factory=list)
    failed: Result | None = None


# --- dates and contexts: the case's own, never the current time ------------------------------


def _event_at(state: CaseState, name: str) -> datetime | None:
    return next((e.at for e in state.events if e.name == name), None)


def order_moment(state: CaseState) -> datetime:
    """When the Secretary's order (nota dinas) went out."""
    return _event_at(state, "perintah") or state.opened_at


def draft_moment(state: CaseState, up_to: int | None = None) -> datetime:
    """The date a draft rendered from the data carries: that of the last one the watcher made
    (up to version `up_to`)."""
    made = [
        d.at
        for d in state.drafts
        if d.source == "pipeline" and (up_to is None or d.version <= up_to)
    ]
    return made[-1] if made else (_event_at(state, "data_lengkap") or state.opened_at)


def disposisi_name(kept: str) -> str:
    """The disposition's file name, as the case keeps it (`01 disposisi - <name>`)."""
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


def draf_context(
    settings: Settings, sop: SopDef, state: CaseState, version: int, moment: datetime
) -> dict[str, Any]:
    local, office = moment.astimezone(settings.tz), settings.office
    return draft_context(office, sop, state.id, state.period, version, state.bidang, local)


def marked(context: Mapping[str, Any], version: int | None) -> dict[str, Any]:
    """`context` of a render that is no version of the case: its version line says so."""
    shown = f"{version} " if version is not None else ""
    return {**context, "versi": f"{shown}({RENDER_ULANG_NOTE})"}


def data_complete(settings: Settings, state: CaseState) -> bool:
    return all(b.slug in state.bidang for b in settings.office.bidang)


def in_normal_flow(state: CaseState) -> bool:
    """An open case whose draft the analyst has not sent back yet takes a new version."""
    return not state.closed and not state.has("draf_diterima")


def reasons_for(last: RenderRecord | None, template_sha: str, data_sha: str) -> tuple[str, ...]:
    """Why a document must be written again; empty when the last render had the same inputs."""
    if last is None:
        return (BARU,)
    reasons = []
    if last.template_sha != template_sha:
        reasons.append(TEMPLATE_BERUBAH)
    if last.data_sha != data_sha:
        reasons.append(DATA_BERUBAH)
    return tuple(reasons)


def holds(path: Path, sha256: str) -> bool:
    return path.is_file() and sha256_file(path) == sha256


def due(root: Path, job: Job) -> tuple[str, ...]:
    """Why `job` is written now: its planned reasons, or the file its last render wrote no
    longer holding it; empty when the document is unchanged."""
    if job.reasons or holds(root / job.kept, job.kept_sha):
        return job.reasons
    return (BERKAS_HILANG,)


def reproduces(root: Path, job: Job) -> bool:
    """A render of `job` gives the version's own bytes: the version's file says it was made
    from the same template and data by the same pipeline (rendering is deterministic)."""
    try:
        props = custom_properties((root / job.source).read_bytes())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    made = (props.get("sop-pipeline-template"), props.get("sop-pipeline-data"))
    return (
        made == (job.template_sha, job.data_sha)
        and props.get("sop-pipeline-version") == __version__
    )


# --- one case -----------------------------------------------------------------------------------


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
        if draf is None:
            return found
        if in_normal_flow(self.state):
            drafted = draf.template and data_complete(self.settings, self.state)
            return [*found, self._flow_draft(draf)] if drafted else found
        return found + self._versions(draf)

    def _naskah(self, naskah: Naskah, disposisi: str) -> Job:
        number = self.numbers.get(naskah.judul, "")
        context = naskah_of(self.settings, self.sop, self.state, naskah, disposisi, number)
        path = (self._out(naskah.judul),)
        return self._job(document_key(naskah), Kind.RENDER, naskah.template, context, path, None)

    def _out(self, title: str) -> str:
        path = self.out_dir / self.state.id / f"{self.state.id} {title}.docx"
        return relative_to_root(self.settings.root, path)

    def _job(
        self, document: str, kind: Kind, template: str, context: dict[str, Any],
        paths: tuple[str, ...], version: int | None, data_sha: str | None = None,
    ) -> Job:  # fmt: skip
        template_sha = self.template_shas[template] if template else ""
        data_sha = data_hash(context) if data_sha is None else data_sha
        last = self.renders.get(document)
        reasons = reasons_for(last, template_sha, data_sha)
        kept, kept_sha = (paths[-1], last.sha256) if last else ("", "")
        return Job(
            self.state.id, document, kind, template, context, paths, version, reasons,
            template_sha, data_sha, kept, kept_sha,
        )  # fmt: skip

    def _versions(self, draf: StageDef) -> list[Job]:
        """Every version of a case past drafting, each named for what it is."""
        made = [self._version(draf, d) for d in self.state.drafts]
        if made or not draf.template or not data_complete(self.settings, self.state):
            return made
        return [self._new_render(draf)]

    def _new_render(self, draf: StageDef) -> Job:
        """A case that has no versions recorded (restored from the archive): one render from
        its data, marked as such."""
        moment = draft_moment(self.state)
        context = marked(draf_context(self.settings, self.sop, self.state, 0, moment), None)
        path = (self._out(f"Draf {RENDER_ULANG}"),)
        key = f"{DRAF_DOC}-{RENDER_ULANG}"
        return self._job(key, Kind.RENDER, draf.template, context, path, None)

    def _version(self, draf: StageDef, draft: Draft) -> Job:
        version, key = draft.version, f"{DRAF_DOC}-v{draft.version}"
        exact = (self._out(f"Draf v{version}"),)
        if draft.source == "analis" or not draf.template:
            job = self._job(key, Kind.COPY, "", {}, exact, version, data_sha=draft.sha256)
            return replace(job, source=draft.path, source_sha=draft.sha256)
        moment = draft_moment(self.state, version)
        context = draf_context(self.settings, self.sop, self.state, version, moment)
        job = self._job(key, Kind.VERSION, draf.template, context, exact, version)
        renew = (self._out(f"Draf v{version} {RENDER_ULANG}"),)
        last = self.renders.get(key)
        kept = renew[-1] if last and Path(last.path).name == Path(renew[-1]).name else job.kept
        return replace(job, source=draft.path, source_sha=draft.sha256, renew=renew, kept=kept)

    def _flow_draft(self, draf: StageDef) -> Job:
        """An open case in drafting: its next version, unless the last one regenerated still
        stands (same template and data, its file in place)."""
        state, latest = self.state, len(self.state.drafts)
        last = self.renders.get(DRAF_DOC)
        if last is None or last.version is None:
            return self._next_version(draf, latest + 1, (BARU,))
        same = draf_context(self.settings, self.sop, state, last.version, draft_moment(state))
        kept = self._job(DRAF_DOC, Kind.RENDER, draf.template, same, (last.path,), last.version)
        root = self.settings.root
        reasons = kept.reasons or (() if holds(root / last.path, last.sha256) else (BERKAS_HILANG,))
        return self._next_version(draf, latest + 1, reasons) if reasons else kept

    def _next_version(self, draf: StageDef, version: int, reasons: tuple[str, ...]) -> Job:
        """The open case's next draft version, through the normal flow: written under temporary
        names beside its places, renamed into them only when committed under the flow lock."""
        case = self.state.id
        name = f"{case} Draf v{version}.docx"
        paths = (f"outbox/{draf.role}/{name}", f"berkas/{case}/keluar/{name}")
        context = draf_context(
            self.settings, self.sop, self.state, version, draft_moment(self.state)
        )
        job = self._job(DRAF_DOC, Kind.RENDER, draf.template, context, paths, version)
        step = draf.step_of("tersedia") or 1
        return replace(job, reasons=reasons, flow_paths=paths, step=step)


# --- every selected case ------------------------------------------------------------------------


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


def selected_ids(journal: Journal, selection: Selection) -> list[str]:
    """The ids of the selected cases; unknown ids are refused."""
    known = journal.case_ids()
    wanted = list(dict.fromkeys(selection.case_ids)) or known
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise PipelineError(f"unknown case(s): {', '.join(unknown)}")
    return wanted


@dataclass(frozen=True)
class CaseInput:
    """What the journal holds about one case, as its planning needs it (plain data, so that
    the case can be sent to a worker process and planned there)."""

    state: CaseState
    renders: dict[str, RenderRecord]
    numbers: dict[str, str]
    disposisi: str


def read_cases(
    settings: Settings, reader: Journal, case_ids: Sequence[str], year: int | None
) -> Iterator[CaseInput]:
    """The selected cases (cancelled ones and those of no configured SOP left out), in order,
    read `READ_CHUNK` at a time with one query per table, all inside one snapshot."""
    with reader.snapshot():
        for start in range(0, len(case_ids), READ_CHUNK):
            chunk = case_ids[start : start + READ_CHUNK]
            renders, numbers = reader.renders_of(chunk), reader.numbers_of(chunk)
            disposisi = reader.first_inputs(chunk, "disposisi")
            for state in reader.case_states(chunk):
                wanted = year is None or state.year == year
                if wanted and not state.cancelled and settings.sop_of(state.id) is not None:
                    yield CaseInput(
                        state, renders.get(state.id, {}), dict(numbers.get(state.id, [])),
                        disposisi_name(disposisi.get(state.id, "")),
                    )  # fmt: skip


@dataclass(frozen=True)
class Planner:
    """Plans a case: pure over its `CaseInput`, the configuration and the templates' hashes."""

    settings: Settings
    out_dir: Path
    template_shas: Mapping[str, str]

    def plan(self, case: CaseInput) -> CasePlan:
        state = case.state
        sop = self.settings.sop_of(state.id)
        assert sop is not None, "read_cases gives only cases of a configured SOP"
        planner = CasePlanner(
            self.settings, sop, self.out_dir, self.template_shas, state, case.renders,
            case.numbers,
        )  # fmt: skip
        try:
            return CasePlan(state.id, planner.jobs(case.disposisi))
        except (KeyError, ValueError, PipelineError) as exc:
            log.warning("cannot plan the documents of %s: %s", state.id, exc)
            error = f"stored data do not fit the configuration or templates: {exc!r}"
            return CasePlan(state.id, failed=unplanned(state.id, error))


def unplanned(case_id: str, error: str) -> Result:
    """A case none of whose documents could be written."""
    return Result(case_id, "(kasus)", "", Status.FAILED, error=error)


def version_path(root: Path, job: Job) -> str:
    """Where a job planned now will be written (for a dry run): a pipeline version that would
    not be reproduced goes under its marked name."""
    if job.kind is Kind.VERSION and not reproduces(root, job):
        return job.renew[0]
    return (job.flow_paths or job.paths)[0]
