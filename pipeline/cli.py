"""The command line: parsing arguments, setting up logging, printing. Nothing else prints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from pipeline import __version__
from pipeline.access.acl import apply_plan, check_plan, load_plan
from pipeline.access.plan import Perm, Rule
from pipeline.access.samba import forced_owner, guard_state, share_section
from pipeline.app import office_notices, open_app, utc_now
from pipeline.archive.reindex import reindex
from pipeline.archive.verify import verify_archive
from pipeline.cancel import cancel
from pipeline.core.errors import ConfigError, LockHeld, PipelineError
from pipeline.documents.templates import Documents
from pipeline.settings import Settings, load_settings
from pipeline.share import create_layout, install_defaults
from pipeline.store.lock import InstanceLock
from pipeline.store.mounts import is_network_mount
from pipeline.store.owners import detect_attribution
from pipeline.views.board import waits_for
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher

log = logging.getLogger("pipeline")


def _root_arg(parser: argparse.ArgumentParser, default: str = ".") -> None:
    parser.add_argument(
        "root",
        nargs="?",
        default=default,
        type=Path,
        help="the share's root folder (default: %(default)s)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="state folder on local disk (default: $SOP_PIPELINE_STATE or ROOT/.pipeline)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline", description="SOP document pipeline over a shared folder."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    parser.add_argument("-q", "--quiet", action="count", default=0)
    sub = parser.add_subparsers(dest="command", required=True)
    _root_arg(sub.add_parser("init", help="create the share layout (never overwrites)"))
    _watch_parser(sub.add_parser("watch", help="watch the inboxes and run the SOP"))
    status = sub.add_parser("status", help="where every case stands")
    _root_arg(status)
    status.add_argument("--json", action="store_true")
    status.add_argument(
        "--role", help="only what waits for this role (e.g. analis, bidang/sekretariat)"
    )
    _root_arg(sub.add_parser("demo", help="play one whole case with sample files"), "sop-demo")
    verify = sub.add_parser("verify", help="re-hash every archive bag and re-check signatures")
    _root_arg(verify)
    verify.add_argument("--case", help="only this case")
    _root_arg(sub.add_parser("reindex", help="rebuild the journal's closed cases from the bags"))
    batal = sub.add_parser("batal", help="cancel a case opened by mistake (kept, never filed)")
    _root_arg(batal)
    batal.add_argument("--case", required=True, help="the case id, e.g. DK-2026-002")
    batal.add_argument("--alasan", required=True, help="why it is cancelled (kept with the case)")
    report = sub.add_parser("report", help="SOP compliance report (.xlsx and chart) of a year")
    _root_arg(report)
    report.add_argument("--year", type=int, help="year the cases were opened (default: this year)")
    report.add_argument(
        "--out", type=Path, help="folder for the report (default: ROOT/outbox/sekretaris)"
    )
    _regenerate_parser(
        sub.add_parser(
            "regenerate",
            help="render the cases' documents again from stored data, current templates",
        )
    )
    _access_parser(sub.add_parser("access", help="who may drop where: folder ACLs and Samba"))
    _sop_parser(sub.add_parser("sop", help="SOP definitions: check, list, import"))
    register = sub.add_parser("register", help="the numbers given to documents in a year")
    _root_arg(register)
    register.add_argument("--year", type=int, help="default: this year")
    _verbosity_everywhere(parser)
    return parser


def _sop_parser(sop: argparse.ArgumentParser) -> None:
    actions = sop.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "check", help="check definition files and their templates; every problem, exit 1"
    )
    check.add_argument("files", nargs="+", type=Path, help="definition files (.toml)")
    check.add_argument(
        "--root", type=Path, help="the share to check against (default: the file's own share)"
    )
    _root_arg(actions.add_parser("list", help="the SOPs a share runs"))
    imported = actions.add_parser(
        "import", help="a definition skeleton from an SOP document (.docx or .xlsx)"
    )
    imported.add_argument("file", type=Path, help="the SOP document with its SOP AP table")
    imported.add_argument("--out", type=Path, help="write here instead of standard output")


def _access_parser(access: argparse.ArgumentParser) -> None:
    actions = access.add_subparsers(dest="action", required=True)
    _root_arg(actions.add_parser("apply", help="set every folder's ACL from the config (root)"))
    _root_arg(actions.add_parser("check", help="list every folder whose ACL differs; exit 1"))
    conf = actions.add_parser("smb-conf", help="print the Samba share section for ROOT")
    _root_arg(conf)
    conf.add_argument("--name", default="sop", help="the share's name (default: %(default)s)")


def _verbosity_everywhere(parser: argparse.ArgumentParser) -> None:
    """-v/-q also after the sub-command (`pipeline watch . -q`), at any depth."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS)
                child.add_argument("-q", "--quiet", action="count", default=argparse.SUPPRESS)
                _verbosity_everywhere(child)


