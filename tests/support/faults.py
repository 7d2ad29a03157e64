"""Helpers for the intake's crash, kill, load and share tests.

- `Site`: a share with its state folder, which can be copied to replay the same drop twice;
- the real `pipeline watch` process (`run_once`, `start_watch`), and SIGKILL of it;
- `Desk`: each role's next file, made from what the pipeline handed out;
- `picture(site)`: a normalised picture of a share and its journal, equal for two runs of the
  same drops whatever their timing (generated documents are compared by name and completeness,
  inputs and their copies byte for byte);
- `audit(site, dropped, ...)`: what "nothing lost, nothing doubled" means, as a list of problems.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from docx import Document
from pypdf import PdfReader, PdfWriter

from pipeline.app import open_app
from pipeline.documents.materialize import PdfMaker
from pipeline.inputs.content import looks_complete
from pipeline.settings import Settings, load_settings
from pipeline.share import prepare_share
from pipeline.signing.specimen import wet_signed_scan
from pipeline.store.fsops import is_temp_name
from pipeline.store.journal import JOURNAL_FILE
from pipeline.watching.faults import CRASH_ENV
from pipeline.watching.watcher import Watcher
from tests.support.staff import fill_form, review_draft, text_pdf, wait_for
from tests.support.watching import watcher_thread

REPO = Path(__file__).resolve().parents[2]
PERIOD = "Triwulan III 2026"
PARAF_ROLES = ("kasubag-ppmep", "sekretaris")
TTD = "kepala-dinas/tanda-tangan"
BIG_PDF = 6 * 1024 * 1024
STATIC = ("config", "templates")
_GENERATED = re.compile(
    r"(Nota Dinas\.docx|Formulir Data Kinerja .+\.xlsx|Draf v\d+\.docx"
    r"|Untuk Ditandatangani\.(pdf|docx)|CATATAN\.txt|STATUS\.txt|\.ALASAN\.txt"
    r"|status\.html|halaman-\d+\.html|index\.html|daftar-arsip\.xlsx|bag-info\.txt)$"
)
_BAG_MANIFEST = re.compile(r"^(tag)?manifest-\w+\.txt$")
_LEFTOVER = re.compile(r"\.tmp(-[0-9a-f]+)?$")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a share and its state -------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    root: Path
    state: Path

    @classmethod
    def create(cls, base: Path, kantor: str | None = None) -> Site:
        """A fresh share under `base`, with `kantor` as its config/kantor.toml if given."""
        root, state = base / "share", base / "state"
        if kantor is not None:
            (root / "config").mkdir(parents=True)
            (root / "config" / "kantor.toml").write_text(kantor, encoding="utf-8")
        prepare_share(root, state)
        state.mkdir(parents=True, exist_ok=True)
        return cls(root.resolve(), state.resolve())

    def settings(self) -> Settings:
        return load_settings(self.root, self.state)

    def copy_to(self, base: Path) -> Site:
        """An exact copy (share and state) to run the same drops again."""
        shutil.copytree(self.root, base / "share", symlinks=True)
        shutil.copytree(self.state, base / "state", symlinks=True)
        return Site((base / "share").resolve(), (base / "state").resolve())

    def inbox(self, folder: str) -> Path:
        return self.root / "inbox" / folder


@dataclass(frozen=True)
class Dropped:
    """One file a member of staff put in an inbox folder."""

    folder: str
    name: str
    sha256: str


def drop(site: Site, source: Path, folder: str, name: str | None = None) -> Dropped:
    """Copy `source` into inbox/`folder`/ the way a desktop copy would."""
    dest = site.inbox(folder) / (name or source.name)
    shutil.copyfile(source, dest)
    return Dropped(folder, dest.name, sha256(dest))


# --- the real watcher process ----------------------------------------------------------------


def watch_argv(site: Site, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline",
        "watch",
        str(site.root),
        "--state",
        str(site.state),
        *extra,
    ]


def _env(crash_at: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    return env


def run_once(
    site: Site, crash_at: str | None = None, timeout: float = 300.0
) -> subprocess.CompletedProcess[str]:
    """`pipeline watch ROOT --once` as its own process (optionally crashing at a named point)."""
    return subprocess.run(
        watch_argv(site, "--once", "--settle", "0", "--incomplete-wait", "2"),
        cwd=REPO,
        env=_env(crash_at),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_watch(site: Site, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`pipeline watch ROOT` (continuous) in its own process group, its log appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            watch_argv(site, *extra),
            cwd=REPO,
            env=_env(None),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the watcher and everything it started (as a power cut would)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop_gently(process: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=timeout)


# --- reading the journal without disturbing a running watcher --------------------------------


@contextmanager
def journal(site: Site) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{site.state / JOURNAL_FILE}?mode=ro", uri=True, timeout=30)
    try:
        yield db
    finally:
        db.close()


def rows(site: Site, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    if not (site.state / JOURNAL_FILE).exists():
        return []
    with journal(site) as db:
        return list(db.execute(sql, params))


def committed_paths(site: Site) -> set[str]:
    """Paths of the outputs the journal has committed (what staff may act on): the case's own
    copy under berkas/<case>/keluar/, or the outbox path of an output the case does not keep."""
    return {path for (path,) in rows(site, "SELECT path FROM files WHERE direction = 'out'")}


def closed_cases(site: Site) -> list[str]:
    return [c for (c,) in rows(site, "SELECT id FROM cases WHERE closed_at IS NOT NULL")]


# --- what staff make from what the pipeline handed out ----------------------------------------


def one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {[p.name for p in found]}"
    return found[0]


class Desk:
    """Each role's next file, written in a scratch folder before it is dropped."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)

    def disposition(self, label: str, period: str = PERIOD) -> Path:
        """A disposition letter whose content is unique to `label`."""
        path = self.scratch / f"Disposisi {label} {period}.docx"
        doc = Document()
        doc.add_heading("LEMBAR DISPOSISI", level=1)
        doc.add_paragraph(f"Surat dari Inspektorat nomor {label}: permintaan data kinerja {period}")
        doc.add_paragraph("Diteruskan kepada: Sekretaris Dinas")
        doc.save(str(path))
        return path

    def form(self, site: Site, case: str, slug: str) -> Path:
        form = one(site.root / "outbox" / "bidang" / slug, f"{case} *.xlsx")
        bidang = site.settings().office.bidang_by_slug(slug)
        assert bidang is not None
        filled = self.scratch / form.name
        fill_form(form, filled, bidang)
        return filled

    def reviewed(self, site: Site, case: str, version: int = 1) -> Path:
        draft = one(site.root / "outbox" / "analis", f"{case} Draf v{version}.docx")
        path = self.scratch / f"{case} Draf v{version + 1}.docx"
        review_draft(draft, path)
        return path

    def paraf(self, site: Site, case: str, role: str) -> Path:
        copy = one(site.root / "outbox" / role, f"{case} Draf Final v* untuk paraf.docx")
        path = self.scratch / role / copy.name
        path.parent.mkdir(exist_ok=True)
        shutil.copyfile(copy, path)
        return path

    def signed(self, site: Site, case: str) -> Path:
        """The Head's signed copy: the printed signing copy, signed by hand and scanned."""
        issued = one(site.root / "outbox" / "kepala-dinas", f"{case} Untuk Ditandatangani.pdf")
        path = self.scratch / f"{case} Ditandatangani.pdf"
        path.write_bytes(wet_signed_scan(issued.read_bytes(), dpi=150))
        return path


