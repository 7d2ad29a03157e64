"""The commands that read the record: `status`, `report`, `register`, and `batal`."""

from __future__ import annotations

import argparse
import json

from pipeline.app import open_app
from pipeline.cancel import cancel
from pipeline.settings import load_settings
from pipeline.store.lock import InstanceLock, utc_now
from pipeline.views.board import waits_for


def cmd_status(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    app = open_app(settings, to_pdf=lambda data, name: None)
    try:
        status = app.status.build(utc_now())
    finally:
        app.close()
    if args.role:
        status["cases"] = [c for c in status["cases"] if waits_for(c, args.role)]
        status["rejections"] = [r for r in status["rejections"] if r["role"] == args.role]
    if args.json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        from pipeline.views.terminal import rejection_lines, status_table

        console = Console()
        console.print(status_table(status, settings.tz))
        for line in rejection_lines(status):
            console.print(line)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.views.report import build_compliance_report, for_sop

    settings = load_settings(args.root, args.state)
    now = utc_now()
    app = open_app(settings, to_pdf=lambda data, name: None)
    try:
        status = app.status.build(now)
    finally:
        app.close()
    year = args.year or now.astimezone(settings.tz).year
    out = (args.out or settings.root / "outbox" / "sekretaris").resolve()
    print(f"Laporan kepatuhan SOP tahun {year}:")
    for sop in settings.sops:
        stem = f"Laporan Kepatuhan SOP {sop.kode} {year}"
        xlsx, chart = out / f"{stem}.xlsx", out / f"{stem}.png"
        build_compliance_report(
            for_sop(status, sop.kode), year, settings.office.calendar, xlsx, chart
        )
        print(f"  {xlsx}\n  {chart}")
    return 0


def cmd_batal(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    with InstanceLock(settings.state_dir):  # no watcher may advance the case meanwhile
        app = open_app(settings, to_pdf=lambda data, name: None)
        try:
            note = cancel(settings, app.journal, args.case, args.alasan, utc_now())
            app.status.write()
        finally:
            app.close()
    print(f"Kasus {args.case} dibatalkan; catatan: {note}")
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from pipeline import sopcli

    settings = load_settings(args.root, args.state)
    year = args.year or utc_now().astimezone(settings.tz).year
    app = open_app(settings, to_pdf=lambda data, name: None)
    try:
        print(sopcli.register_table(app.journal, year))
    finally:
        app.close()
    return 0
