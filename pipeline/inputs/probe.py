"""Small reads every input check shares: a file's first and last bytes, a search through it,
and the wording of a truncated file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.core.errors import Rejected

HEAD_BYTES = 1024
TAIL_BYTES = 2048
SCAN_CHUNK = 1024 * 1024


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def read_tail(path: Path) -> bytes:
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - TAIL_BYTES))
        return handle.read()


def file_contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as handle:
        return stream_contains(iter(lambda: handle.read(SCAN_CHUNK), b""), (needle,))


def stream_contains(chunks: Iterator[bytes], needles: tuple[bytes, ...]) -> bool:
    overlap = max(len(n) for n in needles) - 1
    carry = b""
    for chunk in chunks:
        window = carry + chunk
        if any(n in window for n in needles):
            return True
        carry = window[len(window) - overlap :]  # (never the whole window when overlap is 0)
    return False


def truncated(noun: str) -> Rejected:
    return Rejected(
        f"file {noun} terpotong (tidak lengkap)",
        "Tunggu sampai penyalinan selesai, atau simpan ulang berkas lalu kirim lagi.",
    )