# --- a picture of a share, for comparing two runs ---------------------------------------------


def picture(site: Site) -> dict[str, Any]:
    """Everything a run left, normalised: equal for two runs of the same drops."""
    return {"files": files_picture(site.root), "journal": journal_picture(site)}


def share_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.relative_to(root).parts[0] not in STATIC:
            yield path


def files_picture(root: Path) -> dict[str, Any]:
    return {path.relative_to(root).as_posix(): _fingerprint(path) for path in share_files(root)}


def _fingerprint(path: Path) -> Any:
    if path.name == "manifest.json" and path.parent.name == "data":
        return case_manifest(path)
    if _BAG_MANIFEST.match(path.name):
        return sorted(line.split(None, 1)[1] for line in path.read_text().splitlines())
    if "masuk" not in path.parts and _GENERATED.search(path.name):
        return "generated" if looks_complete(path) else "generated but INCOMPLETE"
    return sha256(path)


def case_manifest(path: Path) -> dict[str, Any]:
    """A case's manifest.json without times and without hashes of generated documents."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for stamp in ("opened_at", "closed_at"):
        data[stamp] = bool(data.get(stamp))
    data["files"] = sorted(_file_entry(f) for f in data["files"])
    data["timeline"] = [
        (t["no"], t["actor"], bool(t["started_at"]), bool(t["completed_at"]), t["late"])
        for t in data["timeline"]
    ]
    return data


def _file_entry(entry: dict[str, Any]) -> tuple[Any, ...]:
    keep = entry["direction"] == "in"
    content = (entry["sha256"], entry["size"]) if keep else ("generated",)
    return (
        entry["name"],
        entry["role"],
        entry["step"],
        entry["kind"],
        entry["direction"],
        *content,
    )


TABLES = ("cases", "files", "drops", "events", "bidang_data", "drafts", "deliveries")


def journal_picture(site: Site) -> dict[str, Any]:
    counts = {t: rows(site, f"SELECT COUNT(*) FROM {t}")[0][0] for t in TABLES}
    return {
        "counts": counts,
        "cases": rows(site, "SELECT id, period, closed_at IS NOT NULL, archive_dir FROM cases"),
        "events": rows(site, "SELECT case_id, name FROM events ORDER BY id"),
        "drops": sorted(
            rows(
                site,
                "SELECT folder, name, sha256, outcome, case_id, dest, role, moved FROM drops",
            )
        ),
        "files": sorted(
            rows(
                site,
                "SELECT case_id, direction, kind, role, step, path,"
                " CASE direction WHEN 'in' THEN sha256 ELSE '-' END FROM files",
            )
        ),
        "drafts": rows(site, "SELECT case_id, version, source FROM drafts ORDER BY case_id"),
    }


# --- nothing lost, nothing doubled -------------------------------------------------------------


def leftovers(root: Path) -> list[str]:
    """Temporary or half-written names anywhere in the share."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if is_temp_name(p.name) or _LEFTOVER.search(p.name)
    )


