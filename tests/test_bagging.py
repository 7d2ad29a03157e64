"""BagIt dossiers: the `bagit` package validates what make_bag writes; verify_bag finds damage."""

from __future__ import annotations

from pathlib import Path

import bagit
import pytest

from pipeline.archive.bagging import BagError, make_bag, verify_bag

INFO = {
    "Source-Organization": "Dinas Perpustakaan dan Kearsipan",
    "External-Identifier": "DK-2026-001",
    "SOP-Number": "040/34.15/PUSTAKA/2025",
    "Kode-Klasifikasi": "000.5.2",
}


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    src = tmp_path / "case"
    (src / "masukan" / "bidang").mkdir(parents=True)
    (src / "laporan-ttd.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (src / "manifest.json").write_text('{"case": "DK-2026-001"}', encoding="utf-8")
    (src / "masukan" / "bidang" / "data capaian.xlsx").write_bytes(b"PK\x03\x04" + b"x" * 5000)
    (src / "masukan" / "disposisi kepala.pdf").write_bytes(b"%PDF-1.4 disposisi")
    return src


@pytest.fixture
def bag(case_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "archive" / "2026" / "DK-2026-001"
    make_bag(case_dir, dest, INFO)
    return dest


def test_bagit_validates_the_bag_with_both_algorithms(bag: Path, case_dir: Path) -> None:
    loaded = bagit.Bag(str(bag))
    loaded.validate()  # raises BagValidationError on any problem
    assert sorted(loaded.algorithms) == ["sha256", "sha512"]
    assert {Path(p).name for p in loaded.payload_files()} == {
        p.name for p in case_dir.rglob("*") if p.is_file()
    }
    assert loaded.info["External-Identifier"] == "DK-2026-001"
    assert loaded.info["Payload-Oxum"].endswith(".4")
    assert (bag / "tagmanifest-sha256.txt").is_file()
    assert (bag / "tagmanifest-sha512.txt").is_file()
    assert (bag / "data" / "laporan-ttd.pdf").read_bytes() == (
        case_dir / "laporan-ttd.pdf"
    ).read_bytes()


def test_source_is_left_untouched_and_no_temp_folder_remains(bag: Path, case_dir: Path) -> None:
    assert (case_dir / "laporan-ttd.pdf").is_file()
    assert not (case_dir / "data").exists()
    assert sorted(p.name for p in bag.parent.iterdir()) == ["DK-2026-001"]


def test_existing_bag_is_never_overwritten(bag: Path, case_dir: Path) -> None:
    before = (bag / "manifest-sha256.txt").read_bytes()
    with pytest.raises(BagError, match="already exists"):
        make_bag(case_dir, bag, INFO)
    assert (bag / "manifest-sha256.txt").read_bytes() == before
    assert sorted(p.name for p in bag.parent.iterdir()) == ["DK-2026-001"]


def test_verify_reports_an_intact_bag_as_ok(bag: Path) -> None:
    report = verify_bag(bag)
    assert report.ok, report
    assert report.files_checked == 4 + 4  # payload + bagit.txt, bag-info.txt, two manifests
    assert report.bytes_checked > 10_000


def test_verify_catches_one_altered_byte(bag: Path) -> None:
    target = bag / "data" / "laporan-ttd.pdf"
    data = bytearray(target.read_bytes())
    data[500] ^= 0x01
    target.write_bytes(bytes(data))
    report = verify_bag(bag)
    assert report.altered == ("data/laporan-ttd.pdf",)
    assert (report.missing, report.extra, report.ok) == ((), (), False)
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag)).validate()


def test_verify_catches_a_deleted_file(bag: Path) -> None:
    (bag / "data" / "masukan" / "bidang" / "data capaian.xlsx").unlink()
    report = verify_bag(bag)
    assert report.missing == ("data/masukan/bidang/data capaian.xlsx",)
    assert (report.altered, report.extra, report.ok) == ((), (), False)


def test_verify_catches_an_added_file(bag: Path) -> None:
    (bag / "data" / "sisipan.pdf").write_bytes(b"%PDF-1.7 bukan bagian dari arsip")
    report = verify_bag(bag)
    assert report.extra == ("data/sisipan.pdf",)
    assert (report.altered, report.missing, report.ok) == ((), (), False)


def test_verify_catches_an_edited_bag_info(bag: Path) -> None:
    info = bag / "bag-info.txt"
    info.write_text(
        info.read_text(encoding="utf-8").replace("DK-2026-001", "DK-2026-009"), encoding="utf-8"
    )
    assert verify_bag(bag).altered == ("bag-info.txt",)


def test_verify_with_sha512_manifest_also_works(bag: Path) -> None:
    (bag / "data" / "manifest.json").write_text("{}", encoding="utf-8")
    assert verify_bag(bag, algorithm="sha512").altered == ("data/manifest.json",)


def test_folder_that_is_not_a_bag_is_an_error(tmp_path: Path) -> None:
    report = verify_bag(tmp_path)
    assert not report.ok
    assert report.errors


def test_bad_bag_info_label_leaves_nothing_behind(case_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "arsip" / "DK-2026-002"
    with pytest.raises(BagError, match="label"):
        make_bag(case_dir, dest, {"Bad: label": "x"})
    assert list(dest.parent.iterdir()) == []


def test_file_name_with_percent_is_refused(case_dir: Path, tmp_path: Path) -> None:
    (case_dir / "capaian 100%.xlsx").write_bytes(b"PK")
    dest = tmp_path / "arsip" / "DK-2026-003"
    with pytest.raises(BagError, match="%"):
        make_bag(case_dir, dest, INFO)
    assert list(dest.parent.iterdir()) == []
