"""a5 · Quiz: how many updates a training run makes, mini-batches with drop_last (a numeric answer)."""
import numpy as np
import pytest

from exercises.answers import RelAbs
from exercises.dlcheck import expect_number
from exercises.questions import NumericQuestion, WrongAnswer
from reference.training import updates_per_epoch

ASSIGNMENT = "a5"
TITLE = "Quiz: updates in a training run"
CONCEPT = "updates per epoch with drop_last, epochs, SGD versus mini-batches"


def _total(params: dict, drop_last: bool = True) -> int:
    return params["epochs"] * updates_per_epoch(params["n_rows"], params["batch_size"], drop_last)


QUESTION = NumericQuestion(
    variable="total_updates",
    rule=RelAbs(rtol=0.0, atol=0.0),  # a count: exactly right or wrong
    expected=_total,
    wrong_answers=(
        WrongAnswer("With drop_last the incomplete last batch is dropped: ⌊n / b⌋ updates per epoch, not ⌈n / b⌉.",
                    lambda p: _total(p, drop_last=False)),
        WrongAnswer("That is one epoch: multiply the updates per epoch by the number of epochs.",
                    lambda p: updates_per_epoch(p["n_rows"], p["batch_size"], True)),
        WrongAnswer("One update per row is SGD; mini-batch gradient descent makes one update per batch.",
                    lambda p: p["epochs"] * p["n_rows"]),
    ))


def params(rng: np.random.Generator) -> dict:
    """Rows that leave an incomplete last batch, a batch size and a number of epochs."""
    batch = int(rng.integers(8, 129))
    rows = int(rng.integers(4, 40)) * batch + int(rng.integers(1, batch))
    return QUESTION.distinct({"n_rows": rows, "batch_size": batch, "epochs": int(rng.integers(2, 31))})


def prompt(params: dict) -> str:
    return f"""\
A training set of **{params["n_rows"]} rows** is trained for **{params["epochs"]} epochs** with
mini-batch gradient descent, batches of **{params["batch_size"]} rows**, reshuffled every epoch, and
`drop_last=True` (the incomplete last batch of each epoch is dropped).

How many weight updates (optimizer steps) does the whole run make? Assign the number (an exact
integer count of updates) to `total_updates`.
"""


@pytest.mark.points(0)
def test_the_answer_is_a_number(student):
    expect_number(student.value("total_updates"), "total_updates", "an exact integer count of updates")


test_total_updates = QUESTION.check(2, hint="Updates per epoch with drop_last: ⌊n / b⌋; times the epochs.")
