"""a5 · Train a network that computes XOR: judged by its truth table, evaluated here with numpy."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, as_numbers, expect, expect_equal
from reference import training

ASSIGNMENT = "a5"
TITLE = "Learning XOR"
CONCEPT = "a hidden layer makes XOR learnable; training to 100 % accuracy"
CALL_TIME_FACTOR = 500  # its calls train: a plain-Python epoch loop is hundreds of times numpy's time
SOLUTION = [training.train_xor]


def prompt(params: dict) -> str:
    return """\
One perceptron cannot compute XOR (the classes are not linearly separable), but a network with
a hidden layer can, and gradient descent finds one. Implement `train_xor()`: train a network on
the four points `X = [[0, 0], [0, 1], [1, 0], [1, 1]]`, `y = [0, 1, 1, 0]` (your `train` from
above will do, e.g. `layer_sizes=[2, 4, 1]`, `"tanh"`, `"mse"`, `"batch"`) and return its
parameters, the list of `(W, b)` with `W` of shape (units, inputs).

How the checks read your network: **every hidden layer is `tanh`, the output layer is linear
(identity)**, and the prediction is 1 when the output is ≥ 0.5:
`h = np.tanh(h @ W.T + b)` for each hidden layer, `y_hat = h @ W.T + b` for the last one.
All four points must be classified right, each output at least 0.1 away from the threshold.
Any number and width of hidden layers is fine; if your run gets stuck, try another seed or more
epochs (a deterministic run: the same result every time the cell runs).
"""


PLOT = """\
import matplotlib.pyplot as plt
grid = np.stack(np.meshgrid(np.linspace(-0.5, 1.5, 101), np.linspace(-0.5, 1.5, 101)), axis=-1).reshape(-1, 2)
h = grid
net = train_xor()
for W, b in net[:-1]:
    h = np.tanh(h @ W.T + b)
out = (h @ net[-1][0].T + net[-1][1]).reshape(101, 101)
plt.contourf(np.linspace(-0.5, 1.5, 101), np.linspace(-0.5, 1.5, 101), out >= 0.5, alpha=0.3)
plt.scatter([0, 1, 0, 1], [0, 0, 1, 1], c=[0, 1, 1, 0], edgecolors="k"); plt.title("XOR"); plt.show()
"""


def outputs(net, X: np.ndarray) -> np.ndarray:
    """The network's outputs on X: tanh hidden layers, a linear output; fails clearly on a bad structure."""
    if not isinstance(net, (list, tuple)) or len(net) < 2:
        raise CheckFailed("train_xor must return a list of at least two (W, b) pairs (a hidden layer and the output).")
    h = X
    for layer, pair in enumerate(net, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise CheckFailed(f"layer {layer} is not a (W, b) pair.")
        W, b = as_numbers(pair[0], f"W of layer {layer}"), as_numbers(pair[1], f"b of layer {layer}")
        if W.ndim != 2 or W.shape[1] != h.shape[1] or b.shape != (W.shape[0],):
            raise CheckFailed(f"layer {layer}: W {W.shape} and b {b.shape} do not fit {h.shape[1]} inputs.",
                              "W has shape (units, inputs) and b (units,).")
        h = h @ W.T + b
        if layer < len(net):
            h = np.tanh(h)
    return h.ravel()


@pytest.mark.points(2)
def test_xor_truth_table(student):
    net = student.train_xor()
    expect(isinstance(net, (list, tuple)) and len(net) >= 2 and all(isinstance(p, (list, tuple)) and len(p) == 2
                                                                     for p in net),
           "train_xor must return a list of (W, b) pairs, at least a hidden layer and the output layer.")
    h = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    for layer, (W, b) in enumerate(net, start=1):
        W, b = as_numbers(W, f"W of layer {layer}"), as_numbers(b, f"b of layer {layer}")
        expect(W.ndim == 2 and W.shape[1] == h.shape[1] and b.shape == (W.shape[0],),
               f"layer {layer}: W {W.shape} and b {b.shape} do not fit {h.shape[1]} inputs.",
               "W has shape (units, inputs) and b (units,).")
        h = h @ W.T + b
        if layer < len(net):
            h = np.tanh(h)
    expect(h.shape == (4, 1), f"the output layer should have 1 unit, the outputs have shape {h.shape}.")
    predicted = (h.ravel() >= 0.5).astype(int).tolist()
    expect_equal(predicted, [0, 1, 1, 0], what=f"your network's classes for (0,0), (0,1), (1,0), (1,1) (XOR is "
                 f"[0, 1, 1, 0]; outputs {np.round(h.ravel(), 3).tolist()})", mistakes={
        "Your network gives class 0 to every point: it has not learned XOR (train longer, or another seed).":
            [0, 0, 0, 0],
        "Your network gives class 1 to every point: it has not learned XOR (train longer, or another seed).":
            [1, 1, 1, 1],
        "Your network computes OR (1 for (1,1) too), a linearly separable function: it needs its hidden layer to "
        "learn XOR; check y = [0, 1, 1, 0] and train longer.": [0, 1, 1, 1],
        "Your network computes AND: check the targets, y = [0, 1, 1, 0] in the order of X's rows.": [0, 0, 0, 1],
        "Your network computes NAND: check the targets, y = [0, 1, 1, 0] in the order of X's rows.": [1, 1, 1, 0],
        "Your network computes XNOR, XOR's complement: the targets are flipped, y = [0, 1, 1, 0].": [1, 0, 0, 1],
        "Your network copies the first input: check X's rows, [[0, 0], [0, 1], [1, 0], [1, 1]].": [0, 0, 1, 1],
        "Your network copies the second input: check X's rows, [[0, 0], [0, 1], [1, 0], [1, 1]].": [0, 1, 0, 1],
    }, hint="Train longer or with another seed; hidden layers are read as tanh and the output as linear.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Each output should be at least 0.1 away from the threshold 0.5 (train longer), and "
                         "train_xor should give the same network every time it is called (fix the seed).")
def test_confident_and_reproducible(student):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    first = outputs(student.train_xor(), X)
    expect(bool(np.all(np.abs(first - 0.5) >= 0.1)) and ((first >= 0.5) == np.array([0, 1, 1, 0], bool)).all(),
           "an output is within 0.1 of the threshold, or a point is misclassified.")
    expect(np.allclose(outputs(student.train_xor(), X), first), "a second call gives another network.")
