"""a5 · Early stopping: the epoch at which Keras' EarlyStopping(monitor="val_loss") stops."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, expect, expect_equal
from exercises.model import RedrawVariant
from reference import training

ASSIGNMENT = "a5"
TITLE = "Early stopping"
CONCEPT = "patience, min_delta, monitoring the validation loss"
SOLUTION = [training.early_stopping_epoch]

_RULE = """def early_stopping_epoch(val_losses, min_delta=1e-4, patience=5):
    best, wait = float("inf"), 0
    for epoch, value in enumerate(val_losses):
        wait += {step}
        if value < best {improves}:
            best, wait = value, 0
        elif wait {reached} patience and epoch > 0:
            return epoch
    return len(val_losses) - 1
"""
MISTAKE_CODE = {
    "stopped when wait exceeds patience (one epoch late)": _RULE.format(step=1, improves="- min_delta", reached=">"),
    "min_delta ignored (any decrease is an improvement)": _RULE.format(step=1, improves="", reached=">="),
    "min_delta added (a small rise is an improvement)": _RULE.format(step=1, improves="+ min_delta", reached=">="),
    "wait grows by 2 per epoch": _RULE.format(step=2, improves="- min_delta", reached=">="),
    "wait never grows (training never stops)": _RULE.format(step=0, improves="- min_delta", reached=">="),
}
HIDDEN_ONLY = {"min_delta added (a small rise is an improvement)":
               "the public checks show no rule the student could not compute from the prompt (ref cannot add min_delta)"}


def replay(val_losses: list, min_delta: float, patience: int, *, step: int = 1, sign: float = -1.0) -> int:
    """The stopping epoch with the rule misread: ``wait`` grown by ``step`` per epoch, an improvement
    ``v < best + sign·min_delta`` (the rule: step 1, sign −1)."""
    best, wait = np.inf, 0
    for epoch, value in enumerate(val_losses):
        wait += step
        if value < best + sign * abs(min_delta):
            best, wait = value, 0
        elif wait >= patience and epoch > 0:
            return epoch
    return len(val_losses) - 1


def stopping_mistakes(val_losses: list, min_delta: float, patience: int) -> dict:
    """Hint -> the epoch each classic misreading of the rule gives on this curve (for the hidden checks;
    an epoch two misreadings give names neither, see :func:`exercises.dlcheck.expect_equal`)."""
    expected = training.early_stopping_epoch(val_losses, min_delta, patience)
    return {
        "min_delta is added: an improvement must beat best − min_delta, so a small rise is no improvement.":
            replay(val_losses, min_delta, patience, sign=1.0),
        "min_delta is not subtracted: an improvement must beat best − min_delta; smaller decreases do not count.":
            replay(val_losses, 0.0, patience),
        "Patience runs out twice as fast: wait grows by 1 per epoch without improvement.":
            replay(val_losses, min_delta, patience, step=2),
        "Training never stops: wait must grow by 1 every epoch without improvement.": len(val_losses) - 1,
        "You stop one epoch late: stop as soon as wait reaches patience (wait >= patience), at the current "
        "0-based index.": expected + 1,
        "You stop one epoch early: wait counts the epochs since the last improvement; stop when it reaches "
        "patience, not before.": expected - 1,
        "The epoch is negative: return the 0-based index itself.": -expected,
    }


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
def test_the_example(student, ref):
    curve = [1.0, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    expect_equal(student.early_stopping_epoch(curve, 1e-4, 5), 7, what="early_stopping_epoch of the prompt's example",
                 mistakes={"You stop one epoch early: wait counts the epochs since the last improvement; stop when it "
                           "reaches patience, not before.": 6,
                           "Patience runs out twice as fast: wait grows by 1 per epoch without improvement.":
                           ref.early_stopping_epoch(curve, 1e-4, 3),
                           "The epoch is negative: return the 0-based index itself.": -7},
                 hint="Indices are 0-based; stop at the epoch where wait reaches patience (wait counts the "
                      "epochs since the last improvement).")


@pytest.mark.points(2)
def test_your_curve(student, ref, params):
    args = (params["val_losses"], params["min_delta"], params["patience"])
    got, expected = student.early_stopping_epoch(*args), ref.early_stopping_epoch(*args)
    curve, min_delta, patience = args
    expect_equal(got, expected, what="early_stopping_epoch on your curve", mistakes={
        "min_delta is not subtracted: an improvement must beat best − min_delta; smaller decreases do not count.":
            ref.early_stopping_epoch(curve, 0.0, patience),
        "Patience runs out twice as fast: wait grows by 1 per epoch without improvement.":
            ref.early_stopping_epoch(curve, min_delta, -(-patience // 2)),
        "Training never stops: wait must grow by 1 every epoch without improvement.": len(curve) - 1,
        "You stop one epoch late: stop as soon as wait reaches patience (wait >= patience), at the current "
        "0-based index.": expected + 1,
        "You stop one epoch early: wait counts the epochs since the last improvement; stop when it reaches "
        "patience, not before.": expected - 1,
        "The epoch is negative: return the 0-based index itself.": -expected,
    }, hint="An improvement must beat best − min_delta; smaller decreases count as no improvement.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="A decrease smaller than min_delta is not an improvement: compare v < best − min_delta.")
def test_small_decreases_do_not_count(student):
    curve = [1.0, 0.8, 0.6, 0.5998, 0.5996, 0.5994, 0.5992, 0.599, 0.5988]
    expect_equal(student.early_stopping_epoch(curve, 0.001, 3), 5, what="a slowly creeping curve",
                 mistakes=stopping_mistakes(curve, 0.001, 3))


@pytest.mark.points(1)
@pytest.mark.hidden(hint="When the rule never triggers, return the last index, len(val_losses) − 1.")
def test_a_curve_that_keeps_improving(student):
    curve = [1.0 / (k + 1) for k in range(12)]
    expect_equal(student.early_stopping_epoch(curve, 1e-4, 3), 11, what="a curve that keeps improving", mistakes={
        "When the rule never triggers, return the last 0-based index, len(val_losses) − 1, not len(val_losses).": 12,
        "When the rule never triggers, return the last index, len(val_losses) − 1: the last epoch runs too.": 10,
        "When the rule never triggers, return the last 0-based index, len(val_losses) − 1: yours is past the end "
        "of the curve.": 13,
        "The epoch is negative: return the 0-based index itself.": -11})


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Replay the rule on the whole curve, tracking best and wait; indices are 0-based.")
def test_other_curves(student, params):
    rng = np.random.default_rng(params["patience"] * 1000 + len(params["val_losses"]))
    failures = []
    for _ in range(3):
        for _ in range(100):
            try:
                case = draw_curve(rng)
                break
            except RedrawVariant:
                continue
        args = (case["val_losses"], case["min_delta"], case["patience"])
        try:
            expect_equal(student.early_stopping_epoch(*args), training.early_stopping_epoch(*args),
                         what="early_stopping_epoch on another curve", mistakes=stopping_mistakes(*args))
        except CheckFailed as failure:
            failures.append(failure)
    if failures:  # the first curve whose epoch names a misreading, else the first that failed
        raise next((failure for failure in failures if failure.hint), failures[0])
