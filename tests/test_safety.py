"""Content sniffing, limits and safe XML for every drop (pipeline.inputs.kinds)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import docxtpl
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from pipeline.core.errors import Rejected
from pipeline.inputs.kinds import MIB, Limits, check_drop, check_zip_limits, open_zip
from pipeline.inputs.pdf import check_pdf, open_pdf
from pipeline.inputs.word import docx_text
from pipeline.signing.tte import check_signed_pdf
from tests.support import hostile
from tests.support.hostile import CORPUS, Hostile

ALL = {"xlsx", "docx", "pdf", "image"}


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.kind)
def test_every_hostile_kind_is_rejected_with_its_reason(case: Hostile, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    before = path.read_bytes() if path.stat().st_size < MIB else None
    with pytest.raises(Rejected) as caught:
        check_drop(path, case.accepted)
    assert case.reason in caught.value.alasan
    assert caught.value.saran
    if before is not None:
        assert path.read_bytes() == before  # checking never alters the original


WELL_FORMED_OTHER_KIND = {"pdf-named-xlsx", "docx-named-xlsx", "xlsx-named-docx"}
BROKEN_OR_DANGEROUS = [case for case in CORPUS if case.kind not in WELL_FORMED_OTHER_KIND]


@pytest.mark.parametrize("case", BROKEN_OR_DANGEROUS, ids=lambda case: case.kind)
def test_hostile_kinds_are_rejected_whatever_is_accepted(case: Hostile, tmp_path: Path) -> None:
    """Accepting every kind must not let a broken or dangerous file through either."""
    with pytest.raises(Rejected):
        check_drop(case.make(tmp_path), ALL)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (hostile.make_xlsx, "xlsx"),
        (hostile.make_docx, "docx"),
        (hostile.make_pdf, "pdf"),
        (hostile.make_png, "image"),
        (hostile.make_gif, "image"),
        (hostile.make_bmp, "image"),
        (lambda folder: _write(folder / "pindaian.tif", hostile.tiff_bytes()), "image"),
        (hostile.make_owner_locked_pdf, "pdf"),
    ],
)
def test_valid_files_are_recognised_by_content(
    make: Callable[[Path], Path], kind: str, tmp_path: Path
) -> None:
    path = make(tmp_path)
    assert check_drop(path, {kind}) == kind
    renamed = path.rename(tmp_path / "tanpa-ekstensi.bin")
    assert check_drop(renamed, ALL) == kind


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "data",
    [hostile.gif_bytes(), hostile.bmp_bytes(), hostile.tiff_bytes()],
    ids=["gif", "bmp", "tiff"],
)
def test_the_generated_images_are_real_images(data: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size[0] >= 1


@pytest.mark.parametrize("name", ["disposisi.gif", "disposisi.bmp", "disposisi.png", "disposisi"])
def test_gif_and_bmp_are_images_wherever_images_are_taken(tmp_path: Path, name: str) -> None:
    gif = _write(tmp_path / name, hostile.gif_bytes())
    assert check_drop(gif, {"pdf", "docx", "image"}) == "image"
    bmp = _write(tmp_path / name, hostile.bmp_bytes())
    assert check_drop(bmp, {"pdf", "docx", "image"}) == "image"
    with pytest.raises(Rejected, match=r"gambar \(PNG/JPEG/GIF/BMP/TIFF\)"):
        check_drop(bmp, {"pdf"})


def test_a_text_starting_with_bm_is_not_a_bitmap(tmp_path: Path) -> None:
    path = _write(tmp_path / "catatan.bmp", b"BM bukan gambar, hanya teks yang kebetulan")
    with pytest.raises(Rejected, match="bukan gambar walaupun namanya"):
        check_drop(path, ALL)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (hostile.make_truncated_gif, "terpotong.gif"),
        (hostile.make_truncated_bmp, "terpotong.bmp"),
        (lambda folder: _write(folder / "t.tif", hostile.tiff_bytes(16, 16)[:-20]), "t.tif"),
    ],
)
def test_a_truncated_gif_bmp_or_tiff_is_refused(
    make: Callable[[Path], Path], name: str, tmp_path: Path
) -> None:
    with pytest.raises(Rejected, match="file gambar terpotong"):
        check_drop(make(tmp_path), {"image"})


# --- formats refused everywhere, whatever their name -------------------------------------------


@pytest.mark.parametrize(
    "bof", sorted(hostile.BIFF_BOF_SIZES), ids=["biff2", "biff3", "biff4", "biff5"]
)
@pytest.mark.parametrize("name", ["formulir.xls", "formulir.xlsx", "formulir"])
def test_an_old_biff_worksheet_outside_a_container_is_an_old_xls(
    tmp_path: Path, bof: int, name: str
) -> None:
    path = _write(tmp_path / name, hostile.biff_bytes(bof))
    with pytest.raises(Rejected) as caught:
        check_drop(path, {"xlsx"})
    assert caught.value.alasan == "format lama (.xls/.doc) tidak diterima"
    legacy = hostile.make_legacy_xls(tmp_path)
    with pytest.raises(Rejected) as same:
        check_drop(legacy, {"xlsx"})
    assert (same.value.alasan, same.value.saran) == (caught.value.alasan, caught.value.saran)


@pytest.mark.parametrize("name", ["draf.rtf", "draf.docx", "draf.doc", "draf"])
def test_rtf_is_refused_with_its_own_reason(tmp_path: Path, name: str) -> None:
    path = hostile.make_rtf(tmp_path, name)
    with pytest.raises(Rejected) as caught:
        check_drop(path, {"docx"})
    assert caught.value.alasan == "format RTF tidak diterima"
    assert "simpan sebagai .docx" in caught.value.saran


@pytest.mark.parametrize("name", ["formulir.xlsb", "formulir.xlsx"])
def test_an_excel_binary_workbook_is_refused_with_its_own_reason(tmp_path: Path, name: str) -> None:
    with pytest.raises(Rejected) as caught:
        check_drop(hostile.make_xlsb(tmp_path, name), {"xlsx"})
    assert caught.value.alasan == "buku kerja Excel Biner (.xlsb) tidak diterima"
    assert "simpan sebagai .xlsx" in caught.value.saran


@pytest.mark.parametrize(
    ("name", "app"),
    [
        ("formulir.xlsx", "Excel"),
        ("formulir.xlsm", "Excel"),
        ("draf.docx", "Word"),
        ("draf.docm", "Word"),
    ],
)
def test_a_password_protected_office_file_says_so_whatever_its_name(
    tmp_path: Path, name: str, app: str
) -> None:
    path = hostile.make_password_xlsx(tmp_path, name)
    with pytest.raises(Rejected, match=f"file {app} dilindungi kata sandi"):
        check_drop(path, ALL)


def test_an_excel_4_macro_sheet_is_a_macro(tmp_path: Path) -> None:
    path = hostile.rewrite_zip(
        hostile.make_xlsx(tmp_path), {}, {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}
    )
    with pytest.raises(Rejected, match=r"berisi makro \(\.xlsm\)"):
        check_drop(path, {"xlsx"})


def test_a_png_named_pdf_is_an_image(tmp_path: Path) -> None:
    path = hostile.make_png(tmp_path, "disposisi.pdf")
    assert check_drop(path, {"pdf", "image"}) == "image"
    with pytest.raises(Rejected, match=r"bukan PDF walaupun namanya \.pdf"):
        check_drop(path, {"pdf"})


def test_a_kind_not_accepted_here_says_what_is(tmp_path: Path) -> None:
    path = hostile.make_pdf(tmp_path, "lampiran")
    with pytest.raises(Rejected) as caught:
        check_drop(path, {"xlsx"})
    assert "PDF" in caught.value.alasan
    assert "Excel" in caught.value.saran


def test_unknown_accepted_kind_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="csv"):
        check_drop(hostile.make_pdf(tmp_path), {"pdf", "csv"})


def test_xlsm_renamed_to_xlsx_is_still_a_macro_workbook(tmp_path: Path) -> None:
    path = hostile.make_xlsm(tmp_path, "formulir.xlsx")
    with pytest.raises(Rejected, match=r"makro \(\.xlsm\)"):
        check_drop(path, {"xlsx"})


def test_size_limit_is_exact(tmp_path: Path) -> None:
    path = hostile.make_pdf(tmp_path)
    size = path.stat().st_size
    assert check_drop(path, {"pdf"}, Limits(max_bytes=size)) == "pdf"
    with pytest.raises(Rejected, match="terlalu besar"):
        check_drop(path, {"pdf"}, Limits(max_bytes=size - 1))


def test_member_limit_is_exact(tmp_path: Path) -> None:
    path = hostile.make_xlsx(tmp_path)
    with zipfile.ZipFile(path) as archive:
        count = len(archive.infolist())
    assert check_drop(path, {"xlsx"}, Limits(max_members=count)) == "xlsx"
    with pytest.raises(Rejected, match=f"terlalu banyak bagian \\({count}, batas {count - 1}\\)"):
        check_drop(path, {"xlsx"}, Limits(max_members=count - 1))


def test_total_uncompressed_size_is_checked_before_parsing(tmp_path: Path) -> None:
    path = hostile.make_zip_bomb_total(tmp_path, size=2 * MIB)
    assert check_drop(path, {"xlsx"}) == "xlsx"  # 2 MiB of photos is fine by default
    with pytest.raises(Rejected, match="isi setelah dibuka terlalu besar"):
        check_drop(path, {"xlsx"}, Limits(max_uncompressed=MIB))


def test_ratio_uses_the_central_directory_only(tmp_path: Path) -> None:
    path = hostile.make_zip_bomb_ratio(tmp_path, size=4 * MIB)
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    with pytest.raises(Rejected, match="rasio pemampatan"):
        check_zip_limits(members, Limits())
    check_zip_limits(members, Limits(max_ratio=5000))


def test_small_members_do_not_trip_the_ratio(tmp_path: Path) -> None:
    """A tiny, very repetitive part (an empty sheet) compresses well but is harmless."""
    path = tmp_path / "kecil.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", "<a/>" * 10_000)
    with open_zip(path) as archive:
        assert archive.namelist() == ["a.xml"]


def test_encrypted_pdf_is_rejected_by_check_pdf(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="dilindungi kata sandi") as caught:
        check_pdf(hostile.make_encrypted_pdf(tmp_path))
    assert "tanpa kata sandi" in caught.value.saran


# --- one reader of a dropped PDF -----------------------------------------------------------------


def test_a_pdf_with_an_owner_password_only_opens_with_its_text(tmp_path: Path) -> None:
    path = hostile.make_owner_locked_pdf(tmp_path, pages=["Disposisi DK-2026-009"])
    assert PdfReader(path).is_encrypted
    facts = check_pdf(path)
    assert facts.pages == 1 and "DK-2026-009" in facts.text
    reader = open_pdf(path.read_bytes())
    assert "DK-2026-009" in reader.pages[0].extract_text()


def test_a_certificate_encrypted_pdf_is_named_as_such(tmp_path: Path) -> None:
    path = hostile.make_certificate_pdf(tmp_path)
    with pytest.raises(NotImplementedError):
        PdfReader(path)  # pypdf knows only the password handler
    for source in (path, path.read_bytes()):
        with pytest.raises(Rejected) as caught:
            open_pdf(source)
        assert caught.value.alasan.startswith("PDF dikunci dengan sertifikat digital")
        assert "rusak" not in caught.value.alasan


def test_another_security_handler_is_a_lock_not_damage(tmp_path: Path) -> None:
    data = (
        hostile.make_certificate_pdf(tmp_path)
        .read_bytes()
        .replace(b"/Adobe.PubSec", b"/FOPN_foweb")
    )
    with pytest.raises(Rejected, match="PDF dikunci dengan pengaman khusus"):
        open_pdf(data)


def _signed_check(data: bytes) -> object:
    return check_signed_pdf(data, trust_roots=None, expected_texts=["DK-2026-001"])


def test_the_signature_check_opens_pdfs_with_the_same_reader(tmp_path: Path) -> None:
    """A PDF that opens without a password is taken at the signature step too, and a locked or
    broken one is answered there in the same words as at every inbox."""
    owner_locked = hostile.make_owner_locked_pdf(tmp_path).read_bytes()
    assert _signed_check(owner_locked)
    for make in (
        hostile.make_encrypted_pdf,
        hostile.make_certificate_pdf,
        hostile.make_truncated_pdf,
    ):
        path = make(tmp_path)
        with pytest.raises(Rejected) as at_inbox:
            open_pdf(path)
        with pytest.raises(Rejected) as at_signature:
            _signed_check(path.read_bytes())
        assert at_signature.value.message == at_inbox.value.message


def test_check_pdf_reads_pages_and_text(tmp_path: Path) -> None:
    pages = [f"Halaman {n} kasus DK-2026-00{n}" for n in range(1, 8)]
    facts = check_pdf(hostile.make_pdf(tmp_path, pages=pages))
    assert facts.pages == 7
    assert "DK-2026-001" in facts.text
    assert "DK-2026-005" in facts.text
    assert "DK-2026-006" not in facts.text  # only the first five pages are read for text


def test_check_pdf_rejects_garbage(tmp_path: Path) -> None:
    path = tmp_path / "rusak.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n")
    with pytest.raises(Rejected, match="PDF"):
        check_pdf(path)


# --- docx text ---------------------------------------------------------------------------------


def test_docx_text_reads_body_tables_headers_and_footers(tmp_path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Nomor kasus DK-2026-007"
    document.sections[0].footer.paragraphs[0].text = "kaki halaman"
    document.add_paragraph("Isi surat & <lampiran>")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Kode"
    table.cell(0, 1).text = "IKU-3"
    path = tmp_path / "draf.docx"
    document.save(str(path))
    text = docx_text(path)
    lines = text.splitlines()
    assert lines.index("Nomor kasus DK-2026-007") < lines.index("Isi surat & <lampiran>")
    assert {"Kode", "IKU-3", "kaki halaman"} <= set(lines)


def test_a_dtd_in_a_part_declared_as_xml_under_another_name_is_refused(tmp_path: Path) -> None:
    """Word reads a part by its declared content type, whatever its name ends with."""
    header = hostile.BILLION_LAUGHS.encode() + b"<hdr>&lol9;</hdr>"
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path),
        {
            "[Content_Types].xml": hostile.add_types(
                f'<Override PartName="/word/kop.dat" ContentType="{kind}"/>'
            )
        },
        {"word/kop.dat": header},
    )
    with pytest.raises(Rejected, match="DOCTYPE"):
        check_drop(path, {"docx"})


def test_a_damaged_content_types_part_is_refused(tmp_path: Path) -> None:
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path), {"[Content_Types].xml": lambda xml: xml[: len(xml) // 2]}
    )
    with pytest.raises(Rejected, match="rusak"):
        check_drop(path, {"docx"})


def test_docx_text_refuses_billion_laughs(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="DOCTYPE"):
        docx_text(hostile.make_billion_laughs_docx(tmp_path))


def test_docx_text_refuses_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="bukan dokumen Word"):
        docx_text(hostile.make_xlsx(tmp_path, "draf.docx"))


def test_docx_text_never_reads_an_external_entity(tmp_path: Path) -> None:
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA-DI-LUAR-ROOT", encoding="utf-8")
    with pytest.raises(Rejected, match="DOCTYPE"):
        docx_text(hostile.make_xxe_docx(tmp_path, secret))


def test_docx_text_applies_zip_limits(tmp_path: Path) -> None:
    path = hostile.make_zip_bomb_members(tmp_path, count=50)
    with pytest.raises(Rejected, match="terlalu banyak bagian"):
        docx_text(path, Limits(max_members=40))


# --- the parsers themselves, without check_drop in front ----------------------------------------


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA-DI-LUAR-ROOT", encoding="utf-8")
    return secret


@pytest.mark.parametrize("read_only", [True, False])
def test_openpyxl_never_resolves_an_external_entity(tmp_path: Path, read_only: bool) -> None:
    path = hostile.make_xxe_xlsx(tmp_path, _secret(tmp_path))
    try:
        book = openpyxl.load_workbook(path, read_only=read_only)
        values = [v for row in book.worksheets[0].iter_rows(values_only=True) for v in row]
    except Exception as exc:  # refusing is fine; leaking is not
        values = [str(exc)]
    assert not any("RAHASIA" in str(v) for v in values)


def test_openpyxl_parses_with_defusedxml() -> None:
    from openpyxl import DEFUSEDXML

    assert DEFUSEDXML is True


@pytest.mark.parametrize("read_only", [True, False])
def test_openpyxl_refuses_billion_laughs(tmp_path: Path, read_only: bool) -> None:
    path = hostile.make_billion_laughs_xlsx(tmp_path)
    with pytest.raises(ValueError, match="invalid XML"):
        book = openpyxl.load_workbook(path, read_only=read_only)
        list(book.worksheets[0].iter_rows(values_only=True))


def test_python_docx_never_resolves_an_external_entity(tmp_path: Path) -> None:
    document = docx.Document(str(hostile.make_xxe_docx(tmp_path, _secret(tmp_path))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "RAHASIA" not in text
    assert "PENANDA" not in text  # the entity reference is left unresolved (empty)


def test_python_docx_and_docxtpl_refuse_billion_laughs(tmp_path: Path) -> None:
    from lxml.etree import XMLSyntaxError

    path = hostile.make_billion_laughs_docx(tmp_path)
    with pytest.raises(XMLSyntaxError, match="amplification"):
        docx.Document(str(path))
    with pytest.raises(XMLSyntaxError, match="amplification"):
        docxtpl.DocxTemplate(str(path)).render({})


# --- random input: every file ends as a kind or as a reason, never as a crash ------------------


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from(["x.pdf", "x.xlsx", "x.docx", "x.png", "x"]))
def test_random_bytes_end_as_a_kind_or_a_reason(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, name: str
) -> None:
    path = tmp_path_factory.mktemp("acak") / name
    path.write_bytes(data)
    try:
        kind = check_drop(path, ALL)
    except Rejected as rejected:
        assert rejected.alasan and rejected.saran
    else:
        assert kind in ALL


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_office_files_end_as_text_or_a_reason(
    tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]]
) -> None:
    folder = tmp_path_factory.mktemp("rusak")
    path = hostile.make_docx(folder, "draf.docx")
    data = bytearray(path.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    path.write_bytes(bytes(data))
    try:
        check_drop(path, {"docx"})
        text = docx_text(path)
    except Rejected as rejected:
        assert rejected.alasan
    else:
        assert isinstance(text, str)
