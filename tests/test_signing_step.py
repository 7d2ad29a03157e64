"""Step 9 through the real runner: what the Head drops into inbox/kepala-dinas/tanda-tangan/.

Only the signing copy the pipeline issued, signed, is filed: electronically signed as it was
issued (TTE), or printed, signed by hand and scanned whole (every page's QR code matches, ink in
the signature box). Everything else is refused with the specific problem, the original is kept
byte for byte beside its reason, the case stays open and nothing reaches archive/.

The Head logs in as the account that runs the tests (every test drop is that account's), so
filed records and reasons name the Head; the owner check itself is tested elsewhere and is off
here, so the other roles' drops by the same account are taken too.
"""

from __future__ import annotations

import io
import os
import pwd
import random
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject

from pipeline.app import App, office_notices
from pipeline.archive.filing import read_manifest
from pipeline.documents.pdfium import opened, render
from pipeline.settings import Settings
from pipeline.signing.ink import BLANK_DPI, is_blank
from pipeline.signing.specimen import PAPER, wet_signed_scan
from pipeline.store.lock import utc_now
from pipeline.store.owners import detect_attribution
from tests.support.cases import (
    FIRST,
    configure,
    drive_to_signing,
    quick_app,
    run_pass,
    trust_folder,
)
from tests.support.corpus import corpus_files, fetch_sdists, summary
from tests.support.pdfs import lines_pdf, quick_pdf
from tests.support.pki import Issued, make_ca, make_crl, make_signer, sign_pdf, write_trust_roots
from tests.support.signing_copies import blank_pdf, doodle_pdf, picture_pdf
from tests.support.staff import Staff, disposition_docx, one, text_pdf
from tests.support.tools import require_program

SECOND = "DK-2026-002"
SIGNED_INBOX = "kepala-dinas/tanda-tangan"
REFUSED = "outbox/kepala-dinas/ditolak"
DROP_NAME = f"{FIRST} Ditandatangani.pdf"
ACCOUNT = pwd.getpwuid(os.geteuid()).pw_name
NOT_A_SCAN = f"PDF ini bukan pindaian naskah {FIRST} versi "
NOT_ISSUED = "PDF bertanda tangan elektronik ini bukan naskah yang diterbitkan untuk ditandatangani"
CORPUS_BATCH = 40


# --- the office at step 9 ---------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """A share with case FIRST waiting for the Head's signature, and the office's test CA."""

    app: App
    staff: Staff
    ca: Issued
    work: Path

    @property
    def root(self) -> Path:
        return self.app.settings.root

    @property
    def head(self) -> str:
        """How records name the Head who drops: name from the config, and the account."""
        person = self.app.settings.office.named_holder("kepala-dinas")
        assert person is not None and person.nama
        return f"{person.nama} ({ACCOUNT})"

    def copy(self, case_id: str = FIRST) -> bytes:
        return self.staff.signing_copy(case_id)

    def drop(self, data: bytes, name: str = DROP_NAME) -> Path:
        path = self.work / name
        path.write_bytes(data)
        return self.staff.drop(path, SIGNED_INBOX)

    def tte(self, pdf: bytes) -> bytes:
        """`pdf` signed electronically by the Head, with a certificate of the office's CA."""
        return sign_pdf(pdf, make_signer(self.ca, "Kepala Dinas Uji"), self.ca, self.work)


def head_logs_in(settings: Settings, policy: str | None) -> Settings:
    """The Head's akun is the test account; [tanda_tangan] kebijakan is `policy` if given."""
    path = settings.root / "config" / "kantor.toml"
    text = path.read_text(encoding="utf-8")
    edits = {
        'akun = ""\nperan = "kepala-dinas"': f'akun = "{ACCOUNT}"\nperan = "kepala-dinas"',
        "# periksa_pemilik = true": "periksa_pemilik = false",
    }
    for old, new in edits.items():
        assert old in text, f"config/kantor.toml no longer has {old!r}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    configured = configure(settings, policy=policy)
    if policy is not None:
        assert f'kebijakan = "{policy}"' in path.read_text(encoding="utf-8")
    return configured


