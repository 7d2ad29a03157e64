"""Active content never travels: what in a .docx or .xlsx could run a program or fetch something
from elsewhere when the file is opened.

`check_active_content` runs from `safety.check_ooxml`, after the zip limits and the DOCTYPE check
have passed, so every part read here is bounded and declares no DTD. A file is refused, with a
reason naming what was found and what to do, when it carries:

- a template's content type (.dotx/.xltx) under a document's or workbook's name;
- an ActiveX control (`*/activeX/`, `control` relationships);
- an embedded OLE object or package (`*/embeddings/`, `oleObject` relationships or content
  types). The one embedded package allowed is a chart's own data workbook, which Word and
  LibreOffice write for every chart (a `package` relationship from a chart part);
- a relationship with `TargetMode="External"`: a remote template (attachedTemplate), a link to
  another workbook (externalLinkPath), a linked picture or OLE object, a frame, a subdocument.
  Plain hyperlinks are the exception: they are common and do nothing until clicked;
- DDE: a DDE or DDEAUTO field in a document (`w:fldSimple/@w:instr`, or a field code in
  `w:instrText` runs, however it is split over runs, nested in tracked changes, hyperlinks or
  content controls, or spelled by a nested QUOTE field); in a workbook a `ddeLink`, or a DDE
  formula (`program|topic!item`) in a cell, a defined name or a chart.

Macros are refused before this, in `safety`.

Every XML part is looked at, wherever it sits and whatever its name ends with (Word and Excel
find parts through relationships and read them by their declared content type); a byte search
first skips the parts that cannot hold a field code or a DDE formula.

oletools' `ooxml.XmlParser` reads the parts; the decisions are made here. oletools' own finders
are not used where they fall short: `msodde.process_docx` skips field runs nested in `w:ins` or
`w:hyperlink` and runs that hold both the `fldChar` and the `instrText`; `msodde.process_xlsx`
finds `ddeLink` but no DDE formula in a cell; `oleobj.find_external_relationships` reports
hyperlinks and misses linked pictures; `oleobj.find_ole` sees only embedded OLE containers, not
embedded OOXML packages.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from oletools.ooxml import XmlParser

from pipeline.core.errors import Rejected, Where
from pipeline.inputs.probe import stream_contains

log = logging.getLogger(__name__)

RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_WORD = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
         "http://purl.oclc.org/ooxml/wordprocessingml/main")  # fmt: skip
_SHEET = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "http://purl.oclc.org/ooxml/spreadsheetml/main")  # fmt: skip
_CHART = ("http://schemas.openxmlformats.org/drawingml/2006/chart",
          "http://purl.oclc.org/ooxml/drawingml/chart")  # fmt: skip
FIELD_TAGS = tuple(f"{{{ns}}}{n}" for ns in _WORD
                   for n in ("fldSimple", "fldChar", "instrText", "delInstrText"))  # fmt: skip
WORKBOOK_TAGS = (*(f"{{{ns}}}{n}" for ns in _SHEET for n in ("c", "definedName", "ddeLink")),
                 *(f"{{{ns}}}f" for ns in _CHART))  # fmt: skip
SHEET_TAGS = tuple(f"{{{ns}}}sheet" for ns in _SHEET)

NOUN = {"docx": "dokumen", "xlsx": "buku kerja"}
APP = {"docx": "Word", "xlsx": "Excel"}
SUFFIX = {"docx": ".docx", "xlsx": ".xlsx"}
# what reading a damaged part can raise: oletools wraps some in its BadOOXML (a ValueError), and
# `XmlParser.iter_xml` ends a part that stops being XML half way with `assert depth == 0`
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    AssertionError,
)
SCAN_CHUNK = 1 << 20

Finder = Callable[["Package"], Rejected | None]


@dataclass(frozen=True)
class Relationship:
    """One `<Relationship>` of a `.rels` part; `kind` is the last segment of its type."""

    rels_part: str
    rel_id: str
    kind: str
    target: str
    external: bool

    @property
    def resolved(self) -> str:
        """The part name the target points at (for an internal target)."""
        if self.target.startswith("/"):
            return self.target.lstrip("/")
        folder = posixpath.dirname(posixpath.dirname(self.rels_part))
        return posixpath.normpath(posixpath.join(folder, self.target))


@dataclass(frozen=True)
class Package:
    """What the checks look at in one .docx/.xlsx; `parser` reads its XML parts."""

    path: Path
    kind: str
    types: Mapping[str, str]  # part name → its content type ("" when none is declared)
    relationships: tuple[Relationship, ...]
    parser: Any = field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.types)

    @property
    def content_types(self) -> frozenset[str]:
        """The content types of the parts there are (a declared type no part has is ignored)."""
        return frozenset(t for t in self.types.values() if t)

    @property
    def xml_parts(self) -> tuple[str, ...]:
        return tuple(n for n, t in self.types.items() if is_xml_part(n, t))


def part_types(
    names: Iterable[str], overrides: Mapping[str, str], defaults: Mapping[str, str]
) -> dict[str, str]:
    """The content type of each part, as [Content_Types].xml declares it: an Override for its
    name, else the Default for its extension (both compared without case, as OPC does)."""
    by_name = {str(k).lstrip("/").casefold(): str(v) for k, v in overrides.items()}
    by_extension = {str(k).lstrip(".").casefold(): str(v) for k, v in defaults.items()}
    return {
        name: by_name.get(name.casefold())
        or by_extension.get(posixpath.splitext(name)[1][1:].casefold(), "")
        for name in names
    }


def is_xml_part(name: str, content_type: str) -> bool:
    """A part Word and Excel read as XML: named so, or declared with an XML content type
    (they go by the declared type, so `word/header1.bin` declared as a header is XML too)."""
    return name.lower().endswith((".xml", ".rels", ".vml")) or content_type.endswith("xml")


# --- the entry point -----------------------------------------------------------------------


def check_active_content(path: Path, kind: str) -> None:
    """Raise `Rejected` if the .docx/.xlsx at `path` (`kind` "docx" or "xlsx") carries active
    content; the reason names the first thing found and says how to remove it."""
    try:
        found = _first_finding(path, kind)
    except READ_ERRORS as exc:
        log.info("%s: parts unreadable while looking for active content: %r", path.name, exc)
        raise _damaged() from exc
    if found is not None:
        log.warning("%s carries active content: %s", path.name, found.message)
        raise found


def _first_finding(path: Path, kind: str) -> Rejected | None:
    package = read_package(path, kind)
    for finder in FINDERS:
        found = finder(package)
        if found is not None:
            return found
    return None


def read_package(path: Path, kind: str) -> Package:
    """The part names, content types and relationships of the zip at `path`."""
    parser = XmlParser(str(path))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    types = part_types(names, *parser.get_content_types())
    package = Package(path, kind, types, tuple(_relationships(parser, names)), parser)
    _refuse_broken_xml(package)
    return package


def _relationships(parser: Any, names: Iterable[str]) -> Iterator[Relationship]:
    parts = [n for n in names if n.lower().endswith(".rels")]
    if not parts:  # XmlParser reads every part when given none
        return
    for part, element, _depth in parser.iter_xml(parts, False, RELATIONSHIP):
        yield Relationship(
            str(part),
            element.get("Id", ""),
            element.get("Type", "").rsplit("/", 1)[-1],
            element.get("Target", ""),
            element.get("TargetMode", "").strip().casefold() == "external",
        )


def _refuse_broken_xml(package: Package) -> None:
    """XmlParser skips a part that is not well-formed XML; here such a part fails the file."""
    broken = sorted(str(p) for p in package.parser.subfiles_no_xml if p is not None)
    if broken:
        log.info("%s: XML parts not well-formed: %s", package.path.name, broken)
        raise _damaged()


def _damaged() -> Rejected:
    return Rejected(
        "file rusak atau tidak lengkap (bagian isinya tidak dapat dibaca)",
        "Simpan ulang berkas di aplikasinya, lalu kirim lagi.",
    )


# --- templates, ActiveX, embedded objects -----------------------------------------------------


def _template(package: Package) -> Rejected | None:
    """A template's main part: .dotx/.xltx (the macro templates are refused as macros)."""
    if not any(".template." in t and t.endswith("main+xml") for t in package.content_types):
        return None
    if package.kind == "docx":
        return Rejected(
            "isi file berupa templat Word (.dotx), bukan dokumen Word (.docx)",
            "Buka templat itu di Word, simpan sebagai Dokumen Word (.docx), lalu kirim lagi.",
        )
    return Rejected(
        "isi file berupa templat Excel (.xltx), bukan buku kerja Excel (.xlsx)",
        "Buka templat itu di Excel, simpan sebagai Buku Kerja Excel (.xlsx), lalu kirim lagi.",
    )


