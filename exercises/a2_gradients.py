"""a2 · The gradient of the loss for one point: ∇w and ∇b of ½ (f(x) − y)²."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close
from exercises.model import RedrawVariant
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "Gradients of the loss"
CONCEPT = "chain rule through the sigmoid: σ' = σ(1 − σ)"
SOLUTION = [sigmoid_fit.grad_w, sigmoid_fit.grad_b]
MISTAKE_CODE = {f"grad_w = {gw}, grad_b = {gb}": (
    "def grad_w(w, b, x, y):\n    f = sigmoid_neuron(x, w, b)\n    z = w * np.asarray(x) + b\n"
    f"    return {gw}\n\ndef grad_b(w, b, x, y):\n    f = sigmoid_neuron(x, w, b)\n    z = w * np.asarray(x) + b\n"
    f"    return {gb}\n") for gw, gb in [
        ("(f - y) * f * (1 - f)", "(f - y) * f * (1 - f) * x"), ("(f - y) * x", "f - y"),
        ("(f - y) * z * (1 - z) * x", "(f - y) * z * (1 - z)"), ("(y - f) * f * (1 - f) * x", "(y - f) * f * (1 - f)"),
        ("(f + y) * f * (1 - f) * x", "(f + y) * f * (1 - f)"), ("(f - y) * f * (1 + f) * x", "(f - y) * f * (1 + f)"),
        ("2 * (f - y) * f * (1 - f) * x", "2 * (f - y) * f * (1 - f)")]}


def params(rng: np.random.Generator) -> dict:
    """A weight, a bias and one point (x, y), not saturated, with x away from 0 and 1."""
    w, b = (round(float(v), 2) + 0.0 for v in rng.uniform(-2.0, 2.0, size=2))
    x = round(float(rng.uniform(-2.0, 3.0)), 1) + 0.0
    y = round(float(rng.uniform(0.1, 0.9)), 2)
    z = w * x + b
    f = 1 / (1 + np.exp(-z))
    if abs(z) > 3 or min(abs(x), abs(x - 1), abs(x + 1)) < 0.3 or abs(f - y) < 0.1 or abs(z) < 0.2:
        raise RedrawVariant("saturated, x too close to 0 or ±1, or a fit too close to see a gradient")
    if min(abs(z), abs(1 - z)) < 0.2 or abs(f * (1 - f) - z * (1 - z)) < 0.01:
        raise RedrawVariant("the σ'(z) mistake z(1 − z) would be close to the right factor")
    return {"w": w, "b": b, "x": x, "y": y}


def prompt(params: dict) -> str:
    p = params
    return f"""\
Gradient descent needs the slope of the loss. For **one point** $(x, y)$ the loss is
$\\tfrac12 (f(x) - y)^2$ with $f(x) = \\sigma(wx + b)$. The chain rule gives

$$\\nabla_w = \\frac{{\\partial}}{{\\partial w}} \\tfrac12 (f(x) - y)^2
= (f(x) - y)\\, \\frac{{\\partial f(x)}}{{\\partial w}}
= (f(x) - y)\\, f(x)\\,\\bigl(1 - f(x)\\bigr)\\, x ,$$

$$\\nabla_b = (f(x) - y)\\, f(x)\\,\\bigl(1 - f(x)\\bigr),$$

using the derivative of the sigmoid, $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$, written in
terms of its **output** $f(x) = \\sigma(z)$ (not of $z = wx + b$), and
$\\partial (wx + b) / \\partial w = x$, $\\partial (wx + b) / \\partial b = 1$. The ½ cancels the 2
of the square.

Implement `grad_w(w, b, x, y)` and `grad_b(w, b, x, y)` with your `sigmoid_neuron`.
`x` and `y` are numbers; with numpy operations they also work on arrays of points
(one gradient per point), which the next exercise can use.
Example: `grad_w(0.5, 0.0, 2.5, 0.9)` ≈ −0.05310 and `grad_b(0.5, 0.0, 2.5, 0.9)` ≈ −0.02124.

