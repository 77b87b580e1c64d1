"""Tests for reference.sigmoid_fit: the sigmoid neuron fitted to (0.5, 0.2), (2.5, 0.9).

Expected values are the course's worked numbers (COURSE_NOTES.md section 2),
closed forms worked out by hand (σ(ln 3) = 3/4, the exact fit w = ln 6) and
centred finite differences of the loss.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.sigmoid_fit import (
    error,
    error_surface,
    exact_fit,
    grad_b,
    grad_w,
    gradient_descent,
    grid_search,
    sigmoid,
    sigmoid_neuron,
)

X = np.array([0.5, 2.5])
Y = np.array([0.2, 0.9])
EXACT_W = math.log(6)  # (logit 0.9 − logit 0.2) / 2 = (ln 9 + ln 4) / 2
EXACT_B = -math.log(4 * math.sqrt(6))  # logit 0.2 − w/2 = −ln 4 − ½ ln 6


def central_difference(f, x: float, h: float = 1e-6) -> float:
    """(f(x + h) − f(x − h)) / 2h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def sigmoid_by_hand(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# ---------------------------------------------------------------- sigmoid


def test_sigmoid_hand_values():
    """Is σ(0) = 1/2, σ(ln 3) = 3/4 and σ(−ln 3) = 1/4 (both branches of the formula)?"""
    np.testing.assert_allclose(sigmoid(np.array([0.0, math.log(3), -math.log(3)])), [0.5, 0.75, 0.25], rtol=1e-15)


def test_sigmoid_is_stable_for_huge_inputs():
    """Is σ free of overflow, invalid-value warnings and NaN for |z| up to 1e4?"""
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out = sigmoid(z)
    assert not np.isnan(out).any()
    np.testing.assert_allclose(out, [0.0, 0.0, math.exp(-50), 0.5, 1.0, 1.0, 1.0], rtol=1e-12, atol=0)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.floats(-700, 700))
def test_sigmoid_symmetry(z):
    """Is σ(−z) = 1 − σ(z)?"""
    assert sigmoid(-z) == pytest.approx(1 - sigmoid(z), abs=1e-15)


def test_sigmoid_keeps_shape():
    """Does σ keep the shape of its input?"""
    assert sigmoid(np.zeros((2, 3, 4))).shape == (2, 3, 4)


def test_sigmoid_neuron_hand_values():
    """Is f(x) = σ(wx + b): f(0.5; w=2, b=−1) = σ(0) and f(2; w=ln 3, b=−ln 3) = σ(ln 3)?"""
    assert sigmoid_neuron(0.5, 2.0, -1.0) == pytest.approx(0.5)
    assert sigmoid_neuron(2.0, math.log(3), -math.log(3)) == pytest.approx(0.75)


# ---------------------------------------------------------------- loss


def test_error_half_covers_whole_sum():
    """Is L(0, 0) = ½(0.3² + 0.4²) = 0.125 (not the typo's ½·0.3² + 0.4² = 0.205)?"""
    assert error(0.0, 0.0, X, Y) == pytest.approx(0.125, abs=1e-15)


@pytest.mark.parametrize(
    ("w", "b", "loss"),
    [
        (0.50, 0.00, 0.0731),
        (-0.10, 0.00, 0.1481),
        (0.94, -0.94, 0.0217),
        (1.42, -1.73, 0.0029),
        (1.65, -2.08, 0.0003),
        (1.78, -2.27, 0.0000),
    ],
)
def test_error_guess_work_table(w, b, loss):
    """Does L(w, b) reproduce the course's recomputed guess-work table at 4 decimals?"""
    assert round(error(w, b, X, Y), 4) == loss


def test_error_rejects_mismatched_data():
    """Is X of a different length from Y refused?"""
    with pytest.raises(ValueError, match="same length"):
        error(0.0, 0.0, np.array([0.5, 2.5]), np.array([0.2]))


# ---------------------------------------------------------------- gradients


def test_gradients_hand_values():
    """At w = b = 0, x = 0.5, y = 0.2: is ∇w = 0.3·0.25·0.5 = 0.0375 and ∇b = 0.075?"""
    assert grad_w(0.0, 0.0, 0.5, 0.2) == pytest.approx(0.0375, abs=1e-15)
    assert grad_b(0.0, 0.0, 0.5, 0.2) == pytest.approx(0.075, abs=1e-15)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(
    w=st.floats(-3, 3),
    b=st.floats(-3, 3),
    x=st.floats(-3, 3),
    y=st.floats(0, 1),
)
def test_gradients_match_finite_differences(w, b, x, y):
    """Do ∇w and ∇b agree with centred finite differences of L on one point?"""
    dw = central_difference(lambda v: error(v, b, [x], [y]), w)
    db = central_difference(lambda v: error(w, v, [x], [y]), b)
    assert grad_w(w, b, x, y) == pytest.approx(dw, abs=1e-8)
    assert grad_b(w, b, x, y) == pytest.approx(db, abs=1e-8)


# ---------------------------------------------------------------- gradient descent


