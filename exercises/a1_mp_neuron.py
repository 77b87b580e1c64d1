"""a1 · The McCulloch–Pitts neuron: thresholding logic with excitatory and inhibitory inputs."""
import numpy as np
import pytest

from exercises.dlcheck import expect, expect_close, expect_equal, show
from exercises.model import RedrawVariant
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "The McCulloch–Pitts neuron"
CONCEPT = "thresholding logic, inhibitory inputs, batches on axis 0"
SOLUTION = [neurons.mp_neuron]

_WRONG_NEURON = """def mp_neuron(x, theta, inhibitory=()):
    x = np.asarray(x)
    inh = np.zeros(x.shape[-1], dtype=bool)
    inh[list(inhibitory)] = True
    g, veto = x[..., ~inh].sum(axis=-1), x[..., inh].any(axis=-1)
    out = np.asarray({fires}).astype(int)
    return int(out) if out.ndim == 0 else out
"""
MISTAKE_CODE = {description: _WRONG_NEURON.format(fires=fires) for description, fires in {
    "fires when g > θ": "(g > theta) & ~veto",
    "inhibitory inputs subtracted, not a veto": "g - x[..., inh].sum(axis=-1) >= theta",
    "inhibitory inputs ignored": "g >= theta",
    "the mean of the excitatory inputs for their sum": "(x[..., ~inh].mean(axis=-1) >= theta) & ~veto",
}.items()}


def params(rng: np.random.Generator) -> dict:
    """d = 4 Boolean inputs, one or two of them inhibitory, a threshold 1 ≤ θ ≤ #excitatory.

    Redrawn when fewer than two patterns fire, or when subtracting the inhibitory
    inputs instead of vetoing would give the same outputs (the mistake could not show).
    """
    d = 4
    inhibitory = sorted(int(i) for i in rng.choice(d, size=int(rng.integers(1, 3)), replace=False))
    excitatory = d - len(inhibitory)
    theta = int(rng.integers(1, excitatory + 1))
    X = neurons.truth_table_inputs(d)
    right = neurons.mp_neuron(X, theta, tuple(inhibitory))
    subtracted = (X.sum(axis=1) - 2 * X[:, inhibitory].sum(axis=1) >= theta).astype(int)
    if right.sum() < 2 or np.array_equal(right, subtracted):
        raise RedrawVariant("too few firing patterns, or the veto indistinguishable from a subtraction")
    return {"d": d, "theta": theta, "inhibitory": inhibitory}


def prompt(params: dict) -> str:
    inhibitory = params["inhibitory"]
    return f"""\
The **McCulloch–Pitts (MP) neuron** (1943) is the first model of a neuron. Its
inputs are Boolean, $x_i \\in \\{{0, 1\\}}$. It adds up its *excitatory* inputs and
fires when the sum reaches the threshold $\\theta$:

$$g(x) = \\sum_{{i \\notin I}} x_i, \\qquad
y = \\begin{{cases}} 1 & \\text{{if }} g(x) \\ge \\theta \\text{{ and no inhibitory input is active}} \\\\
0 & \\text{{otherwise}} \\end{{cases}}$$

An **inhibitory** input ($i \\in I$) is a veto: if any inhibitory input is 1 the
neuron outputs 0, whatever the sum. Inhibitory inputs are *not* counted in $g$
and are *not* subtracted from it. Note the $\\ge$: reaching the threshold exactly fires.

Implement `mp_neuron(x, theta, inhibitory=())`:
- `x` is one input vector of shape `(d,)` → return the int 0 or 1; or a batch of
  shape `(n, d)` (one input vector per row) → return an int array of shape `(n,)`;
- `inhibitory` lists the 0-based indices of the inhibitory inputs.

Example: `mp_neuron(np.array([1, 1, 0]), 2)` is 1 and
`mp_neuron(np.array([1, 1, 1]), 2, inhibitory=(2,))` is 0.

Your neuron: d = {params["d"]} inputs, θ = {params["theta"]}, inhibitory inputs
`{tuple(inhibitory)}`. Which input patterns make it fire?
"""


