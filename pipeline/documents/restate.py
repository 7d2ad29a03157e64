"""What a drafter's copy still says about the draft it started from, restated for the document
to be signed.

A drafter edits the pipeline's Draf v1 in Word and sends it back as v2, v3, ...: Word keeps the
text the template rendered, so the edited copy still reads "versi 1" where the template printed
the version. The signing copy must state the version that was initialled. The template itself
says where those words are: it is rendered twice with the same data, once as the drafter's copy
was made (`before`) and once as the signing copy must read (`after`); every paragraph whose text
differs between the two renders is looked up in the drafter's copy by its exact text and
rewritten there, changing only the characters that differ (the runs and their formatting stay).
A paragraph the drafter reworded is left as the drafter wrote it.

Nothing depends on the template's wording or on special markup, so staff may edit the templates
in Word as before. The drafter's file is never changed: the signing copy is made from a
restated copy of its bytes.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

log = logging.getLogger(__name__)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
W_P, W_T = f"{{{W_NS}}}p", f"{{{W_NS}}}t"
BREAKS = {f"{{{W_NS}}}tab": "\t", f"{{{W_NS}}}br": "\n", f"{{{W_NS}}}cr": "\n"}
TEXT_PART = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
CORE_PART = "docProps/core.xml"
CUSTOM_PART = "docProps/custom.xml"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class _Piece:
    """A stretch of a paragraph's text: a `w:t` element (editable) or a tab or break."""

    element: etree._Element
    text: str

    @property
    def editable(self) -> bool:
        return bool(self.element.tag == W_T)


def custom_properties(docx: bytes) -> dict[str, str]:
    """The custom document properties of a .docx (Word keeps them when staff save)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        if CUSTOM_PART not in archive.namelist():
            return {}
        try:
            root = etree.fromstring(archive.read(CUSTOM_PART), _PARSER)
        except etree.XMLSyntaxError:
            return {}
    return {str(p.get("name")): "".join(p.itertext()).strip() for p in root if p.get("name")}


def custom_property(docx: bytes, name: str) -> str | None:
    return custom_properties(docx).get(name)


def changed_paragraphs(before: bytes, after: bytes) -> dict[str, str]:
    """Paragraph texts that differ between two renders of one template: before → after."""
    old, new = paragraph_texts(before), paragraph_texts(after)
    if len(old) != len(new):  # the same template and data give the same paragraphs
        log.warning("renders to compare differ in structure; nothing restated")
        return {}
    return {a: b for a, b in zip(old, new, strict=True) if a != b}


def restate(docx: bytes, changes: Mapping[str, str], title: str = "") -> tuple[bytes, int]:
    """`docx` with every paragraph reading exactly as a key of `changes` rewritten as its value
    (and its document title set to `title`, when given); and how many paragraphs changed."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    count, rewritten = 0, []
    for info, data in members:
        if changes and TEXT_PART.match(info.filename):
            data, done = _restate_part(data, changes)
            count += done
        elif title and info.filename == CORE_PART:
            data = _titled(data, title)
        rewritten.append((info.filename, data))
    return (_zip(rewritten) if count or title else docx), count


def paragraph_texts(docx: bytes) -> list[str]:
    """The text of every paragraph of the body, headers and footers, in the package's order."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        parts = [archive.read(n) for n in archive.namelist() if TEXT_PART.match(n)]
    return [_text(p) for part in parts for p in etree.fromstring(part, _PARSER).iter(W_P)]


def _restate_part(data: bytes, changes: Mapping[str, str]) -> tuple[bytes, int]:
    root = etree.fromstring(data, _PARSER)
    done = sum(_rewrite(p, changes[t]) for p in root.iter(W_P) if (t := _text(p)) in changes)
    if not done:
        return data, 0
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), done


def _pieces(paragraph: etree._Element) -> Iterator[_Piece]:
    """The paragraph's own text pieces, in order (a nested paragraph's are its own)."""
    for child in paragraph:
        if child.tag == W_P:
            continue
        if child.tag == W_T:
            yield _Piece(child, child.text or "")
        elif child.tag in BREAKS:
            yield _Piece(child, BREAKS[child.tag])
        else:
            yield from _pieces(child)


def _text(paragraph: etree._Element) -> str:
    return "".join(piece.text for piece in _pieces(paragraph))


def _rewrite(paragraph: etree._Element, new: str) -> bool:
    """Change the paragraph's text to `new`, touching only the characters that differ."""
    pieces = list(_pieces(paragraph))
    old = "".join(p.text for p in pieces)
    start, end_old, end_new = _difference(old, new)
    touched = _touched(pieces, start, end_old)
    if not touched or not all(piece.editable for piece, _, _ in touched):
        log.info("paragraph %r not restated: the change crosses a tab or break", old)
        return False
    for n, (piece, lo, hi) in enumerate(touched):
        middle = new[start:end_new] if n == 0 else ""
        piece.element.text = piece.text[:lo] + middle + piece.text[hi:]
        piece.element.set(f"{{{XML_NS}}}space", "preserve")
    return True


def _difference(old: str, new: str) -> tuple[int, int, int]:
    """Where `old` and `new` differ: [start, end_old) of `old` becomes [start, end_new) of `new`."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < min(len(old), len(new)) - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return start, len(old) - tail, len(new) - tail


def _touched(pieces: list[_Piece], start: int, end: int) -> list[tuple[_Piece, int, int]]:
    """The pieces covering [start, end) with the range inside each; for an insertion (start ==
    end) the editable piece the position falls in or at the end of."""
    found, offset = [], 0
    for piece in pieces:
        lo, hi = offset, offset + len(piece.text)
        inside = lo <= start <= hi if start == end else lo < end and start < hi
        if inside and (start != end or piece.editable):
            found.append((piece, max(start, lo) - lo, min(end, hi) - lo))
            if start == end:
                break
        offset = hi
    return found


def _titled(data: bytes, title: str) -> bytes:
    root = etree.fromstring(data, _PARSER)
    element = root.find(f"{{{DC_NS}}}title")
    if element is None:
        element = etree.SubElement(root, f"{{{DC_NS}}}title")
    element.text = title
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
