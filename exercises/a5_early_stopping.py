"""a5 · Early stopping: the epoch at which Keras' EarlyStopping(monitor="val_loss") stops."""
import numpy as np
import pytest

from exercises.dlcheck import expect, expect_equal
from exercises.model import RedrawVariant
from reference import training

ASSIGNMENT = "a5"
TITLE = "Early stopping"
CONCEPT = "patience, min_delta, monitoring the validation loss"
SOLUTION = [training.early_stopping_epoch]


def draw_curve(rng: np.random.Generator) -> dict:
    """A falling, flattening, then rising validation curve whose stop is neither strict's nor the end."""
    epochs = int(rng.integers(20, 31))
    e = np.arange(epochs)
    turn = rng.uniform(8, 16)
    curve = 0.3 + 0.7 * np.exp(-e / rng.uniform(2, 4)) + 0.002 * np.maximum(e - turn, 0) ** 1.5
    curve = np.round(curve + rng.uniform(-0.003, 0.003, epochs), 4)
    case = {"val_losses": curve.tolist(), "min_delta": float(rng.choice([0.001, 0.002, 0.005])),
            "patience": int(rng.integers(3, 7))}
    stop = training.early_stopping_epoch(case["val_losses"], case["min_delta"], case["patience"])
    strict = training.early_stopping_epoch(case["val_losses"], 0.0, case["patience"])
    if stop == strict or stop >= epochs - 2 or stop <= case["patience"]:
        raise RedrawVariant("min_delta changes nothing, or training never stops")
    return case


def params(rng: np.random.Generator) -> dict:
    return draw_curve(rng)


def prompt(params: dict) -> str:
    return f"""\
**Early stopping** ends training when the validation loss stops improving, before the network
overfits. Keras' `EarlyStopping(monitor="val_loss", min_delta=..., patience=...)` replays this rule
after every epoch e = 0, 1, 2, … with `best = inf` and `wait = 0` at the start:

1. `wait += 1`;
2. if $v_e <$ `best − min_delta` (an improvement by **more than** `min_delta`): `best = v_e`, `wait = 0`;
3. otherwise, if `wait >= patience` (and e > 0): training stops **after epoch e**.

So training stops `patience` epochs after the last real improvement; a decrease smaller than
`min_delta` does not count as one. Example: `[1.0, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]` with
`patience=5`: the last improvement is at index 2, and at index 7 `wait` reaches 5: the answer is 7.

Implement `early_stopping_epoch(val_losses, min_delta=1e-4, patience=5)`: the **0-based index** of
the last epoch that runs, or the last index if the rule never triggers.

**Your curve** (`min_delta = {params["min_delta"]}`, `patience = {params["patience"]}`):
`val_losses = {params["val_losses"]}`
"""


@pytest.mark.points(1)
def test_the_example(student):
    expect_equal(student.early_stopping_epoch([1.0, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4], 1e-4, 5), 7,
                 what="early_stopping_epoch of the prompt's example",
                 hint="Indices are 0-based; stop at the epoch where wait reaches patience (wait counts the "
                      "epochs since the last improvement).")


@pytest.mark.points(2)
def test_your_curve(student, ref, params):
    args = (params["val_losses"], params["min_delta"], params["patience"])
    got, expected = student.early_stopping_epoch(*args), ref.early_stopping_epoch(*args)
    expect(got != expected + 1, f"you stop at epoch {got}, one epoch late.",
           "Stop as soon as wait reaches patience (wait >= patience), at the current 0-based index.")
    expect(got != expected - 1, f"you stop at epoch {got}, one epoch early.",
           "wait counts the epochs since the last improvement; stop when it reaches patience, not before.")
    expect_equal(got, expected, what="early_stopping_epoch on your curve",
                 hint="An improvement must beat best − min_delta; smaller decreases count as no improvement.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="A decrease smaller than min_delta is not an improvement: compare v < best − min_delta.")
def test_small_decreases_do_not_count(student):
    curve = [1.0, 0.8, 0.6, 0.5998, 0.5996, 0.5994, 0.5992, 0.599, 0.5988]
    expect_equal(student.early_stopping_epoch(curve, 0.001, 3), 5, what="a slowly creeping curve")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="When the rule never triggers, return the last index, len(val_losses) − 1.")
def test_a_curve_that_keeps_improving(student):
    curve = [1.0 / (k + 1) for k in range(12)]
    expect_equal(student.early_stopping_epoch(curve, 1e-4, 3), 11, what="a curve that keeps improving")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Replay the rule on the whole curve, tracking best and wait; indices are 0-based.")
def test_other_curves(student, params):
    rng = np.random.default_rng(params["patience"] * 1000 + len(params["val_losses"]))
    for _ in range(3):
        for _ in range(100):
            try:
                case = draw_curve(rng)
                break
            except RedrawVariant:
                continue
        args = (case["val_losses"], case["min_delta"], case["patience"])
        expect_equal(student.early_stopping_epoch(*args), training.early_stopping_epoch(*args),
                     what="early_stopping_epoch on another curve")
