"""Streaming one XML part of an Office file through expat, element by element.

No tree is built and nothing is kept but what the handler keeps, so a sheet of any length is
read in flat memory, several times faster than `iterparse`. A document type declaration is
refused here as well (`safety.check_drop` already refuses any part that carries one), so no
entity is ever declared or expanded.

Handlers see element names without their prefix ("x:c" is "c"), as calamine matches them;
attribute names are given as written.
"""

from __future__ import annotations

import contextlib
from typing import IO
from xml.parsers.expat import ParserCreate


class Handler:
    """Receives the elements of a part; each method does nothing unless overridden."""

    def start(self, name: str, attributes: dict[str, str]) -> None:
        """An element opens, with its attributes."""

    def end(self, name: str) -> None:
        """An element closes."""

    def text(self, data: str) -> None:
        """Character data inside the current element."""


class StopReading(Exception):
    """Raised by a handler that has read all it needs."""


def stream(source: IO[bytes], handler: Handler) -> None:
    """Feed the XML in `source` to `handler` until its end or until `StopReading`."""
    parser = ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = lambda name, attributes: handler.start(_local(name), attributes)
    parser.EndElementHandler = lambda name: handler.end(_local(name))
    parser.CharacterDataHandler = handler.text
    with contextlib.suppress(StopReading):
        parser.ParseFile(source)


def _refuse_doctype(*_declaration: object) -> None:
    raise ValueError("XML part declares a document type")


def _local(name: str) -> str:
    return name.rpartition(":")[2]
