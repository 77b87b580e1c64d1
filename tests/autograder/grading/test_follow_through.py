"""Follow-through marking: a mistake is charged once, and the call-back it needs stays closed to
everyone else.

Graded with the a2 model answer in which one function is replaced by a wrong one, or by one that
tries to reach the grader's model answer by itself (finding the worker's own machinery with
``gc``, as a student could).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.config import assignment_exercises, load_course
from autograder.grading.engine import FOLLOW_THROUGH_NOTE, grade_code
from autograder.sandbox.handle import Limits, StudentWorker
from exercises.dlcheck import StudentRaised, WorkerCrashed
from exercises.model import variant_params

REPO = Path(__file__).resolve().parents[3]
LIMITS = Limits(call_timeout=5.0, cells_timeout=20.0, submission_budget=120.0)
SECRET = b"follow-through-secret"
WRONG_SIGMOID = "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))\n"
STEAL = '''
import gc
def _machinery():
    return next(o for o in gc.get_objects() if type(o).__name__ == "Worker" and hasattr(o, "rebind"))
'''


@pytest.fixture(scope="module")
def a2():
    exercises = assignment_exercises(load_course(REPO / "course").assignment("a2"))
    params = {e.key: variant_params(e, SECRET, "ft-student") for e in exercises}
    model = ["import numpy as np"] + [e.solution_cell(params[e.key]) for e in exercises]
    return exercises, params, model


def points(results) -> dict[str, float]:
    return {r.key: r.points for r in results}


def test_a_wrong_sigmoid_costs_only_the_sigmoid_exercise(a2) -> None:
    """With a wrong sigmoid and everything else right, does a2 lose only the sigmoid exercise's
    points, each later exercise saying which model function it was checked with, and does the strict
    setting (follow_through=False) charge the mistake again in every exercise that uses it?"""
    exercises, params, model = a2
    full = {e.key: e.points for e in exercises}
    results, *_ = grade_code(model + [WRONG_SIGMOID], exercises=exercises, params=params, limits=LIMITS)
    got = points(results)
    assert got["a2.sigmoid"] < full["a2.sigmoid"]
    assert {k: v for k, v in got.items() if k != "a2.sigmoid"} == \
        {k: v for k, v in full.items() if k != "a2.sigmoid"}
    neuron = next(r for r in results if r.key == "a2.sigmoid_neuron")
    assert FOLLOW_THROUGH_NOTE.format(names="`sigmoid`") in {c.note for c in neuron.checks}
    strict, *_ = grade_code(model + [WRONG_SIGMOID], exercises=exercises, params=params, limits=LIMITS,
                            follow_through=False)
    assert sum(points(strict).values()) < sum(got.values()) - 10
    assert all(c.note == "" for r in strict for c in r.checks)


def test_an_exercise_is_still_charged_for_its_own_mistake(a2) -> None:
    """When sigmoid is wrong and sigmoid_neuron has a mistake of its own (σ(w·x − b)), does
    sigmoid_neuron still lose points with the model sigmoid in place?"""
    exercises, params, model = a2
    own_mistake = "def sigmoid_neuron(x, w, b):\n    return sigmoid(w * np.asarray(x, dtype=float) - b)\n"
    results, *_ = grade_code(model + [WRONG_SIGMOID, own_mistake], exercises=exercises, params=params,
                             limits=LIMITS)
    neuron = next(r for r in results if r.key == "a2.sigmoid_neuron")
    assert neuron.points < neuron.max_points


def test_an_earlier_exercise_cannot_lean_on_a_later_model_answer(a2) -> None:
    """When sigmoid is written as a call of sigmoid_neuron and sigmoid_neuron is failed on purpose,
    does sigmoid still lose its points (only earlier exercises' functions are ever replaced)?"""
    exercises, params, model = a2
    lean = ("def sigmoid_neuron(x, w, b):\n    return np.zeros_like(np.asarray(x, dtype=float))\n"
            "def sigmoid(z):\n    return sigmoid_neuron(z, 1.0, 0.0)\n")
    results, *_ = grade_code(model + [lean], exercises=exercises, params=params, limits=LIMITS)
    sigmoid = next(r for r in results if r.key == "a2.sigmoid")
    assert sigmoid.points <= 1.0 and all(c.note == "" for c in sigmoid.checks)


def test_an_exercise_cannot_call_back_its_own_model_answer(a2) -> None:
    """With sigmoid wrong (so sigmoid_neuron's checks re-run with `sigmoid` open to call-backs), does a
    sigmoid_neuron that asks the grader for the model `sigmoid_neuron` itself get nothing, and no point?"""
    exercises, params, model = a2
    thief = STEAL + ("def sigmoid_neuron(x, w, b):\n"
                     "    return _machinery()._call_back('sigmoid_neuron')(x, w, b)\n")
    results, *_ = grade_code(model + [WRONG_SIGMOID, thief], exercises=exercises, params=params, limits=LIMITS)
    neuron = next(r for r in results if r.key == "a2.sigmoid_neuron")
    assert neuron.points == 0


@pytest.mark.parametrize("name", ["sigmoid", "sigmoid_neuron", "error", "anything"])
def test_a_worker_not_started_for_follow_through_cannot_call_back(name: str) -> None:
    """When student code in an ordinary worker (the public or hidden phase: A's own checks) sends a
    call-back request through the worker's own machinery, is the worker stopped as a crash, with no
    value of any model answer coming back?"""
    cells = ["import numpy as np\n" + STEAL +
             f"def ask(x):\n    return _machinery()._call_back({name!r})(x)\n"]
    with StudentWorker(LIMITS, sandbox="auto") as student:
        student.run_cells(cells)
        with pytest.raises(WorkerCrashed, match="call-back"):
            student.call("ask", 0.5)


def test_only_the_opened_names_answer_in_a_follow_through_worker() -> None:
    """In a worker started for follow-through with `sigmoid` open, does a call-back for `sigmoid` get
    the model's value while one for any other name raises in the student's code?"""
    def model_sigmoid(z):
        import numpy as np
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))

    cells = ["import numpy as np\n" + STEAL +
             "def ask(name, x):\n    return _machinery()._call_back(name)(x)\n"]
    with StudentWorker(LIMITS, sandbox="auto", follow_through=True) as student:
        student.run_cells(cells)
        student.rebind({"sigmoid": model_sigmoid})
        assert student.call("ask", "sigmoid", 0.0) == pytest.approx(0.5)
        with pytest.raises(StudentRaised, match="not open|could not be used"):
            student.call("ask", "sigmoid_neuron", 0.0)
        student.rebind({})
        with pytest.raises(StudentRaised):
            student.call("ask", "sigmoid", 0.0)