def _watch_parser(watch: argparse.ArgumentParser) -> None:
    _root_arg(watch)
    watch.add_argument(
        "--once", action="store_true", help="one full pass over the inboxes, then exit"
    )
    watch.add_argument(
        "--polling", action="store_true", help="poll instead of file events (network mounts)"
    )
    watch.add_argument(
        "--settle", type=float, default=2.0, help="seconds a file must be unchanged (polling)"
    )
    watch.add_argument("--rescan", type=float, default=180.0, help="seconds between full rescans")
    watch.add_argument(
        "--max-lock-age",
        type=float,
        default=12.0,
        help="hours after which an Office lock file (~$...) beside a drop no longer holds it",
    )
    watch.add_argument(
        "--incomplete-wait",
        type=float,
        default=120.0,
        help="seconds an incomplete file is retried before it is rejected",
    )


def _regenerate_parser(regen: argparse.ArgumentParser) -> None:
    _root_arg(regen)
    which = regen.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", nargs="+", metavar="ID", help="these cases")
    which.add_argument("--year", type=int, help="every case of this year")
    which.add_argument("--all", action="store_true", help="every case")
    regen.add_argument(
        "--out", type=Path, help="folder for documents outside the normal flow "
        "(default: ROOT/outbox/regenerasi; one subfolder per case)",
    )  # fmt: skip
    regen.add_argument("--pdf", action="store_true", help="also make PDFs (LibreOffice)")
    regen.add_argument("--workers", type=int, default=1, help="processes (default: %(default)s)")
    regen.add_argument("--dry-run", action="store_true", help="only list what would change, why")


QUIET_LIBRARIES = ("matplotlib", "PIL", "fontTools", "pyhanko", "pyhanko_certvalidator")
"""Libraries whose chatter (font caches; a traceback per untrusted signer) is not for the
operator: the pipeline logs one line per drop with the verdict. -vv shows them again."""


def setup_logging(verbose: int, quiet: int) -> None:
    level = logging.INFO - 10 * verbose + 10 * quiet
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)


def prepare_share(root: Path, state: Path | None, **options: Any) -> Settings:
    root.mkdir(parents=True, exist_ok=True)
    install_defaults(root)
    settings = load_settings(root, state, **options)
    create_layout(settings)
    Documents(settings.templates_dir).check_all(settings.office, settings.sops)
    return settings


