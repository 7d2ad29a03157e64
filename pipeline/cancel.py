"""Cancelling a case opened by mistake: closed without filing, its record and files kept."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.engine.contexts import tanggal
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_write
from pipeline.store.journal import Journal
from pipeline.store.outbox import tidy_case

log = logging.getLogger(__name__)
NOTE = "DIBATALKAN.txt"


def cancel(settings: Settings, journal: Journal, case_id: str, reason: str, now: datetime) -> Path:
    """Close `case_id` as cancelled; returns the note kept with the case's files (berkas/)."""
    state = journal.case(case_id)
    if state is None:
        raise PipelineError(f"unknown case {case_id}")
    if state.closed:
        raise PipelineError(f"case {case_id} is already closed; the archive is never changed")
    note = settings.root / "berkas" / case_id / NOTE
    local = now.astimezone(settings.tz)
    text = f"KASUS {case_id} DIBATALKAN\n\nTanggal : {tanggal(local)} pukul {local:%H.%M}\nAlasan  : {reason}\n"
    numbers = journal.number_records(case_id)
    if numbers:  # recorded as batal in the register, never given again
        text += "\nNomor naskah yang dibatalkan (tidak dipakai lagi):\n"
        text += "".join(f"- {n.number} ({n.document})\n" for n in numbers)
    atomic_write(note, text.encode())
    journal.cancel_case(case_id, now)
    tidy_case(settings.root, case_id, closed=True)
    log.warning("case %s cancelled: %s", case_id, reason)
    return note
