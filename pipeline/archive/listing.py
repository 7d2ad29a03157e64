"""archive/daftar-arsip.xlsx, the Daftar Arsip Aktif, made from the bags alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.archive.daftar import ArsipRow, write_daftar_arsip
from pipeline.archive.filing import read_manifest
from pipeline.archive.verify import find_bags
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_write, sha256_bytes

LIST_NAME = "daftar-arsip.xlsx"
MARKER = "daftar-arsip.bags"  # in the state folder: the digest of the bags the list holds


def read_bag_info(bag: Path) -> dict[str, str]:
    info: dict[str, str] = {}
    for line in (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines():
        label, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            info[label.strip()] = value.strip()
    return info


def arsip_row(bag: Path) -> ArsipRow:
    info = read_bag_info(bag)
    files = len(read_manifest(bag).get("files", []))
    case_id = info.get("External-Identifier", bag.name)
    return ArsipRow(
        kode_klasifikasi=info.get("Kode-Klasifikasi", ""),
        uraian=f"{info.get('External-Description', '')} (kasus {case_id})",
        kurun_waktu=info.get("Kurun-Waktu", ""),
        jumlah=f"1 berkas ({files} file)",
        tingkat_perkembangan="Asli",
        keterangan=(
            f"Retensi aktif {info.get('Retensi-Aktif', '-')}, "
            f"inaktif {info.get('Retensi-Inaktif', '-')}; "
            f"nasib akhir {info.get('Nasib-Akhir', '-')}; {bag.parent.name}/{bag.name}"
        ),
    )


def write_archive_list(settings: Settings, rows: Sequence[ArsipRow] | None = None) -> Path:
    archive = settings.root / "archive"
    rows = [arsip_row(bag) for bag in find_bags(archive)] if rows is None else rows
    dest = archive / LIST_NAME
    write_daftar_arsip(rows, dest, office=f"{settings.office.nama} {settings.office.daerah}")
    return dest


class ArchiveListWriter:
    """Rewrites the list when the set of bags changed since it was last written; each bag is
    read once (bags are never rewritten). Which bags the list holds is kept as a digest, here
    and in the state folder, so that a restart does not rewrite an unchanged list."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._written: str | None = None  # the digest of the bags the list was written from
        self._rows: dict[str, ArsipRow] = {}  # by the bag's place under archive/

    @property
    def _marker(self) -> Path:
        return self.settings.state_dir / MARKER

    def refresh(self) -> bool:
        archive = self.settings.root / "archive"
        bags = {bag.relative_to(archive).as_posix(): bag for bag in find_bags(archive)}
        digest = sha256_bytes("\n".join(sorted(bags)).encode())
        if digest == self._written or (not bags and self._written is None):
            return False
        if self._written is None and self._listed(digest):
            self._written = digest
            return False
        self._rows = {name: self._rows.get(name) or arsip_row(bag) for name, bag in bags.items()}
        write_archive_list(self.settings, list(self._rows.values()))
        self._written = digest
        atomic_write(self._marker, digest.encode(), durable=False)
        return True

    def _listed(self, digest: str) -> bool:
        """Whether the list on the share was written, by an earlier run, from these bags."""
        listed = self.settings.root / "archive" / LIST_NAME
        if not listed.exists() or not self._marker.exists():
            return False
        return self._marker.read_text(encoding="utf-8") == digest
