"""What a draft says about its capaian: how they were computed ("Cara perhitungan capaian"),
and which figures the analyst should check before the draft goes on ("Catatan Pemeriksaan").
The texts are in Bahasa Indonesia: staff read them. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.core.capaian import (
    KRITERIA,
    LOWEST,
    Dasar,
    Hasil,
    Periode,
    format_angka,
    format_persen,
)
from pipeline.core.office import AturanCapaian, Polarity

CHECKLIST_TITLE = "CATATAN PEMERIKSAAN UNTUK ANALIS"
"""The heading of the analyst's checklist in a draft: a version still carrying it is not final."""
CHECKLIST_ITEM = "\u2610"

Check = Callable[[Hasil, str, AturanCapaian], str | None]


def _jumlah(value: float, satuan: str) -> str:
    """'2,24 temuan', '85%'."""
    return f"{format_angka(value)}%" if satuan == "%" else f"{format_angka(value)} {satuan}"


def _siapa(hasil: Hasil) -> str:
    return f"{hasil.indikator.kode} ({hasil.indikator.nama})"


def _negatif(hasil: Hasil, bidang: str, aturan: AturanCapaian) -> str | None:
    if hasil.realisasi >= 0:
        return None
    return (
        f"{_siapa(hasil)}: realisasi {_jumlah(hasil.realisasi, hasil.indikator.satuan)} "
        "bernilai negatif, padahal angka ini tidak mungkin kurang dari 0. Tanyakan angka yang "
        f"benar kepada {bidang}, lalu perbaiki tabelnya."
    )


def _berlebih(hasil: Hasil, bidang: str, aturan: AturanCapaian) -> str | None:
    target, satuan = hasil.target.nilai, hasil.indikator.satuan
    if target <= 0 or hasil.realisasi <= aturan.kelipatan_wajar * target:
        return None
    return (
        f"{_siapa(hasil)}: realisasi {_jumlah(hasil.realisasi, satuan)} lebih dari "
        f"{format_angka(aturan.kelipatan_wajar)} kali targetnya ({_jumlah(target, satuan)}). "
        "Periksa kemungkinan salah ketik (angka nol berlebih, titik dan koma tertukar) atau "
        f"salah satuan; bila angkanya benar, minta {bidang} menjelaskan sebabnya di kolom "
        "Keterangan."
    )


def _desimal(hasil: Hasil, bidang: str, aturan: AturanCapaian) -> str | None:
    satuan = hasil.indikator.satuan
    if not aturan.counts_whole(satuan) or abs(hasil.realisasi - round(hasil.realisasi)) < 1e-9:
        return None
    return (
        f"{_siapa(hasil)}: realisasi {_jumlah(hasil.realisasi, satuan)} berdesimal, padahal "
        f"{satuan} dihitung utuh. Periksa pembulatan atau tanda desimal yang tertukar "
        f"(misalnya 1,5 yang dimaksud 1.500), lalu perbaiki angkanya bersama {bidang}."
    )


def _target_nol(hasil: Hasil, bidang: str, aturan: AturanCapaian) -> str | None:
    if hasil.mentah is not None:
        return None
    return (
        f"{_siapa(hasil)}: target {_jumlah(hasil.target.nilai, hasil.indikator.satuan)}, "
        "sehingga capaiannya tidak dapat dihitung dan tidak masuk rata-rata. Pastikan target "
        "itu benar menurut Perjanjian Kinerja."
    )


CHECKS: tuple[Check, ...] = (_negatif, _berlebih, _desimal, _target_nol)


def periksa(hasil: Hasil, bidang: str, aturan: AturanCapaian) -> list[str]:
    """What looks wrong in one indicator's figures, each with what to check."""
    return [text for check in CHECKS if (text := check(hasil, bidang, aturan))]


def _kode(found: Sequence[Hasil]) -> str:
    return ", ".join(h.indikator.kode for h in found)


