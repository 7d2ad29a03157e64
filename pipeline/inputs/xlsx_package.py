"""Where the parts of an .xlsx are, found the way python-calamine finds them.

`pipeline.inputs.workbook` takes cell values from python-calamine and checks every worksheet
part before calamine loads it. That check is worth something only if it reads the very part
calamine will read, so this module repeats calamine's own walk (calamine 0.37, `src/xlsx`):

- the workbook folder is the folder of the last `officeDocument` target in `_rels/.rels`; the
  workbook is `workbook.xml` there, its relationships `_rels/workbook.xml.rels`;
- a worksheet target is absolute (leading "/") or appended to that folder as written;
- part names are compared ignoring ASCII case, with "\\" read as "/" (as OPC allows).

It also reads the two workbook-wide facts the reader needs: which cell styles show a number as a
percentage, and how many shared strings the workbook declares (calamine reserves memory for that
many before it reads the first).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from pipeline.inputs.xml_stream import Handler, StopReading, stream

OFFICE_DOCUMENT = "/relationships/officeDocument"
BUILTIN_PERCENT_FORMATS = {9: "0%", 10: "0.00%"}  # the only built-in formats that show a %
_QUOTED = re.compile(r'"[^"]*"|\\.')  # literal text in a number format, e.g. "%" or \%


@dataclass(frozen=True)
class Package:
    """The parts calamine reads: each sheet's (name, part) in workbook order, and two others."""

    sheets: tuple[tuple[str, str], ...]
    shared_strings: str
    styles: str


def read_package(archive: zipfile.ZipFile) -> Package:
    """Find the workbook's parts; a missing part or relationship raises `KeyError`."""
    names = _PartNames(archive)
    folder = _workbook_folder(_elements(archive, names.find("_rels/.rels"), "Relationship"))
    rels = _elements(archive, names.find(f"{folder}_rels/workbook.xml.rels"), "Relationship")
    targets = {rel["Id"]: rel.get("Target", "") for rel in rels if "Id" in rel}
    sheets = tuple(
        (sheet.get("name", ""), names.find(_target_path(folder, targets[_rel_id(sheet)])))
        for sheet in _elements(archive, names.find(f"{folder}workbook.xml"), "sheet")
    )
    return Package(
        sheets, names.find(f"{folder}sharedStrings.xml"), names.find(f"{folder}styles.xml")
    )


class _PartNames:
    """Part names as calamine looks them up: ASCII case ignored, backslashes as slashes."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._names = {_ascii_lower(n.replace("\\", "/")): n for n in archive.namelist()}

    def find(self, path: str) -> str:
        return self._names.get(_ascii_lower(path), path)


def _ascii_lower(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").lower().decode("utf-8", "surrogateescape")


@dataclass
class _Collect(Handler):
    """Keeps the attributes of every element named `name`."""

    name: str
    found: list[dict[str, str]] = field(default_factory=list)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == self.name:
            self.found.append(attributes)


def _elements(archive: zipfile.ZipFile, part: str, name: str) -> list[dict[str, str]]:
    collect = _Collect(name)
    with archive.open(part) as source:
        stream(source, collect)
    return collect.found


def _workbook_folder(relationships: list[dict[str, str]]) -> str:
    targets = [
        rel.get("Target", "")
        for rel in relationships
        if rel.get("Type", "").endswith(OFFICE_DOCUMENT)
    ]
    if not targets:
        raise KeyError("no officeDocument relationship in _rels/.rels")
    return targets[-1][: targets[-1].rfind("/") + 1].removeprefix("/")


def _rel_id(sheet: dict[str, str]) -> str:
    ids = [value for key, value in sheet.items() if key.rpartition(":")[2] == "id"]
    return ids[-1] if ids else ""


def _target_path(folder: str, target: str) -> str:
    return target[1:] if target.startswith("/") else f"{folder}{target}"


# --- workbook-wide facts ----------------------------------------------------------------------


def declared_strings(archive: zipfile.ZipFile, part: str) -> int:
    """The `uniqueCount` the shared-strings part declares (0 when absent or not a number)."""
    if part not in archive.namelist():
        return 0
    first = _FirstSst()
    with archive.open(part) as source:
        stream(source, first)
    return first.count


@dataclass
class _FirstSst(Handler):
    """Reads the `uniqueCount` of the first `sst` element, then stops."""

    count: int = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "sst":
            self.count = int(re.sub(r"\D", "", attributes.get("uniqueCount", "")) or 0)
            raise StopReading


def percent_styles(archive: zipfile.ZipFile, part: str) -> frozenset[int]:
    """Indexes of the cell styles (`cellXfs`) whose number format shows a percentage."""
    if part not in archive.namelist():
        return frozenset()
    formats = _NumberFormats()
    with archive.open(part) as source:
        stream(source, formats)
    return frozenset(i for i, code in enumerate(formats.codes()) if shows_percent(code))


@dataclass
class _NumberFormats(Handler):
    """Custom number formats (`numFmt`) and the format id of each cell style, as calamine reads."""

    custom: dict[str, str] = field(default_factory=dict)
    styles: list[str] = field(default_factory=list)
    in_cell_styles: bool = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "numFmt" and "numFmtId" in attributes:
            self.custom[attributes["numFmtId"]] = attributes.get("formatCode", "")
        elif name == "cellXfs":
            self.in_cell_styles = True
        elif name == "xf" and self.in_cell_styles:
            self.styles.append(attributes.get("numFmtId", ""))

    def end(self, name: str) -> None:
        self.in_cell_styles = self.in_cell_styles and name != "cellXfs"

    def codes(self) -> list[str]:
        return [self.custom.get(i, BUILTIN_PERCENT_FORMATS.get(_int(i), "")) for i in self.styles]


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def shows_percent(number_format: str) -> bool:
    """Whether a number format scales its number by 100 ("0%" does; '0.00"%"' and 0.00\\% not)."""
    return "%" in _QUOTED.sub("", number_format).split(";")[0]
