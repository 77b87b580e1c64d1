"""Mutation analysis of an exercise's checks through the real engine (autograder/course/audit.py)."""
import pytest

from autograder.course.audit import audit_exercises, mutant_cells, same_value
from autograder.course.mutants import mutants_of
from exercises.model import load_exercise
from tests.autograder.course import zz_weak

SECRET = b"audit-test-secret"
WEAK = load_exercise(zz_weak)


@pytest.fixture(scope="module")
def weak_report():
    return audit_exercises([WEAK], assignment="zz", secret=SECRET, variants=2, jobs=1)


def _by_id(report):
    return {m.id: m for m in report.exercises[0].mutants}


def test_weak_checks_let_mutants_survive(weak_report):
    """Do the slope mutants survive checks that only look at x = 0, and is the kill rate under 0.8?"""
    mutants = _by_id(weak_report)
    assert mutants["affine:double_constant:0"].status == "survived"  # 4x + 1
    assert mutants["affine:zero_constant:0"].status == "survived"  # 0x + 1
    assert "-    return np.maximum(2.0 * x + 1.0, -np.inf)" in mutants["affine:zero_constant:0"].diff
    assert weak_report.kill_rate < 0.8
    assert weak_report.exercises[0].kill_rate == weak_report.kill_rate


def test_a_mutant_that_changes_x_at_zero_is_killed_and_named(weak_report):
    """Is the intercept mutant (2x − 1) killed on every variant, its lost points the same, its mistake named?"""
    mutant = _by_id(weak_report)["affine:add_to_sub:0"]
    assert mutant.status == "killed"
    assert mutant.points_lost == (1.0, 1.0) and mutant.spread == 0.0
    assert mutant.named and "The intercept is +1, not −1." in mutant.mistakes
    assert mutant.failing_checks == ("test_affine_at_zero",)


def test_a_mutant_that_returns_the_same_values_is_equivalent(weak_report):
    """Is removing a guard that never acts (np.maximum(v, -inf)) reported as equivalent, not as a survivor?"""
    mutant = _by_id(weak_report)["affine:remove_clip:0"]
    assert mutant.status == "equivalent" and mutant.points_lost == ()
    assert weak_report.exercises[0].count("equivalent") >= 1


def test_an_infinite_slope_crashes_or_fails_the_hidden_check(weak_report):
    """Is 2/x (mul_to_div) killed by the finiteness check, which only the hidden check sees?"""
    mutant = _by_id(weak_report)["affine:mul_to_div:0"]
    assert mutant.status == "killed"
    assert "test_affine_at_zero" in mutant.failing_checks


def test_mutant_cells_replace_only_the_one_function():
    """Does a mutated notebook keep every other cell and function as the model answer has them?"""
    cells = ["import numpy as np\n", "def keep(x):\n    return x + 1\n\ndef f(x):\n    return x + 1\n"]
    mutant = next(m for m in mutants_of("def f(x):\n    return x + 1\n") if m.operator == "add_to_sub")
    mutated = mutant_cells(cells, 1, mutant)
    assert mutated[0] == cells[0]
    assert mutated[1] == "def keep(x):\n    return x + 1\n\ndef f(x):\n    return x - 1"


def test_same_value_is_strict_beyond_rounding():
    """Are values equal up to rounding the same, and a changed element, shape or inf not?"""
    assert same_value((1.0, [2.0, 3.0]), (1.0 + 1e-16, [2.0, 3.0]))
    assert not same_value([1.0, 2.0], [1.0, 2.0 + 1e-9])
    assert not same_value([1.0, 2.0], [[1.0, 2.0]])
    assert not same_value(float("inf"), 1e308)


def test_a_looping_mutant_is_not_called_equivalent(monkeypatch):
    """Does the side-by-side run in the grader stop a mutant that never returns, and judge it not equivalent?"""
    from autograder.course import audit

    monkeypatch.setattr(audit, "EQUIVALENCE_SECONDS", 0.5)
    model = ["import numpy as np\n", "def affine(x):\n    return np.maximum(2.0 * np.asarray(x) + 1.0, -np.inf)\n"]
    looping = [model[0], "def affine(x):\n    while True:\n        try:\n            pass\n        except Exception:\n"
                         "            pass\n"]
    assert audit.equivalent_on(WEAK, model, model, {})
    assert not audit.equivalent_on(WEAK, model, looping, {})


def test_judged_in_process_as_the_engine_judges(weak_report, monkeypatch):
    """Does the in-process judgement of a wrong notebook lose the points and show the hints the engine's
    grading of the same mutant gives, and give up (None) on one that never returns?"""
    from autograder.course import audit

    model = ["import numpy as np\n", "def affine(x):\n    return np.maximum(2.0 * np.asarray(x) + 1.0, -np.inf)\n"]
    wrong = [model[0], "def affine(x):\n    return np.maximum(2.0 * np.asarray(x) + 2.0, -np.inf)\n"]
    judged = audit.judge_in_process(WEAK, model, wrong, {})
    engine = _by_id(weak_report)["affine:double_constant:1"]
    assert judged.points_lost == engine.points_lost[0] > 0
    assert [name for name, _, _ in judged.failing] == list(engine.failing_checks)
    assert audit.judge_in_process(WEAK, model, model, {}) == audit.JudgedInProcess(0.0, ())
    looping = [model[0], "def affine(x):\n    while True:\n        pass\n"]
    monkeypatch.setattr(audit, "EQUIVALENCE_SECONDS", 0.5)
    assert audit.judge_in_process(WEAK, model, looping, {}) is None


