"""Safe file names and paths that stay under their root (pipeline.store.names)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.errors import PipelineError
from pipeline.core.names import safe_filename
from pipeline.store.names import inside


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Formulir Bidang.xlsx", "Formulir Bidang.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\staf\\data.xlsx", "data.xlsx"),
        ("C:data.xlsx", "data.xlsx"),
        ("D:", "berkas"),
        ("..", "berkas"),
        ("", "berkas"),
        ("   ", "berkas"),
        (".bashrc", "bashrc"),
        ("laporan..final.docx", "laporan.final.docx"),
        ("laporan. . .", "laporan"),
        ("nama\x00tersembunyi.pdf", "namatersembunyi.pdf"),
        ("baris\nbaru\t.pdf", "barisbaru.pdf"),
        ("tagihan\u202efdp.exe", "tagihanfdp.exe"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("NUL .pdf", "_NUL .pdf"),
        ("COM1.xlsx", "_COM1.xlsx"),
        ("lpt9", "_lpt9"),
        ("COM10.xlsx", "COM10.xlsx"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("Cafe\u0301.docx", "Café.docx"),
        ("DK-2026-001", "DK-2026-001"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_long_names_are_capped_keeping_the_extension() -> None:
    result = safe_filename("Laporan " * 40 + ".xlsx", max_len=50)
    assert len(result) <= 50
    assert result.endswith(".xlsx")
    assert result.startswith("Laporan Laporan")
    assert not result[:-5].endswith(" ")


def test_multibyte_names_fit_255_bytes() -> None:
    result = safe_filename("ꦗꦮ" * 200 + ".pdf", max_len=250)
    assert len(result.encode("utf-8")) <= 255
    assert result.endswith(".pdf")


def test_too_small_max_len_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_len"):
        safe_filename("a.txt", max_len=5)


RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}


@given(st.text(max_size=300), st.integers(min_value=16, max_value=200))
def test_safe_filename_properties(name: str, max_len: int) -> None:
    result = safe_filename(name, max_len)
    assert result
    assert "/" not in result and "\\" not in result and "\x00" not in result
    assert ".." not in result and not result.startswith(".")
    assert result == result.rstrip(" .")
    assert len(result) <= max_len and len(result.encode("utf-8")) <= 255
    assert unicodedata.normalize("NFC", result) == result
    assert not any(unicodedata.category(c) == "Cc" for c in result)
    assert result.split(".")[0].rstrip(" ").upper() not in RESERVED
    assert safe_filename(result, max_len) == result  # idempotent


@given(st.text(max_size=100))
def test_safe_filename_stays_in_its_folder(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    root = tmp_path_factory.mktemp("root", numbered=True)
    assert (root / safe_filename(name)).resolve().parent == root.resolve()


# --- inside ------------------------------------------------------------------------------------


def test_inside_joins_under_root(tmp_path: Path) -> None:
    assert inside(tmp_path, "archive", "2026", "DK-2026-001") == (
        tmp_path.resolve() / "archive" / "2026" / "DK-2026-001"
    )
    assert inside(tmp_path) == tmp_path.resolve()
    assert inside(tmp_path, "a/../b") == tmp_path.resolve() / "b"


@pytest.mark.parametrize(
    "parts",
    [("..",), ("../x",), ("a", "..", "..", "x"), ("/etc/passwd",), ("a", "/tmp"), ("a\x00b",)],
)
def test_inside_refuses_escapes(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(PipelineError):
        inside(tmp_path / "root", *parts)


def test_inside_refuses_a_symlink_leading_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "inbox" / "tautan").symlink_to(outside)
    with pytest.raises(PipelineError, match="escapes"):
        inside(root, "inbox", "tautan", "file.txt")
    (root / "inbox" / "dalam").symlink_to(root / "inbox")
    assert inside(root, "inbox", "dalam", "x") == (root / "inbox" / "x").resolve()


def test_inside_accepts_a_root_that_is_itself_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert inside(link, "a") == real.resolve() / "a"


path_parts = st.lists(
    st.one_of(st.sampled_from(["..", ".", "/", "a", "b/..", "../..", "\\..", "/etc"]), st.text()),
    max_size=6,
)


@given(path_parts)
def test_inside_never_escapes(tmp_path_factory: pytest.TempPathFactory, parts: list[str]) -> None:
    root = tmp_path_factory.mktemp("root", numbered=True)
    try:
        result = inside(root, *parts)
    except PipelineError:
        return
    assert os.path.commonpath([result, root.resolve()]) == str(root.resolve())
