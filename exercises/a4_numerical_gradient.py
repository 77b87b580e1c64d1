"""a4 · Numerical gradient: centred finite differences, the independent check of backpropagation.

The function ``f`` is an argument, and callables cross into the grader's
sandbox only as ``autograder.authoring.Code("lambda x: ...")``; public checks
cannot build one (the notebook has only numpy and dlcheck), so the checks that
call ``f`` are hidden and the prompt gives the student an example to try; the one
public check is about the step ``h`` and passes ``f=None``.
"""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, LocalStudent, expect, expect_close
from reference import mlp

ASSIGNMENT = "a4"
TITLE = "Numerical gradient"
CONCEPT = "centred finite differences, gradient checking"
SOLUTION = [mlp.numerical_gradient]


def params(rng: np.random.Generator) -> dict:
    """The point x (6 values in [-2, 2], 2 decimals) and the weights c of f(x) = Σ c x³."""
    x = np.round(rng.uniform(-2.0, 2.0, 6), 2)
    c = np.round(rng.uniform(0.5, 2.0, 6), 1) * rng.choice([-1, 1], 6)
    return {"x": x.tolist(), "c": c.tolist()}


def prompt(params: dict) -> str:
    return f"""\
Backpropagation is fast but easy to get subtly wrong. The independent check is the
**numerical gradient**: nudge one coordinate at a time by a small step $h$ and measure how
much a scalar function $f$ changes, with the **centred** difference

$$\\frac{{\\partial f}}{{\\partial x_i}} \\approx \\frac{{f(x + h\\,e_i) - f(x - h\\,e_i)}}{{2h}}$$

($e_i$ is the unit vector of coordinate $i$). Its error shrinks like $h^2$, while the
one-sided difference $(f(x + h e_i) - f(x))/h$ is only accurate to order $h$.

Implement `numerical_gradient(f, x, h=1e-5)`: `f` takes an array of the shape of `x` and
returns a number; `x` may have any shape (a vector, a matrix…) and may hold integers; the
result is a float array of the shape of `x`. Work on a float copy of `x`, change one entry,
evaluate, and **put the entry back** before moving to the next one (`np.ndindex(x.shape)`
visits every index). Use the step `h` you are given; a step that is not positive makes no
sense: raise a `ValueError` that says so, before evaluating `f`.

Try it: with `c = np.array({params["c"]})` and `f = lambda x: np.sum(c * x**3)`, the gradient at
`x = np.array({params["x"]})` is `3 * c * x**2`.
"""


def _function(student, source: str):
    """``source`` as an argument of the student's function: a Code in the grader, a lambda locally."""
    if isinstance(student, LocalStudent):
        return eval(source, {"np": np})  # trusted source written in this module
    from autograder.authoring import Code
    return Code(source)


def _source_weighted_cubes(c: list) -> str:
    return f"lambda x: float(np.sum(np.array({c!r}) * np.asarray(x) ** 3))"


def _per_coordinate(f, x: np.ndarray, h: float, quotient) -> np.ndarray:
    """``quotient(f(x + h e_i), f(x), f(x − h e_i), h)`` for every index i: a difference quotient written out."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = quotient(f(x + step), f(x), f(x - step), h)
    return grad


def _one_sided(f, x: np.ndarray, h: float) -> np.ndarray:
    return _per_coordinate(f, x, h, lambda up, here, down, h: (up - here) / h)


def _summed(f, x: np.ndarray, h: float) -> np.ndarray:
    """The two evaluations added instead of subtracted."""
    return _per_coordinate(f, x, h, lambda up, here, down, h: (up + down) / (2 * h))


def _not_restored(f, x: np.ndarray, h: float) -> np.ndarray:
    """Each entry left at x_i − h after its difference (the entry is never put back)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += h
        f_plus = f(x)
        x[index] -= 2 * h
        grad[index] = (f_plus - f(x)) / (2 * h)
    return grad


