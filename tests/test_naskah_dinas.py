"""Documents an official would sign: numbered from the register, laid out as naskah dinas, with
the names of the office's staff, and a register that a crash or a lost journal cannot make give
a number twice."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from docx import Document
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from pipeline.app import App, open_app
from pipeline.archive.reindex import reindex
from pipeline.cli import main
from pipeline.core.errors import ConfigError
from pipeline.documents.logo import logo_members, square_png
from pipeline.documents.pdfconvert import convert_one
from pipeline.documents.pdfium import opened, render
from pipeline.documents.stamp import stamp_record
from pipeline.engine.contexts import BLANK_LINE
from pipeline.settings import Settings, load_settings
from pipeline.share import prepare_share
from pipeline.store.journal import JOURNAL_FILE, Journal, NumberRecord
from pipeline.store.numbers_kept import highest_kept_number
from pipeline.watching.faults import CRASH_EXIT_CODE
from tests.support.cases import drive_to_signing, quick_app, run_pass
from tests.support.faults import Desk, Site, drop, run_once
from tests.support.pdfs import lines_pdf, quick_pdf
from tests.support.staff import Staff, one
from tests.support.tools import require_program

SEKRETARIS = ("Drs. H. MUHAMMAD YUSUF, M.Si", "19700812 199503 1 004")
KASUBAG = ("RINA MARLINA, S.E.", "19830215 200903 2 007")
HEAD = ("ERLINAWATY, SH", "19750404 200604 2 006")
DISPOSISI = "kepala-dinas/disposisi-data-kinerja"
KOP = ("PEMERINTAH KABUPATEN TANJUNG JABUNG BARAT", "DINAS PERPUSTAKAAN DAN KEARSIPAN")


def name_staff(root: Path) -> None:
    """Fill in the Secretary's and the Kasubag's names and NIP, as the office's IT person does."""
    office = root / "config" / "kantor.toml"
    text = office.read_text(encoding="utf-8")
    for (nama, nip), jabatan in ((SEKRETARIS, "Sekretaris Dinas"), (KASUBAG, "Kepala Sub Bagian")):
        text = re.sub(
            rf'nama = ""\nnip = ""\n(jabatan = "{jabatan})',
            rf'nama = "{nama}"\nnip = "{nip}"\n\1',
            text,
            count=1,
        )
    office.write_text(text, encoding="utf-8")


def letter(path: Path, subject: str) -> Path:
    """An outgoing letter as a bidang drafts it, its number and date left to the register."""
    doc = Document()
    doc.add_paragraph("Nomor    : ……………")
    doc.add_paragraph(f"Hal      : {subject}")
    doc.add_paragraph("Yth. Kepala Perangkat Daerah se-Kabupaten Tanjung Jabung Barat")
    doc.add_paragraph("Dengan hormat, kami sampaikan pemberitahuan jadwal layanan.")
    doc.add_paragraph("Kuala Tungkal, ……………")
    doc.add_paragraph("Kepala Dinas Perpustakaan dan Kearsipan,\n\n\n\nERLINAWATY, SH")
    doc.add_paragraph("NIP. 19750404 200604 2 006")
    doc.save(str(path))
    return path


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(p.text for p in doc.paragraphs)


# --- the register ----------------------------------------------------------------------------


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def issue_year(app: App, clock: Clock, desk: Path, year: int, notas: int, letters: int) -> None:
    """`notas` cases of SOP 040 opened (each with its nota dinas) and `letters` outgoing letters
    taken to their signing copy, interleaved, in `year`."""
    clock.now = datetime(year, 2, 2, 1, 0, tzinfo=UTC)
    staff = Staff(app.settings, desk / str(year))
    desk_of = Desk(desk / f"letters-{year}")
    for n in range(max(notas, letters)):
        clock.now += timedelta(minutes=7)
        if n < notas:
            staff.drop(desk_of.disposition(str(n), f"Tahun {year}"), DISPOSISI)
        if n < letters:
            staff.drop(letter(staff.scratch / f"Surat {year}-{n}.docx", f"Surat {n}"),
                       "bidang/pengelolaan-arsip/konsep-surat-keluar")  # fmt: skip
        if n % 10 == 9 or n == max(notas, letters) - 1:
            run_pass(app)
    for case_id in app.journal.case_ids(open_only=True):
        if case_id.startswith(f"SK-{year}-"):
            staff.drop(one(app.settings.root / "outbox/sekretaris", f"{case_id} *paraf.docx"),
                       "sekretaris/paraf")  # fmt: skip
    run_pass(app)


