"""Grading a class fast changes no result: the class mix graded with the fast defaults and the slow ones.

The speed-ups for a whole class (issue 16: workers forked from a zygote that
holds numpy.random, a 0.25 s floor for the per-call limit instead of 1 s) must
leave every check's status and points as they were. The bench's class mix —
correct, one exercise unfinished (so later exercises are charged once, by
follow-through), an endless loop, a crash while the cells run, tampering — is
graded both ways here and compared check by check.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder.course.config import assignment_exercises, load_course, resolve_secret
from autograder.course.notebooks import build_notebook, student_version
from autograder.course.sample_answers import Profile, answered
from autograder.grading.call_limits import CallLimitPolicy
from autograder.grading.engine import grade_notebook
from autograder.sandbox.handle import Limits
from exercises.model import variant_params

REPO = Path(__file__).resolve().parents[3]
LIMITS = Limits(call_timeout=5.0, cells_timeout=20.0, submission_budget=120.0)
SLOW = CallLimitPolicy(floor=1.0)
"""The per-call limit's floor before issue 16's class speed-ups."""


def class_mix(keys: list[str]) -> dict[str, Profile]:
    return {"correct": Profile("correct"),
            "unfinished": Profile("one unfinished", stubbed=frozenset({keys[2]})),
            "loop": Profile("endless loop", looping=frozenset({keys[1]})),
            "crash": Profile("crash at import", prelude="import os\nos._exit(1)"),
            "tampering": Profile("tampering", stubbed=frozenset(keys), edit_check_cells=True,
                                 prelude="import numpy as np\nnp.allclose = lambda *a, **k: True")}


@pytest.fixture(scope="module")
def a1_class(tmp_path_factory):
    course = load_course(REPO / "course")
    assignment = course.assignment("a1")
    exercises = assignment_exercises(assignment)
    secret = resolve_secret(course, {}).value
    folder = tmp_path_factory.mktemp("a1-class")
    notebooks = {}
    for name, profile in class_mix([e.key for e in exercises]).items():
        student = f"fast-{name}"
        params = {e.key: variant_params(e, secret, student) for e in exercises}
        released = student_version(build_notebook(course.name, assignment, exercises, params), student, params)
        path = folder / f"{student}.ipynb"
        nbformat.write(answered(released, exercises, params, profile), path)
        notebooks[student] = path
    return exercises, secret, notebooks


def grade(a1_class, student: str, policy: CallLimitPolicy | None = None):
    exercises, secret, notebooks = a1_class
    options = {} if policy is None else {"scaled_calls": policy}
    return grade_notebook(notebooks[student], assignment="a1", student=student, exercises=exercises,
                          secret=secret, limits=LIMITS, **options)


@pytest.mark.parametrize("name", ["correct", "unfinished", "loop", "crash", "tampering"])
def test_the_class_mix_gets_the_same_results_fast_and_slow(a1_class, name: str) -> None:
    """Does each notebook of the class mix get the same status, points and follow-through note per check
    with the fast defaults as with the 1 s floor, and the mix its expected overall shape?"""
    fast, slow = grade(a1_class, f"fast-{name}"), grade(a1_class, f"fast-{name}", SLOW)

    def per_check(result):
        return [(e.key, c.name, c.status, c.points, c.note) for e, c in result.checks()]
    assert per_check(fast) == per_check(slow)
    # a crashed cell is left out; a1's written answer waits for a grader ("needs grading")
    assert (fast.points + fast.pending_points == fast.max_points) == (name in ("correct", "crash"))


def test_an_endless_loop_in_the_class_mix_costs_the_fast_floor(a1_class) -> None:
    """Is the looping notebook's endless loop stopped at the 0.25 s floor by default (1 s before)?"""
    messages = [c.message for _, c in grade(a1_class, "fast-loop").checks() if c.status == "timeout" and c.public]
    assert messages and "within 0.25 s" in messages[0], messages  # the later checks skip the looping function
