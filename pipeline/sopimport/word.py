"""Reading the tables of a Word .docx for the importer: text, merges, shading and marks.

Tables come from the page headers first (offices often put the SOP's identity block there, so
that it repeats on every page), then from the body, nested tables included, in document order.
A cell's text is the text of its own paragraphs; text inside shapes (the words written in a
flowchart box) is not the cell's. A cell is `drawn` when it holds a symbol (`w:sym`), a
picture, an embedded object or a shape; lines, connectors, block arrows and invisible text
boxes are left out, because they join the flowchart's boxes across other actors' columns.
A floating shape belongs to the cell its anchor paragraph is in.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.exceptions import OpcError

from pipeline.core.errors import ConfigError
from pipeline.sopimport.grid import (
    Cell,
    Grid,
    Source,
    clean,
    is_line_geometry,
    rectangle,
    shown_colour,
)

log = logging.getLogger(__name__)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
WPS = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
VML_OFFICE = "{urn:schemas-microsoft-com:office:office}"

TEXT_SKIPPED = frozenset(
    {f"{W}drawing", f"{W}pict", f"{W}object", f"{MC}AlternateContent", f"{W}tbl"}
)
SPACES = frozenset({f"{W}tab", f"{W}br", f"{W}cr"})
MARKS = frozenset({f"{W}sym", f"{W}object", f"{PIC}pic", f"{V}image"})
VML_SHAPES = frozenset({f"{V}shape", f"{V}rect", f"{V}oval", f"{V}roundrect"})
VML_LINES = frozenset({f"{V}line", f"{V}polyline", f"{V}arc", f"{V}curve", f"{V}shapetype"})
"""Found and marking nothing: lines, and the shape types other shapes refer to."""
NOT_SEARCHED = frozenset({f"{W}tbl", f"{MC}Fallback"})
VML_CONNECTORS = frozenset({"#_x0000_t32", "#_x0000_t33", "#_x0000_t34", "#_x0000_t38"})
FOUND = MARKS | VML_SHAPES | VML_LINES | {f"{WPS}wsp"}
OFF = frozenset({"f", "false"})


def read_docx(path: Path) -> Source:
    document = _open(path)
    roots = [*_header_roots(document), document.element.body]
    grids = tuple(_grid(table) for root in roots for table in root.iter(f"{W}tbl"))
    lines = tuple(line for root in roots for line in _loose_lines(root) if line)
    log.debug("%s: %d table(s), %d line(s) outside tables", path.name, len(grids), len(lines))
    return Source(path.name, grids, lines)


def _open(path: Path) -> Any:
    try:
        return docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ConfigError(
            f"{path.name} cannot be read as a Word document ({exc}); open it in Word or "
            "LibreOffice and save it as .docx"
        ) from exc


def _header_roots(document: Any) -> Iterator[Any]:
    for rel in document.part.rels.values():
        if rel.reltype == RELATIONSHIP_TYPE.HEADER and not rel.is_external:
            yield rel.target_part.element


def _loose_lines(root: Any) -> Iterator[str]:
    """The text of each paragraph that is not in a table."""
    for paragraph in root.iter(f"{W}p"):
        if next(paragraph.iterancestors(f"{W}tbl"), None) is None:
            yield clean("".join(_text(paragraph)))


# --- a table as a grid -----------------------------------------------------------------------


def _grid(table: Any) -> Grid:
    rows: list[list[Cell]] = []
    for tr in _children(table, "tr"):
        rows.append(_row(tr, rows[-1] if rows else []))
    return rectangle(rows)


def _row(tr: Any, above: list[Cell]) -> list[Cell]:
    cells = [Cell()] * _grid_before(tr)
    for tc in _children(tr, "tc"):
        cell = _merged_down(above, len(cells)) if _continues_down(tc) else _cell(tc)
        cells += [cell] + [replace(cell, continued=True)] * (_span(tc) - 1)
    return cells


def _children(element: Any, name: str) -> Iterator[Any]:
    """The `w:<name>` children of `element`, also those wrapped in content controls."""
    for child in element:
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            yield from _children(content if content is not None else [], name)
        elif child.tag == f"{W}{name}":
            yield child


def _property(element: Any, path: str) -> Any:
    return element.find(path.replace("w:", W))


def _grid_before(tr: Any) -> int:
    found = _property(tr, "w:trPr/w:gridBefore")
    return int(found.get(f"{W}val", "0")) if found is not None else 0


def _span(tc: Any) -> int:
    found = _property(tc, "w:tcPr/w:gridSpan")
    return max(1, int(found.get(f"{W}val", "1"))) if found is not None else 1


def _continues_down(tc: Any) -> bool:
    found = _property(tc, "w:tcPr/w:vMerge")
    return found is not None and found.get(f"{W}val", "continue") == "continue"


def _merged_down(above: list[Cell], column: int) -> Cell:
    return replace(above[column], continued=True) if column < len(above) else Cell()


def _cell(tc: Any) -> Cell:
    text = " ".join("".join(_text(p)) for p in _children(tc, "p"))
    return Cell(clean(text), _drawn(tc), _fill(tc))


# --- text, shading, marks --------------------------------------------------------------------


def _text(element: Any) -> Iterator[str]:
    for child in element:
        if child.tag in TEXT_SKIPPED:
            continue
        if child.tag == f"{W}t":
            yield child.text or ""
        elif child.tag in SPACES:
            yield " "
        elif child.tag == f"{W}noBreakHyphen":
            yield "-"
        else:
            yield from _text(child)


def _fill(tc: Any) -> str | None:
    """The cell's shading: the fill colour, or the pattern colour of a solid or dotted one."""
    shd = _property(tc, "w:tcPr/w:shd")
    if shd is None:
        return None
    pattern = shd.get(f"{W}val", "clear")
    fill = shd.get(f"{W}fill", "auto")
    if pattern in {"clear", "nil"}:
        return None if pattern == "nil" else shown_colour(fill)
    colour = shd.get(f"{W}color", "auto")
    return "000000" if colour.lower() == "auto" else shown_colour(colour) or shown_colour(fill)