@pytest.mark.points(1)
def test_a_step_that_is_not_positive_is_refused(student):
    for h in (0.0, -1e-5):
        try:
            student.numerical_gradient(None, np.array([1.0, 2.0]), h)
        except Exception as err:  # the student's exception arrives wrapped, with its type's name
            name = getattr(err, "type_name", type(err).__name__)
            expect(name == "ValueError", f"numerical_gradient(f, x, h={h}) raised {name}, not ValueError.",
                   "Check h first: if not h > 0: raise ValueError(f'the step h must be positive, got {h}').")
        else:
            raise CheckFailed(f"numerical_gradient(f, x, h={h}) returned instead of raising a ValueError.",
                              "Check h first: if not h > 0: raise ValueError(...).")


ONE_SIDED = "This is the one-sided difference (f(x+h) − f(x))/h: use the centred (f(x+h) − f(x−h))/(2h)."
SUMMED = "The two evaluations are added: the centred difference subtracts them, (f(x+h) − f(x−h))/(2h)."
NOT_RESTORED = "Put each entry back to its original value before perturbing the next one."


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Centred difference per coordinate: (f(x + h e_i) − f(x − h e_i)) / (2h).")
def test_gradient_of_a_cubic_at_your_point(student, params):
    x, c = np.array(params["x"]), params["c"]
    source = _source_weighted_cubes(c)
    f = eval(source, {"np": np})
    got = student.numerical_gradient(_function(student, source), x)
    expect_close(got, 3 * np.array(c) * x**2, rtol=1e-6, atol=1e-7, what="numerical_gradient of Σ c x³",
                 mistakes={ONE_SIDED: _one_sided(f, x, 1e-5), SUMMED: _summed(f, x, 1e-5)})


@pytest.mark.points(1)
@pytest.mark.hidden(hint="The result has the shape of x, also for a matrix: loop with np.ndindex(x.shape).")
def test_gradient_keeps_the_shape_of_a_matrix(student, params):
    x = np.array(params["x"]).reshape(2, 3)
    source = "lambda x: float(np.sum(np.sin(x)) + np.sum(x[0] * x[1]))"
    expected = np.cos(x) + x[::-1]
    expect_close(student.numerical_gradient(_function(student, source), x), expected,
                 rtol=1e-6, atol=1e-8, what="numerical_gradient on a (2, 3) matrix")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=NOT_RESTORED)
def test_entries_are_put_back(student, params):
    x = np.array(params["x"])
    source = "lambda x: float(np.prod(np.asarray(x)[:3]) + np.asarray(x)[3] * np.asarray(x)[5] ** 2)"
    f = eval(source, {"np": np})
    expected = mlp.numerical_gradient(f, x)
    expect_close(student.numerical_gradient(_function(student, source), x), expected, rtol=1e-6,
                 atol=1e-8, what="numerical_gradient of a function mixing coordinates",
                 mistakes={NOT_RESTORED: _not_restored(f, x, 1e-5)})


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Use the step h passed as an argument, not a fixed 1e-5.")
def test_uses_the_given_step(student, params):
    x = np.array(params["x"])
    source = "lambda x: float(np.sum(np.exp(np.asarray(x))))"
    expected = (np.exp(x + 0.1) - np.exp(x - 0.1)) / 0.2  # differs from e^x by about h²/6 · e^x
    expect_close(student.numerical_gradient(_function(student, source), x, 0.1), expected, rtol=1e-9,
                 what="numerical_gradient with h = 0.1")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="An integer array cannot hold x + h: work on a float copy, np.array(x, dtype=float).")
def test_integer_input(student):
    x = np.array([1, -2, 3])
    source = "lambda x: float(np.sum(np.asarray(x) ** 2))"
    expect_close(student.numerical_gradient(_function(student, source), x), 2.0 * x, rtol=1e-6,
                 what="numerical_gradient at an integer point")