@pytest.mark.points(1)
def test_mp_neuron_examples(student):
    expect_equal(student.mp_neuron(np.array([1, 1, 0]), 2), 1, what="mp_neuron([1, 1, 0], 2)",
                 hint="g = 1 + 1 + 0 = 2 reaches θ = 2: the neuron fires when g(x) ≥ θ.")
    expect_equal(student.mp_neuron(np.array([1, 1, 1]), 2, (2,)), 0,
                 what="mp_neuron([1, 1, 1], 2, inhibitory=(2,))",
                 hint="An active inhibitory input vetoes firing: the output is 0.")


@pytest.mark.points(2)
def test_mp_neuron_on_your_neuron(student, ref, params):
    d, theta, inhibitory = params["d"], params["theta"], tuple(params["inhibitory"])
    X = (np.arange(2**d)[:, None] >> np.arange(d - 1, -1, -1)) & 1  # every 0/1 pattern
    inh = np.zeros(d, dtype=bool)
    inh[list(inhibitory)] = True
    g = X[:, ~inh].sum(axis=1)
    veto = X[:, inh].any(axis=1)
    expect_close(student.mp_neuron(X, theta, inhibitory), ref.mp_neuron(X, theta, inhibitory),
                 what=f"mp_neuron on all {2**d} patterns (θ = {theta}, inhibitory = {inhibitory})",
                 mistakes={
                     "Fire when g(x) ≥ θ, not g(x) > θ: reaching the threshold fires.":
                         ((g > theta) & ~veto).astype(int),
                     "Inhibitory inputs are a veto (any active one → 0), not subtracted from the sum.":
                         (g - X[:, inh].sum(axis=1) >= theta).astype(int),
                     "The inhibitory inputs were ignored: any active one must force the output to 0.":
                         (g >= theta).astype(int),
                 })


SCALAR_HINT = ("For one input vector of shape (d,) return a single 0 or 1, not an array; with exactly θ "
               "excitatory inputs on, g(x) = θ reaches the threshold and the neuron fires.")
BATCH_HINT = "For a batch of shape (n, d) sum over the inputs of each row (axis=-1) and return shape (n,)."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=SCALAR_HINT)
def test_mp_neuron_single_vector_gives_a_number(student, params):
    theta, inhibitory = params["theta"], tuple(params["inhibitory"])
    x = np.zeros(params["d"], dtype=int)  # exactly θ excitatory inputs on: a mean, not a sum, stays below θ
    x[[i for i in range(params["d"]) if i not in inhibitory][:theta]] = 1
    got = student.mp_neuron(x, theta, inhibitory)
    expect(np.ndim(got) == 0, f"mp_neuron of one vector returned {show(got)}.", SCALAR_HINT)
    expect_equal(int(got), 1, what=f"mp_neuron with exactly θ = {theta} excitatory inputs on", hint=SCALAR_HINT)


@pytest.mark.points(1)
@pytest.mark.hidden(hint=BATCH_HINT)
def test_mp_neuron_batch_without_inhibitory_inputs(student):
    X = np.array([[1, 0, 1, 1, 0], [0, 0, 0, 1, 0], [1, 1, 1, 1, 1], [0, 1, 1, 0, 0],
                  [0, 0, 0, 0, 0], [1, 1, 0, 0, 0]])
    expect_close(student.mp_neuron(X, 3), (X.sum(axis=1) >= 3).astype(int),
                 what="mp_neuron on a batch of 6 five-input vectors", hint=BATCH_HINT)
    expect_close(student.mp_neuron(X[:1], 3), np.array([1]), what="mp_neuron on a batch of one row",
                 hint=BATCH_HINT)


VETO_HINT = ("One active inhibitory input is enough to veto, however large the excitatory sum; "
             "inhibitory inputs are neither counted nor subtracted.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=VETO_HINT)
def test_mp_neuron_veto_beats_any_sum(student):
    X = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 1], [1, 1, 0, 0, 0, 0]])
    expect_close(student.mp_neuron(X, 1, (5,)), np.array([0, 1, 0, 1]),
                 what="mp_neuron with θ = 1 and input 5 inhibitory", hint=VETO_HINT)
    expect_close(student.mp_neuron(X, 0, (1,)), np.array([0, 0, 1, 0]),
                 what="mp_neuron with θ = 0 and input 1 inhibitory", hint=VETO_HINT)
