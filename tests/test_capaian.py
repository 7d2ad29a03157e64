"""Capaian as SAKIP practice computes it: both polarities, never below 0 %, the office's cap,
zero and negative inputs, the target of the report's period, and the analyst's checklist."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.assign import period_from_name
from pipeline.core.capaian import (
    Dasar,
    Periode,
    TargetPeriode,
    capaian,
    capaian_mentah,
    hitung,
    periode,
    target_periode,
    tercapai,
)
from pipeline.core.errors import ConfigError
from pipeline.core.office import AturanCapaian, Indikator, Polarity
from pipeline.core.pemeriksaan import cara_perhitungan, catatan_pemeriksaan, periksa
from pipeline.settings import load_office

NAIK, TURUN = Polarity.NAIK, Polarity.TURUN
TW = {n: Periode("Triwulan", n) for n in (1, 2, 3, 4)}
SEM = {n: Periode("Semester", n) for n in (1, 2)}
TAHUN = Periode()


def ind(
    satuan: str = "orang",
    target: float = 100,
    polaritas: Polarity = NAIK,
    target_triwulan: tuple[float, ...] = (),
    target_semester: tuple[float, ...] = (),
    kumulatif: bool = True,
    kode: str = "X-01",
) -> Indikator:
    return Indikator(
        kode, "Jumlah contoh", satuan, target, polaritas, target_triwulan, target_semester,
        kumulatif,
    )  # fmt: skip


# --- the formula -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realisasi", "polaritas", "expected"),
    [
        (25000, 26000, NAIK, 104.0),
        (80, 60, NAIK, 75.0),
        (5, 4, TURUN, 120.0),  # 4 minutes against a 5-minute target
        (2, 3, TURUN, 50.0),
        (2, 2, TURUN, 100.0),
        (2, 4, TURUN, 0.0),  # twice the target: the floor is reached exactly
        (2, 5, TURUN, 0.0),  # the formula gives -50 %: never shown below 0
        (20, 400, TURUN, 0.0),
        (10, -3, NAIK, 0.0),  # an impossible negative count gives 0, not -30 %
    ],
)
def test_capaian_follows_the_polarity_and_never_goes_below_zero(
    target: float, realisasi: float, polaritas: Polarity, expected: float
) -> None:
    assert capaian(target, realisasi, polaritas) == pytest.approx(expected)


def test_the_formula_value_is_kept_apart_from_what_is_shown() -> None:
    assert capaian_mentah(2, 5, TURUN) == pytest.approx(-50.0)
    result = hitung(ind("temuan", 2, TURUN), TAHUN, 5)
    assert result.mentah == pytest.approx(-50.0) and result.nilai == 0.0
    assert not result.tercapai and not result.dibatasi


@pytest.mark.parametrize(
    ("polaritas", "realisasi", "expected", "met"),
    [
        (TURUN, 0, 100.0, True),  # "no findings left" achieved
        (TURUN, 3, 0.0, False),
        (NAIK, 0, None, True),  # nothing to measure against: no capaian
        (NAIK, 7, None, True),
    ],
)
def test_a_zero_target(polaritas: Polarity, realisasi: float, expected: float, met: bool) -> None:
    assert capaian(0, realisasi, polaritas) == expected
    assert tercapai(0, realisasi, polaritas) is met


def test_a_negative_target_has_no_capaian() -> None:
    assert capaian(-5, 3, NAIK) is None and capaian(-5, 3, TURUN) is None


@pytest.mark.parametrize(
    ("target", "realisasi", "polaritas", "cap", "expected"),
    [
        (100, 150, NAIK, 120.0, 120.0),
        (100, 110, NAIK, 120.0, 110.0),  # below the cap: untouched
        (5, 0, TURUN, 150.0, 150.0),  # no waiting at all would be 200 %
        (5, 4, TURUN, 150.0, 120.0),
        (100, 150, NAIK, None, 150.0),  # no cap by default
        (2, 5, TURUN, 120.0, 0.0),  # the floor still holds
    ],
)
def test_the_office_cap(
    target: float, realisasi: float, polaritas: Polarity, cap: float | None, expected: float
) -> None:
    assert capaian(target, realisasi, polaritas, cap) == pytest.approx(expected)
    result = hitung(ind(target=target, polaritas=polaritas), TAHUN, realisasi, cap)
    assert result.dibatasi is (
        cap is not None and result.mentah is not None and result.mentah > cap
    )


# --- the report's period and its target ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Disposisi Triwulan III 2026.pdf", Periode("Triwulan", 3)),
        ("disposisi_TW-4_2026.docx", Periode("Triwulan", 4)),
        ("Surat Semester 1 2026.pdf", Periode("Semester", 1)),
        ("Disposisi Semester II 2026.pdf", Periode("Semester", 2)),
        ("laporan tahun 2024.pdf", TAHUN),
        ("scan001.jpg", TAHUN),
    ],
)
def test_the_period_of_a_case_as_named_by_its_disposition(name: str, expected: Periode) -> None:
    assert periode(period_from_name(name, 2026)) == expected


def test_a_period_label_that_is_no_period_is_a_year() -> None:
    assert periode("Semester III 2026") == TAHUN and periode("Rapat 2026") == TAHUN
    assert TW[3].nama == "Triwulan III" and TW[3].bulan_akhir == 9 and SEM[1].bulan_akhir == 6


CUMULATIVE = ind(target=25000, target_triwulan=(5500, 12000, 18500, 25000))
PER_QUARTER = ind(target=1500, target_triwulan=(300, 400, 400, 400), kumulatif=False)
BY_SEMESTER = ind(target=40, target_semester=(18, 40), kode="S-01")
ANNUAL_ONLY = ind(target=25000, kode="A-01")


@pytest.mark.parametrize(
    ("indikator", "period", "nilai", "dasar"),
    [
        (CUMULATIVE, TW[1], 5500, Dasar.KUMULATIF),
        (CUMULATIVE, TW[3], 18500, Dasar.KUMULATIF),
        (CUMULATIVE, TW[4], 25000, Dasar.KUMULATIF),
        (CUMULATIVE, SEM[1], 12000, Dasar.KUMULATIF),  # s.d. June = s.d. Triwulan II
        (CUMULATIVE, SEM[2], 25000, Dasar.KUMULATIF),
        (CUMULATIVE, TAHUN, 25000, Dasar.TAHUNAN),
        (PER_QUARTER, TW[1], 300, Dasar.PERIODE),
        (PER_QUARTER, TW[4], 400, Dasar.PERIODE),  # not the year's 1.500
        (PER_QUARTER, SEM[2], 1500, Dasar.PENGGANTI),  # no semester target of its own
        (PER_QUARTER, TAHUN, 1500, Dasar.TAHUNAN),
        (BY_SEMESTER, SEM[1], 18, Dasar.KUMULATIF),
        (BY_SEMESTER, TW[2], 18, Dasar.KUMULATIF),  # s.d. Triwulan II = s.d. Semester I
        (BY_SEMESTER, TW[3], 40, Dasar.PENGGANTI),
        (ANNUAL_ONLY, TW[1], 25000, Dasar.PENGGANTI),
        (ANNUAL_ONLY, TW[4], 25000, Dasar.KUMULATIF),  # s.d. Triwulan IV is the year
        (ANNUAL_ONLY, SEM[2], 25000, Dasar.KUMULATIF),
    ],
)
def test_the_period_chooses_the_target(
    indikator: Indikator, period: Periode, nilai: float, dasar: Dasar
) -> None:
    assert target_periode(indikator, period) == TargetPeriode(nilai, dasar)


def test_capaian_of_a_quarter_uses_the_quarter_target() -> None:
    assert hitung(CUMULATIVE, TW[3], 19240).nilai == pytest.approx(104.0)
    assert hitung(PER_QUARTER, TW[2], 380).nilai == pytest.approx(95.0)
    assert hitung(ANNUAL_ONLY, TW[3], 19240).nilai == pytest.approx(76.96)


# --- the office config ---------------------------------------------------------------------------

OFFICE = """
[kantor]
nama = "Dinas Contoh"
daerah = "Kabupaten Contoh"
kepala_jabatan = "Kepala Dinas Contoh"

