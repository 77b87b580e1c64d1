"""a3 · Quiz: properties of regression losses: units, differentiability at 0, outliers (each answer counts)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import EACH_ANSWER, ChoiceQuestion, Option

ASSIGNMENT = "a3"
TITLE = "Quiz: properties of losses"
CONCEPT = "MSE is in squared units and smooth at 0; MAE is in the target's units, with a kink at 0"

QUESTION = ChoiceQuestion(
    variable="loss_facts",
    bank=(
        Option("MAE is in the units of the target (thousands of euros here).", True,
               "MAE averages |y − ŷ|, a difference of two prices: thousands of euros."),
        Option("RMSE is in the units of the target.", True,
               "RMSE is the square root of MSE: the root undoes the squared units."),
        Option("MSE is differentiable at zero error; MAE is not.", True,
               "e² has slope 2e, 0 at e = 0; |e| has a kink there (slope −1 on the left, +1 on the right)."),
        Option("Huber loss is differentiable at every error, at |e| = δ too.", True,
               "Both branches have slope δ at |e| = δ (e on the quadratic side, δ on the linear side)."),
        Option("MSE is in the units of the target.", False,
               "MSE averages squared differences: squared units (thousands of euros squared)."),
        Option("MAE is differentiable at zero error.", False,
               "|e| has a kink at 0: its slope jumps from −1 to +1 (a subgradient is used there)."),
        Option("MSE is more robust to outliers than MAE.", False,
               "MSE squares the errors, so one outlier weighs far more: MAE is the robust one."),
        Option("Measuring the prices in euros instead of thousands of euros leaves the MSE unchanged.", False,
               "Every error grows 1000 times, so the MSE grows 10⁶ times (squared units)."),
    ),
    n_correct=2, n_distractors=2, scheme=EACH_ANSWER)


def params(rng: np.random.Generator) -> dict:
    """Four statements (two true) drawn from the bank and shuffled."""
    return {"options": QUESTION.draw(rng)}


def prompt(params: dict) -> str:
    return f"""\
A regression network predicts flat prices **in thousands of euros**, with the error $e = y - \\hat y$.
Which of these statements about its possible losses (MSE, MAE, RMSE, Huber with threshold δ) are
**true**? Each statement counts, selected if true and left out if false (your score is the share
decided correctly).

{QUESTION.listing(params["options"])}

Assign the letters of the true statements to `loss_facts` (e.g. `loss_facts = "AD"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_option_letters(student, params):
    expect_letters(student.value("loss_facts"), "loss_facts", len(params["options"]))


(test_loss_facts_credit_1, test_loss_facts_credit_2, test_loss_facts_credit_3,
 test_loss_facts_credit_4) = QUESTION.credit_checks(
    2, hint="Write each loss as a formula in e: its unit and its slope at 0 follow.")
