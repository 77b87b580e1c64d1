"""a2 · Searching the error surface on a grid: why it does not scale, and where the minimum is."""
import numpy as np
import pytest

from exercises.a2_gradient_descent import draw_fit_data
from exercises.dlcheck import CheckFailed, expect, expect_close
from exercises.model import RedrawVariant
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "Grid search on the error surface"
CONCEPT = "the error surface L(w, b); exhaustive search and its cost"
SOLUTION = [sigmoid_fit.grid_search]
WRONG_SEARCH = """def grid_search(X, Y, lo, hi, steps):
    grid = {grid}
    best = None
    for w in grid:
        for b in grid:
            loss = {half} * np.sum((sigmoid_neuron(np.asarray(X), w, b) - Y) ** 2)
            if best is None or loss < best[2]:
                best = (float(w), float(b), float(loss))
    return {result}
"""
MISTAKE_CODE = {description: WRONG_SEARCH.format(**dict(dict(grid="np.linspace(lo, hi, steps)", half="0.5", result="best"),
                                               **fields))
            for description, fields in {
    "w and b swapped": dict(result="best[1], best[0], best[2]"),
    "the ½ missing": dict(half="1.0"),
    "a grid without its last point": dict(grid="np.arange(lo, hi, (hi - lo) / (steps - 1))"),
    "a sign mistake on b": dict(result="best[0], -best[1], best[2]"),
}.items()}
HIDDEN_ONLY = {"a grid without its last point": "a minimum on the edge is what a hidden check tests"}


def _unique_minimum(X: list, Y: list, lo: float, hi: float, steps: int) -> bool:
    """Is the grid's best loss clearly below the second best (no tie a rounding could flip)?"""
    grid = np.linspace(lo, hi, steps)
    S = np.sort(sigmoid_fit.error_surface(np.array(X), np.array(Y), grid, grid).ravel())
    return bool(S[1] - S[0] > 1e-9 * max(S[0], 1e-12) + 1e-12)


def params(rng: np.random.Generator) -> dict:
    """The student's data and a grid of (−6, 6)² with 25 to 61 points per axis and a unique minimum
    at neither w = 0 nor b = 0 (there −b for b, or −w for w, would find the same point)."""
    X, Y = draw_fit_data(rng)
    steps = int(rng.choice([25, 31, 41, 49, 61]))
    if not _unique_minimum(X, Y, -6.0, 6.0, steps):
        raise RedrawVariant("two grid points tie for the minimum")
    if 0.0 in sigmoid_fit.grid_search(np.array(X), np.array(Y), -6.0, 6.0, steps)[:2]:
        raise RedrawVariant("w = 0 or b = 0 at the minimum hides a sign mistake on that parameter")
    return {"X": X, "Y": Y, "lo": -6.0, "hi": 6.0, "steps": steps}


def prompt(params: dict) -> str:
    p = params
    return f"""\
With two parameters we can *look* at the loss: $L(w, b)$ over the $(w, b)$ plane is
the **error surface**, and its lowest point is the best fit. The simplest search
evaluates $L$ on a grid and keeps the smallest value. With $k$ grid values per
parameter it costs $k^{{\\,p}}$ evaluations for $p$ parameters: fine for $p = 2$,
hopeless for a network with thousands of weights, which is why we need gradient descent.

Implement `grid_search(X, Y, lo, hi, steps)`: evaluate
$L(w, b) = \\tfrac12 \\sum_i (\\sigma(w x_i + b) - y_i)^2$ for every `w` and every `b` in
`np.linspace(lo, hi, steps)` (both ends included) and return `(w, b, loss)` of the grid
point with the smallest loss, as floats. (Broadcasting evaluates the whole grid at once,
but two loops over your `error` are fine too.) Example: the slide's data
`X = [0.5, 2.5]`, `Y = [0.2, 0.9]` on `(-6, 6)` with 121 steps gives
`(1.8, -2.3, 2.42e-06)`, next to the exact fit w = 1.7918, b = −2.2822.

Your search: X = {p["X"]}, Y = {p["Y"]}, lo = {p["lo"]}, hi = {p["hi"]}, steps = {p["steps"]}.
"""


