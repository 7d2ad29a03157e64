"""An access plan written onto the disk with `setfacl`, and read back with `getfacl`.

`apply_plan` sets every planned path and, in the planned trees, what already lies inside (a file
in berkas/ becomes read-only to staff and owned by the service; a drop in an inbox keeps its
owner), all in one `setfacl --restore` run. It has to run as root: it changes the owner of
files and the ACLs of files that staff own. `check_plan` reads the same paths back and reports
each one whose ACL or owner differs from the plan. Symbolic links are never followed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.access import AccessError, NoStaffAccounts, UnknownAccounts
from pipeline.access.plan import (
    AccessPlan,
    Acl,
    Rule,
    drift,
    expected_acl,
    plan_access,
    sealed_acl,
)
from pipeline.settings import Settings

log = logging.getLogger(__name__)

TOOL_TIMEOUT = 600.0  # seconds; a large berkas/ tree is many files
BATCH = 400  # paths per getfacl run
SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")
ACL_XATTRS = ("system.posix_acl_access", "system.posix_acl_default")


@dataclass(frozen=True)
class Target:
    """One path to set or check: a planned one, an entry inside a planned tree, or the state."""

    path: Path
    rel: str
    is_dir: bool
    rule: Rule | None  # None: the state folder
    inside: bool = False


@dataclass(frozen=True)
class Applied:
    folders: int
    files: int
    state: bool = False  # the state folder lies in the share and was made the service's alone


@dataclass(frozen=True)
class Drift:
    """A path whose owner or ACL differs from the plan, and how."""

    path: str
    problems: tuple[str, ...]


# --- the accounts ------------------------------------------------------------------------------


def load_plan(settings: Settings, *, need_staff: bool = True) -> AccessPlan:
    """The plan of this share, once every account it names exists on this host."""
    service = service_account(settings)
    missing = missing_accounts(settings, service)
    if missing:
        raise UnknownAccounts(
            f"not Unix accounts on this host: {', '.join(missing)}. Create each account "
            "(useradd) or correct its akun in config/kantor.toml; nothing was changed."
        )
    plan = plan_access(settings, service)
    if need_staff and not plan.accounts:
        raise NoStaffAccounts(
            "no [[pegawai]] with a role has an akun in config/kantor.toml: every person "
            f"would be locked out and only {service} would keep access. Fill in each "
            "person's akun first; nothing was changed."
        )
    return plan


def service_account(settings: Settings) -> str:
    """`[akses] akun_layanan`, else the owner of the share root."""
    if settings.office.akses.service_account:
        return settings.office.akses.service_account
    uid = settings.root.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise UnknownAccounts(
            f"the owner of {settings.root} (uid {uid}) has no account name; "
            "set akun_layanan in [akses] of config/kantor.toml"
        ) from None


def missing_accounts(settings: Settings, service: str) -> list[str]:
    """Each akun (and the service account) without a Unix account, described for the operator."""
    named = [(p.akun, f"pegawai {p.nama or p.akun}") for p in settings.office.pegawai if p.akun]
    named.append((service, "service account"))
    return [f"{akun} ({who})" for akun, who in named if not _is_account(akun)]


def _is_account(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


# --- which paths -------------------------------------------------------------------------------


def targets(root: Path, plan: AccessPlan) -> Iterator[Target]:
    """Every planned path that exists, what lies in the planned trees, and the state folder."""
    stop = {r.path for r in plan.rules} | ({plan.state} if plan.state else set())
    for rule in plan.rules:
        path = root / rule.path
        if _is_real(path, rule.is_dir):
            yield Target(path, rule.path, rule.is_dir, rule)
            if rule.tree:
                yield from _contents(root, path, rule, stop)
    if plan.state and _is_real(root / plan.state, True):
        yield Target(root / plan.state, plan.state, True, None)


def missing_folders(root: Path, plan: AccessPlan) -> list[str]:
    return [r.path for r in plan.rules if r.is_dir and not _is_real(root / r.path, True)]


def _is_real(path: Path, is_dir: bool) -> bool:
    if path.is_symlink():
        return False
    return path.is_dir() if is_dir else path.is_file()


def _contents(root: Path, top: Path, rule: Rule, stop: set[str]) -> Iterator[Target]:
    for folder, dirs, files in os.walk(top):
        here = Path(folder)
        dirs[:] = [d for d in dirs if _rel(root, here / d) not in stop]
        for name in [*dirs, *files]:
            path = here / name
            if not path.is_symlink() and (path.is_dir() or path.is_file()):
                yield Target(path, _rel(root, path), path.is_dir(), rule, inside=True)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _expected(target: Target, service: str) -> Acl:
    if target.rule is None:
        return sealed_acl(service)
    return expected_acl(target.rule, service, is_dir=target.is_dir, inside=target.inside)


# --- apply -------------------------------------------------------------------------------------


def apply_plan(root: Path, plan: AccessPlan) -> Applied:
    """Create missing planned folders, then set owner and ACL of every target in one run."""
    for rel in missing_folders(root, plan):
        _create(root / rel)
    found = list(targets(root, plan))
    _run(["setfacl", "--restore=-"], b"".join(_block(t, plan.service) for t in found))
    state = [t.path for t in found if t.rule is None]
    for folder in state:
        _chown_inside(folder, plan.service)
    applied = Applied(
        sum(t.is_dir for t in found), sum(not t.is_dir for t in found), state=bool(state)
    )
    log.info("set %d folder(s) and %d file(s) under %s", applied.folders, applied.files, root)
    return applied


def _create(folder: Path) -> None:
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise AccessError(f"cannot create the folder {folder}: {exc}") from exc
    log.info("created %s", folder)


def _block(target: Target, service: str) -> bytes:
    acl = _expected(target, service)
    head = [b"# file: " + quote(target.path)]
    if acl.owner:
        head.append(f"# owner: {acl.owner}".encode())
    lines = [f"{key}:{perm}" for key, perm in acl.access]
    lines += [f"default:{key}:{perm}" for key, perm in acl.default]
    return b"\n".join([*head, *(line.encode() for line in lines)]) + b"\n\n"


def quote(path: Path) -> bytes:
    """A path as getfacl writes it and setfacl reads it: unusual bytes as backslash-octal."""
    return b"".join(bytes([b]) if b in SAFE else f"\\{b:03o}".encode() for b in os.fsencode(path))


def _chown_inside(folder: Path, account: str) -> None:
    uid = pwd.getpwnam(account).pw_uid
    for here, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            with contextlib.suppress(FileNotFoundError):  # a journal side file, gone meanwhile
                os.lchown(Path(here) / name, uid, -1)


def seal(folder: Path) -> None:
    """Make `folder` its owner's alone: created if missing, mode 0700, any ACL removed."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name in ACL_XATTRS:
        with contextlib.suppress(OSError):
            os.removexattr(folder, name)


