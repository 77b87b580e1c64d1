"""One class run in a fresh process: wall, CPU of the whole process tree and peak memory, as JSON.

    .venv/bin/python bench/class_run.py COURSE FOLDER COUNT [--jobs 2]

Grades the first COUNT notebooks ``FOLDER/<student>/a1.ipynb`` (made by
``grading_speed.synthetic_submissions``) of the bench course at COURSE and
prints one JSON line: ``wall`` seconds, ``cpu`` seconds of this process and
everything it started (:class:`tree_cpu.TreeCpu`), ``grader_mib`` (this
process's peak resident memory), ``largest_mib`` (the largest peak of any
other process of the tree still running when sampled every 0.2 s: the pool
processes, zygotes and workers), ``points`` and ``failed``. A fresh process
per run, so peak memory belongs to that class size alone (``grading_speed``
compares two sizes: flat means memory does not grow with the class).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from tree_cpu import TreeCpu  # noqa: E402


def peak_kib(pid: int) -> int:
    """VmHWM (peak resident set) of process ``pid`` in KiB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PeakSampler:
    """The largest VmHWM among the processes of ``cpu``'s group other than this one, sampled in a thread."""

    def __init__(self, cpu: TreeCpu, every: float = 0.2) -> None:
        self._cpu, self._every, self.largest_kib = cpu, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.sample()

    def sample(self) -> None:
        if self._cpu.folder is None:
            return
        try:
            pids = {int(p) for p in (self._cpu.folder / "cgroup.procs").read_text().split()} - {os.getpid()}
        except (OSError, ValueError):
            return
        self.largest_kib = max([self.largest_kib] + [peak_kib(pid) for pid in pids])

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cpu = TreeCpu()  # first: every process started from here on is counted
    from autograder.course.config import assignment_exercises, load_course, resolve_secret
    from autograder.grading.batch import Submission, grade_class
    from autograder.sandbox.handle import Limits

    course = load_course(args.course)
    secret = resolve_secret(course)
    exercises = assignment_exercises(course.assignment("a1"))
    notebooks = sorted(args.folder.glob("*/a1.ipynb"))[:args.count]
    if len(notebooks) < args.count:
        raise SystemExit(f"{args.folder} holds {len(notebooks)} notebooks, not {args.count}")
    submissions = [Submission(path.parent.name, path) for path in notebooks]
    with PeakSampler(cpu) as sampler:
        started = time.perf_counter()
        outcomes = grade_class(submissions, assignment="a1", exercise_keys=[e.key for e in exercises],
                               secret=secret.value, out_root=args.folder / f"autograded-{args.count}",
                               jobs=args.jobs, force=True, limits=Limits())
        wall = time.perf_counter() - started
        sampler.sample()
    print(json.dumps({"count": args.count, "jobs": args.jobs, "wall": wall, "cpu": cpu.seconds(),
                      "cpu_source": cpu.source, "points": sum(o.points for o in outcomes),
                      "failed": sum(o.status == "failed" for o in outcomes),
                      "grader_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "largest_mib": sampler.largest_kib / 1024}))
    cpu.close()


if __name__ == "__main__":
    main()
