"""Tests for reference.textbook_backprop: Han & Kamber's worked example."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from reference.mlp import backward, forward
from reference.textbook_backprop import TEXTBOOK_EXAMPLE, backprop_step, textbook_forward, textbook_table

# The slides' tables (004, COURSE_NOTES.md section 6), as printed.
PRINTED = {
    "I4": -0.7, "I5": 0.1, "I6": -0.105,
    "O4": 0.332, "O5": 0.525, "O6": 0.474,
    "Err6": 0.1311, "Err5": -0.0065, "Err4": -0.0087,
    "w46": -0.261, "w56": -0.138, "w14": 0.192, "w15": -0.306, "w24": 0.4, "w25": 0.1,
    "w34": -0.508, "w35": 0.194, "theta6": 0.218, "theta5": 0.194, "theta4": -0.408,
}


def printed_digits(value: float) -> int:
    """How many decimals the slide prints for this value."""
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("key", sorted(set(PRINTED) - {"Err6"}))
def test_table_reproduces_the_slides(key):
    """Does each number of the worked example round to the slide's printed value?"""
    ex = TEXTBOOK_EXAMPLE
    table = textbook_table(ex["x"], ex["target"], ex["params"], ex["lr"])
    expected = PRINTED[key]
    assert round(table[key], printed_digits(expected)) == pytest.approx(expected, abs=1e-12)


def test_err6_differs_from_the_slide_only_by_the_slides_rounding():
    """Is Err₆ = 0.13117 (slide: 0.1311, computed there from O₆ rounded to 0.474)?

    Unrounded, O₆ = 0.47388 and Err₆ = 0.131169, which rounds to 0.1312; the slide
    evaluates (0.474)(1 − 0.474)(1 − 0.474) = 0.131145 → 0.1311.
    """
    ex = TEXTBOOK_EXAMPLE
    table = textbook_table(ex["x"], ex["target"], ex["params"], ex["lr"])
    assert table["Err6"] == pytest.approx(0.1311, abs=1e-4)
    assert round(table["Err6"], 4) == 0.1312
    o6 = round(table["O6"], 3)
    assert round(o6 * (1 - o6) * (ex["target"] - o6), 4) == PRINTED["Err6"]


def test_backprop_step_returns_errors_and_same_keys():
    """Does backprop_step return the 11 keys and the errors keyed 4, 5, 6?"""
    ex = TEXTBOOK_EXAMPLE
    original = dict(ex["params"])
    new_params, errors = backprop_step(ex["x"], ex["target"], ex["params"], ex["lr"])
    assert set(new_params) == set(original)
    assert set(errors) == {4, 5, 6}
    assert errors[6] == pytest.approx(0.131169, abs=1e-6)
    assert ex["params"] == original  # the input dict is not modified


def test_errors_use_the_old_weights():
    """Is Err₄ computed with the old w46 (not the updated one)?"""
    ex = TEXTBOOK_EXAMPLE
    _, errors = backprop_step(ex["x"], ex["target"], ex["params"], ex["lr"])
    o4 = 1 / (1 + np.exp(0.7))  # I4 = -0.7
    assert errors[4] == pytest.approx(o4 * (1 - o4) * errors[6] * -0.3, rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_step_equals_gradient_descent_on_the_equivalent_mlp(seed):
    """Is the textbook update w − l·∂L/∂w for L = ½(T − O₆)² on the same 3-2-1 network?"""
    rng = np.random.default_rng(seed)
    names = ["w14", "w15", "w24", "w25", "w34", "w35", "w46", "w56", "theta4", "theta5", "theta6"]
    p = dict(zip(names, rng.uniform(-1, 1, size=11)))
    x, target, lr = rng.uniform(-1, 1, size=3), float(rng.uniform(0, 1)), 0.5
    params = [
        (np.array([[p["w14"], p["w24"], p["w34"]], [p["w15"], p["w25"], p["w35"]]]), np.array([p["theta4"], p["theta5"]])),
        (np.array([[p["w46"], p["w56"]]]), np.array([p["theta6"]])),
    ]
    acts = ["sigmoid", "sigmoid"]
    _, cache = forward(x, params, acts)
    (dW1, db1), (dW2, db2) = backward(np.array([target]), cache, params, acts, "mse")
    new, errors = backprop_step(x, target, p, lr)
    np.testing.assert_allclose(
        [new["w14"], new["w24"], new["w34"], new["w15"], new["w25"], new["w35"]],
        (params[0][0] - lr * dW1).ravel(),
    )
    np.testing.assert_allclose([new["w46"], new["w56"]], (params[1][0] - lr * dW2).ravel())
    np.testing.assert_allclose([new["theta4"], new["theta5"], new["theta6"]], np.r_[params[0][1] - lr * db1, params[1][1] - lr * db2])
    # Err_j = -∂L/∂I_j: the sign convention of the slides
    np.testing.assert_allclose([errors[4], errors[5], errors[6]], -np.r_[db1, db2])


@pytest.mark.parametrize(
    "args",
    [
        ((1, 0), 1.0, TEXTBOOK_EXAMPLE["params"], 0.9),
        ((1, 0, 1), 1.0, {"w14": 0.2}, 0.9),
        ((1, 0, 1), 1.0, TEXTBOOK_EXAMPLE["params"], 0.0),
    ],
)
def test_bad_input_raises_value_error(args):
    """Are a wrong number of inputs, missing weights or a non-positive rate rejected?"""
    with pytest.raises(ValueError):
        backprop_step(*args)


def test_solution_runs_from_its_source_alone():
    """Does backprop_step work when copied with textbook_forward into a namespace holding only math?"""
    namespace: dict = {"math": math}
    for fn in (textbook_forward, backprop_step):
        exec(inspect.getsource(fn), namespace)
    ex = TEXTBOOK_EXAMPLE
    assert namespace["backprop_step"](ex["x"], ex["target"], ex["params"], ex["lr"]) == backprop_step(
        ex["x"], ex["target"], ex["params"], ex["lr"]
    )