def open_first_case(settings: Settings, work: Path) -> None:
    """The Head's disposition dropped and taken: the case is open and its nota dinas issued."""
    app = quick_app(settings)
    try:
        Staff(settings, work / "desk").disposisi()
        run_pass(app)
    finally:
        app.close()


def test_two_hundred_documents_over_two_years_and_two_sops_get_unique_gap_free_numbers(
    share: Settings, tmp_path: Path
) -> None:
    clock = Clock(datetime(2026, 2, 2, tzinfo=UTC))
    app = open_app(share, clock=clock, to_pdf=quick_pdf)
    try:
        for year in (2026, 2027):
            issue_year(app, clock, tmp_path / "desk", year, notas=85, letters=15)
        records = [r for year in (2026, 2027) for r in app.journal.register(year)]
    finally:
        app.close()

    assert len(records) == 200
    texts = [r.number for r in records]
    assert len(set(texts)) == 200, [t for t, c in Counter(texts).items() if c > 1]
    by_register = Counter((r.register, r.year) for r in records)
    assert by_register == {
        ("nota-dinas", 2026): 85, ("nota-dinas", 2027): 85,
        ("surat-keluar", 2026): 15, ("surat-keluar", 2027): 15,
    }  # fmt: skip
    for (register, year), count in by_register.items():
        seqs = [r.seq for r in records if (r.register, r.year) == (register, year)]
        assert seqs == list(range(1, count + 1)), f"{register} {year}: gaps or repeats"
    assert {r.status for r in records} == {"terbit"}
    assert re.fullmatch(r"000\.1\.3/\d{3}/DPK/2027", records[-16].number)

    root = share.root
    for record in records:
        if record.register == "nota-dinas":
            nota = root / "berkas" / record.case_id / "keluar" / f"{record.case_id} Nota Dinas.docx"
            assert f"NOMOR {record.number}" in docx_text(nota)
        else:
            issued = root / "berkas" / record.case_id / "keluar"
            pdf = one(issued, f"{record.case_id} Untuk Ditandatangani.pdf")
            text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
            assert f"Nomor    : {record.number}" in text  # written into the letter's own line
            assert f"Nomor: {record.number}" in text  # and in the record stamped on it


@pytest.mark.parametrize("point", ["after-outputs", "after-commit", "after-move"])
def test_a_crash_between_reserving_and_issuing_never_gives_a_number_twice(
    tmp_path: Path, point: str
) -> None:
    site = Site.create(tmp_path / "site")
    desk = Desk(tmp_path / "desk")
    drop(site, desk.disposition("A"), "kepala-dinas/disposisi-data-kinerja")
    crashed = run_once(site, crash_at=point)
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stdout + crashed.stderr
    drop(site, desk.disposition("B"), "kepala-dinas/disposisi-data-kinerja")
    again = run_once(site)
    assert again.returncode == 0, again.stdout + again.stderr

    journal = Journal(site.state / JOURNAL_FILE)
    try:
        records = journal.register(2026) or journal.register(datetime.now(UTC).year)
    finally:
        journal.close()
    assert sorted(r.seq for r in records) == [1, 2]
    assert len({r.number for r in records}) == 2 and len({r.case_id for r in records}) == 2
    for record in records:
        for place in (
            "outbox/sekretaris",
            "outbox/kasubag-ppmep",
            f"berkas/{record.case_id}/keluar",
        ):
            nota = site.root / place / f"{record.case_id} Nota Dinas.docx"
            assert f"NOMOR {record.number}" in docx_text(nota), place
        assert kept_numbers(site.root, record.case_id) == [(record.register, record.seq)]


def kept_numbers(root: Path, case_id: str) -> list[tuple[str, int]]:
    """The numbers the case's own record on the share names (register, seq)."""
    record = json.loads((root / "berkas" / case_id / "nomor.json").read_text(encoding="utf-8"))
    assert record["kasus"] == case_id
    return [(n["register"], n["seq"]) for n in record["numbers"]]


def entries(records: list[NumberRecord]) -> list[tuple[object, ...]]:
    return [(r.register, r.year, r.seq, r.number, r.case_id, r.document, r.status) for r in records]


