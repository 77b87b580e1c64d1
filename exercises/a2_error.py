"""a2 · The loss of the fit: L(w, b) = ½ Σ (f(xᵢ) − yᵢ)²."""
import numpy as np
import pytest

from exercises.a2_gradient_descent import draw_fit_data
from exercises.dlcheck import expect, expect_close
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "The squared error of the fit"
CONCEPT = "half sum of squared errors as the objective"
SOLUTION = [sigmoid_fit.error]
MISTAKE_CODE = {f"error = {body}": "def error(w, b, X, Y):\n    Y = np.asarray(Y, float)\n"
                                 f"    f = sigmoid_neuron(np.asarray(X, float), w, b)\n    return {body}\n"
            for body in ("float(0.5 * (f[0] - Y[0]) ** 2 + (f[1] - Y[1]) ** 2)", "float(0.5 * np.mean((f - Y) ** 2))",
                         "float(np.sum((f - Y) ** 2))", "0.5 * (f - Y) ** 2", "float(0.5 * np.sum(f - Y))",
                         "float(0.5 * np.sum((f + Y) ** 2))", "float(0.5 * np.sum(np.abs(f - Y)))")}


def params(rng: np.random.Generator) -> dict:
    """The student's two points and one guess (w, b) in [−3, 3]²."""
    X, Y = draw_fit_data(rng)
    w, b = (round(float(v), 2) + 0.0 for v in rng.uniform(-3.0, 3.0, size=2))
    return {"X": X, "Y": Y, "w": w, "b": b}


def prompt(params: dict) -> str:
    return f"""\
To fit a sigmoid neuron $f(x) = \\sigma(w x + b)$ to data we need a number saying
how bad a guess $(w, b)$ is: the **squared error loss**

$$L(w, b) = \\frac12 \\sum_{{i=1}}^{{n}} \\bigl(f(x_i) - y_i\\bigr)^2 .$$

Conventions: a **sum** over the points (not a mean), and the ½ multiplies the *whole*
sum. (A slide writes $\\tfrac12 (y_1 - f(x_1))^2 + (y_2 - f(x_2))^2$: that bracketing
is a typo; only ½ Σ reproduces its numbers.) The ½ is there so that the derivative
has no factor 2.

Implement `error(w, b, X, Y)` for data arrays `X`, `Y` of shape `(n,)`, returning a
float; use your `sigmoid_neuron`. Example: the slide's data `X = [0.5, 2.5]`,
`Y = [0.2, 0.9]` and the guess `w = 0.5, b = 0` give $L \\approx 0.0731$.

Your data: X = {params["X"]}, Y = {params["Y"]}; try the guess w = {params["w"]}, b = {params["b"]}.
"""


@pytest.mark.points(1)
def test_error_slide_example(student):
    expect_close(student.error(0.5, 0.0, np.array([0.5, 2.5]), np.array([0.2, 0.9])), 0.07311357093,
                 what="error(0.5, 0, [0.5, 2.5], [0.2, 0.9])", rtol=1e-6,
                 hint="L = ½ [(σ(0.25) − 0.2)² + (σ(1.25) − 0.9)²]: ½ of the sum of both squares.")


@pytest.mark.points(2)
def test_error_your_data(student, ref, params):
    X, Y, w, b = np.array(params["X"]), np.array(params["Y"]), params["w"], params["b"]
    f = ref.sigmoid_neuron(X, w, b)
    expect_close(student.error(w, b, X, Y), ref.error(w, b, X, Y), what=f"error({w}, {b}, X, Y) on your data",
                 mistakes={
                     "The ½ covers the whole sum: ½[(f(x₁) − y₁)² + (f(x₂) − y₂)²], the slide's bracketing is a typo.":
                         0.5 * (f[0] - Y[0]) ** 2 + (f[1] - Y[1]) ** 2,
                     "L is ½ times the sum of the squared errors, not ½ times their mean.":
                         0.5 * np.mean((f - Y) ** 2),
                     "The ½ is missing: L = ½ Σ (f(x) − y)².": np.sum((f - Y) ** 2),
                 })


MANY_HINT = "Sum over all n points (not a mean, not only the first two) and multiply by ½ once."


def error_mistakes(f: np.ndarray, Y: np.ndarray) -> dict[str, float]:
    """Recognisers for L = ½ Σ (f − y)²: hint -> what L written with that mistake returns."""
    return {
        "The error term is f(x) − y, not f(x) + y.": 0.5 * float(np.sum((f + Y) ** 2)),
        "The squares are missing: L = ½ Σ (f(x) − y)², each error squared before the sum.": 0.5 * float(np.sum(f - Y)),
        "L squares the errors; this is ½ Σ |f(x) − y|.": 0.5 * float(np.sum(np.abs(f - Y))),
    }


@pytest.mark.points(1)
@pytest.mark.hidden(hint=MANY_HINT)
def test_error_more_points(student):
    X = np.array([-2.0, -0.5, 0.0, 1.0, 2.5])
    Y = np.array([0.1, 0.4, 0.5, 0.55, 0.95])
    expect_close(student.error(1.2, -0.3, X, Y), sigmoid_fit.error(1.2, -0.3, X, Y),
                 what="error on five points", hint=MANY_HINT,
                 mistakes=error_mistakes(sigmoid_fit.sigmoid_neuron(X, 1.2, -0.3), Y))


NUMBER_HINT = "Return one number (a float), not an array of per-point errors."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=NUMBER_HINT)
def test_error_is_one_number(student, params):
    got = student.error(params["w"], params["b"], np.array(params["X"]), np.array(params["Y"]))
    expect(np.ndim(got) == 0 and isinstance(got, (int, float)), "error did not return a single float.",
           NUMBER_HINT)
    expect_close(student.error(1.0, 0.5, np.array([1.0]), np.array([0.25])), sigmoid_fit.error(
        1.0, 0.5, np.array([1.0]), np.array([0.25])), what="error on a single point", hint=NUMBER_HINT)
