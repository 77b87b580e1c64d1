"""Per-call limits scaled to the model answer's cost: slow correct code passes, endless loops stop early."""
from __future__ import annotations

import dataclasses
import json
import types
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.grading import call_limits as limits_module
from autograder.grading.call_limits import CallLimitPolicy, LazyCallLimits, factor_of, slowest_model_call
from autograder.grading.engine import grade_notebook
from autograder.sandbox.handle import Limits
from exercises.model import load_exercise, reference_namespace, variant_params
from tests.autograder.grading import zz_pair, zz_work

PAIR, WORK = load_exercise(zz_pair), load_exercise(zz_work)
SECRET = b"call-limits-secret"
LOOP_SUM = "def sum_of_squares(x):\n    total = 0.0\n    for v in x:\n        total += v * v\n    return total\n"
SOLUTION_META = {"nbgrader": {"solution": True, "grade": False, "locked": False, "grade_id": "answer",
                              "schema_version": 3}}


def notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"dlgrade": {"assignment": "zz"}})
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np"),
                nbformat.v4.new_code_cell(source, metadata=json.loads(json.dumps(SOLUTION_META)))]
    nbformat.write(nb, path)
    return path


@pytest.fixture(autouse=True)
def fresh_measurements(monkeypatch):
    """Each test measures the model answers anew (the cache is per grading process)."""
    monkeypatch.setattr(limits_module, "_measured", {})


@given(seconds=st.floats(0, 1e4, allow_nan=False), factor=st.one_of(st.none(), st.floats(0.1, 1e4)),
       floor=st.floats(0.01, 10), span=st.floats(0, 100))
def test_the_limit_is_the_scaled_cost_between_floor_and_ceiling(seconds, factor, floor, span):
    """Is the limit factor x the model's cost, raised to the floor and cut to the ceiling?"""
    policy = CallLimitPolicy(floor=floor, ceiling=floor + span, default_factor=50.0)
    limit = policy.limit(seconds, factor)
    assert policy.floor <= limit <= policy.ceiling
    scaled = (50.0 if factor is None else factor) * seconds
    if policy.floor <= scaled <= policy.ceiling:
        assert limit == scaled


def test_a_declared_factor_is_used_and_a_bad_one_named():
    """Does an exercise's CALL_TIME_FACTOR set its factor, and is a non-positive one refused by name?"""
    assert factor_of(WORK) == 1000 and factor_of(PAIR) is None
    bad = types.ModuleType("exercises.zz_bad")
    bad.CALL_TIME_FACTOR = 0
    with pytest.raises(ValueError, match="zz_bad.CALL_TIME_FACTOR"):
        factor_of(dataclasses.replace(PAIR, module=bad))


def test_the_measured_cost_is_the_model_answers_slowest_call():
    """Is the model answer's slowest call measured once, and the limit factor x it when over the floor?"""
    params = {WORK.key: variant_params(WORK, SECRET, "ada01")}
    namespace = reference_namespace([WORK.solution_cell(params[WORK.key])])
    seconds = slowest_model_call(WORK, params[WORK.key], namespace)
    assert seconds > 0 and slowest_model_call(WORK, params[WORK.key], {}) == seconds  # kept, not re-measured
    limits = LazyCallLimits([WORK], params, namespace, CallLimitPolicy(floor=0.0, ceiling=1e9))
    assert limits.limit(WORK.key) == 1000 * seconds


def test_quick_grading_never_measures(tmp_path):
    """Is the model answer left unmeasured when every call of a submission finishes within the floor?"""
    path = notebook(tmp_path / "quick.ipynb", "def double(x):\n    return 2 * x\n"
                                              "def square(x):\n    return x * x\n")
    result = grade_notebook(path, assignment="zz", student="ada01", exercises=[PAIR], secret=SECRET)
    assert result.points == result.max_points and limits_module._measured == {}


def test_a_correct_loop_is_not_timed_out_where_a_flat_limit_times_it_out(tmp_path):
    """Does a plain-Python loop (correct, far slower than numpy) get full marks under the scaled limit,
    when the same flat limit the scaled one replaces (0.1 s) times it out?"""
    path = notebook(tmp_path / "loop.ipynb", LOOP_SUM)
    common = dict(assignment="zz", student="ada01", exercises=[WORK], secret=SECRET,
                  limits=Limits(call_timeout=0.1, submission_budget=120.0))
    scaled = grade_notebook(path, scaled_calls=CallLimitPolicy(floor=0.1), **common)
    assert scaled.points == scaled.max_points == 1, scaled
    flat = grade_notebook(path, scaled_calls=None, **common)
    assert [c.status for _, c in flat.checks()] == ["timeout"]


