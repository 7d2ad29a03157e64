"""The status board, the role status files and reminders, rendered from a status mapping.

The board is also loaded in real headless Chromium: the DOM after load is checked for the
overdue case, and screenshots (desktop and phone width) go to `test-artifacts/`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.core.sla import Standard, WorkCalendar, due_at, is_overdue
from pipeline.views.board import reminder_text, render_board, render_role_status
from tests.support.browser import artifact_path, dump_dom, screenshot

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkCalendar()
NOW = datetime(2026, 10, 14, 10, 0, tzinfo=WIB)  # a Wednesday

SOP_STEPS = [
    (1, "kepala-dinas", "Memberi arahan/disposisi kepada Sekretaris", "1 hari", "disposisi"),
    (2, "sekretaris", "Menerima, menelaah dan memerintahkan Kasubag PPMEP", "1 hari", ""),
    (3, "analis", "Melaksanakan koordinasi / pengumpulan bahan dengan bidang", "2 hari", ""),
    (4, "kasubag-ppmep", "Menerima hasil inventarisasi materi", "3 hari", ""),
    (5, "analis", "Menelaah dan menganalisa draft data kinerja", "2 hari", "inbox/analis/draf/"),
    (6, "analis", "Melakukan perbaikan / edit atas naskah draft", "1 hari", "inbox/analis/draf/"),
    (7, "kasubag-ppmep", "Menerima, memeriksa, memaraf", "1 hari", "inbox/kasubag-ppmep/paraf/"),
    (8, "sekretaris", "Menerima, memeriksa dan memaraf", "3 hari", "inbox/sekretaris/paraf/"),
    (9, "kepala-dinas", "Menerima, memeriksa dan menandatangani", "1 hari", ""),
    (10, "sekretaris", "Mendistribusikan dan mengarsipkan", "20 menit", ""),
]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _step(no: int, started: datetime | None, completed: datetime | None) -> dict[str, Any]:
    _, actor, activity, text, _ = SOP_STEPS[no - 1]
    standard = Standard.parse(text)
    due = due_at(started, standard, CAL) if started else None
    late = started is not None and is_overdue(started, completed, NOW, standard, CAL)
    return {
        "no": no,
        "actor": actor,
        "activity": activity,
        "standard": standard.label(),
        "standard_days": standard.days,
        "standard_minutes": standard.minutes,
        "started_at": _iso(started),
        "completed_at": _iso(completed),
        "due_at": _iso(due),
        "overdue": late,
    }


def make_case(
    case_id: str, period: str, opened: datetime, durations: list[timedelta], closed: bool = False
) -> dict[str, Any]:
    """A case whose steps took `durations` one after another; the next step runs until NOW."""
    steps, clock = [], opened
    for no in range(1, 11):
        if no <= len(durations):
            steps.append(_step(no, clock, clock + durations[no - 1]))
            clock += durations[no - 1]
        elif no == len(durations) + 1 and not closed:
            steps.append(_step(no, clock, None))
        else:
            steps.append(_step(no, None, None))
    current = None if closed else steps[len(durations)]
    drop = SOP_STEPS[len(durations)][4] if current else ""
    return {
        "id": case_id,
        "period": period,
        "opened_at": _iso(opened),
        "closed_at": _iso(clock) if closed else None,
        "step": current["no"] if current else None,
        "step_activity": current["activity"] if current else None,
        "waiting_for": current["actor"] if current else None,
        "waiting_since": current["started_at"] if current else None,
        "due_at": current["due_at"] if current else None,
        "overdue": bool(current and current["overdue"]),
        "next_drop": drop or None,
        "steps": steps,
    }


HOURS = [timedelta(hours=h) for h in (3, 5, 30, 20, 26, 4, 6, 50, 8)]


def sample_status(period_of_first: str = "Triwulan III 2026") -> dict[str, Any]:
    overdue = make_case("DK-2026-001", period_of_first, NOW - timedelta(days=9), HOURS[:4])
    fresh = make_case("DK-2026-002", "Triwulan IV 2026", NOW - timedelta(hours=2), [])
    closed = make_case(
        "DK-2026-000",
        "Tahun 2026",
        NOW - timedelta(days=12),
        [*HOURS, timedelta(minutes=15)],
        closed=True,
    )
    return {
        "generated_at": NOW.isoformat(),
        "sop": {"nomor": "040/34.15/PUSTAKA/2025", "nama": "Mekanisme Pengumpulan Data Kinerja"},
        "cases": [fresh, closed, overdue],
        "rejections": [
            {
                "file": "data-layanan & koleksi.xlsx",
                "role": "bidang/layanan",
                "folder": "outbox/bidang/layanan/ditolak/",
                "reason": "sheet 'IKU', baris 4, kolom Realisasi: bukan angka. Isi dengan angka.",
                "at": (NOW - timedelta(hours=1)).isoformat(),
                "case_id": "DK-2026-001",
            }
        ],
    }


class DomIndex(HTMLParser):
    """Collects, from a serialised DOM, elements carrying data-case and the text inside them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, list[str]] = {}
        self.ids: set[str] = set()
        self._open: list[tuple[str, str | None]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and found.get("data-case"):
            key = found["data-case"] or ""
            self.rows[key], self.text[key] = found, []
            self._open.append((tag, key))
        elif tag not in {"br", "meta", "img", "input", "link"}:
            self._open.append((tag, None))

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _, key in self._open:
            if key:
                self.text[key].append(data)

    def row_text(self, key: str) -> str:
        return " ".join("".join(self.text[key]).split())


def _index(html: str) -> DomIndex:
    parser = DomIndex()
    parser.feed(html)
    return parser


def test_board_marks_the_overdue_case_in_the_markup() -> None:
    html = render_board(sample_status(), NOW, WIB)
    dom = _index(html)
    assert dom.rows["DK-2026-001"]["data-overdue"] == "true"
    assert dom.rows["DK-2026-001"]["data-step"] == "5"
    assert dom.rows["DK-2026-002"]["data-overdue"] == "false"
    assert dom.rows["DK-2026-000"]["data-state"] == "selesai"
    assert "TERLAMBAT" in dom.row_text("DK-2026-001")
    assert "TERLAMBAT" not in dom.row_text("DK-2026-002")
    assert 'http-equiv="refresh" content="120"' in html
    assert 'name="viewport"' in html
    assert dom.scripts == 0
    assert "http://" not in html and "https://" not in html


def test_overdue_cases_come_first_then_closed_ones() -> None:
    dom = _index(render_board(sample_status(), NOW, WIB))
    assert list(dom.rows) == ["DK-2026-001", "DK-2026-002", "DK-2026-000"]


def test_cases_closed_long_ago_leave_the_board() -> None:
    status = sample_status()
    old = make_case("DK-2025-009", "Tahun 2025", NOW - timedelta(days=90), HOURS, closed=True)
    status["cases"].append(old)
    assert "DK-2025-009" not in _index(render_board(status, NOW, WIB)).rows


def test_board_escapes_every_value() -> None:
    hostile = '<script>alert("x")</script> & "kutip"'
    status = sample_status(period_of_first=hostile)
    status["rejections"][0]["reason"] = "<img src=x onerror=alert(1)>"
    status["cases"][0]["id"] = 'DK-2026-002" onmouseover="alert(1)'
    html = render_board(status, NOW, WIB)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;kutip&quot;" in html
    dom = _index(html)
    assert dom.scripts == 0
    assert 'DK-2026-002" onmouseover="alert(1)' in dom.rows
    assert hostile in dom.row_text("DK-2026-001")


def test_empty_share_says_so() -> None:
    status = {"generated_at": NOW.isoformat(), "sop": {}, "cases": [], "rejections": []}
    dom = _index(render_board(status, NOW, WIB))
    assert {"tidak-ada-kasus", "tidak-ada-penolakan"} <= dom.ids


def test_role_status_lists_only_that_roles_queue_oldest_first() -> None:
    status = sample_status()
    second = make_case("DK-2026-003", "Triwulan II 2026", NOW - timedelta(days=3), HOURS[:4])
    status["cases"].append(second)
    text = render_role_status(status, "analis", NOW, WIB)
    assert text.index("DK-2026-001") < text.index("DK-2026-003")
    assert "DK-2026-002" not in text and "DK-2026-000" not in text
    assert "Letakkan berkas di: inbox/analis/draf/" in text
    assert "TERLAMBAT" in text
    head = render_role_status(status, "kepala-dinas", NOW, WIB)
    assert "DK-2026-002" in head and "DK-2026-001" not in head


def test_each_bidang_still_missing_sees_its_own_folder() -> None:
    status = sample_status()
    collecting = make_case("DK-2026-005", "Triwulan I 2026", NOW - timedelta(hours=20), HOURS[:2])
    collecting["waiting_for"] = ["bidang/layanan", "bidang/arsip"]
    collecting["next_drop"] = "inbox/bidang/<bidang>/"
    status["cases"].append(collecting)
    assert "inbox/bidang/layanan/" in render_role_status(status, "bidang/layanan", NOW, WIB)
    assert "inbox/bidang/arsip/" in render_role_status(status, "bidang/arsip", NOW, WIB)
    assert "DK-2026-005" not in render_role_status(status, "bidang/pembinaan", NOW, WIB)
    dom = _index(render_board(status, NOW, WIB))
    assert dom.rows["DK-2026-005"]["data-waiting-for"] == "bidang/layanan bidang/arsip"
    assert "Bidang Layanan, Bidang Arsip" in dom.row_text("DK-2026-005")


def test_role_status_shows_that_roles_rejected_drops() -> None:
    text = render_role_status(sample_status(), "bidang/layanan", NOW, WIB)
    assert "Tidak ada berkas yang menunggu Anda" in text
    assert "data-layanan & koleksi.xlsx" in text
    assert "outbox/bidang/layanan/ditolak/" in text
    assert "data-layanan" not in render_role_status(sample_status(), "analis", NOW, WIB)


def test_reminder_names_the_step_deadline_and_drop_folder() -> None:
    case = sample_status()["cases"][2]
    text = reminder_text(case, NOW, WIB)
    assert "langkah 5 berkas DK-2026-001" in text
    assert "Terlambat" in text
    assert case["steps"][4]["standard"] in text
    assert "inbox/analis/draf/" in text


def _write_board(tmp_path: Path, status: dict[str, Any]) -> Path:
    page = tmp_path / "status.html"
    page.write_text(render_board(status, NOW, WIB), encoding="utf-8")
    return page


@pytest.mark.browser
def test_board_in_chromium_shows_the_overdue_case(tmp_path: Path) -> None:
    page = _write_board(tmp_path, sample_status())
    dom = _index(dump_dom(page))
    assert dom.rows["DK-2026-001"]["data-overdue"] == "true"
    assert "TERLAMBAT" in dom.row_text("DK-2026-001")
    assert dom.rows["DK-2026-000"]["data-overdue"] == "false"
    assert {"ringkasan", "kasus", "ditolak", "linimasa-DK-2026-001"} <= dom.ids
    shot = screenshot(page, artifact_path("status-board-desktop.png"), 1280, 3400)
    phone = screenshot(page, artifact_path("status-board-phone.png"), 390, 2400)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert phone.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.browser
def test_hostile_period_stays_text_in_chromium(tmp_path: Path) -> None:
    hostile = "<script>document.title='pwned'</script>Triwulan"
    page = _write_board(tmp_path, sample_status(period_of_first=hostile))
    dom = _index(dump_dom(page))
    assert dom.scripts == 0
    assert hostile in dom.row_text("DK-2026-001")