@pytest.fixture
def open_desk(share: Settings, tmp_path: Path) -> Iterator[Callable[..., Desk]]:
    opened: list[App] = []

    def at_signing(policy: str | None = None) -> Desk:
        settings = head_logs_in(share, policy)
        ca = make_ca("CA Kantor Uji")
        write_trust_roots(trust_folder(settings), ca)
        app = quick_app(settings)
        opened.append(app)
        staff = Staff(settings, tmp_path / "desk")
        drive_to_signing(app, staff)
        return Desk(app, staff, ca, tmp_path / "desk")

    yield at_signing
    for app in opened:
        app.close()


@pytest.fixture
def desk(open_desk: Callable[..., Desk]) -> Desk:
    return open_desk()


def drive_second_case(desk: Desk) -> None:
    """A second case, opened while FIRST waits, played up to its own signing copy."""
    app, staff = desk.app, desk.staff
    letter = desk.work / "Disposisi Triwulan IV 2026.docx"
    disposition_docx(letter, "Triwulan IV 2026")
    staff.drop(letter, "kepala-dinas/disposisi-data-kinerja")
    run_pass(app)
    for bidang in app.settings.office.bidang:
        staff.isi_formulir(SECOND, bidang.slug)
    run_pass(app)
    staff.telaah_draf(SECOND, 1)
    run_pass(app)
    for role in ("kasubag-ppmep", "sekretaris"):
        staff.paraf(SECOND, role)
        run_pass(app)


# --- what an outcome must look like ------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    manifest: dict[str, Any]
    info: dict[str, Any]


def filed(desk: Desk, data: bytes) -> Filed:
    """The case closed by the Head's drop, filed byte for byte in a valid bag."""
    state = desk.app.journal.case(FIRST)
    assert state is not None and state.closed and state.has("ditandatangani")
    signed_by = [e.by for e in state.events if e.name == "ditandatangani"]
    assert signed_by == [desk.head]
    bag = one(desk.root / "archive", f"*/{FIRST}")
    checked = bagit.Bag(str(bag))
    checked.validate()
    kept = one(bag / "data" / "masuk", "09 tanda tangan - *.pdf")
    assert kept.read_bytes() == data
    manifest = read_manifest(bag)
    (entry,) = [f for f in manifest["files"] if f["name"] == f"masuk/{kept.name}"]
    assert entry["by"] == desk.head and entry["step"] == 9
    assert not (desk.root / REFUSED / kept.name.removeprefix("09 tanda tangan - ")).exists()
    return Filed(manifest, dict(checked.info))


def refused(desk: Desk, data: bytes, name: str = DROP_NAME, case_id: str = FIRST) -> str:
    """The drop refused for a problem of its own (not a fault of ours): the problem."""
    problem = kept_with_reason(desk, data, name, case_id)
    assert "kesalahan internal" not in problem, f"{name}: {problem}"
    return problem


def kept_with_reason(desk: Desk, data: bytes, name: str, case_id: str = FIRST) -> str:
    """The drop kept byte for byte beside its reason, its case open, nothing filed: the problem."""
    kept = desk.root / REFUSED / name
    assert kept.read_bytes() == data, f"{name} was not kept as dropped"
    reason = (kept.parent / f"{name}.ALASAN.txt").read_text(encoding="utf-8")
    assert f"Oleh        : {desk.head}\n" in reason
    state = desk.app.journal.case(case_id)
    assert state is not None and not state.closed and not state.has("ditandatangani")
    assert not [p for p in (desk.root / "archive").rglob("*") if p.is_dir()], "nothing is filed"
    return reason.split("Masalah:\n- ", 1)[1].split("\n\nYang perlu dilakukan:", 1)[0]


def pass_refuses(desk: Desk, data: bytes, name: str = DROP_NAME) -> str:
    desk.drop(data, name)
    result = run_pass(desk.app)
    assert result.get("rejected", 0) == 1 and not result.get("accepted"), result
    return refused(desk, data, name)


def pass_files(desk: Desk, data: bytes) -> Filed:
    desk.drop(data)
    result = run_pass(desk.app)
    assert result.get("accepted", 0) == 1 and not result.get("rejected"), result
    return filed(desk, data)


