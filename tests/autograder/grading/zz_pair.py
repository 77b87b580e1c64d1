"""A two-function exercise used by the adversarial corpus (not part of any course).

``double`` and ``square`` are worth 2 points each (1 public + 1 hidden check),
so a submission's score says exactly which function was graded correct.
"""
import numpy as np
import pytest

from exercises.dlcheck import expect_close

ASSIGNMENT = "zz"
TITLE = "Double and square"
CONCEPT = "test fixture"


def double(x):
    """Return 2x, elementwise."""
    return 2 * np.asarray(x, dtype=float)


def square(x):
    """Return x², elementwise."""
    return np.asarray(x, dtype=float) ** 2


SOLUTION = [double, square]


def params(rng):
    return {"x": np.round(rng.uniform(1.0, 3.0, size=3), 2).tolist()}


def prompt(params):
    return "Write `double(x)` and `square(x)`."


@pytest.mark.points(1)
def test_double_example(student):
    expect_close(student.double(np.array([1.0, -2.0])), [2.0, -4.0], what="double([1, -2])")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="double works elementwise on your inputs")
def test_double_variant(student, ref, params):
    x = np.array(params["x"])
    expect_close(student.double(x), ref.double(x), what="double(x)")


@pytest.mark.points(1)
def test_square_example(student):
    expect_close(student.square(np.array([3.0, -1.0])), [9.0, 1.0], what="square([3, -1])")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="square works elementwise on your inputs")
def test_square_variant(student, ref, params):
    x = np.array(params["x"])
    expect_close(student.square(x), ref.square(x), what="square(x)")
