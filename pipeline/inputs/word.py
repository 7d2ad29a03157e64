"""Reading dropped Word files: their visible text and custom properties, parsed safely
(streamed through defusedxml, DTDs forbidden) after `pipeline.inputs.kinds` checked the zip."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring, iterparse

from pipeline.core.errors import Rejected
from pipeline.inputs.kinds import (
    DEFAULT_LIMITS,
    SAVE_AGAIN,
    ZIP_READ_ERRORS,
    Limits,
    _dtd_rejection,
    open_zip,
)
from pipeline.inputs.probe import truncated

log = logging.getLogger(__name__)


# --- text of a .docx -------------------------------------------------------------------------

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCX_TEXT_PARTS = ("word/header", "word/document.xml", "word/footer")


def docx_text(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """The visible text of a .docx: headers, body (tables and text boxes too), footers.

    The zip is checked against `limits`; each XML part is streamed through defusedxml with
    DTDs forbidden, and paragraphs are cleared as they are read, so no large tree is held.
    Paragraphs are separated by newlines.
    """
    with open_zip(path, limits) as archive:
        parts = _docx_text_parts(archive.namelist())
        if "word/document.xml" not in parts:
            raise Rejected("isi file bukan dokumen Word", "Kirim dokumen Word (.docx) yang asli.")
        return "\n".join(_part_text(archive, name) for name in parts)


def _docx_text_parts(names: list[str]) -> list[str]:
    wanted = [n for n in names if n.startswith(DOCX_TEXT_PARTS) and n.endswith(".xml")]
    order = {prefix: rank for rank, prefix in enumerate(DOCX_TEXT_PARTS)}
    return sorted(wanted, key=lambda n: (order[next(p for p in order if n.startswith(p))], n))


def _part_text(archive: zipfile.ZipFile, name: str) -> str:
    try:
        with archive.open(name) as member:
            return "\n".join(_paragraphs(member))
    except DefusedXmlException as exc:
        raise _dtd_rejection(name) from exc
    except ParseError as exc:
        log.info("XML part %s unreadable: %s", name, exc)
        raise Rejected("dokumen Word rusak (XML tidak sah)", SAVE_AGAIN) from exc
    except ZIP_READ_ERRORS as exc:
        raise truncated("Word") from exc


def _paragraphs(member: IO[bytes]) -> Iterator[str]:
    for _event, element in iterparse(member, events=("end",), forbid_dtd=True):
        if element.tag == f"{W_NS}p":
            text = _paragraph_text(element)
            element.clear()
            if text:
                yield text


_RUN_TEXT: dict[str, Callable[[Element], str]] = {
    f"{W_NS}t": lambda e: e.text or "",
    f"{W_NS}tab": lambda e: "\t",
    f"{W_NS}br": lambda e: "\n",
    f"{W_NS}cr": lambda e: "\n",
}


def _paragraph_text(paragraph: Element) -> str:
    pieces = (_RUN_TEXT[e.tag](e) for e in paragraph.iter() if e.tag in _RUN_TEXT)
    return "".join(pieces).strip()


def docx_properties(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, str]:
    """The custom document properties of a .docx (docProps/custom.xml), read safely.

    Word keeps them when staff edit and save, so they tell which rendered draft a file came from.
    """
    with open_zip(path, limits) as archive:
        if "docProps/custom.xml" not in archive.namelist():
            return {}
        try:
            root = fromstring(archive.read("docProps/custom.xml"))
        except (ParseError, DefusedXmlException, ValueError):
            return {}
    return {
        str(prop.get("name")): "".join(prop.itertext()).strip()
        for prop in root
        if prop.get("name") is not None
    }