# --- PDFs the Head (or someone) might drop -----------------------------------------------------


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def resaved_by_pypdf(pdf: bytes) -> bytes:
    """The same document read and written again: same pages, other bytes."""
    return written(PdfWriter(clone_from=PdfReader(io.BytesIO(pdf))))


def resaved_by_libreoffice(pdf: bytes, work: Path) -> bytes:
    """The document opened in LibreOffice Writer and exported to PDF again."""
    source = work / "naskah.pdf"
    source.write_bytes(pdf)
    return soffice_pdf(source, work / "lo-out", "--infilter=writer_pdf_import")


def soffice_pdf(source: Path, out: Path, *options: str) -> bytes:
    """`source` converted to PDF by LibreOffice (headless, a profile of its own)."""
    program = require_program("soffice", "libreoffice")
    profile = (out / "profile").resolve().as_uri()
    argv = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", *options]
    convert = ["--convert-to", "pdf", "--outdir", str(out), str(source)]
    subprocess.run([*argv, *convert], capture_output=True, timeout=180, check=True)
    return (out / f"{source.stem}.pdf").read_bytes()


def edited_incrementally(pdf: bytes) -> bytes:
    """The issued bytes kept, with an incremental update that replaces page 1's text (what an
    editor that saves incrementally does)."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 24 Tf 72 700 Td (ANGKA DIUBAH SETELAH DITERBITKAN) Tj ET")
    writer.pages[0].replace_contents(stream)
    return written(writer)


def signed_with_an_edit(pdf: bytes, desk: Desk) -> bytes:
    """`pdf` signed by the Head, page 1's text replaced in the very revision that signs."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (ANGKA DIUBAH) Tj ET")
    )
    writer.update_container(page)
    holder = make_signer(desk.ca, "Kepala Dinas Uji")
    (cert,) = load_certs_from_pemder_data(holder.cert_pem)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=load_private_key_from_pemder_data(holder.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(
            load_certs_from_pemder_data(desk.ca.cert_pem)
        ),
    )
    meta = signers.PdfSignatureMetadata(field_name="TTE", subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


def page_images(pdf: bytes, dpi: int) -> list[Image.Image]:
    with opened(pdf) as document:
        return [render(document[n], dpi / 72) for n in range(len(document))]


def images_pdf(images: list[Image.Image], dpi: int = 150) -> bytes:
    """Images as the pages of a scanner's PDF (JPEG)."""
    out = io.BytesIO()
    images[0].save(
        out, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi), quality=80
    )
    return out.getvalue()


def joined(*pdfs: bytes) -> bytes:
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    return written(writer)


def interleaved(fronts: bytes, backs: bytes) -> bytes:
    """Pages as a duplex scanner orders them: front 1, back 1, front 2, back 2, ..."""
    writer = PdfWriter()
    for front, back in zip(
        PdfReader(io.BytesIO(fronts)).pages, PdfReader(io.BytesIO(backs)).pages, strict=True
    ):
        writer.add_page(front)
        writer.add_page(back)
    return written(writer)


def back_of(front: Image.Image, seed: int, through: int = 5) -> Image.Image:
    """The empty back of a printed sheet as a duplex scanner sees it: the print showing through
    mirrored at `through` percent of its contrast, a few specks of dust, tinted paper."""
    faint = Image.eval(
        ImageOps.mirror(front.convert("L")), lambda v: 255 - (255 - v) * through // 100
    )
    back = ImageChops.multiply(faint.convert("RGB"), Image.new("RGB", front.size, PAPER))
    draw, rng = ImageDraw.Draw(back), random.Random(seed)
    for _ in range(12):
        x, y = rng.randrange(front.width), rng.randrange(front.height)
        draw.ellipse((x, y, x + 2, y + 2), fill=(70, 70, 70))
    return back


def photo_pdf() -> bytes:
    """An image-only PDF of a photograph-like picture: smooth colours and sensor grain."""
    rng = np.random.default_rng(7)
    coarse = Image.fromarray(rng.integers(0, 256, (9, 7, 3), dtype=np.uint8), "RGB")
    smooth = np.asarray(coarse.resize((1240, 1754), Image.Resampling.BICUBIC), dtype=float)
    grain = rng.normal(0.0, 12.0, smooth.shape)
    photo = np.clip(smooth + grain, 0, 255).astype(np.uint8)
    return images_pdf([Image.fromarray(photo, "RGB")])