def audit(site: Site, dropped: Sequence[Dropped], *, cases: int, closed: int) -> list[str]:
    """Every problem with the end state after `dropped` were all dropped; [] when all is well."""
    return [
        *(f"left in the inbox: {p}" for p in _inbox_files(site)),
        *_each_drop_once(site, dropped),
        *_bytes_once(site, dropped),
        *(f"leftover: {p}" for p in leftovers(site.root)),
        *_cases_once(site, cases, closed),
    ]


def _inbox_files(site: Site) -> list[str]:
    inbox = site.root / "inbox"
    return [p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()]


def _each_drop_once(site: Site, dropped: Sequence[Dropped]) -> list[str]:
    table = Counter(
        (folder, digest, outcome, moved)
        for folder, digest, outcome, moved in rows(
            site, "SELECT folder, sha256, outcome, moved FROM drops"
        )
    )
    wanted = Counter((d.folder, d.sha256, "accepted", 1) for d in dropped)
    problems = [
        f"drop {key} recorded {table[key]}x, dropped {n}x"
        for key, n in wanted.items()
        if table[key] != n
    ]
    return problems + [f"unexpected drop row {key}" for key in table if key not in wanted]


def _bytes_once(site: Site, dropped: Sequence[Dropped]) -> list[str]:
    """Each dropped file's bytes sit in berkas/<case>/masuk/ as often as they were dropped."""
    kept = Counter(sha256(p) for p in site.root.glob("berkas/*/masuk/*"))
    wanted = Counter(d.sha256 for d in dropped)
    return [
        f"{d.folder}/{d.name}: {kept[d.sha256]} copies in berkas, {wanted[d.sha256]} dropped"
        for d in dropped
        if kept[d.sha256] != wanted[d.sha256]
    ]


def _cases_once(site: Site, cases: int, closed: int) -> list[str]:
    ids = [c for (c,) in rows(site, "SELECT id FROM cases")]
    problems = [] if len(ids) == cases else [f"{len(ids)} cases, expected {cases}"]
    shut = closed_cases(site)
    if len(shut) != closed:
        problems.append(f"{len(shut)} closed cases, expected {closed}")
    bags = sorted(p.name for p in site.root.glob("archive/*/*") if p.is_dir())
    if bags != sorted(shut):
        problems.append(f"archive holds {bags}, closed cases are {sorted(shut)}")
    problems += _each_event_once(site)
    problems += _drafts_in_order(site)
    return problems + _distributed_once(site, closed)


