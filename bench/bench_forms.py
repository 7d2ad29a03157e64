"""Reading returned bidang forms: the openpyxl reader this replaced against python-calamine.

Builds realistic filled forms in a temporary folder (default 30: every bidang's issued form,
filled as staff fill it). When LibreOffice is installed, one Realisasi of each becomes a formula
and LibreOffice re-saves them all, as a spreadsheet application saves them (shared strings,
saved formula values, a full style sheet). Then it times, in one run and several rounds:

  (0) `safety.check_drop` alone, which every reader below runs first, as every real read does;
  (a) openpyxl, read-only, loaded twice (values and formulas), as `read_workbook` was;
  (b) python-calamine alone, values only (what the sheet XML pass adds comes out of c - b);
  (c) `read_workbook`: calamine plus the one pass over each sheet's XML;
  (d) `read_form`: (c) plus validation, the whole of reading a returned form.

Prints the median time per form of each, and the ratio a/c with and without (0).

    python bench/bench_forms.py [--forms N] [--rounds R] [--no-libreoffice]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from pipeline.core.office import Bidang
from pipeline.demo import fill_form
from pipeline.documents.forms import build_form
from pipeline.inputs.forms import read_form
from pipeline.inputs.kinds import check_drop
from pipeline.inputs.workbook import read_workbook
from pipeline.settings import load_office

ROOT = Path(__file__).resolve().parent.parent


def build(work: Path, count: int, libreoffice: bool) -> list[tuple[Path, Bidang]]:
    office = load_office(ROOT / "config" / "kantor.toml", work)
    forms = []
    for n in range(count):
        bidang = office.bidang[n % len(office.bidang)]
        case = f"DK-2026-{n + 1:03d}"
        issued = work / "issued" / f"{case} {bidang.slug}.xlsx"
        issued.parent.mkdir(exist_ok=True)
        issued.write_bytes(build_form(bidang, case, "Tahun 2026", office.nama))
        filled = work / "filled" / issued.name
        filled.parent.mkdir(exist_ok=True)
        fill_form(issued, filled, bidang)
        forms.append((filled, bidang))
    if libreoffice:
        _resave([path for path, _ in forms], work)
    return forms


def _resave(paths: list[Path], work: Path) -> None:
    """Put one formula in each form, then let LibreOffice calculate and save them all."""
    for path in paths:
        book = load_workbook(path)
        sheet = book.active
        assert sheet is not None
        sheet["F8"] = f"={sheet['F8'].value}+0"
        book.save(path)
    out = work / "saved"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(work / 'lo').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    for path in paths:
        shutil.move(out / path.name, path)


def check_only(path: Path, _bidang: Bidang) -> None:
    check_drop(path, {"xlsx"})


def openpyxl_before(path: Path, _bidang: Bidang) -> None:
    """The reader this replaced: openpyxl read-only, once for values and once for formulas."""
    check_drop(path, {"xlsx"})
    with path.open("rb") as values_file, path.open("rb") as formulas_file:
        values = load_workbook(values_file, read_only=True, data_only=True)
        formulas = load_workbook(formulas_file, read_only=True, data_only=False)
        rows = []
        for sheet_v, sheet_f in zip(values.worksheets, formulas.worksheets, strict=True):
            sheet_v.reset_dimensions()
            sheet_f.reset_dimensions()
            for row_v, row_f in zip(sheet_v.iter_rows(), sheet_f.iter_rows(), strict=True):
                rows.append(
                    [(v.value, f.value, v.number_format) for v, f in zip(row_v, row_f, strict=True)]
                )
        values.close()
        formulas.close()


def calamine_alone(path: Path, _bidang: Bidang) -> None:
    check_drop(path, {"xlsx"})
    with CalamineWorkbook.from_path(path) as book:
        for index in range(len(book.sheet_names)):
            book.get_sheet_by_index(index).to_python(skip_empty_area=False)


def reader(path: Path, _bidang: Bidang) -> None:
    read_workbook(path)


def whole_form(path: Path, bidang: Bidang) -> None:
    read_form(path, bidang)


READERS: tuple[tuple[str, Callable[[Path, Bidang], None]], ...] = (
    ("(0) check_drop alone", check_only),
    ("(a) openpyxl x2 (before)", openpyxl_before),
    ("(b) calamine alone", calamine_alone),
    ("(c) read_workbook (now)", reader),
    ("(d) read_form (now)", whole_form),
)


def per_form(run: Callable[[Path, Bidang], None], forms: list[tuple[Path, Bidang]]) -> float:
    start = time.perf_counter()
    for path, bidang in forms:
        run(path, bidang)
    return (time.perf_counter() - start) / len(forms)


def measure(forms: list[tuple[Path, Bidang]], rounds: int) -> list[float]:
    """Median per-form time of each reader; readers take turns in every round, so a busy
    moment of the machine falls on all of them alike."""
    times: list[list[float]] = [[] for _ in READERS]
    for _ in range(rounds):
        for index, (_label, run) in enumerate(READERS):
            times[index].append(per_form(run, forms))
    medians = [statistics.median(t) for t in times]
    for (label, _run), median in zip(READERS, medians, strict=True):
        print(f"  {label:28s} {median * 1000:7.2f} ms per form")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    libreoffice = not args.no_libreoffice and shutil.which("soffice") is not None
    with tempfile.TemporaryDirectory() as tmp:
        forms = build(Path(tmp), args.forms, libreoffice)
        saved_by = "LibreOffice" if libreoffice else "openpyxl"
        print(f"{len(forms)} filled forms saved by {saved_by}; median of {args.rounds} rounds")
        check, before, _calamine, now, _form = measure(forms, args.rounds)
    print(f"  read_workbook is {before / now:.1f}x faster than before")
    if now > check:
        print(f"  leaving out check_drop: {(before - check) / (now - check):.1f}x")


if __name__ == "__main__":
    main()