def _drawn(tc: Any) -> bool:
    return any(_is_mark(found) for found in _drawings(tc))


def _drawings(element: Any) -> Iterator[Any]:
    """Symbols, pictures and shapes in `element`, not in nested tables or fallback copies."""
    for child in element:
        if child.tag in NOT_SEARCHED:
            continue
        if child.tag in FOUND:
            yield child
        else:
            yield from _drawings(child)


def _is_mark(found: Any) -> bool:
    if found.tag in MARKS:
        return True
    if found.tag == f"{WPS}wsp":
        return _drawingml_mark(found)
    return found.tag in VML_SHAPES and _vml_mark(found)


def _drawingml_mark(shape: Any) -> bool:
    if shape.find(f"{WPS}cNvCnPr") is not None:
        return False
    properties = shape.find(f"{WPS}spPr")
    if properties is None:
        return True
    geometry = properties.find(f"{A}prstGeom")
    if geometry is not None and is_line_geometry(geometry.get("prst", "")):
        return False
    return not _invisible(properties)


def _invisible(properties: Any) -> bool:
    """No fill and no outline: a text box that labels the flowchart ("Ya", "Tidak")."""
    line = properties.find(f"{A}ln")
    outline_off = line is not None and line.find(f"{A}noFill") is not None
    return properties.find(f"{A}noFill") is not None and outline_off


def _vml_mark(shape: Any) -> bool:
    if shape.get(f"{VML_OFFICE}connectortype") or shape.get("type", "") in VML_CONNECTORS:
        return False
    return not (shape.get("filled", "t") in OFF and shape.get("stroked", "t") in OFF)