def _each_event_once(site: Site) -> list[str]:
    seen = Counter(rows(site, "SELECT case_id, name FROM events"))
    return [f"event {name} of {case} recorded {n}x" for (case, name), n in seen.items() if n > 1]


def _drafts_in_order(site: Site) -> list[str]:
    versions: dict[str, list[int]] = {}
    for case, version in rows(site, "SELECT case_id, version FROM drafts ORDER BY version"):
        versions.setdefault(case, []).append(version)
    return [
        f"drafts of {case}: {found}"
        for case, found in versions.items()
        if found != list(range(1, len(found) + 1))
    ]


def _distributed_once(site: Site, closed: int) -> list[str]:
    problems = []
    for folder in sorted((site.root / "outbox" / "distribusi").iterdir()):
        count = len([p for p in folder.iterdir() if p.suffix == ".pdf"])
        if count != closed:
            problems.append(f"{folder.name} received {count} records, expected {closed}")
    rejected = sorted(p.name for p in site.root.glob("outbox/**/ditolak/*"))
    return problems + [f"rejected: {name}" for name in rejected]


# --- a whole case uploaded the messy ways staff's PCs do ---------------------------------------


class Courier(Protocol):
    """How files reach the share: a local copy, or an SMB client."""

    def put(self, data: bytes, remote: str) -> None: ...

    def put_in_chunks(self, data: bytes, remote: str, chunk: int, pause: float) -> None: ...

    def put_presized(self, data: bytes, remote: str, pause: float) -> None: ...

    def rename(self, old: str, new: str) -> None: ...

    def delete(self, remote: str) -> None: ...


@dataclass(frozen=True)
class LocalCourier:
    """Writes straight into the shared folder, as a program on the file server would."""

    root: Path

    def put(self, data: bytes, remote: str) -> None:
        (self.root / remote).write_bytes(data)

    def put_in_chunks(self, data: bytes, remote: str, chunk: int, pause: float) -> None:
        with (self.root / remote).open("wb") as stream:
            for start in range(0, len(data), chunk):
                stream.write(data[start : start + chunk])
                stream.flush()
                time.sleep(pause)

    def put_presized(self, data: bytes, remote: str, pause: float) -> None:
        """Size the file first (zeros), close it, then write its bytes through a new handle."""
        with (self.root / remote).open("wb") as stream:
            stream.truncate(len(data))
        time.sleep(pause)
        with (self.root / remote).open("r+b") as stream:
            stream.write(data)

    def rename(self, old: str, new: str) -> None:
        (self.root / old).rename(self.root / new)

    def delete(self, remote: str) -> None:
        (self.root / remote).unlink()


