"""a2 · The sigmoid function: the smooth replacement of the perceptron's step."""
import numpy as np
import pytest

from exercises.dlcheck import as_numbers, expect, expect_close, show
from exercises.model import RedrawVariant
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "The sigmoid function"
CONCEPT = "logistic sigmoid, numerical stability"
SOLUTION = [sigmoid_fit.sigmoid]
MISTAKE_CODE = {
    "the sign of the exponent": "def sigmoid(z):\n    return 1 / (1 + np.exp(np.asarray(z, float)))\n",
    "e^z / (1 + e^z) everywhere (overflows)":
        "def sigmoid(z):\n    e = np.exp(np.asarray(z, float))\n    return e / (1 + e)\n",
    "the 1 + forgotten": "def sigmoid(z):\n    return 1 / np.exp(-np.asarray(z, float))\n",
    "a branch boundary off 0": "def sigmoid(z):\n    z = np.asarray(z, float)\n    e = np.exp(-np.abs(z))\n"
                               "    return np.where(z >= 1, 1 / (1 + e), e / (1 + e))\n",
}
HIDDEN_ONLY = {"e^z / (1 + e^z) everywhere (overflows)": "large |z| is what the hidden stability check tests"}


def params(rng: np.random.Generator) -> dict:
    """Five inputs over the interesting range, none exactly 0 (the public example): one in each of
    (−1, 0) and (0, 1), where the two sides of a split-by-sign form meet (a branch boundary moved
    off 0 shows there on every variant), three anywhere in (−6, 6)."""
    near = rng.uniform(0.1, 0.9, size=2) * np.array([-1.0, 1.0])
    z = np.round(rng.permutation(np.concatenate([near, rng.uniform(-6.0, 6.0, size=3)])), 2)
    if np.any(np.abs(z) <= 0.05):
        raise RedrawVariant("an input next to 0, the public example")
    return {"z": [float(v) for v in z]}


def prompt(params: dict) -> str:
    return f"""\
A perceptron's output jumps from 0 to 1 at the threshold: an input of 0.49 and
one of 0.51 give opposite answers. The **sigmoid** (logistic) neuron replaces
the jump by a smooth, differentiable curve with outputs in (0, 1):

$$\\sigma(z) = \\frac{{1}}{{1 + e^{{-z}}}}$$

Implement `sigmoid(z)`: it takes a number or a numpy array of any shape and
works elementwise. It must stay finite and warning-free for inputs as large as
|z| = 10 000: `np.exp(10000)` overflows, so choose a form that never
exponentiates a large positive number.

Try it on your inputs: z = {params["z"]}.
"""


STABILITY_HINT = ("σ(z) must stay finite and warning-free for |z| up to 1e4: this check compares it with the "
                  "exact values there, where np.exp of a large positive number overflows (use e = np.exp(-|z|) "
                  "and split by sign).")
COMPLEMENT = "This is σ(−z): the exponent is −z, e^(−z)."


@pytest.mark.points(1)
def test_sigmoid_at_zero(student):
    expect_close(student.sigmoid(0.0), 0.5, what="sigmoid(0.0)")


@pytest.mark.points(1)
def test_sigmoid_on_your_inputs(student, ref, params):
    z = np.array(params["z"])
    expect_close(student.sigmoid(z), ref.sigmoid(z), what=f"sigmoid({show(z)})",
                 mistakes={"This is σ(−z): the exponent is −z, e^(−z).": 1 - ref.sigmoid(z)})


@pytest.mark.points(1)
def test_sigmoid_keeps_the_shape(student, ref):
    z = np.linspace(-3.0, 3.0, 6).reshape(2, 3)
    expect_close(student.sigmoid(z), ref.sigmoid(z), what="sigmoid of a (2, 3) array",
                 hint="Work elementwise with numpy operations; don't loop or flatten.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=STABILITY_HINT)
def test_sigmoid_is_stable_for_large_inputs(student, ref):
    z = np.array([-1e4, -750.0, -40.0, 40.0, 750.0, 1e4])
    # Judged on the values alone: what the student's process prints (numpy's overflow warning
    # included) is under the student's control and never decides a point.
    expect_close(student.sigmoid(z), ref.sigmoid(z), what="sigmoid at large |z|", hint=STABILITY_HINT,
                 mistakes={COMPLEMENT: 1 - ref.sigmoid(z)})


@pytest.mark.points(1)
@pytest.mark.hidden(hint="This check tests that σ(z) + σ(−z) = 1 and that σ is increasing, on many inputs.")
def test_sigmoid_symmetry_and_monotonicity(student, params):
    z = np.sort(np.concatenate([np.array(params["z"]), np.linspace(-8.0, 8.0, 17), [-0.5, 0.5]]))
    s = as_numbers(student.sigmoid(z), "sigmoid(z)")
    expect_close(s + as_numbers(student.sigmoid(-z), "sigmoid(-z)"), np.ones_like(z),
                 what="sigmoid(z) + sigmoid(-z)")
    expect(bool(np.all(np.diff(s) >= 0)), "sigmoid is not increasing.")
