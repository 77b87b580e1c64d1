"""a2 · The sigmoid neuron with one input: f(x) = σ(w x + b)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close, show
from exercises.model import RedrawVariant
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "The sigmoid neuron"
CONCEPT = "a weighted input and a bias through the sigmoid"
SOLUTION = [sigmoid_fit.sigmoid_neuron]
MISTAKE_CODE = {f"sigmoid_neuron = {body}": f"def sigmoid_neuron(x, w, b):\n    x = np.asarray(x, float)\n    return {body}\n"
            for body in ("sigmoid(w * x - b)", "sigmoid(w * (x + b))", "w * x + b", "1 / (1 + np.exp(w * x + b))",
                         "sigmoid(w / x + b)")}


def params(rng: np.random.Generator) -> dict:
    """A weight, a bias and five inputs with pre-activations in [−5, 5], none near 0."""
    w, b = (round(float(v), 2) + 0.0 for v in rng.uniform(-2.5, 2.5, size=2))
    x = np.round(rng.uniform(-3.0, 3.0, size=5), 1) + 0.0  # + 0.0: no −0.0
    z = w * x + b
    if abs(w) < 0.3 or abs(b) < 0.3 or np.max(np.abs(z)) > 5 or np.min(np.abs(z)) < 0.1:
        raise RedrawVariant("a weight or bias too small to see, or a saturated or central input")
    return {"w": w, "b": b, "x": x.tolist()}


def prompt(params: dict) -> str:
    return f"""\
A **sigmoid neuron** with one input $x$, weight $w$ and bias $b$ puts its weighted
input through the sigmoid:

$$f(x) = \\sigma(w x + b) = \\frac{{1}}{{1 + e^{{-(w x + b)}}}}$$

The weight sets how steep the curve is (and which way it faces); the bias shifts it:
$f$ crosses ½ where $w x + b = 0$, at $x = -b / w$.

Implement `sigmoid_neuron(x, w, b)` using your `sigmoid` from above (so it stays
stable for large inputs). `x` may be a number or a numpy array of any shape (the
result has the same shape); `w` and `b` are numbers. Example:
`sigmoid_neuron(2.5, 0.5, 0.0)` is σ(1.25) ≈ 0.7773.

Your neuron: w = {params["w"]}, b = {params["b"]}; try it on x = {params["x"]}.
"""


@pytest.mark.points(1)
def test_sigmoid_neuron_example(student):
    expect_close(student.sigmoid_neuron(2.5, 0.5, 0.0), 1 / (1 + np.exp(-1.25)),
                 what="sigmoid_neuron(2.5, 0.5, 0.0)", hint="f(x) = σ(w·x + b) = σ(0.5 · 2.5 + 0).")


@pytest.mark.points(2)
def test_sigmoid_neuron_your_neuron(student, ref, params):
    x, w, b = np.array(params["x"]), params["w"], params["b"]
    expect_close(student.sigmoid_neuron(x, w, b), ref.sigmoid_neuron(x, w, b),
                 what=f"sigmoid_neuron({show(x)}, {w}, {b})", mistakes={
                     "The bias is added: σ(w·x + b), not σ(w·x − b).": ref.sigmoid_neuron(x, w, -b),
                     "The bias is not multiplied by w: σ(w·x + b), not σ(w·(x + b)).":
                         ref.sigmoid_neuron(x + b, w, 0.0),
                     "This is σ(−(w·x + b)) = 1 − f(x): the exponent is −(w·x + b).":
                         ref.sigmoid_neuron(x, -w, -b),
                     "The sigmoid is missing: return σ(w·x + b), not w·x + b.": w * x + b,
                 })


SHAPE_HINT = "Work elementwise with numpy: the output has the shape of x (no loops, no flattening)."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=SHAPE_HINT)
def test_sigmoid_neuron_keeps_the_shape(student, params):
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    expect_close(student.sigmoid_neuron(x, params["w"], params["b"]),
                 sigmoid_fit.sigmoid_neuron(x, params["w"], params["b"]), what="sigmoid_neuron on a (3, 4) array",
                 hint=SHAPE_HINT)


STABLE_HINT = "Call your stable sigmoid(w * x + b) instead of writing np.exp(-(w * x + b)) again."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=STABLE_HINT)
def test_sigmoid_neuron_is_stable(student):
    x = np.array([-500.0, -2.0, 0.0, 2.0, 500.0])
    expect_close(student.sigmoid_neuron(x, 20.0, -1.0), sigmoid_fit.sigmoid_neuron(x, 20.0, -1.0),
                 what="sigmoid_neuron with large |w·x + b|", hint=STABLE_HINT)
