"""a1 · The perceptron: weighted inputs, the bias as w₀ with x₀ = 1, step(0) = 1."""
import numpy as np
import pytest

from exercises.dlcheck import expect, expect_close, expect_equal, show
from exercises.model import RedrawVariant
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "The perceptron"
CONCEPT = "weights, bias as w₀ with x₀ = 1, thresholding at 0"
SOLUTION = [neurons.perceptron]
MISTAKE_CODE = {f"y = {body}": "def perceptron(x, w):\n    x = np.asarray(x, float); w = np.asarray(w, float)\n"
                                f"    y = ({body}).astype(int)\n    return int(y) if x.ndim == 1 else y\n"
                for body in ("x @ w[1:] >= 0", "w[-1] + x @ w[:-1] >= 0", "w[1] + x @ w[1:] >= 0",
                             "w[0] + x @ w[1:] >= 1", "w[0] + x @ w[1:] < 0", "w[0] - x @ w[1:] >= 0")}


def params(rng: np.random.Generator) -> dict:
    """Weights (bias first) of a 3-input perceptron and 6 real inputs, none within 0.1 of the step."""
    w = np.round(rng.uniform(-2.0, 2.0, size=4), 1) + 0.0  # + 0.0: no −0.0
    X = np.round(rng.uniform(-1.0, 2.0, size=(6, 3)), 1) + 0.0
    z = w[0] + X @ w[1:]
    y = z >= 0
    if np.min(np.abs(z)) < 0.1 or y.all() or not y.any() or np.min(np.abs(w[1:])) < 0.2:
        raise RedrawVariant("an input on the step, a constant output or a negligible weight")
    if any(np.array_equal(wrong, y) for wrong in (X @ w[1:] >= 0, w[3] + X @ w[:3] >= 0, w[1] + X @ w[1:] >= 0,
                                                  z >= 1)):
        raise RedrawVariant("forgetting the bias, taking it last or from w[1], or firing at 1 would go unnoticed")
    return {"w": w.tolist(), "X": X.tolist()}


def prompt(params: dict) -> str:
    return f"""\
The **perceptron** (Rosenblatt, 1958) generalises the MP neuron: inputs may be
real numbers, and each input has a **weight** $w_i$ saying how much it matters.
The threshold becomes a weight too: write $w_0 = -\\theta$ and add a constant
input $x_0 = 1$, so the neuron fires when the weighted sum reaches 0:

$$y = \\begin{{cases}} 1 & \\text{{if }} \\sum_{{i=0}}^{{d}} w_i x_i \\ge 0 \\\\
0 & \\text{{if }} \\sum_{{i=0}}^{{d}} w_i x_i < 0 \\end{{cases}}
\\qquad x_0 = 1,\\; w_0 = -\\theta$$

Conventions: `w` has shape `(d + 1,)` with the **bias first** (`w[0]`), the input
`x` has shape `(d,)` (it does not contain the 1), and a sum of exactly 0 fires
(step(0) = 1).

Implement `perceptron(x, w)`: for one input vector `x` of shape `(d,)` return the
int 0 or 1; for a batch `X` of shape `(n, d)` (one input per row) return an int
array of shape `(n,)`. Example: with `w = [-1, 1.1, 1.1]` (the course's OR),
`perceptron(np.array([0, 1]), w)` is 1 and `perceptron(np.array([0, 0]), w)` is 0.

Your perceptron: w = {params["w"]}; your inputs, one per row:
X = {params["X"]}.
"""


@pytest.mark.points(1)
def test_perceptron_or_example(student):
    w = np.array([-1.0, 1.1, 1.1])
    expect_equal(student.perceptron(np.array([0, 1]), w), 1, what="perceptron([0, 1], [-1, 1.1, 1.1])",
                 hint="−1 + 1.1·0 + 1.1·1 = 0.1 ≥ 0 fires. The bias is w[0], times x₀ = 1.")
    expect_equal(student.perceptron(np.array([0, 0]), w), 0, what="perceptron([0, 0], [-1, 1.1, 1.1])",
                 hint="−1 + 0 + 0 < 0: the bias w[0] is always added (x₀ = 1).")


@pytest.mark.points(2)
def test_perceptron_on_your_inputs(student, ref, params):
    w, X = np.array(params["w"]), np.array(params["X"])
    expect_close(student.perceptron(X, w), ref.perceptron(X, w),
                 what=f"perceptron(X, w) on your {len(X)} inputs",
                 mistakes={
                     "The bias w[0] is missing: add w[0] · x₀ with x₀ = 1.": (X @ w[1:] >= 0).astype(int),
                     "The bias is w[0] (first), the input weights are w[1:].":
                         (w[-1] + X @ w[:-1] >= 0).astype(int),
                     "Fire when the sum is ≥ 0: the output is 1, not 0, on the firing side.":
                         (w[0] + X @ w[1:] < 0).astype(int),
                 })


@pytest.mark.points(1)
@pytest.mark.hidden(hint="A sum of exactly 0 fires: use ≥ 0, not > 0.")
def test_perceptron_fires_at_zero(student):
    w = np.array([-2.0, 1.0, 1.0])
    expect_equal(student.perceptron(np.array([1.0, 1.0]), w), 1, what="perceptron on the boundary",
                 hint="A sum of exactly 0 fires: use ≥ 0, not > 0.")


SHAPE_HINT = ("One vector (d,) → a single 0/1; a batch (n, d) → shape (n,): compute w[0] + X @ w[1:] "
              "and don't flatten the batch.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=SHAPE_HINT)
def test_perceptron_shapes(student, params):
    w, X = np.array(params["w"]), np.array(params["X"])
    # Shapes only: the values are the other checks' (judged on one drawn point, a wrong formula would
    # lose this point on some variants and keep it on others).
    one = student.perceptron(X[0], w)
    expect(np.ndim(one) == 0, f"perceptron of one vector returned {show(one)}.", SHAPE_HINT)
    batch = student.perceptron(X[:1], w)
    expect(np.shape(batch) == np.shape(neurons.perceptron(X[:1], w)),
           f"perceptron on a batch of one returned shape {np.shape(batch)}.", SHAPE_HINT)


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Weights can be negative and inputs real: compute the weighted sum, not a count.")
def test_perceptron_other_weights(student):
    w = np.array([0.5, -1.0, 2.0, 0.0, -0.25])
    X = np.array([[1.0, 0.0, 3.0, 2.0], [2.0, 1.0, -4.0, 0.0], [0.3, -0.4, 1.0, -1.0],
                  [-1.0, -1.0, -1.0, -1.0], [-3.5, 1.0, 0.0, 4.0]])
    expect_close(student.perceptron(X, w), neurons.perceptron(X, w), what="perceptron with 4 inputs",
                 hint="Weights can be negative and inputs real: compute the weighted sum, not a count.")
