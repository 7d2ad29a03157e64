"""Capaian (achievement) of an indicator in the report's period, and the criteria the office
reports it under. Pure.

The formulas of SAKIP practice (Permendagri 86/2017):
- higher is better (naik): realisasi ÷ target × 100;
- lower is better (turun): (2 × target − realisasi) ÷ target × 100.

A capaian is never below 0 %, and never above the office's cap when it sets one. A zero target
has no ratio: for a lower-is-better indicator it means "none at all" (100 % when realisasi is
0, else 0 %); for a higher-is-better one there is no capaian (shown "-", left out of averages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pipeline.core.office import Indikator, Polarity

# Achievement criteria of regional performance evaluation (Permendagri 86/2017), lower bound → name.
KRITERIA: tuple[tuple[float, str], ...] = (
    (91.0, "Sangat Tinggi"),
    (76.0, "Tinggi"),
    (66.0, "Sedang"),
    (51.0, "Rendah"),
)
LOWEST = "Sangat Rendah"

# --- the report's period and the target it is measured against --------------------------------

PER_YEAR = {"Triwulan": 4, "Semester": 2, "Tahun": 1}
ROMAN = ("I", "II", "III", "IV")
_PERIOD = re.compile(r"\b(triwulan|semester)\s+(iv|iii|ii|i)\b", re.I)


@dataclass(frozen=True)
class Periode:
    """A reporting period within a year: Triwulan 1–4, Semester 1–2, or the whole year."""

    jenis: str = "Tahun"
    ke: int = 1

    @property
    def nama(self) -> str:
        """'Triwulan III', 'Semester I', 'Tahun'."""
        return self.jenis if self.jenis == "Tahun" else f"{self.jenis} {ROMAN[self.ke - 1]}"

    @property
    def bulan_akhir(self) -> int:
        """The month the period ends in (a cumulative target runs from January to it)."""
        return 12 // PER_YEAR[self.jenis] * self.ke


def periode(label: str) -> Periode:
    """The period a case reports on, from its label ('Triwulan III 2026', 'Semester I 2026',
    'Tahun 2026', as read from the disposition's name); anything else is a yearly report."""
    found = _PERIOD.search(label)
    if found is None:
        return Periode()
    jenis, ke = found.group(1).capitalize(), ROMAN.index(found.group(2).upper()) + 1
    return Periode(jenis, ke) if ke <= PER_YEAR[jenis] else Periode()


class Dasar(StrEnum):
    """Which of an indicator's targets a period is measured against."""

    TAHUNAN = "tahunan"  # a yearly report: the annual target
    KUMULATIF = "kumulatif"  # the target from January to the end of the period
    PERIODE = "periode"  # the target of the period alone
    PENGGANTI = "pengganti"  # none set for the period: the annual target stands in


@dataclass(frozen=True)
class TargetPeriode:
    nilai: float
    dasar: Dasar


def target_periode(indikator: Indikator, period: Periode) -> TargetPeriode:
    """The target `indikator` is measured against in `period`.

    A period's own target (`target_triwulan`, `target_semester`) when set; for a cumulative
    indicator also any target that ends in the same month (Semester I = s.d. Triwulan II,
    Triwulan IV = the year); else the annual target, marked as standing in.
    """
    if period.jenis == "Tahun":
        return TargetPeriode(indikator.target, Dasar.TAHUNAN)
    own = indikator.target_triwulan if period.jenis == "Triwulan" else indikator.target_semester
    if own:
        dasar = Dasar.KUMULATIF if indikator.kumulatif else Dasar.PERIODE
        return TargetPeriode(own[period.ke - 1], dasar)
    same_end = dict(cumulative_targets(indikator)) if indikator.kumulatif else {}
    if period.bulan_akhir in same_end:
        return TargetPeriode(same_end[period.bulan_akhir], Dasar.KUMULATIF)
    return TargetPeriode(indikator.target, Dasar.PENGGANTI)


def cumulative_targets(indikator: Indikator) -> tuple[tuple[int, float], ...]:
    """(month the period ends, target) of every target of the indicator, annual first."""
    return (
        (12, indikator.target),
        *((6 * k, v) for k, v in enumerate(indikator.target_semester, start=1)),
        *((3 * k, v) for k, v in enumerate(indikator.target_triwulan, start=1)),
    )


def target_problems(indikator: Indikator) -> list[str]:
    """What is wrong with an indicator's targets (for the config error), or nothing."""
    targets = (indikator.target, *indikator.target_triwulan, *indikator.target_semester)
    problems = [f"{indikator.kode}: a target below 0"] if min(targets) < 0 else []
    if indikator.kumulatif:
        seen: dict[int, float] = {}
        for month, value in cumulative_targets(indikator):
            if seen.setdefault(month, value) != value:
                problems.append(
                    f"{indikator.kode}: cumulative targets ending in month {month} differ "
                    f"({seen[month]:g} and {value:g}); the last triwulan and the last semester "
                    "equal the annual target, semester I equals triwulan II "
                    "(or set kumulatif = false)"
                )
    return problems


# --- the formula ---------------------------------------------------------------------------------


def capaian_mentah(target: float, realisasi: float, polaritas: Polarity) -> float | None:
    """The formula's value before the floor at 0 % and the cap; None where no ratio exists."""
    if target < 0:
        return None
    if target == 0:
        if polaritas is Polarity.NAIK:
            return None
        return 100.0 if realisasi <= 0 else 0.0
    if polaritas is Polarity.NAIK:
        return realisasi / target * 100.0
    return (2.0 * target - realisasi) / target * 100.0


def capaian(
    target: float, realisasi: float, polaritas: Polarity, batas_atas: float | None = None
) -> float | None:
    """Achievement in percent, never below 0 and never above `batas_atas` (when given)."""
    raw = capaian_mentah(target, realisasi, polaritas)
    if raw is None:
        return None
    value = max(raw, 0.0)
    return value if batas_atas is None else min(value, batas_atas)


def tercapai(target: float, realisasi: float, polaritas: Polarity) -> bool:
    """Whether the target is met: at least the target, or at most it when lower is better."""
    return realisasi >= target if polaritas is Polarity.NAIK else realisasi <= target


@dataclass(frozen=True)
class Hasil:
    """One indicator's figures in a report: the target used, realisasi and capaian."""

    indikator: Indikator
    target: TargetPeriode
    realisasi: float
    mentah: float | None  # the formula's value
    nilai: float | None  # what the report shows: floored at 0, capped

    @property
    def tercapai(self) -> bool:
        return tercapai(self.target.nilai, self.realisasi, self.indikator.polaritas)

    @property
    def dibatasi(self) -> bool:
        """Whether the cap lowered the capaian."""
        return self.mentah is not None and self.nilai is not None and self.mentah > self.nilai


def hitung(
    indikator: Indikator, period: Periode, realisasi: float, batas_atas: float | None = None
) -> Hasil:
    target = target_periode(indikator, period)
    polaritas = indikator.polaritas
    return Hasil(
        indikator,
        target,
        realisasi,
        capaian_mentah(target.nilai, realisasi, polaritas),
        capaian(target.nilai, realisasi, polaritas, batas_atas),
    )


# --- criteria and number formats ---------------------------------------------------------------


def kriteria(nilai: float | None) -> str:
    if nilai is None:
        return "-"
    return next((name for bound, name in KRITERIA if nilai >= bound), LOWEST)


def rata_rata(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def format_angka(value: float | None, decimals: int = 2) -> str:
    """Indonesian number format: 25.000 · 92,5 · 1.234,56 (trailing zeros dropped)."""
    if value is None:
        return "-"
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_persen(value: float | None) -> str:
    return "-" if value is None else f"{format_angka(value, 2)}%"
