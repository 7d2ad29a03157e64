"""`pipeline verify` against plain hashing of the same bags, and against the bagit library.

Times, in one run and several rounds over the filed bags of a share (page cache warm: the bags
were just read; a cold disk reads slower for every contender alike):

  (a) plain hashlib: every file of every bag read once through every algorithm the bag
      declares for it (sha256 and sha512, payload and tag files), nothing parsed or compared;
      the fastest plain loop measured here (`readinto` a reused 256 KiB buffer: about 20 %
      faster on 15 KB files than reading 64 KiB or 1 MiB chunks, or each file whole);
  (b) fixity: `verify_archive(..., signatures=False)`, one worker process (like for like with a);
  (c) full verify: fixity, the signed records re-checked from the facts recorded at filing and
      the journal's closed cases matched to bags, one worker process;
  (d) the same two with `--jobs` at its default (every core);
  (e) `bagit.Bag(bag).validate()` of every bag.

`verify_ratios(root, state)` returns the figures for bench_scale.py: verify_ratio = a/b,
verify_full_ratio = a/c (plain time over ours: 1.0 is as fast as plain hashing),
verify_vs_bagit = e/b, verify_mb_s = the MB/s `pipeline verify` prints (c at default jobs), and
the ratios at default jobs.

Run alone, it files one real case (the real runner, a PAdES signature of a test CA the share
trusts) and copies its bag to `--bags` bags; or pass `--root`/`--state` of a share kept by
`bench_scale.py --keep DIR` (DIR/share, DIR/state) to measure its bags.

    python bench/bench_verify.py [--bags 400] [--runs 5] [--root ROOT --state STATE]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bagit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # this checkout's pipeline and tests/support, however installed
    sys.path.insert(0, str(ROOT))

from pipeline.app import open_app
from pipeline.archive.verify import ArchiveCheck, find_bags, verify_archive
from pipeline.settings import Settings, load_settings

READ_SIZE = 256 * 1024


def declared_algorithms(bag: Path) -> tuple[list[str], list[str]]:
    """The algorithms of the bag's payload manifests and of its tag manifests."""
    names = [p.name for p in bag.iterdir()]
    payload = sorted(n[9:-4] for n in names if n.startswith("manifest-") and n.endswith(".txt"))
    tags = sorted(n[12:-4] for n in names if n.startswith("tagmanifest-") and n.endswith(".txt"))
    return payload, tags


def plain(bags: list[Path]) -> int:
    """Every declared digest of every file, one read per file; the bytes read."""
    buffer = bytearray(READ_SIZE)
    total = 0
    for bag in bags:
        payload, tags = declared_algorithms(bag)
        for folder, _dirs, files in os.walk(bag):
            top = folder == str(bag)
            for name in files:
                if not (top and name.startswith("tagmanifest-")):
                    total += _hash(f"{folder}/{name}", tags if top else payload, buffer)
    return total


def _hash(path: str, algorithms: list[str], buffer: bytearray) -> int:
    hashers = [hashlib.new(a) for a in algorithms]
    view, size = memoryview(buffer), 0
    with open(path, "rb", buffering=0) as handle:  # noqa: PTH123 - the plain way is the point
        while count := handle.readinto(buffer):
            for hasher in hashers:
                hasher.update(view[:count])
            size += count
    for hasher in hashers:
        hasher.hexdigest()
    return size


def library(bags: list[Path]) -> None:
    for bag in bags:
        bagit.Bag(str(bag)).validate()


