"""A third SOP, written from docs/sop-format.md alone, run beside the shipped SOP 040.

SOP Penyusunan Laporan Bulanan Layanan Perpustakaan (case code LB): the Pengelola Layanan
drops the concept of the monthly report (it opens the case), three roles initial it in order
(Kasubag Umum, Kepala Bidang Layanan, Sekretaris), the Head signs it by hand, and the signed
report is filed and handed to the drafter, the Kasubag Umum and the Sekretaris. Six steps, with
standard times in days, hours and minutes; three roles no shipped SOP uses.

The definition is installed in a fresh share as the office's IT person would (docs section 7):
put in config/sop/, checked with `pipeline sop check`, folders made by `pipeline init`, and the
settings read again as the watcher reads them when it starts.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from docx import Document
from pypdf import PdfReader

from pipeline.app import App
from pipeline.cli import main
from pipeline.documents.pdfium import opened, render
from pipeline.settings import Settings, load_settings
from pipeline.signing.specimen import wet_signed_scan
from tests.support.cases import quick_app
from tests.support.staff import Staff, wait_for
from tests.support.watching import watcher_thread

DEFINITION = """\
# SOP Penyusunan Laporan Bulanan Layanan Perpustakaan
[sop]
nomor = "052/34.15/PUSTAKA/2025"
nama = "Penyusunan Laporan Bulanan Layanan Perpustakaan"
kode_kasus = "LB"
judul_dokumen = "Laporan Bulanan Layanan Perpustakaan"
klasifikasi = "000.5.3"

[pelaksana]
pengelola-layanan = "Pengelola Layanan Perpustakaan"
kasubag-umum = "Kasubag Umum dan Kepegawaian"
kabid-layanan = "Kepala Bidang Layanan dan Pelestarian Bahan Pustaka"
sekretaris = "Sekretaris Dinas"
kepala-dinas = "Kepala Dinas"

[[langkah]]
no = 1
aktivitas = "Menghimpun data layanan bulan berjalan dan menyusun konsep laporan bulanan"
pelaksana = "pengelola-layanan"
kelengkapan = "Buku tamu, data peminjaman dan keanggotaan"
waktu = "2 hari"
output = "Konsep laporan bulanan"

[[langkah]]
no = 2
aktivitas = "Memeriksa dan memaraf konsep laporan bulanan"
pelaksana = "kasubag-umum"
kelengkapan = "Konsep laporan bulanan"
waktu = "4 jam"
output = "Konsep yang telah diparaf Kasubag Umum"

[[langkah]]
no = 3
aktivitas = "Menelaah substansi layanan dan memaraf konsep laporan bulanan"
pelaksana = "kabid-layanan"
kelengkapan = "Konsep yang telah diparaf Kasubag Umum"
waktu = "1 hari"
output = "Konsep yang telah diparaf Kepala Bidang"

[[langkah]]
no = 4
aktivitas = "Memeriksa dan memaraf konsep laporan bulanan"
pelaksana = "sekretaris"
kelengkapan = "Konsep yang telah diparaf Kepala Bidang"
waktu = "45 menit"
output = "Konsep yang telah diparaf Sekretaris"

[[langkah]]
no = 5
aktivitas = "Menandatangani laporan bulanan layanan perpustakaan"
pelaksana = "kepala-dinas"
kelengkapan = "Konsep yang telah diparaf"
waktu = "1 hari"
output = "Laporan bulanan yang telah ditandatangani"

[[langkah]]
no = 6
aktivitas = "Mengarsipkan laporan bulanan dan menyampaikan salinannya"
pelaksana = "kasubag-umum"
kelengkapan = "Laporan bulanan yang telah ditandatangani"
waktu = "30 menit"
output = "Arsip dan salinan laporan bulanan"

[[tahap]]
jenis = "draf"
pelaksana = "pengelola-layanan"
folder = "konsep-laporan-bulanan"
langkah = { tersedia = 1 }

