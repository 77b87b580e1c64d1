"""a4 · Quiz: why gradients vanish in a deep sigmoid network (one right option, all or nothing)."""
import numpy as np
import pytest

from exercises.dlcheck import expect_letters
from exercises.questions import ALL_OR_NOTHING, ChoiceQuestion, Option

ASSIGNMENT = "a4"
TITLE = "Quiz: why gradients vanish"
CONCEPT = "a product of many σ′ ≤ 0.25 shrinks geometrically with depth"

QUESTION = ChoiceQuestion(
    variable="why_vanish",
    bank=(
        Option("Backpropagation multiplies one σ′(z) ≤ 0.25 per layer, so the gradient reaching the first "
               "layers shrinks geometrically with depth.", True,
               "The chain rule is a product of local derivatives, each at most 0.25 for a sigmoid."),
        Option("Saturated sigmoid units (large |z|) have σ′(z) close to 0, and every such factor in the "
               "chain-rule product scales the early layers' gradient down further.", True,
               "σ′(z) = σ(z)(1 − σ(z)) tends to 0 as |z| grows: saturation makes the product even smaller."),
        Option("The learning rate is too small.", False,
               "η scales every layer's update alike; it does not make the first layers' gradient smaller "
               "than the last layers'."),
        Option("The loss is close to its minimum, so every gradient is small.", False,
               "Vanishing is about the first layers' gradient being far smaller than the last layers', "
               "at any loss, not about the loss being small."),
        Option("The sigmoid is not differentiable at z = 0.", False,
               "σ is smooth everywhere; σ′(0) = 0.25 is its largest value."),
        Option("The local derivatives are larger than 1, and a product of many of them shrinks.", False,
               "Factors larger than 1 make the product grow: that is the exploding gradient "
               "(e.g. 10·10·10·10), tamed by gradient clipping."),
        Option("ReLU's derivative is at most 0.25 as well, so ReLU networks vanish just the same.", False,
               "ReLU's derivative is 1 for z > 0: its products do not shrink, which is why ReLU is a remedy."),
    ),
    n_correct=1, n_distractors=3, scheme=ALL_OR_NOTHING)


def params(rng: np.random.Generator) -> dict:
    """Four explanations (one right) drawn from the bank and shuffled, and the network's depth."""
    return {"options": QUESTION.draw(rng), "depth": int(rng.integers(8, 21))}


def prompt(params: dict) -> str:
    return f"""\
A network of **{params["depth"]} sigmoid layers** trains: the last layers' weights change, the first
layers' weights barely move, because their gradients are many orders of magnitude smaller. Which
statement explains it? **Exactly one** option is right.

{QUESTION.listing(params["options"])}

Assign the letter of your choice to `why_vanish` (e.g. `why_vanish = "B"`).
"""


@pytest.mark.points(0)
def test_the_answer_is_an_option_letter(student, params):
    expect_letters(student.value("why_vanish"), "why_vanish", len(params["options"]))


(test_why_vanish,) = QUESTION.credit_checks(
    2, hint="Write the first layer's gradient with the chain rule: what does each layer contribute?")
