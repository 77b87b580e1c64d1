"""a3 · Quiz: which loss is robust to outliers (one right option, all or nothing)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import ALL_OR_NOTHING, ChoiceQuestion, Option

ASSIGNMENT = "a3"
TITLE = "Quiz: a loss robust to outliers"
CONCEPT = "MSE squares large errors; MAE and Huber grow linearly"

QUESTION = ChoiceQuestion(
    variable="robust_loss",
    bank=(
        Option("Mean absolute error (MAE, L1): the mean of |y − ŷ|", True,
               "MAE grows linearly with the error: an outlier 10× farther weighs 10×, not 100×."),
        Option("Huber loss with threshold δ: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond", True,
               "Huber is quadratic near 0 but linear beyond δ, so large errors are not squared."),
        Option("Mean squared error (MSE, L2): the mean of (y − ŷ)²", False,
               "MSE squares the error: one outlier 10× farther weighs 100× and dominates the fit."),
        Option("Half sum of squares: ½ Σ (y − ŷ)²", False,
               "Half the sum of squares is MSE up to a constant factor: outliers are squared just the same."),
        Option("Sum of squared errors (SSE): Σ (y − ŷ)²", False,
               "SSE squares every error too: it is MSE times n, as sensitive to outliers."),
        Option("Root mean squared error (RMSE): √(mean of (y − ŷ)²)", False,
               "RMSE is the square root of MSE: its minimiser is the same, so outliers weigh as much."),
    ),
    n_correct=1, n_distractors=3, scheme=ALL_OR_NOTHING)


def params(rng: np.random.Generator) -> dict:
    """Four options drawn from the bank and shuffled, and the outlier of the story."""
    return {"options": QUESTION.draw(rng), "outlier": int(rng.integers(5, 50)) * 10}


def prompt(params: dict) -> str:
    return f"""\
A regression data set of house prices (in thousands) has one mistyped row: its price is
{params["outlier"]} times too large. You fit a linear model by minimising a loss over all rows.

Which loss lets that single outlier pull the fit **least**? Exactly one option is right.

{QUESTION.listing(params["options"])}

Assign the letter of your choice to `robust_loss` (e.g. `robust_loss = "A"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_an_option_letter(student, params):
    expect_letters(student.value("robust_loss"), "robust_loss", len(params["options"]))


(test_robust_loss,) = QUESTION.credit_checks(2, hint="Ask how fast the loss grows with the size of one error.")