[[bidang]]
slug = "layanan"
nama = "Bidang Layanan"
iku = [
    {{ kode = "L-01", indikator = "Jumlah kunjungan", satuan = "orang", target = 25000 }},
    {{ kode = "L-02", indikator = "Jumlah temuan", satuan = "temuan", target = 2, polaritas = "turun" {extra} }},
]

[[penerima]]
slug = "inspektorat"
nama = "Inspektorat"

[arsip]
kode_klasifikasi = "000.5.2"
retensi_aktif_tahun = 2
retensi_inaktif_tahun = 3
nasib_akhir = "Permanen"
{capaian}
"""


def office_file(tmp_path: Path, extra: str = "", capaian: str = "") -> Path:
    path = tmp_path / "kantor.toml"
    path.write_text(OFFICE.format(extra=extra, capaian=capaian), encoding="utf-8")
    return path


def test_a_config_with_one_target_per_indicator_stays_valid(tmp_path: Path) -> None:
    office = load_office(office_file(tmp_path), tmp_path)
    (l01, l02) = office.bidang[0].iku
    assert (l01.target, l01.target_triwulan, l01.target_semester, l01.kumulatif) == (
        25000,
        (),
        (),
        True,
    )
    assert l02.polaritas is TURUN
    assert office.capaian == AturanCapaian()  # no cap, warn above twice the target


def test_period_targets_and_rules_are_read_from_the_config(tmp_path: Path) -> None:
    path = office_file(
        tmp_path,
        ", target_triwulan = [2, 2, 2, 2], target_semester = [2, 2], kumulatif = false",
        '[capaian]\nbatas_atas = 120\nkelipatan_wajar = 3\nsatuan_cacah = ["orang", "OPD"]',
    )
    office = load_office(path, tmp_path)
    l02 = office.bidang[0].iku[1]
    assert (l02.target_triwulan, l02.target_semester, l02.kumulatif) == (
        (2, 2, 2, 2),
        (2, 2),
        False,
    )
    assert office.capaian == AturanCapaian(120.0, 3.0, ("orang", "OPD"))
    assert office.capaian.counts_whole("opd") and not office.capaian.counts_whole("temuan")


@pytest.mark.parametrize(
    ("extra", "capaian", "problem"),
    [
        (", target_triwulan = [1, 2, 3]", "", "target_triwulan needs 4 numbers"),
        (", target_semester = [1, 2, 3]", "", "target_semester needs 2 numbers"),
        (", target_triwulan = [1, 1, 1, 3]", "", "cumulative targets ending in month 12"),
        (", target_triwulan = [1, 1, 2, 2], target_semester = [2, 2]", "", "month 6"),
        (", target_triwulan = [-1, 1, 1, 2]", "", "below 0"),
        (", kumulatif = 1", "", "kumulatif must be true or false"),
        ("", "[capaian]\nbatas_atas = 90", "at least 100"),
        ("", "[capaian]\nkelipatan_wajar = 1", "more than 1"),
    ],
)
def test_inconsistent_targets_and_rules_are_refused(
    tmp_path: Path, extra: str, capaian: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_office(office_file(tmp_path, extra, capaian), tmp_path)


def test_non_cumulative_targets_need_not_add_up_to_the_year(tmp_path: Path) -> None:
    office = load_office(
        office_file(tmp_path, ", target_triwulan = [1, 1, 1, 1], kumulatif = false"), tmp_path
    )
    assert office.bidang[0].iku[1].target_triwulan == (1, 1, 1, 1)


# --- what the analyst is asked to check ----------------------------------------------------------

RULES = AturanCapaian()


def checks(indikator: Indikator, realisasi: float, rules: AturanCapaian = RULES) -> list[str]:
    return periksa(hitung(indikator, TAHUN, realisasi, rules.batas_atas), "Sekretariat", rules)


@pytest.mark.parametrize(
    ("indikator", "realisasi", "words"),
    [
        (ind("orang", 25000), 250000, ["X-01", "250.000 orang", "lebih dari 2 kali", "25.000"]),
        (ind("temuan", 2, TURUN), 5, ["5 temuan lebih dari 2 kali", "Keterangan"]),
        (ind("temuan", 2, TURUN), 2.24, ["2,24 temuan berdesimal", "temuan dihitung utuh"]),
        (ind("OPD", 30), 33.6, ["33,6 OPD berdesimal"]),
        (ind("%", 80), -5, ["-5%", "negatif", "Sekretariat"]),
        (ind("orang", 0), 12, ["target 0 orang", "tidak dapat dihitung"]),
    ],
)
def test_implausible_figures_are_listed_with_what_to_check(
    indikator: Indikator, realisasi: float, words: list[str]
) -> None:
    found = checks(indikator, realisasi)
    assert len(found) == 1
    for word in words:
        assert word in found[0]


@pytest.mark.parametrize(
    ("indikator", "realisasi"),
    [
        (ind("orang", 25000), 26000),
        (ind("orang", 25000), 50000),  # exactly twice: a strong year, not a typo
        (ind("temuan", 2, TURUN), 0),
        (ind("temuan", 0, TURUN), 0),
        (ind("%", 80), 72.5),  # percentages, scores and averages may have decimals
        (ind("menit", 5, TURUN), 4.5),
        (ind("OPD", 30), 31),
    ],
)
def test_plausible_figures_raise_nothing(indikator: Indikator, realisasi: float) -> None:
    assert checks(indikator, realisasi) == []


def test_how_many_times_the_target_is_implausible_is_the_office_s_choice() -> None:
    tolerant = AturanCapaian(kelipatan_wajar=5)
    assert checks(ind("orang", 100), 300, tolerant) == []
    assert checks(ind("orang", 100), 501, tolerant) != []
    counted = AturanCapaian(satuan_cacah=("menit",))
    assert checks(ind("menit", 5, TURUN), 4.5, counted) != []
    assert checks(ind("orang", 100), 99.5, counted) == []


def test_indicators_without_a_target_for_the_period_are_listed_once() -> None:
    rows = [
        ("Layanan", hitung(ANNUAL_ONLY, TW[3], 19000)),
        ("Layanan", hitung(CUMULATIVE, TW[3], 19000)),
        ("Arsip", hitung(BY_SEMESTER, TW[3], 30)),
    ]
    (note,) = catatan_pemeriksaan(rows, TW[3], RULES)
    assert note.startswith("Target Triwulan III belum ditetapkan untuk A-01, S-01;")
    assert "target tahunan" in note
    assert catatan_pemeriksaan(rows[1:2], TW[3], RULES) == []


# --- how the draft says capaian was computed -----------------------------------------------------


def test_the_note_names_both_formulas_the_floor_and_the_absent_cap() -> None:
    lines = cara_perhitungan([hitung(CUMULATIVE, TW[3], 19000)], TW[3], "Triwulan III 2026", RULES)
    text = "\n".join(lines)
    assert "realisasi ÷ target × 100%" in text
    assert "(2 × target − realisasi) ÷ target × 100%, paling rendah 0%" in text
    assert "tidak dibatasi ke atas" in text
    assert "91% ke atas Sangat Tinggi" in text
    assert lines[-1] == (
        "Target yang dipakai untuk Triwulan III 2026: target kumulatif s.d. Triwulan III "
        "(realisasi dihitung sejak Januari)."
    )


def test_the_note_names_the_cap_and_what_it_lowered() -> None:
    rules = AturanCapaian(batas_atas=120)
    results = [
        hitung(ind("orang", 100), TAHUN, 135, 120),
        hitung(ind("temuan", 0, TURUN), TAHUN, 0, 120),
    ]
    text = "\n".join(cara_perhitungan(results, TAHUN, "Tahun 2026", rules))
    assert "Capaian paling tinggi 120% sesuai ketentuan kantor" in text
    assert "Yang dibatasi: X-01 (135% menjadi 120%)" in text
    assert "Target 0 pada indikator yang makin rendah makin baik (X-01): capaian 100%" in text
    assert "Target yang dipakai untuk Tahun 2026: target tahunan." in text


def test_the_note_groups_indicators_by_the_target_used() -> None:
    results = [hitung(i, TW[2], 1) for i in (CUMULATIVE, PER_QUARTER, ANNUAL_ONLY)]
    last = cara_perhitungan(results, TW[2], "Triwulan II 2026", RULES)[-1]
    assert "target kumulatif s.d. Triwulan II (realisasi dihitung sejak Januari): X-01;" in last
    assert "target Triwulan II saja (bukan kumulatif): X-01;" in last
    assert "target tahunan, karena target Triwulan II belum ditetapkan: A-01." in last
