"""Who may drop where, enforced by the file server; the state kept out of the share.

    plan    (pure)  from the settings and the staff accounts: the ACL every folder must carry
    acl     (shell) writes a plan with `setfacl`, reads it back with `getfacl`, reports drift
    samba   (shell) the share section for smb.conf; which folders Samba exports (`testparm`)

The errors raised here, all `PipelineError`s:

    AccessError              setfacl/getfacl/testparm failed or are missing
    ConfigError
    ├── UnknownAccounts      an akun (or the service account) is not a Unix account on this host
    ├── NoStaffAccounts      no pegawai has an akun: applying would lock every person out
    └── StateExposed         the state folder lies in a folder that Samba exports
"""

from __future__ import annotations

from pipeline.core.errors import ConfigError, PipelineError


class AccessError(PipelineError):
    """A permission tool (setfacl, getfacl, testparm) failed or is not installed."""


class UnknownAccounts(ConfigError):
    """Accounts named in the configuration do not exist on this host."""


class NoStaffAccounts(ConfigError):
    """No pegawai has an akun, so a plan would grant nobody anything."""


class StateExposed(ConfigError):
    """The watcher's state folder would be reachable through a Samba share."""
