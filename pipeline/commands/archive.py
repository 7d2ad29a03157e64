"""The archive's commands: `verify` and `reindex`."""

from __future__ import annotations

import argparse

from pipeline.app import open_app
from pipeline.archive.reindex import reindex
from pipeline.archive.verify import ArchiveCheck, SignatureCheck, verify_archive
from pipeline.settings import load_settings
from pipeline.store.lock import InstanceLock


def cmd_verify(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    app = open_app(settings, to_pdf=lambda data, name: None)
    try:
        result = verify_archive(
            settings, app.journal, args.case, jobs=max(1, args.jobs), deep=args.deep
        )
    finally:
        app.close()
    for case in result.cases:
        print(f"{case.case_id}: {'OK' if case.ok else 'PROBLEM'}{_deep_note(case.why_deep)}")
        for problem in case.problems():
            print(f"    {problem}")
    for case_id in result.missing_bags:
        print(
            f"{case_id}: PROBLEM\n    the journal says it is closed, but its bag is not in archive/"
        )
    _print_verify_summary(result)
    return 0 if result.ok else 1


def _deep_note(why: str | None) -> str:
    return f" (signature re-validated from the PDF: {why})" if why else ""


def _print_verify_summary(result: ArchiveCheck) -> None:
    checks = result.signature_checks()
    done = [f"{n} {how.value}" for how, n in checks.items() if how is not SignatureCheck.SKIPPED]
    if done:
        print(f"signatures: {', '.join(done)}")
    print(
        f"{len(result.cases)} bag(s), {result.files_checked} file(s), "
        f"{result.bytes_checked / 1e6:.1f} MB in {result.seconds:.2f} s "
        f"({result.megabytes_per_second:.0f} MB/s, {result.jobs} job(s)): "
        f"{'all OK' if result.ok else 'PROBLEMS FOUND'}"
    )


def cmd_reindex(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    with InstanceLock(settings.state_dir):  # no watcher may open cases meanwhile
        app = open_app(settings, to_pdf=lambda data, name: None)
        try:
            restored = reindex(settings, app.journal)
        finally:
            app.close()
    print(f"restored {len(restored)} closed case(s) from archive/: {', '.join(restored) or '-'}")
    return 0
