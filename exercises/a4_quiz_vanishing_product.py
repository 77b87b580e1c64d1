"""a4 · Quiz: the vanishing-gradient product, the chain of sigmoid derivatives across layers (numeric)."""
import numpy as np
import pytest

from exercises.answers import SigFigs
from exercises.dlcheck import expect_number
from exercises.questions import NumericQuestion, WrongAnswer
from reference.activations import sigmoid, sigmoid_grad


def _product(params: dict) -> float:
    """∏ σ'(z_l) over the layers: the factor the chain rule puts on the first layer's gradient."""
    return float(np.prod(sigmoid_grad(np.array(params["z"]))))


ASSIGNMENT = "a4"
TITLE = "Quiz: the vanishing-gradient product"
CONCEPT = "the chain rule multiplies one σ′(z) ≤ 0.25 per layer"

QUESTION = NumericQuestion(
    variable="gradient_factor",
    rule=SigFigs(3),
    expected=_product,
    wrong_answers=(
        WrongAnswer("That is the product of the activations σ(z): the chain rule multiplies the derivatives "
                    "σ′(z) = σ(z)(1 − σ(z)).", lambda p: float(np.prod(sigmoid(np.array(p["z"]))))),
        WrongAnswer("That is the bound 0.25 per layer: σ′(z) = 0.25 only at z = 0; use each layer's own z.",
                    lambda p: 0.25 ** len(p["z"])),
        WrongAnswer("The chain rule multiplies the local derivatives along the path; it does not add them.",
                    lambda p: float(np.sum(sigmoid_grad(np.array(p["z"]))))),
    ))


def params(rng: np.random.Generator) -> dict:
    """4 to 7 layers, pre-activations of one decimal with 0.5 ≤ |z| ≤ 3."""
    depth = int(rng.integers(4, 8))
    z = np.round(rng.uniform(0.5, 3.0, depth), 1) * rng.choice([-1.0, 1.0], depth)
    return QUESTION.distinct({"z": [float(v) for v in z]})


def prompt(params: dict) -> str:
    rows = "\n".join(f"| {layer} | {z} |" for layer, z in enumerate(params["z"], start=1))
    return f"""\
A deep network has {len(params["z"])} sigmoid layers of one unit each, every weight on the path equal
to 1. For one input, the pre-activations $z_l$ of its layers are:

| layer $l$ | $z_l$ |
| --- | --- |
{rows}

Backpropagation multiplies the gradient reaching the last layer by one local derivative per layer.
Compute the factor $\\prod_l \\sigma'(z_l)$, with $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$, by which the
gradient at the first layer is that much smaller. Assign it (a pure number, no unit) to
`gradient_factor`, to **3 significant figures** (e.g. `3.75e-6`).
"""


@pytest.mark.points(0)
def test_the_answer_is_a_number(student):
    expect_number(student.value("gradient_factor"), "gradient_factor", "3 significant figures")


test_gradient_factor = QUESTION.check(2, hint="One factor σ′(z_l) = σ(z_l)(1 − σ(z_l)) per layer, multiplied.")
