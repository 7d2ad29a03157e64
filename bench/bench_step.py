"""How much a drop costs: time from Runner.process(file) to its outcome committed, per stage.

Builds fresh shares in a temporary folder and plays real cases (real openpyxl/python-docx
files); prints the median and worst of several rounds per stage. The signing copy is not
converted to PDF here (LibreOffice's own time is measured in bench_render.py).

    python bench/bench_step.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # this checkout's pipeline and tests/support, however installed
    sys.path.insert(0, str(ROOT))

from pipeline.app import open_app
from pipeline.share import prepare_share
from tests.support.staff import Staff

CASE = "DK-2026-001"


def timed(app, path: Path, label: str, results: dict[str, list[float]]) -> None:
    start = time.perf_counter()
    outcome = app.runner.process(path)
    results[label].append(time.perf_counter() - start)
    assert outcome.value == "accepted", (label, outcome)


def one_case(work: Path, results: dict[str, list[float]]) -> None:
    settings = prepare_share(work / "share", work / "state", settle_seconds=0.0)
    app = open_app(settings, to_pdf=lambda data, name: None)
    staff = Staff(settings, work / "desk")
    try:
        timed(app, staff.disposisi(), "disposisi (nota dinas + 5 forms)", results)
        slugs = [b.slug for b in settings.office.bidang]
        for slug in slugs[:-1]:
            timed(app, staff.isi_formulir(CASE, slug), "data bidang (validate + store)", results)
        timed(app, staff.isi_formulir(CASE, slugs[-1]), "last bidang (+ render draft v1)", results)
        timed(app, staff.telaah_draf(CASE, 1), "analyst draft (new version)", results)
        timed(app, staff.paraf(CASE, "kasubag-ppmep"), "paraf kasubag", results)
        timed(app, staff.paraf(CASE, "sekretaris"), "paraf sekretaris (no PDF)", results)
        timed(app, staff.tanda_tangan(CASE), "signed PDF (check + bag + copies)", results)
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    results: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as work:
            one_case(Path(work), results)
    print(f"per-drop cost over {args.rounds} cases (ms): median / worst")
    for label, values in results.items():
        print(f"  {label:40s} {statistics.median(values) * 1000:7.1f} / {max(values) * 1000:7.1f}")


if __name__ == "__main__":
    main()
