"""Keep every core busy, to run tests on a loaded machine (not part of CI).

    python tools/burn_cpu.py --seconds 1800 &
    for i in $(seq 20); do python -m pytest -q tests/test_end_to_end.py tests/test_polling_case.py || break; done
    kill %1

A test that passes alone but fails while this runs is a bug in the product or in the test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time


def spin(until: float) -> None:
    """Busy arithmetic until the deadline (checked now and then, not every turn)."""
    value = 0
    while time.monotonic() < until:
        for n in range(100_000):
            value = (value * 31 + n) % 1_000_003


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long to burn")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes")
    args = parser.parse_args()
    until = time.monotonic() + args.seconds
    workers = [multiprocessing.Process(target=spin, args=(until,)) for _ in range(args.workers)]
    for worker in workers:
        worker.start()
    print(f"burning {args.workers} core(s) for {args.seconds:.0f} s", flush=True)
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main()
