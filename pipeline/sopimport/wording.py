"""Reading the SOP table's words: the standard time, and which stage kind a step suggests.

`standard_time` turns the Waktu column into the format's wording: "1 Hari", "1 (satu) hari
kerja" → "1 hari"; "2 Jam" → "2 jam"; "20 Menit", "20 mnt" → "20 menit"; "1 minggu" → "5 hari"
(working days). Anything else is for a person to decide.

`proposed_kind` finds the first word in the activity that suggests a stage kind (the words are
in `KEYWORDS`). The SOP's own name is left out first: it says what the whole SOP is about
("… Pengumpulan Data Kinerja"), not what one step does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.engine.definition import TO_DECIDE
from pipeline.sopimport.grid import clean
from pipeline.sopimport.naming import ascii_words

UNIT_WORDS = {"hari": "hari", "hr": "hari", "jam": "jam", "menit": "menit", "mnt": "menit",
              "min": "menit", "minggu": "minggu"}  # fmt: skip
WAKTU = re.compile(
    r"^(\d+)\s*(?:\([^)]*\)\s*)?(hari|hr|jam|menit|mnt|min|minggu)\.?(?:\s+kerja)?$", re.I
)
WORKING_DAYS_A_WEEK = 5
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"disposisi", "disposisi"),
    (r"\barahan", "disposisi"),
    (r"pengarahan|mengarahkan", "disposisi"),
    (r"pengumpulan|mengumpulkan", "pengumpulan"),
    (r"\bbahan", "pengumpulan"),
    (r"data dari bidang", "pengumpulan"),
    (r"menyusun|\bdraf|konsep|telaah|nelaah|perbaikan|memperbaiki", "draf"),
    (r"paraf|maraf", "paraf"),
    (r"tanda tangan|menandatangani|penandatanganan", "tanda-tangan"),
    (r"arsip|distribusi|\bkirim|mengirim", "arsip"),
)


@dataclass(frozen=True)
class Reading:
    """A value for the skeleton and, when it is not simply what the document says, a note."""

    value: str
    note: str = ""


def standard_time(text: str) -> Reading:
    match = WAKTU.match(clean(text))
    amount = int(match.group(1)) if match else 0
    if match is None or amount == 0:
        return Reading(TO_DECIDE, f'di dokumen: "{text}"' if text else "kolom waktu kosong")
    unit = UNIT_WORDS[match.group(2).lower()]
    if unit == "minggu":
        days = amount * WORKING_DAYS_A_WEEK
        return Reading(
            f"{days} hari", f'di dokumen: "{text}" ({WORKING_DAYS_A_WEEK} hari kerja seminggu)'
        )
    return Reading(f"{amount} {unit}")


def proposed_kind(aktivitas: str, nama: str) -> Reading | None:
    """The stage kind the activity's first telling word suggests, noting that word."""
    text = _without(aktivitas.lower(), set(ascii_words(nama)))
    found = [(m.span(), kind) for pattern, kind in KEYWORDS if (m := re.search(pattern, text))]
    if not found:
        return None
    span, kind = min(found)
    return Reading(kind, f'kata "{_words_over(text, span)}"')


def _without(text: str, words: set[str]) -> str:
    return re.sub(
        r"[a-z]+", lambda m: " " * len(m.group(0)) if m.group(0) in words else m.group(0), text
    )


def _words_over(text: str, span: tuple[int, int]) -> str:
    """The whole words a match touches: "nelaah" → "menelaah"."""
    words = re.finditer(r"[a-z]+(?:-[a-z]+)*", text)
    return " ".join(w.group(0) for w in words if w.start() < span[1] and w.end() > span[0])