def _activex(package: Package) -> Rejected | None:
    kinds = {"control", "activeXControlBinary"}
    if not (
        _in_folder(package.names, "activex")
        or any(r.kind in kinds for r in package.relationships)
        or any("activex" in t.lower() for t in package.content_types)
    ):
        return None
    kind = package.kind
    return Rejected(
        f"{NOUN[kind]} berisi kontrol ActiveX yang dapat menjalankan program",
        f"Buka di {APP[kind]}, hapus kontrol itu (Developer > Design Mode, pilih kontrolnya lalu "
        f"tekan Delete), simpan sebagai {SUFFIX[kind]}, lalu kirim lagi.",
    )


def _embedded(package: Package) -> Rejected | None:
    chart_data = {
        r.resolved
        for r in package.relationships
        if r.kind == "package" and not r.external and "/charts/" in f"/{r.rels_part}"
    }
    parts = [n for n in package.names if _in_folder([n], "embeddings") and n not in chart_data]
    ole_links = [r for r in package.relationships if r.kind == "oleObject" and not r.external]
    ole_types = [t for t in package.content_types if "oleobject" in t.lower()]
    if not (parts or ole_links or ole_types):
        return None
    kind = package.kind
    return Rejected(
        f"{NOUN[kind]} berisi objek sematan (OLE) yang dapat menjalankan program",
        f"Buka di {APP[kind]}, hapus objek sematan itu (atau ganti dengan gambarnya: salin, lalu "
        f"Paste Special > Picture), simpan sebagai {SUFFIX[kind]}, lalu kirim lagi.",
    )


