"""a5 · Quiz: true statements about epochs and batches (each answer counts)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import EACH_ANSWER, ChoiceQuestion, Option

ASSIGNMENT = "a5"
TITLE = "Quiz: epochs and batches"
CONCEPT = "batch, mini-batch and stochastic gradient descent; drop_last; shuffling"

QUESTION = ChoiceQuestion(
    variable="true_statements",
    bank=(
        Option("With drop_last, an epoch of n rows in batches of b makes ⌊n / b⌋ updates.", True,
               "drop_last drops the incomplete last batch: ⌊n / b⌋ full batches, one update each."),
        Option("Stochastic gradient descent makes one update per row, n per epoch.", True,
               "SGD updates after every (shuffled) row."),
        Option("Batch gradient descent makes one update per epoch.", True,
               "Batch gradient descent sums the gradient over all rows, then updates once."),
        Option("Without drop_last, every row is used exactly once per epoch.", True,
               "The batches cut one permutation of all rows: every row once, the last batch smaller."),
        Option("Mini-batch gradient descent makes n updates per epoch.", False,
               "Mini-batch GD makes one update per batch: ⌈n / b⌉ per epoch, n is SGD's count."),
        Option("Batch gradient descent makes one update per row.", False,
               "That is SGD; batch gradient descent makes one update per epoch."),
        Option("A smaller batch size gives fewer updates per epoch.", False,
               "Smaller batches mean more batches, so more updates: ⌈n / b⌉ grows as b shrinks."),
        Option("With drop_last, every row is used in every epoch.", False,
               "The rows of the dropped last batch are not used in that epoch (a different few each epoch)."),
    ),
    n_correct=2, n_distractors=2, scheme=EACH_ANSWER)


def params(rng: np.random.Generator) -> dict:
    """Four statements (two true) drawn from the bank and shuffled."""
    return {"options": QUESTION.draw(rng)}


def prompt(params: dict) -> str:
    return f"""\
Which of these statements about training are **true**? Select every true one: each statement
counts, selected if true and left out if false (your score is the share decided correctly).

{QUESTION.listing(params["options"])}

Assign the letters of the true statements to `true_statements` (e.g. `true_statements = "BD"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_option_letters(student, params):
    expect_letters(student.value("true_statements"), "true_statements", len(params["options"]))


(test_true_statements_credit_1, test_true_statements_credit_2, test_true_statements_credit_3,
 test_true_statements_credit_4) = QUESTION.credit_checks(
    2, hint="Count the updates: one per batch, and a batch is all rows, b rows or one row.")