def big_pdf(lines: list[str], size: int, seed: int = 40) -> bytes:
    """A readable PDF of about `size` bytes: `lines` as its text, plus an incompressible
    attachment (what a scanned letter with its enclosures weighs)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(lines))))
    writer.add_attachment("lampiran.bin", random.Random(seed).randbytes(size))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Hold(Protocol):
    """What the watcher knows of a queued file: how often it waited for an Office lock."""

    def lock_waits(self, path: Path) -> int: ...


@dataclass
class WholeCase:
    """One case, its files uploaded through `courier` the messy ways staff's PCs do:

    the disposition is a big PDF written in chunks with pauses, one bidang form is pre-sized
    (zeros first, bytes later), one is saved the way Excel saves (temporary name, then rename),
    the reviewed draft the way Word saves (`~WRLxxxx.tmp`, then rename), and the first paraf
    copy arrives while its Office lock file sits beside it.
    """

    site: Site
    desk: Desk
    courier: Courier
    hold: Hold
    pause: float
    dropped: list[Dropped] = field(default_factory=list)
    timeout: float = 120.0

    def play(self) -> str:
        self.disposition()
        case = self._wait_case()
        self.forms(case)
        self.draft(case)
        self.paraf_behind_a_lock(case)
        name = f"{case} Draf Final v2 untuk paraf.docx"
        self._wait_out(f"outbox/sekretaris/{name}")
        data = self.desk.paraf(self.site, case, "sekretaris").read_bytes()
        self.upload(data, "sekretaris/paraf", name)
        self._wait_out(f"berkas/{case}/keluar/{case} Untuk Ditandatangani.", prefix=True)
        self.upload(self.desk.signed(self.site, case).read_bytes(), TTD, f"{case} TTD.pdf")
        wait_for(lambda: case in closed_cases(self.site), f"{case} closed", self.timeout)
        return case

    def upload(self, data: bytes, folder: str, name: str, how: str = "put") -> None:
        remote = f"inbox/{folder}/{name}"
        if how == "chunks":
            self.courier.put_in_chunks(data, remote, chunk=len(data) // 8 + 1, pause=self.pause)
        elif how == "presized":
            self.courier.put_presized(data, remote, pause=self.pause * 2)
        elif how in {"excel", "word"}:
            temporary = f"inbox/{folder}/{'3F2A91C0' if how == 'excel' else '~WRL0001.tmp'}"
            self.courier.put(data, temporary)
            self.courier.rename(temporary, remote)
        else:
            self.courier.put(data, remote)
        self.dropped.append(Dropped(folder, name, hashlib.sha256(data).hexdigest()))

    def disposition(self) -> None:
        data = big_pdf(["LEMBAR DISPOSISI", f"Permintaan data kinerja {PERIOD}"], BIG_PDF)
        self.upload(
            data, "kepala-dinas/disposisi-data-kinerja", f"Disposisi {PERIOD}.pdf", how="chunks"
        )

    def forms(self, case: str) -> None:
        ways = ("presized", "excel")
        for index, b in enumerate(self.site.settings().office.bidang):
            name = f"{case} Formulir Data Kinerja {b.slug}.xlsx"
            self._wait_out(f"berkas/{case}/keluar/{name}")
            data = self.desk.form(self.site, case, b.slug).read_bytes()
            self.upload(data, f"bidang/{b.slug}", name, ways[index] if index < 2 else "put")

    def draft(self, case: str) -> None:
        self._wait_out(f"berkas/{case}/keluar/{case} Draf v1.docx")
        data = self.desk.reviewed(self.site, case).read_bytes()
        self.upload(data, "analis/draf", f"{case} Draf v2.docx", how="word")

    def paraf_behind_a_lock(self, case: str) -> None:
        name = f"{case} Draf Final v2 untuk paraf.docx"
        self._wait_out(f"outbox/kasubag-ppmep/{name}")
        lock = f"inbox/kasubag-ppmep/paraf/~${name[2:]}"  # Word's owner file
        self.courier.put(b"\x0bkasubag\x00" * 16, lock)
        self.upload(
            self.desk.paraf(self.site, case, "kasubag-ppmep").read_bytes(),
            "kasubag-ppmep/paraf",
            name,
        )
        path = self.site.inbox("kasubag-ppmep/paraf") / name
        wait_for(lambda: self.hold.lock_waits(path) >= 2, "the watcher to see the lock", 30)
        assert path.is_file(), "a drop open in Office must wait"
        assert not rows(self.site, "SELECT id FROM drops WHERE name = ?", (name,))
        self.courier.delete(lock)

    def _wait_case(self) -> str:
        wait_for(lambda: rows(self.site, "SELECT id FROM cases"), "the case opened", self.timeout)
        return str(rows(self.site, "SELECT id FROM cases")[0][0])

    def _wait_out(self, path: str, *, prefix: bool = False) -> None:
        def there() -> bool:
            paths = committed_paths(self.site)
            return any(p.startswith(path) for p in paths) if prefix else path in paths

        wait_for(there, path, self.timeout)


@contextmanager
def watching(
    site: Site, *, polling: bool, settle: float = 0.5, to_pdf: PdfMaker | None = None
) -> Iterator[Watcher]:
    """The pipeline's own Watcher on `site`, run from a thread as `pipeline watch` runs it
    (`to_pdf` replaces LibreOffice, e.g. to skip the signing PDF under load)."""
    app = open_app(site.settings(), to_pdf=to_pdf)
    try:
        with watcher_thread(app, polling=polling, settle=settle) as watcher:
            yield watcher
    finally:
        app.close()
