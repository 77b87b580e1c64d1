"""A two-function exercise whose hidden checks use sentinel inputs (not part of any course).

The hidden inputs (``SENTINELS``) appear nowhere else: if any of them shows up in
a result, the student's code carried a hidden input back out.
"""
import numpy as np
import pytest

from exercises.dlcheck import expect_close

ASSIGNMENT = "zz"
TITLE = "Double and triple"
CONCEPT = "test fixture"
SENTINELS = (7777.125, 31337.5, 42424.25)


def double(x):
    """Return 2x, elementwise."""
    return 2 * np.asarray(x, dtype=float)


def triple(x):
    """Return 3x, elementwise."""
    return 3 * np.asarray(x, dtype=float)


SOLUTION = [double, triple]


def params(rng):
    return {}


def prompt(params):
    return "Write `double(x)` and `triple(x)`."


@pytest.mark.points(1)
def test_double_example(student):
    expect_close(student.double(np.array([1.0, -2.0])), [2.0, -4.0], what="double([1, -2])")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="double works elementwise")
def test_double_hidden(student, ref):
    x = np.array(SENTINELS)
    expect_close(student.double(x), ref.double(x), what="double(x)")


@pytest.mark.points(1)
def test_triple_example(student):
    expect_close(student.triple(np.array([3.0, -1.0])), [9.0, -3.0], what="triple([3, -1])")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="triple works elementwise")
def test_triple_hidden(student, ref):
    x = np.array(SENTINELS)
    expect_close(student.triple(x), ref.triple(x), what="triple(x)")
