"""a3 · Quiz: the output layer of a regression network (several right options, net-correct credit)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import NET_CORRECT, ChoiceQuestion, Option

ASSIGNMENT = "a3"
TITLE = "Quiz: a regression network's output layer"
CONCEPT = "output layer and loss: regression is linear + MSE/MAE/Huber"

QUESTION = ChoiceQuestion(
    variable="regression_output",
    bank=(
        Option("A linear (identity) output unit, ŷ = z", True,
               "A regression target can be any real number: only the identity output reaches every value."),
        Option("Mean squared error as the loss", True, "MSE is the standard regression loss (MAE and Huber too)."),
        Option("Huber loss, if a few targets are outliers", True,
               "Huber is a regression loss, quadratic near 0 and linear beyond δ."),
        Option("One output unit per predicted quantity", True,
               "A regression network outputs one number per quantity it predicts."),
        Option("A sigmoid output unit", False,
               "A sigmoid's outputs lie in (0, 1): it suits a probability (binary classification), "
               "not an unbounded target."),
        Option("A softmax output layer", False,
               "Softmax outputs are positive and sum to 1: a distribution over classes, not a quantity."),
        Option("Binary cross-entropy as the loss", False,
               "Binary cross-entropy compares a probability with a 0/1 label: a classification loss."),
        Option("Categorical cross-entropy with one-hot targets", False,
               "Categorical cross-entropy is the multi-class classification loss (with softmax)."),
    ),
    n_correct=2, n_distractors=2, scheme=NET_CORRECT)


def params(rng: np.random.Generator) -> dict:
    """Four options (two right) drawn from the bank and shuffled, and the quantity predicted."""
    return {"options": QUESTION.draw(rng),
            "target": str(rng.choice(["a house's price", "tomorrow's temperature", "a patient's blood pressure"]))}


def prompt(params: dict) -> str:
    return f"""\
A feed-forward network predicts {params["target"]} from tabular features (a regression).
Which of these fit its **output layer and loss**? Select every option that fits: each right option
you select counts +1, each wrong one −1 (never below 0), out of the number of right options.

{QUESTION.listing(params["options"])}

Assign the letters of your choices to `regression_output` (e.g. `regression_output = "AC"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_option_letters(student, params):
    expect_letters(student.value("regression_output"), "regression_output", len(params["options"]))


test_regression_output_credit_1, test_regression_output_credit_2 = QUESTION.credit_checks(
    2, hint="Regression: the output can be any real number; the loss measures a distance to it.")
