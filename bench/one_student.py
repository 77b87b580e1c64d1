"""One notebook end to end: ``grade autograde --student`` against ``nbgrader autograde --student``.

What an instructor waits for when one student's hand-in is graded again: each
command is a fresh process (start-up, imports, grading, gradebook write), run
in the same bench course on the same hand-in, in turn (dlgrade, nbgrader,
dlgrade, ...) so that a change in machine load hits both alike; the ratio is
taken pair by pair and its median reported (``grading_speed`` prints it).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

GRADE = "import sys; from autograder.cli.main import main; main(sys.argv[1:], prog_name='grade')"


@dataclass(frozen=True)
class OneStudent:
    """Median wall seconds of each side and the median of the per-pair ratios (nbgrader / dlgrade)."""

    dlgrade: float
    nbgrader: float
    ratio: float
    pairs: int


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return wall


def compare(course_root: Path, assignment: str, student: str, pairs: int) -> OneStudent:
    """Grade ``student``'s hand-in of ``assignment`` with each tool ``pairs`` times (after one warm-up each)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    dlgrade = [sys.executable, "-c", GRADE, "--course", str(course_root), "autograde", assignment,
               "--student", student, "--force", "--jobs", "1"]
    nbgrader = ["nbgrader", "autograde", assignment, "--student", student, "--force",
                "--Autograde.create_student=True"]
    for command in (dlgrade, nbgrader):
        _timed(command, course_root, env)
    times: list[tuple[float, float]] = [(_timed(dlgrade, course_root, env), _timed(nbgrader, course_root, env))
                                        for _ in range(pairs)]
    return OneStudent(dlgrade=statistics.median(d for d, _ in times),
                      nbgrader=statistics.median(n for _, n in times),
                      ratio=statistics.median(n / d for d, n in times), pairs=pairs)