def test_gradient_descent_one_step_by_hand():
    """From (0, 0) with η = 1: is the update (0.2125, 0.025) and losses[0] the loss after it?"""
    # ∇w = 0.3·0.25·0.5 + (−0.4)·0.25·2.5 = −0.2125 ; ∇b = 0.075 − 0.1 = −0.025
    w, b, losses = gradient_descent(X, Y, 0.0, 0.0, 1.0, 1)
    assert (w, b) == pytest.approx((0.2125, 0.025), abs=1e-15)
    after = 0.5 * sum((sigmoid_by_hand(0.2125 * x + 0.025) - y) ** 2 for x, y in zip(X, Y))
    assert losses.shape == (1,)
    assert losses[0] == pytest.approx(after, abs=1e-15)


def test_gradient_descent_slide_program():
    """Does the slide's program (−2, −2, η = 1, 1000 epochs) end near w ≈ 1.7917, b ≈ −2.2821?"""
    w, b, losses = gradient_descent(X, Y, -2.0, -2.0, 1.0, 1000)
    assert w == pytest.approx(1.7917, abs=1e-3)
    assert b == pytest.approx(-2.2821, abs=1e-3)
    assert losses.shape == (1000,)
    assert losses[-1] < 1e-9
    assert losses[-1] == pytest.approx(error(w, b, X, Y), abs=1e-18)
    assert losses[-1] < losses[0]


def test_gradient_descent_zero_epochs():
    """Do zero epochs return the start point and no losses?"""
    w, b, losses = gradient_descent(X, Y, 0.3, -0.7, 1.0, 0)
    assert (w, b) == (0.3, -0.7)
    assert losses.shape == (0,)


@pytest.mark.parametrize(("eta", "epochs", "message"), [(0.0, 10, "eta"), (1.0, -1, "epochs"), (1.0, 2.5, "epochs")])
def test_gradient_descent_rejects_bad_settings(eta, epochs, message):
    """Are a non-positive learning rate and a bad epoch count refused?"""
    with pytest.raises(ValueError, match=message):
        gradient_descent(X, Y, 0.0, 0.0, eta, epochs)


# ---------------------------------------------------------------- exact fit, grid search, surface


def test_exact_fit_course_points():
    """Is the exact fit w = ln 6 = 1.791759…, b = −ln(4√6) = −2.282174…?"""
    w, b = exact_fit((0.5, 0.2), (2.5, 0.9))
    assert w == pytest.approx(EXACT_W, abs=1e-12)
    assert b == pytest.approx(EXACT_B, abs=1e-12)
    assert w == pytest.approx(1.791759, abs=1e-6) and b == pytest.approx(-2.282174, abs=1e-6)
    assert error(w, b, X, Y) < 1e-25


@pytest.mark.parametrize(("p1", "p2", "message"), [((0.5, 0.0), (2.5, 0.9), r"\(0, 1\)"), ((1.0, 0.2), (1.0, 0.9), "different x")])
def test_exact_fit_rejects_impossible_points(p1, p2, message):
    """Are y outside (0, 1) and equal x refused?"""
    with pytest.raises(ValueError, match=message):
        exact_fit(p1, p2)


def test_grid_search_finds_cell_nearest_exact_fit():
    """On a 0.1-spaced grid of [−6, 6]², is the best cell (1.8, −2.3), nearest the exact fit?"""
    w, b, loss = grid_search(X, Y, -6.0, 6.0, 121)
    assert w == pytest.approx(1.8, abs=1e-9) and b == pytest.approx(-2.3, abs=1e-9)
    assert abs(w - EXACT_W) <= 0.05 and abs(b - EXACT_B) <= 0.05
    assert loss == pytest.approx(error(1.8, -2.3, X, Y), rel=1e-12)


def test_grid_search_matches_brute_force_loop():
    """Does the vectorised search agree with a plain double loop on a coarse grid?"""
    grid = np.linspace(-6, 6, 13)
    best = min((error(w, b, X, Y), w, b) for w in grid for b in grid)
    w, b, loss = grid_search(X, Y, -6.0, 6.0, 13)
    assert (loss, w, b) == pytest.approx(best, abs=1e-12)
    assert (w, b) == pytest.approx((2.0, -3.0))


def test_grid_search_rejects_bad_grid():
    """Are an empty range and a one-point grid refused?"""
    with pytest.raises(ValueError, match="lo < hi"):
        grid_search(X, Y, 1.0, 1.0, 10)
    with pytest.raises(ValueError, match="steps"):
        grid_search(X, Y, -1.0, 1.0, 1)


def test_error_surface_layout():
    """Is S[i, j] = L(ws[j], bs[i]) with shape (len(bs), len(ws))?"""
    ws = np.array([0.5, -0.1, 1.42])
    bs = np.array([0.0, -1.73])
    S = error_surface(X, Y, ws, bs)
    assert S.shape == (2, 3)
    assert round(S[0, 0], 4) == 0.0731 and round(S[0, 1], 4) == 0.1481 and round(S[1, 2], 4) == 0.0029
    assert S[0, 0] == pytest.approx(0.5 * ((sigmoid_by_hand(0.25) - 0.2) ** 2 + (sigmoid_by_hand(1.25) - 0.9) ** 2))
