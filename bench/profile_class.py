"""Profile: where a class's grading time goes, phase by phase (issue 16, the 1,000-submission target).

    .venv/bin/python bench/profile_class.py [--count 100]

Grades ``--count`` synthetic submissions of a1 in the standard mix (10% endless
loops; see ``grading_speed.class_profiles``) in this one process (``jobs=1``,
so every phase is timed by one clock) and prints, per phase, the seconds spent,
how often it ran and its share of the total: worker starts (by phase), the
student's cells, the public checks, the hidden phase, follow-through
(workers, re-runs), endless loops' timeouts, model-answer timing, reading
and writing. Phases nest (the hidden phase, in the public phase's worker,
includes the restarts after a timeout), so shares are of the whole run, not a
partition. The machine is shared: read the
shares and the CPU seconds (the whole process tree, bench/tree_cpu.py), not
the wall time across runs.
"""
from __future__ import annotations

import argparse
import collections
import functools
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import grading_speed  # noqa: E402
from tree_cpu import TreeCpu  # noqa: E402
from autograder.course.config import assignment_exercises, resolve_secret  # noqa: E402
from autograder.grading import batch, call_limits, engine  # noqa: E402
from autograder.sandbox import handle  # noqa: E402
from exercises.dlcheck import StudentTimeout  # noqa: E402

seconds: dict[str, float] = collections.defaultdict(float)
counts: dict[str, int] = collections.Counter()
phase: list[str] = ["public"]


def timed(owner: Any, name: str, label: str | Callable[[], str]) -> None:
    """Replace ``owner.name`` by a wrapper adding its wall time to ``seconds[label]``."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = label() if callable(label) else label
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[key] += time.perf_counter() - started
            counts[key] += 1
    setattr(owner, name, wrapper)


def in_phase(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        phase.append(name)
        try:
            return function(*args, **kwargs)
        finally:
            phase.pop()
    return wrapper


def instrument() -> None:
    engine._hidden_phase = in_phase("hidden", engine._hidden_phase)
    engine._follow_through = in_phase("follow-through", engine._follow_through)
    timed(engine, "grade_code", "grade_code (all phases)")
    timed(engine, "_hidden_phase", "hidden phase (checks)")
    timed(engine, "_follow_through", "follow-through (workers + re-runs)")
    timed(engine, "collect_figures", "figures (public worker)")
    timed(engine, "read_submission", "reading the notebook")
    timed(engine, "reference_namespace", "model answer namespace")
    timed(engine, "variant_params", "variant params")
    timed(call_limits, "slowest_model_call", "model-answer timing (scaled limits)")
    timed(batch, "write_result", "writing results.json")
    timed(handle.StudentWorker, "_start_process", lambda: f"worker start: {phase[-1]}")
    timed(handle.StudentWorker, "run_cells", lambda: f"student cells: {phase[-1]}")
    timed(handle.StudentWorker, "rebind", "follow-through rebinds")
    original = handle.StudentWorker._timed

    def timeouts(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        except StudentTimeout:
            seconds[f"timeouts: {phase[-1]}"] += time.perf_counter() - started
            counts[f"timeouts: {phase[-1]}"] += 1
            raise
    handle.StudentWorker._timed = timeouts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlgrade-profile-") as tmp:
        course, _ = grading_speed.make_course(Path(tmp), 0)
        secret = resolve_secret(course)
        exercises = assignment_exercises(course.assignment(grading_speed.ASSIGNMENT))
        folder = course.root / "synthetic"
        submissions = grading_speed.synthetic_submissions(course, exercises, secret, args.count, folder)
        instrument()
        tree = TreeCpu()  # before the zygote starts: its workers are counted too
        grader_before = resource.getrusage(resource.RUSAGE_SELF)
        wall = grading_speed.timed_grading(submissions, exercises, secret, folder / "autograded", jobs=1)
        grader_after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = tree.seconds()
    grader = grader_after.ru_utime + grader_after.ru_stime - grader_before.ru_utime - grader_before.ru_stime
    print(f"profile: {args.count} synthetic submissions of {grading_speed.ASSIGNMENT} in one process: "
          f"{wall:.1f} s wall, {wall / args.count * 1000:.0f} ms per submission; CPU {cpu:.1f} s "
          f"({cpu / args.count * 1000:.0f} ms per submission; {tree.source}), of which the grader {grader:.1f} s")
    tree.close()
    for label in sorted(seconds, key=seconds.get, reverse=True):
        print(f"  {label:<40} {seconds[label]:7.2f} s {counts[label]:6d}x  "
              f"{seconds[label] / counts[label] * 1000:7.1f} ms each  {seconds[label] / wall:6.1%} of wall")


if __name__ == "__main__":
    main()
