"""Benchmark: starting a worker cold vs forking it from the zygote, in the same run.

    .venv/bin/python bench/worker_startup.py [--starts 30] [--sandbox auto|bwrap|none]

A start is what a submission pays before its first cell: a StudentWorker up to
its ready message plus one trivial cell (``x = 1``), then ``close()`` (killing
the tree and removing the private directory). Cold: ``python -I -S -B`` (in
bwrap), ``import numpy``, uid drop, connect. Zygote: a fork of the pristine
template, connect. The two kinds alternate so machine load hits both alike; the
zygote's own one-off start is reported apart. Prints the median (and quartiles)
of each and the ratio. Timings are noisy here: read the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.sandbox.handle import Limits, StudentWorker, shutdown_zygotes  # noqa: E402


def one_start(sandbox: str, zygote: bool) -> float:
    """Seconds for one worker: start, run ``x = 1``, close."""
    began = time.perf_counter()
    with StudentWorker(Limits(), sandbox=sandbox, zygote=zygote) as worker:
        (outcome,) = worker.run_cells(["x = 1"])
        if not outcome.ok or (worker._process.zygote is not None) != zygote:
            raise RuntimeError(f"the {'zygote' if zygote else 'cold'} start did not happen as asked: {outcome}")
    return time.perf_counter() - began


def summary(times: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(times, n=4)
    return f"median {median * 1000:7.1f} ms  (quartiles {q1 * 1000:.1f}-{q3 * 1000:.1f} ms, n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=30, help="starts of each kind (default 30)")
    parser.add_argument("--sandbox", default="auto", choices=("auto", "bwrap", "none"))
    args = parser.parse_args()
    shutdown_zygotes()
    first = one_start(args.sandbox, zygote=True)  # includes starting the zygote itself
    cold, forked = [], []
    for _ in range(args.starts):
        cold.append(one_start(args.sandbox, zygote=False))
        forked.append(one_start(args.sandbox, zygote=True))
    mode = StudentWorker(Limits(), sandbox=args.sandbox).sandbox_mode
    shutdown_zygotes()
    print(f"worker start + one cell + close, sandbox={mode}")
    print(f"  cold start    {summary(cold)}")
    print(f"  from zygote   {summary(forked)}")
    print(f"  first zygote start (template + first child): {first * 1000:.1f} ms")
    print(f"  ratio cold / zygote (medians): {statistics.median(cold) / statistics.median(forked):.1f}x")


if __name__ == "__main__":
    main()
