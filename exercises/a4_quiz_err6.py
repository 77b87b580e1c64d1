"""a4 · Quiz: the output error Err6 of the student's 3-2-1 network, to 3 significant figures (numeric)."""
import numpy as np
import pytest

from exercises.a4_backprop_step import PARAM_NAMES, draw_case
from exercises.answers import SigFigs
from exercises.dlcheck import expect_number
from exercises.questions import NumericQuestion, WrongAnswer
from reference.textbook_backprop import textbook_forward, textbook_table


def _err6(params: dict) -> float:
    return textbook_table(params["x"], params["target"], params["params"], params["lr"])["Err6"]


def _output(params: dict) -> float:
    return textbook_forward(params["x"], params["params"])["O6"]


ASSIGNMENT = "a4"
TITLE = "Quiz: the output error Err6"
CONCEPT = "the output unit's error term: sigmoid derivative times the difference to the target"

QUESTION = NumericQuestion(
    variable="err6",
    rule=SigFigs(3),
    expected=_err6,
    wrong_answers=(
        WrongAnswer("The sign is flipped: Err6 = O6(1 − O6)(T − O6), target minus output.", lambda p: -_err6(p)),
        WrongAnswer("The factor O6(1 − O6), the sigmoid's derivative, is missing.",
                    lambda p: p["target"] - _output(p)),
        WrongAnswer("O6 is the sigmoid of the net input I6: Err6 uses the output O6, not I6.",
                    lambda p: (lambda i: i * (1 - i) * (p["target"] - i))(textbook_forward(p["x"], p["params"])["I6"])),
    ))


def params(rng: np.random.Generator) -> dict:
    """The a4 backprop network drawn as in a4_backprop_step, with the wrong answers all distinct."""
    return QUESTION.distinct(draw_case(rng))


def prompt(params: dict) -> str:
    p = params["params"]
    weights = ", ".join(f"{name} = {p[name]}" for name in PARAM_NAMES)
    return f"""\
The course's 3-2-1 sigmoid network (Han & Kamber) gets the input `x = {tuple(params["x"])}` with
target `T = {params["target"]:g}`; its weights and biases are {weights}.

Compute the forward pass ($I_j = \\sum_i w_{{ij}} O_i + \\theta_j$, $O_j = \\sigma(I_j)$) and the output
unit's error $Err_6 = O_6(1 - O_6)(T - O_6)$. Assign $Err_6$ (a pure number, no unit) to `err6`,
to **3 significant figures** (e.g. `0.0123` or `"0.0120"`: a string keeps trailing zeros).
"""


@pytest.mark.points(0)
def test_the_answer_is_a_number(student):
    expect_number(student.value("err6"), "err6", "3 significant figures")


test_err6 = QUESTION.check(2, hint="Err6 = O6(1 − O6)(T − O6) with O6 = σ(I6), rounded to 3 significant figures.")