def nota_dinas_pdf(desk: Desk, via_libreoffice: bool) -> bytes:
    """The case's own nota dinas (step 2) saved as PDF: it names the case, it is no scan."""
    docx = one(desk.root / "berkas" / FIRST / "keluar", "* Nota Dinas.docx")
    if via_libreoffice:
        return soffice_pdf(docx, desk.work / "lo-out")
    return quick_pdf(docx.read_bytes(), docx.stem)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- TTE ---------------------------------------------------------------------------------------


def test_the_issued_copy_signed_electronically_is_filed_byte_for_byte(desk: Desk) -> None:
    signed = desk.tte(desk.copy())
    record = pass_files(desk, signed)
    signature = record.manifest["signature"]
    assert signature["method"] == "tte"
    (facts,) = signature["signatures"]
    assert facts["trusted"] and facts["intact"] and facts["whole_file"]
    summary_line = record.info["Tanda-Tangan"]
    assert summary_line.startswith("TTE: Kepala Dinas Uji")
    assert "mencakup naskah yang diterbitkan untuk ditandatangani, byte demi byte" in summary_line


def test_the_issued_copy_signed_with_a_revoked_certificate_is_refused(desk: Desk) -> None:
    """The office keeps its CA's current revocation list beside the CA: a Head's certificate
    it names is refused, whatever else holds; the office is told when the list is outdated."""
    revoked = make_signer(desk.ca, "Kepala Dinas Uji", crl_url="http://crl.contoh.invalid/a.crl")
    folder = trust_folder(desk.app.settings)
    (folder / "ca-kantor.crl").write_bytes(make_crl(desk.ca, (revoked,)))
    signed = sign_pdf(desk.copy(), revoked, desk.ca, desk.work)
    problem = pass_refuses(desk, signed)
    assert "sertifikat penanda tangan sudah dicabut" in problem, problem
    (folder / "ca-kantor.crl").write_bytes(make_crl(desk.ca, (), next_update_days=-1))
    notices = office_notices(desk.app.settings, detect_attribution(desk.root, None), utc_now())
    assert any("ca-kantor.crl" in n.text and "kedaluwarsa" in n.text for n in notices)


def test_an_electronically_signed_other_pdf_naming_the_case_is_refused(desk: Desk) -> None:
    other = text_pdf([FIRST, "Dokumen Mekanisme Pengumpulan Data Kinerja", "Kepala Dinas"])
    problem = pass_refuses(desk, desk.tte(other))
    assert problem.startswith(f"{NOT_ISSUED}: isinya sebelum tanda tangan berbeda dari ")
    assert f"'{FIRST} Untuk Ditandatangani.pdf'" in problem


@pytest.mark.parametrize(
    "resave",
    [
        pytest.param(lambda pdf, work: resaved_by_pypdf(pdf), id="pypdf"),
        pytest.param(resaved_by_libreoffice, id="libreoffice", marks=pytest.mark.libreoffice),
    ],
)
def test_the_issued_copy_saved_again_then_signed_is_refused(
    desk: Desk, resave: Callable[[bytes, Path], bytes]
) -> None:
    again = resave(desk.copy(), desk.work)
    assert again != desk.copy() and FIRST in PdfReader(io.BytesIO(again)).pages[0].extract_text()
    problem = pass_refuses(desk, desk.tte(again))
    assert problem.startswith(NOT_ISSUED)


@pytest.mark.parametrize(
    "in_its_own_revision", [True, False], ids=["saved, then signed", "in the signature's revision"]
)
def test_an_edit_appended_to_the_issued_copy_then_signed_is_refused(
    desk: Desk, in_its_own_revision: bool
) -> None:
    if in_its_own_revision:
        signed = desk.tte(edited_incrementally(desk.copy()))
    else:
        signed = signed_with_an_edit(desk.copy(), desk)
    assert signed.startswith(desk.copy())
    assert "DIUBAH" in PdfReader(io.BytesIO(signed)).pages[0].extract_text()
    problem = pass_refuses(desk, signed)
    assert problem.startswith(NOT_ISSUED)