[[tahap]]
jenis = "paraf"
pelaksana = ["kasubag-umum", "kabid-layanan", "sekretaris"]
langkah = { "kasubag-umum" = 2, "kabid-layanan" = 3, "sekretaris" = 4 }

[[tahap]]
jenis = "tanda-tangan"
pelaksana = "kepala-dinas"
nomor = "laporan-bulanan"
langkah = 5

[[tahap]]
jenis = "arsip"
pelaksana = "kasubag-umum"
kirim_ke = ["pembuka", "kasubag-umum", "sekretaris"]
langkah = 6
"""

PARAF = ["kasubag-umum", "kabid-layanan", "sekretaris"]
PARAF_NAMES = [
    "Kasubag Umum dan Kepegawaian",
    "Kepala Bidang Layanan dan Pelestarian Bahan Pustaka",
    "Sekretaris Dinas",
]
STANDARDS = [(2, 0), (0, 240), (1, 0), (0, 45), (1, 0), (0, 30)]  # (days, minutes)
CONCEPT_FOLDER = "pengelola-layanan/konsep-laporan-bulanan"
SIGNED_RECORD = "Laporan Bulanan Layanan Perpustakaan.pdf"  # judul_dokumen
GIVEN = ["pengelola-layanan", "kasubag-umum", "sekretaris"]  # kirim_ke, pembuka first


# --- the office's IT person --------------------------------------------------------------


def install(settings: Settings, text: str, name: str = "laporan-bulanan.toml") -> Path:
    path = settings.root / "config" / "sop" / name
    path.write_text(text, encoding="utf-8")
    return path


def sop_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["sop", "check", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` holding `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the definition")


def check_mistake(
    settings: Settings, capsys: pytest.CaptureFixture[str], text: str, name: str
) -> str:
    """Install a definition with a mistake beside the good one, check it, take it out again."""
    path = install(settings, text, name)
    try:
        code, out = sop_check(path, capsys)
    finally:
        path.unlink()
    assert code == 1, out
    return out


def restart(settings: Settings) -> App:
    """Folders for the new roles (`pipeline init`), then the settings read as at start-up."""
    assert main(["init", str(settings.root), "--state", str(settings.state_dir), "-q"]) == 0
    return quick_app(load_settings(settings.root, settings.state_dir))


@pytest.fixture
def app(share: Settings) -> Iterator[App]:
    install(share, DEFINITION)
    app = restart(share)
    yield app
    app.close()


# --- staff -------------------------------------------------------------------------------


def concept(dest: Path, lines: list[str], signer: bool = True) -> Path:
    """The monthly report as the Pengelola Layanan writes it in Word."""
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    if signer:
        document.add_paragraph(
            "Kuala Tungkal, 30 Oktober 2026\n"
            "Kepala Dinas Perpustakaan dan Kearsipan,\n\n\n\n"
            "ERLINAWATY, SH\nNIP. 19750404 200604 2 006"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(dest)
    return dest


def files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def case_of(path: Path) -> str:
    found = re.match(r"([A-Z]{1,5}-\d{4}-\d{3}) ", path.name)
    assert found, path.name
    return found.group(1)


def first(folder: Path, pattern: str, what: str) -> Path:
    wait_for(lambda: files(folder, pattern), what)
    return files(folder, pattern)[0]


def rejection(settings: Settings, role: str, name: str) -> str:
    """The note the pipeline leaves beside a refused drop (empty while there is none)."""
    note = settings.root / "outbox" / role / "ditolak" / f"{name}.ALASAN.txt"
    return note.read_text(encoding="utf-8") if note.exists() else ""


def problem(note: str) -> str:
    """The problem lines ("- …") of a refusal note."""
    return " ".join(line[2:] for line in note.splitlines() if line.startswith("- "))


def manifest(settings: Settings, case_id: str) -> dict:
    year = case_id.split("-")[1]
    bag = settings.root / "archive" / year / case_id
    return json.loads((bag / "data" / "manifest.json").read_text(encoding="utf-8"))


def bag_info(settings: Settings, case_id: str) -> dict[str, str]:
    year = case_id.split("-")[1]
    text = (settings.root / "archive" / year / case_id / "bag-info.txt").read_text("utf-8")
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def archived(settings: Settings, case_id: str) -> bool:
    year = case_id.split("-")[1]
    return (settings.root / "archive" / year / case_id / "bag-info.txt").exists()


# --- 1, 2: the definition and its check --------------------------------------------------


def test_definition_passes_the_check_and_mistakes_are_named_with_their_line(
    share: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = install(share, DEFINITION)
    code, out = sop_check(path, capsys)
    assert code == 0, out
    assert "052/34.15/PUSTAKA/2025" in out and "6 steps" in out, out

    # a misspelt stage kind
    typo = DEFINITION.replace('jenis = "tanda-tangan"', 'jenis = "tandatangan"')
    out = check_mistake(share, capsys, typo, "salah-jenis.toml")
    kind_line = line_of(typo, 'jenis = "tandatangan"')
    assert f"line {kind_line}: jenis 'tandatangan' is not a stage kind" in out, out
    assert "tanda-tangan" in out, out

    # step 4 (the Sekretaris' paraf) ended by no stage
    unmapped = DEFINITION.replace(', "sekretaris" = 4 }', " }")
    out = check_mistake(share, capsys, unmapped, "langkah-yatim.toml")
    row = line_of(unmapped, "no = 4") - 1  # the row's [[langkah]] line
    assert unmapped.splitlines()[row - 1] == "[[langkah]]"
    assert f"line {row}: step 4 is done by no stage" in out, out

    # an actor the [pelaksana] table does not list, and a standard time in no known unit
    wrong = DEFINITION.replace('pelaksana = "kabid-layanan"', 'pelaksana = "kabid-layan"')
    wrong = wrong.replace('waktu = "45 menit"', 'waktu = "45 mnt"')
    out = check_mistake(share, capsys, wrong, "dua-salah.toml")
    actor_line = line_of(wrong, 'pelaksana = "kabid-layan"')
    assert f"line {actor_line}: pelaksana 'kabid-layan'" in out, out
    assert f"line {line_of(wrong, '45 mnt')}: waktu '45 mnt'" in out, out

    # a case code another SOP of the share already uses (SOP 040's DK)
    twin = DEFINITION.replace('kode_kasus = "LB"', 'kode_kasus = "DK"')
    out = check_mistake(share, capsys, twin, "kode-kembar.toml")
    assert "DK" in out, out

    assert main(["sop", "list", str(share.root)]) == 0
    listed = capsys.readouterr().out
    assert "LB" in listed and "inbox/pengelola-layanan/konsep-laporan-bulanan/" in listed


# --- 3, 4: one case of each SOP, interleaved, through the real watcher ---------------------


def test_third_sop_end_to_end_beside_sop_040(app: App, tmp_path: Path) -> None:
    settings = app.settings
    inbox, outbox = settings.root / "inbox", settings.root / "outbox"
    staff = Staff(settings, tmp_path / "staff")
    for role in ["pengelola-layanan", "kasubag-umum", "kabid-layanan"]:
        assert (inbox / role).is_dir() and (outbox / role).is_dir(), role
    for role in PARAF:
        assert (inbox / role / "paraf").is_dir(), role
    assert (inbox / CONCEPT_FOLDER).is_dir()

    def paraf(lb: str, role: str) -> None:
        """`role` initials the LB draft: the exact copy in its outbox, into its paraf folder."""
        staff.drop(
            first(outbox / role, f"{lb} *untuk paraf*.docx", f"the copy for {role}"),
            f"{role}/paraf",
        )

    with watcher_thread(app):
        # both SOPs open a case
        staff.disposisi()
        staff.drop(
            concept(
                tmp_path / "konsep" / "Laporan Bulanan Layanan Oktober 2026.docx",
                ["LAPORAN BULANAN LAYANAN PERPUSTAKAAN", "Kunjungan Oktober 2026: 2.140 orang"],
            ),
            CONCEPT_FOLDER,
        )
        dk = case_of(first(outbox / "kasubag-ppmep", "DK-*Nota Dinas*", "SOP 040 opens"))
        final = first(outbox / "kasubag-umum", "LB-*-001 *untuk paraf*.docx", "LB opens")
        lb = case_of(final)

        # paraf: only the exact final version, and only in order
        changed = concept(tmp_path / "ubah" / f"{lb} diubah.docx", ["LAPORAN", "diubah"])
        staff.drop(changed, "kasubag-umum/paraf")
        early = staff.drop(final, "kabid-layanan/paraf", f"{lb} paraf duluan.docx")
        for role, name in [("kasubag-umum", changed.name), ("kabid-layanan", early.name)]:
            wait_for(lambda r=role, n=name: rejection(settings, r, n), f"{name} refused")
        assert "kasubag-umum" in problem(rejection(settings, "kabid-layanan", early.name))

        # SOP 040: every bidang sends its form
        for bidang in settings.office.bidang:
            first(outbox / "bidang" / bidang.slug, f"{dk}*.xlsx", f"the form of {bidang.slug}")
            staff.isi_formulir(dk, bidang.slug)

        paraf(lb, "kasubag-umum")
        first(outbox / "analis", f"{dk}*v1*.docx", "SOP 040 draft v1")
        staff.telaah_draf(dk, 1)
        paraf(lb, "kabid-layanan")
        first(outbox / "kasubag-ppmep", f"{dk}*untuk paraf*", "SOP 040 final draft")
        staff.paraf(dk, "kasubag-ppmep")
        first(outbox / "sekretaris", f"{lb} *untuk paraf*.docx", "the LB copy for the Sekretaris")
        assert not files(outbox / "kepala-dinas", f"{lb} *.pdf"), "a signing copy before paraf"
        for role in PARAF:
            assert first(outbox / role, f"{lb} *untuk paraf*.docx", role).read_bytes() == (
                final.read_bytes()
            ), role
        paraf(lb, "sekretaris")
        first(outbox / "sekretaris", f"{dk}*untuk paraf*", "SOP 040 draft for the Sekretaris")
        staff.paraf(dk, "sekretaris")

        # the Head signs both by hand; the scans come back
        signing = first(outbox / "kepala-dinas", f"{lb} *.pdf", "the LB signing copy")
        number = check_signing_copy(signing, lb)
        first(outbox / "kepala-dinas", f"{dk}*.pdf", "the SOP 040 signing copy")
        scan = tmp_path / "pindaian" / f"{lb} ditandatangani.pdf"
        scan.parent.mkdir()
        scan.write_bytes(wet_signed_scan(signing.read_bytes()))
        staff.drop(scan, "kepala-dinas/tanda-tangan")
        staff.tanda_tangan(dk)

        wait_for(lambda: archived(settings, lb), f"{lb} archived")
        wait_for(lambda: archived(settings, dk), f"{dk} archived")
        # kirim_ke: the drafter (pembuka), the Kasubag Umum, the Sekretaris
        for role in GIVEN:
            first(outbox / role, f"{lb} {SIGNED_RECORD}", f"the copy for {role}")
        # SOP 040's kirim_ke is the default: every [[penerima]]
        for recipient in settings.office.penerima:
            first(outbox / "distribusi" / recipient.slug, f"{dk}*", f"{dk} to {recipient.slug}")

    check_lb_archive(settings, lb, number)
    # SOP 040 ran beside it, to its own end, in the same share
    assert bag_info(settings, dk)["SOP-Nomor"] == "040/34.15/PUSTAKA/2025"
    assert all(step["completed_at"] for step in manifest(settings, dk)["timeline"])


def check_signing_copy(signing: Path, lb: str) -> str:
    """docs 4: the final version as PDF with the paraf record (here in chain order), its
    number, and a QR code naming the case on every page. Returns the number."""
    reader = PdfReader(signing)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Kunjungan Oktober 2026" in text, text
    positions = [text.find(name) for name in PARAF_NAMES]
    assert -1 not in positions and positions == sorted(positions), text
    with opened(signing) as document:
        pictures = [render(page, 2) for page in document]
    for index, picture in enumerate(pictures, 1):
        codes = [code.text for code in zxingcpp.read_barcodes(picture)]
        assert any(lb in code for code in codes), f"page {index} of {lb}: QR codes {codes}"
    numbers = re.findall(r"000\.5\.3/001/DPK/\d{4}", text)
    assert numbers, text
    return numbers[0]


def check_lb_archive(settings: Settings, lb: str, number: str) -> None:
    """Filed under its own SOP, every step done in order, copies given out per kirim_ke."""
    info = bag_info(settings, lb)
    assert info["SOP-Nomor"] == "052/34.15/PUSTAKA/2025"
    assert info["SOP-Nama"] == "Penyusunan Laporan Bulanan Layanan Perpustakaan"
    assert info["Kode-Klasifikasi"] == "000.5.3"
    assert info["Nomor-Naskah"] == number
    record = manifest(settings, lb)
    timeline = record["timeline"]
    assert [step["no"] for step in timeline] == [1, 2, 3, 4, 5, 6]
    assert all(step["completed_at"] for step in timeline), timeline
    ends = [step["completed_at"] for step in timeline]
    assert ends == sorted(ends)
    actors = ["pengelola-layanan", *PARAF, "kepala-dinas", "kasubag-umum"]
    assert [step["actor"] for step in timeline] == actors
    assert [(s["standard_days"], s["standard_minutes"]) for s in timeline] == STANDARDS
    paraf_files = [f for f in record["files"] if f["kind"].startswith("paraf")]
    assert [(f["role"], f["step"]) for f in paraf_files] == list(zip(PARAF, [2, 3, 4], strict=True))

    # kirim_ke: nobody but the drafter (pembuka), the Kasubag Umum and the Sekretaris
    outbox = settings.root / "outbox"
    for role in ["kabid-layanan", "kepala-dinas", "analis", "kasubag-ppmep"]:
        assert not files(outbox / role, f"{lb} {SIGNED_RECORD}"), role
    assert not files(outbox / "distribusi", f"*/{lb}*")
    assert sorted(d["recipient"] for d in record["distribution"]) == sorted(GIVEN)


# --- what the documentation promises and the pipeline does not (yet) do -----------------

# A definition that opens its cases with a disposition (and issues a nota dinas from its own
# template), then lets the drafter write version 1 in Word: `draf` without `template`.

DISPOSISI_STEP = """\
[[langkah]]
no = 0
aktivitas = "Menerima disposisi dan menugaskan Pengelola Layanan dengan nota dinas"
pelaksana = "kasubag-umum"
waktu = "2 jam"
output = "Nota dinas penugasan"

