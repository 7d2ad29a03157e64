"""A real Samba server on 127.0.0.1 for tests, and SMB clients to drop files through it.

`SambaServer` writes its own smb.conf, passdb, lock/state/cache/private/pid dirs and log under a
work dir, starts `smbd` in the foreground on a free high port, shares one folder (the test ROOT)
read-write as `[drop]`, and stops the whole process group at teardown. If smbd does not come up,
the test fails with smbd's log.

Auth: a user with the same name as the effective Unix user (root in CI) is added to the test's
own tdbsam passdb with `smbpasswd -c <conf> -a -s`; files land owned by that user, as they would
for a staff account on the real server. smbd needs root, so as non-root the tests skip (and fail
under CI=true). More accounts (`accounts=`, real Unix users from `tests.support.accounts`) are
added the same way, and `session(account)` logs in as one of them.

The share: by default `[drop]`, read-write with nothing else set; `share_section=` replaces it
with a given section (e.g. the one `pipeline access smb-conf ROOT --name drop` prints).

Uploads:
- `put(local, remote)` uses the `smbclient` program, like any ordinary SMB client;
- `put_in_chunks(...)` and `put_presized(...)` use the `smbprotocol` package to control exactly
  when bytes, sizes and closes reach the server (a large file written in pieces with pauses; a
  file whose length is set before its bytes arrive, as Windows copies do).

Use the `samba_server` fixture, or `SambaServer.running(root, work)` as a context manager.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import Account, smb_passwd
from tests.support.tools import in_ci, require_module, require_program

SHARE = "drop"
PASSWORD = "Rahasia-uji-123"
START_TIMEOUT = 20.0
CLIENT_TIMEOUT = 120.0

Progress = Callable[[int, int], None]
"""Called as (bytes written so far, total) at each pause of a chunked or pre-sized upload."""

GLOBAL = """\
[global]
  netbios name = SOPTEST
  workgroup = WORKGROUP
  server role = standalone server
  interfaces = 127.0.0.1
  bind interfaces only = yes
  smb ports = {port}
  disable netbios = yes
  server min protocol = SMB2_10
  lock directory = {work}/lock
  state directory = {work}/state
  cache directory = {work}/cache
  private dir = {work}/private
  pid directory = {work}/pid
  ncalrpc dir = {work}/ncalrpc
  passdb backend = tdbsam:{work}/private/passdb.tdb
  log file = {work}/log/smbd.log
  max log size = 0
  log level = 1
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  map to guest = never