def test_the_unsigned_signing_copy_is_refused(desk: Desk) -> None:
    problem = pass_refuses(desk, desk.copy())
    assert problem.startswith(
        "PDF ini sama persis dengan naskah yang diterbitkan untuk ditandatangani: "
        "belum ada tanda tangan"
    )


def test_a_wet_signed_scan_is_refused_when_tte_is_required(
    open_desk: Callable[..., Desk],
) -> None:
    desk = open_desk("wajib-tte")
    problem = pass_refuses(desk, wet_signed_scan(desk.copy()))
    assert problem.startswith(
        "PDF tidak memuat tanda tangan elektronik (TTE), padahal TTE diwajibkan"
    )


# --- wet-signed scans ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scanner",
    [
        {"dpi": 150, "grey": True, "rotate": -2},
        {"dpi": 300, "rotate": 180},
    ],
    ids=["150 dpi grey skewed -2", "300 dpi colour turned 180"],
)
def test_a_wet_signed_scan_is_filed(desk: Desk, scanner: dict[str, Any]) -> None:
    pages = page_count(desk.copy())
    record = pass_files(desk, wet_signed_scan(desk.copy(), **scanner))
    signature = record.manifest["signature"]
    assert signature["method"] == "pindaian-qr"
    assert len(signature["scan"]["pages"]) == pages and signature["scan"]["blank_pages"] == []
    assert signature["scan"]["ink_mm2"] >= 12
    assert record.info["Tanda-Tangan"].startswith(
        f"tanda tangan basah (pindaian {pages} halaman); setiap halaman dicocokkan"
    )


def test_a_scan_with_the_box_left_empty_is_refused(desk: Desk) -> None:
    scan = wet_signed_scan(desk.copy(), dpi=150, grey=True, rotate=-2, ink=False)
    problem = pass_refuses(desk, scan)
    pages = page_count(desk.copy())
    assert "belum ada tanda tangan pada kotak tanda tangan" in problem
    assert f"(halaman {pages} dari {pages} naskah" in problem


def test_a_scan_missing_a_page_names_the_page(desk: Desk) -> None:
    pages = page_count(desk.copy())
    assert pages >= 2, "the signing copy must have several pages for this test"
    left_out = pages // 2
    scan = wet_signed_scan(desk.copy(), pages=[n for n in range(pages) if n != left_out])
    problem = pass_refuses(desk, scan)
    assert problem.startswith(f"halaman {left_out + 1} dari {pages} tidak ada dalam pindaian")


def test_a_scan_of_another_cases_copy_names_that_case(desk: Desk) -> None:
    drive_second_case(desk)
    problem = pass_refuses(desk, wet_signed_scan(desk.copy(SECOND), dpi=150))
    assert problem.startswith(
        f"halaman 1: kode QR pada halaman ini menyebut naskah {SECOND}, bukan naskah {FIRST}"
    )
    second = desk.app.journal.case(SECOND)
    assert second is not None and not second.closed


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda desk: blank_pdf(), id="blank page"),
        pytest.param(lambda desk: photo_pdf(), id="photo"),
        pytest.param(lambda desk: picture_pdf(), id="picture with a foreign QR code"),
        pytest.param(lambda desk: nota_dinas_pdf(desk, False), id="nota dinas as PDF"),
        pytest.param(
            lambda desk: nota_dinas_pdf(desk, True),
            id="nota dinas by LibreOffice",
            marks=pytest.mark.libreoffice,
        ),
        pytest.param(lambda desk: doodle_pdf(), id="vector doodle"),
    ],
)
def test_a_pdf_that_is_no_scan_of_the_copy_is_refused(
    desk: Desk, make: Callable[[Desk], bytes]
) -> None:
    problem = pass_refuses(desk, make(desk))
    assert problem.startswith(NOT_A_SCAN)
    assert problem.split(": ", 1)[1].startswith("tidak satu halaman pun memuat kode QR naskah itu")


