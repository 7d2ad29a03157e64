"""The command line: parsing arguments, setting up logging, printing. Nothing else prints."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.core.errors import ConfigError, LockHeld, PipelineError

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
    verify.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="bags checked at once, one process each (default: the cores, %(default)s)",
    )
    verify.add_argument(
        "--deep",
        action="store_true",
        help="re-validate every signed PDF (pyHanko, its text) instead of trusting the "
        "signature facts recorded at filing once the file is shown unchanged",
    )
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
        "--settle",
        type=float,
        default=2.0,
        help="seconds a file must be unchanged when neither an event nor its content shows it "
        "whole (polling: text, encrypted Office files, BMP, TIFF)",
    )
    watch.add_argument("--rescan", type=float, default=180.0, help="seconds between full rescans")
    watch.add_argument(
        "--poll-interval", type=float, default=1.0, help="seconds between polls (polling)"
    )
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


COMMANDS: dict[str, str] = {
    "init": "running",
    "watch": "running",
    "demo": "running",
    "status": "records",
    "report": "records",
    "register": "records",
    "batal": "records",
    "verify": "archive",
    "reindex": "archive",
    "regenerate": "regenerate",
    "access": "access",
    "sop": "sop",
}
"""Each sub-command's module under pipeline/commands/ (imported when it runs: a short command
does not pay for the libraries of the others)."""


def command(name: str) -> Callable[[argparse.Namespace], int]:
    module = importlib.import_module(f"pipeline.commands.{COMMANDS[name]}")
    function: Callable[[argparse.Namespace], int] = getattr(module, f"cmd_{name}")
    return function


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose, args.quiet)
    try:
        code = command(args.command)(args)
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