@pytest.mark.points(1)
def test_grid_search_slide_example(student, ref):
    X, Y = np.array([0.5, 2.5]), np.array([0.2, 0.9])
    got = student.grid_search(X, Y, -6.0, 6.0, 121)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailed("grid_search must return a triple (w, b, loss).", "End with `return w, b, loss`.")
    expect_close(got, ref.grid_search(X, Y, -6.0, 6.0, 121), what="grid_search on the slide's data",
                 hint="Use np.linspace(lo, hi, steps) for both w and b and return the argmin's (w, b, L).")


@pytest.mark.points(2)
def test_grid_search_your_data(student, ref, params):
    X, Y = np.array(params["X"]), np.array(params["Y"])
    lo, hi, steps = params["lo"], params["hi"], params["steps"]
    got = student.grid_search(X, Y, lo, hi, steps)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailed("grid_search must return a triple (w, b, loss).", "End with `return w, b, loss`.")
    w, b, loss = ref.grid_search(X, Y, lo, hi, steps)
    expect_close(got, [w, b, loss], what="grid_search on your data", mistakes={
        "w and b are swapped: return (w, b, loss), w the weight (the slope), b the bias.": [b, w, loss],
        "The loss is ½ Σ (f(x) − y)²: the ½ is missing.": [w, b, 2 * loss],
    }, hint="Search np.linspace(lo, hi, steps) (both ends included) for both parameters.")


EDGE_HINT = "This check searches data whose best grid point lies on the edge of the grid (lo or hi)."
NO_LAST = ("The grid misses its last point: search every grid point, including the last (np.linspace(lo, hi, steps) "
           "includes both ends, np.arange stops before hi).")


def search_grid(X: np.ndarray, Y: np.ndarray, grid: np.ndarray) -> tuple[float, float, float]:
    """(w, b, L) of the best point of ``grid`` × ``grid``: what a search over another grid returns."""
    L = sigmoid_fit.error_surface(X, Y, grid, grid)
    i, j = np.unravel_index(np.argmin(L), L.shape)
    return float(grid[j]), float(grid[i]), float(L[i, j])


RANGE_HINT = "This check searches another range and data: the grid is np.linspace(lo, hi, steps) for w and for b."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=RANGE_HINT)
def test_grid_search_other_range(student):
    X, Y = np.array([-1.0, 0.5, 2.0]), np.array([0.7, 0.45, 0.2])
    got = student.grid_search(X, Y, -3.0, 1.0, 9)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "must return (w, b, loss).", RANGE_HINT)
    expect_close(got, sigmoid_fit.grid_search(X, Y, -3.0, 1.0, 9), what="grid_search on another range",
                 hint=RANGE_HINT, mistakes={
                     "The loss adds y: its error term is f(x) − y, not f(x) + y.":
                         search_grid(X, -Y, np.linspace(-3.0, 1.0, 9)),
                     NO_LAST: search_grid(X, Y, np.linspace(-3.0, 1.0, 9)[:-1])})


@pytest.mark.points(1)
@pytest.mark.hidden(hint=EDGE_HINT)
def test_grid_search_minimum_on_the_edge(student):
    X, Y = np.array([0.0, 1.0]), np.array([0.95, 0.99])
    got = student.grid_search(X, Y, -1.0, 2.0, 7)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "must return (w, b, loss).", EDGE_HINT)
    expect_close(got, sigmoid_fit.grid_search(X, Y, -1.0, 2.0, 7), what="grid_search with an edge minimum",
                 hint=EDGE_HINT, mistakes={NO_LAST: search_grid(X, Y, np.linspace(-1.0, 2.0, 7)[:-1])})