@pytest.mark.parametrize("policy", [None, "scan-tanpa-qr"], ids=["terima-scan", "scan-tanpa-qr"])
def test_a_text_pdf_without_qr_is_filed_only_under_scan_tanpa_qr(
    open_desk: Callable[..., Desk], policy: str | None
) -> None:
    desk = open_desk(policy)
    plain = text_pdf([FIRST, "Dokumen Mekanisme Pengumpulan Data Kinerja", "Kepala Dinas"])
    if policy is None:
        assert pass_refuses(desk, plain).startswith(NOT_A_SCAN)
        return
    record = pass_files(desk, plain)
    assert record.manifest["signature"]["method"] == "pindaian-tanpa-qr"
    assert "TANPA kode QR" in record.info["Tanda-Tangan"]


# --- duplex: empty backs are left out, pages with content still need their QR code -----------


def duplex_scan(copy: bytes, through: int) -> bytes:
    """The signed copy scanned two-sided: after every signed page, its empty back."""
    fronts = wet_signed_scan(copy, dpi=150, grey=True, rotate=-1)
    images = page_images(fronts, 150)
    return interleaved(fronts, images_pdf([back_of(f, n, through) for n, f in enumerate(images)]))


def test_a_duplex_scan_with_empty_backs_is_filed(desk: Desk) -> None:
    pages = page_count(desk.copy())
    record = pass_files(desk, duplex_scan(desk.copy(), through=5))
    scan = record.manifest["signature"]["scan"]
    assert scan["blank_pages"] == list(range(1, 2 * pages, 2))
    assert [p["mark"] is None for p in scan["pages"]] == [False, True] * pages
    assert scan["sign_page"] == 2 * pages - 2


def test_a_duplex_scan_whose_backs_show_the_qr_code_through_is_filed(desk: Desk) -> None:
    """Thin paper: the QR code of the front is read, mirrored, on the back (a page twice)."""
    record = pass_files(desk, duplex_scan(desk.copy(), through=15))
    assert record.manifest["signature"]["method"] == "pindaian-qr"


def qr_covered(scan: bytes, page: int) -> bytes:
    """`scan` with a sticky note over the QR code (bottom right) of `page` (0-based)."""
    images = page_images(scan, 150)
    width, height = images[page].size
    side = round(140 / 72 * 150)
    ImageDraw.Draw(images[page]).rectangle(
        (width - side, height - side, width, height), fill=(250, 236, 120)
    )
    return images_pdf(images)


def dark_page() -> bytes:
    """A page scanned with the lid open: dark, not empty."""
    return images_pdf([Image.new("RGB", (1240, 1754), (28, 28, 30))])


@pytest.mark.parametrize(
    ("spoil", "named"),
    [
        pytest.param(lambda desk, scan: qr_covered(scan, 1), lambda pages: 2, id="QR covered"),
        pytest.param(
            lambda desk, scan: joined(
                scan, wet_signed_scan(nota_dinas_pdf(desk, False), ink=False)
            ),
            lambda pages: pages + 1,
            id="nota dinas page added",
        ),
        pytest.param(
            lambda desk, scan: joined(scan, dark_page()), lambda pages: pages + 1, id="dark page"
        ),
    ],
)
def test_a_page_with_content_but_no_readable_qr_is_named(
    desk: Desk, spoil: Callable[[Desk, bytes], bytes], named: Callable[[int], int]
) -> None:
    scan = wet_signed_scan(desk.copy(), dpi=150)
    problem = pass_refuses(desk, spoil(desk, scan))
    assert problem.startswith(
        f"halaman {named(page_count(scan))}: halaman ini berisi tulisan atau gambar, tetapi "
        "tidak ada kode QR naskah yang terbaca"
    )


def test_a_scan_of_empty_pages_only_is_refused(desk: Desk) -> None:
    fronts = page_images(wet_signed_scan(desk.copy(), pages=[0, 1], dpi=150), 150)
    problem = pass_refuses(desk, images_pdf([back_of(front, n) for n, front in enumerate(fronts)]))
    assert problem.startswith(NOT_A_SCAN)


def a4(draw: Callable[[ImageDraw.ImageDraw, Image.Image], object], shade: int = 243) -> Image.Image:
    """An A4 page as scanned at the resolution emptiness is judged at, drawn on by `draw`."""
    page = Image.new("L", (round(8.27 * BLANK_DPI), round(11.69 * BLANK_DPI)), shade)
    draw(ImageDraw.Draw(page), page)
    return page