def interleaved(contenders: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall-clock seconds of each contender, the contenders taking turns in every round
    (so a busy spell of the machine falls on all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def verify_ratios(root: Path, state: Path, runs: int = 3) -> dict[str, float]:
    """Figures of `pipeline verify` over the filed bags of the share at `root` (see above)."""
    settings = load_settings(root, state)
    bags = list(find_bags(root / "archive"))
    if not bags:
        raise ValueError(f"no filed bag under {root / 'archive'}")
    jobs = os.cpu_count() or 1
    app = open_app(settings, to_pdf=lambda data, name: None)
    try:
        megabytes = plain(bags) / 1e6  # also warms the page cache

        def ours(n: int, full: bool) -> Callable[[], object]:
            journal = app.journal if full else None
            return lambda: _checked(verify_archive(settings, journal, jobs=n, signatures=full))

        contenders = {
            "plain": lambda: plain(bags),
            "fixity": ours(1, False),
            "full": ours(1, True),
            "fixity_jobs": ours(jobs, False),
            "full_jobs": ours(jobs, True),
            "bagit": lambda: library(bags),
        }
        times = interleaved(contenders, runs)
    finally:
        app.close()
    return _figures(times, megabytes, len(bags), jobs)


def _checked(result: ArchiveCheck) -> ArchiveCheck:
    if not result.ok:
        raise RuntimeError("verify found problems in the bags it measures")
    return result


def _figures(times: dict[str, float], megabytes: float, bags: int, jobs: int) -> dict[str, float]:
    plain_s = times["plain"]
    return {
        "verify_ratio": plain_s / times["fixity"],
        "verify_full_ratio": plain_s / times["full"],
        "verify_vs_bagit": times["bagit"] / times["fixity"],
        "verify_mb_s": megabytes / times["full_jobs"],
        "verify_jobs": float(jobs),
        "verify_jobs_ratio": plain_s / times["fixity_jobs"],
        "verify_full_jobs_ratio": plain_s / times["full_jobs"],
        "verify_bags": float(bags),
        "verify_mb": megabytes,
        **{f"verify_{name}_s": seconds for name, seconds in times.items()},
    }


# ---------------------------------------------------------------- a share of its own


def build_share(work: Path, bags: int) -> Settings:
    """One case filed by the real runner under a trusted TTE, its bag copied to `bags` bags."""
    from pipeline.share import prepare_share
    from tests.support.cases import FIRST, TteDesk

    desk = TteDesk.open(prepare_share(work / "share", work / "state", settle_seconds=0.0), work)
    try:
        desk.sign_and_file(work)
    finally:
        desk.app.close()
    settings = desk.settings
    first = settings.root / "archive" / "2026" / FIRST
    for number in range(2, bags + 1):
        shutil.copytree(first, first.with_name(f"DK-2026-{number:05d}"))
    return settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bags", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, help="a share with filed bags (default: build one)")
    parser.add_argument("--state", type=Path, help="its state folder")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        if args.root is None:
            settings = build_share(Path(tmp), args.bags)
            root, state = settings.root, settings.state_dir
        else:
            root, state = args.root, args.state
        found = verify_ratios(root, state, args.runs)
    report(found, args.runs)


def report(found: dict[str, float], runs: int) -> None:
    mb = found["verify_mb"]
    print(f"{found['verify_bags']:.0f} bags, {mb:.1f} MB; median of {runs} runs, MB/s")
    jobs = f"{found['verify_jobs']:.0f} jobs"
    for label, key in (
        ("(a) plain hashlib, every declared digest", "plain"),
        ("(b) fixity, 1 job", "fixity"),
        ("(c) full verify, 1 job", "full"),
        (f"(d) fixity, {jobs}", "fixity_jobs"),
        (f"(d) full verify, {jobs}", "full_jobs"),
        ("(e) bagit validate()", "bagit"),
    ):
        print(f"  {label:42s} {mb / found[f'verify_{key}_s']:8.0f}")
    print(
        f"verify_ratio (a/b)={found['verify_ratio']:.2f} "
        f"verify_full_ratio (a/c)={found['verify_full_ratio']:.2f} "
        f"verify_vs_bagit (e/b)={found['verify_vs_bagit']:.2f} "
        f"verify_mb_s={found['verify_mb_s']:.0f} "
        f"with {jobs}: fixity {found['verify_jobs_ratio']:.2f} "
        f"full {found['verify_full_jobs_ratio']:.2f}"
    )


if __name__ == "__main__":
    main()
