"""`pipeline sop`: check, list and import SOP definitions."""

from __future__ import annotations

import argparse

from pipeline import sopcli
from pipeline.settings import load_settings


def cmd_sop(args: argparse.Namespace) -> int:

    if args.action == "check":
        report = sopcli.check(args.files, args.root)
        for line in report.lines:
            print(line)
        return 1 if report.failed else 0
    if args.action == "list":
        print(sopcli.listing(load_settings(args.root, args.state)))
        return 0
    text = sopcli.imported(args.file)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"skeleton written: {args.out} (run `pipeline sop check {args.out}`)")
    else:
        print(text, end="")
    return 0
