"""a1 · Thresholds of an MP neuron for AND and OR over n inputs."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, describe_type, expect, expect_equal
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "MP thresholds for AND and OR"
CONCEPT = "Boolean functions as thresholds of a sum"
SOLUTION = [neurons.mp_thresholds]


def params(rng: np.random.Generator) -> dict:
    """The number of inputs of the student's AND and OR neurons, 3 to 9."""
    return {"n": int(rng.integers(3, 10))}


def prompt(params: dict) -> str:
    return f"""\
An MP neuron with only excitatory inputs fires when $g(x) = \\sum_{{i=1}}^n x_i \\ge \\theta$.
The threshold alone decides which Boolean function it computes. Over $n$ inputs,
$g(x)$ counts how many inputs are 1, so ask: *how many ones must be present for the
output to be 1?*

- **AND** fires only when every input is 1;
- **OR** fires when at least one input is 1.

Implement `mp_thresholds(n)`: return a dict `{{"and": θ_AND, "or": θ_OR}}` of
integer thresholds for an MP neuron with `n` excitatory inputs (remember: it fires
when $g(x) \\ge \\theta$). Example: `mp_thresholds(2)` is `{{"and": 2, "or": 1}}`.

Your neurons have n = {params["n"]} inputs.
"""


@pytest.mark.points(1)
def test_mp_thresholds_example(student):
    got = student.mp_thresholds(2)
    if not isinstance(got, dict) or set(got) != {"and", "or"}:
        raise CheckFailed(f"mp_thresholds(2) returned {describe_type(got)} {got!r}.",
                          'Return a dict with exactly the keys "and" and "or".')
    expect_equal(got["and"], 2, what='mp_thresholds(2)["and"]',
                 hint="AND of 2 inputs fires only when both are 1: g(x) = 2.")
    expect_equal(got["or"], 1, what='mp_thresholds(2)["or"]',
                 hint="OR fires as soon as one input is 1: g(x) ≥ 1 (θ = 0 would fire on 00 too).")


@pytest.mark.points(2)
def test_mp_thresholds_for_your_n(student, ref, params):
    n = params["n"]
    got, want = student.mp_thresholds(n), ref.mp_thresholds(n)
    if not isinstance(got, dict) or set(got) != {"and", "or"}:
        raise CheckFailed(f"mp_thresholds({n}) returned {describe_type(got)} {got!r}.",
                          'Return a dict with exactly the keys "and" and "or".')
    expect_equal(got["and"], want["and"], what=f'mp_thresholds({n})["and"]',
                 hint=("AND needs every input on: the sum must reach n."
                       if got["and"] != n - 1 else "With θ = n − 1 one input may be 0: AND needs all n."))
    expect_equal(got["or"], want["or"], what=f'mp_thresholds({n})["or"]',
                 hint="OR needs one input on: θ does not grow with n.")


BEHAVIOUR_HINT = ("Check your thresholds on every input pattern: AND fires only on all ones, "
                  "OR on everything but all zeros.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=BEHAVIOUR_HINT)
def test_mp_thresholds_compute_and_and_or(student):
    for n in (1, 4, 7):
        got = student.mp_thresholds(n)
        expect(isinstance(got, dict) and set(got) == {"and", "or"},
               "mp_thresholds must return a dict with the keys 'and' and 'or'.", BEHAVIOUR_HINT)
        g = neurons.truth_table_inputs(n).sum(axis=1)
        expect(np.array_equal(g >= got["and"], g == n), f"the AND threshold for n = {n} is wrong.",
               BEHAVIOUR_HINT)
        expect(np.array_equal(g >= got["or"], g > 0), f"the OR threshold for n = {n} is wrong.",
               BEHAVIOUR_HINT)
