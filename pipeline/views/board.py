"""The status board (`status.html`), each role's `STATUS.txt` and reminder notes.

Pure: every function turns the status mapping built by the workflow into a string; writing it
to the share (atomically) is the caller's job. Staff read these, so all text is in Bahasa
Indonesia. Every value taken from the status is HTML-escaped on the board.

The status mapping (times are ISO 8601 strings with an offset, or None)::

    {"generated_at", "sop": {"nomor", "nama"},
     "cases": [{"id", "period", "opened_at", "closed_at", "step", "step_activity",
                "waiting_for", "waiting_since", "due_at", "overdue", "next_drop",
                "steps": [{"no", "actor", "activity", "standard", "standard_days",
                           "standard_minutes", "started_at", "completed_at", "due_at",
                           "overdue"}, ...]}],
     "rejections": [{"file", "role", "folder", "reason", "at", "case_id"}],
     "history_count": (optional) how many closed cases the history pages hold}

Elapsed times shown here are wall-clock; whether a step is late comes from the status (which
judged it against the working-day calendar).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

REFRESH_SECONDS = 120
RECENTLY_CLOSED = timedelta(days=14)
RECENTLY_CLOSED_MAX = 50  # the rest of the history is in the history pages (riwayat/)
HISTORY_INDEX = "riwayat/index.html"

_DAYS = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_ROLES = {
    "kepala-dinas": "Kepala Dinas",
    "sekretaris": "Sekretaris Dinas",
    "kasubag-ppmep": "Kasubag PPMEP",
    "analis": "Analis Perencana, Evaluasi dan Pelaporan",
}

Case = Mapping[str, Any]


# --- values -------------------------------------------------------------------------------


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time with offset from the status mapping, or None."""
    return datetime.fromisoformat(value) if value else None


def role_label(role: str | None) -> str:
    """Staff-facing name of a role slug; `bidang/<slug>` becomes "Bidang <slug>"."""
    if not role:
        return "-"
    if role.startswith("bidang/"):
        return "Bidang " + role.removeprefix("bidang/").replace("-", " ").title()
    return _ROLES.get(role, role)


def format_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """Indonesian short date and time, e.g. "Sen, 5 Okt 2026 10.30"."""
    if moment is None:
        return "-"
    local = moment.astimezone(tz)
    day, month = _DAYS[local.weekday()], _MONTHS[local.month - 1]
    return f"{day}, {local.day} {month} {local.year} {local:%H.%M}"


def format_deadline(moment: datetime | None, tz: ZoneInfo) -> str:
    """A deadline as staff read it: one at 00.00 is the end of the day before."""
    if moment is None:
        return "-"
    local = moment.astimezone(tz)
    if local.time() != time(0):
        return format_time(local, tz)
    day = local - timedelta(days=1)
    return f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year} (akhir hari)"


def format_duration(span: timedelta) -> str:
    """Indonesian rounded duration: "2 hari 3 jam", "4 jam 10 menit", "< 1 menit"."""
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    if hours:
        return f"{hours} jam {mins} menit" if mins else f"{hours} jam"
    return f"{mins} menit" if mins else "< 1 menit"


def current_step(case: Case) -> Mapping[str, Any] | None:
    """The step entry the case stands at, or None for a closed case."""
    return next((s for s in case.get("steps", ()) if s.get("no") == case.get("step")), None)


def waits_for(case: Case, role: str) -> bool:
    """True if the open case waits for `role`."""
    return role in waiting_roles(case)


def waiting_roles(case: Case) -> list[str]:
    """The roles an open case waits for (`waiting_for` is one role or a list of roles)."""
    waiting = case.get("waiting_for")
    if case.get("closed_at") or not waiting:
        return []
    return [waiting] if isinstance(waiting, str) else [str(r) for r in waiting]


def _waiting_label(case: Case) -> str:
    label = case.get("waiting_label")
    return str(label) if label else ", ".join(role_label(r) for r in waiting_roles(case)) or "-"