def test_the_catalogue_reads_mistakes_built_by_a_helper():
    """Are the hints of a ``mistakes=helper(...)`` dict (a2.gradients' hidden checks) in the catalogue,
    and are the generic patterns of wrong values and the non-finite hint named diagnoses?"""
    from autograder.course.catalogue import catalogue_of
    from exercises import dlcheck
    from exercises.model import get_exercise

    catalogue = catalogue_of(get_exercise("a2.gradients"))
    assert "σ'(z) = f(1 − f), not f(1 + f)." in catalogue.mistakes
    assert catalogue.names("σ'(z) = f(1 − f), not f(1 + f).")
    assert catalogue.names("Off by a constant factor of 3 on every value: a factor is missing, extra or wrong.")
    assert catalogue.names(dlcheck.NON_FINITE)
    assert not catalogue.names(get_exercise("a2.gradients").checks[-1].hint)


def test_an_exception_shown_by_a_public_check_is_recorded(monkeypatch):
    """When a mutant raises in a public check, does the audit record that the feedback showed the exception
    (and not count it as a named mistake)?"""
    from autograder.course import audit
    from autograder.course.mutants import Mutant

    raising = ["import numpy as np\n", "def affine(x):\n    raise ValueError('x must be positive')\n"]
    monkeypatch.setattr(audit, "mutant_cells", lambda cells, index, mutant: raising)
    variants = audit.audit_variants([WEAK], SECRET, 1)
    mutant = Mutant("affine", "flip_sign", 0, "raises", raising[1], "")
    result = audit.audit_mutant([WEAK], 0, mutant, variants)
    assert result.status == "killed" and result.crashed
    assert result.exception_shown and not result.named


@pytest.mark.parametrize("changed, other", [(True, False), (False, True)])
def test_a_crash_on_the_changed_line_is_located_and_no_other(monkeypatch, changed, other):
    """When a mutant raises, is it recorded as located only if the public check's message names the
    line its diff changed (a crash on another line, e.g. an unchanged input check, is not located)?"""
    from autograder.course import audit
    from autograder.course.mutants import Mutant

    body = ("def affine(x):\n    y = np.asarray(x)[7]\n    return y\n" if changed else
            "def affine(x):\n    y = np.asarray(x)\n    raise ValueError('no')\n")
    monkeypatch.setattr(audit, "mutant_cells", lambda cells, index, mutant: ["import numpy as np\n", body])
    diff = "--- model\n+++ mutant\n@@\n def affine(x):\n-    y = np.asarray(x)\n+    y = np.asarray(x)[7]\n"
    result = audit.audit_mutant([WEAK], 0, Mutant("affine", "index", 0, "an index added", body, diff),
                                audit.audit_variants([WEAK], SECRET, 1))
    assert result.crashed and result.exception_shown
    assert result.located is changed and not result.named


def test_names_changed_line_reads_only_added_lines():
    """Does a message quoting a removed or unchanged line not count, and one quoting an added line count?"""
    from autograder.course.audit import names_changed_line

    diff = "--- a\n+++ b\n@@\n keep = 1\n-old = x + 1\n+new = x - 1\n"
    assert names_changed_line("Your code raised E: m\n  at line 2 of its cell, in `f`: `new = x - 1`", diff)
    assert not names_changed_line("Your code raised E: m\n  at line 2 of its cell, in `f`: `old = x + 1`", diff)
    assert not names_changed_line("Your code raised E: m\n  at line 1 of its cell, in `f`: `keep = 1`", diff)


def test_a_guard_the_mutation_changed_locates_the_raise_below_it():
    """When the mutation changes an `if` whose next line raises, does a crash quoting that `raise`
    count as located, while a `raise` below an unchanged `if` does not?"""
    from autograder.course.audit import names_changed_line

    diff = ("--- a\n+++ b\n@@\n     x = np.asarray(x)\n-    if x.ndim not in (1, 2):\n+    if x.ndim not in (2, 2):\n"
            "         raise ValueError('bad shape')\n     if x.size == 0:\n         raise ValueError('empty')\n")
    assert names_changed_line("Your code raised ValueError: bad shape\n  at line 3 of its cell, in `f`: "
                              "`raise ValueError('bad shape')`", diff)
    assert not names_changed_line("Your code raised ValueError: empty\n  at line 5 of its cell, in `f`: "
                                  "`raise ValueError('empty')`", diff)
