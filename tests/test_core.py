"""The pure core: capaian, case assignment, periods, the timeline of steps, form validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.core.assign import assign_case, find_case_ids, period_from_name
from pipeline.core.capaian import capaian, format_angka, format_persen, kriteria
from pipeline.core.errors import Rejected, RejectedMany
from pipeline.core.office import Polarity
from pipeline.core.values import Event
from pipeline.documents.forms import build_form
from pipeline.engine.timeline import current_step, timeline
from pipeline.inputs.forms import read_form
from pipeline.settings import Settings
from pipeline.share import prepare_share

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB


# --- capaian -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realisasi", "polaritas", "expected"),
    [
        (25000, 26000, Polarity.NAIK, 104.0),
        (80, 60, Polarity.NAIK, 75.0),
        (5, 4, Polarity.TURUN, 120.0),  # lower is better: 4 minutes against a 5-minute target
        (2, 3, Polarity.TURUN, 50.0),
        (20, 40, Polarity.TURUN, 0.0),
    ],
)
def test_capaian_follows_the_polarity(
    target: float, realisasi: float, polaritas: Polarity, expected: float
) -> None:
    assert capaian(target, realisasi, polaritas) == pytest.approx(expected)


def test_capaian_of_a_zero_target_is_undefined_not_a_crash() -> None:
    assert capaian(0, 5, Polarity.NAIK) is None
    assert format_persen(None) == "-" and kriteria(None) == "-"


def test_criteria_and_indonesian_number_format() -> None:
    assert [kriteria(v) for v in (95, 91, 80, 70, 55, 20)] == [
        "Sangat Tinggi",
        "Sangat Tinggi",
        "Tinggi",
        "Sedang",
        "Rendah",
        "Sangat Rendah",
    ]
    assert format_angka(1234567.891) == "1.234.567,89"
    assert format_angka(25000) == "25.000"
    assert format_persen(92.5) == "92,5%"


# --- which case, which period ------------------------------------------------------------------


def test_periods_from_file_names() -> None:
    assert period_from_name("Disposisi Triwulan III 2025.pdf", 2026) == "Triwulan III 2025"
    assert period_from_name("disposisi_TW-2_2026.docx", 2026) == "Triwulan II 2026"
    assert period_from_name("Surat Semester 1 2026.pdf", 2026) == "Semester I 2026"
    assert period_from_name("laporan tahun 2024.pdf", 2026) == "Tahun 2024"
    assert period_from_name("scan001.jpg", 2026) == "Tahun 2026"


def test_case_ids_are_found_and_normalised() -> None:
    assert find_case_ids("DK", "dk-2026-7.xlsx", "Nomor kasus DK 2026 012") == ("DK-2026-012",)
    assert find_case_ids("DK", "XDK-2026-001", "DK-2026-0001") == ("DK-2026-001",)


def test_assignment_prefers_the_named_case() -> None:
    assert (
        assign_case(["DK-2026-002"], {"DK-2026-001", "DK-2026-002"}, ["DK-2026-001"], "draf")
        == "DK-2026-002"
    )


def test_assignment_falls_back_to_the_one_waiting_case() -> None:
    assert assign_case([], {"DK-2026-001", "DK-2026-002"}, ["DK-2026-002"], "draf") == "DK-2026-002"


@pytest.mark.parametrize(
    ("found", "waiting", "reason"),
    [
        ([], ["DK-2026-001", "DK-2026-002"], "tambahkan nomor kasus"),
        ([], [], "tidak ada kasus terbuka"),
        (["DK-2026-009"], ["DK-2026-001"], "tidak dikenal"),
        (["DK-2026-001", "DK-2026-002"], [], "lebih dari satu nomor kasus"),
    ],
)
def test_ambiguous_or_unknown_cases_are_rejected_with_the_reason(
    found: list[str], waiting: list[str], reason: str
) -> None:
    with pytest.raises(Rejected) as caught:
        assign_case(found, {"DK-2026-001", "DK-2026-002"}, waiting, "data bidang")
    assert reason in caught.value.message.lower()


# --- the ten steps -----------------------------------------------------------------------------


def test_steps_advance_with_events_and_fall_due_in_working_days(share: Settings) -> None:
    cal = share.office.calendar
    events = [Event("disposisi", T0), Event("perintah", T0)]
    times = timeline(share.sops[0], events, T0 + timedelta(hours=1), cal)
    step = current_step(times)
    assert step is not None and step.spec.no == 3 and not step.overdue
    assert step.due_at == T0 + timedelta(days=2)  # 2 working days: Monday → Wednesday
    friday = T0 + timedelta(days=4)
    assert current_step(timeline(share.sops[0], events, friday, cal)).overdue  # type: ignore[union-attr]
    assert [t.completed_at for t in times[:2]] == [T0, T0]
    assert all(t.started_at is None for t in times[3:])


def test_every_step_completes_in_order_over_a_whole_case(share: Settings) -> None:
    names = [
        "disposisi",
        "perintah",
        "data_lengkap",
        "draf_awal",
        "draf_diterima",
        "draf_final",
        "paraf:kasubag-ppmep",
        "paraf:sekretaris",
        "ditandatangani",
        "diarsipkan",
    ]
    events = [Event(n, T0 + timedelta(hours=i)) for i, n in enumerate(names)]
    times = timeline(share.sops[0], events, T0 + timedelta(days=1), share.office.calendar)
    assert current_step(times) is None
    assert [t.spec.no for t in times] == list(range(1, 11))
    assert all(t.started_at and t.completed_at and t.completed_at >= t.started_at for t in times)
    last = times[-1]
    assert last.spec.waktu.minutes == 20 and last.due_at == last.started_at + timedelta(minutes=20)


# --- the bidang form ---------------------------------------------------------------------------


def filled_form(
    share: Settings, tmp_path: Path, values: dict[str, object], slug: str = "layanan-perpustakaan"
) -> Path:
    bidang = share.office.bidang_by_slug(slug)
    assert bidang is not None
    path = tmp_path / "form.xlsx"
    path.write_bytes(build_form(bidang, "DK-2026-001", "Tahun 2026", share.office.nama))
    wb = load_workbook(path)
    ws = wb.active
    for row in range(7, 7 + len(bidang.iku)):
        code = ws.cell(row=row, column=1).value
        ws.cell(row=row, column=6, value=values.get(code, 10))
    wb.save(path)
    return path


def test_a_filled_form_is_read_into_plain_data(share: Settings, tmp_path: Path) -> None:
    bidang = share.office.bidang_by_slug("layanan-perpustakaan")
    assert bidang is not None
    data, text = read_form(
        filled_form(share, tmp_path, {"LYN-01": "26.000", "LYN-02": 11160.5}), bidang
    )
    assert [(r.kode, r.realisasi) for r in data.rows] == [
        ("LYN-01", 26000.0),
        ("LYN-02", 11160.5),
        ("LYN-03", 10.0),
    ]
    assert "DK-2026-001" in text


def test_every_bad_cell_of_a_form_is_named(share: Settings, tmp_path: Path) -> None:
    bidang = share.office.bidang_by_slug("layanan-perpustakaan")
    assert bidang is not None
    with pytest.raises(RejectedMany) as caught:
        read_form(filled_form(share, tmp_path, {"LYN-01": "tujuh", "LYN-03": -2}), bidang)
    problems = [p.message for p in caught.value.problems]
    assert len(problems) == 2
    assert "baris 7" in problems[0] and "Realisasi" in problems[0] and "'tujuh'" in problems[0]
    assert "baris 9" in problems[1]


def test_the_issued_form_carries_the_case_and_never_a_formula(
    share: Settings, tmp_path: Path
) -> None:
    bidang = share.office.bidang_by_slug("sekretariat")
    assert bidang is not None
    hostile = bidang.__class__(bidang.slug, "=cmd|' /C calc'!A0", bidang.iku)
    path = tmp_path / "f.xlsx"
    path.write_bytes(build_form(hostile, "DK-2026-001", "Tahun 2026", "@SUM(1)"))
    ws = load_workbook(path).active
    values = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in values), "user text must never become a formula"
    assert ws["B2"].value == "DK-2026-001"


# --- the share layout --------------------------------------------------------------------------


def test_init_is_idempotent_and_never_overwrites_staff_edits(tmp_path: Path) -> None:
    root = tmp_path / "share"
    assert main(["init", str(root), "--state", str(tmp_path / "state")]) == 0
    template = root / "templates" / "draf-data-kinerja.docx"
    config = root / "config" / "kantor.toml"
    template.write_bytes(template.read_bytes() + b"")  # unchanged bytes, new mtime
    config.write_text(
        config.read_text(encoding="utf-8").replace("Kuala Tungkal", "Kuala Tungkal Kota"),
        encoding="utf-8",
    )
    edited = {p: p.read_bytes() for p in (template, config)}
    assert main(["init", str(root), "--state", str(tmp_path / "state")]) == 0
    assert {p: p.read_bytes() for p in edited} == edited
    for folder in (
        "inbox/kepala-dinas/disposisi-data-kinerja",
        "inbox/bidang/sekretariat",
        "inbox/analis/draf",
        "inbox/kasubag-ppmep/paraf",
        "inbox/sekretaris/paraf",
        "inbox/kepala-dinas/tanda-tangan",
        "outbox/distribusi/inspektorat",
        "archive",
    ):
        assert (root / folder).is_dir(), folder
    settings = prepare_share(root, tmp_path / "state")
    assert settings.office.alamat.startswith("Kuala Tungkal Kota")


def test_a_broken_config_is_a_clear_startup_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "share"
    main(["init", str(root), "--state", str(tmp_path / "state")])
    (root / "config" / "kantor.toml").write_text("[kantor\nnama = ", encoding="utf-8")
    assert main(["watch", str(root), "--state", str(tmp_path / "state"), "--once"]) == 2
    assert "kantor.toml is not valid TOML" in capsys.readouterr().err


def test_a_bidang_may_send_its_form_again_under_the_same_name(
    share: Settings, tmp_path: Path
) -> None:
    from tests.support.cases import FIRST, quick_app, revised_form, run_pass
    from tests.support.staff import Staff

    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        staff.disposisi()
        run_pass(app)
        first = staff.isi_formulir(FIRST, "sekretariat").name
        run_pass(app)
        again = revised_form(share, "sekretariat", tmp_path / "again.xlsx", 99)
        staff.drop(again, "bidang/sekretariat", first)
        assert run_pass(app) == {"accepted": 1, "recovered": 0}
        state = app.journal.case(FIRST)
    finally:
        app.close()
    assert state is not None and state.bidang["sekretariat"].rows[0].realisasi == 99
    kept = sorted(p.name for p in (share.root / f"berkas/{FIRST}/masuk").iterdir())
    assert len([k for k in kept if k.startswith("03 data sekretariat")]) == 2, kept