"""

DISPOSISI_STAGES = """\
[[tahap]]
jenis = "disposisi"
pelaksana = "kasubag-umum"
folder = "disposisi-laporan-bulanan"
langkah = { diterima = 1 }

[[tahap.naskah]]
template = "nota-dinas-penugasan.docx"
judul = "Nota Dinas Penugasan"
dari = "kasubag-umum"
kepada = ["pengelola-layanan"]
tembusan = ["kabid-layanan"]
nomor = "nota-dinas"

[[tahap]]
jenis = "draf"
pelaksana = "pengelola-layanan"
langkah = { tersedia = 2 }

"""

NOTA_DINAS = [
    "{{ kantor|upper }}",
    "NOTA DINAS",
    "Nomor\t: {{ nomor }}",
    "Kepada\t: {% for k in kepada %}{{ k.jabatan }}{% endfor %}",
    "Dari\t: {{ dari.jabatan }}",
    "Tembusan\t: {% for t in tembusan %}{{ t.jabatan }}{% endfor %}",
    "Tanggal\t: {{ tanggal }}",
    "Nomor Kasus\t: {{ kasus }}",
    "Perihal\t: Penyusunan {{ judul }} {{ periode }}",
    "Sesuai SOP Nomor {{ nomor_sop }}, konsep diharapkan selesai paling lambat {{ batas_waktu }}.",
    "{{ dari.jabatan }},",
    "{{ dari.nama }}",
]


def register_code(settings: Settings, register: str) -> str:
    """docs 5: a register's code is [penomoran] klasifikasi of kantor.toml, else the SOP's."""
    kantor = tomllib.loads((settings.root / "config" / "kantor.toml").read_text("utf-8"))
    return kantor.get("penomoran", {}).get("klasifikasi", {}).get(register, "000.5.3")


def write_template(settings: Settings, lines: list[str]) -> None:
    template = Document()
    for line in lines:
        template.add_paragraph(line)
    template.save(settings.root / "templates" / "nota-dinas-penugasan.docx")


def with_disposition(definition: str) -> str:
    """`definition` opened by a disposition to the Kasubag Umum: one more step first."""
    steps, stages = definition.split("[[tahap]]\n", 1)
    at = steps.index("[[langkah]]")
    steps = steps[:at] + DISPOSISI_STEP + steps[at:]
    count = iter(range(1, 100))
    steps = re.sub(r"^no = \d+$", lambda _: f"no = {next(count)}", steps, flags=re.M)
    stages = "[[tahap]]\n" + stages.split("[[tahap]]\n", 1)[1]  # without the opening draf
    stages = re.sub(
        r"^(langkah = .*)$",
        lambda line: re.sub(r"\d+", lambda n: str(int(n.group()) + 1), line.group(1)),
        stages,
        flags=re.M,
    )
    return steps + DISPOSISI_STAGES + stages


def test_a_disposition_then_the_drafters_own_version_1(
    share: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs 4, draf: "Without it [template], the drafter's first drop is version 1"."""
    definition = with_disposition(DEFINITION)
    # docs 5: the check renders every template once and refuses an unknown value
    write_template(share, [*NOTA_DINAS, "{{ pangkat_pengirim }}"])
    code, out = sop_check(install(share, definition), capsys)
    assert code == 1 and "pangkat_pengirim" in out, out
    write_template(share, NOTA_DINAS)
    code, out = sop_check(install(share, definition), capsys)
    assert code == 0, out
    assert "7 steps" in out, out
    app = restart(share)
    settings = app.settings
    outbox = settings.root / "outbox"
    staff = Staff(settings, tmp_path / "staff")
    try:
        with watcher_thread(app):
            letter = tmp_path / "surat" / "Disposisi Laporan Bulanan Oktober 2026.docx"
            concept(letter, ["Disposisi Kepala Dinas: susun laporan bulanan Oktober 2026"], False)
            staff.drop(letter, "kasubag-umum/disposisi-laporan-bulanan")

            # the nota dinas goes to dari, kepada and tembusan, with its number
            nota = first(outbox / "pengelola-layanan", "LB-*Nota Dinas Penugasan.docx", "nota")
            lb = case_of(nota)
            for role in ["kasubag-umum", "kabid-layanan"]:  # dari and tembusan
                first(outbox / role, nota.name, f"the nota dinas for {role}")
            text = "\n".join(p.text for p in Document(nota).paragraphs)
            assert "Kepada\t: Pengelola Layanan Perpustakaan" in text, text
            assert "Dari\t: Kasubag Umum dan Kepegawaian" in text, text
            code = register_code(settings, "nota-dinas")
            assert re.search(rf"Nomor\t: {re.escape(code)}/001/DPK/\d{{4}}", text), text

            # the drafter writes version 1 in Word and drops it in inbox/pengelola-layanan/draf/
            v1 = concept(
                tmp_path / "konsep" / f"{lb} Laporan Bulanan v1.docx",
                ["LAPORAN BULANAN LAYANAN PERPUSTAKAAN", f"Nomor kasus {lb}"],
            )
            staff.drop(v1, "pengelola-layanan/draf")
            to_paraf = f"{lb} *untuk paraf*.docx"
            wait_for(
                lambda: (
                    files(outbox / "kasubag-umum", to_paraf)
                    or rejection(settings, "pengelola-layanan", v1.name)
                ),
                "version 1 accepted or refused",
            )
            refused = rejection(settings, "pengelola-layanan", v1.name)
            assert not refused, f"the drafter's version 1 was refused: {problem(refused)}"
            for role in PARAF:
                copy = first(outbox / role, to_paraf, f"the copy for {role}")
                staff.drop(copy, f"{role}/paraf")
            signing = first(outbox / "kepala-dinas", f"{lb} *.pdf", "the signing copy")
            scan = tmp_path / "pindaian" / f"{lb} ditandatangani.pdf"
            scan.parent.mkdir()
            scan.write_bytes(wet_signed_scan(signing.read_bytes()))
            staff.drop(scan, "kepala-dinas/tanda-tangan")
            wait_for(lambda: archived(settings, lb), f"{lb} archived")
        assert len(manifest(settings, lb)["timeline"]) == 7
    finally:
        app.close()


