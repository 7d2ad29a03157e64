"""Benchmark: batch rendering of an IKU report against a plain docxtpl loop.

Run by hand (never as a timed test):

    python bench/bench_render.py            # full run
    python bench/bench_render.py --quick    # fewer documents and rounds

It builds its own template (title block, one table per bidang, header and footer) and data,
then measures side by side, in one run:

    (a) plain docxtpl loop: load the template, render, save, for every document
    (b) PreparedTemplate in one process (template prepared once)
    (c) PreparedTemplate over 2 worker processes (each worker prepares once)
    (d) the floor: writing the output zip alone (members already rendered, zipfile + deflate)
    (e) PDFs per second through pdfconvert.convert_batch (one soffice run per batch), and
        (e2) with two converters side by side, each with its own profile

and prints the median of several rounds for each, with the ratios b/a, c/a and b/d.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docx import Document
from docx.shared import Pt
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from pipeline.documents import pdfconvert
from pipeline.documents.rendering import PreparedTemplate

BIDANG = (
    ("sekretariat", "Sekretariat"),
    ("pembinaan", "Bidang Pembinaan dan Pengembangan Perpustakaan"),
    ("layanan", "Bidang Layanan dan Pelestarian Bahan Pustaka"),
    ("kearsipan", "Bidang Pengelolaan Kearsipan"),
    ("pengawasan", "Bidang Pembinaan dan Pengawasan Kearsipan"),
)
ROWS_PER_BIDANG = 9
HEADERS = ("No", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian (%)")


def _title_block(doc: Any) -> None:
    for text, size in (
        ("PEMERINTAH KABUPATEN TANJUNG JABUNG BARAT", 14),
        ("DINAS PERPUSTAKAAN DAN KEARSIPAN", 14),
        ("LAPORAN CAPAIAN INDIKATOR KINERJA UTAMA", 12),
    ):
        run = doc.add_paragraph().add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    doc.add_paragraph("Nomor: {{ nomor }}")
    doc.add_paragraph("Periode: {{ periode }}    Tanggal: {{ tanggal }}")
    doc.add_paragraph(
        "Berdasarkan disposisi {{ disposisi }}, berikut capaian IKU tiap bidang "
        "untuk tahun {{ tahun }}."
    )


def _bidang_table(doc: Any) -> None:
    doc.add_paragraph("{%p for b in bidang %}")
    heading = doc.add_paragraph().add_run("{{ b.nama }}")
    heading.bold = True
    table = doc.add_table(rows=4, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for r in b.rows %}"
    values = ("no", "indikator", "satuan", "target", "realisasi", "capaian")
    for cell, key in zip(table.rows[2].cells, values, strict=True):
        cell.text = f"{{{{ r.{key} }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("Rata-rata capaian {{ b.nama }}: {{ b.rata }} %")
    doc.add_paragraph("{%p endfor %}")


def _signature_block(doc: Any) -> None:
    doc.add_paragraph("Kuala Tungkal, {{ tanggal }}")
    doc.add_paragraph("Kepala Dinas Perpustakaan dan Kearsipan")
    doc.add_paragraph("{{ kepala.nama }}")
    doc.add_paragraph("NIP. {{ kepala.nip }}")


def build_template(path: Path) -> Path:
    """Write the benchmark's IKU report template (a docxtpl template) to `path`."""
    doc = Document()
    _title_block(doc)
    _bidang_table(doc)
    _signature_block(doc)
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Laporan IKU {{ tahun }} · berkas {{ kasus_id }}"
    section.footer.paragraphs[0].text = "Dokumen {{ nomor }} — dibuat oleh sop-pipeline"
    doc.save(str(path))
    return path


def build_context(seed: int) -> dict[str, Any]:
    """Realistic report data: 5 bidang x 9 indicators (45 table rows)."""
    bidang = []
    for b_index, (slug, nama) in enumerate(BIDANG):
        rows = []
        for i in range(ROWS_PER_BIDANG):
            target = 50 + (seed * 7 + b_index * 13 + i * 5) % 50
            realisasi = target - 10 + (seed + i * 3 + b_index) % 25
            rows.append(
                {
                    "no": i + 1,
                    "indikator": f"Persentase layanan {slug} ke-{i + 1} sesuai standar",
                    "satuan": "%",
                    "target": target,
                    "realisasi": realisasi,
                    "capaian": f"{realisasi / target * 100:.2f}",
                }
            )
        rata = statistics.fmean(float(r["capaian"]) for r in rows)
        bidang.append({"slug": slug, "nama": nama, "rows": rows, "rata": f"{rata:.2f}"})
    return {
        "nomor": f"800/{seed:03d}/DPK/2026",
        "kasus_id": f"DK-2026-{seed % 1000:03d}",
        "periode": "Triwulan IV",
        "tahun": 2025,
        "tanggal": "15 Januari 2026",
        "disposisi": f"Kepala Dinas nomor {seed} & tindak lanjut <segera>",
        "bidang": bidang,
        "kepala": {"nama": "Drs. Contoh Nama, M.Si.", "nip": "19700101 199503 1 001"},
    }


# --- the contenders ---------------------------------------------------------------------------


def plain_docxtpl(template: Path, contexts: Sequence[dict[str, Any]], out: Path) -> int:
    for n, context in enumerate(contexts):
        doc = DocxTemplate(str(template))
        env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
        doc.render(context, env, autoescape=True)
        doc.save(str(out / f"plain-{n}.docx"))
    return len(contexts)