def specks(pen: ImageDraw.ImageDraw, page: Image.Image) -> None:
    rng = random.Random(3)
    for _ in range(40):
        x, y = rng.randrange(page.width), rng.randrange(page.height)
        pen.point((x, y), fill=40)


def black_bed(pen: ImageDraw.ImageDraw, page: Image.Image) -> None:
    """The scanner's black lid around a sheet skewed by 4 degrees."""
    corner = round(page.height * 0.07)
    pen.polygon([(0, 0), (corner, 0), (0, page.height)], fill=15)
    pen.polygon(
        [(page.width, page.height), (page.width - corner, page.height), (page.width, 0)], fill=15
    )


def punch_holes(pen: ImageDraw.ImageDraw, page: Image.Image) -> None:
    """Two binder holes, 6 mm wide, 12 mm from the left edge, scanned on a dark lid."""
    mm = BLANK_DPI / 25.4
    for middle in (0.35, 0.65):
        y = page.height * middle
        pen.ellipse((9 * mm, y - 3 * mm, 15 * mm, y + 3 * mm), fill=10)


def tick(pen: ImageDraw.ImageDraw, page: Image.Image) -> None:
    """A small pen mark, e.g. a page number written on the back."""
    pen.line([(400, 600), (412, 596), (420, 606)], fill=35, width=2)


def printed(lines: list[str]) -> Image.Image:
    """A page of 10 pt text lines (Helvetica), as rendered for judging emptiness."""
    return page_images(lines_pdf(lines), BLANK_DPI)[0].convert("L")


def bare(pen: ImageDraw.ImageDraw, page: Image.Image) -> None:
    """Nothing on it."""


@pytest.mark.parametrize(
    ("page", "empty"),
    [
        pytest.param(lambda: a4(bare), True, id="bare paper"),
        pytest.param(lambda: a4(bare, shade=205), True, id="grey recycled paper"),
        pytest.param(lambda: a4(specks), True, id="dust specks"),
        pytest.param(lambda: a4(black_bed), True, id="skewed on a black lid"),
        pytest.param(lambda: a4(punch_holes), True, id="punch holes"),
        pytest.param(lambda: a4(tick), True, id="a pen tick"),
        pytest.param(lambda: printed(["Halaman ini sengaja dikosongkan."]), False, id="a line"),
        pytest.param(lambda: printed(["Laporan data kinerja."] * 30), False, id="a page of text"),
        pytest.param(lambda: a4(bare, shade=30), False, id="dark page"),
    ],
)
def test_an_empty_page_is_told_from_one_with_content(
    page: Callable[[], Image.Image], empty: bool
) -> None:
    assert is_blank(page()) is empty


# --- real-world PDFs ---------------------------------------------------------------------------


def corpus_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("pdf-corpus") if cache is not None else tmp_path_factory.mktemp("corpus")


def in_batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@pytest.mark.slow
def test_real_world_pdfs_are_each_refused_with_a_specific_reason(
    desk: Desk, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = corpus_files(fetch_sdists(corpus_cache(request, tmp_path_factory)))
    assert len(files) > 200, "the pinned releases ship a few hundred PDFs"
    names = {f"{FIRST} Ditandatangani {n}.pdf": f for n, f in enumerate(files, 1)}
    for batch in in_batches(list(names.items()), CORPUS_BATCH):
        for name, found in batch:
            desk.drop(found.data, name)
        result = run_pass(desk.app)
        assert result.get("rejected", 0) == len(batch) and not result.get("accepted"), result
    problems = {
        f"{f.source} ({name})": kept_with_reason(desk, f.data, name) for name, f in names.items()
    }
    print(summary(problems))
    pass_files(desk, wet_signed_scan(desk.copy(), dpi=150, grey=True))
    internal = [source for source, problem in problems.items() if "kesalahan internal" in problem]
    misnamed = [
        source
        for (source, problem), found in zip(problems.items(), names.values(), strict=True)
        if "tanda tangan elektronik" in problem and b"/ByteRange" not in found.data
    ]
    assert not internal and not misnamed, {"internal error": internal, "no TTE in it": misnamed}