@pytest.mark.parametrize("reindexed", [True, False], ids=["reindexed", "not-reindexed"])
def test_a_lost_journal_never_gives_a_filed_number_again(
    share: Settings, tmp_path: Path, reindexed: bool
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        staff.drop(letter(tmp_path / "Undangan.docx", "Undangan"),
                   "bidang/pengelolaan-arsip/konsep-surat-keluar")  # fmt: skip
        run_pass(app)
        staff.paraf("SK-2026-001", "sekretaris")
        run_pass(app)
        staff.tanda_tangan("SK-2026-001", dpi=150)
        run_pass(app)
        filed = entries(app.journal.register(2026))
        assert app.journal.case("SK-2026-001").closed  # type: ignore[union-attr]
    finally:
        app.close()
    (share.state_dir / JOURNAL_FILE).unlink()  # the server's disk is lost; the archive is not

    app = quick_app(share)
    try:
        if reindexed:  # the register is rebuilt from the bags with the cases
            assert reindex(share, app.journal) == ["SK-2026-001"]
            assert entries(app.journal.register(2026)) == filed
        staff.drop(letter(tmp_path / "Pemberitahuan.docx", "Pemberitahuan"),
                   "bidang/pengelolaan-arsip/konsep-surat-keluar")  # fmt: skip
        run_pass(app)
        staff.paraf("SK-2026-002", "sekretaris")
        run_pass(app)
        numbers = [(r.case_id, r.number) for r in app.journal.register(2026)]
    finally:
        app.close()
    assert numbers[-1] == ("SK-2026-002", "000.1.2/002/DPK/2026")
    assert numbers[:-1] == ([("SK-2026-001", "000.1.2/001/DPK/2026")] if reindexed else [])


def test_a_lost_journal_never_gives_again_a_number_of_a_case_still_open(
    share: Settings, tmp_path: Path
) -> None:
    """Numbers of open cases are in no bag yet: the case's own record on the share keeps them."""
    staff = Staff(share, tmp_path / "desk")
    app = quick_app(share)
    try:
        staff.disposisi("Disposisi Triwulan II 2026.docx")
        run_pass(app)
        (first,) = app.journal.register(2026)
        assert not app.journal.case(first.case_id).closed  # type: ignore[union-attr]
    finally:
        app.close()
    assert kept_numbers(share.root, first.case_id) == [("nota-dinas", 1)]
    (share.state_dir / JOURNAL_FILE).unlink()  # the server's disk is lost; the share is not

    app = quick_app(share)
    try:
        staff.disposisi("Disposisi Triwulan III 2026.docx")
        run_pass(app)
        (second,) = app.journal.register(2026)
    finally:
        app.close()
    assert second.case_id != first.case_id
    assert (second.register, second.seq) == ("nota-dinas", 2)
    assert second.number != first.number


def test_numbers_given_before_the_share_kept_them_are_put_there_at_start_up(
    share: Settings, tmp_path: Path
) -> None:
    """A case numbered by a release that kept no record on the share gets its record when the
    watcher starts; a hand-damaged record never stops numbering."""
    app = quick_app(share)
    try:
        Staff(share, tmp_path / "desk").disposisi()
        run_pass(app)
        (first,) = app.journal.register(2026)
    finally:
        app.close()
    record = share.root / "berkas" / first.case_id / "nomor.json"
    record.unlink()  # as the release before this one left the share
    app = quick_app(share)
    try:
        run_pass(app)  # the new release starts
    finally:
        app.close()
    assert kept_numbers(share.root, first.case_id) == [("nota-dinas", 1)]
    record.write_text('{"numbers": [{"register": "nota-dinas", "year": 2026, "seq": "x"}]}')
    assert highest_kept_number(share.root, "nota-dinas", 2026) == 0


def test_two_registers_that_would_repeat_each_others_numbers_stop_start_up(
    share: Settings,
) -> None:
    office = share.root / "config" / "kantor.toml"
    text = office.read_text(encoding="utf-8")
    office.write_text(text.replace('"nota-dinas" = "000.1.3"', '"nota-dinas" = "000.5.2"'), "utf-8")
    with pytest.raises(ConfigError, match="registers naskah, nota-dinas share kode klasifikasi"):
        load_settings(share.root, share.state_dir)
    office.write_text(
        text.replace('"nota-dinas" = "000.1.3"', '"nota-dinas" = "000.5.2"').replace(
            'pola = "{klasifikasi}/{urut}/{unit}/{tahun}"',
            'pola = "{klasifikasi}/{register}-{urut}/{unit}/{tahun}"',
        ),
        "utf-8",
    )
    assert load_settings(share.root, share.state_dir).sops


def test_a_cancelled_case_keeps_its_numbers_as_batal(share: Settings, tmp_path: Path) -> None:
    open_first_case(share, tmp_path)
    assert main(["batal", str(share.root), "--case", "DK-2026-001", "--state",
                 str(share.state_dir), "--alasan", "dibuka dua kali"]) == 0  # fmt: skip
    note = (share.root / "berkas/DK-2026-001/DIBATALKAN.txt").read_text(encoding="utf-8")
    assert "000.1.3/001/DPK/2026 (Nota Dinas)" in note
    journal = Journal(share.state_dir / JOURNAL_FILE)
    try:
        assert [(r.number, r.status) for r in journal.register(2026)] == [
            ("000.1.3/001/DPK/2026", "batal")
        ]
        assert journal.next_number("nota-dinas", 2026) == 2
    finally:
        journal.close()


# --- the layout, read back from LibreOffice's PDF -----------------------------------------------


def pdf_text(pdf: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(pdf).pages)


def in_order(text: str, parts: list[str]) -> None:
    """Each of `parts` appears in `text`, each after the one before (lines wrapped anywhere)."""
    text = " ".join(text.split())
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing after position {at}:\n{text}"
        at = found + len(part)


def to_pdf(path: Path, tmp_path: Path) -> Path:
    require_program("soffice", "libreoffice")
    return convert_one(path, tmp_path / "pdf", tmp_path / "profile", 180.0)


@pytest.fixture
def named_share(tmp_path: Path) -> Settings:
    root = tmp_path / "share"
    root.mkdir()
    prepare_share(root, tmp_path / "state")
    name_staff(root)
    return load_settings(root, tmp_path / "state")


def test_the_nota_dinas_has_the_naskah_dinas_layout_and_the_staffs_names(
    named_share: Settings, tmp_path: Path
) -> None:
    open_first_case(named_share, tmp_path)
    nota = named_share.root / "outbox/kasubag-ppmep/DK-2026-001 Nota Dinas.docx"
    assert (
        nota.read_bytes()
        == (named_share.root / "outbox/sekretaris/DK-2026-001 Nota Dinas.docx").read_bytes()
    ), "the memo reaches its addressee as well as the sender"
    text = pdf_text(to_pdf(nota, tmp_path))
    in_order(text, [
        *KOP, "Kuala Tungkal, Provinsi Jambi", "NOTA DINAS", "NOMOR 000.1.3/001/DPK/2026",
        "Yth.", "Kepala Sub Bagian Perencanaan, Program, Monitoring, Evaluasi dan Pelaporan",
        "Dari", "Sekretaris Dinas Perpustakaan dan Kearsipan", "Sifat", "Biasa", "Lampiran",
        "Hal", "Penyiapan Bahan Penyusunan Data Kinerja Triwulan III 2026",
        "Sekretariat", "Bidang Pembinaan dan Pengawasan Kearsipan", "paling lambat",
        "Kuala Tungkal,", "Sekretaris Dinas Perpustakaan dan Kearsipan,", SEKRETARIS[0],
        f"NIP. {SEKRETARIS[1]}",
    ])  # fmt: skip
    assert "…" not in text and "{{" not in text and "(nama" not in text
    assert "inbox/" not in text and ".docx" not in text and "berkas" not in text


def test_the_signed_document_is_numbered_dated_and_signed_by_the_head(
    named_share: Settings, tmp_path: Path
) -> None:
    require_program("soffice", "libreoffice")
    app = open_app(named_share)  # signing copies through LibreOffice, as in the office
    try:
        drive_to_signing(app, Staff(named_share, tmp_path / "desk"))
    finally:
        app.close()
    issued = named_share.root / "outbox/kepala-dinas/DK-2026-001 Untuk Ditandatangani.pdf"
    text = pdf_text(issued)
    in_order(text, [
        *KOP, "DOKUMEN MEKANISME PENGUMPULAN DATA KINERJA", "TRIWULAN III 2026",
        "Nomor: 000.5.2/001/DPK/2026", "I. Ringkasan Capaian Kinerja",
        "II. Data Kinerja per Bidang", "Paraf Kasubag PPMEP", "Paraf Sekretaris",
        "Kuala Tungkal,", "2026", "KEPALA DINAS PERPUSTAKAAN DAN", HEAD[0], f"NIP. {HEAD[1]}",
        "Nomor: 000.5.2/001/DPK/2026",
    ])  # fmt: skip
    assert "…" not in text, "the number and the date are written into their dotted lines"


def test_a_missing_name_is_announced_and_left_as_a_marked_line(
    share: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(share.root), "--state", str(share.state_dir)]) == 0
    said = capsys.readouterr()
    assert "Nama/NIP Sekretaris" in said.out + said.err
    app = quick_app(share)
    try:
        Staff(share, tmp_path / "desk").disposisi()
        run_pass(app)
        app.status.write()
    finally:
        app.close()
    nota = docx_text(share.root / "outbox/sekretaris/DK-2026-001 Nota Dinas.docx")
    assert f"{BLANK_LINE}\nNIP. {BLANK_LINE}" in nota.replace(",\n\n\n\n", ",\n")
    assert "(nama" not in nota and "[" not in nota
    status = (share.root / "outbox/sekretaris/STATUS.txt").read_text(encoding="utf-8")
    assert "Nama/NIP Sekretaris" in status
    board = (share.root / "status.html").read_text(encoding="utf-8")
    assert "Nama/NIP Sekretaris" in board


