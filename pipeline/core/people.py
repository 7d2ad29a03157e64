"""Who acts: the person behind a drop, and whether they may drop where they did. Pure.

The shell reads the owner account of a dropped file (on the Samba host, the account that wrote
it through SMB); everything here decides from plain values:

- `identify` maps an account to an `Actor` (a pegawai from the office config, an account the
  config does not list, or nobody when owners cannot tell people apart);
- `refusal` says why a drop must be refused because of who dropped it, or None;
- `answer_roles` says whose outbox answers a rejected drop: the dropper's own, with a copy for
  the folder's owner when they differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.core.errors import Rejected
from pipeline.core.office import Office, Pegawai

UNKNOWN_NAME = "tidak diketahui"
RoleLabel = Callable[[str], str]


@dataclass(frozen=True)
class Actor:
    """Who dropped a file. `account` is "" when owners cannot tell people apart."""

    account: str
    name: str = ""
    roles: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.account)

    @property
    def listed(self) -> bool:
        """The account belongs to a pegawai of the office config."""
        return bool(self.roles) or bool(self.name)

    @property
    def label(self) -> str:
        """How staff read it: "ERLINAWATY, SH (erlina)", "akun budi", or "tidak diketahui"."""
        if not self.account:
            return UNKNOWN_NAME
        return f"{self.name} ({self.account})" if self.name else f"akun {self.account}"


NOBODY = Actor("")


@dataclass(frozen=True)
class Attribution:
    """Whether file owners tell people apart on this share, and if not, why not (Indonesian)."""

    known: bool
    reason: str = ""


OWNERS_KNOWN = Attribution(True)


def identify(office: Office, account: str | None, attribution: Attribution) -> Actor:
    if not attribution.known or not account:
        return NOBODY
    person = office.person(account)
    return _actor(person, account) if person else Actor(account)


def _actor(person: Pegawai, account: str) -> Actor:
    return Actor(account, person.nama or person.jabatan, person.peran)


def refusal(office: Office, actor: Actor, role: str, label: RoleLabel) -> Rejected | None:
    """Why a drop into `role`'s inbox by `actor` is refused, or None when it may be handled."""
    if not office.akses.check_owner or not actor.known or role in actor.roles:
        return None
    if not actor.listed:
        return Rejected(
            f"file diletakkan oleh akun {actor.account}, yang tidak terdaftar sebagai pegawai "
            "(config/kantor.toml)",
            f"file untuk {label(role)} hanya diterima dari akun pemegang peran itu; minta "
            "pengelola sistem mendaftarkan akun Anda, atau minta pemegang peran meletakkannya",
            resend=False,
        )
    return Rejected(
        f"file diletakkan oleh {actor.label}, yang bukan {label(role)}",
        f"folder ini hanya untuk {label(role)}; letakkan file di folder inbox peran Anda sendiri "
        f"({', '.join(label(r) for r in actor.roles)}), atau minta {label(role)} meletakkannya",
        resend=False,
    )


def answer_roles(actor: Actor, folder_role: str) -> tuple[str, str | None]:
    """The role whose outbox answers a rejected drop, and the role that gets a copy (or None).

    The dropper hears it in their own outbox; the folder's owner is copied when that differs.
    """
    if not actor.roles or folder_role in actor.roles:
        return folder_role, None
    return actor.roles[0], folder_role


@dataclass(frozen=True)
class Notice:
    """A standing warning for the office; `role` is the role it concerns most ("" for all)."""

    text: str
    role: str = ""


SIGNATORIES = ("kepala-dinas", "sekretaris", "kasubag-ppmep")
"""Roles whose names and NIP appear on the documents of the shipped SOPs."""


def missing_names(office: Office, roles: Sequence[str] = SIGNATORIES) -> list[str]:
    """The roles among `roles` (those named on documents) whose name or NIP is not filled in."""
    return [r for r in roles if not _filled(office.named_holder(r))]


def _filled(person: Pegawai | None) -> bool:
    return person is not None and bool(person.nama) and bool(person.nip)


def notices(
    office: Office,
    attribution: Attribution,
    label: RoleLabel,
    signatories: Sequence[str] = SIGNATORIES,
) -> list[Notice]:
    """What the office must know at start-up and on the board (Indonesian), in order."""
    found = [
        Notice(
            f"Nama/NIP {label(r)} belum diisi di config/kantor.toml ([[pegawai]] dengan peran "
            f"{r}): dokumen memuat garis kosong untuk diisi tangan",
            r,
        )
        for r in missing_names(office, signatories)
    ]
    if not attribution.known:
        found.append(
            Notice(f"Pelaku tidak dapat diketahui: {attribution.reason}; dicatat '{UNKNOWN_NAME}'")
        )
        if office.akses.explicit and office.akses.check_owner:
            found.append(
                Notice("Pemeriksaan pemilik file ([akses] periksa_pemilik) tidak dapat dijalankan")
            )
    return found
