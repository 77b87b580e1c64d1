"""a1 · Weights of a perceptron computing OR: any solution of the system of inequalities."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, as_numbers, expect, expect_close
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "A perceptron for OR"
CONCEPT = "a Boolean function as a system of linear inequalities"
SOLUTION = [neurons.or_weights]

MISTAKE_CODE = {description: f"def or_weights():\n    return np.array({weights})\n" for description, weights in {
    "a non-negative bias: fires on 00": "[0.0, 1.0, 1.0]",
    "AND's weights: w1 + w2 ≥ −w0 but neither alone": "[-2.0, 1.0, 1.0]",
    "w1 too small: silent on 10": "[-1.0, 0.5, 1.0]",
    "every sign flipped (NOR)": "[1.0, -1.1, -1.1]",
}.items()}


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
    if np.array_equal(bias_last, [0, 1, 1, 1]):
        raise CheckFailed(f"step(w0 + w1·x1 + w2·x2) on 00, 01, 10, 11 gives {got.tolist()}; "
                          f"OR is [0, 1, 1, 1].", "These weights compute OR with the bias last: the bias is w[0], first.")
    x1, x2 = X[:, 0], X[:, 1]  # each failed inequality of the table gives its own outputs
    expect_close(got, [0, 1, 1, 1], what="step(w0 + w1·x1 + w2·x2) on 00, 01, 10, 11", rtol=0, atol=0, mistakes={
        "It fires on 00: w0 < 0 fails (the bias must be negative).": np.ones(4),
        "This is AND: w1 + w2 ≥ −w0 holds but w1 ≥ −w0 and w2 ≥ −w0 fail (each weight alone must reach −w0).": x1 * x2,
        "Silent on 01: w2 ≥ −w0 fails (x2 alone must reach the threshold).": x1,
        "Silent on 10: w1 ≥ −w0 fails (x1 alone must reach the threshold).": x2,
    }, hint="Check each inequality of the table: w0 < 0, w1 ≥ −w0, w2 ≥ −w0, w1 + w2 ≥ −w0.")


OR_BATCH_HINT = "The weights must compute OR on every input, in any order: check all four inequalities."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=OR_BATCH_HINT)
def test_or_weights_on_repeated_inputs(student):
    w = as_numbers(student.or_weights(), "or_weights()").ravel()
    expect(w.shape == (3,), "or_weights() must return three numbers.", OR_BATCH_HINT)
    X = neurons.truth_table_inputs(2)[[3, 0, 2, 1, 0, 3, 1, 2]].astype(float)
    x1, x2 = X[:, 0], X[:, 1]
    expect_close(neurons.perceptron(X, w), X.max(axis=1), what="the weights on a shuffled batch", rtol=0, atol=0,
                 hint=OR_BATCH_HINT, mistakes={
                     "Not OR: it fires when both inputs are 0, so the bias w0 must be negative.": np.ones(len(X)),
                     "AND, not OR: it fires only when both inputs are 1; each weight alone must reach −w0.": x1 * x2,
                     "Not OR: it stays silent when only x2 is 1, so w2 must reach −w0.": x1,
                     "Not OR: it stays silent when only x1 is 1, so w1 must reach −w0.": x2})
