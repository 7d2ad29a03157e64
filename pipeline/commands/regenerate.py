"""`pipeline regenerate`: documents rendered again in batch, beside a live watcher."""

from __future__ import annotations

import argparse
import sys

from rich.progress import Progress

from pipeline.documents.regenerate import Options, Selection, Summary, regenerate
from pipeline.settings import load_settings
from pipeline.store.journal import JOURNAL_FILE, Journal
from pipeline.store.lock import utc_now


def cmd_regenerate(args: argparse.Namespace) -> int:
    # imports no more than regeneration needs (not the watcher's app): its start-up is serial

    settings = load_settings(args.root, args.state)
    selection = Selection(tuple(args.case or ()), args.year)
    options = Options(args.out, args.pdf, max(1, args.workers), args.dry_run)
    journal = Journal(settings.state_dir / JOURNAL_FILE)
    summary = Summary()
    # runs beside a live watcher: only a new draft version joining a case's flow takes the
    # short flow lock the watcher holds per drop
    try:
        with Progress(auto_refresh=False, disable=not sys.stdout.isatty()) as bar:
            task = bar.add_task("Regenerasi", total=None)
            for event in regenerate(settings, journal, selection, options, utc_now):
                summary.add(event)
                bar.update(task, description=event.phase.value, completed=event.done,
                           total=event.total, refresh=True)  # fmt: skip
    finally:
        journal.close()
    for line in summary.lines():
        print(line)
    for line in summary.failures():
        print(line, file=sys.stderr)
    return 1 if summary.failures() else 0
