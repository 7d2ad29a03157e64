"""BagIt (RFC 8493) dossiers of closed cases, and their fixity check.

Interface:

    make_bag(src_dir, bag_dir, {"Source-Organization": ..., "External-Identifier": ...})
    report = verify_bag(bag_dir)     # BagReport: missing, extra, altered files; report.ok

`make_bag` copies `src_dir` into `data/` of a temporary sibling of `bag_dir` while hashing each
file once (sha256 and sha512), writes `bagit.txt`, `bag-info.txt`, both payload manifests and
both tag manifests, fsyncs everything and renames the folder into place. An existing `bag_dir`
is never touched. The layout is what the `bagit` package writes and validates; the bag is built
here rather than by `bagit.make_bag` because that function changes the process's working
directory, which is not safe while the watcher's other threads run.

`verify_bag` re-hashes the bag (see `fixity`): each file read once through every algorithm its
manifests declare (sha256 and sha512 here), tag files against the tag manifests, and reports
missing, extra and altered files separately.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.archive.fixity import BagReport, Reader
from pipeline.core.errors import PipelineError
from pipeline.store.fsops import fsync_dir

log = logging.getLogger(__name__)

ALGORITHMS = ("sha256", "sha512")
BUFFER_SIZE = 4 * 1024 * 1024  # copying: large writes
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
AGENT = "sop-pipeline (RFC 8493)"
# RFC 8493 percent-encodes these in manifests, the `bagit` package (BagIt 0.97) does not encode
# "%": a name containing one would read differently in the two, so such names are refused.
UNSAFE_NAME_CHARS = frozenset("%\r\n")


class BagError(PipelineError):
    """A bag cannot be made (destination exists, source unreadable, bad bag-info label)."""


@dataclass
class _Hashed:
    """Digests of the files written so far, keyed by bag-relative posix path."""

    digests: dict[str, dict[str, str]] = field(default_factory=dict)
    total_bytes: int = 0


# ---------------------------------------------------------------- making


def make_bag(src_dir: Path, bag_dir: Path, info: Mapping[str, str]) -> None:
    """Make the bag of `src_dir` at `bag_dir` (which must not exist yet)."""
    if bag_dir.exists():
        raise BagError(f"bag {bag_dir} already exists; the archive is never overwritten")
    if not src_dir.is_dir():
        raise BagError(f"bag source {src_dir} is not a folder")
    bag_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _staging_dir(bag_dir)
    try:
        _fill_bag(src_dir, tmp, info)
        _fsync_tree(tmp)
        tmp.rename(bag_dir)  # fails on a non-empty bag_dir created meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(bag_dir.parent)
    log.info("bag written: %s", bag_dir)


def _staging_dir(bag_dir: Path) -> Path:
    """`.<case>.<8 random>.tmp` beside the bag, made like any folder there (mode 0777 less the
    umask), so that it takes the archive's inherited permissions, as mkdtemp's 0700 would not."""
    for _ in range(100):
        tmp = bag_dir.with_name(f".{bag_dir.name}.{secrets.token_hex(4)}.tmp")
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp
    raise BagError(f"cannot make a staging folder beside {bag_dir}")


def _fill_bag(src_dir: Path, tmp: Path, info: Mapping[str, str]) -> None:
    hashed = _Hashed()
    for source in sorted(_walk_files(src_dir)):
        relative = "data/" + source.relative_to(src_dir).as_posix()
        _copy_hashing(source, tmp / relative, relative, hashed)
    (tmp / "data").mkdir(exist_ok=True)
    _write_text(tmp / "bagit.txt", BAGIT_TXT)
    _write_text(tmp / "bag-info.txt", bag_info_text(info, hashed.total_bytes, len(hashed.digests)))
    for algorithm in ALGORITHMS:
        lines = manifest_lines({p: d[algorithm] for p, d in hashed.digests.items()})
        _write_text(tmp / f"manifest-{algorithm}.txt", lines)
    _write_tag_manifests(tmp)


def _walk_files(root: Path) -> Iterator[Path]:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                raise BagError(f"symbolic link in bag source: {path}")
            if UNSAFE_NAME_CHARS & set(str(path.relative_to(root))):
                raise BagError(f"file name with %, CR or LF cannot be bagged portably: {path}")
            yield path


def _copy_hashing(source: Path, dest: Path, relative: str, hashed: _Hashed) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    hashers = [hashlib.new(name) for name in ALGORITHMS]
    buffer = bytearray(BUFFER_SIZE)
    view = memoryview(buffer)
    with source.open("rb") as reader, dest.open("xb") as writer:
        while size := reader.readinto(buffer):
            for hasher in hashers:
                hasher.update(view[:size])
            writer.write(view[:size])
            hashed.total_bytes += size
        writer.flush()
        os.fsync(writer.fileno())
    stat = source.stat()  # the times only: permissions come from the archive folder
    os.utime(dest, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    hashed.digests[relative] = {h.name: h.hexdigest() for h in hashers}


def _write_tag_manifests(tmp: Path) -> None:
    tag_files = ["bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in ALGORITHMS)]
    for algorithm in ALGORITHMS:
        digests = {name: hash_file(tmp / name, (algorithm,))[algorithm] for name in tag_files}
        _write_text(tmp / f"tagmanifest-{algorithm}.txt", manifest_lines(digests))


def bag_info_text(info: Mapping[str, str], total_bytes: int, total_files: int) -> str:
    """bag-info.txt: the caller's labels plus Bagging-Date, Payload-Oxum and the agent."""
    fields = {"Bagging-Date": date.today().isoformat(), "Bag-Software-Agent": AGENT, **info}
    fields["Payload-Oxum"] = f"{total_bytes}.{total_files}"
    lines = []
    for label, value in fields.items():
        if not label or ":" in label or label != label.strip() or "\n" in label:
            raise BagError(f"invalid bag-info label {label!r}")
        lines.append(f"{label}: {' '.join(str(value).split())}\n")
    return "".join(lines)


def manifest_lines(digests: Mapping[str, str]) -> str:
    """`<digest> <path>` lines, sorted (names needing percent-encoding are refused earlier)."""
    return "".join(f"{digests[path]} {path}\n" for path in sorted(digests))


def _write_text(path: Path, text: str) -> None:
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, _files in os.walk(root, topdown=False):
        fsync_dir(Path(folder))


# ---------------------------------------------------------------- verifying


def hash_file(path: Path, algorithms: Iterable[str]) -> dict[str, str]:
    """Stream `path` once through every algorithm."""
    return Reader().digests(path, tuple(algorithms))[0]


def verify_bag(bag_dir: Path, algorithm: str | None = None) -> BagReport:
    """Re-hash `bag_dir` in one read per file: tag files against the tag manifests, payload
    against every payload manifest (or only those of `algorithm`)."""
    return Reader().check_bag(bag_dir, only=(algorithm,) if algorithm else None)