def _in_folder(names: Iterable[str], folder: str) -> bool:
    return any(f"/{folder}/" in f"/{n.lower()}" for n in names)


# --- external relationships -------------------------------------------------------------------

EXTERNAL_LABELS = {
    "attachedTemplate": "templat (attachedTemplate)",
    "externalLinkPath": "tautan ke buku kerja lain (external link)",
    "image": "gambar tertaut (linked picture)",
    "oleObject": "objek tertaut (linked OLE object)",
    "frame": "bingkai (frame) berisi halaman",
    "subDocument": "subdokumen",
}


def _external(package: Package) -> Rejected | None:
    found = next((r for r in package.relationships if _fetched(r.external, r.kind, r.target)), None)
    if found is None:
        return None
    log.info("%s: external %s -> %s", package.path.name, found.kind, found.target)
    label = EXTERNAL_LABELS.get(found.kind, f"tautan ({found.kind})")
    return Rejected(
        f"{NOUN[package.kind]} memuat {label} dari luar file ini, yang diambil saat file dibuka",
        _unlink_advice(package.kind, found.kind),
    )


_LOCAL_TEMPLATE = re.compile(r"^(file:/{0,3})?[A-Za-z]:[\\/]", re.IGNORECASE)


def _fetched(external: bool, kind: str, target: str) -> bool:
    """An external relationship that Office fetches on opening. Hyperlinks wait for a click;
    a template on the author's own disk (Word records `file:///C:/…/Kop.dotx` for every
    document made from one) is not found on anyone else's PC and fetches nothing. A remote
    template (http, a \\server share) is how template injection works: refused."""
    if not external or kind == "hyperlink":
        return False
    return not (kind == "attachedTemplate" and _LOCAL_TEMPLATE.match(target.strip()) is not None)


