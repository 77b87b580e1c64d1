"""a1 · The theorem: any Boolean function of n inputs with 2ⁿ hidden perceptrons."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, as_numbers, expect, expect_close
from exercises.model import RedrawVariant
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "Any Boolean function with one hidden layer"
CONCEPT = "representation theorem: 2ⁿ pattern detectors and an OR"
SOLUTION = [neurons.boolean_network]


def params(rng: np.random.Generator) -> dict:
    """A truth table of 3 inputs with 3 to 5 ones that no single perceptron computes."""
    table = rng.integers(0, 2, size=8)
    if not 3 <= table.sum() <= 5:
        raise RedrawVariant("too few or too many ones to be interesting")
    X = neurons.truth_table_inputs(3)
    weights, biases = np.arange(-3, 4), np.arange(-6, 7)  # enough for every threshold function of 3 inputs
    grid = np.stack(np.meshgrid(biases, weights, weights, weights, indexing="ij"), -1).reshape(-1, 4)
    separable = ((grid[:, :1] + grid[:, 1:] @ X.T >= 0) == table.astype(bool)).all(axis=1).any()
    if separable:
        raise RedrawVariant("a single perceptron computes it: the hidden layer would not be needed")
    return {"truth_table": table.tolist()}


def prompt(params: dict) -> str:
    rows = "\n".join(f"| {k >> 2 & 1} | {k >> 1 & 1} | {k & 1} | {t} |"
                     for k, t in enumerate(params["truth_table"]))
    return f"""\
**Theorem.** Any Boolean function of $n$ inputs is computed exactly by a network
with one hidden layer of $2^n$ perceptrons and one output perceptron.

The proof builds the network. Hidden unit $k$ is a *pattern detector* for the
$k$-th input pattern $p^{{(k)}}$: weight $+1$ on the inputs that are 1 in the
pattern, $-1$ on those that are 0, and bias $-(\\text{{number of ones in }} p^{{(k)}})$.
Its sum is exactly 0 on its own pattern (so it fires, step(0) = 1) and at most
$-1$ on every other input. The output unit is an OR of the detectors whose pattern
must give 1: weight $t_k$ (the truth-table entry) and bias $-\\tfrac12$.

$$h_k = \\operatorname{{step}}\\Bigl(\\sum_i (2p^{{(k)}}_i - 1)\\,x_i - \\sum_i p^{{(k)}}_i\\Bigr), \\qquad
y = \\operatorname{{step}}\\Bigl(\\sum_k t_k h_k - \\tfrac12\\Bigr)$$

Conventions: a truth table of $n$ inputs is a 0/1 array of length $2^n$ listing
the output for the inputs in **binary order**, $x_1$ the most significant bit
(for $n = 2$: 00, 01, 10, 11); the network is `(W1, b1, w2, b2)` with `W1` of
shape `(2**n, n)`, `b1` and `w2` of shape `(2**n,)`, `b2` a number, evaluated as
$h = \\operatorname{{step}}(W_1 x + b_1)$, $y = \\operatorname{{step}}(w_2 \\cdot h + b_2)$.

Implement `boolean_network(truth_table)` for any $n \\ge 1$: return the theorem's
network, with $2^n$ hidden units. For the XOR table `[0, 1, 1, 0]` it has 4 hidden units.

Your function to build (n = 3, inputs $x_1 x_2 x_3$):

