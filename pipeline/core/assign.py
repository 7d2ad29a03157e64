"""Which case a drop belongs to, and which reporting period a disposition names. Pure."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from pipeline.core.errors import Rejected

ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "i": "I", "ii": "II", "iii": "III", "iv": "IV"}
_TRIWULAN = re.compile(
    r"\b(?:triwulan|tw|trw|q)[\s_.-]*(iv|iii|ii|i|[1-4])\b\D{0,12}?((?:19|20)\d\d)", re.I
)
_SEMESTER = re.compile(r"\b(?:semester|smt|sem)[\s_.-]*(ii|i|[12])\b\D{0,12}?((?:19|20)\d\d)", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def period_from_name(name: str, current_year: int) -> str:
    """'Disposisi Triwulan III 2025.pdf' → 'Triwulan III 2025'; no period named → the year."""
    text = name.replace("_", " ")
    for pattern, label in ((_TRIWULAN, "Triwulan"), (_SEMESTER, "Semester")):
        found = pattern.search(text)
        if found:
            return f"{label} {ROMAN[found.group(1).lower()]} {found.group(2)}"
    year = _YEAR.search(text)
    return f"Tahun {year.group(1) if year else current_year}"


def case_id_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![A-Za-z0-9]){re.escape(prefix)}[-_ ]?(\d{{4}})[-_ ]?(\d{{3,5}})(?!\d)", re.I
    )


def format_case_id(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}-{year}-{seq:03d}"


def find_case_ids(prefix: str, *texts: str) -> tuple[str, ...]:
    """Every case id written in the texts, normalised (DK_2025_7 is not one; DK-2025-007 is)."""
    pattern = case_id_pattern(prefix)
    found: dict[str, None] = {}
    for text in texts:
        for match in pattern.finditer(text):
            found[format_case_id(prefix.upper(), int(match.group(1)), int(match.group(2)))] = None
    return tuple(found)


def assign_case(
    found: Sequence[str], known: Collection[str], waiting: Sequence[str], what: str
) -> str:
    """The case a drop belongs to: the id it names, else the one case waiting for it.

    `known` are all case ids, `waiting` the open cases that wait for this kind of drop, `what`
    names the drop for the message (e.g. "data bidang").
    """
    named = [c for c in found if c in known]
    if len(named) > 1:
        raise Rejected(
            f"file menyebut lebih dari satu nomor kasus ({', '.join(named)})",
            "sebutkan satu nomor kasus saja di nama file, lalu kirim ulang",
        )
    if named:
        return named[0]
    if found:
        raise Rejected(
            f"nomor kasus {found[0]} tidak dikenal",
            "periksa nomor kasus pada nama file (lihat status.html), lalu kirim ulang",
        )
    return _only_waiting(waiting, what)


def _only_waiting(waiting: Sequence[str], what: str) -> str:
    if len(waiting) == 1:
        return waiting[0]
    if not waiting:
        raise Rejected(
            f"tidak ada kasus terbuka yang sedang menunggu {what}",
            "periksa status.html; bila file ini untuk kasus tertentu, "
            "cantumkan nomor kasusnya di nama file",
        )
    raise Rejected(
        f"ada {len(waiting)} kasus yang menunggu {what} ({', '.join(waiting)}) "
        "dan file ini tidak menyebut nomor kasus",
        "tambahkan nomor kasus ke nama file (misalnya 'DK-2026-001 ...'), lalu kirim ulang",
    )
