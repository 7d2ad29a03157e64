"""Where the share keeps the numbers given to documents, besides the journal: each case's own
record (`berkas/<case>/nomor.json`, written once the journal has them) and, once the case is
filed, its bag's manifest. After a lost journal the register continues after the highest of
them, so no number is given twice, whether its case is filed or still open.

    keep_case_numbers(root, case_id, records)   # after the journal commit; redone at start-up
    highest_kept_number(root, register, year)   # the floor of a register's year
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.store.fsops import atomic_write
from pipeline.store.journal import NumberRecord

NUMBER_FILE = "nomor.json"
NOTE = "Nomor naskah dinas yang diberikan untuk kasus ini (catatan pipeline, jangan diubah)."


def number_entry(register: str, year: int, seq: int, text: str, document: str) -> dict[str, Any]:
    """One number as the manifests and the case records write it."""
    return {"document": document, "number": text, "register": register, "year": year, "seq": seq}


def keep_case_numbers(root: Path, case_id: str, records: Sequence[NumberRecord]) -> bool:
    """The case's record of its numbers, written whole when it differs from `records` (so
    redoing it is free). True when it was written."""
    if not records:
        return False
    entries = [number_entry(r.register, r.year, r.seq, r.number, r.document) for r in records]
    text = json.dumps({"kasus": case_id, "keterangan": NOTE, "numbers": entries}, indent=2)
    path = root / "berkas" / case_id / NUMBER_FILE
    data = (text + "\n").encode()
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass  # not written yet
    atomic_write(path, data)
    return True


def highest_kept_number(root: Path, register: str, year: int) -> int:
    """The highest number of `register`'s `year` the share records: in the case records, and
    in the manifests of the bags filed that year or the next (a case closes at most a year
    after its documents are numbered)."""
    return max((_highest(path, register, year) for path in _records(root, year)), default=0)


def _records(root: Path, year: int) -> Iterator[Path]:
    """The case records and manifests that can hold a number of `year`: of cases opened that
    year or the year before, and of bags filed that year or the next."""
    for opened in (year - 1, year):
        yield from root.glob(f"berkas/*-{opened}-*/{NUMBER_FILE}")
    for filed in (year, year + 1):
        yield from root.glob(f"archive/{filed}/*/data/manifest.json")


def _highest(path: Path, register: str, year: int) -> int:
    try:
        numbers = json.loads(path.read_text(encoding="utf-8")).get("numbers", [])
    except (OSError, ValueError, AttributeError):
        return 0
    if not isinstance(numbers, list):
        return 0
    return max(
        (_seq(n) for n in numbers if isinstance(n, dict)
         and n.get("register") == register and n.get("year") == year),
        default=0,
    )  # fmt: skip


def _seq(entry: dict[str, Any]) -> int:
    """An entry's number in its register (0 when a hand-edited file made it unreadable)."""
    try:
        return int(entry.get("seq", 0))
    except (TypeError, ValueError):
        return 0
