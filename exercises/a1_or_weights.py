"""a1 · Weights of a perceptron computing OR: any solution of the system of inequalities."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, as_numbers, expect
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "A perceptron for OR"
CONCEPT = "a Boolean function as a system of linear inequalities"
SOLUTION = [neurons.or_weights]


def prompt(params: dict) -> str:
    return """\
A perceptron computes OR when its weights satisfy one inequality per row of the
truth table (fire: $w_0 + w_1 x_1 + w_2 x_2 \\ge 0$; stay silent: $< 0$):

| $x_1$ | $x_2$ | OR | condition |
| --- | --- | --- | --- |
| 0 | 0 | 0 | $w_0 < 0$ |
| 0 | 1 | 1 | $w_2 \\ge -w_0$ |
| 1 | 0 | 1 | $w_1 \\ge -w_0$ |
| 1 | 1 | 1 | $w_1 + w_2 \\ge -w_0$ |

Any solution of this **system of linear inequalities** is a correct perceptron:
there are infinitely many.

Implement `or_weights()`: return a numpy array `(w₀, w₁, w₂)` (bias first) of a
perceptron computing OR. Choose your own solution; every solution earns the points.
"""


@pytest.mark.points(1)
def test_or_weights_are_three_numbers(student):
    w = as_numbers(student.or_weights(), "or_weights()")
    expect(w.shape == (3,), f"or_weights() returned shape {w.shape}; expected (3,) = (w0, w1, w2).",
           "Return one bias and two weights: np.array([w0, w1, w2]).")
    expect(bool(np.all(np.isfinite(w))), "or_weights() contains NaN or inf.", "Use finite numbers.")


@pytest.mark.points(2)
def test_or_weights_compute_or(student):
    w = as_numbers(student.or_weights(), "or_weights()").ravel()
    if w.shape != (3,):
        raise CheckFailed(f"or_weights() returned {w.size} numbers; expected 3.", "Return (w0, w1, w2).")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    got = (w[0] + X @ w[1:] >= 0).astype(int)
    if np.array_equal(got, [0, 1, 1, 1]):
        return
    bias_last = (w[2] + X @ w[:2] >= 0).astype(int)
    hint = ("These weights compute OR with the bias last: the bias is w[0], first."
            if np.array_equal(bias_last, [0, 1, 1, 1]) else
            "Check each inequality of the table: w0 < 0, w1 ≥ −w0, w2 ≥ −w0, w1 + w2 ≥ −w0.")
    raise CheckFailed(f"step(w0 + w1·x1 + w2·x2) on 00, 01, 10, 11 gives {got.tolist()}; "
                      f"OR is [0, 1, 1, 1].", hint)


OR_BATCH_HINT = "The weights must compute OR on every input, in any order: check all four inequalities."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=OR_BATCH_HINT)
def test_or_weights_on_repeated_inputs(student):
    w = as_numbers(student.or_weights(), "or_weights()").ravel()
    expect(w.shape == (3,), "or_weights() must return three numbers.", OR_BATCH_HINT)
    X = neurons.truth_table_inputs(2)[[3, 0, 2, 1, 0, 3, 1, 2]].astype(float)
    expect(np.array_equal(neurons.perceptron(X, w), X.max(axis=1).astype(int)),
           "the weights do not compute OR on a shuffled batch.", OR_BATCH_HINT)