"""
SHARE_SECTION = """\
[{share}]
  path = {root}
  read only = no
  browseable = yes
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def live_group_members(pgid: int) -> list[int]:
    """Pids of processes in group `pgid` that are still running (zombies do not count)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def _wait_group_gone(pgid: int, timeout: float = 15.0) -> None:
    """Wait for smbd's children to follow it; kill what is left after `timeout`."""
    deadline = time.monotonic() + timeout
    while live_group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if live_group_members(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, 9)


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on 127.0.0.1:`port` (from /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == "0A":
            inodes.add(fields[9])
    return inodes


def listens_on(pid: int, port: int) -> bool:
    """True if process `pid` itself listens on 127.0.0.1:`port` (not just anyone)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return False
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in wanted:
                    return True
    return False


def require_samba() -> None:
    """Skip (fail under CI) unless smbd, smbclient and root rights are available."""
    require_program("smbd")
    require_program("smbclient")
    require_program("smbpasswd")
    if os.geteuid() != 0:
        message = "smbd needs root to serve files"
        if in_ci():
            pytest.fail(f"{message} (CI=true: run the samba tests as root)")
        pytest.skip(message)


@dataclass
class SambaServer:
    """One smbd serving `root` as //127.0.0.1/drop on `port`, with all state under `work`."""

    root: Path
    work: Path
    port: int = 0
    user: str = field(default_factory=lambda: pwd.getpwuid(os.geteuid()).pw_name)
    password: str = PASSWORD
    share: str = SHARE
    share_section: str | None = None
    accounts: tuple[Account, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    _smb_cache: dict[str, Any] = field(default_factory=dict)
    _sessions: list[SmbSession] = field(default_factory=list)
    _exits: list[int] = field(default_factory=list)

    @classmethod
    @contextlib.contextmanager
    def running(
        cls,
        root: Path,
        work: Path,
        share_section: str | None = None,
        accounts: tuple[Account, ...] = (),
    ) -> Iterator[SambaServer]:
        require_samba()
        server = cls(root=root, work=work, share_section=share_section, accounts=accounts)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    # --- life cycle ------------------------------------------------------------------------

    @property
    def conf(self) -> Path:
        return self.work / "smb.conf"

    @property
    def log_file(self) -> Path:
        return self.work / "log" / "smbd.log"

    def start(self, attempts: int = 3) -> None:
        """Start smbd on a free port; retries a few ports if one was taken meanwhile."""
        self.root.mkdir(parents=True, exist_ok=True)
        for _ in range(attempts):
            self.port = _free_port()
            self._write_config()
            self._add_users()
            if self._launch():
                return
        pytest.fail(f"smbd exited at start (codes {self._exits}):\n{self.read_log()}")

    def stop(self) -> None:
        """Close client sessions, then stop smbd and its children (one process group)."""
        self._close_clients()
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=15)
        finally:
            _wait_group_gone(self.process.pid)
            self._forget_process()

    def _forget_process(self) -> None:
        assert self.process is not None
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=15)
        self.process = None

    def read_log(self) -> str:
        parts = []
        for path in (self.work / "log" / "stdout", self.log_file):
            if path.exists():
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')}")
        return "\n".join(parts) or "(smbd wrote no log)"

    def _write_config(self) -> None:
        for name in ("lock", "state", "cache", "private", "pid", "ncalrpc", "log"):
            (self.work / name).mkdir(parents=True, exist_ok=True)
        share = self.share_section or SHARE_SECTION.format(share=self.share, root=self.root)
        text = GLOBAL.format(port=self.port, work=self.work) + share
        self.conf.write_text(text)

    def _add_users(self) -> None:
        smb_passwd(self.conf, self.user, self.password)
        for account in self.accounts:
            smb_passwd(self.conf, account.name, account.password)

    def session(self, account: Account) -> SmbSession:
        """An SMB session (smbprotocol) logged in as `account`; closed when the server stops."""
        require_module("smbclient")
        opened = SmbSession(self, account)
        self._sessions.append(opened)
        return opened

    def _launch(self) -> bool:
        command = [
            "smbd",
            f"--configfile={self.conf}",
            "--foreground",
            "--no-process-group",
            "--debug-stdout",
        ]
        with (self.work / "log" / "stdout").open("ab") as out:
            # smbd --foreground exits when its stdin reaches end of file, so it gets a pipe
            # that stays open until stop() (a /dev/null stdin, common in CI, would end it).
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self._wait_ready()

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._exits.append(self.process.returncode)
                self._forget_process()
                return False
            if listens_on(self.process.pid, self.port):
                return True
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"smbd did not listen within {START_TIMEOUT} s:\n{self.read_log()}")

    # --- smbclient (the program) -----------------------------------------------------------

    def smbclient(self, command: str) -> str:
        """Run one `smbclient -c` command against the share; fail the test on error."""
        argv = [
            "smbclient",
            f"//127.0.0.1/{self.share}",
            "-p",
            str(self.port),
            "-s",
            str(self.conf),
            "-U",
            f"{self.user}%{self.password}",
            "-c",
            command,
        ]
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=CLIENT_TIMEOUT, check=False
        )
        failed = done.returncode != 0 or "NT_STATUS_" in done.stdout + done.stderr
        if failed:
            pytest.fail(f"smbclient {command!r} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def put(self, local: Path, remote: str) -> None:
        """Upload `local` to `remote` (a path inside the share, `/`-separated)."""
        self.smbclient(f'put "{local}" "{_dos(remote)}"')

    def rename(self, old: str, new: str) -> None:
        """Rename inside the share, as Office does when it saves through a temporary name."""
        self.smbclient(f'rename "{_dos(old)}" "{_dos(new)}"')

    def mkdir(self, remote: str) -> None:
        self.smbclient(f'mkdir "{_dos(remote)}"')

    # --- smbprotocol ---------------------------------------------------------------------------

    def unc(self, remote: str) -> str:
        return f"\\\\127.0.0.1\\{self.share}\\{_dos(remote)}"

    def put_in_chunks(
        self,
        data: bytes,
        remote: str,
        chunk: int,
        pause: float,
        on_pause: Progress | None = None,
    ) -> None:
        """Write `data` through one open handle, `chunk` bytes at a time, pausing in between."""
        with self._open(remote, "wb") as stream:
            for start in range(0, len(data), chunk):
                _write_all(stream, data[start : start + chunk])
                _pause(pause, on_pause, min(start + chunk, len(data)), len(data))

    def put_presized(
        self,
        data: bytes,
        remote: str,
        pause: float,
        on_pause: Progress | None = None,
        reopen: bool = True,
        chunk: int = 1 << 20,
    ) -> None:
        """Set the file to its final length (zeros) first, then write its bytes.

        With `reopen` (the default) the sizing handle is closed before the bytes are written
        through a second handle, so the server sees a close-after-write while the file is
        still all zeros. Without it, one handle sizes and fills the file.
        """
        if not reopen:
            with self._open(remote, "wb") as stream:
                stream.truncate(len(data))
                _pause(pause, on_pause, 0, len(data))
                _write_chunks(stream, data, chunk)
            return
        with self._open(remote, "wb") as stream:
            stream.truncate(len(data))
        _pause(pause, on_pause, 0, len(data))
        with self._open(remote, "r+b") as stream:
            _write_chunks(stream, data, chunk)

    def _open(self, remote: str, mode: str) -> Any:
        require_module("smbclient")
        import smbclient

        if not self._smb_cache:
            smbclient.register_session(
                "127.0.0.1",
                username=self.user,
                password=self.password,
                port=self.port,
                connection_cache=self._smb_cache,
            )
        return smbclient.open_file(
            self.unc(remote),
            mode=mode,
            buffering=0,
            port=self.port,
            connection_cache=self._smb_cache,
        )

    def _close_clients(self) -> None:
        for opened in self._sessions:
            opened.close()
        self._sessions.clear()
        if not self._smb_cache:
            return
        import smbclient

        smbclient.reset_connection_cache(connection_cache=self._smb_cache)
        self._smb_cache.clear()


@dataclass
class SmbSession:
    """One account's own SMB session on the test server: each call raises `OSError` (or an
    smbprotocol error) when the server refuses it."""

    server: SambaServer
    account: Account
    cache: dict[str, Any] = field(default_factory=dict)

    def write(self, remote: str, data: bytes = b"uji\n") -> None:
        import smbclient

        with smbclient.open_file(self.server.unc(remote), mode="wb", **self._login()) as stream:
            _write_all(stream, data)

    def read(self, remote: str) -> bytes:
        import smbclient

        with smbclient.open_file(self.server.unc(remote), mode="rb", **self._login()) as stream:
            return bytes(stream.read())

    def listdir(self, remote: str) -> list[str]:
        import smbclient

        return list(smbclient.listdir(self.server.unc(remote), **self._login()))

    def close(self) -> None:
        if self.cache:
            import smbclient

            # a refused login leaves a half-open tree behind: closing it may be refused too
            smbclient.reset_connection_cache(fail_on_error=False, connection_cache=self.cache)
            self.cache.clear()

    def _login(self) -> dict[str, Any]:
        return {
            "username": self.account.name,
            "password": self.account.password,
            "port": self.server.port,
            "connection_cache": self.cache,
        }


def _dos(remote: str) -> str:
    return remote.replace("/", "\\")


def _write_all(stream: Any, piece: bytes) -> None:
    view = memoryview(piece)
    while view:
        view = view[stream.write(view) :]


def _write_chunks(stream: Any, data: bytes, chunk: int) -> None:
    for start in range(0, len(data), chunk):
        _write_all(stream, data[start : start + chunk])


def _pause(seconds: float, on_pause: Progress | None, written: int, total: int) -> None:
    if on_pause is not None:
        on_pause(written, total)
    if seconds > 0:
        time.sleep(seconds)


@pytest.fixture
def samba_server(tmp_path: Path) -> Iterator[SambaServer]:
    """A running Samba server sharing `tmp_path / "root"`; its state is in `tmp_path / "smb"`."""
    with SambaServer.running(tmp_path / "root", tmp_path / "smb") as server:
        yield server
