"""Which cells of an .xlsx the pictures and shapes mark: the cell under each one's centre.

SOP tables drawn in Excel mark the actor of a step with a flowchart shape. openpyxl keeps
pictures but drops shapes when it loads a workbook, so the drawing parts are read here. Lines,
connectors, block arrows, charts and invisible text boxes mark nothing; a group marks the
cell under its centre when it holds a picture or a shape.

A drawing is anchored by cell and offset (`twoCellAnchor`, `oneCellAnchor`) or by position
(`absoluteAnchor`); its centre is found with the sheet's column widths and row heights, passed
in as `Axis` objects (sizes in EMU, 0-based).
"""

from __future__ import annotations

import logging
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from pipeline.inputs.xlsx_package import read_package
from pipeline.sopimport.grid import is_line_geometry

log = logging.getLogger(__name__)

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ANCHORS = frozenset({f"{XDR}twoCellAnchor", f"{XDR}oneCellAnchor", f"{XDR}absoluteAnchor"})
XML_ERRORS = (ParseError, DefusedXmlException, ValueError)
LAST_INDEX = 16_383
"""Excel's last column index (0-based); also far beyond any SOP table's last row."""


@dataclass(frozen=True)
class Axis:
    """The sizes, in EMU, of a sheet's columns or rows, by 0-based index."""

    size: Callable[[int], int]

    def start(self, index: int) -> int:
        return sum(self.size(i) for i in range(index))

    def index(self, offset: int) -> int:
        edge = 0
        for index in range(LAST_INDEX):
            edge += self.size(index)
            if offset < edge:
                return index
        return LAST_INDEX


def sheet_drawings(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Each sheet's drawing part, by sheet name; sheets without drawings are left out."""
    try:
        sheets = read_package(archive).sheets
    except (KeyError, *XML_ERRORS) as exc:
        log.warning("drawings not read: %s", exc)
        return {}
    found = {}
    for name, part in sheets:
        drawing = _drawing_part(archive, part)
        if drawing in archive.namelist():
            found[name] = archive.read(drawing)
    return found


def _drawing_part(archive: zipfile.ZipFile, sheet_part: str) -> str:
    folder, name = posixpath.split(sheet_part)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in archive.namelist():
        return ""
    for rel in fromstring(archive.read(rels)).iter(f"{RELS}Relationship"):
        if rel.get("Type", "").endswith("/drawing"):
            target = rel.get("Target", "")
            return (
                target[1:] if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
            )
    return ""


def marked_cells(drawing: bytes, columns: Axis, rows: Axis) -> set[tuple[int, int]]:
    """The (row, column) of the cell, 1-based as in openpyxl, under each mark's centre."""
    try:
        root = fromstring(drawing)
    except XML_ERRORS as exc:
        log.warning("a drawing part cannot be read: %s", exc)
        return set()
    return {_centre(anchor, columns, rows) for anchor in _marking_anchors(root)}


def _marking_anchors(root: Any) -> Iterator[Any]:
    for anchor in root:
        if anchor.tag in ANCHORS and any(_is_mark(child) for child in anchor):
            yield anchor


def _is_mark(element: Any) -> bool:
    if element.tag == f"{XDR}pic":
        return True
    if element.tag == f"{XDR}grpSp":
        return any(_is_mark(child) for child in element)
    return element.tag == f"{XDR}sp" and _shape_marks(element.find(f"{XDR}spPr"))


def _shape_marks(properties: Any) -> bool:
    if properties is None:
        return True
    geometry = properties.find(f"{A}prstGeom")
    if geometry is not None and is_line_geometry(geometry.get("prst", "")):
        return False
    line = properties.find(f"{A}ln")
    outline_off = line is not None and line.find(f"{A}noFill") is not None
    return not (properties.find(f"{A}noFill") is not None and outline_off)


def _centre(anchor: Any, columns: Axis, rows: Axis) -> tuple[int, int]:
    left, top = _start(anchor, columns, rows)
    right, bottom = _end(anchor, columns, rows, (left, top))
    return rows.index((top + bottom) // 2) + 1, columns.index((left + right) // 2) + 1


def _start(anchor: Any, columns: Axis, rows: Axis) -> tuple[int, int]:
    marker = anchor.find(f"{XDR}from")
    if marker is not None:
        return _marker(marker, columns, rows)
    position = anchor.find(f"{XDR}pos")
    return _number(position, "x"), _number(position, "y")


def _end(anchor: Any, columns: Axis, rows: Axis, start: tuple[int, int]) -> tuple[int, int]:
    marker = anchor.find(f"{XDR}to")
    if marker is not None:
        return _marker(marker, columns, rows)
    extent = anchor.find(f"{XDR}ext")
    return start[0] + _number(extent, "cx"), start[1] + _number(extent, "cy")


def _marker(marker: Any, columns: Axis, rows: Axis) -> tuple[int, int]:
    column, row = _count(marker, "col"), _count(marker, "row")
    x = columns.start(column) + _count(marker, "colOff")
    return x, rows.start(row) + _count(marker, "rowOff")


def _count(marker: Any, name: str) -> int:
    text = marker.findtext(f"{XDR}{name}") or "0"
    return int(text) if text.strip().lstrip("-").isdigit() else 0


def _number(element: Any, name: str) -> int:
    text = element.get(name, "0") if element is not None else "0"
    return int(text) if text.strip().lstrip("-").isdigit() else 0
