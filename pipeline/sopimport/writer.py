"""The text of a definition skeleton (docs/sop-format.md) from what the importer read.

The comments are for the office's IT person, in Bahasa Indonesia. Every value a person must
still decide is `TO_DECIDE`, which `pipeline sop check` reports with its line; a comment
beside it says what the document showed or what is proposed.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.engine.definition import TO_DECIDE
from pipeline.engine.model import UNITS
from pipeline.sopimport.header import Header
from pipeline.sopimport.naming import case_code, display_name, role_slugs
from pipeline.sopimport.table import SopTable, Step, number
from pipeline.sopimport.wording import proposed_kind, standard_time

ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
}
TITLE_NOTE = "output langkah terakhir: judul dokumen yang ditandatangani"
STEPS_TITLE = "# --- tabel SOP: satu [[langkah]] per baris, seperti di dokumen " + "-" * 28
STAGES_GUIDE = """\
# --- tahap: yang dikerjakan pipeline (docs/sop-format.md bagian 4) ----------------------------
# Di bawah ini satu [[tahap]] per langkah, sebagai bahan. Tentukan jenis setiap tahap, gabungkan
# langkah yang diakhiri satu tahap (langkah = { momen = nomor, … }; satu angka bila tahap hanya
# punya satu momen) dan hapus [[tahap]] yang tidak terpakai. Tahap pertama membuka kasus
# (disposisi atau draf); urutannya: disposisi, pengumpulan, draf, paraf, tanda-tangan, arsip.
# Contoh lengkap: config/sop/040-data-kinerja.toml.
#
# disposisi     surat atau lembar disposisi yang ditaruh di foldernya membuka kasus baru;
#               momen: diterima, diteruskan (naskah seperti nota dinas diterbitkan)
# pengumpulan   setiap bidang (pelaksana = "bidang") mendapat formulir Excel IKU dan
#               mengirimkannya kembali terisi; momen: lengkap
# draf          penyusun mengirim dokumen Word versi demi versi (boleh membuka kasus);
#               momen: tersedia, ditelaah, final
# paraf         para pelaksana (daftar, berurutan) memaraf versi final dengan menaruh berkas
#               yang sama; momen: satu per pelaksana, dinamai dengan nama pendeknya
# tanda-tangan  pipeline menerbitkan salinan PDF untuk ditandatangani (TTE, atau dicetak,
#               ditandatangani dan dipindai); momen: ditandatangani
# arsip         dokumen bertanda tangan diarsipkan dan salinannya dibagikan (kirim_ke);
#               momen: diarsipkan"""


def toml_text(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + "".join(ESCAPES.get(ch) or _control(ch) for ch in text) + '"'


def _control(ch: str) -> str:
    return f"\\u{ord(ch):04X}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch


def comment(text: str) -> str:
    """`text` fit for a `#` comment: one line, no control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def entry(key: str, value: str | int, note: str = "") -> str:
    shown = str(value) if isinstance(value, int) else toml_text(value)
    return f"{key} = {shown}" + (f"  # {comment(note)}" if note else "")


def render(source_name: str, header: Header, table: SopTable) -> str:
    slugs = role_slugs(table.actors)
    nama = display_name(header.nama)
    steps = [_step(n, step, slugs) for n, step in enumerate(table.steps, 1)]
    stages = [_stage(n, step, slugs, nama) for n, step in enumerate(table.steps, 1)]
    parts = [_intro(source_name), _sop(header, table), _actors(table.actors, slugs)]
    return "\n\n".join([*parts, STEPS_TITLE, *steps, STAGES_GUIDE, *stages]) + "\n"


def _intro(source_name: str) -> str:
    return "\n".join(
        [
            f'# Kerangka definisi dari "{comment(source_name)}"; lengkapi bagian {TO_DECIDE}, '
            "lihat docs/sop-format.md.",
            "# Periksa dengan `pipeline sop check <berkas ini>`: setiap bagian yang belum "
            "ditentukan disebut dengan nomor barisnya.",
        ]
    )


def _sop(header: Header, table: SopTable) -> str:
    lines = [
        "[sop]",
        _found("nomor", header.nomor, '"Nomor SOP"'),
        _name(header.nama),
        entry("kode_kasus", TO_DECIDE, _code_note(display_name(header.nama))),
    ]
    last_output = table.steps[-1].output if table.steps else ""
    if last_output:
        lines.append(entry("judul_dokumen", last_output, TITLE_NOTE))
    return "\n".join(lines)


def _name(written: str) -> str:
    nama = display_name(written)
    return _found("nama", nama, '"Nama SOP"', f'di dokumen: "{written}"' if nama != written else "")


def _found(key: str, value: str, label: str, note: str = "") -> str:
    if value:
        return entry(key, value, note)
    return entry(key, TO_DECIDE, f"{label} tidak ditemukan di dokumen")


def _code_note(nama: str) -> str:
    code = case_code(nama)
    proposal = f'usul: "{code}" (huruf awal nama SOP); ' if code else ""
    return f"{proposal}1–5 huruf kapital, berbeda dengan kode SOP lain; nomor kasus: <kode>-<tahun>-001"


def _actors(names: Sequence[str], slugs: Sequence[str]) -> str:
    lines = [
        "[pelaksana]",
        "# satu peran per kolom Pelaksana; nama pendek boleh diganti (juga di [[langkah]] dan [[tahap]])",
    ]
    for slug, name in zip(slugs, names, strict=True):
        note = "setiap bidang di config/kantor.toml" if slug == UNITS else ""
        lines.append(entry(slug, name, note))
    return "\n".join(lines)


def _step(n: int, step: Step, slugs: Sequence[str]) -> str:
    waktu = standard_time(step.waktu)
    return "\n".join(
        [
            "[[langkah]]",
            entry("no", n, "" if number(step.number) == n else f'di dokumen: "{step.number}"'),
            entry("aktivitas", step.aktivitas),
            _step_actor(step, slugs),
            entry("kelengkapan", step.kelengkapan),
            entry("waktu", waktu.value, waktu.note),
            entry("output", step.output),
            entry("keterangan", step.keterangan),
        ]
    )


def _step_actor(step: Step, slugs: Sequence[str]) -> str:
    if not step.actors:
        return entry("pelaksana", TO_DECIDE, "tidak ada kolom pelaksana yang ditandai")
    notes = ["ditandai dengan arsiran sel"] if step.by_shading else []
    others = [slugs[a] for a in step.actors[1:]]
    if others:
        notes.append(f"juga ditandai: {', '.join(others)}")
    return entry("pelaksana", slugs[step.actors[0]], "; ".join(notes))


def _stage(n: int, step: Step, slugs: Sequence[str], nama: str) -> str:
    proposal = proposed_kind(step.aktivitas, nama)
    actor = slugs[step.actors[0]] if step.actors else TO_DECIDE
    note = f'usul: "{proposal.value}" ({proposal.note})' if proposal else ""
    if proposal and proposal.value == "pengumpulan" and actor != UNITS:
        note += f'; pelaksana tahap pengumpulan selalu "{UNITS}"'
    return "\n".join(
        [
            "[[tahap]]",
            entry("jenis", TO_DECIDE, note),
            entry("pelaksana", actor),
            entry("langkah", n),
        ]
    )
