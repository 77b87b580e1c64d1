"""a4 · The worked example's table by hand: I, O, Err and the new weights of the student's network.

A numeric-answer exercise. The answers sit in a ``try`` block so that the
cleared cell (``raise NotImplementedError()`` in place of the answers) leaves
the names at ``None`` instead of stopping the notebook and the release check.
"""
import numpy as np
import pytest

from exercises.a4_backprop_step import MISTAKES, PARAM_NAMES, draw_case, wrong_step
from exercises.dlcheck import describe_type, expect, expect_close
from exercises.model import BEGIN_SOLUTION, END_SOLUTION
from reference.textbook_backprop import textbook_table

ASSIGNMENT = "a4"
TITLE = "The backpropagation table, by hand"
CONCEPT = "forward net inputs and outputs, Err_j, weight updates of one step"

UNITS = ("I4", "I5", "I6", "O4", "O5", "O6")
ERRORS = ("Err4", "Err5", "Err6")
UPDATES = tuple(f"new_{name}" for name in PARAM_NAMES)
ANSWERS = UNITS + ERRORS + UPDATES
DECIMALS = 4
TOLERANCE = 2e-4  # rounding to 4 decimals, plus intermediate values carried to 4 decimals


def params(rng: np.random.Generator) -> dict:
    return draw_case(rng)


def _table(params: dict) -> dict:
    """Every answer, unrounded, by the answer's name."""
    table = textbook_table(params["x"], params["target"], params["params"], params["lr"])
    return {name: table[name.removeprefix("new_")] for name in ANSWERS}


def prompt(params: dict) -> str:
    p = params["params"]
    table = "\n".join(f"| `{name}` | {p[name]} |" for name in PARAM_NAMES)
    return f"""\
Work through one backpropagation step of the course's 3-2-1 sigmoid network (Han & Kamber)
as the slides do, in three tables, for **your** network below:

1. net inputs and outputs: $I_j = \\sum_i w_{{ij}} O_i + \\theta_j$, $O_j = 1/(1 + e^{{-I_j}})$
   for j = 4, 5, 6 (with $O_i = x_i$ for the inputs 1, 2, 3);
2. errors: $Err_6 = O_6(1 - O_6)(T - O_6)$, then $Err_j = O_j(1 - O_j)\\, Err_6\\, w_{{j6}}$ for
   j = 4, 5, all with the **old** weights;
3. updates: $w_{{ij}} + l\\, Err_j\\, O_i$ and $\\theta_j + l\\, Err_j$.

Your network: `x = {tuple(params["x"])}`, target `T = {params["target"]:g}`, learning rate
`l = {params["lr"]}`, and

| parameter | value |
| --- | --- |
{table}

Assign your numbers to the variables `{", ".join(UNITS)}`, `{", ".join(ERRORS)}` and
`new_w14`, …, `new_theta6` (one per parameter, e.g. `new_w46` for the updated `w46`), each
**rounded to {DECIMALS} decimal places** (`round(value, {DECIMALS})`). Carry full precision through
the computation and round only the answers: the checks accept ±{TOLERANCE:g}. You may compute them
with code in the cell (your `backprop_step` helps), as long as the variables hold the numbers.
"""


def solution_cell(params: dict) -> str:
    table = _table(params)
    answers = "\n".join(f"    {name} = {round(table[name], DECIMALS)!r}" for name in ANSWERS)
    return (f"# Your answers, each rounded to {DECIMALS} decimal places: replace the `raise` below.\n"
            + "".join(" = ".join(names) + " = None\n" for names in (UNITS, ERRORS, UPDATES[:6], UPDATES[6:]))
            + f"try:\n    {BEGIN_SOLUTION}\n{answers}\n    {END_SOLUTION}\n"
            + "except NotImplementedError:  # the unanswered cell: the names stay None\n    pass\n")


def _student_answers(student, names: tuple) -> np.ndarray:
    values = []
    for name in names:
        value = student.value(name)
        expect(isinstance(value, (int, float)) and not isinstance(value, bool),
               f"`{name}` should hold a number, not {value!r}.", "Assign a number to every answer variable.")
        values.append(float(value))
    return np.array(values)


def _wrong(params: dict, names: tuple) -> dict:
    """The rounded answers of each known mistake, by hint."""
    found = {}
    for mistake, hint in MISTAKES.items():
        new, errors = wrong_step(params, mistake)
        values = {**{f"Err{j}": errors[j] for j in (4, 5, 6)}, **{f"new_{k}": v for k, v in new.items()}}
        found[hint] = [round(values[name], DECIMALS) for name in names]
    return found


@pytest.mark.points(1)
def test_answers_are_rounded_numbers(student):
    names = ["I4", "I5", "I6", "O4", "O5", "O6", "Err4", "Err5", "Err6", "new_w14", "new_w15", "new_w24",
             "new_w25", "new_w34", "new_w35", "new_w46", "new_w56", "new_theta4", "new_theta5", "new_theta6"]
    for name in names:
        value = student.value(name)
        expect(value is not None, f"`{name}` is still None.", "Replace the `raise` by your answers.")
        expect(isinstance(value, (int, float)) and not isinstance(value, bool),
               f"`{name}` holds {describe_type(value)}, not a number.", "Assign plain numbers, e.g. I4 = -0.7.")
        expect(abs(value * 10**4 - round(value * 10**4)) < 1e-6,
               f"`{name}` = {value!r} is not rounded to 4 decimal places.", f"Write {name} = round(value, 4).")


@pytest.mark.points(1)
def test_outputs_are_sigmoids_of_the_net_inputs(student):
    for j in (4, 5, 6):
        I, O = student.value(f"I{j}"), student.value(f"O{j}")
        expect(isinstance(I, (int, float)) and isinstance(O, (int, float)), f"I{j} and O{j} must be numbers.")
        expect_close(O, 1 / (1 + np.exp(-I)), atol=2e-4, rtol=0, what=f"O{j} compared with σ(I{j}) of your I{j}",
                     hint="O_j = 1 / (1 + e^(−I_j)): the sigmoid of the net input.")


def _compare(student, params: dict, names: tuple, what: str, named: bool = True) -> None:
    table = _table(params)
    expect_close(_student_answers(student, names), [table[name] for name in names], rtol=0, atol=TOLERANCE,
                 what=what, mistakes=_wrong(params, names) if named else None)


@pytest.mark.points(1)
@pytest.mark.hidden(hint="I_j = Σ_i w_ij O_i + θ_j (O_i = x_i for the inputs), O_j = σ(I_j); unit 6 uses O4 and O5.")
def test_net_inputs_and_outputs(student, params):
    _compare(student, params, UNITS, "I4, I5, I6, O4, O5, O6", named=False)


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Err6 = O6(1 − O6)(T − O6); Err_j = O_j(1 − O_j)·Err6·w_j6 with the old w_j6.")
def test_errors(student, params):
    _compare(student, params, ERRORS, "Err4, Err5, Err6")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="New w_ij = w_ij + l·Err_j·O_i and θ_j + l·Err_j, every error from the old weights.")
def test_new_weights_and_biases(student, params):
    _compare(student, params, UPDATES, "the new weights and biases")