Your point: w = {p["w"]}, b = {p["b"]}, (x, y) = ({p["x"]}, {p["y"]}).
"""


@pytest.mark.points(1)
def test_gradients_example(student, ref):
    expect_close(student.grad_w(0.5, 0.0, 2.5, 0.9), ref.grad_w(0.5, 0.0, 2.5, 0.9),
                 what="grad_w(0.5, 0.0, 2.5, 0.9)")
    expect_close(student.grad_b(0.5, 0.0, 2.5, 0.9), ref.grad_b(0.5, 0.0, 2.5, 0.9),
                 what="grad_b(0.5, 0.0, 2.5, 0.9)")


@pytest.mark.points(2)
def test_grad_w_your_point(student, ref, params):
    w, b, x, y = params["w"], params["b"], params["x"], params["y"]
    f = ref.sigmoid_neuron(x, w, b)
    z = w * x + b
    expect_close(student.grad_w(w, b, x, y), ref.grad_w(w, b, x, y), what=f"grad_w({w}, {b}, {x}, {y})",
                 mistakes={
                     "∇w has a factor x (∂(wx + b)/∂w = x): this is ∇b.": (f - y) * f * (1 - f),
                     "The sigmoid's derivative f(x)(1 − f(x)) is missing.": (f - y) * x,
                     "σ'(z) is f(1 − f) with f = σ(z), the output, not z(1 − z).": (f - y) * z * (1 - z) * x,
                 })


@pytest.mark.points(2)
def test_grad_b_your_point(student, ref, params):
    w, b, x, y = params["w"], params["b"], params["x"], params["y"]
    f = ref.sigmoid_neuron(x, w, b)
    z = w * x + b
    expect_close(student.grad_b(w, b, x, y), ref.grad_b(w, b, x, y), what=f"grad_b({w}, {b}, {x}, {y})",
                 mistakes={
                     "∇b has no factor x (∂(wx + b)/∂b = 1): this is ∇w.": (f - y) * f * (1 - f) * x,
                     "The sigmoid's derivative f(x)(1 − f(x)) is missing.": f - y,
                     "σ'(z) is f(1 − f) with f = σ(z), the output, not z(1 − z).": (f - y) * z * (1 - z),
                 })


FD_HINT = "This check compares ∇w and ∇b with centred finite differences of ½(f(x) − y)² at three points."


def derivative_mistakes(f: np.ndarray, y: np.ndarray, dz: np.ndarray) -> dict[str, np.ndarray]:
    """Recognisers for a gradient (f − y)·σ'·dz (dz = x for ∇w, 1 for ∇b): hint -> what a gradient
    written with that mistake returns, computed here from the model's f (instructor code only)."""
    return {
        "The error term is f(x) − y, not f(x) + y.": (f + y) * f * (1 - f) * dz,
        "σ'(z) = f(1 − f), not f(1 + f).": (f - y) * f * (1 + f) * dz,
        "σ'(z) = f(1 − f) is a product, not the quotient f / (1 − f).": (f - y) * f / (1 - f) * dz,
        "σ'(z) = f(1 − f), not (1 − f) / f.": (f - y) * (1 - f) / f * dz,
    }


@pytest.mark.points(1)
@pytest.mark.hidden(hint=FD_HINT)
def test_gradients_match_finite_differences(student):
    h = 1e-6

    def loss(w, b, x, y):
        return 0.5 * (sigmoid_fit.sigmoid_neuron(x, w, b) - y) ** 2

    for w, b, x, y in [(-1.3, 0.4, 2.2, 0.7), (0.8, -2.1, -1.5, 0.05), (2.0, 1.0, 0.35, 0.99)]:
        f = sigmoid_fit.sigmoid_neuron(x, w, b)
        expect_close(student.grad_w(w, b, x, y), (loss(w + h, b, x, y) - loss(w - h, b, x, y)) / (2 * h),
                     what="grad_w", rtol=1e-5, atol=1e-9, hint=FD_HINT, mistakes=derivative_mistakes(f, y, x))
        expect_close(student.grad_b(w, b, x, y), (loss(w, b + h, x, y) - loss(w, b - h, x, y)) / (2 * h),
                     what="grad_b", rtol=1e-5, atol=1e-9, hint=FD_HINT, mistakes=derivative_mistakes(f, y, 1.0))


ARRAY_HINT = "Use numpy operations (your sigmoid_neuron, *, -) so arrays of points give one gradient each."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=ARRAY_HINT)
def test_gradients_work_on_arrays(student):
    X, Y = np.array([0.5, 2.5, -1.0]), np.array([0.2, 0.9, 0.4])
    f = sigmoid_fit.sigmoid_neuron(X, 0.3, -0.2)
    expect_close(student.grad_w(0.3, -0.2, X, Y), sigmoid_fit.grad_w(0.3, -0.2, X, Y),
                 what="grad_w on three points", hint=ARRAY_HINT, mistakes=derivative_mistakes(f, Y, X))
    expect_close(student.grad_b(0.3, -0.2, X, Y), sigmoid_fit.grad_b(0.3, -0.2, X, Y),
                 what="grad_b on three points", hint=ARRAY_HINT, mistakes=derivative_mistakes(f, Y, 1.0))
