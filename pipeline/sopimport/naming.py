"""Short names for what the SOP document spells out: actor slugs, the case code, the name.

Actor slugs (`role_slug`), from the actor's header text, by the first rule that fits:

- a name starting with "Bidang" ("Bidang - Bidang Lain", "Bidang-bidang") is `bidang`, the slug
  that stands for every bidang of the office;
- a known title keeps its short form: "Kepala Dinas …" → `kepala-dinas`, "Kadis" →
  `kepala-dinas`, "Sekretaris …" / "Sekdin" → `sekretaris`, "Kepala Badan …" →
  `kepala-badan`, "Analis …" / "Analisis …" → `analis`;
- a unit head is its short title and its unit: one word as it is ("Kasubag Keuangan" →
  `kasubag-keuangan`), several by their initials, small words left out ("Kasubag
  Perencanaan, Program, Monitoring, Evaluasi dan Pelaporan" → `kasubag-ppmep`); "Kepala Sub
  Bagian" is `kasubag`, "Kepala Seksi" `kasi`, "Kepala Bidang" `kabid`;
- anything else: its first three words, lower case, joined by "-" ("Pengelola Arsip Dinamis
  Aktif" → `pengelola-arsip-dinamis`).

Letters are reduced to ASCII first ("é" → "e"); a slug used twice gets "-2", "-3".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pipeline.engine.model import UNITS

SMALL_WORDS = frozenset(
    {"dan", "atau", "di", "ke", "dari", "untuk", "yang", "pada", "dengan", "serta", "oleh",
     "atas", "dalam", "bagi", "tentang", "sebagai", "terhadap"}
)  # fmt: skip
TITLES: tuple[tuple[str, str], ...] = (
    ("bidang", UNITS),
    ("kepala dinas", "kepala-dinas"),
    ("kadis", "kepala-dinas"),
    ("sekretaris", "sekretaris"),
    ("sekdin", "sekretaris"),
    ("kepala badan", "kepala-badan"),
    ("analis", "analis"),
    ("analisis", "analis"),
    ("analisa", "analis"),
)
UNIT_HEADS: tuple[tuple[str, str], ...] = (
    ("kepala sub bagian", "kasubag"),
    ("kepala subbagian", "kasubag"),
    ("kasubbag", "kasubag"),
    ("kasubag", "kasubag"),
    ("kepala seksi", "kasi"),
    ("kasi", "kasi"),
    ("kepala bidang", "kabid"),
    ("kabid", "kabid"),
)
NOT_IN_CODE = SMALL_WORDS | {"sop", "standar", "operasional", "prosedur"}
ROMAN = re.compile(r"^[IVX]+$")


def ascii_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", plain.lower())


def role_slug(name: str) -> str:
    words = ascii_words(name)
    text = " ".join(words)
    for title, slug in TITLES:
        if _starts(text, title):
            return slug
    for title, short in UNIT_HEADS:
        if _starts(text, title):
            return _unit_head(short, text[len(title) :].split())
    return "-".join(words[:3]) or "pelaksana"


def _starts(text: str, title: str) -> bool:
    return text == title or text.startswith(f"{title} ")


def _unit_head(short: str, unit: Sequence[str]) -> str:
    words = [word for word in unit if word not in SMALL_WORDS]
    if len(words) <= 1:
        return "-".join([short, *words])
    return f"{short}-{''.join(word[0] for word in words)}"


def role_slugs(names: Sequence[str]) -> tuple[str, ...]:
    """One slug per actor, in order; a slug taken already gets "-2", "-3" …"""
    taken: list[str] = []
    for name in names:
        slug = base = role_slug(name)
        count = 1
        while slug in taken:
            count += 1
            slug = f"{base}-{count}"
        taken.append(slug)
    return tuple(taken)


def display_name(text: str) -> str:
    """An SOP name written in capitals as staff read it elsewhere: "PENYUSUNAN DATA DAN …" →
    "Penyusunan Data dan …"; a name with lower-case letters is kept as it is."""
    if text != text.upper() or not any(ch.isalpha() for ch in text):
        return text
    return " ".join(_title(word, first=index == 0) for index, word in enumerate(text.split()))


def _title(word: str, first: bool) -> str:
    if ROMAN.match(word):
        return word
    lower = word.lower()
    if lower in SMALL_WORDS and not first:
        return lower
    return re.sub(r"[a-z]+", lambda m: m.group(0).capitalize(), lower)


def case_code(nama: str) -> str:
    """A proposal for `kode_kasus`: the initials of the name's main words, at most five."""
    words = [word for word in ascii_words(nama) if word not in NOT_IN_CODE and word.isalpha()]
    return "".join(word[0] for word in words)[:5].upper()
