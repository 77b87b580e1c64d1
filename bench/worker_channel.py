"""Benchmark: an array's round trip through the worker channel, this tree against an older one.

    git worktree add /tmp/base 4c6ec1e        # the tree to compare with (arrays as base64 in JSON)
    .venv/bin/python bench/worker_channel.py --base /tmp/base [--rounds 5] [--calls 30]

One round trip is ``StudentWorker.call("identity", x)`` on a worker whose cell
defines ``identity(x) = x``: the array is encoded, framed, sent, decoded in the
worker, encoded again, sent back and decoded. Sizes: 3, 1,000, 100,000 and
1,000,000 float64 values. Each round starts one process per tree (this tree's
virtual environment, each tree's code first on the path, the tree actually
imported checked) that times ``--calls`` round trips per size and reports
their median; the trees alternate round by round and the ratio is taken per
round, so machine load hits both alike. Prints, per size, the median of each
side and the median ratio. Timings are noisy on a shared machine: read the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = (3, 1_000, 100_000, 1_000_000)

ROUND = """
import json, statistics, sys, time
import numpy as np
import autograder
from autograder.sandbox.handle import Limits, StudentWorker
calls, sizes = int(sys.argv[1]), json.loads(sys.argv[2])
medians = {}
with StudentWorker(Limits(call_timeout=60.0, submission_budget=3600.0), sandbox="auto") as worker:
    worker.run_cells(["def identity(x):\\n    return x"])
    for size in sizes:
        x = np.random.default_rng(size).random(size)
        if not np.array_equal(worker.call("identity", x), x):
            raise SystemExit(f"identity of {size} values came back different")
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            worker.call("identity", x)
            times.append(time.perf_counter() - started)
        medians[size] = statistics.median(times)
print(json.dumps({"tree": autograder.__file__, "medians": medians}))
"""


def one_round(tree: Path, calls: int) -> dict[int, float]:
    """Median seconds per round trip, by size, in a fresh process running ``tree``'s code."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    done = subprocess.run([sys.executable, "-c", ROUND, str(calls), json.dumps(SIZES)], env=env, cwd=tree,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the round in {tree} failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(report["tree"]).resolve().parents[1] != tree.resolve():
        raise SystemExit(f"a round meant for {tree} imported autograder from {report['tree']}")
    return {int(size): seconds for size, seconds in report["medians"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the tree to compare with (a git worktree)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per tree, alternated (default 5)")
    parser.add_argument("--calls", type=int, default=30, help="round trips per size and round (default 30)")
    args = parser.parse_args()
    trees = {"this": REPO, "base": args.base.resolve()}
    rounds: dict[str, list[dict[int, float]]] = {side: [] for side in trees}
    for _ in range(args.rounds):
        for side, tree in trees.items():
            rounds[side].append(one_round(tree, args.calls))
    print(f"round trip of identity(x), x float64; {args.rounds} rounds x {args.calls} calls per tree")
    print(f"{'values':>10} {'this ms':>10} {'base ms':>10} {'this/base':>10}")
    for size in SIZES:
        this = statistics.median(r[size] for r in rounds["this"])
        base = statistics.median(r[size] for r in rounds["base"])
        ratio = statistics.median(a[size] / b[size] for a, b in zip(rounds["this"], rounds["base"]))
        print(f"{size:>10,} {this * 1000:>10.3f} {base * 1000:>10.3f} {ratio:>10.3f}")


if __name__ == "__main__":
    main()
