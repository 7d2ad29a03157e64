"""`pipeline sop import`: a definition skeleton from the office's own SOP document.

    text = skeleton(Path("SOP Surat Keluar.docx"))     # .docx or .xlsx; ConfigError if no table

Indonesian government SOPs share one table (PermenPAN-RB 35/2012, "SOP AP"): an identity
block (Nomor SOP, Nama SOP, …), then No, Aktivitas, one column per Pelaksana, Mutu Baku
(Kelengkapan, Waktu, Output) and Keterangan. The importer reads it in three steps:

- `word` / `workbook` turn each table of the document into a `grid.Grid` (merged cells spread
  over the positions they cover, shading, symbols and drawings noted per cell);
- `table` finds the SOP AP table and reads its actors and steps (marks, split rows, repeated
  headers); `header` finds the number and the name;
- `writer` writes the skeleton of docs/sop-format.md: everything the document says, and
  "BELUM DITENTUKAN" with a proposal where a person must decide (the case code, each stage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.sopimport.grid import Source
from pipeline.sopimport.header import find_header
from pipeline.sopimport.table import find_table
from pipeline.sopimport.word import read_docx
from pipeline.sopimport.workbook import read_xlsx
from pipeline.sopimport.writer import render

__all__ = ["skeleton"]

log = logging.getLogger(__name__)

READERS: dict[str, Callable[[Path], Source]] = {
    ".docx": read_docx,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
}
EXPECTED = (
    "expected a table with the columns No, Aktivitas, one column per Pelaksana (actor) and "
    "Mutu Baku (Kelengkapan, Waktu, Output)"
)


def skeleton(path: Path) -> str:
    """The text of a definition skeleton for the SOP document at `path`."""
    source = _reader(path)(path)
    table = find_table(source.grids)
    if table is None or not table.steps:
        found = "has no numbered steps" if table else "was not found"
        raise ConfigError(f"{path.name}: the SOP AP table {found}; {EXPECTED}")
    log.info("%s: %d actors, %d steps", path.name, len(table.actors), len(table.steps))
    return render(path.name, find_header(source), table)


def _reader(path: Path) -> Callable[[Path], Source]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ConfigError(
            f"{path.name}: not a Word .docx or Excel .xlsx file; save the SOP document in one "
            "of these formats first (a .doc or .xls: open it and save it as .docx or .xlsx)"
        )
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    return reader