# --- the office's logo ------------------------------------------------------------------------


def red_logo(path: Path) -> Path:
    image = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(image).ellipse((20, 10, 280, 190), fill=(200, 0, 0))
    image.save(path)
    return path


def kop_has_red(pdf: Path) -> bool:
    with opened(pdf) as document:
        picture = render(document[0], 1)
    corner = picture.crop((0, 0, picture.width // 3, picture.height // 6))
    pixels = np.asarray(corner, dtype=np.int16)
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
    return bool(red.any())


def test_the_offices_logo_file_appears_in_the_kop(share: Settings, tmp_path: Path) -> None:
    app = quick_app(share)
    try:
        staff = Staff(share, tmp_path / "desk")
        staff.disposisi()
        run_pass(app)
    finally:
        app.close()
    plain = share.root / "outbox/sekretaris/DK-2026-001 Nota Dinas.docx"
    logo = red_logo(share.templates_dir / "logo.png")
    app = quick_app(share)
    try:
        staff.drop(Desk(tmp_path / "desk2").disposition("B", "Semester I 2026"), DISPOSISI)
        run_pass(app)
    finally:
        app.close()
    with_logo = share.root / "outbox/sekretaris/DK-2026-002 Nota Dinas.docx"
    data = with_logo.read_bytes()
    [member] = logo_members(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(member) == square_png(logo)
    assert kop_has_red(to_pdf(with_logo, tmp_path / "a"))
    assert not kop_has_red(to_pdf(plain, tmp_path / "b"))


def test_a_logo_that_is_not_an_image_stops_start_up_with_its_name(share: Settings) -> None:
    shutil.copyfile(share.root / "config" / "kantor.toml", share.templates_dir / "logo.png")
    with pytest.raises(Exception, match=re.escape("logo.png: not a readable PNG or JPEG image")):
        prepare_share(share.root, share.state_dir)


# --- the paraf record never covers the signature block ------------------------------------------


RECORD = "Paraf naskah DK-2026-001 versi 2\nDiparaf oleh Kasubag PPMEP\nNomor: 000.5.2/001/DPK/2026"


def test_the_record_goes_under_the_text_when_there_is_room(tmp_path: Path) -> None:
    pdf = lines_pdf(["KEPALA DINAS PERPUSTAKAAN DAN KEARSIPAN,", "", "", "ERLINAWATY, SH"])
    stamped = PdfReader(io.BytesIO(stamp_record(pdf, RECORD)))
    assert len(stamped.pages) == 1
    assert "Diparaf oleh Kasubag PPMEP" in stamped.pages[0].extract_text()


def text_low_on_the_page(y: float) -> bytes:
    """A one-page PDF whose signature block ends `y` points above the bottom edge."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })  # fmt: skip
    stream = DecodedStreamObject()
    stream.set_data(
        f"BT /F1 10 Tf 320 {y + 14} Td (ERLINAWATY, SH) Tj ET "
        f"BT /F1 10 Tf 320 {y} Td (NIP. 19750404 200604 2 006) Tj ET".encode()
    )
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_record_gets_a_page_of_its_own_when_the_text_reaches_the_bottom() -> None:
    stamped = PdfReader(io.BytesIO(stamp_record(text_low_on_the_page(90), RECORD)))
    assert len(stamped.pages) == 2
    assert "NIP. 19750404" in stamped.pages[0].extract_text()
    assert "Diparaf oleh Kasubag PPMEP" not in stamped.pages[0].extract_text()
    assert "Diparaf oleh Kasubag PPMEP" in stamped.pages[1].extract_text()
    roomy = PdfReader(io.BytesIO(stamp_record(text_low_on_the_page(300), RECORD)))
    assert len(roomy.pages) == 1 and "Diparaf oleh" in roomy.pages[0].extract_text()
