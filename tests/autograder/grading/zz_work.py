"""An exercise whose one call does real work (used by test_call_limits; not part of any course).

``sum_of_squares`` of two million values: numpy does it in milliseconds, a
plain-Python loop in a good fraction of a second, so the exercise declares a
large ``CALL_TIME_FACTOR``, as exercises that train do.
"""
import numpy as np
import pytest

from exercises.dlcheck import expect_close

ASSIGNMENT = "zz"
TITLE = "Sum of squares"
CONCEPT = "test fixture"
CALL_TIME_FACTOR = 1000
SIZE = 2_000_000


def sum_of_squares(x):
    """Return the sum of x², x a vector."""
    return float(np.dot(x, x))


SOLUTION = [sum_of_squares]


def params(rng):
    return {"seed": int(rng.integers(1000))}


def prompt(params):
    return "Write `sum_of_squares(x)`."


@pytest.mark.points(1)
def test_sum_of_squares(student, ref, params):
    x = np.random.default_rng(params["seed"]).random(SIZE)
    expect_close(student.sum_of_squares(x), ref.sum_of_squares(x), what="sum_of_squares(x)")