def cmd_init(args: argparse.Namespace) -> int:
    settings = prepare_share(args.root, args.state)
    print(f"Share siap di {settings.root}")
    attribution = detect_attribution(settings.root, forced_owner(settings.root))
    for notice in office_notices(settings, attribution):
        print(f"  PERHATIAN: {notice.text}")
    print(f"  petunjuk untuk staf: {settings.root / 'PETUNJUK.txt'}")
    print(f"  status: {settings.root / 'status.html'}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    guard_state(args.root.resolve(), args.state)  # the state must not be reachable by SMB
    polling = args.polling or is_network_mount(args.root.resolve())
    settings = prepare_share(
        args.root,
        args.state,
        polling=polling,
        rescan_seconds=args.rescan,
        settle_seconds=args.settle,
    )
    policy = RetryPolicy(
        max_wait=args.incomplete_wait, max_attempts=3 if args.incomplete_wait < 10 else 10
    )
    with InstanceLock(settings.state_dir):
        # only this watcher uses the work folder: what an interrupted run left there is rubbish
        shutil.rmtree(settings.state_dir / "work", ignore_errors=True)
        app = open_app(settings)
        for notice in app.notices:
            log.warning("%s", notice.text)
        try:
            app.status.write()
            watcher = Watcher(
                app.runner,
                polling=polling,
                settle=args.settle,
                rescan=args.rescan,
                policy=policy,
                max_lock_age=args.max_lock_age * 3600,
                tick=app.tick,
            )
            if args.once:
                results = watcher.run_once()
                app.status.write()
                app.tick()  # reminders and mail retries, as a running watcher does between drops
                print(", ".join(f"{k}: {v}" for k, v in sorted(results.items())) or "nothing to do")
                return 0
            _run_until_stopped(watcher, settings)
        finally:
            app.close()
    return 0


def _run_until_stopped(watcher: Watcher, settings: Settings) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(
        f"Watching {settings.root / 'inbox'} — Ctrl-C to stop. Status: {settings.root / 'status.html'}"
    )
    watcher.run(stop)


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


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.demo import play

    settings = prepare_share(args.root, args.state, settle_seconds=0.0)
    for line in play(settings):
        print(line)
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


def cmd_verify(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    app = open_app(settings, to_pdf=lambda data, name: None)
    try:
        result = verify_archive(settings, app.journal, args.case)
    finally:
        app.close()
    for case in result.cases:
        print(f"{case.case_id}: {'OK' if case.ok else 'PROBLEM'}")
        for problem in case.problems():
            print(f"    {problem}")
    for case_id in result.missing_bags:
        print(
            f"{case_id}: PROBLEM\n    the journal says it is closed, but its bag is not in archive/"
        )
    megabytes = result.bytes_checked / 1e6
    rate = megabytes / result.seconds if result.seconds > 0 else 0.0
    print(
        f"{len(result.cases)} bag(s), {result.files_checked} file(s), {megabytes:.1f} MB in "
        f"{result.seconds:.2f} s ({rate:.0f} MB/s): {'all OK' if result.ok else 'PROBLEMS FOUND'}"
    )
    return 0 if result.ok else 1


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


def cmd_regenerate(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from pipeline.app import JOURNAL_FILE
    from pipeline.documents.regenerate import Options, Selection, Summary, regenerate
    from pipeline.store.journal import Journal

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


def cmd_access(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    return ACCESS[args.action](settings, args)


def _access_apply(settings: Settings, args: argparse.Namespace) -> int:
    plan = load_plan(settings)
    applied = apply_plan(settings.root, plan)
    print(f"Access set under {settings.root} (service account: {plan.service}):")
    for rule in plan.rules:
        print(f"  {rule.path or '.'}{'/' if rule.is_dir else ''}  {_who(rule)}")
    if applied.state:
        print(f"  {plan.state}/  the state: {plan.service} alone (0700)")
    print(f"{applied.folders} folder(s) and {applied.files} file(s) set.")
    return 0


def _who(rule: Rule) -> str:
    said = []
    for word, perm in (("write", Perm.WRITE), ("read", Perm.READ)):
        accounts = [a for a, p in rule.grants if p == perm]
        if accounts:
            said.append(f"{word}: {', '.join(accounts)}")
    return "; ".join(said) or "service account only"


def _access_check(settings: Settings, args: argparse.Namespace) -> int:
    drifts = check_plan(settings.root, load_plan(settings, need_staff=False))
    for item in drifts:
        print(f"{item.path or '.'}: {'; '.join(item.problems)}")
    if drifts:
        print(f"{len(drifts)} path(s) differ from the config; `pipeline access apply` sets them.")
        return 1
    print(f"Every folder under {settings.root} has the access the config gives it.")
    return 0


def _access_smb_conf(settings: Settings, args: argparse.Namespace) -> int:
    print(share_section(settings, load_plan(settings), args.name), end="")
    return 0


ACCESS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "apply": _access_apply,
    "check": _access_check,
    "smb-conf": _access_smb_conf,
}


def cmd_sop(args: argparse.Namespace) -> int:
    from pipeline import sopcli

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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sop": cmd_sop,
    "register": cmd_register,
    "access": cmd_access,
    "batal": cmd_batal,
    "verify": cmd_verify,
    "reindex": cmd_reindex,
    "init": cmd_init,
    "watch": cmd_watch,
    "status": cmd_status,
    "demo": cmd_demo,
    "report": cmd_report,
    "regenerate": cmd_regenerate,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose, args.quiet)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows up here, not after main has returned
        return code
    except BrokenPipeError:  # `pipeline status --json | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except LockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
