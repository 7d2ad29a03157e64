"""archive/daftar-arsip.xlsx, the Daftar Arsip Aktif, made from the bags alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.archive.daftar import ArsipRow, write_daftar_arsip
from pipeline.archive.filing import read_manifest
from pipeline.archive.verify import find_bags
from pipeline.settings import Settings

LIST_NAME = "daftar-arsip.xlsx"


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
    read once (bags are never rewritten)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._written: frozenset[Path] | None = None
        self._rows: dict[Path, ArsipRow] = {}

    def refresh(self) -> bool:
        bags = list(find_bags(self.settings.root / "archive"))
        if frozenset(bags) == self._written or (not bags and self._written is None):
            return False
        self._rows = {bag: self._rows.get(bag) or arsip_row(bag) for bag in bags}
        write_archive_list(self.settings, list(self._rows.values()))
        self._written = frozenset(bags)
        return True
