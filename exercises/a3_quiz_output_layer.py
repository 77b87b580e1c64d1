"""a3 · Quiz: the output layer and loss for a regression, a binary and a multi-class task (one right option)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import ALL_OR_NOTHING, ChoiceQuestion, Option

ASSIGNMENT = "a3"
TITLE = "Quiz: an output layer for the task"
CONCEPT = "regression: linear + MSE; binary: sigmoid + BCE; multi-class: softmax + CCE"

QUESTION = ChoiceQuestion(
    variable="output_layer",
    bank=(
        Option("Predicting a flat's rent in euros (regression): one linear output unit and mean squared error",
               True, "A rent can be any positive amount: the identity output reaches it, MSE measures the distance."),
        Option("Spam or not spam (binary): one sigmoid output unit and binary cross-entropy", True,
               "The sigmoid gives P(spam) in (0, 1) and binary cross-entropy compares it with the 0/1 label."),
        Option("A handwritten digit 0–9 (10 classes, one-hot labels): 10 softmax units and categorical "
               "cross-entropy", True, "Softmax gives a distribution over the 10 classes; categorical "
               "cross-entropy is −log of the true class's probability."),
        Option("A handwritten digit 0–9 given as integer labels: 10 softmax units and sparse categorical "
               "cross-entropy", True, "Sparse categorical cross-entropy is categorical cross-entropy "
               "that reads the label as an integer instead of a one-hot vector."),
        Option("Predicting a flat's rent in euros (regression): one sigmoid output unit and mean squared error",
               False, "A sigmoid's output lies in (0, 1): it can never reach a rent of 850 euros."),
        Option("Spam or not spam (binary): one linear output unit and binary cross-entropy", False,
               "Binary cross-entropy takes log ŷ and log(1 − ŷ): a linear output can be ≤ 0 or ≥ 1, "
               "where they are undefined. Use a sigmoid."),
        Option("Spam or not spam (binary): a softmax over one output unit and binary cross-entropy", False,
               "A softmax over a single unit always outputs e^z / e^z = 1: it cannot learn anything."),
        Option("A handwritten digit 0–9 (10 classes): one linear output unit predicting the digit, and "
               "mean squared error", False, "Class labels are not quantities: predicting 4.5 between a 4 and "
               "a 5 means nothing. Use 10 softmax units."),
        Option("A handwritten digit 0–9 (10 classes, one-hot labels): 10 ReLU output units and categorical "
               "cross-entropy", False, "ReLU outputs neither sum to 1 nor stay above 0 (log 0): "
               "categorical cross-entropy needs softmax probabilities."),
        Option("Predicting a flat's rent in euros (regression): softmax output and categorical cross-entropy",
               False, "Softmax and categorical cross-entropy choose among classes; a rent is a quantity."),
    ),
    n_correct=1, n_distractors=3, scheme=ALL_OR_NOTHING)


def params(rng: np.random.Generator) -> dict:
    """Four task–output pairings (one right) drawn from the bank and shuffled."""
    return {"options": QUESTION.draw(rng)}


def prompt(params: dict) -> str:
    return f"""\
Each option pairs a task with an output layer and a loss. **Exactly one** pairing is right: the
output layer produces values of the kind the task needs and the loss is defined on them.

{QUESTION.listing(params["options"])}

Assign the letter of the right pairing to `output_layer` (e.g. `output_layer = "C"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_an_option_letter(student, params):
    expect_letters(student.value("output_layer"), "output_layer", len(params["options"]))


(test_output_layer,) = QUESTION.credit_checks(
    2, hint="Ask what values the output must take: any number, a probability, or a distribution over classes.")
