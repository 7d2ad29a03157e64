"""The one place where a drop is taken from the inbox to its outcome, in the journal's order:

outputs to temporary names → fsync → rename → (archive folder) → journal commit → move the
input out of the inbox → tidy the outboxes → mark it done. A crash anywhere is finished by
`recover()` and by the idempotency key of each drop; nothing is done twice, nothing is lost.

Deciding is the engine's (`pipeline.engine.flow.decide`): the runner finds the place of the
drop (SOP, stage, role), hands the engine the facts of the file and the cases, makes the
bytes of what it decided (`Materializer`) and does the rest.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pipeline.archive.closing import file_closing_case
from pipeline.core.errors import NotReady, PipelineError, Rejected
from pipeline.core.people import OWNERS_KNOWN, Actor, Attribution, identify, refusal
from pipeline.core.values import Drop, Outcome, inbox_label
from pipeline.documents.materialize import Materializer, PdfMaker
from pipeline.documents.templates import Documents
from pipeline.engine.context import Decide
from pipeline.engine.flow import decide
from pipeline.engine.labels import role_name
from pipeline.engine.numbers import Allocator
from pipeline.engine.routing import Place, choose, places_of
from pipeline.settings import Settings
from pipeline.store.fsops import (
    atomic_copy,
    atomic_write,
    rename_file,
    sha256_bytes,
    unique_path,
)
from pipeline.store.journal import DropRecord, Journal
from pipeline.store.numbers_kept import keep_case_numbers
from pipeline.store.outbox import tidy_after, tidy_case
from pipeline.store.owners import owner_account
from pipeline.watching.answers import Answers
from pipeline.watching.facts import FileFacts, JournalCases
from pipeline.watching.faults import crash_point
from pipeline.watching.held import (
    Held,
    clear_held,
    discard,
    held_path,
    hold,
    holds,
    keep,
    keep_drop,
    release,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
LINK = Rejected(
    "file ini hanya tautan (shortcut/symlink) ke file lain, bukan file aslinya",
    "Salin file aslinya ke folder ini, lalu kirim lagi.",
)
UNREADABLE = Rejected(
    "sistem tidak diizinkan membaca file ini (izin akses file diubah)",
    "Salin file itu ke folder ini sebagai file baru tanpa mengubah izin aksesnya, lalu kirim lagi.",
)
INTERNAL_ERROR = Rejected(
    "terjadi kesalahan internal saat memproses file ini",
    "File disimpan utuh; mohon hubungi pengelola sistem (lihat log server)",
    resend=False,
)
DUPLICATE = Rejected(
    "file dengan isi yang sama persis sudah pernah diterima di folder ini",
    "Tidak perlu dikirim lagi; bila ada perubahan, simpan perubahannya lalu kirim ulang",
    resend=False,
    informational=True,
)


class Result(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RECOVERED = "recovered"
    NOT_READY = "not-ready"
    GONE = "gone"


class Runner:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        clock: Clock,
        to_pdf: PdfMaker,
        on_change: Callable[[str | None], None] = lambda case_id: None,
        attribution: Attribution = OWNERS_KNOWN,
        owner_of: Callable[[Path], str | None] = owner_account,
        flow_lock: AbstractContextManager[object] | None = None,
    ) -> None:
        self.flow_lock = flow_lock or nullcontext()
        self.settings = settings
        self.journal = journal
        self.clock = clock
        self.to_pdf = to_pdf
        self.on_change = on_change
        self.attribution = attribution
        self.owner_of = owner_of
        self.documents = Documents(settings.templates_dir)
        self.materializer = Materializer(settings, self.documents, to_pdf)
        self.answers = Answers(settings, journal, clock)
        self.cases = JournalCases(settings, journal)
        self.inbox = settings.root / "inbox"
        self.work = settings.state_dir / "work"

    # --- entry points -------------------------------------------------------------------------

    def recover(self) -> int:
        """Finish every input move a crash left pending, and put on the share the numbers of
        every case no bag records yet (also those numbered before the share kept them).
        Returns how many moves were finished."""
        pending = self.journal.pending_moves()
        for record in pending:
            self._finish_move(record, self.inbox / record.folder / record.name)
        clear_held(self.work)  # the rest were never committed: read again from the inbox
        for numbered, records in self.journal.unfiled_numbers().items():
            keep_case_numbers(self.settings.root, numbered, records)
        # a finished drop changes the board, the archive list, the mail queue
        for case_id in dict.fromkeys(r.case_id for r in pending):
            self.on_change(case_id)
        return len(pending)

    def process(self, path: Path, ready: tuple[int, int] | None = None) -> Result:
        """Handle one drop, holding the flow lock (a batch regeneration waits meanwhile).
        `ready`: the size and mtime the file had when the watcher found it ready; a file
        written since (saved over, or emptied by a new save) is looked at again instead."""
        with self.flow_lock:
            return self._process(path, ready)

    def note_still_open(self, path: Path) -> None:
        self.answers.note_still_open(path)

    def clear_still_open(self, path: Path) -> None:
        self.answers.clear_still_open(path)

    def _process(self, path: Path, ready: tuple[int, int] | None) -> Result:
        if path.is_symlink():
            return self._refuse_unread(path, LINK)
        if not path.is_file():
            return Result.GONE
        try:
            held = hold(path, self.work, ready)
        except PermissionError:
            return self._refuse_unread(path, UNREADABLE)
        except FileNotFoundError:
            return Result.GONE
        if held is None:  # changed while it was read: still being written
            return Result.NOT_READY
        try:
            return self._judge(path, held)
        finally:
            discard(held.path)

    def _judge(self, path: Path, held: Held) -> Result:
        """Decide on the held copy of the file at `path` (or finish a drop a crash left)."""
        drop = Drop(
            held.path, self._folder(path), path.name, held.sha256, held.size,
            self._actor(path), inbox=path,
        )  # fmt: skip
        prior = self.journal.drops_by_key(drop.key)
        pending = [r for r in prior if not r.moved and r.name == drop.name]
        if pending:
            self._finish_move(pending[-1], path)
            return Result.RECOVERED
        return self._decide(drop, any(r.outcome == "accepted" for r in prior))

    def _folder(self, path: Path) -> str:
        return path.parent.relative_to(self.inbox).as_posix()

    def _actor(self, path: Path) -> Actor:
        return identify(self.settings.office, self.owner_of(path), self.attribution)

    # --- deciding -----------------------------------------------------------------------------

    def _decide(self, drop: Drop, seen_before: bool) -> Result:
        try:
            outcome = self._outcome(drop, seen_before)
        except NotReady:
            return Result.NOT_READY
        except Rejected as exc:
            return self._rejected(drop, exc)
        except Exception:
            return self._internal_error(drop)
        try:
            self._prepare(drop, outcome)
        except (FileExistsError, PipelineError):  # permanent: retrying would fail the same way
            return self._internal_error(drop)
        self._commit(drop, outcome)
        return Result.ACCEPTED

    def _outcome(self, drop: Drop, seen_before: bool) -> Outcome:
        facts = FileFacts(drop, self.settings, self.journal)
        place = self._place(drop, facts, seen_before)
        refused = refusal(self.settings.office, drop.actor, place.role, self._label)
        if refused is not None:
            raise refused
        log.info(
            "handling %s as %s %s (by %s)",
            drop.name,
            place.sop.kode,
            place.stage.jenis,
            drop.actor.label,
        )
        outcome = decide(self._context(place, facts), place.stage)
        return self.materializer.make(_signed_by(outcome, drop), drop.path)

    def _place(self, drop: Drop, facts: FileFacts, seen_before: bool) -> Place:
        places = places_of(self.settings.sops, self.settings.units, drop.folder)
        unit = drop.folder.split("/")
        if (
            not places
            and unit[0] == "bidang"
            and len(unit) > 1
            and unit[1] not in self.settings.units
        ):
            raise Rejected(
                f"bidang '{unit[1]}' tidak terdaftar (config/kantor.toml)",
                "letakkan file di folder bidang Anda sendiri di inbox/bidang/",
                resend=False,
            )
        if not places:
            raise Rejected(
                f"folder {inbox_label(drop.folder)} bukan tempat meletakkan file",
                f"Letakkan file di salah satu folder ini: {self.answers.folders_hint(drop.folder)}",
            )
        if seen_before:
            raise DUPLICATE
        return choose(places, drop.name, facts.text, self._busy_codes)

    @property
    def _busy_codes(self) -> set[str]:
        """The case codes of the SOPs with open cases."""
        return {c.rsplit("-", 2)[0] for c in self.journal.case_ids(open_only=True)}

    def _context(self, place: Place, facts: FileFacts) -> Decide:
        now = self.clock()
        return Decide(
            place.sop, self.settings.office, now, self.settings.tz, self.cases, facts,
            place.role, Allocator(self.cases.next_number),
        )  # fmt: skip

    def _label(self, role: str) -> str:
        return next(
            (n for s in self.settings.sops if (n := s.label(role))),
            role_name(role, None, self.settings.office),
        )

    def _rejected(self, drop: Drop, reason: Rejected) -> Result:
        self.answers.reject(drop, reason)
        self.on_change(None)  # no case changed: the rejections did
        return Result.REJECTED

    def _internal_error(self, drop: Drop) -> Result:
        log.exception("internal error while handling %s", drop.inbox or drop.path)
        return self._rejected(drop, INTERNAL_ERROR)

    def _refuse_unread(self, path: Path, reason: Rejected) -> Result:
        """Move a drop aside without reading it (a link, a file the pipeline may not read)."""
        stat = path.lstat()
        marker = os.fsencode(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}")
        drop = Drop(path, self._folder(path), path.name, sha256_bytes(marker), 0, self._actor(path))
        self.answers.reject(drop, reason, unread=True)
        self.on_change(None)
        return Result.REJECTED

    # --- doing --------------------------------------------------------------------------------

    def _prepare(self, drop: Drop, outcome: Outcome) -> None:
        """Everything an outcome writes, before the journal knows of it (safe to redo)."""
        root = self.settings.root
        for out in outcome.outputs:
            atomic_write(root / out.path, out.data)
            if out.keep:
                atomic_write(root / out.record_path(outcome.case_id), out.data)
        crash_point("after-outputs")
        if outcome.archive_dir:
            sop = self.settings.sop_of(outcome.case_id)
            assert sop is not None
            file_closing_case(self.settings, self.journal, sop, drop, outcome, self.clock())
            crash_point("after-archive")

    def _commit(self, drop: Drop, outcome: Outcome) -> None:
        root = self.settings.root
        drop_id = self.journal.commit_outcome(drop, outcome, self.clock())
        crash_point("after-commit")
        keep_drop(drop, root / outcome.input_dest)
        crash_point("after-move")
        closed = outcome.case_id if outcome.closes_at else None
        tidy_after(root, (o.path for o in outcome.outputs), closed)
        if outcome.numbers:  # kept on the share once the journal has them (redone by recovery)
            keep_case_numbers(root, outcome.case_id, self.journal.number_records(outcome.case_id))
        self.journal.mark_moved(drop_id)  # done: a closing case shows closed only from here
        log.info("accepted %s for %s", drop.name, outcome.case_id)
        self.on_change(outcome.case_id)  # the views refresh that case and its roles only

    def _finish_move(self, record: DropRecord, src: Path) -> None:
        """Keep the drop `record` judged where the journal says, from its held copy or from
        the inbox file if that still holds those bytes; release the inbox file."""
        dest = self.settings.root / record.dest
        if src.is_symlink() or (src.exists() and not os.access(src, os.R_OK)):
            rename_file(src, unique_path(dest.parent, dest.name) if dest.exists() else dest)
        elif not holds(dest, record.sha256):  # the copy into place was not made before the crash
            self._put_judged(record, src, dest)
        release(src, record.sha256)
        discard(held_path(self.work, record.sha256, record.name))
        case = self.journal.case(record.case_id) if record.case_id else None
        if case is not None and record.outcome == "accepted":
            given = [f.path for f in self.journal.files(case.id) if f.kind == "distribusi"]
            tidy_case(self.settings.root, case.id, case.closed or case.closing, given)
            keep_case_numbers(self.settings.root, case.id, self.journal.number_records(case.id))
        self.journal.mark_moved(record.id)
        log.info("finished interrupted move of %s", record.name)

    def _put_judged(self, record: DropRecord, src: Path, dest: Path) -> None:
        target = unique_path(dest.parent, dest.name) if dest.exists() else dest
        held = held_path(self.work, record.sha256, record.name)
        if held.exists():
            keep(held, target)
        elif holds(src, record.sha256):
            atomic_copy(src, target)
        else:
            log.error(
                "%s was saved over before it was kept: the bytes judged (sha256 %s) are gone; "
                "the file now in the inbox is handled as a new drop", record.name, record.sha256,
            )  # fmt: skip


def _signed_by(outcome: Outcome, drop: Drop) -> Outcome:
    """Every event of the drop's own act carries who did it (the pipeline's own say so)."""
    by = drop.actor.label if drop.actor.known else ""
    return replace(outcome, events=tuple(replace(e, by=e.by or by) for e in outcome.events))