| $x_1$ | $x_2$ | $x_3$ | y |
| --- | --- | --- | --- |
{rows}
"""


@pytest.mark.points(1)
def test_boolean_network_for_xor(student):
    net = student.boolean_network(np.array([0, 1, 1, 0]))
    if not isinstance(net, (tuple, list)) or len(net) != 4:
        raise CheckFailed("boolean_network must return a tuple (W1, b1, w2, b2).",
                          "End with `return W1, b1, w2, b2`.")
    W1, b1, w2, b2 = (as_numbers(v, "boolean_network([0, 1, 1, 0])") for v in net)
    expect(W1.shape == (4, 2) and b1.shape == (4,) and w2.shape == (4,) and b2.size == 1,
           f"for n = 2 the shapes are W1 {W1.shape}, b1 {b1.shape}, w2 {w2.shape}, b2 {b2.shape}; "
           f"expected (4, 2), (4,), (4,) and a number.",
           "One hidden unit per input pattern: 2ⁿ = 4 rows in W1, one column per input.")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = ((X @ W1.T + b1 >= 0).astype(int) @ w2 + b2 >= 0).astype(int).ravel()
    expect(y.tolist() == [0, 1, 1, 0], f"on 00, 01, 10, 11 the network outputs {y.tolist()}; "
           f"expected [0, 1, 1, 0].",
           "Detector k: +1 where pattern k has a 1, −1 where it has a 0, bias −(number of ones).")


@pytest.mark.points(2)
def test_boolean_network_for_your_function(student, params):
    table = np.array(params["truth_table"])
    n = 3
    net = student.boolean_network(table)
    if not isinstance(net, (tuple, list)) or len(net) != 4:
        raise CheckFailed("boolean_network must return a tuple (W1, b1, w2, b2).",
                          "End with `return W1, b1, w2, b2`.")
    W1, b1, w2, b2 = (as_numbers(v, "boolean_network(your table)") for v in net)
    expect_close(W1.shape[-1] if W1.ndim else 0, n, what="the number of columns of W1 (one per input)", rtol=0,
                 atol=0, hint="W1 has one column per input: n = 3.", mistakes={
                     "W1 has n + 1 columns, one too many: n inputs have n bits, positions n − 1 down to 0.": n + 1,
                     "W1 has n − 1 columns, one too few: n inputs have n bits, positions n − 1 down to 0.": n - 1})
    expect_close(b1.size, 2**n, what="the number of entries of b1 (one per detector)", rtol=0, atol=0,
                 hint="b1 has one bias per detector: 2ⁿ = 8.", mistakes={
                     "b1 has one entry per input: sum the bits of each pattern along its row (axis=1).": n})
    expect(W1.shape == (2**n, n) and b1.shape == (2**n,) and w2.shape == (2**n,) and b2.size == 1,
           f"for n = 3 the shapes are W1 {W1.shape}, b1 {b1.shape}, w2 {w2.shape}, b2 {b2.shape}; "
           f"expected (8, 3), (8,), (8,) and a number.",
           "The theorem's network has 2ⁿ = 8 hidden units, one per input pattern.")
    X = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1
    H = (X @ W1.T + b1 >= 0).astype(int)
    y = (H @ w2 + b2 >= 0).astype(int).ravel()
    reversed_order = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    reversed_y = ((reversed_order @ W1.T + b1 >= 0).astype(int) @ w2 + b2 >= 0).astype(int).ravel()
    detectors_right = np.array_equal(H, np.eye(2**n))  # None below: not this mistake
    expect_close(y, table, what="your network on the inputs in binary order", rtol=0, atol=0, mistakes={
        "Your network computes the table with x₁ as the least significant bit: row k of the "
        "table belongs to the input whose binary digits x₁x₂x₃ spell k.":
            y if np.array_equal(reversed_y, table) else None,
        "Your detectors are right (detector k fires on pattern k only), so the output unit is wrong: "
        "weight tₖ on detector k and bias −½ make it the OR of the detectors whose entry is 1.":
            y if detectors_right else None,
        "Detector k must fire on pattern k only (sum 0 there, at most −1 elsewhere): weight +1 where "
        "pattern k has a 1, −1 where it has a 0, bias −(number of ones in pattern k).":
            None if detectors_right else y,
    }, hint="Each detector must fire on its own pattern only; the output is the OR of the "
            "detectors whose truth-table entry is 1 (weight tₖ, bias −½).")


ANY_N_HINT = ("Build the network for any n from the length of the table (n = log2(len)): "
              "2ⁿ detectors, binary order with x₁ most significant, output bias −½.")
CONSTANT_HINT = ("The all-zero table has no detector in the OR: every output weight is 0 and the "
                 "output bias −½ keeps y = 0; the all-one table fires everywhere.")


def _expect_computes(student, table: np.ndarray, hint: str) -> None:
    """Hidden checks: the student's network for ``table`` has 2ⁿ hidden units and computes it."""
    n = int(np.log2(table.size))
    net = student.boolean_network(table)
    expect(isinstance(net, (tuple, list)) and len(net) == 4, "must return (W1, b1, w2, b2).", hint)
    W1, b1, w2, b2 = (as_numbers(v, "boolean_network") for v in net)
    expect(W1.shape == (2**n, n) and b1.shape == w2.shape == (2**n,) and b2.size == 1,
           f"wrong shapes for n = {n}.", hint)
    b2 = float(b2.ravel()[0])
    got = neurons.network_truth_table(W1, b1, w2, b2, n)
    expect_close(got, table, what=f"a function of {n} inputs", rtol=0, atol=0, hint=hint,
                 mistakes=_layer_mistakes(neurons.step(neurons.truth_table_inputs(n) @ W1.T + b1), got))


def _layer_mistakes(hidden: np.ndarray, got: np.ndarray) -> dict:
    """The layer at fault, read off the student's hidden outputs on every input (binary order) and
    the network's outputs ``got``: the value ``None`` matches no answer, so exactly one hint applies."""
    detectors_right = np.array_equal(hidden, np.eye(len(hidden)))
    return {
        "The detectors are right, so the output unit is wrong: weight tₖ on detector k, bias −½.":
            got if detectors_right else None,
        "Detector k must fire on pattern k only: +1 where pattern k has a 1, −1 where it has a 0, "
        "bias −(number of ones).": None if detectors_right else got,
    }


@pytest.mark.points(1)
@pytest.mark.hidden(hint=ANY_N_HINT)
def test_boolean_network_every_function_of_two_inputs(student):
    for table in neurons.truth_table_inputs(4):
        _expect_computes(student, table, ANY_N_HINT)


@pytest.mark.points(1)
@pytest.mark.hidden(hint=CONSTANT_HINT)
def test_boolean_network_constant_functions_and_one_input(student):
    for table in ([0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], [0, 1], [1, 0]):
        _expect_computes(student, np.array(table), CONSTANT_HINT)


@pytest.mark.points(1)
@pytest.mark.hidden(hint=ANY_N_HINT)
def test_boolean_network_five_inputs(student, params):
    rng = np.random.default_rng(sum(params["truth_table"]) + 5)
    _expect_computes(student, rng.integers(0, 2, size=32), ANY_N_HINT)
