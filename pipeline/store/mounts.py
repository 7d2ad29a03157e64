"""Which file system holds a folder: on a network mount inotify cannot see what other
machines write (the watcher polls), and flock may not exclude (the lock warns)."""

from __future__ import annotations

import re
from pathlib import Path

NETWORK_FS_TYPES = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "fuse.sshfs",
        "9p",
        "fuse.gvfsd-fuse",
        "fuse.rclone",
        "davfs",
        "ceph",
        "glusterfs",
    }
)


def _unescape_mount_field(field: str) -> str:
    """Decode the octal escapes (`\\040` for a space) the kernel uses in the mount table."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _mount_table(mounts: str) -> list[tuple[Path, str]]:
    table = []
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            table.append((Path(_unescape_mount_field(fields[1])), fields[2]))
    return table


def mount_type(path: Path, mounts: str | None = None) -> str | None:
    """File system type of the mount that holds `path` (the longest containing mount point)."""
    if mounts is None:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8")
    target = path.resolve()
    best: tuple[int, str] | None = None
    for point, fstype in _mount_table(mounts):
        if target.is_relative_to(point) and (best is None or len(point.parts) >= best[0]):
            best = (len(point.parts), fstype)
    return None if best is None else best[1]


def is_network_mount(path: Path, mounts: str | None = None) -> bool:
    """True if `path` lies on a network file system, where inotify misses remote writes."""
    return mount_type(path, mounts) in NETWORK_FS_TYPES