def test_follow_through_on_a_busy_machine_gets_the_same_points(a2) -> None:
    """With every core busy with other work, does the wrong-sigmoid notebook get the points it gets on
    an idle machine? Its later exercises ask the grader for the model sigmoid thousands of times,
    and each answer waits for a core: a wall-time limit would charge the student for the load,
    so call limits count the worker's CPU time."""
    exercises, params, model = a2
    idle, *_ = grade_code(model + [WRONG_SIGMOID], exercises=exercises, params=params, limits=LIMITS)
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 2))]
    try:
        busy, *_ = grade_code(model + [WRONG_SIGMOID], exercises=exercises, params=params, limits=LIMITS)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert points(busy) == points(idle)


def test_a_call_back_answered_across_the_first_deadline_keeps_the_channel_in_step() -> None:
    """When answering a call-back takes the grader past a call's first deadline (the 0.25 s floor of
    the scaled limit) and the deadline then grows, is the answer still sent, so the call finishes with
    its value instead of the worker waiting for ever and the call timing out?"""
    import time

    from autograder.sandbox.handle import CallDeadline

    def slow_model(x):
        time.sleep(0.15)  # longer than the first deadline below
        return 2 * x

    cells = ["def twice_each(n):\n    return [double(i) for i in range(n)]\n",
             "def double(x):\n    return 0\n"]
    with StudentWorker(LIMITS, sandbox="auto", follow_through=True) as student:
        student.run_cells(cells)
        student.rebind({"double": slow_model})
        student.call_timeout = CallDeadline(0.1, lambda: 4.0)
        assert student.call("twice_each", 3) == [0, 2, 4]


def test_a_public_check_names_the_line_that_raised_and_a_hidden_check_does_not(a2) -> None:
    """When the student's code raises, does a public check's message name the line of their own
    source it raised on, while a hidden check's message and hint name no line (where a hidden input
    made the code raise would otherwise reach the student)?"""
    exercises, params, model = a2
    raising = ("def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
               "    raise ValueError('no sigmoid today')\n")
    results, *_ = grade_code(model + [raising], exercises=exercises, params=params, limits=LIMITS)
    checks = next(r for r in results if r.key == "a2.sigmoid").checks
    public = [c for c in checks if c.public and c.status == "error"]
    hidden = [c for c in checks if not c.public and c.status == "error"]
    assert public and hidden
    for check in public:
        assert "line 3 of its cell, in `sigmoid`: `raise ValueError('no sigmoid today')`" in check.message
    for check in hidden:
        assert "raise ValueError" not in check.message + check.hint and "line 3" not in check.message + check.hint
        # no error message is shown for a hidden check: its hint says what it tested, not "read the message"
        assert check.hint and "Read the error message" not in check.hint


def test_a_submission_starts_one_worker_and_follow_through_one_more(a2, monkeypatch) -> None:
    """Does a correct a2 notebook start one worker for both phases (public then hidden checks), and
    the wrong-sigmoid notebook, whose later exercises' public and hidden checks re-run, exactly one
    worker more, the one started for follow-through (the only one that may call back)?"""
    exercises, params, model = a2
    started: list[bool] = []
    start = StudentWorker._start_process

    def counted(self):
        started.append(self.follow_through)
        return start(self)

    monkeypatch.setattr(StudentWorker, "_start_process", counted)
    grade_code(model, exercises=exercises, params=params, limits=LIMITS)
    assert started == [False]
    started.clear()
    results, *_ = grade_code(model + [WRONG_SIGMOID], exercises=exercises, params=params, limits=LIMITS)
    noted = [c for r in results for c in r.checks if c.note]
    assert {c.public for c in noted} == {True, False}  # both phases re-ran in the one follow-through worker
    assert started == [False, True]
