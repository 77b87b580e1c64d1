"""An exercise whose checks are deliberately weak (used by the ``grade audit`` tests, in no course).

``affine(x) = 2x + 1``, but the checks only look at x = 0 and at finiteness:
doubling, dropping or zeroing the slope survives them.
"""
import numpy as np
import pytest

from exercises.dlcheck import expect, expect_close

ASSIGNMENT = "zz"
TITLE = "A weakly checked affine map"
CONCEPT = "test fixture"


def affine(x):
    """Return 2x + 1, elementwise."""
    x = np.asarray(x, dtype=float)
    return np.maximum(2.0 * x + 1.0, -np.inf)


SOLUTION = [affine]


def prompt(params):
    return "Write `affine(x)`, 2x + 1."


@pytest.mark.points(1)
def test_affine_at_zero(student):
    expect_close(student.affine(0.0), 1.0, what="affine(0)",
                 mistakes={"The intercept is +1, not −1.": -1.0})


@pytest.mark.points(1)
@pytest.mark.hidden(hint="affine returns finite numbers")
def test_affine_is_finite(student):
    expect(bool(np.all(np.isfinite(student.affine(np.array([1.0, 2.0]))))), "affine is not finite")
