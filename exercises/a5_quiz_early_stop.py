"""a5 · Quiz: the epoch at which early stopping ends training, read from a validation curve (numeric, exact)."""
import numpy as np
import pytest

from exercises.a5_early_stopping import draw_curve
from exercises.answers import RelAbs
from exercises.dlcheck import expect_number
from exercises.questions import NumericQuestion, WrongAnswer
from reference.training import early_stopping_epoch

ASSIGNMENT = "a5"
TITLE = "Quiz: when early stopping stops"
CONCEPT = "patience counts epochs since the last improvement by more than min_delta"


def _last_epoch(params: dict, min_delta: float | None = None) -> int:
    """The last epoch that runs, numbered from 1 as Keras prints it."""
    delta = params["min_delta"] if min_delta is None else min_delta
    return early_stopping_epoch(params["val_losses"], delta, params["patience"]) + 1


QUESTION = NumericQuestion(
    variable="stop_epoch",
    rule=RelAbs(rtol=0.0, atol=0.0),  # an epoch number: exactly right or wrong
    expected=_last_epoch,
    wrong_answers=(
        WrongAnswer("That is the epoch of the lowest validation loss (the one restore_best_weights keeps); "
                    "training goes on for `patience` epochs after the last improvement.",
                    lambda p: int(np.argmin(p["val_losses"])) + 1),
        WrongAnswer("A decrease smaller than min_delta is no improvement: it does not reset the patience count.",
                    lambda p: _last_epoch(p, min_delta=0.0)),
        WrongAnswer("Epochs are numbered from 1 here, as in the table: that is the 0-based index.",
                    lambda p: _last_epoch(p) - 1),
    ))


def params(rng: np.random.Generator) -> dict:
    """A validation curve as a5_early_stopping draws it; redrawn until every catalogued answer differs."""
    return QUESTION.distinct(draw_curve(rng))


def prompt(params: dict) -> str:
    rows = "\n".join(f"| {epoch} | {loss:.4f} |" for epoch, loss in enumerate(params["val_losses"], start=1))
    return f"""\
A network is trained with Keras' `EarlyStopping(monitor="val_loss", min_delta={params["min_delta"]},
patience={params["patience"]})`: an epoch improves when its validation loss is below the best so far
by more than `min_delta`, and training stops after `patience` epochs in a row without improvement.
The validation loss after each epoch (epochs numbered from 1):

| epoch | val_loss |
| --- | --- |
{rows}

After which epoch does training stop (the last epoch that runs)? Assign the epoch number (an exact
integer, counted from 1 as in the table) to `stop_epoch`.
"""


@pytest.mark.points(0)
def test_the_answer_is_a_number(student):
    expect_number(student.value("stop_epoch"), "stop_epoch", "an exact integer epoch number")


test_stop_epoch = QUESTION.check(2, hint="Find the last improvement by more than min_delta; add the patience.")