def prepared_single(template: Path, contexts: Sequence[dict[str, Any]], out: Path) -> int:
    prepared = PreparedTemplate.load(template)
    for n, context in enumerate(contexts):
        (out / f"ours-{n}.docx").write_bytes(prepared.render(context))
    return len(contexts)


_WORKER_TEMPLATE: PreparedTemplate | None = None


def _worker_init(template: Path) -> None:
    global _WORKER_TEMPLATE
    _WORKER_TEMPLATE = PreparedTemplate.load(template)


def _worker_render(job: tuple[Path, dict[str, Any]]) -> None:
    assert _WORKER_TEMPLATE is not None
    target, context = job
    target.write_bytes(_WORKER_TEMPLATE.render(context))


def prepared_workers(
    template: Path, contexts: Sequence[dict[str, Any]], out: Path, workers: int = 2
) -> int:
    jobs = [(out / f"par-{n}.docx", c) for n, c in enumerate(contexts)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(template,)) as pool:
        pool.map(_worker_render, jobs, chunksize=max(1, len(jobs) // (workers * 4)))
    return len(contexts)


def zip_floor(members: Sequence[tuple[str, bytes]], count: int, out: Path) -> int:
    """Write `count` zips of already-rendered members: what any renderer must at least do."""
    for n in range(count):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
        (out / f"floor-{n}.docx").write_bytes(buffer.getvalue())
    return count


def rendered_members(docx: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    label: str
    rates: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


def measure(label: str, rounds: int, run: Callable[[Path], int]) -> Result:
    rates = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            done = run(Path(scratch))
            rates.append(done / (time.perf_counter() - started))
    result = Result(label, tuple(rates))
    print(f"{label:<48} median {result.median:8.1f} /s   rounds {_fmt(rates)}", flush=True)
    return result


def _fmt(rates: Sequence[float]) -> str:
    return " ".join(f"{r:.1f}" for r in rates)


def _sources(template: Path, contexts: Sequence[dict[str, Any]], base: Path) -> list[Path]:
    prepared = PreparedTemplate.load(template)
    sources = []
    for n, context in enumerate(contexts):
        path = base / f"doc-{n:03d}.docx"
        path.write_bytes(prepared.render(context))
        sources.append(path)
    return sources


def _convert_parallel(groups: Sequence[Sequence[Path]], out: Path, profiles: Sequence[Path]) -> int:
    """One soffice run per group, side by side, each with its own profile."""
    with ThreadPoolExecutor(len(groups)) as pool:
        runs = [
            pool.submit(pdfconvert.convert_batch, group, out / str(n), profile, 600)
            for n, (group, profile) in enumerate(zip(groups, profiles, strict=True))
        ]
        return sum(len(run.result()) for run in runs)


def measure_pdf(template: Path, contexts: Sequence[dict[str, Any]], rounds: int) -> None:
    if pdfconvert.soffice_path() is None:
        print("(e) PDFs/s: skipped, soffice/libreoffice not found")
        return
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        sources = _sources(template, contexts, base)
        profiles = [base / "profile-1", base / "profile-2"]
        for profile in profiles:  # the first start of a profile creates it: not measured
            pdfconvert.convert_batch(sources[:1], base / "warm", profile, timeout=180)
        label = f"(e) PDFs, 1 soffice run for {len(sources)} docs"
        measure(label, rounds, lambda o: _convert_parallel([sources], o, profiles[:1]))
        halves = [sources[0::2], sources[1::2]]
        label = f"(e2) PDFs, 2 soffice runs side by side, {len(sources)} docs"
        measure(label, rounds, lambda o: _convert_parallel(halves, o, profiles))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer documents and rounds")
    parser.add_argument(
        "--docs", type=int, help="documents per round (default 200; 60 with --quick)"
    )
    args = parser.parse_args(argv)
    docs, rounds, pdfs = (60, 3, 10) if args.quick else (200, 5, 30)
    docs = args.docs or docs
    with tempfile.TemporaryDirectory() as scratch:
        template = build_template(Path(scratch) / "laporan-iku.docx")
        return run_all(template, docs, rounds, pdfs)


def run_all(template: Path, docs: int, rounds: int, pdfs: int) -> int:
    contexts = [build_context(seed) for seed in range(docs)]
    rows = sum(len(b["rows"]) for b in contexts[0]["bidang"])
    print(f"template {template.name}: {len(BIDANG)} bidang, {rows} rows; {docs} docs per round")
    members = rendered_members(PreparedTemplate.load(template).render(contexts[0]))
    a = measure("(a) plain docxtpl loop", rounds, lambda o: plain_docxtpl(template, contexts, o))
    b = measure(
        "(b) PreparedTemplate, 1 process", rounds, lambda o: prepared_single(template, contexts, o)
    )
    c = measure(
        "(c) PreparedTemplate, 2 workers", rounds, lambda o: prepared_workers(template, contexts, o)
    )
    d = measure(
        "(d) floor: zipfile write of rendered members",
        rounds,
        lambda o: zip_floor(members, docs, o),
    )
    measure_pdf(template, contexts[:pdfs], max(1, rounds // 2))
    print(
        f"ratios: b/a {b.median / a.median:.2f}x   c/a {c.median / a.median:.2f}x   "
        f"b/d {b.median / d.median:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
