"""Spreadsheet cells the way staff meant them, and written back harmlessly.

A workbook read by `pipeline.inputs.workbook.read_workbook` is plain `SheetRows`; here
`locate_columns` finds a header row however it is spelled, `parse_number` reads a number typed
the Indonesian way (or says in Indonesian what is wrong with it), `cell_text` turns any cell
into clean text, and `formula_safe` / `set_text` keep user data from becoming a formula in the
spreadsheets the pipeline writes. Nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.core.errors import Rejected, Where

HEADER_SEARCH_ROWS = 20
MAX_NUMBER = 1e12  # no performance figure of an office is larger; 1e308 would render as inf%
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_SPACE_LIKE = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")


@dataclass(frozen=True)
class SheetRows:
    """One worksheet as plain values; `rows[i]` is Excel row i+1, rows may differ in length."""

    name: str
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell whose value was never saved (written by a program, not by Excel)."""

    formula: str


# --- headers ---------------------------------------------------------------------------------


def header_key(value: object) -> str:
    """The comparable form of a header: casefolded, NFKC, all kinds of spaces collapsed."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    return _SPACE_LIKE.sub(" ", text).strip().casefold()


def locate_columns(
    sheet: SheetRows, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[int, dict[str, int]]:
    """Find the header row among the first 20 rows and the column of each wanted header.

    Returns (1-based row number, {header as given: 0-based column}); optional headers that are
    absent are left out. Case, extra or non-breaking spaces and column order do not matter.
    Raises `Rejected` naming the missing (or doubled) headers and the sheet.
    """
    best: tuple[int, dict[str, int]] = (0, {})
    for number, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS], start=1):
        found = _find_headers(row, [*required, *optional], sheet.name, number)
        if all(name in found for name in required):
            return number, found
        if _count(found, required) > _count(best[1], required):
            best = (number, found)
    raise _missing_headers(sheet.name, required, best)


def _find_headers(
    row: tuple[object, ...], names: Sequence[str], sheet: str, number: int
) -> dict[str, int]:
    keys = [header_key(value) for value in row]
    found: dict[str, int] = {}
    for name in names:
        hits = [index for index, key in enumerate(keys) if key == header_key(name)]
        if len(hits) > 1:
            raise Rejected(
                f"judul kolom '{name}' muncul {len(hits)} kali",
                "Hapus kolom yang ganda sehingga tiap judul kolom hanya ada satu, lalu kirim lagi.",
                Where(sheet=sheet, row=number),
            )
        if hits:
            found[name] = hits[0]
    return found


def _count(found: dict[str, int], required: Sequence[str]) -> int:
    return sum(name in found for name in required)


def _missing_headers(
    sheet: str, required: Sequence[str], best: tuple[int, dict[str, int]]
) -> Rejected:
    number, found = best
    missing = [name for name in required if name not in found]
    return Rejected(
        f"judul kolom tidak ditemukan: {', '.join(missing)}",
        f"Pastikan satu baris judul memuat kolom {', '.join(required)} "
        "(huruf besar/kecil dan urutan bebas); jangan ubah atau hapus judul kolom formulir.",
        Where(sheet=sheet, row=number or None),
    )


# --- numbers ---------------------------------------------------------------------------------

_PLAIN = re.compile(r"\d+")
_SIGNED = re.compile(r"([+-]?)([\d.,]+)%?")
_THOUSANDS = r"[1-9]\d{{0,2}}(?:{sep}\d{{3}})+"


def parse_number(value: object, where: Where) -> float:
    """Read a non-negative number from a cell, or raise `Rejected` at `where` saying why not.

    Accepts int/float (not bool) and text such as "1.234,5", "1.234", "12,5", "1,234.5",
    "85%" (→ 85.0), "Rp 1.500.000", with spaces around or between digit groups. A single comma
    is always the decimal comma; a single dot followed by exactly three digits is a thousands
    separator ("1.234" → 1234), otherwise a decimal point ("12.5").
    """
    check_saved(value, where)
    number = _number_of(value, where)
    if not math.isfinite(number):
        raise Rejected("berisi nilai tak hingga atau bukan angka", "Isi dengan angka.", where)
    if number < 0:
        raise Rejected(
            f"berisi angka negatif ({cell_text(value)})", "Isi dengan angka 0 atau lebih.", where
        )
    if number > MAX_NUMBER:
        raise Rejected(
            f"berisi angka yang terlalu besar ({cell_text(value)})",
            "Periksa kembali angkanya; nilai kinerja tidak sebesar itu.",
            where,
        )
    return number


def check_saved(value: object, where: Where) -> None:
    """Raise `Rejected` at `where` if `value` is a formula whose value was never saved."""
    if isinstance(value, UncachedFormula):
        raise Rejected(
            f"nilai rumus belum tersimpan ({value.formula})",
            "Buka lalu simpan ulang di Excel, kemudian kirim lagi.",
            where,
        )


def _number_of(value: object, where: Where) -> float:
    if isinstance(value, bool):
        raise Rejected("berisi nilai BENAR/SALAH, isi dengan angka", "Ketik angkanya.", where)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise Rejected(
            f"berisi tanggal/waktu ({cell_text(value)}), isi dengan angka",
            "Ubah format sel menjadi Angka (Number) lalu ketik angkanya.",
            where,
        )
    text = cell_text(value)
    if not text:
        raise Rejected("kosong", "Isi dengan angka (ketik 0 bila memang nol).", where)
    parsed = parse_number_text(text)
    if parsed is None:
        raise _text_rejection(text, where)
    return parsed


def _text_rejection(text: str, where: Where) -> Rejected:
    if text.upper() in EXCEL_ERRORS:
        return Rejected(
            f"berisi galat rumus {text.upper()}",
            "Perbaiki rumusnya di Excel, lalu kirim lagi.",
            where,
        )
    shown = text if len(text) <= 40 else text[:37] + "..."
    return Rejected(
        f"berisi teks '{shown}', isi dengan angka",
        "Ketik angkanya saja, misalnya 1.234,5 atau 85%.",
        where,
    )


def parse_number_text(text: str) -> float | None:
    """The number written in `text` (see `parse_number`), or None if it is not one."""
    body = _SPACE_LIKE.sub("", text)
    body = re.sub(r"^rp\.?", "", body, flags=re.IGNORECASE)
    signed = _SIGNED.fullmatch(body)
    if signed is None:
        return None
    sign, digits_text = signed.groups()
    digits = _canonical_digits(digits_text)
    if digits is None:
        return None
    return -float(digits) if sign == "-" else float(digits)


def _canonical_digits(body: str) -> str | None:
    """Rewrite `body` as "1234.5" if it is a well-formed number with separators."""
    if _PLAIN.fullmatch(body):
        return body
    if "." in body and "," in body:
        decimal_sep = "," if body.rfind(",") > body.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _, frac = body.rpartition(decimal_sep)
        return _grouped(whole, group_sep, frac)
    sep = "," if "," in body else "."
    whole, _, frac = body.rpartition(sep)
    if body.count(sep) > 1 or (sep == "." and _is_grouped(body, ".")):
        return _grouped(body, sep, "")
    return f"{whole}.{frac}" if _PLAIN.fullmatch(whole) and _PLAIN.fullmatch(frac) else None


def _is_grouped(text: str, sep: str) -> bool:
    return re.fullmatch(_THOUSANDS.format(sep=re.escape(sep)), text) is not None


def _grouped(whole: str, sep: str, frac: str) -> str | None:
    if not (_is_grouped(whole, sep) or _PLAIN.fullmatch(whole)):
        return None
    if frac and not _PLAIN.fullmatch(frac):
        return None
    plain = whole.replace(sep, "")
    return f"{plain}.{frac}" if frac else plain


# --- text ------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """Any cell value as clean text for documents and messages.

    None → ""; dates → dd-mm-yyyy (with HH:MM when there is a time); whole floats without
    ".0"; other floats with up to 15 significant digits as Excel shows them; booleans as
    BENAR/SALAH; text NFC-normalised, without control characters, trimmed. An
    `UncachedFormula` has no known value and gives "".
    """
    if value is None or isinstance(value, UncachedFormula):
        return ""
    if isinstance(value, bool):
        return "BENAR" if value else "SALAH"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.date | dt.time):
        return _date_text(value)
    return _clean(str(value))


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def _date_text(value: dt.date | dt.time) -> str:
    if isinstance(value, dt.datetime):
        with_time = (value.hour, value.minute, value.second) != (0, 0, 0)
        return value.strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return kept.replace("\u00a0", " ").strip()


# --- writing ---------------------------------------------------------------------------------


def formula_safe(text: str) -> str:
    """`text` with a leading apostrophe if a spreadsheet would otherwise run it as a formula.

    Triggers are `=`, `+`, `-`, `@`, tab, CR and LF (and their full-width forms), also after
    leading spaces. Use this for text outputs that a spreadsheet may open (CSV, TSV).

    For workbooks written with openpyxl prefer `set_text(cell, text)`: it keeps the text exact
    and marks the cell as text (`cell.data_type = "s"`, which openpyxl would otherwise turn into
    "f" for a leading "=") and sets the style's `quotePrefix`, so Excel shows it as text and
    keeps it text when the cell is edited. Assigning `cell.value = formula_safe(text)` also
    works, but the apostrophe then becomes part of the visible content.
    """
    if text.lstrip(" \u00a0")[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def set_text(cell: Any, text: str) -> None:
    """Write user text into an openpyxl cell so that Excel never treats it as a formula."""
    cell.value = text
    cell.data_type = "s"
    if formula_safe(text) != text:
        cell.quotePrefix = True