def to_signing(app: App, staff: Staff, tmp_path: Path, signer: bool = True) -> tuple[str, Path]:
    """An LB case from its concept through the three paraf; its case and signing copy."""
    outbox = app.settings.root / "outbox"
    staff.drop(
        concept(
            tmp_path / "konsep" / "Laporan Bulanan Layanan November 2026.docx",
            ["LAPORAN BULANAN LAYANAN PERPUSTAKAAN", "Kunjungan November 2026: 1.980"],
            signer=signer,
        ),
        CONCEPT_FOLDER,
    )
    lb = case_of(first(outbox / "kasubag-umum", "LB-*untuk paraf*.docx", "the concept"))
    for role in PARAF:
        staff.drop(first(outbox / role, f"{lb} *untuk paraf*.docx", role), f"{role}/paraf")
    return lb, first(outbox / "kepala-dinas", f"{lb} *.pdf", "the signing copy")


def test_a_report_without_a_signature_block_can_be_signed_by_hand(app: App, tmp_path: Path) -> None:
    """docs 4, tanda-tangan: the signer drops the copy back "printed, signed by hand and
    scanned" -- nothing says the draft must carry a signature block."""
    settings = app.settings
    staff = Staff(settings, tmp_path / "staff")
    with watcher_thread(app):
        lb, signing = to_signing(app, staff, tmp_path, signer=False)
        issued = "\n".join(p.extract_text() for p in PdfReader(signing).pages)
        scan = tmp_path / "pindaian" / f"{lb} ditandatangani.pdf"
        scan.parent.mkdir()
        scan.write_bytes(wet_signed_scan(signing.read_bytes()))
        staff.drop(scan, "kepala-dinas/tanda-tangan")
        wait_for(
            lambda: archived(settings, lb) or rejection(settings, "kepala-dinas", scan.name),
            "the scan accepted or refused",
        )
        refused = rejection(settings, "kepala-dinas", scan.name)
    assert not refused, f"the hand-signed scan was refused: {problem(refused)}"
    assert archived(settings, lb)
    assert "Tempat tanda tangan" in issued  # the signer is shown where to sign


def test_without_klasifikasi_the_number_takes_the_offices_code(
    share: Settings, tmp_path: Path
) -> None:
    """docs 1: klasifikasi is optional, "default: [arsip] kode_klasifikasi of
    config/kantor.toml", and is "used in the archive and in document numbers"."""
    office = share.root / "config" / "kantor.toml"  # a code no other register uses
    text = office.read_text(encoding="utf-8")
    office.write_text(re.sub(r'kode_klasifikasi = "[^"]*"', 'kode_klasifikasi = "000.5.9"', text))
    install(share, DEFINITION.replace('klasifikasi = "000.5.3"\n', ""))
    app = restart(share)
    try:
        office_code = app.settings.office.arsip.kode_klasifikasi
        with watcher_thread(app):
            _, signing = to_signing(app, Staff(app.settings, tmp_path / "staff"), tmp_path)
        text = "\n".join(page.extract_text() for page in PdfReader(signing).pages)
        found = re.search(r"Nomor: (\S*)/001/DPK/\d{4}", text)
        assert found, text
        assert found.group(1) == office_code, text
    finally:
        app.close()
