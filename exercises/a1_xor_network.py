"""a1 · XOR with a 2-2-1 network of step units (no single perceptron can)."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, as_numbers, expect, expect_close
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "XOR with a hidden layer"
CONCEPT = "XOR is not linearly separable; a hidden layer makes it computable"
SOLUTION = [neurons.xor_network]


def prompt(params: dict) -> str:
    return """\
No single perceptron computes XOR: its four inequalities contradict each other
($w_0 < 0$, $w_1 \\ge -w_0$, $w_2 \\ge -w_0$ but $w_1 + w_2 < -w_0$). A **hidden
layer** solves it. Split XOR into two linearly separable pieces,

$$z_1 = x_1 \\wedge \\lnot x_2, \\qquad z_2 = \\lnot x_1 \\wedge x_2, \\qquad y = z_1 \\vee z_2,$$

and give each piece to one perceptron. The network computes

$$h = \\operatorname{step}(W_1 x + b_1), \\qquad y = \\operatorname{step}(w_2 \\cdot h + b_2),
\\qquad \\operatorname{step}(z) = \\begin{cases} 1 & z \\ge 0 \\\\ 0 & z < 0 \\end{cases}$$

with `W1` of shape `(2, 2)` (one row per hidden unit), `b1` and `w2` of shape `(2,)`
and `b2` a number. Note step(0) = 1.

Implement `xor_network()`: return the tuple `(W1, b1, w2, b2)` of a network whose
output is XOR: 0, 1, 1, 0 on the inputs 00, 01, 10, 11. Any network that does
this earns the points.
"""


@pytest.mark.points(1)
def test_xor_network_shapes(student):
    net = student.xor_network()
    if not isinstance(net, (tuple, list)) or len(net) != 4:
        raise CheckFailed("xor_network() must return a tuple (W1, b1, w2, b2).",
                          "End with `return W1, b1, w2, b2`.")
    for name, value, shape in zip(("W1", "b1", "w2", "b2"), net, ((2, 2), (2,), (2,), ())):
        arr = as_numbers(value, f"xor_network()'s {name}")
        expect(arr.shape == shape, f"{name} has shape {arr.shape}; expected {shape}.",
               "W1 has one row per hidden unit (2 × 2), b1 and w2 one entry per hidden unit, b2 is a number.")


@pytest.mark.points(2)
def test_xor_network_computes_xor(student):
    net = student.xor_network()
    if not isinstance(net, (tuple, list)) or len(net) != 4:
        raise CheckFailed("xor_network() must return a tuple (W1, b1, w2, b2).",
                          "End with `return W1, b1, w2, b2`.")
    W1, b1, w2, b2 = (as_numbers(v, "xor_network()") for v in net)
    X, xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    try:
        H = (X @ W1.T + b1 >= 0).astype(int)
        y = (H @ w2 + b2 >= 0).astype(int).ravel()
        strict = ((X @ W1.T + b1 > 0).astype(int) @ w2 + b2 > 0).astype(int).ravel()  # step(0) = 0
    except ValueError as err:
        raise CheckFailed(f"the network cannot be evaluated: {err}",
                          "Check the shapes: W1 (2, 2), b1 (2,), w2 (2,), b2 a number.") from None
    # Which layer is wrong, read off the student's network: an output unit can compute XOR from the
    # hidden codes unless two inputs with different outputs share a code, or the four codes are the
    # corners of the square labelled as XOR (or XNOR) of the code bits. None: not this mistake.
    codes = [tuple(h) for h in H.tolist()]
    clash = any(codes[i] == codes[j] and xor[i] != xor[j] for i in range(4) for j in range(i))
    usable = not clash and not (len(set(codes)) == 4 and len({a ^ b ^ t for (a, b), t in zip(codes, xor)}) == 1)
    expect_close(y, xor, what=f"your network on the inputs 00, 01, 10, 11 (hidden units: {H.tolist()})",
                 rtol=0, atol=0, mistakes={
                     "Your network computes XOR only with step(0) = 0: a pre-activation is exactly 0 and "
                     "step(0) = 1 fires. Move that bias by ½ so no sum lands on 0.":
                         y if np.array_equal(strict, xor) else None,
                     "No output unit can compute XOR from your hidden units (their outputs do not separate "
                     "01 and 10 from 00 and 11): fix the hidden layer, unit 1 firing only on 10 and unit 2 only on 01.":
                         None if usable else y,
                     "Your hidden units are fine (one line separates their outputs on 01 and 10 from those on "
                     "00 and 11), so the output unit is wrong: make it the OR of the two hidden units.":
                         y if usable else None,
                 }, hint="Make hidden unit 1 fire only on 10 and unit 2 only on 01, then let the output be their OR.")


XOR_HINT = "Evaluate your network by hand on all four inputs: y must be 0, 1, 1, 0 (step(0) = 1)."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=XOR_HINT)
def test_xor_network_truth_table(student):
    net = student.xor_network()
    expect(isinstance(net, (tuple, list)) and len(net) == 4, "xor_network() must return 4 values.", XOR_HINT)
    W1, b1, w2, b2 = (as_numbers(v, "xor_network()") for v in net)
    expect(W1.shape == (2, 2) and b1.shape == w2.shape == (2,) and b2.size == 1,
           "the network has the wrong shapes.", XOR_HINT)
    expect(neurons.computes(np.array([0, 1, 1, 0]), W1, b1, w2, float(b2.ravel()[0])),
           "the network does not compute XOR.", XOR_HINT)