def test_an_endless_loop_is_stopped_at_the_scaled_limit(tmp_path):
    """Is an endless loop in a cheap function stopped at that exercise's limit (the floor), not a flat one?"""
    path = notebook(tmp_path / "endless.ipynb", "def double(x):\n    return 2 * x\n"
                                                "def square(x):\n    while True:\n        pass\n")
    result = grade_notebook(path, assignment="zz", student="ada01", exercises=[PAIR], secret=SECRET,
                            limits=Limits(call_timeout=30.0), scaled_calls=CallLimitPolicy(floor=0.5))
    square = [c for _, c in result.checks() if "square" in c.name]
    assert [c.status for c in square] == ["timeout", "timeout"]
    public = [c for c in square if c.public]
    assert "within 0.5 s" in public[0].message, public[0].message
    assert result.points == 2


def test_by_default_an_endless_loop_in_a_cheap_function_costs_a_quarter_second(tmp_path):
    """Under the default policy, is an endless loop in a cheap function stopped at the 0.25 s floor
    (a tenth of a class looping made the old 1 s floor a third of a class's grading), while the same
    notebook's correct function keeps its points?"""
    path = notebook(tmp_path / "endless.ipynb", "def double(x):\n    return 2 * x\n"
                                                "def square(x):\n    while True:\n        pass\n")
    result = grade_notebook(path, assignment="zz", student="ada01", exercises=[PAIR], secret=SECRET,
                            limits=Limits(call_timeout=30.0))
    public = [c for _, c in result.checks() if "square" in c.name and c.public]
    assert public[0].status == "timeout" and "within 0.25 s" in public[0].message, public[0].message
    assert result.points == 2


NAIVE_FIBONACCI = "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n"


def test_the_slowest_plain_python_answer_a_library_check_means_to_pass_keeps_its_points():
    """Under the default policy, does a naive recursive fibonacci — the slowest plain-Python answer a
    library check is meant to pass (a5.fibonacci's public check asks for F_n, n up to 30: about 1.6
    million calls, ~0.1 s of CPU; the model answer's calls take microseconds, so the floor alone
    decides) — get both public points at n = 30, while the hidden checks that need memoisation
    still stop it?"""
    from autograder.grading.engine import grade_code
    from exercises import a5_fibonacci

    fibonacci = load_exercise(a5_fibonacci)
    results, *_ = grade_code([NAIVE_FIBONACCI], exercises=[fibonacci], params={fibonacci.key: {"n": 30}},
                             limits=Limits(call_timeout=30.0))
    status = {c.name: (c.public, c.status) for c in results[0].checks}
    assert {name: got for name, (public, got) in status.items() if public} == \
        {"test_first_numbers": "passed", "test_your_number": "passed"}, status
    assert {got for public, got in status.values() if not public} == {"timeout"}, status


def test_the_hidden_phase_has_the_whole_submission_budget_again():
    """When the public checks use most of the submission's budget (each call sleeps 0.6 s of a 2 s
    budget), do the hidden checks, which run on in the same worker, still get the whole budget, as
    the fresh worker they used to start had, and pass?"""
    from autograder.grading.engine import grade_code

    slow = ("import time\nimport numpy as np\n"
            "def double(x):\n    time.sleep(0.6)\n    return 2 * np.asarray(x, dtype=float)\n"
            "def square(x):\n    time.sleep(0.6)\n    return np.asarray(x, dtype=float) ** 2\n")
    results, *_ = grade_code([slow], exercises=[PAIR], params={PAIR.key: variant_params(PAIR, SECRET, "ada01")},
                             limits=Limits(call_timeout=5.0, cells_timeout=5.0, submission_budget=2.0),
                             scaled_calls=None)
    assert {c.name: c.status for c in results[0].checks} == dict.fromkeys(
        ["test_double_example", "test_double_variant", "test_square_example", "test_square_variant"], "passed")
