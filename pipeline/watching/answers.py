"""Answering staff in their outbox: a refused drop goes back with its reason (`<name>.ALASAN.txt`),
and a drop held open in Office gets a note telling its owner to close it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath

from pipeline.core.assign import find_case_ids
from pipeline.core.errors import Rejected
from pipeline.core.names import safe_filename
from pipeline.core.people import answer_roles
from pipeline.core.values import Drop, inbox_label
from pipeline.engine.contexts import tanggal
from pipeline.engine.routing import Place, every_place, places_of
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_write, rename_file, unique_path
from pipeline.store.journal import Journal
from pipeline.watching.faults import crash_point
from pipeline.watching.held import keep_drop

log = logging.getLogger(__name__)
REASON_SUFFIX = ".ALASAN.txt"
STILL_OPEN_PREFIX = "MASIH TERBUKA - "


class Answers:
    """Where and how a drop in a folder is answered."""

    def __init__(self, settings: Settings, journal: Journal, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.journal = journal
        self.clock = clock
        self.inbox = settings.root / "inbox"

    # --- whose outbox -----------------------------------------------------------------------

    def folder_role(self, folder: str) -> str:
        """The role whose outbox answers a drop in `folder`."""
        places = places_of(self.settings.sops, self.settings.units, folder)
        return places[0].role if places else _role_of(folder)

    def folders_hint(self, folder: str) -> str:
        top = PurePosixPath(folder).parts[0] if folder not in {"", "."} else ""
        every = sorted({p.stage.inbox(_generic(p.role)) for p in self._places()})
        near = [f for f in every if top and f.startswith(top)] or every
        return ", ".join(f"inbox/{f}/" for f in near)

    def _places(self) -> list[Place]:
        return list(every_place(self.settings.sops, self.settings.units))

    def known_folder(self, folder: str) -> bool:
        return bool(places_of(self.settings.sops, self.settings.units, folder))

    # --- a refused drop ---------------------------------------------------------------------

    def reject(self, drop: Drop, reason: Rejected, *, unread: bool = False) -> None:
        role, copy = answer_roles(drop.actor, self.folder_role(drop.folder))
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
        case_id = reason.case_id or self._named_case(drop.name)
        drop_id = self.journal.commit_rejection(drop, rel, reason, role, case_id, now)
        if unread:
            rename_file(drop.path, dest)
        else:
            keep_drop(drop, dest)
        self.journal.mark_moved(drop_id)
        shown = drop.inbox or drop.path
        log.warning("rejected %s (by %s): %s", shown, drop.actor.label, reason.message)

    def _named_case(self, name: str) -> str | None:
        """The first case the file name names that the journal knows, if any."""
        found = [c for sop in self.settings.sops for c in find_case_ids(sop.kode, name)]
        known = [c for c in found if self.journal.case(c)]
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
        if not self.known_folder(folder):
            return "Letakkan file di folder yang benar (lihat catatan di atas)."
        if not resend:
            return "Ikuti saran pada catatan di atas."  # it says where to go, or not to resend
        return (
            "Ikuti saran pada catatan di atas. Bila file memang perlu dikirim ulang, letakkan "
            f"file yang sudah diperbaiki di {inbox_label(folder)}."
        )

    # --- a drop held open in Office ---------------------------------------------------------

    def still_open_note(self, path: Path) -> Path:
        folder = path.parent.relative_to(self.inbox).as_posix()
        outbox = self.settings.root / "outbox" / self.folder_role(folder)
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
            "'~$…' di sampingnya). Tutup file itu di komputer Anda: sistem memprosesnya segera\n"
            "setelah file ditutup. File tidak hilang; catatan ini hilang sendiri setelahnya.\n"
        )
        atomic_write(note, text.encode())
        log.info("%s waits: still open in Office", path)

    def clear_still_open(self, path: Path) -> None:
        self.still_open_note(path).unlink(missing_ok=True)


def _role_of(folder: str) -> str:
    parts = PurePosixPath(folder).parts
    if not parts or parts[0] in {".", ""}:
        return "umum"
    return "/".join(parts[:2]) if parts[0] == "bidang" and len(parts) > 1 else parts[0]


def _generic(role: str) -> str:
    """A unit role shown to staff as the pattern every bidang follows."""
    return "bidang/<bidang>" if role.startswith("bidang/") else role