def _since(case: Case) -> datetime:
    moment = parse_time(case.get("waiting_since")) or parse_time(case.get("opened_at"))
    return moment or datetime.max.replace(tzinfo=ZoneInfo("UTC"))


def visible_cases(cases: Iterable[Case], now: datetime) -> list[Case]:
    """Open cases (overdue first, then longest waiting) and cases closed recently (newest first,
    at most `RECENTLY_CLOSED_MAX`)."""
    open_cases = [c for c in cases if not c.get("closed_at")]
    open_cases.sort(key=lambda c: (not c.get("overdue"), _since(c)))
    closed = [c for c in cases if c.get("closed_at")]
    recent = [c for c in closed if now - _closed_at(c) <= RECENTLY_CLOSED]
    recent.sort(key=_closed_at, reverse=True)
    return open_cases + recent[:RECENTLY_CLOSED_MAX]


def _closed_at(case: Case) -> datetime:
    return parse_time(case.get("closed_at")) or datetime.min.replace(tzinfo=ZoneInfo("UTC"))


def deadline_note(case: Case, now: datetime) -> str:
    """ "Terlambat 1 hari 2 jam" or "Sisa 5 jam" against the current step's due time."""
    due = parse_time(case.get("due_at"))
    if due is None:
        return ""
    if case.get("overdue") or now > due:
        return f"Terlambat {format_duration(now - due)}"
    return f"Sisa {format_duration(due - now)}"


# --- board (HTML) --------------------------------------------------------------------------


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _flag(value: Any) -> str:
    return "true" if value else "false"


_CSS = """
:root{--ink:#1d2430;--muted:#5b6472;--line:#d7dce3;--late:#b3261e;--late-bg:#fde7e5;
--ok:#1e6b3a;--ok-bg:#e3f4e8;--done:#3b4a5e;--done-bg:#eceff3;--now:#0b57a4;--now-bg:#e4efff}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:#f6f7f9}
header{background:#123a63;color:#fff;padding:14px 18px}
header h1{margin:0;font-size:1.25rem}
header p{margin:4px 0 0;opacity:.9;font-size:.9rem}
main{padding:12px 18px 32px;max-width:1200px;margin:0 auto}
h2{font-size:1.1rem;margin:22px 0 8px}
.summary{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:12px 0}
.summary li{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 12px}
.summary b{font-size:1.2rem;margin-right:4px}
.summary li.late{border-color:var(--late);color:var(--late)}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line)}
th{background:#eef1f5;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em}
tr.late td{background:var(--late-bg)}
tr.late td:first-child{border-left:6px solid var(--late)}
.badge{display:inline-block;white-space:nowrap;border-radius:4px;padding:2px 8px;
font-weight:700;font-size:.8rem}
.badge.late{background:var(--late);color:#fff}
.badge.ok{background:var(--ok-bg);color:var(--ok)}
.badge.done{background:var(--done-bg);color:var(--done)}
.badge.now{background:var(--now-bg);color:var(--now)}
.badge.wait{background:#f1f1f1;color:var(--muted)}
.muted{color:var(--muted);font-size:.88rem}
.late-text{color:var(--late);font-weight:700}
.reason{white-space:pre-line}
code{font-size:.88rem;background:#eef1f5;padding:1px 4px;border-radius:3px;word-break:break-all}
details{background:#fff;border:1px solid var(--line);border-radius:8px;margin:10px 0;padding:0 12px}
details.late{border-color:var(--late)}
summary{cursor:pointer;padding:10px 0;font-weight:600}
ol.steps{list-style:none;margin:0 0 12px;padding:0}
ol.steps li{display:grid;grid-template-columns:2.2rem 1fr;gap:2px 10px;padding:8px 0;
border-top:1px solid var(--line)}
ol.steps .no{grid-row:span 3;width:2rem;height:2rem;border-radius:50%;display:flex;
align-items:center;justify-content:center;font-weight:700;background:var(--done-bg)}
ol.steps li[data-state=selesai] .no{background:var(--ok-bg);color:var(--ok)}
ol.steps li[data-state=berjalan] .no{background:var(--now);color:#fff}
ol.steps li[data-overdue=true] .no{background:var(--late);color:#fff}
.times{font-size:.85rem;color:var(--muted)}
.empty{background:#fff;border:1px dashed var(--line);padding:12px;border-radius:8px}
.notices{background:#fff8e1;border:1px solid #e0b400;border-radius:8px;padding:0 12px}
@media (max-width:700px){
 body{font-size:14px} main{padding:8px 10px 24px}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards thead{display:none}
 table.cards{border:0;background:none}
 table.cards tr{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0 0 10px}
 table.cards td{border:0;padding:4px 10px}
 table.cards td::before{content:attr(data-label);display:block;font-size:.72rem;
 text-transform:uppercase;color:var(--muted)}
 tr.late{border:2px solid var(--late)!important}
 tr.late td:first-child{border-left:0}
}
"""


