"""Filing a case when its signed record arrives: every kept input and output, the signed PDF,
the manifest and bag-info, as one BagIt bag under archive/ (written once, never again)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.archive.filing import ArchivedFile, bag_info, build_manifest, file_case
from pipeline.archive.signature_facts import filing_facts
from pipeline.core.values import CaseState, Drop, Outcome
from pipeline.engine.model import SopDef
from pipeline.engine.timeline import timeline
from pipeline.settings import Settings
from pipeline.store.journal import Journal, NumberRecord
from pipeline.store.numbers_kept import number_entry


def file_closing_case(
    settings: Settings, journal: Journal, sop: SopDef, drop: Drop, outcome: Outcome, at: datetime
) -> None:
    """The bag of the case `outcome` closes, with `drop` (the signed record) in it."""
    assert outcome.archive_dir and outcome.closes_at
    state = journal.case(outcome.case_id)
    assert state is not None
    files = [*_kept_files(settings.root, journal, state.id), _signed(drop, outcome, at)]
    events = (*state.events, *outcome.events)
    times = timeline(sop, events, outcome.closes_at, settings.office.calendar)
    extra = _extra(settings, state, outcome, journal.number_records(state.id))
    extra |= filing_facts(files, settings.office.signing.trust_roots)  # for `verify`
    manifest = build_manifest(settings, sop, state, outcome.closes_at, files, times, extra)
    info = bag_info(settings, sop, manifest, dict(outcome.signature or {}))
    file_case(
        settings.root / outcome.archive_dir, files, manifest, info, settings.state_dir / "work"
    )


def _extra(
    settings: Settings, state: CaseState, outcome: Outcome, issued: list[NumberRecord]
) -> dict[str, Any]:
    """What the manifest adds to the record: distribution, signature, the numbers given (with
    their register, so a lost journal's register can be rebuilt from the archive), the data."""
    numbers = [number_entry(n.register, n.year, n.seq, n.number, n.document) for n in issued]
    numbers += [
        number_entry(n.register, n.year, n.seq, n.text, n.document) for n in outcome.numbers
    ]
    return {
        "distribution": _distribution(settings, outcome),
        "signature": outcome.signature,
        "numbers": numbers,
        "bidang_data": {slug: d.to_json() for slug, d in sorted(state.bidang.items())},
    }  # fmt: skip


def _distribution(settings: Settings, outcome: Outcome) -> list[dict[str, str]]:
    emails = {d.recipient: d.email for d in outcome.deliveries}
    copies = [o.path.rsplit("/", 1)[0] + "/" for o in outcome.outputs if o.kind == "distribusi"]
    names = {f"outbox/distribusi/{p.slug}/": p for p in settings.office.penerima}
    return [
        {
            "recipient": names[c].slug if c in names else c.removeprefix("outbox/").rstrip("/"),
            "name": names[c].nama if c in names else "",
            "copy": c,
            "email": emails.get(names[c].slug, "") if c in names else "",
        }
        for c in copies
    ]


def _kept_files(root: Path, journal: Journal, case_id: str) -> list[ArchivedFile]:
    prefix = f"berkas/{case_id}/"
    return [
        ArchivedFile(
            root / f.path, f.path.removeprefix(prefix), f.role, f.step, f.kind, f.direction,
            f.at, f.sha256, f.size, f.actor,
        )
        for f in journal.files(case_id)
        if f.path.startswith(prefix)
    ]  # fmt: skip


def _signed(drop: Drop, outcome: Outcome, at: datetime) -> ArchivedFile:
    name = outcome.input_dest.removeprefix(f"berkas/{outcome.case_id}/")
    by = drop.actor.label if drop.actor.known else ""
    return ArchivedFile(
        drop.path, name, outcome.input_role, outcome.input_step, outcome.input_kind, "in", at,
        drop.sha256, drop.size, by,
    )  # fmt: skip
