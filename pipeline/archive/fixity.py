"""Fixity of a BagIt bag: every file read once, through every algorithm its manifests declare.

Interface:

    reader = Reader()                           # one reused read buffer (per thread or process)
    report = reader.check_bag(bag_dir)          # BagReport: missing, extra, altered, errors
    report = reader.check_bag(bag_dir, only=("sha256",), keep=("data/manifest.json",))

A bag declares its digests in `manifest-<alg>.txt` (payload) and `tagmanifest-<alg>.txt` (tag
files). Each listed file is opened once and streamed through one hasher per algorithm that lists
it, `readinto` a buffer allocated once per `Reader`: a 15 KB file costs one open, its reads and
the hashing itself. A payload manifest is checked against the tag manifests in the same read
that parses it. Missing, added (unlisted) and altered files are reported separately; a payload
file listed in one payload manifest but not in another, an unknown algorithm or an unreadable
manifest is an error. `keep` asks for the verified bytes of a few small files (the case
manifest), so what is parsed afterwards is exactly what was hashed; `digests` holds the digests
of every file found intact.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUFFER_SIZE = 256 * 1024  # stays in the L2 cache while every hasher reads it
SUPPORTED = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})
CONSTRUCTORS: dict[str, Callable[[], Any]] = {name: getattr(hashlib, name) for name in SUPPORTED}
PAYLOAD_PREFIX = "manifest-"
TAG_PREFIX = "tagmanifest-"


@dataclass(frozen=True)
class BagReport:
    """The fixity of one bag; paths are relative to the bag folder (e.g. `data/x.pdf`)."""

    bag_dir: Path
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    altered: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    files_checked: int = 0
    bytes_checked: int = 0
    algorithms: tuple[str, ...] = ()
    kept: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    digests: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.altered or self.errors)


class ManifestError(ValueError):
    """A manifest line that is not `<digest> <path>`, or an algorithm hashlib lacks."""


def decode_path(path: str) -> str:
    return path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def read_manifest(path: Path) -> dict[str, str]:
    """{bag-relative path: digest} from a manifest or tag manifest file."""
    return parse_manifest(path.name, path.read_bytes())


def parse_manifest(name: str, data: bytes) -> dict[str, str]:
    """{bag-relative path: digest} from the bytes of the manifest file `name`."""
    entries = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        digest, sep, path = line.strip().partition(" ")
        if not sep:
            if digest:
                raise ManifestError(f"{name} line {number}: not '<digest> <path>'")
            continue
        path = path.strip()
        if "%" in path:
            path = decode_path(path)
        entries[path.removeprefix("./")] = digest.lower()
    return entries


def walk_relative(bag_dir: Path) -> Iterator[str]:
    """Every file under `bag_dir` as a bag-relative posix path."""
    top = str(bag_dir)
    cut = len(top) + 1
    for folder, _dirs, files in os.walk(top):
        prefix = "" if folder == top else folder[cut:].replace(os.sep, "/") + "/"
        for name in files:
            yield prefix + name


class Reader:
    """Hashes files through a buffer allocated once; not shared between threads."""

    def __init__(self, size: int = BUFFER_SIZE) -> None:
        self._buffer = bytearray(size)
        self._view = memoryview(self._buffer)

    def digests(self, path: Path | str, algorithms: Collection[str]) -> tuple[dict[str, str], int]:
        """The hex digests of `path` in every algorithm, and its size, from one read."""
        digests, size, _ = self.read(path, algorithms, keep=False)
        return digests, size

    def read(
        self, path: Path | str, algorithms: Collection[str], keep: bool
    ) -> tuple[dict[str, str], int, bytes]:
        """Digests and size of `path`, and its bytes if `keep` (else b"")."""
        hashers = [CONSTRUCTORS[name]() for name in algorithms]
        view, size, chunks = self._view, 0, []
        with io.FileIO(path) as reader:  # unbuffered: reads straight into the buffer
            while count := reader.readinto(self._buffer):
                chunk = view[:count]
                for hasher in hashers:
                    hasher.update(chunk)
                if keep:
                    chunks.append(bytes(chunk))
                size += count
        return {h.name: h.hexdigest() for h in hashers}, size, b"".join(chunks)

    def check_bag(
        self,
        bag_dir: Path,
        only: Collection[str] | None = None,
        keep: Collection[str] = (),
    ) -> BagReport:
        """Re-hash `bag_dir` against every manifest it has (or the algorithms in `only`)."""
        listing = set(walk_relative(bag_dir)) if bag_dir.is_dir() else set()
        check = _BagCheck(self, bag_dir, listing, frozenset(keep))
        try:
            check.read_manifests(only)
        except (ManifestError, OSError, UnicodeDecodeError) as exc:
            return BagReport(bag_dir, errors=(f"unreadable manifest: {exc}",))
        if "bagit.txt" not in listing or not check.payload_algorithms:
            wanted = "/".join(sorted(only)) if only else "*"
            return BagReport(bag_dir, errors=(f"not a bag with manifest-{wanted}.txt",))
        return check.run()


class _BagCheck:
    """One bag being checked: what its manifests declare, and what was found so far."""

    def __init__(
        self, reader: Reader, bag_dir: Path, listing: set[str], keep: frozenset[str]
    ) -> None:
        self.reader, self.bag_dir, self.listing, self.keep = reader, bag_dir, listing, keep
        self.top = str(bag_dir)
        self.payload: dict[str, dict[str, str]] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.payload_algorithms: list[str] = []
        self.tag_algorithms: list[str] = []
        self.done: set[str] = set()
        self.altered: list[str] = []
        self.errors: list[str] = []
        self.files = self.size = 0
        self.kept: dict[str, bytes] = {}
        self.verified: dict[str, Mapping[str, str]] = {}

    def read_manifests(self, only: Collection[str] | None) -> None:
        """Tag manifests first, then each payload manifest in the same read that checks it."""
        tag_names, payload_names = _manifest_names(self.listing, only)
        for algorithm, name in tag_names:
            _, _, data = self.reader.read(f"{self.top}/{name}", (), keep=True)
            _merge(self.tags, algorithm, parse_manifest(name, data))
            self.tag_algorithms.append(algorithm)
        for algorithm, name in payload_names:
            found = self._check_file(name, self.tags.get(name, {}), keep=True)
            if found is None:
                raise ManifestError(f"{name} cannot be read")
            _merge(self.payload, algorithm, parse_manifest(name, found))
            self.payload_algorithms.append(algorithm)

    def run(self) -> BagReport:
        expected = {**self.tags, **self.payload}
        self.errors[:0] = _declaration_errors(self)
        for relative in sorted(expected.keys() & self.listing - self.done):
            self._check_file(relative, expected[relative], keep=relative in self.keep)
        no_tags = not self.tag_algorithms
        extra = (p for p in self.listing - expected.keys() if not _unlisted(p, no_tags))
        return BagReport(
            bag_dir=self.bag_dir,
            missing=tuple(sorted(expected.keys() - self.listing)),
            extra=tuple(sorted(extra)),
            altered=tuple(sorted(self.altered)),
            errors=tuple(self.errors),
            files_checked=self.files,
            bytes_checked=self.size,
            algorithms=tuple(self.payload_algorithms),
            kept=self.kept,
            digests=self.verified,
        )

    def _check_file(self, relative: str, wanted: Mapping[str, str], keep: bool) -> bytes | None:
        """Hash `relative` once through the algorithms of `wanted`; its bytes if `keep` (also
        when altered: a payload manifest is read even when it no longer matches)."""
        self.done.add(relative)
        try:
            found, size, data = self.reader.read(f"{self.top}/{relative}", wanted.keys(), keep)
        except OSError as exc:
            self.errors.append(f"{relative}: cannot be read ({exc.strerror})")
            return None
        if wanted:
            self.files += 1
            self.size += size
            if found == wanted:
                self.verified[relative] = wanted
                if keep:
                    self.kept[relative] = data
            else:
                self.altered.append(relative)
        return data


def _manifest_names(
    listing: set[str], only: Collection[str] | None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(algorithm, file name) of the tag manifests and of the payload manifests."""
    tags: list[tuple[str, str]] = []
    payload: list[tuple[str, str]] = []
    for name in sorted(p for p in listing if "/" not in p and p.endswith(".txt")):
        kind, _, algorithm = name.removesuffix(".txt").rpartition("-")
        if kind + "-" not in (PAYLOAD_PREFIX, TAG_PREFIX) or (only and algorithm not in only):
            continue
        if algorithm not in SUPPORTED:
            raise ManifestError(f"{name}: algorithm {algorithm!r} is not supported")
        (tags if kind + "-" == TAG_PREFIX else payload).append((algorithm, name))
    return tags, payload


def _merge(into: dict[str, dict[str, str]], algorithm: str, entries: Mapping[str, str]) -> None:
    for path, digest in entries.items():
        into.setdefault(path, {})[algorithm] = digest


def _declaration_errors(check: _BagCheck) -> list[str]:
    """Each payload file must be in every payload manifest; each payload algorithm should have
    its tag manifest (RFC 8493 2.2.1 and 2.2.1's tag manifests, as `make_bag` writes them)."""
    errors = [
        f"tagmanifest-{a}.txt is missing"
        for a in check.payload_algorithms
        if a not in check.tag_algorithms
    ]
    every = set(check.payload_algorithms)
    for path, digests in sorted(check.payload.items()):
        for algorithm in sorted(every - digests.keys()):
            errors.append(f"{path}: not listed in manifest-{algorithm}.txt")
    return errors


def _unlisted(relative: str, no_tag_manifest: bool) -> bool:
    """Tag manifests list every tag file but themselves; without one, tag files are unlisted."""
    top_level = "/" not in relative
    return top_level and (relative.startswith(TAG_PREFIX) or no_tag_manifest)
