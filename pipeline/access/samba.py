"""Samba's side: the share section for smb.conf, and which folders Samba exports.

`share_section` writes the section that keeps the folder ACLs in force and each person's own
identity on the files they write. `read_exports` asks `testparm` which folders the smb.conf in use
(`$SOP_PIPELINE_SMB_CONF`, else /etc/samba/smb.conf) shares; no smb.conf or no testparm means
nothing is exported. `guard_state` refuses a state folder inside an exported folder unless it
was chosen with `--state`, and says when the share covering ROOT blurs who wrote a file.
"""

from __future__ import annotations

import logging
import os
import pwd
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path, PurePosixPath

from pipeline.access import AccessError, StateExposed
from pipeline.access.acl import seal
from pipeline.access.plan import AccessPlan
from pipeline.settings import STATE_ENV, STATE_FOLDER, Settings, default_state_dir

log = logging.getLogger(__name__)

CONF_ENV = "SOP_PIPELINE_SMB_CONF"
DEFAULT_CONF = Path("/etc/samba/smb.conf")
TESTPARM_TIMEOUT = 30.0
LOCAL_STATE = "/var/lib/sop-pipeline"
FALSE = frozenset({"", "no", "false", "0", "off"})


# --- the share section -------------------------------------------------------------------------


def share_section(settings: Settings, plan: AccessPlan, name: str) -> str:
    """The smb.conf section sharing `settings.root` as `[name]`, each line explained."""
    lines = [
        f"# The shared folder of the SOP pipeline (SOP {', '.join(s.nomor for s in settings.sops)}), as",
        "# `pipeline access smb-conf` writes it. Add it to smb.conf, run `pipeline access apply`",
        "# (as root) for the folder permissions, then `smbcontrol smbd reload-config`.",
        "# Who may drop where is decided by the folders' POSIX ACLs that apply writes; this",
        "# section keeps those ACLs in force and each person's own account on what they write.",
        f"[{name}]",
    ]
    for comment, setting in _settings(settings, plan):
        lines += [f"  # {line}" for line in comment.splitlines()]
        lines.append(f"  {setting}")
    return "\n".join(lines) + "\n"


def _settings(settings: Settings, plan: AccessPlan) -> Iterator[tuple[str, str]]:
    yield (
        "what staff see beside the share's name",
        f"comment = Folder bersama {settings.office.nama}",
    )
    yield "the share's folder (ROOT)", f"path = {settings.root}"
    yield (
        "Samba lets people write; the folder ACLs decide where (each role's own inbox only)",
        "read only = no",
    )
    yield (
        "who may connect: every pegawai with an akun, and the service account",
        f"valid users = {' '.join(valid_users(settings, plan))}",
    )
    yield "no guests", "guest ok = no"
    yield from _identity()
    yield from _acls()
    yield from _hiding(plan)


def _identity() -> Iterator[tuple[str, str]]:
    each = "empty on purpose: overrides any [global] value; "
    yield each + "each person works as their own account", "force user ="
    yield each + "new files keep the group of their creator", "force group ="
    yield each + "nobody acts as root on this share", "admin users ="
    yield (
        "a new file or folder is owned by the account that creates it, so the owner of a\n"
        "drop says who dropped it",
        "inherit owner = no",
    )


def _acls() -> Iterator[tuple[str, str]]:
    yield (
        "new files and folders take the default ACL of their folder (what apply set), not a\n"
        "mode computed from DOS attributes",
        "inherit acls = yes",
    )
    yield (
        "the mode Samba then creates files with; its group bits become the ACL's mask, so\n"
        "they must keep rw for the other holders of a role (the default 0744 would leave them\n"
        "read-only); the other bits stay closed by the ACL",
        "create mask = 0660",
    )
    yield (
        "the same for new folders (the default 0755 would cut write access)",
        ("directory mask = 0770"),
    )
    yield (
        "Windows' inheritance flags are kept (xattr user.SAMBA_PAI), so the Security tab\n"
        "shows inherited entries as inherited",
        "map acl inherit = yes",
    )
    yield "the POSIX ACLs are shown to Windows as NT ACLs (the default)", "nt acl support = yes"
    yield (
        "only the owner of a file may change its permissions (the default); yes would let\n"
        "anyone who can write a file change who may read it",
        "dos filemode = no",
    )
    yield (
        "no VFS modules: acl_xattr or acl_tdb would keep Windows ACLs apart from the POSIX\n"
        "ACLs that apply writes and check compares, and would switch dos filemode on.\n"
        "Others (e.g. fruit streams_xattr for Macs) may be listed here",
        "vfs objects =",
    )


def _hiding(plan: AccessPlan) -> Iterator[tuple[str, str]]:
    yield (
        "files and folders a person may not read are not even listed for them",
        ("hide unreadable = yes"),
    )
    yield (
        "the pipeline's state (journal and lock) is neither listed nor opened through the\n"
        "share, should it lie in the folder",
        f"veto files = /{'/'.join(vetoed(plan))}/",
    )
    yield "nor can a folder holding it be deleted through the share", "delete veto files = no"
    yield (
        "symbolic links are not followed: a link could lead past the folder ACLs or out of\n"
        "the share",
        "follow symlinks = no",
    )
    yield "and never out of the share (the default)", "wide links = no"


def valid_users(settings: Settings, plan: AccessPlan) -> tuple[str, ...]:
    staff = [p.akun for p in settings.office.pegawai if p.akun]
    return tuple(dict.fromkeys([*staff, plan.service]))


def vetoed(plan: AccessPlan) -> tuple[str, ...]:
    names = [STATE_FOLDER, *([PurePosixPath(plan.state).name] if plan.state else [])]
    return tuple(dict.fromkeys(names))


