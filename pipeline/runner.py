"""The one place where a drop is taken from the inbox to its outcome, in the journal's order:

outputs to temporary names → fsync → rename → (archive folder) → journal commit → move the
input out of the inbox → mark it moved. A crash anywhere is finished by `recover()` and by the
idempotency key of each drop; nothing is done twice, nothing is lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath

from pipeline.archive import ArchivedFile, bag_info, build_manifest, file_case
from pipeline.assign import find_case_ids
from pipeline.board import role_label
from pipeline.config import Settings
from pipeline.documents import Documents, tanggal
from pipeline.errors import NotReady, PipelineError, Rejected
from pipeline.faults import crash_point
from pipeline.fsops import (
    atomic_write,
    move_file,
    rename_file,
    sha256_bytes,
    sha256_file,
    unique_path,
)
from pipeline.journal import DropRecord, Journal
from pipeline.model import Drop, Outcome, inbox_label
from pipeline.names import safe_filename
from pipeline.outbox import tidy_after, tidy_case
from pipeline.owners import owner_account
from pipeline.people import OWNERS_KNOWN, Attribution, answer_roles, identify, refusal
from pipeline.sop import Stage, timeline
from pipeline.stages import HANDLERS, PdfMaker, StageContext

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
REASON_SUFFIX = ".ALASAN.txt"
STILL_OPEN_PREFIX = "MASIH TERBUKA - "
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
        on_change: Callable[[], None] = lambda: None,
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
        self.inbox = settings.root / "inbox"

    # --- entry points -------------------------------------------------------------------------

    def recover(self) -> int:
        """Finish every input move a crash left pending. Returns how many were finished."""
        pending = self.journal.pending_moves()
        for record in pending:
            self._finish_move(record, self.inbox / record.folder / record.name)
        if pending:  # a finished drop changes the board, the archive list, the mail queue
            self.on_change()
        return len(pending)

    def process(self, path: Path) -> Result:
        """Handle one drop, holding the flow lock (a batch regeneration waits meanwhile)."""
        with self.flow_lock:
            return self._process(path)

    def _process(self, path: Path) -> Result:
        if path.is_symlink():
            return self._refuse_link(path)
        if not path.is_file():
            return Result.GONE
        folder = path.parent.relative_to(self.inbox).as_posix()
        actor = identify(self.settings.office, self.owner_of(path), self.attribution)
        try:
            digest = sha256_file(path)
        except PermissionError:
            return self._refuse_unread(path, UNREADABLE)
        drop = Drop(path, folder, path.name, digest, path.stat().st_size, actor)
        prior = self.journal.drops_by_key(drop.key)
        pending = [r for r in prior if not r.moved and r.name == drop.name]
        if pending:
            self._finish_move(pending[-1], path)
            return Result.RECOVERED
        return self._decide(drop, any(r.outcome == "accepted" for r in prior))

    # --- deciding -----------------------------------------------------------------------------

    def _decide(self, drop: Drop, seen_before: bool) -> Result:
        found = self.settings.sop.stage_for(drop.folder)
        role = self._answered(drop.folder)
        try:
            outcome = self._handle(drop, found, seen_before)
        except NotReady:
            return Result.NOT_READY
        except Rejected as exc:
            self._reject(drop, role, exc)
            return Result.REJECTED
        except Exception:
            return self._internal_error(drop, role)
        try:
            self._prepare(drop, outcome)
        except (FileExistsError, PipelineError):  # permanent: retrying would fail the same way
            return self._internal_error(drop, role)
        self._commit(drop, outcome)
        return Result.ACCEPTED

    def _internal_error(self, drop: Drop, role: str) -> Result:
        log.exception("internal error while handling %s", drop.path)
        self._reject(drop, role, INTERNAL_ERROR)
        return Result.REJECTED

    def _handle(self, drop: Drop, found: tuple[Stage, str] | None, seen_before: bool) -> Outcome:
        if found is None:
            raise Rejected(
                f"folder {inbox_label(drop.folder)} bukan tempat meletakkan file",
                f"Letakkan file di salah satu folder ini: {self._folders_hint(drop.folder)}",
            )
        if seen_before:
            raise Rejected(
                "file dengan isi yang sama persis sudah pernah diterima di folder ini",
                "Tidak perlu dikirim lagi; bila ada perubahan, simpan perubahannya "
                "lalu kirim ulang",
                resend=False,
                informational=True,
            )
        stage, slot = found
        refused = refusal(self.settings.office, drop.actor, stage.role_for(slot), role_label)
        if refused is not None:
            raise refused
        ctx = StageContext(self.settings, self.journal, self.documents, self.clock(), self.to_pdf)
        log.info("handling %s as %s (by %s)", drop.path.name, stage.handler, drop.actor.label)
        outcome = HANDLERS[stage.handler](ctx, drop, stage, slot)
        by = drop.actor.label if drop.actor.known else ""
        return replace(outcome, events=tuple(replace(e, by=e.by or by) for e in outcome.events))

    def _refuse_link(self, path: Path) -> Result:
        """A link is moved aside unread: its target may lie outside the share."""
        return self._refuse_unread(path, LINK)

    def _refuse_unread(self, path: Path, reason: Rejected) -> Result:
        """Move a drop aside without reading it (a link, a file the pipeline may not read)."""
        folder = path.parent.relative_to(self.inbox).as_posix()
        stat = path.lstat()
        marker = os.fsencode(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}")
        actor = identify(self.settings.office, self.owner_of(path), self.attribution)
        drop = Drop(path, folder, path.name, sha256_bytes(marker), 0, actor)
        self._reject(drop, self._answered(folder), reason, unread=True)
        return Result.REJECTED

    # --- a drop held open in Office ----------------------------------------------------------

    def still_open_note(self, path: Path) -> Path:
        folder = path.parent.relative_to(self.inbox).as_posix()
        outbox = self.settings.root / "outbox" / self._answered(folder)
        return outbox / f"{STILL_OPEN_PREFIX}{safe_filename(path.name)}.txt"

    def note_still_open(self, path: Path) -> None:
        """Tell the person why their drop waits: it is still open in Excel or Word."""
        note = self.still_open_note(path)
        if note.exists():
            return
        folder = inbox_label(path.parent.relative_to(self.inbox).as_posix())
        text = (
            "FILE MASIH TERBUKA\n\n"
            f"File        : {path.name}\n"
            f"Diletakkan  : {folder}\n\n"
            "File ini belum diproses karena masih terbuka di Excel atau Word (ada file kunci\n"
            f"'~$…' di sampingnya). Tutup file itu di komputer Anda: sistem memprosesnya segera\n"
            "setelah file ditutup. File tidak hilang; catatan ini hilang sendiri setelahnya.\n"
        )
        atomic_write(note, text.encode())
        log.info("%s waits: still open in Office", path)

    def clear_still_open(self, path: Path) -> None:
        self.still_open_note(path).unlink(missing_ok=True)

    def _answered(self, folder: str) -> str:
        """The role whose outbox answers a drop in `folder`."""
        found = self.settings.sop.stage_for(folder)
        return found[0].role_for(found[1]) if found else self._role_of(folder)

    def _role_of(self, folder: str) -> str:
        parts = PurePosixPath(folder).parts
        if not parts or parts[0] in {".", ""}:
            return "umum"
        return "/".join(parts[:2]) if parts[0] == "bidang" and len(parts) > 1 else parts[0]

    def _folders_hint(self, folder: str) -> str:
        top = PurePosixPath(folder).parts[0] if folder not in {"", "."} else ""
        stages = self.settings.sop.stages
        inboxes = [s.inbox for s in stages if not top or s.inbox.startswith(top)] or [
            s.inbox for s in stages
        ]
        return ", ".join(f"inbox/{i.replace('{bidang}', '<bidang>')}/" for i in inboxes)

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
            self._file_archive(drop, outcome)
            crash_point("after-archive")

    def _commit(self, drop: Drop, outcome: Outcome) -> None:
        root = self.settings.root
        drop_id = self.journal.commit_outcome(drop, outcome, self.clock())
        crash_point("after-commit")
        move_file(drop.path, root / outcome.input_dest)
        crash_point("after-move")
        closed = outcome.case_id if outcome.closes_at else None
        tidy_after(root, (o.path for o in outcome.outputs), closed)
        self.journal.mark_moved(drop_id)  # done: a closing case shows closed only from here
        log.info("accepted %s for %s", drop.name, outcome.case_id)
        self.on_change()

    def _reject(
        self, drop: Drop, folder_role: str, reason: Rejected, *, unread: bool = False
    ) -> None:
        message = reason.message
        role, copy = answer_roles(drop.actor, folder_role)
        folder = self.settings.root / "outbox" / role / "ditolak"
        folder.mkdir(parents=True, exist_ok=True)
        dest = unique_path(folder, safe_filename(drop.name))
        now = self.clock()
        text = self._reason_text(drop, reason, now)
        atomic_write(dest.with_name(dest.name + REASON_SUFFIX), text.encode())
        if copy is not None:
            self._copy_notice(copy, dest, text)
        crash_point("after-reason")
        rel = dest.relative_to(self.settings.root).as_posix()
        drop_id = self.journal.commit_rejection(
            drop, rel, reason, role, reason.case_id or self._named_case(drop.name), now
        )
        (rename_file if unread else move_file)(drop.path, dest)
        self.journal.mark_moved(drop_id)
        log.warning("rejected %s (by %s): %s", drop.path, drop.actor.label, message)
        self.on_change()

    def _named_case(self, name: str) -> str | None:
        """The first case the file name names that the journal knows, if any."""
        known = [
            c for c in find_case_ids(self.settings.sop.case_prefix, name) if self.journal.case(c)
        ]
        return known[0] if known else None

    def _copy_notice(self, role: str, original: Path, text: str) -> None:
        """The folder owner's copy of a notice answered in the dropper's own outbox."""
        where = original.parent.relative_to(self.settings.root).as_posix()
        folder = self.settings.root / "outbox" / role / "ditolak"
        note = unique_path(folder, f"{original.name}{REASON_SUFFIX}")
        header = f"SALINAN UNTUK PEMILIK FOLDER — file asli dikembalikan ke {where}/\n\n"
        atomic_write(note, (header + text).encode())

    def _reason_text(self, drop: Drop, reason: Rejected, now: datetime) -> str:
        local = now.astimezone(self.settings.tz)
        message = reason.message
        lines = message if message.startswith("- ") else f"- {message}"
        return (
            "FILE DITOLAK\n\n"
            f"File        : {drop.name}\n"
            f"Diletakkan  : {inbox_label(drop.folder)}\n"
            f"Oleh        : {drop.actor.label}\n"
            f"Diperiksa   : {tanggal(local)} pukul {local:%H.%M}\n\n"
            f"Masalah:\n{lines}\n\n"
            "Yang perlu dilakukan:\n"
            f"{self._next_move(drop.folder, reason.resend)}\n"
            "File asli disimpan utuh di folder ini, di samping catatan ini.\n"
        )

    def _next_move(self, folder: str, resend: bool) -> str:
        if self.settings.sop.stage_for(folder) is None:
            return "Letakkan file di folder yang benar (lihat catatan di atas)."
        if not resend:
            return "Ikuti saran pada catatan di atas."  # it says where to go, or not to resend
        again = inbox_label(folder)
        return (
            "Ikuti saran pada catatan di atas. Bila file memang perlu dikirim ulang, letakkan "
            f"file yang sudah diperbaiki di {again}."
        )

    def _finish_move(self, record: DropRecord, src: Path) -> None:
        dest = self.settings.root / record.dest
        if dest.exists() and src.exists() and sha256_file(dest) == record.sha256:
            src.unlink()  # the link into place was made before the crash
        elif src.exists() or src.is_symlink():
            unread = src.is_symlink() or not os.access(src, os.R_OK)
            target = unique_path(dest.parent, dest.name) if dest.exists() else dest
            (rename_file if unread else move_file)(src, target)
        case = self.journal.case(record.case_id) if record.case_id else None
        if case is not None and record.outcome == "accepted":
            tidy_case(self.settings.root, case.id, case.closed or case.closing)
        self.journal.mark_moved(record.id)
        log.info("finished interrupted move of %s", record.name)

    def _file_archive(self, drop: Drop, outcome: Outcome) -> None:
        assert outcome.archive_dir and outcome.closes_at
        state = self.journal.case(outcome.case_id)
        assert state is not None
        files = [*self._case_files(outcome.case_id), self._signed_file(drop, outcome)]
        times = timeline(
            self.settings.sop,
            (*state.events, *outcome.events),
            outcome.closes_at,
            self.settings.office.calendar,
        )
        manifest = build_manifest(
            self.settings,
            state.id,
            state.period,
            state.opened_at,
            outcome.closes_at,
            files,
            times,
            {
                "distribution": self._distribution(outcome),
                "signature": outcome.signature,
                "bidang_data": {slug: d.to_json() for slug, d in sorted(state.bidang.items())},
            },
        )
        info = bag_info(self.settings, manifest, dict(outcome.signature or {}))
        work = self.settings.state_dir / "work"
        file_case(self.settings.root / outcome.archive_dir, files, manifest, info, work)

    def _distribution(self, outcome: Outcome) -> list[dict[str, str]]:
        emails = {d.recipient: d.email for d in outcome.deliveries}
        return [
            {
                "recipient": p.slug,
                "name": p.nama,
                "copy": f"outbox/distribusi/{p.slug}/",
                "email": emails.get(p.slug, ""),
            }
            for p in self.settings.office.penerima
        ]

    def _case_files(self, case_id: str) -> list[ArchivedFile]:
        prefix = f"berkas/{case_id}/"
        return [
            ArchivedFile(
                self.settings.root / f.path,
                f.path.removeprefix(prefix),
                f.role,
                f.step,
                f.kind,
                f.direction,
                f.at,
                f.sha256,
                f.size,
                f.actor,
            )
            for f in self.journal.files(case_id)
            if f.path.startswith(prefix)
        ]

    def _signed_file(self, drop: Drop, outcome: Outcome) -> ArchivedFile:
        name = outcome.input_dest.removeprefix(f"berkas/{outcome.case_id}/")
        return ArchivedFile(
            drop.path,
            name,
            outcome.input_role,
            outcome.input_step,
            outcome.input_kind,
            "in",
            self.clock(),
            drop.sha256,
            drop.size,
            drop.actor.label if drop.actor.known else "",
        )
