"""Fixity rate of `pipeline verify`: re-hashing bags, against plain `sha256sum`-style hashing.

Makes bags of random payload in a temporary folder (default 20 bags × 10 MB), then times, in
one run and several rounds: (a) plain hashlib SHA-256 over the same files, (b) verify_bag on
every bag (SHA-256 manifests), (c) the bagit library's own validate(). Prints medians in MB/s.
The page cache is warm (the files were just written): a cold disk reads slower.

    python bench/bench_verify.py [--bags N] [--mb M] [--rounds R]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import bagit

from pipeline.archive.bagging import make_bag, verify_bag


def build(work: Path, bags: int, megabytes: int) -> list[Path]:
    made = []
    for n in range(bags):
        src = work / f"src{n}"
        (src / "masuk").mkdir(parents=True)
        for part in range(4):
            (src / "masuk" / f"file{part}.bin").write_bytes(os.urandom(megabytes * (1 << 20) // 4))
        bag = work / "archive" / "2026" / f"DK-2026-{n + 1:03d}"
        make_bag(src, bag, {"External-Identifier": bag.name})
        made.append(bag)
    return made


def plain(bags: list[Path]) -> None:
    for bag in bags:
        for path in sorted((bag / "data").rglob("*")):
            if path.is_file():
                with path.open("rb") as handle:
                    hashlib.file_digest(handle, "sha256")


def ours(bags: list[Path]) -> None:
    for bag in bags:
        assert verify_bag(bag).ok


def library(bags: list[Path]) -> None:
    for bag in bags:
        bagit.Bag(str(bag)).validate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bags", type=int, default=20)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    total_mb = args.bags * args.mb
    with tempfile.TemporaryDirectory() as tmp:
        bags = build(Path(tmp), args.bags, args.mb)
        print(f"{args.bags} bags, {total_mb} MB of payload; median of {args.rounds} rounds")
        rates = {}
        for label, run in (
            ("(a) plain hashlib sha256", plain),
            ("(b) pipeline verify_bag", ours),
            ("(c) bagit validate()", library),
        ):
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                run(bags)
                times.append(time.perf_counter() - start)
            rates[label] = total_mb / statistics.median(times)
            print(f"  {label:28s} {rates[label]:8.0f} MB/s")
        values = list(rates.values())
        print(f"ratios: b/a {values[1] / values[0]:.2f}   b/c {values[1] / values[2]:.2f}")


if __name__ == "__main__":
    main()