# --- what Samba exports ------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A folder a Samba share exports, with the share's settings as testparm lists them."""

    name: str
    path: Path
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str) -> str:
        return dict(self.options).get(key, "")

    def covers(self, path: Path) -> bool:
        return path.is_relative_to(self.path)

    def owner_settings(self) -> tuple[str, ...]:
        """The settings that give files an owner other than the person who writes them."""
        found = [f"{k} = {self.option(k)}" for k in ("force user", "force group") if self.option(k)]
        inherit = self.option("inherit owner")
        if inherit.lower() not in FALSE:
            found.append(f"inherit owner = {inherit}")
        return tuple(found)


def forced_owner(root: Path, exports: Sequence[Export] | None = None) -> str | None:
    """Why owners cannot tell people apart on the share covering ROOT (for staff, in Bahasa
    Indonesia, as `owners.detect_attribution` takes it), or None when they can."""
    share = exporting(root, read_exports() if exports is None else exports)
    if share is None or not share.owner_settings():
        return None
    return (
        f"share Samba [{share.name}] memakai {', '.join(share.owner_settings())}: file yang "
        "diletakkan lewat share tidak dimiliki akun orang yang meletakkannya, sehingga siapa "
        "yang meletakkan file tidak dapat diketahui"
    )


def smb_conf() -> Path:
    return Path(os.environ.get(CONF_ENV) or DEFAULT_CONF)


def read_exports(conf: Path | None = None) -> tuple[Export, ...]:
    """The folders the smb.conf shares; none when there is no smb.conf or no testparm."""
    conf = conf or smb_conf()
    if not conf.is_file():
        log.debug("no Samba configuration at %s: nothing is exported", conf)
        return ()
    return exports_from(parse_testparm(_testparm(conf)), other_homes)


def parse_testparm(text: str) -> dict[str, dict[str, str]]:
    """`testparm -s` output: section name → {parameter: value} (names in lower case)."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif current is not None and "=" in line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            current[key.strip().lower()] = value.strip()
    return sections


def exports_from(
    sections: Mapping[str, Mapping[str, str]], homes: Callable[[], list[Path]]
) -> tuple[Export, ...]:
    """The exported folders of the parsed sections; `[homes]` without a path shares `homes()`."""
    found = []
    for name, options in sections.items():
        if name == "global" or not _serves_files(options):
            continue
        items = tuple(sorted(options.items()))
        path = options.get("path", "")
        folders = [_fixed_part(path)] if path else (homes() if name == "homes" else [])
        found += [Export(name, folder, items) for folder in folders]
    return tuple(found)


def _serves_files(options: Mapping[str, str]) -> bool:
    printable = options.get("printable", "no").lower() not in FALSE
    return not printable and options.get("available", "yes").lower() not in FALSE


def _fixed_part(path: str) -> Path:
    """The folder above any %-substitution (`/srv/users/%U` exports somewhere under /srv/users)."""
    fixed = list(takewhile(lambda part: "%" not in part, PurePosixPath(path).parts))
    return Path(*fixed).resolve() if fixed else Path("/")


def other_homes() -> list[Path]:
    """Home folders `[homes]` may share: every account's but this process's own (its home is
    shared only to itself) and "/"."""
    others = (p for p in pwd.getpwall() if p.pw_uid != os.geteuid())
    return [Path(p.pw_dir).resolve() for p in others if p.pw_dir not in ("", "/")]


def exporting(path: Path, exports: Sequence[Export]) -> Export | None:
    """The first export whose folder holds `path`, or None."""
    return next((e for e in exports if e.covers(path.resolve())), None)


def _testparm(conf: Path) -> str:
    argv = ["testparm", "-s", "--suppress-prompt", str(conf)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TESTPARM_TIMEOUT)
    except FileNotFoundError:
        log.info("testparm is not installed: taking %s as exporting nothing", conf)
        return ""
    except subprocess.TimeoutExpired:
        raise AccessError(f"testparm did not read {conf} within {TESTPARM_TIMEOUT:.0f} s") from None
    if done.returncode != 0 and "[" not in done.stdout:
        raise AccessError(f"testparm cannot read {conf}: {done.stderr.strip()[-500:]}")
    return done.stdout


# --- the state folder --------------------------------------------------------------------------


def guard_state(root: Path, state: Path | None, exports: Sequence[Export] | None = None) -> None:
    """Refuse a state folder that Samba exports unless `--state` chose it (then it is sealed);
    warn when the share covering ROOT gives files an owner other than who wrote them."""
    exports = read_exports() if exports is None else exports
    chosen = (state or default_state_dir(root)).resolve()
    if root.is_relative_to(chosen):
        raise StateExposed(f"the state folder {chosen} would hold the share {root} itself")
    exposing = exporting(chosen, exports)
    if exposing is not None and state is None:
        raise StateExposed(exposed_message(chosen, exposing))
    if exposing is not None:
        log.warning(
            "state folder %s lies in Samba share [%s]; chosen with --state, it is kept to "
            "this account alone (0700)",
            chosen,
            exposing.name,
        )
        seal(chosen)
    share = exporting(root, exports)
    if share is not None and share.owner_settings():
        log.warning(
            "Samba share [%s] sets %s: a file's owner is not the person who wrote it, so "
            "drops cannot be attributed",
            share.name,
            ", ".join(share.owner_settings()),
        )


def exposed_message(state: Path, export: Export) -> str:
    return (
        f"the state folder {state} (the journal and the lock) lies in {export.path}, which "
        f"Samba exports as share [{export.name}] (see {smb_conf()}): staff could reach it "
        "through the share. Keep the state on this machine's local disk, outside every share: "
        f"run `pipeline watch --state {LOCAL_STATE} …`, or set {STATE_ENV}={LOCAL_STATE}."
    )
