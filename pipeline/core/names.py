"""File names from outside made safe, and paths that cannot leave their root.

Names come from drops, spreadsheet cells and case ids. `safe_filename` turns any of them into
one plain file name component that is valid on Linux and on the Windows clients of the share;
`pipeline.store.names.inside` joins parts under a root and refuses any result that resolves
outside it.
"""

from __future__ import annotations

import re
import unicodedata

FALLBACK_NAME = "berkas"
MIN_LEN = 16
MAX_NAME_BYTES = 255  # the limit of ext4, NTFS (in UTF-16 units) and most other file systems
MAX_EXT_LEN = 10  # a longer "extension" is kept as part of the stem

_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_DRIVE = re.compile(r"^[A-Za-z]:")
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")


def safe_filename(name: str, max_len: int = 120) -> str:
    """Return a safe single file name for `name`, never empty, at most `max_len` characters.

    Only the last component survives (both `/` and `\\` separate); drive letters, NUL, control
    and invisible format characters (e.g. right-to-left override) are removed; characters
    Windows forbids become `_`; runs of dots collapse to one and leading dots go (no `..`, no
    hidden files); trailing dots and spaces go; reserved Windows device names (CON, NUL, COM1 …)
    get a `_` prefix. The result is NFC-normalised and capped at `max_len` characters and 255
    UTF-8 bytes, keeping the extension.
    """
    if max_len < MIN_LEN:
        raise ValueError(f"max_len must be at least {MIN_LEN}")
    text = _basename(unicodedata.normalize("NFC", name))
    text = _strip_unsafe(text)
    text = _cap(text, max_len)
    return _unreserve(text or FALLBACK_NAME)


def _basename(name: str) -> str:
    last = re.split(r"[/\\]", name)[-1]
    return _DRIVE.sub("", last)


def _strip_unsafe(name: str) -> str:
    kept = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Cs"})
    kept = _SPACES.sub(" ", _WINDOWS_FORBIDDEN.sub("_", kept))
    kept = _DOTS.sub(".", kept)
    return _trim(kept)


def _trim(name: str) -> str:
    return name.lstrip(" .").rstrip(" .")


def _cap(name: str, max_len: int) -> str:
    if _fits(name, max_len):
        return name
    stem, ext = _split_ext(name)
    room = max_len - len(ext)
    while stem and not _fits(stem[:room] + ext, max_len):
        room -= 1
    capped = unicodedata.normalize("NFC", _trim(stem[:room]) + ext)
    return capped if _trim(stem[:room]) else capped.lstrip(".")


def _fits(name: str, max_len: int) -> bool:
    return len(name) <= max_len and len(name.encode("utf-8")) <= MAX_NAME_BYTES


def _split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) < MAX_EXT_LEN and ext.isalnum():
        return stem, "." + ext
    return name, ""


def _unreserve(name: str) -> str:
    device = name.split(".", 1)[0].rstrip(" ").upper()
    return "_" + name if device in _RESERVED else name
