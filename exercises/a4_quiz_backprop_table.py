"""a4 · Quiz: a small backpropagation table by hand, Err5, Err4 and the new w46, to significant figures.

Three numeric questions on the student's 3-2-1 network (the network of
a4_backprop_step): the hidden errors as the slides print them (3 significant
figures) and one updated weight (4 significant figures).
"""
import numpy as np
import pytest

from exercises.a4_backprop_step import PARAM_NAMES, draw_case
from exercises.answers import SigFigs
from exercises.dlcheck import expect_number
from exercises.questions import NumericQuestion, WrongAnswer
from reference.textbook_backprop import textbook_table

ASSIGNMENT = "a4"
TITLE = "Quiz: a backpropagation table by hand"
CONCEPT = "hidden errors Err_j = O_j(1 − O_j) Err_6 w_j6 with the old weights; w ← w + l·Err·O"


def _table(params: dict) -> dict:
    return textbook_table(params["x"], params["target"], params["params"], params["lr"])


def _hidden_error(params: dict, j: int, weight: float | None = None, derivative: bool = True) -> float:
    """Err_j = O_j(1 − O_j) Err6 w_j6 (``weight`` in place of the old w_j6 for a wrong answer)."""
    table = _table(params)
    w = params["params"][f"w{j}6"] if weight is None else weight
    slope = table[f"O{j}"] * (1 - table[f"O{j}"]) if derivative else 1.0
    return slope * table["Err6"] * w


def _updated_w(params: dict, j: int) -> float:
    return _table(params)[f"w{j}6"]


def _error_question(j: int) -> NumericQuestion:
    return NumericQuestion(
        variable=f"table_err{j}",
        rule=SigFigs(3),
        expected=lambda p: _hidden_error(p, j),
        wrong_answers=(
            WrongAnswer(f"The factor O{j}(1 − O{j}), the sigmoid's derivative at unit {j}, is missing.",
                        lambda p: _hidden_error(p, j, derivative=False)),
            WrongAnswer(f"Err{j} uses the old weight w{j}6: compute every error before updating any weight.",
                        lambda p: _hidden_error(p, j, weight=_updated_w(p, j))),
            WrongAnswer("The sign is flipped: Err6 = O6(1 − O6)(T − O6), target minus output, and "
                        f"Err{j} carries its sign.", lambda p: -_hidden_error(p, j)),
        ))


ERR5 = _error_question(5)
ERR4 = _error_question(4)
NEW_W46 = NumericQuestion(
    variable="table_w46",
    rule=SigFigs(4),
    expected=lambda p: _updated_w(p, 4),
    wrong_answers=(
        WrongAnswer("The learning rate l is missing: the change is l · Err6 · O4.",
                    lambda p: p["params"]["w46"] + _table(p)["Err6"] * _table(p)["O4"]),
        WrongAnswer("The change is added, not subtracted: w46 + l · Err6 · O4 (Err6 already carries T − O6).",
                    lambda p: p["params"]["w46"] - p["lr"] * _table(p)["Err6"] * _table(p)["O4"]),
        WrongAnswer("The weight w46 leaves unit 4: its change uses O4, the output of unit 4, not O6.",
                    lambda p: p["params"]["w46"] + p["lr"] * _table(p)["Err6"] * _table(p)["O6"]),
        WrongAnswer("That is the change l · Err6 · O4 alone: add it to the old w46.",
                    lambda p: p["lr"] * _table(p)["Err6"] * _table(p)["O4"]),
    ))
QUESTIONS = (ERR5, ERR4, NEW_W46)


def params(rng: np.random.Generator) -> dict:
    """The a4 network drawn as in a4_backprop_step; redrawn until every catalogued answer is told apart."""
    case = draw_case(rng)
    for question in QUESTIONS:
        question.distinct(case)
    return case


def prompt(params: dict) -> str:
    p = params["params"]
    weights = ", ".join(f"{name} = {p[name]}" for name in PARAM_NAMES)
    return f"""\
The course's 3-2-1 sigmoid network (Han & Kamber) gets the input `x = {tuple(params["x"])}` with
target `T = {params["target"]:g}` and learning rate `l = {params["lr"]}`; its weights and biases are
{weights}.

Work through one step as the slides do: $I_j = \\sum_i w_{{ij}} O_i + \\theta_j$, $O_j = \\sigma(I_j)$,
$Err_6 = O_6(1 - O_6)(T - O_6)$, $Err_j = O_j(1 - O_j)\\, Err_6\\, w_{{j6}}$ (with the **old** weights),
$w_{{ij}} \\leftarrow w_{{ij}} + l\\, Err_j\\, O_i$. Fill in this small table (all pure numbers, no unit):

| variable | quantity | precision |
| --- | --- | --- |
| `table_err5` | $Err_5$ | 3 significant figures |
| `table_err4` | $Err_4$ | 3 significant figures |
| `table_w46` | the updated $w_{{46}}$ | 4 significant figures |

Carry full precision and round only the answers (e.g. `table_err5 = -0.00654` or `"0.00650"`: a string
keeps trailing zeros).
"""


def solution_cell(params: dict) -> str:
    return "\n".join(question.solution_cell(params) for question in QUESTIONS)


@pytest.mark.points(0)
def test_the_answers_are_numbers(student):
    expect_number(student.value("table_err5"), "table_err5", "3 significant figures")
    expect_number(student.value("table_err4"), "table_err4", "3 significant figures")
    expect_number(student.value("table_w46"), "table_w46", "4 significant figures")


test_table_err5 = ERR5.check(1, hint="Err5 = O5(1 − O5) · Err6 · w56, with the old w56.")
test_table_err4 = ERR4.check(1, hint="Err4 = O4(1 − O4) · Err6 · w46, with the old w46.")
test_table_w46 = NEW_W46.check(1, hint="w46 ← w46 + l · Err6 · O4.")
