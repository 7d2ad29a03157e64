"""A document's tables as plain rectangles of cells, whatever file they came from.

Word merges cells with `gridSpan` (across) and `vMerge` (down), Excel with merged ranges. Here
every position of a table has a `Cell`; the positions a merged cell covers beyond its first
one hold a copy of it marked `continued`, so a header label is found under every column it
spans, and a value is read once, at its first position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WHITE = frozenset({"", "AUTO", "NONE", "FFFFFF", "FFFFFFFF"})
"""Colour values that show no shading."""


@dataclass(frozen=True)
class Cell:
    text: str = ""
    drawn: bool = False
    """A symbol, picture or shape (not a line or arrow) sits in the cell."""
    fill: str | None = None
    """The cell's shading colour; None when it has none or is white."""
    continued: bool = False
    """This position continues a merged cell that starts above or to the left."""


Row = tuple[Cell, ...]
Grid = tuple[Row, ...]


@dataclass(frozen=True)
class Source:
    """What the importer reads of a document: its tables, and its lines of text outside them."""

    name: str
    grids: tuple[Grid, ...]
    lines: tuple[str, ...] = ()


def clean(text: str) -> str:
    """Text as one line: runs of spaces, tabs and line breaks become one space."""
    return " ".join(text.split())


def rectangle(rows: Sequence[Sequence[Cell]]) -> Grid:
    """The rows padded with empty cells to the widest one."""
    width = max((len(row) for row in rows), default=0)
    return tuple(tuple(row) + (Cell(),) * (width - len(row)) for row in rows)


def shown_colour(colour: str | None) -> str | None:
    """`colour` in upper case, or None when it shows no shading."""
    value = (colour or "").strip().upper()
    return None if value in WHITE else value


def is_line_geometry(preset: str) -> bool:
    """DrawingML presets that connect the flowchart's boxes rather than mark an actor: `line`,
    `straightConnector1`, `bentConnector3`, block arrows such as `downArrow`."""
    return preset == "line" or "Connector" in preset or preset.endswith("Arrow")
