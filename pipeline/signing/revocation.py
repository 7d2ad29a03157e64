"""Revocation checked offline: the certificate revocation lists (CRL) the office places beside
its trusted CA certificates (`config/sertifikat/*.crl`, PEM or DER), given to pyHanko's
validation; nothing is fetched. A signer certificate that declares where its CA publishes
revocation is refused when a current list names it; without a list for its CA it is accepted
as before (soft-fail); a list past its next update makes the check fail until it is replaced,
and the office is told at start-up.

    load_revocation_lists(folder)   # for the validation context
    revocation_notices(folder, now) # for the board and the log (Indonesian)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import crl, pem

log = logging.getLogger(__name__)

CRL_SUFFIXES = (".crl",)


@dataclass(frozen=True)
class RevocationList:
    """One list as read from its file."""

    file: str
    issuer: str
    next_update: datetime | None
    parsed: crl.CertificateList


def read_revocation_lists(folder: Path | None) -> tuple[list[RevocationList], list[str]]:
    """Every CRL of the `*.crl` files in `folder`, and the names of the files that are not
    CRLs (each such file is left out)."""
    if folder is None or not folder.is_dir():
        return [], []
    found: list[RevocationList] = []
    unreadable: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in CRL_SUFFIXES):
        try:
            found += [_read(path.name, der) for der in _ders(path.read_bytes())]
        except (OSError, ValueError, TypeError) as exc:
            log.warning("revocation list %s cannot be read: %s", path.name, exc)
            unreadable.append(path.name)
    return found, unreadable


def load_revocation_lists(folder: Path | None) -> list[crl.CertificateList]:
    return [found.parsed for found in read_revocation_lists(folder)[0]]


def revocation_notices(folder: Path | None, now: datetime) -> list[str]:
    """What the office must know about its lists: unreadable files, lists past their update."""
    found, unreadable = read_revocation_lists(folder)
    notices = [
        f"File CRL {name} di config/sertifikat/ tidak dapat dibaca dan tidak dipakai: ganti "
        "dengan daftar pencabutan (CRL) yang diunduh dari penerbit sertifikat"
        for name in unreadable
    ]
    for stale in (f for f in found if f.next_update is not None and f.next_update < now):
        notices.append(
            f"Daftar pencabutan sertifikat (CRL) {stale.file} dari {stale.issuer} kedaluwarsa "
            f"sejak {stale.next_update:%Y-%m-%d %H:%M} UTC: TTE dari penerbit itu ditolak "
            "sampai file itu diganti dengan yang terbaru"
        )
    return notices


def _ders(data: bytes) -> list[bytes]:
    if pem.detect(data):
        return [der for _, _, der in pem.unarmor(data, multiple=True)]
    return [data]


def _read(file: str, der: bytes) -> RevocationList:
    parsed = crl.CertificateList.load(der)
    tbs = parsed["tbs_cert_list"]
    issuer = tbs["issuer"].human_friendly  # parses the list: a file that is no CRL fails here
    next_update = tbs["next_update"].native
    return RevocationList(file, issuer, next_update, parsed)
