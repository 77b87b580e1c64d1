"""a1 · Thresholds of an MP neuron for AND and OR over n inputs."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, describe_type, expect, expect_close
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "MP thresholds for AND and OR"
CONCEPT = "Boolean functions as thresholds of a sum"
SOLUTION = [neurons.mp_thresholds]

MISTAKE_CODE = {description: f"def mp_thresholds(n):\n    return {{'and': {and_}, 'or': {or_}}}\n"
                for description, (and_, or_) in {
                    "AND's threshold one too low: θ = n − 1": ("n - 1", "1"),
                    "OR's threshold 0: fires on all zeros": ("n", "0"),
                    "the two thresholds swapped": ("1", "n"),
                    "OR's threshold 2: one input on does not fire": ("n", "2"),
                }.items()}


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
    # thresholds are integers: compared exactly (rtol = atol = 0), each classic wrong one named
    expect_close(got["and"], 2, what='mp_thresholds(2)["and"]', rtol=0, atol=0, mistakes={
        "θ = 1 is OR's threshold: AND of 2 inputs fires only when both are 1, g(x) = 2.": 1,
        "With θ = 3 the neuron never fires: AND of 2 inputs fires when both are 1, g(x) = 2.": 3},
        hint="AND of 2 inputs fires only when both are 1: g(x) = 2.")
    expect_close(got["or"], 1, what='mp_thresholds(2)["or"]', rtol=0, atol=0, mistakes={
        "θ = 0 would fire on 00 too: OR fires as soon as one input is 1, g(x) ≥ 1.": 0,
        "θ = 2 is AND's threshold: OR fires as soon as one input is 1, g(x) ≥ 1.": 2},
        hint="OR fires as soon as one input is 1: g(x) ≥ 1 (θ = 0 would fire on 00 too).")


@pytest.mark.points(2)
def test_mp_thresholds_for_your_n(student, ref, params):
    n = params["n"]
    got, want = student.mp_thresholds(n), ref.mp_thresholds(n)
    if not isinstance(got, dict) or set(got) != {"and", "or"}:
        raise CheckFailed(f"mp_thresholds({n}) returned {describe_type(got)} {got!r}.",
                          'Return a dict with exactly the keys "and" and "or".')
    expect_close(got["and"], want["and"], what=f'mp_thresholds({n})["and"]', rtol=0, atol=0, mistakes={
        "With θ = n − 1 one input may be 0: AND needs all n.": n - 1,
        "θ = 1 is OR's threshold: AND needs every input on, the sum must reach n.": 1,
        "With θ = n + 1 the neuron never fires: AND needs every input on, the sum must reach n.": n + 1},
        hint="AND needs every input on: the sum must reach n.")
    expect_close(got["or"], want["or"], what=f'mp_thresholds({n})["or"]', rtol=0, atol=0, mistakes={
        "θ = 0 fires when every input is 0 too: OR needs one input on, θ = 1.": 0,
        "θ = n is AND's threshold: OR needs one input on, θ does not grow with n.": n,
        "With θ = 2 a single input on does not fire: OR needs one input on, θ = 1.": 2},
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
        expect_close(g >= got["and"], g == n, what=f"the AND neuron of n = {n} inputs on every pattern",
                     rtol=0, atol=0, hint=BEHAVIOUR_HINT, mistakes={
                         "The AND neuron also fires with one input off (θ is one too low): AND fires only on all ones.": g >= n - 1,
                         "The AND neuron fires like an OR (θ too low): AND fires only on all ones.": g >= 1})
        expect_close(g >= got["or"], g > 0, what=f"the OR neuron of n = {n} inputs on every pattern",
                     rtol=0, atol=0, hint=BEHAVIOUR_HINT, mistakes={
                         "The OR neuron fires on all zeros too (θ ≤ 0): AND fires only on all ones, OR on everything but all zeros.": g >= 0,
                         "The OR neuron stays silent with one input on (θ above 1): AND fires only on all ones, OR on everything but all zeros.": g >= 2})
