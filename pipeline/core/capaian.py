"""Capaian (achievement) of an indicator, and the criteria the office reports it under. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.core.office import Polarity

# Achievement criteria of regional performance evaluation (Permendagri 86/2017), lower bound → name.
KRITERIA: tuple[tuple[float, str], ...] = (
    (91.0, "Sangat Tinggi"),
    (76.0, "Tinggi"),
    (66.0, "Sedang"),
    (51.0, "Rendah"),
)
LOWEST = "Sangat Rendah"


def capaian(target: float, realisasi: float, polaritas: Polarity) -> float | None:
    """Achievement in percent: realisasi/target for higher-is-better, (2·target − realisasi)/target
    for lower-is-better. None when the target is zero (no meaningful ratio)."""
    if target == 0:
        return None
    if polaritas is Polarity.NAIK:
        return realisasi / target * 100.0
    return (2.0 * target - realisasi) / target * 100.0


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
