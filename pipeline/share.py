"""The share's layout: `init` creates what is missing and never touches what exists."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.config import OFFICE_FILE, SOP_FILE, Settings, defaults_dir

GUIDE = "PETUNJUK.txt"
ROLES = ("kepala-dinas", "sekretaris", "kasubag-ppmep", "analis")


def install_defaults(root: Path) -> list[Path]:
    """Copy the shipped config/ and templates/ into `root` where a file is missing."""
    source = defaults_dir()
    created = []
    for rel in (
        f"config/{OFFICE_FILE}",
        f"config/{SOP_FILE}",
        "templates/nota-dinas.docx",
        "templates/draf-data-kinerja.docx",
    ):
        dest = root / rel
        if not dest.exists() and (source / rel).resolve() != dest.resolve():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, dest)
            created.append(dest)
    (root / "config" / "sertifikat").mkdir(parents=True, exist_ok=True)
    return created


def layout_folders(settings: Settings) -> list[Path]:
    root, office = settings.root, settings.office
    inboxes = [
        root / "inbox" / stage.inbox_for(b.slug)
        for stage in settings.sop.stages
        for b in (office.bidang if "{bidang}" in stage.inbox else office.bidang[:1])
    ]
    roles = [*ROLES, *(f"bidang/{b.slug}" for b in office.bidang)]
    outboxes = [root / "outbox" / r for r in roles]
    distribution = [root / "outbox" / "distribusi" / p.slug for p in office.penerima]
    return [*inboxes, *outboxes, *distribution, root / "archive", root / "berkas"]


def create_layout(settings: Settings) -> list[Path]:
    """Create every folder of the share; returns those that did not exist."""
    created = []
    for folder in layout_folders(settings):
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)
    guide = settings.root / GUIDE
    if not guide.exists():
        guide.write_text(guide_text(settings), encoding="utf-8")
        created.append(guide)
    return created


def guide_text(settings: Settings) -> str:
    bidang = "\n".join(f"    inbox/bidang/{b.slug}/   ({b.nama})" for b in settings.office.bidang)
    return f"""PETUNJUK FOLDER BERSAMA — SOP {settings.sop.nomor}
{settings.sop.nama}

Letakkan file di folder inbox sesuai peran Anda. Sistem memproses file secara otomatis,
lalu meletakkan hasilnya di folder outbox peran berikutnya.

  1. Kepala Dinas   : surat/disposisi (PDF, Word atau gambar) → inbox/kepala-dinas/disposisi/
  2. Sekretaris     : nota dinas terbit otomatis di outbox/sekretaris/, dan formulir data
                      setiap bidang di outbox/bidang/<bidang>/
  3. Bidang         : isi formulir dari outbox/bidang/<bidang>/, simpan, lalu letakkan di
{bidang}
  4–6. Analis       : draf terbit di outbox/analis/; draf hasil telaah → inbox/analis/draf/
  7. Kasubag PPMEP  : salinan draf final dari outbox/kasubag-ppmep/ → inbox/kasubag-ppmep/paraf/
  8. Sekretaris     : salinan dari outbox/sekretaris/ → inbox/sekretaris/paraf/
  9. Kepala Dinas   : PDF dari outbox/kepala-dinas/ ditandatangani, lalu diletakkan di
                      inbox/kepala-dinas/tanda-tangan/:
                      - TTE: tandatangani PDF itu apa adanya (jangan disimpan ulang atau
                        dicetak ulang ke PDF sebelum ditandatangani);
                      - tanda tangan basah: cetak PDF itu, tandatangani di kotak tanda tangan,
                        pindai SEMUA halamannya (150-300 dpi, kode QR di kanan bawah setiap
                        halaman harus ikut terpindai), lalu letakkan hasil pindaiannya.
 10. Arsip          : naskah bertanda tangan diarsipkan di archive/ dan dikirim ke
                      outbox/distribusi/

Penting:
  - Setiap orang hanya meletakkan file di folder inbox perannya sendiri. File yang diletakkan
    di folder peran lain ditolak, dan catatannya dikirim ke outbox/<peran Anda>/ditolak/.
  - Untuk paraf, letakkan SALINAN PERSIS dari outbox Anda. Jangan membuka lalu menyimpan ulang
    file itu di Word: isinya berubah dan paraf ditolak. Perbaikan draf dikirim lewat analis.
  - Bidang boleh mengirim ulang formulir yang sudah diperbaiki selama draf belum diparaf;
    data terbaru yang dipakai.
  - Nomor kasus (misalnya DK-2026-001) ada di nama setiap file; biarkan tetap ada di nama file.

File yang tidak dapat diproses dipindahkan ke outbox/<peran>/ditolak/ bersama catatan
alasannya (<nama file>.ALASAN.txt): baca catatan itu, perbaiki, lalu kirim ulang. File asli
tidak pernah dihapus. Apa yang sedang menunggu Anda: outbox/<peran>/STATUS.txt.
Posisi setiap kasus: buka status.html di folder ini.
"""
