"""a1 · Quiz: which Boolean functions of two inputs a single perceptron computes (checkboxes, net-correct).

Whether an option is right is not typed in by hand: it is
:func:`reference.neurons.single_perceptron_can_compute` of the option's truth table.
"""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import NET_CORRECT, ChoiceQuestion, Option
from reference.neurons import single_perceptron_can_compute

ASSIGNMENT = "a1"
TITLE = "Quiz: what one perceptron computes"
CONCEPT = "a perceptron separates its inputs by a line: XOR and XNOR need a hidden layer"

# text -> (outputs for x1 x2 = 00, 01, 10, 11; why, shown after grading)
FUNCTIONS = {
    "x₁ AND x₂": ((0, 0, 0, 1), "AND is linearly separable: w₀ = −1.5, w₁ = w₂ = 1 fires only on (1, 1)."),
    "x₁ OR x₂": ((0, 1, 1, 1), "OR is linearly separable: w₀ = −0.5, w₁ = w₂ = 1."),
    "NOT (x₁ AND x₂) (NAND)": ((1, 1, 1, 0), "NAND is AND with every weight negated: w₀ = 1.5, w₁ = w₂ = −1."),
    "NOT (x₁ OR x₂) (NOR)": ((1, 0, 0, 0), "NOR is OR with every weight negated: w₀ = 0.5, w₁ = w₂ = −1."),
    "x₁ AND NOT x₂": ((0, 0, 1, 0), "One line cuts (1, 0) off the other three inputs: w₀ = −0.5, w₁ = 1, w₂ = −1."),
    "(NOT x₁) OR x₂ (x₁ implies x₂)": ((1, 1, 0, 1), "Only (1, 0) gives 0, and a line cuts it off: "
                                       "w₀ = 0.5, w₁ = −1, w₂ = 1."),
    "NOT x₁ (x₂ ignored)": ((1, 1, 0, 0), "A perceptron may ignore an input: w₀ = 0.5, w₁ = −1, w₂ = 0."),
    "x₁ XOR x₂ (exactly one input is 1)": ((0, 1, 1, 0), "XOR's inequalities contradict (w₁ + w₂ < −w₀ ≤ w₁, "
                                           "w₂ with w₀ < 0): no line separates its ones from its zeros; "
                                           "it needs a hidden layer."),
    "x₁ XNOR x₂ (both inputs equal)": ((1, 0, 0, 1), "XNOR is XOR negated: not linearly separable either, "
                                       "so one perceptron cannot compute it."),
}

QUESTION = ChoiceQuestion(
    variable="perceptron_functions",
    bank=tuple(Option(text, single_perceptron_can_compute(np.array(table)), why)
               for text, (table, why) in FUNCTIONS.items()),
    n_correct=3, n_distractors=1, scheme=NET_CORRECT)


def params(rng: np.random.Generator) -> dict:
    """Four functions (three a perceptron computes, one it does not) drawn from the bank and shuffled."""
    return {"options": QUESTION.draw(rng)}


def prompt(params: dict) -> str:
    return f"""\
A single perceptron with two binary inputs outputs $y = 1$ if $w_0 + w_1 x_1 + w_2 x_2 \\ge 0$, else 0
(any real weights). Which of these Boolean functions of $x_1, x_2 \\in \\{{0, 1\\}}$ can it compute?
Select every one it can: each right option you select counts +1, each wrong one −1 (never below 0),
out of the number of right options.

{QUESTION.listing(params["options"])}

Assign the letters of your choices to `perceptron_functions` (e.g. `perceptron_functions = "ABD"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_option_letters(student, params):
    expect_letters(student.value("perceptron_functions"), "perceptron_functions", len(params["options"]))


(test_perceptron_functions_credit_1, test_perceptron_functions_credit_2,
 test_perceptron_functions_credit_3) = QUESTION.credit_checks(
    3, hint="Draw the four inputs as the corners of a square: can one line separate the ones from the zeros?")