def catatan_pemeriksaan(
    rows: Sequence[tuple[str, Hasil]], period: Periode, aturan: AturanCapaian
) -> list[str]:
    """The analyst's checklist: every implausible figure (`rows` pairs each result with its
    bidang's name), then the indicators measured against a stand-in annual target."""
    found = [text for bidang, hasil in rows for text in periksa(hasil, bidang, aturan)]
    standing_in = [h for _, h in rows if h.target.dasar is Dasar.PENGGANTI]
    if standing_in:
        found.append(
            f"Target {period.nama} belum ditetapkan untuk {_kode(standing_in)}; capaiannya "
            "dihitung terhadap target tahunan. Pastikan realisasi dan target itu sebanding, atau "
            "minta pengelola aplikasi mengisi target per periode di config/kantor.toml."
        )
    return found


# --- how capaian was computed --------------------------------------------------------------------

RUMUS = (
    "Indikator yang makin tinggi makin baik: capaian = realisasi ÷ target × 100%.",
    "Indikator yang makin rendah makin baik: capaian = (2 × target − realisasi) ÷ target × "
    "100%, paling rendah 0% (bila realisasi dua kali target atau lebih).",
)


def cara_perhitungan(
    results: Sequence[Hasil], period: Periode, label: str, aturan: AturanCapaian
) -> list[str]:
    """The draft's note on how its capaian were computed: formula per polarity, zero targets,
    the cap, the averages and criteria, and which target each indicator was measured against."""
    return [
        *RUMUS,
        *_target_nol_lines(results),
        _batas_line(results, aturan),
        _kriteria_line(),
        _target_line(results, period, label),
    ]


def _target_nol_lines(results: Sequence[Hasil]) -> list[str]:
    zero = [h for h in results if h.target.nilai == 0]
    lower = [h for h in zero if h.indikator.polaritas is Polarity.TURUN]
    higher = [h for h in zero if h.indikator.polaritas is Polarity.NAIK]
    lines = []
    if lower:
        lines.append(
            f"Target 0 pada indikator yang makin rendah makin baik ({_kode(lower)}): capaian "
            "100% bila realisasi 0, dan 0% bila lebih dari 0."
        )
    if higher:
        lines.append(
            f"Target 0 pada indikator yang makin tinggi makin baik ({_kode(higher)}): capaian "
            'tidak dihitung (ditulis "-") dan tidak masuk rata-rata.'
        )
    return lines


def _batas_line(results: Sequence[Hasil], aturan: AturanCapaian) -> str:
    if aturan.batas_atas is None:
        return "Capaian tidak dibatasi ke atas."
    text = (
        f"Capaian paling tinggi {format_persen(aturan.batas_atas)} sesuai ketentuan kantor; "
        "rata-rata dihitung dari capaian yang sudah dibatasi."
    )
    capped = [
        f"{h.indikator.kode} ({format_persen(h.mentah)} menjadi {format_persen(h.nilai)})"
        for h in results
        if h.dibatasi
    ]
    return f"{text} Yang dibatasi: {', '.join(capped)}." if capped else text


def _kriteria_line() -> str:
    bounds = [f"{format_angka(b)}% ke atas {name}" for b, name in KRITERIA]
    return (
        "Rata-rata capaian ialah rata-rata capaian indikator yang dapat dihitung, dengan "
        f"kriteria {', '.join(bounds)}, di bawahnya {LOWEST}."
    )


DASAR_TEXT = {
    Dasar.KUMULATIF: "target kumulatif s.d. {p} (realisasi dihitung sejak Januari)",
    Dasar.PERIODE: "target {p} saja (bukan kumulatif)",
    Dasar.PENGGANTI: "target tahunan, karena target {p} belum ditetapkan",
}


def _target_line(results: Sequence[Hasil], period: Periode, label: str) -> str:
    if period.jenis == "Tahun" or not results:
        return f"Target yang dipakai untuk {label}: target tahunan."
    groups = {d: [h for h in results if h.target.dasar is d] for d in DASAR_TEXT}
    used = {d: found for d, found in groups.items() if found}
    if len(used) == 1:
        (dasar,) = used
        return f"Target yang dipakai untuk {label}: {DASAR_TEXT[dasar].format(p=period.nama)}."
    parts = [f"{DASAR_TEXT[d].format(p=period.nama)}: {_kode(found)}" for d, found in used.items()]
    return f"Target yang dipakai untuk {label}: {'; '.join(parts)}."