# --- check -------------------------------------------------------------------------------------


def check_plan(root: Path, plan: AccessPlan) -> list[Drift]:
    """Every path whose owner or ACL differs from the plan (missing folders included)."""
    drifts = [Drift(rel, ("missing",)) for rel in missing_folders(root, plan)]
    found = list(targets(root, plan))
    actual = read_acls([t.path for t in found])
    for target in found:
        acl = actual.get(os.fsdecode(target.path))
        if acl is None:  # gone meanwhile (the watcher moved it)
            continue
        expected = _expected(target, plan.service)
        problems = drift(acl, expected, plan.service, is_dir=target.is_dir, inside=target.inside)
        if problems:
            drifts.append(Drift(target.rel, tuple(problems)))
    return drifts


def read_acls(paths: Sequence[Path]) -> dict[str, Acl]:
    """Owner and ACL of each path that still exists, keyed by its path."""
    found: dict[str, Acl] = {}
    for start in range(0, len(paths), BATCH):
        batch = [os.fsdecode(p) for p in paths[start : start + BATCH]]
        found.update(parse_getfacl(_run(["getfacl", "-p", "--", *batch], b"")))
    return found


def parse_getfacl(data: bytes) -> dict[str, Acl]:
    """`getfacl` output, block by block: path → owner and entries."""
    found: dict[str, Acl] = {}
    for block in data.split(b"\n\n"):
        lines = block.decode("utf-8", "surrogateescape").splitlines()
        heads = dict(_head(line) for line in lines if line.startswith("# "))
        if "file" in heads:
            path = os.fsdecode(unquote(os.fsencode(heads["file"])))
            found[path] = _acl(heads.get("owner", ""), [x for x in lines if x[:1] not in "#"])
    return found


def _head(line: str) -> tuple[str, str]:
    key, _, value = line[2:].partition(": ")
    return key, value


def _acl(owner: str, lines: list[str]) -> Acl:
    access: list[tuple[str, str]] = []
    default: list[tuple[str, str]] = []
    for entry in (line.split()[0] for line in lines if line.strip()):
        is_default = entry.startswith("default:")
        key, _, perm = entry.removeprefix("default:").rpartition(":")
        (default if is_default else access).append((key, perm))
    return Acl(owner, tuple(access), tuple(default))


def unquote(raw: bytes) -> bytes:
    return re.sub(rb"\\(\\|[0-7]{3})", _unescape, raw)


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    return b"\\" if code == b"\\" else bytes([int(code, 8)])


# --- the tools ---------------------------------------------------------------------------------


def _run(argv: list[str], data: bytes) -> bytes:
    """Run a tool (messages in English, to be read); a path gone meanwhile is no failure."""
    try:
        env = {**os.environ, "LC_ALL": "C"}
        done = subprocess.run(argv, input=data, capture_output=True, timeout=TOOL_TIMEOUT, env=env)
    except FileNotFoundError:
        raise AccessError(f"{argv[0]} is not installed (Debian/Ubuntu: apt install acl)") from None
    except subprocess.TimeoutExpired:
        raise AccessError(f"{argv[0]} did not finish within {TOOL_TIMEOUT:.0f} s") from None
    if done.returncode != 0 and not _only_vanished(done.stderr):
        raise AccessError(_failure(argv[0], done))
    if done.returncode != 0:
        log.info("%s: paths gone meanwhile: %s", argv[0], _stderr(done))
    return done.stdout


def _only_vanished(stderr: bytes) -> bool:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return bool(lines) and all("No such file or directory" in line for line in lines)


def _failure(tool: str, done: subprocess.CompletedProcess[bytes]) -> str:
    hint = " (it must run as root)" if os.geteuid() != 0 else ""
    return f"{tool} failed (exit {done.returncode}){hint}: {_stderr(done)}"


def _stderr(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return "; ".join(lines[:5]) + (f" … ({len(lines) - 5} more)" if len(lines) > 5 else "")
