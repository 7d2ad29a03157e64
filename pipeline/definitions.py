"""SOP definition files: reading `config/sop/*.toml`, naming each problem with its line.

sops = load_all(root / "config" / "sop")       # ConfigError listing every problem
check = check_file(path)                          # (definition or None, located problems)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.engine.definition import Path_, Problem, parse
from pipeline.engine.model import SopDef

SOP_FOLDER = "sop"
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$")


@dataclass(frozen=True)
class Located:
    """A problem of a definition file, with the line it concerns (1-based)."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file.name}: line {self.line}: {self.message}"


def check_file(path: Path) -> tuple[SopDef | None, list[Located]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Located(path, 1, f"cannot read the file: {exc}")]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [Located(path, _toml_line(exc), f"not valid TOML: {exc}")]
    found, problems = parse(raw, path.name)
    located = [Located(path, locate(text, p.path), p.message) for p in problems]
    return found, sorted(located, key=lambda p: p.line)


def _toml_line(exc: tomllib.TOMLDecodeError) -> int:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else 1


def definition_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def load_all(folder: Path) -> tuple[SopDef, ...]:
    """Every definition in `folder`; any problem in any of them stops start-up, all named."""
    files = definition_files(folder)
    if not files:
        raise ConfigError(
            f"no SOP definition in {folder} (pipeline init installs the shipped ones)"
        )
    sops, problems = [], []
    for path in files:
        found, located = check_file(path)
        problems += located
        if found is not None:
            sops.append(found)
    if problems:
        raise ConfigError("SOP definition(s) cannot be used:\n" + "\n".join(map(str, problems)))
    return tuple(sops)


def locate(text: str, path: Path_) -> int:
    """The line of `text` that `path` (from `parse`) points at; the best match found."""
    lines = text.splitlines()
    line, rest = _section(lines, path)
    return _key_line(lines, line, rest) + 1


def _section(lines: Sequence[str], path: Path_) -> tuple[int, Path_]:
    """The header line of the table `path` starts in, and what is left of the path."""
    if not path or not isinstance(path[0], str):
        return 0, ()
    name, start, rest = path[0], 0, path[1:]
    if rest and isinstance(rest[0], int):
        start = _nth_header(lines, name, rest[0], 0)
        rest = rest[1:]
        if len(rest) >= 2 and isinstance(rest[1], int):  # a sub-table: tahap.naskah
            start = _nth_header(lines, f"{name}.{rest[0]}", rest[1], start)
            rest = rest[2:]
        return start, rest
    return _nth_header(lines, str(name), 1, 0), rest


def _nth_header(lines: Sequence[str], name: str, n: int, start: int) -> int:
    seen = 0
    for number in range(start, len(lines)):
        match = _HEADER.match(lines[number])
        if match and match.group(1) == name:
            seen += 1
            if seen == n:
                return number
    return start


def _key_line(lines: Sequence[str], start: int, rest: Path_) -> int:
    if not rest or not isinstance(rest[0], str):
        return start
    key = re.compile(rf"^\s*\"?{re.escape(rest[0])}\"?\s*=")
    for number in range(start + 1, len(lines)):
        if _HEADER.match(lines[number]):
            break
        if key.match(lines[number]):
            return number
    return start


def problems_text(problems: Sequence[Located | Problem]) -> str:
    return "\n".join(str(p) for p in problems)
