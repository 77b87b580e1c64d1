"""a1 · Quiz: the threshold of an MP neuron that fires when at least k of its n inputs are on (numeric)."""
import numpy as np
import pytest

from exercises.answers import RelAbs
from exercises.dlcheck import expect_number
from exercises.questions import NumericQuestion, WrongAnswer
from reference.neurons import mp_thresholds

ASSIGNMENT = "a1"
TITLE = "Quiz: an MP neuron's threshold"
CONCEPT = "Boolean functions as thresholds of a sum, inhibitory inputs"


def _theta(params: dict) -> int:
    """AND of the n excitatory inputs is the threshold of mp_thresholds; "at least k" is k."""
    return mp_thresholds(params["n"])["and"] if params["kind"] == "and" else params["k"]


QUESTION = NumericQuestion(
    variable="mp_theta",
    rule=RelAbs(rtol=0.0, atol=0.0),  # an integer threshold
    expected=_theta,
    wrong_answers=(
        WrongAnswer("The neuron fires when g(x) ≥ θ (not > θ): θ is the number of ones needed, not one less.",
                    lambda p: _theta(p) - 1),
        WrongAnswer("That threshold makes an OR neuron: it fires as soon as one input is 1.",
                    lambda p: mp_thresholds(p["n"])["or"]),
        WrongAnswer("The inhibitory input does not count in g(x): when it is on, the neuron is silenced "
                    "whatever the sum, so θ counts excitatory inputs only.",
                    lambda p: _theta(p) + 1),
    ))


def params(rng: np.random.Generator) -> dict:
    """n excitatory inputs and one inhibitory; AND of all n, or "at least k" of them (1 < k < n - 1)."""
    n = int(rng.integers(4, 10))
    return QUESTION.distinct({"n": n, "kind": str(rng.choice(["and", "at_least"])),
                              "k": int(rng.integers(2, n - 1))})


def prompt(params: dict) -> str:
    rule = ("all of them are 1 (AND)" if params["kind"] == "and"
            else f"at least {params['k']} of them are 1")
    return f"""\
A McCulloch–Pitts neuron has **{params["n"]} excitatory inputs** and one inhibitory input. It
computes $g(x) = \\sum_i x_i$ over the excitatory inputs and fires ($y = 1$) when $g(x) \\ge \\theta$,
unless the inhibitory input is 1 (then $y = 0$).

Which threshold θ makes it fire, with the inhibitory input at 0, exactly when {rule}?
Assign the number (an exact integer) to `mp_theta`.
"""


@pytest.mark.points(0)
def test_the_answer_is_a_number(student):
    expect_number(student.value("mp_theta"), "mp_theta", "an exact integer")


test_mp_theta = QUESTION.check(2, hint="g(x) counts the excitatory inputs that are 1; the neuron fires when g(x) ≥ θ.")