def _unlink_advice(kind: str, relationship: str) -> str:
    if relationship == "attachedTemplate":
        return (
            "Buka di Word, lepaskan templatnya (Developer > Document Template, kosongkan nama "
            "templat lalu OK) atau salin isinya ke dokumen baru, simpan sebagai .docx, lalu "
            "kirim lagi."
        )
    if relationship == "externalLinkPath":
        return (
            "Buka di Excel, putuskan tautannya (Data > Edit Links > Break Link), simpan sebagai "
            ".xlsx, lalu kirim lagi."
        )
    if kind == "xlsx":
        return (
            "Buka di Excel, hapus gambar atau objek tertaut itu lalu sisipkan ulang tanpa "
            "'Link to File', simpan sebagai .xlsx, lalu kirim lagi."
        )
    return (
        "Buka di Word, putuskan tautannya (File > Info > Edit Links to Files > Break Link) atau "
        "salin isinya ke dokumen baru, simpan sebagai .docx, lalu kirim lagi."
    )


# --- DDE in a document: field codes -----------------------------------------------------------

_DDE_COMMAND = re.compile(r"""^\s*["']?\s*(DDE(?:AUTO)?)\b""", re.IGNORECASE)


def _dde_fields(package: Package) -> Rejected | None:
    if package.kind != "docx":
        return None
    parts = _parts_mentioning(package, FIELD_NEEDLES)
    for part in parts:
        for code in field_codes(_local_elements(package.parser, part, FIELD_TAGS)):
            command = dde_command(code)
            if command:
                return Rejected(
                    f"dokumen berisi field DDE ({command} …) yang dapat menjalankan perintah",
                    "Buka di Word, hapus field itu (Ctrl+Shift+F9 pada field) atau salin isinya "
                    "ke dokumen baru, simpan sebagai .docx, lalu kirim lagi.",
                )
    return None