def page_head(title: str, *, refresh: bool = True) -> str:
    """The start of a staff page, with the board's style (and reloading itself if `refresh`)."""
    reload = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">\n' if refresh else ""
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{reload}<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
    )


def _header(status: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> str:
    sop = status.get("sop") or {}
    generated = parse_time(status.get("generated_at")) or now
    return (
        "<header>\n"
        f'<h1 id="judul">Papan Status SOP: {_e(sop.get("nama", ""))}</h1>\n'
        f'<p>Nomor SOP <span id="sop-nomor">{_e(sop.get("nomor", ""))}</span> · diperbarui '
        f'<time id="diperbarui" datetime="{_e(generated.isoformat())}">'
        f"{_e(format_time(generated, tz))}</time> · halaman memuat ulang sendiri tiap "
        f"{REFRESH_SECONDS // 60} menit</p>\n</header>\n"
    )


def _summary(cases: Sequence[Case], rejections: Sequence[Any]) -> str:
    open_cases = [c for c in cases if not c.get("closed_at")]
    late = sum(1 for c in open_cases if c.get("overdue"))
    items = [
        ("berjalan", "", len(open_cases), "berkas berjalan"),
        ("terlambat", ' class="late"' if late else "", late, "terlambat"),
        ("selesai", "", len(cases) - len(open_cases), "selesai baru-baru ini"),
        ("ditolak", "", len(rejections), "berkas ditolak menunggu perbaikan"),
    ]
    body = "".join(
        f'<li id="jumlah-{key}" data-count="{n}"{cls}><b>{n}</b>{text}</li>'
        for key, cls, n, text in items
    )
    return f'<ul class="summary" id="ringkasan">{body}</ul>\n'


def _notices(status: Mapping[str, Any]) -> str:
    items = [n.get("text", "") for n in status.get("notices", ())]
    if not items:
        return ""
    body = "".join(f"<li>{_e(text)}</li>" for text in items)
    return f'<section class="notices" id="perhatian"><h2>Perhatian</h2><ul>{body}</ul></section>\n'


def _state_badge(case: Case) -> str:
    if case.get("closed_at"):
        return '<span class="badge done">SELESAI</span>'
    if case.get("overdue"):
        return '<span class="badge late">TERLAMBAT</span>'
    return '<span class="badge ok">SESUAI WAKTU</span>'


def _time_cell(case: Case, now: datetime, tz: ZoneInfo) -> str:
    if case.get("cancelled"):
        return f"Dibatalkan {_e(format_time(_closed_at(case), tz))}"
    if case.get("closed_at"):
        opened, closed = parse_time(case.get("opened_at")), _closed_at(case)
        took = format_duration(closed - opened) if opened else "-"
        return f"Selesai {_e(format_time(closed, tz))}<br><span class='muted'>lama {took}</span>"
    step = current_step(case) or {}
    spent = format_duration(now - _since(case))
    note = deadline_note(case, now)
    note_cls = "late-text" if note.startswith("Terlambat") else "muted"
    return (
        f"berjalan {_e(spent)} (baku {_e(step.get('standard', '-'))})<br>"
        f"<span class='muted'>batas {_e(format_deadline(parse_time(case.get('due_at')), tz))}</span>"
        f"<br><span class='{note_cls}'>{_e(note)}</span>"
    )


def _sop_line(case: Case) -> str:
    sop = case.get("sop") or {}
    return f"<br><span class='muted'>{_e(sop.get('nama', ''))}</span>" if sop else ""


def _step_cell(case: Case) -> str:
    if case.get("cancelled"):
        return "Dibatalkan"
    if case.get("closed_at"):
        return f"Selesai ({len(case.get('steps', ()))} langkah)"
    return f"<b>Langkah {_e(case.get('step'))}</b><br>{_e(case.get('step_activity', ''))}"


def _waiting_cell(case: Case) -> str:
    if case.get("closed_at"):
        return "-"
    drop = case.get("next_drop")
    where = f"<br><span class='muted'>letakkan di</span> <code>{_e(drop)}</code>" if drop else ""
    return f"{_e(_waiting_label(case))}{where}"


def _case_row(case: Case, now: datetime, tz: ZoneInfo) -> str:
    closed = bool(case.get("closed_at"))
    late = bool(case.get("overdue")) and not closed
    attrs = (
        f'data-case="{_e(case.get("id"))}" data-overdue="{_flag(late)}" '
        f'data-state="{"selesai" if closed else "berjalan"}" '
        f'data-step="{_e(case.get("step") or "")}" data-waiting-for="{_e(" ".join(waiting_roles(case)))}"'
    )
    cells = [
        ("Kasus", f"<b>{_e(case.get('id'))}</b><br>{_e(case.get('period', ''))}{_sop_line(case)}"),
        ("Langkah", _step_cell(case)),
        ("Menunggu", _waiting_cell(case)),
        ("Waktu", _time_cell(case, now, tz)),
        ("Status", _state_badge(case)),
    ]
    tds = "".join(f'<td data-label="{label}">{html}</td>' for label, html in cells)
    return (
        f'<tr id="kasus-{_e(case.get("id"))}" class="{"late" if late else ""}" {attrs}>{tds}</tr>'
    )


def _cases_table(rows: Sequence[str]) -> str:
    if not rows:
        return '<p class="empty" id="tidak-ada-kasus">Belum ada berkas yang berjalan.</p>\n'
    head = "".join(f"<th>{h}</th>" for h in ("Kasus", "Langkah", "Menunggu", "Waktu", "Status"))
    body = "\n".join(rows)
    return (
        f'<table class="cards" id="kasus"><thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody></table>\n"
    )


def _step_state(step: Mapping[str, Any]) -> tuple[str, str]:
    if step.get("completed_at"):
        return "selesai", '<span class="badge ok">selesai</span>'
    if step.get("started_at"):
        return "berjalan", '<span class="badge now">berjalan</span>'
    return "belum", '<span class="badge wait">belum</span>'


_STEP_TIMES = (("mulai", "started_at"), ("selesai", "completed_at"), ("batas", "due_at"))


def _step_times(step: Mapping[str, Any], tz: ZoneInfo) -> str:
    shown = [
        f"{label} {_e((format_deadline if label == 'batas' else format_time)(moment, tz))}"
        for label, key in _STEP_TIMES
        if (moment := parse_time(step.get(key))) is not None
    ]
    if step.get("completed_by"):
        shown.append(f"oleh {_e(step.get('completed_by'))}")
    return " · ".join(shown) or "belum dimulai"


def _step_item(step: Mapping[str, Any], tz: ZoneInfo) -> str:
    state, badge = _step_state(step)
    late = bool(step.get("overdue"))
    if late:
        badge += ' <span class="badge late">TERLAMBAT</span>'
    times = _step_times(step, tz)
    return (
        f'<li data-step="{_e(step.get("no"))}" data-state="{state}" data-overdue="{_flag(late)}">'
        f'<span class="no">{_e(step.get("no"))}</span>'
        f"<div><b>{_e(role_label(step.get('actor')))}</b> · baku {_e(step.get('standard', '-'))}"
        f" {badge}</div><div>{_e(step.get('activity', ''))}</div>"
        f'<div class="times">{times}</div></li>'
    )


def _timeline(case: Case, tz: ZoneInfo) -> str:
    closed = bool(case.get("closed_at"))
    late = bool(case.get("overdue")) and not closed
    steps = "\n".join(_step_item(s, tz) for s in sorted(case.get("steps", ()), key=_step_no))
    return (
        f'<details id="linimasa-{_e(case.get("id"))}" data-case="{_e(case.get("id"))}" '
        f'class="{"late" if late else ""}"{"" if closed else " open"}>'
        f"<summary>{_e(case.get('id'))} · {_e(case.get('period', ''))}</summary>\n"
        f'<ol class="steps">\n{steps}\n</ol></details>\n'
    )


def _step_no(step: Mapping[str, Any]) -> int:
    return int(step.get("no") or 0)


def _rejection_row(item: Mapping[str, Any], tz: ZoneInfo) -> str:
    cells = [
        ("Berkas", f"<code>{_e(item.get('file'))}</code>"),
        ("Folder", f"<code>{_e(item.get('folder'))}</code>"),
        ("Alasan", f"<span class='reason'>{_e(item.get('reason'))}</span>"),
        ("Waktu", _e(format_time(parse_time(item.get("at")), tz))),
        ("Kasus", _e(item.get("case_id") or "-")),
    ]
    tds = "".join(f'<td data-label="{label}">{html}</td>' for label, html in cells)
    return f'<tr data-file="{_e(item.get("file"))}" data-role="{_e(item.get("role"))}">{tds}</tr>'


def _rejections_table(rejections: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> str:
    if not rejections:
        return '<p class="empty" id="tidak-ada-penolakan">Tidak ada berkas yang ditolak.</p>\n'
    head = "".join(f"<th>{h}</th>" for h in ("Berkas", "Folder", "Alasan", "Waktu", "Kasus"))
    ordered = sorted(rejections, key=lambda r: str(r.get("at") or ""))
    rows = "\n".join(_rejection_row(r, tz) for r in ordered)
    return (
        f'<table class="cards" id="ditolak"><thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody></table>\n"
    )


def _history_link(status: Mapping[str, Any]) -> str:
    """Where the whole history is, when the status says how many cases it holds."""
    filed = status.get("history_count")
    if filed is None:
        return ""
    return (
        f'<p class="muted" id="riwayat">Riwayat lengkap ({_e(filed)} kasus ditutup: selesai atau dibatalkan): '
        f'<a href="{HISTORY_INDEX}">{HISTORY_INDEX.removesuffix("index.html")}</a></p>\n'
    )


def case_entry(case: Case, now: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """A case's row and its timeline on the board, as of `now`."""
    return _case_row(case, now, tz), _timeline(case, tz)


def render_board(
    status: Mapping[str, Any],
    now: datetime,
    tz: ZoneInfo,
    entries: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The whole `status.html`: self-contained, Indonesian, responsive, refreshing itself.
    `entries` are rows and timelines already rendered (`case_entry`), by case id: a drop
    renders only its own case's entry again."""
    cases = visible_cases(status.get("cases", ()), now)
    known = entries or {}
    shown = [known.get(str(c.get("id"))) or case_entry(c, now, tz) for c in cases]
    rejections = list(status.get("rejections", ()))
    title = f"Status SOP {(status.get('sop') or {}).get('nomor', '')}"
    return (
        page_head(title)
        + "<body>\n"
        + _header(status, now, tz)
        + "<main>\n"
        + _summary(cases, rejections)
        + _notices(status)
        + "<h2>Berkas berjalan dan baru selesai</h2>\n"
        + _cases_table([row for row, _ in shown])
        + _history_link(status)
        + "<h2>Linimasa langkah SOP</h2>\n"
        + "".join(timeline for _, timeline in shown)
        + "<h2>Berkas ditolak, menunggu perbaikan</h2>\n"
        + _rejections_table(rejections, tz)
        + "</main>\n</body>\n</html>\n"
    )


# --- per-role text -------------------------------------------------------------------------


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def drop_folder_for(case: Case, role: str) -> str:
    """The case's next drop folder for `role`; fills a `<bidang>` placeholder with its slug."""
    drop = _one_line(case.get("next_drop")) or "-"
    if role.startswith("bidang/"):
        drop = drop.replace("<bidang>", role.removeprefix("bidang/"))
    return drop


def _role_case_entry(n: int, case: Case, role: str, now: datetime, tz: ZoneInfo) -> list[str]:
    step = current_step(case) or {}
    flag = f"  [TERLAMBAT: {deadline_note(case, now)}]" if case.get("overdue") else ""
    return [
        f"{n}. {_one_line(case.get('id'))} · {_one_line(case.get('period'))}{flag}",
        f"   SOP: {_one_line((case.get('sop') or {}).get('nama'))}",
        f"   Langkah {case.get('step')}: {_one_line(case.get('step_activity'))}",
        f"   Menunggu sejak: {format_time(_since(case), tz)}",
        f"   Batas waktu ({_one_line(step.get('standard', '-'))}): "
        f"{format_deadline(parse_time(case.get('due_at')), tz)}",
        f"   Letakkan berkas di: {drop_folder_for(case, role)}",
        "",
    ]


def _role_rejection_entry(item: Mapping[str, Any], tz: ZoneInfo) -> list[str]:
    return [
        f"- {_one_line(item.get('file'))} ({format_time(parse_time(item.get('at')), tz)})",
        f"  Alasan: {_one_line(item.get('reason'))}",
        f"  Lihat folder: {_one_line(item.get('folder'))}",
        "",
    ]


def render_role_status(status: Mapping[str, Any], role: str, now: datetime, tz: ZoneInfo) -> str:
    """`outbox/<role>/STATUS.txt`: what waits for `role`, oldest first, and where to drop next."""
    mine = sorted((c for c in status.get("cases", ()) if waits_for(c, role)), key=_since)
    rejected = [r for r in status.get("rejections", ()) if r.get("role") == role]
    lines = [
        f"STATUS UNTUK: {(status.get('role_names') or {}).get(role) or role_label(role)}",
        f"Diperbarui: {format_time(now, tz)}",
        "",
        f"Berkas yang menunggu Anda: {len(mine)} (terlama di atas)"
        if mine
        else "Tidak ada berkas yang menunggu Anda saat ini.",
        "",
    ]
    for n, case in enumerate(mine, start=1):
        lines += _role_case_entry(n, case, role, now, tz)
    notes = [n.get("text", "") for n in status.get("notices", ()) if n.get("role") in {"", role}]
    if notes:
        lines += ["PERHATIAN:", *(f"- {_one_line(text)}" for text in notes), ""]
    if rejected:
        lines += [f"Berkas Anda yang ditolak dan perlu diperbaiki: {len(rejected)}", ""]
        for item in sorted(rejected, key=lambda r: str(r.get("at") or "")):
            lines += _role_rejection_entry(item, tz)
    return "\n".join(lines).rstrip() + "\n"


def reminder_text(case: Case, now: datetime, tz: ZoneInfo) -> str:
    """A reminder for a case whose current step has passed its standard time."""
    step = current_step(case) or {}
    return (
        "\n".join(
            [
                f"PENGINGAT: langkah {case.get('step')} berkas {_one_line(case.get('id'))} "
                f"({_one_line(case.get('period'))}) melewati waktu baku.",
                "",
                f"Kegiatan: {_one_line(case.get('step_activity'))}",
                f"Menunggu: {_waiting_label(case)}",
                f"Mulai: {format_time(_since(case), tz)}",
                f"Waktu baku: {_one_line(step.get('standard', '-'))}",
                f"Batas waktu: {format_deadline(parse_time(case.get('due_at')), tz)}",
                f"{deadline_note(case, now)}.",
                "",
                "Mohon segera diselesaikan; letakkan berkas di: "
                + _one_line(case.get("next_drop")),
            ]
        )
        + "\n"
    )
