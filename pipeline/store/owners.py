"""Reading who owns a dropped file, and whether owners tell people apart on this share.

On the Samba host each person logs in with their own account and, without `force user`, a
file written through SMB is owned by that account. On a client that mounts the share every
file shows the mount's one owner, so nobody can be told apart there.
"""

from __future__ import annotations

import logging
import pwd
from pathlib import Path

from pipeline.core.people import Attribution
from pipeline.store.mounts import is_network_mount

log = logging.getLogger(__name__)

NETWORK_MOUNT = (
    "share ini dibaca dari komputer lain (network mount): semua file tampak dimiliki satu akun, "
    "sehingga siapa yang meletakkan file tidak dapat diketahui"
)


def owner_account(path: Path) -> str | None:
    """The login name owning `path` (not following links), "uid-N" if unnamed, None if gone."""
    try:
        uid = path.lstat().st_uid
    except OSError:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid-{uid}"


def detect_attribution(root: Path, forced_owner: str | None = None) -> Attribution:
    """Whether the owners of dropped files tell people apart; `forced_owner` is why not when
    the file server maps every login to one account (e.g. Samba's `force user`)."""
    if is_network_mount(root):
        return Attribution(False, NETWORK_MOUNT)
    if forced_owner:
        return Attribution(False, forced_owner)
    return Attribution(True)