def field_codes(elements: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """The code of every field, from (local tag name, element) pairs in document order.

    A simple field carries its code in `instr`; a complex field is `fldChar` begin, its code in
    one or more `instrText` runs, `fldChar` end, and may nest other fields. Code text outside any
    field, and fields left open, are judged too.
    """
    open_codes: list[list[str]] = []
    for name, element in elements:
        if name == "fldSimple":
            yield _attribute(element, "instr")
        elif name == "fldChar":
            yield from _field_char(_attribute(element, "fldCharType"), open_codes)
        elif open_codes:
            open_codes[-1].append(element.text or "")
        else:
            yield element.text or ""
    yield from ("".join(code) for code in reversed(open_codes))


def _field_char(kind: str, open_codes: list[list[str]]) -> Iterator[str]:
    if kind == "begin":
        open_codes.append([])
    elif kind == "end" and open_codes:
        yield "".join(open_codes.pop())


def dde_command(code: str) -> str | None:
    """The command, DDE or DDEAUTO, when a field code runs one, also when a QUOTE field
    spells it; else None."""
    for text in (code, quoted_text(code)):
        found = _DDE_COMMAND.match(text)
        if found:
            return found.group(1).upper()
    return None


def quoted_text(code: str) -> str:
    """What a QUOTE field of character codes spells (`QUOTE 68 68 69` is "DDE"), else ""."""
    words = code.split()
    if not words or words[0].upper() != "QUOTE":
        return ""
    return "".join(_character(word) for word in words[1:])


def _character(word: str) -> str:
    if word.isascii() and word.isdigit() and int(word) < 0x110000:
        return chr(int(word))
    return word


# --- DDE in a workbook: links and formulas ----------------------------------------------------

_QUOTED = re.compile(r"\"[^\"]*\"|'(?:[^']|'')*'")
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _dde_workbook(package: Package) -> Rejected | None:
    if package.kind != "xlsx":
        return None
    for part in _parts_mentioning(package, WORKBOOK_NEEDLES):
        for name, element in _local_elements(package.parser, part, WORKBOOK_TAGS):
            found = _dde_in(package, part, name, element)
            if found is not None:
                return found
    return None


def _dde_in(package: Package, part: str, name: str, element: Any) -> Rejected | None:
    if name == "ddeLink":
        return Rejected(
            "buku kerja berisi tautan DDE yang dapat menjalankan perintah",
            "Buka di Excel, putuskan tautan itu (Data > Edit Links > Break Link), simpan sebagai "
            ".xlsx, lalu kirim lagi.",
        )
    if name == "c":
        formula = next((c.text for c in element if _local(c.tag) == "f"), None)
        return _dde_cell(package, part, element.get("r", "")) if is_dde_formula(formula) else None
    if is_dde_formula(element.text):
        return Rejected(
            "buku kerja berisi rumus DDE (pada nama atau grafik) yang dapat menjalankan perintah",
            "Buka di Excel, hapus rumus itu (periksa Formulas > Name Manager dan data grafik), "
            "simpan sebagai .xlsx, lalu kirim lagi.",
        )
    return None


def is_dde_formula(formula: str | None) -> bool:
    """A formula calling another program (`cmd|'/c ...'!A0`): a `|` outside quoted text and
    quoted sheet names, where no ordinary formula has one."""
    return formula is not None and "|" in _QUOTED.sub("", formula)


def _dde_cell(package: Package, part: str, ref: str) -> Rejected:
    cell = _CELL.match(ref)
    where = Where(
        sheet=sheet_names(package).get(part),
        row=int(cell.group(2)) if cell else None,
        column=cell.group(1).upper() if cell else None,
    )
    return Rejected(
        "sel berisi rumus DDE yang dapat menjalankan perintah",
        "Hapus rumus itu atau ketik ulang nilainya, simpan sebagai .xlsx, lalu kirim lagi.",
        where,
    )


def sheet_names(package: Package) -> dict[str, str]:
    """Worksheet part name → the name on its tab, from xl/workbook.xml and its relationships."""
    targets = {
        r.rel_id: r.resolved
        for r in package.relationships
        if r.rels_part == "xl/_rels/workbook.xml.rels"
    }
    if "xl/workbook.xml" not in package.names:
        return {}
    sheets = _local_elements(package.parser, "xl/workbook.xml", SHEET_TAGS)
    found = ((targets.get(_attribute(e, "id")), e.get("name", "")) for _n, e in sheets)
    return {part: str(name) for part, name in found if part}


# --- reading parts ----------------------------------------------------------------------------


# Byte strings without which a part cannot hold what is looked for. Element and attribute names
# are always written out (w:instr, w:instrText, w:delInstrText, ddeLink); a "|" in a formula may
# also be a character reference (&#124;), so any reference sends the part to the parser.
FIELD_NEEDLES = (b"nstr",)
WORKBOOK_NEEDLES = (b"|", b"&#", b"ddeLink")
UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


def _parts_mentioning(package: Package, needles: tuple[bytes, ...]) -> list[str]:
    """The XML parts that may hold what is looked for, wherever they sit (a part is found through
    relationships, not by its folder); the others are not parsed. A part in UTF-16 is always
    parsed (the needles are UTF-8)."""
    parts = [n for n in package.xml_parts if not n.lower().endswith(".rels")]
    with zipfile.ZipFile(package.path) as archive:
        return [p for p in parts if _may_hold(archive, p, needles)]


def _may_hold(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> bool:
    with archive.open(name) as member:
        first = member.read(SCAN_CHUNK)
        if first.startswith(UTF16_STARTS):
            return True
        return stream_contains(chain([first], iter(lambda: member.read(SCAN_CHUNK), b"")), needles)


def _local_elements(parser: Any, part: str, tags: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """(local tag name, element) for each element of `part` with one of `tags`, in the order the
    elements end (document order for the leaves looked at here)."""
    for _part, element, _depth in parser.iter_xml([part], False, list(tags)):
        yield _local(element.tag), element
    if part in parser.subfiles_no_xml:
        raise _damaged()


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _attribute(element: Any, name: str) -> str:
    """An attribute by its local name, whatever namespace prefix it carries."""
    attributes: Mapping[str, str] = element.attrib
    return next((str(v) for k, v in attributes.items() if _local(k) == name), "")


FINDERS: tuple[Finder, ...] = (
    _template,
    _activex,
    _embedded,
    _external,
    _dde_fields,
    _dde_workbook,
)
