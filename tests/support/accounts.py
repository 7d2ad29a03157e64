"""Real Unix accounts for tests that log in to the test smbd as members of staff.

`unix_accounts("kd", "sek", …)` creates one account per label with `useradd --no-create-home
--shell /usr/sbin/nologin`, named `sopuji<random><label>` so that runs never collide, and
deletes them all with `userdel` when the block ends, also when the test fails. `smb_passwd` gives
an account a password in one smbd's own passdb (`smbpasswd -c <conf> -a -s`); `SambaServer`
calls it for every account it is started with. Creating accounts needs root: without it the
tests skip (and fail under CI=true).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.tools import in_ci, require_program

PASSWORD = "Rahasia-staf-456"
PREFIX = "sopuji"
TIMEOUT = 60.0


@dataclass(frozen=True)
class Account:
    """A Unix account that can log in to the test smbd."""

    name: str
    password: str = PASSWORD

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.name).pw_uid


def require_account_tools() -> None:
    """Skip (fail under CI) unless accounts can be created here."""
    for program in ("useradd", "userdel", "smbpasswd"):
        require_program(program)
    if os.geteuid() != 0:
        message = "creating Unix accounts needs root"
        if in_ci():
            pytest.fail(f"{message} (CI=true: run these tests as root)")
        pytest.skip(message)


@contextlib.contextmanager
def unix_accounts(*labels: str) -> Iterator[dict[str, Account]]:
    """One fresh account per label, removed again when the block ends."""
    require_account_tools()
    prefix = f"{PREFIX}{secrets.token_hex(3)}"
    made: list[str] = []
    try:
        for label in labels:
            made.append(_useradd(f"{prefix}{label}"))
        yield {label: Account(name) for label, name in zip(labels, made, strict=True)}
    finally:
        for name in reversed(made):
            _userdel(name)


def _useradd(name: str) -> str:
    argv = ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        pytest.fail(f"useradd {name} failed: {done.stderr}")
    return name


def _userdel(name: str) -> None:
    """Remove the account; `--force` when a process of it (an smbd child) is still ending."""
    for argv in (["userdel", name], ["userdel", "--force", name]):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if done.returncode == 0:
            return
    raise RuntimeError(f"userdel {name} failed: {done.stderr}")


def smb_passwd(conf: Path, name: str, password: str) -> None:
    """Give `name` the password `password` in the passdb of the smbd configured by `conf`."""
    secret = f"{password}\n{password}\n"
    argv = ["smbpasswd", "-c", str(conf), "-a", "-s", name]
    done = subprocess.run(
        argv, input=secret, text=True, capture_output=True, timeout=TIMEOUT, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"smbpasswd for {name} failed: {done.stdout}{done.stderr}")


def write_staff(root: Path, people: dict[str, tuple[str, ...]]) -> None:
    """Append one [[pegawai]] per account to the share's kantor.toml (name: the account in
    capitals), as the office's IT person lists the staff."""
    blocks = "".join(
        f'\n[[pegawai]]\nnama = "{a.upper()}"\nnip = ""\nakun = "{a}"\nperan = {list(r)!r}\n'
        for a, r in people.items()
    )
    office = root / "config" / "kantor.toml"
    office.write_text(office.read_text(encoding="utf-8") + blocks.replace("'", '"'), "utf-8")
