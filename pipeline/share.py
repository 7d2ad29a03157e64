"""The share's layout: `init` creates what is missing and never touches what exists."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pipeline.definitions import SOP_FOLDER
from pipeline.documents.templates import Documents
from pipeline.engine.model import SopDef, StageDef
from pipeline.engine.routing import every_place
from pipeline.settings import OFFICE_FILE, Settings, defaults_dir, load_settings
from pipeline.store.fsops import atomic_write

GUIDE = "PETUNJUK.txt"


def shipped_files(source: Path) -> list[str]:
    """What `init` installs: the office config, every SOP definition, every template."""
    found = [f"config/{OFFICE_FILE}"]
    found += [
        f"config/{SOP_FOLDER}/{p.name}"
        for p in sorted((source / "config" / SOP_FOLDER).glob("*.toml"))
    ]
    found += [f"templates/{p.name}" for p in sorted((source / "templates").glob("*.docx"))]
    return found


def install_defaults(root: Path) -> list[Path]:
    """Copy the shipped config/ and templates/ into `root` where a file is missing."""
    source = defaults_dir()
    created = []
    for rel in shipped_files(source):
        dest = root / rel
        if not dest.exists() and (source / rel).resolve() != dest.resolve():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, dest)
            created.append(dest)
    (root / "config" / "sertifikat").mkdir(parents=True, exist_ok=True)
    return created


def layout_folders(settings: Settings) -> list[Path]:
    root, office = settings.root, settings.office
    inboxes = {root / "inbox" / p.folder for p in every_place(settings.sops, settings.units)}
    outboxes = [root / "outbox" / r for r in settings.roles()]
    distribution = [root / "outbox" / "distribusi" / p.slug for p in office.penerima]
    return [
        *sorted(inboxes),
        *outboxes,
        *distribution,
        root / "archive",
        root / "berkas",
        root / "riwayat",
    ]


def create_layout(settings: Settings) -> list[Path]:
    """Create every folder of the share; returns those that did not exist. The staff guide is
    written anew when the SOPs changed (it is the pipeline's own file, never edited by hand)."""
    created = []
    for folder in layout_folders(settings):
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)
    guide, text = settings.root / GUIDE, guide_text(settings)
    if not guide.exists() or guide.read_text(encoding="utf-8") != text:
        atomic_write(guide, text.encode(), durable=False)
        created.append(guide)
    return created


def guide_text(settings: Settings) -> str:
    sections = "\n\n".join(_sop_section(settings, sop) for sop in settings.sops)
    return f"""PETUNJUK FOLDER BERSAMA
{settings.office.nama} {settings.office.daerah}

Letakkan file di folder inbox sesuai peran Anda. Sistem memproses file secara otomatis, lalu
meletakkan hasilnya di folder outbox peran berikutnya. Setiap SOP di bawah ini punya folder
pembuka kasus sendiri; setelah kasus dibuka, nomor kasus (misalnya DK-2026-001) ada di nama
setiap file: biarkan tetap ada di nama file.

{sections}

Penting:
  - Setiap orang hanya meletakkan file di folder inbox perannya sendiri. File yang diletakkan
    di folder peran lain ditolak, dan catatannya dikirim ke outbox/<peran Anda>/ditolak/.
  - Untuk paraf, letakkan SALINAN PERSIS dari outbox Anda. Jangan membuka lalu menyimpan ulang
    file itu di Word: isinya berubah dan paraf ditolak. Perbaikan draf dikirim lewat pengonsep.
  - Tanda tangan: TTE pada PDF dari outbox apa adanya (jangan disimpan ulang atau dicetak ulang
    ke PDF sebelum ditandatangani), atau cetak PDF itu, tandatangani di kotak tanda tangan,
    pindai SEMUA halamannya (150-300 dpi, kode QR di kanan bawah setiap halaman harus ikut
    terpindai), lalu letakkan hasil pindaiannya.
  - Bidang boleh mengirim ulang formulir yang sudah diperbaiki selama draf belum ditelaah;
    data terbaru yang dipakai.{_correction_note(settings)}

File yang tidak dapat diproses dipindahkan ke outbox/<peran>/ditolak/ bersama catatan
alasannya (<nama file>.ALASAN.txt): baca catatan itu, perbaiki, lalu kirim ulang. File asli
tidak pernah dihapus. Apa yang sedang menunggu Anda: outbox/<peran>/STATUS.txt.
Posisi setiap kasus: buka status.html di folder ini.
"""


def _correction_note(settings: Settings) -> str:
    """How a drafter corrects a document that opened a case (for SOPs opened by a draft)."""
    if not any(sop.stages[0].jenis == "draf" for sop in settings.sops):
        return ""
    return """
  - Konsep yang membuka kasus boleh diperbaiki selama belum diparaf: simpan dengan nama file
    yang sama (atau sebut nomor kasusnya di nama file), lalu letakkan lagi di folder yang sama;
    itu menjadi versi berikutnya. Surat lain dengan nama yang sama: tambahkan kata 'baru' pada
    nama file."""


def _sop_section(settings: Settings, sop: SopDef) -> str:
    lines = [f"SOP {sop.nomor} — {sop.nama} (nomor kasus {sop.kode}-…)"]
    for stage in sop.stages:
        lines.append(_stage_line(settings, sop, stage))
    return "\n".join(lines)


def _stage_line(settings: Settings, sop: SopDef, stage: StageDef) -> str:
    steps = ", ".join(str(n) for _, n in sorted(stage.langkah, key=lambda m: m[1]))
    who = ", ".join(sop.label(r) for r in stage.pelaksana)
    where = sorted({p.folder for p in every_place((sop,), settings.units) if p.stage == stage})
    shown = sorted({_generic(f) for f in where})
    drop = " atau ".join(f"inbox/{f}/" for f in shown) if shown else "otomatis oleh sistem"
    return f"  langkah {steps:<8} {who}: {_what(stage)} → {drop}"


def _generic(folder: str) -> str:
    parts = folder.split("/")
    return "/".join(["bidang", "<bidang>", *parts[2:]]) if parts[0] == "bidang" else folder


def _what(stage: StageDef) -> str:
    return {
        "disposisi": "surat/disposisi (PDF, Word atau pindaian) membuka kasus",
        "pengumpulan": "formulir dari outbox/bidang/<bidang>/ diisi, lalu",
        "draf": "konsep/draf (Word) setiap versi" + (" membuka kasus" if stage.index == 0 else ""),
        "paraf": "salinan persis draf final dari outbox untuk paraf",
        "tanda-tangan": "PDF dari outbox ditandatangani (TTE, atau basah lalu dipindai)",
        "arsip": "diarsipkan di archive/ dan dibagikan",
    }[stage.jenis]


def prepare_share(root: Path, state: Path | None, **options: Any) -> Settings:
    """A share ready to run: the shipped defaults installed where missing, the settings
    loaded and checked, the folders made, every template tried once."""
    root.mkdir(parents=True, exist_ok=True)
    install_defaults(root)
    settings = load_settings(root, state, **options)
    create_layout(settings)
    Documents(settings.templates_dir).check_all(settings.office, settings.sops)
    return settings
