"""a5 · Training an MLP by batch, stochastic and mini-batch gradient descent.

Checked by behaviour: the loss falls below the baseline of predicting the mean,
the history has one value per epoch and is the run the prompt fixes (every random
draw is prescribed, so the model answer's history with the same seed, within a
relative 1e-5), with every hidden activation a variant can draw, and the number of updates per epoch
(1, n, n / b) shows in a tiny-learning-rate experiment: to first order in the
learning rate, an epoch of U updates lowers the loss U times as much as one
full-batch step, so the drops of the three methods stand in the ratios 1 : n : n / b.
"""
import numpy as np
import pytest

from exercises.dlcheck import as_numbers, expect, expect_close
from exercises.model import RedrawVariant
from reference import mlp, training

ASSIGNMENT = "a5"
TITLE = "Training: batch, stochastic and mini-batch gradient descent"
CONCEPT = "epochs, updates per epoch, the training loop, loss history"
CALL_TIME_FACTOR = 500  # its calls train: a plain-Python epoch loop is hundreds of times numpy's time
SOLUTION = [mlp.activation, mlp.forward, mlp.backward, mlp.mean_loss, training.train]

METHODS = ("batch", "sgd", "minibatch")
ACTIVATIONS = ("tanh", "sigmoid", "relu")
"""Every hidden activation a variant can draw: the checks train with each (``params["rates"]``), so a mistake
in one activation's code costs the same on every variant, whichever activation the variant shows."""


def data(params: dict) -> tuple[np.ndarray, np.ndarray]:
    """The variant's regression data, as the prompt builds it."""
    rng = np.random.default_rng(params["data_seed"])
    X = rng.uniform(-1, 1, (params["n"], 2))
    return X, np.sin(2 * X[:, 0]) + 0.5 * X[:, 1]


def _run(params: dict, method: str, activation: str) -> list:
    X, y = data(params)
    _, history = training.train(X, y, [2, params["hidden"], 1], activation, "mse", method,
                                params["rates"][activation], params["epochs"], params["batch_size"], params["seed"])
    return history


def params(rng: np.random.Generator) -> dict:
    """Data, a one-hidden-layer network and a schedule on which all three methods beat the mean by ×2.5
    with every activation (``rates``: its learning rate, 0.3 for sigmoid, the drawn one for the others;
    ``activation`` and ``lr``: the run the prompt shows)."""
    p = {"data_seed": int(rng.integers(10**6)), "n": int(rng.integers(24, 41)), "hidden": int(rng.integers(4, 9)),
         "activation": str(rng.choice(ACTIVATIONS)), "lr": float(rng.choice([0.05, 0.1, 0.2])),
         "epochs": int(rng.integers(40, 61)), "batch_size": int(rng.integers(4, 9)), "seed": int(rng.integers(10**6))}
    if p["batch_size"] == p["hidden"]:  # delta (b, 1) @ b_out (1,) * g'(A) (b, hidden) would broadcast
        raise RedrawVariant("mini-batches as wide as the hidden layer let a wrong product in backward run")
    p["rates"] = {activation: 0.3 if activation == "sigmoid" else p["lr"] for activation in ACTIVATIONS}
    p["lr"] = p["rates"][p["activation"]]  # sigmoid units learn slowly at small rates
    baseline = 0.5 * np.var(data(p)[1])
    for activation in ACTIVATIONS:
        for method in METHODS:
            history = _run(p, method, activation)
            if not history[-1] < 0.4 * baseline:
                raise RedrawVariant(f"{method} with {activation} does not learn this variant well enough")
    return p


def prompt(params: dict) -> str:
    return f"""\
Training repeats, for a number of **epochs**, a pass over the training set; each pass makes
**updates** $W \\leftarrow W - \\eta\\, \\partial L_B / \\partial W$ with the mean gradient over a batch B:

| method | batch B | updates per epoch |
| --- | --- | --- |
| `"batch"` | all n rows, in order | 1 |
| `"sgd"` | one row, shuffled | n |
| `"minibatch"` | `batch_size` rows, shuffled | ⌈n / batch_size⌉ |

Implement `train(X, y, layer_sizes, activation, loss, method, lr, epochs, batch_size, seed)`:
hidden layers use `activation`, the output layer `"identity"` for `loss="mse"` and `"softmax"` for
`loss="cross_entropy"`; a 1-D `y` is a column. Start from `rng = np.random.default_rng(seed)`:
first the weights, layer by layer, with your `xavier_init(fan_in, fan_out, rng)` and zero biases;
then, at the start of every epoch of `"sgd"` (batch size 1) and `"minibatch"`, your
`minibatches(X, y, size, rng)`. Each update uses your `forward` and `backward` (copy your a4
`activation`, `forward` and `backward` into this cell) and `mean_loss(y, y_hat, loss)`, the mean
loss (½-MSE or cross-entropy) over the rows. Return `(params, history)`: the trained list of
`(W, b)` and the **mean training loss over the whole set after each epoch** (`epochs` values).
(`on_update`, if you keep it, is called after every update; the checks do not use it.)

**Your run**: `rng = np.random.default_rng({params["data_seed"]})`,
`X = rng.uniform(-1, 1, ({params["n"]}, 2))`, `y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1]`, and
`train(X, y, [2, {params["hidden"]}, 1], "{params["activation"]}", "mse", method, {params["lr"]}, {params["epochs"]}, {params["batch_size"]}, {params["seed"]})`
for each of the three methods. All three should end well below the loss of always predicting
the mean of y, ½·var(y). Plot the three histories: per epoch, SGD falls fastest. The checks also
train on these data with the other hidden activations (each of `"tanh"`, `"sigmoid"` and `"relu"`,
with `lr` {params["rates"]["tanh"]} for tanh and relu, 0.3 for sigmoid), so keep all three working, and
compare each history with the model answer's run (the same draws in the same order: relative 1e-5).
"""


PLOT = """\
import matplotlib.pyplot as plt
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, (32, 2)); y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1]
for method in ("batch", "sgd", "minibatch"):
    plt.plot(train(X, y, [2, 6, 1], "tanh", "mse", method, 0.1, 50, 8, 0)[1], label=method)
plt.xlabel("epoch"); plt.ylabel("mean training loss"); plt.yscale("log"); plt.legend(); plt.show()
"""


@pytest.mark.points(1)
def test_one_loss_per_epoch(student, params):
    rng = np.random.default_rng(params["data_seed"])
    X = rng.uniform(-1, 1, (params["n"], 2))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1]
    for activation, lr in params["rates"].items():  # every activation a variant can draw
        got = student.train(X, y, [2, params["hidden"], 1], activation, "mse", "batch",
                            lr, params["epochs"], params["batch_size"], params["seed"])
        expect(isinstance(got, (list, tuple)) and len(got) == 2, "train must return (params, history).")
        history = as_numbers(got[1], f"the {activation} history")
        expect(history.shape == (params["epochs"],),
               f"the {activation} history has shape {history.shape}: expected one loss per epoch, "
               f"({params['epochs']},).", "Append the mean loss over the whole training set once per epoch, "
               "after its updates.")
        # finiteness is judged by test_every_method_learns: a diverging run is not charged twice, and
        # whether a slip diverges depends on the variant's data
        expect(not bool(np.any(history < 0)), f"the {activation} history holds negative losses.",
               "A loss is never negative: the mean of ½(ŷ − y)², not of ½(ŷ − y) or −½(ŷ − y)².")


@pytest.mark.points(2)
def test_every_method_learns(student, ref, params):
    rng = np.random.default_rng(params["data_seed"])
    X = rng.uniform(-1, 1, (params["n"], 2))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1]
    baseline = 0.5 * np.var(y)
    for activation, lr in params["rates"].items():  # every activation a variant can draw
        for method in ("batch", "sgd", "minibatch"):
            got = student.train(X, y, [2, params["hidden"], 1], activation, "mse", method,
                                lr, params["epochs"], params["batch_size"], params["seed"])
            expect(isinstance(got, (list, tuple)) and len(got) == 2, "train must return (params, history).")
            history = as_numbers(got[1], f"the {method} history with {activation}")
            expect(history.ndim == 1 and len(history) > 0,
                   f"the {method} history with {activation} is not a list of losses.")
            # the prompt fixes every draw (weights, then each epoch's shuffle): the run is the model's run
            expected = ref.train(X, y, [2, params["hidden"], 1], activation, "mse", method,
                                 lr, params["epochs"], params["batch_size"], params["seed"])[1]
            expect_close(history, expected, rtol=1e-5, n=len(y), what=f"the {method} history with {activation}",
                         mistakes={"The history misses the last epoch: record the mean loss after each of the "
                                   "`epochs` epochs.": expected[:-1]},
                         hint="Subtract lr times the gradient (W - lr * dW) after every batch, and report the mean "
                              "½-squared error over all rows." if not history[-1] < 0.4 * baseline else
                              "Draw the weights first (xavier_init layer by layer), then shuffle with minibatches at "
                              "the start of every sgd or minibatch epoch, all from default_rng(seed); update with "
                              "each batch's mean gradient.")


@pytest.mark.points(2)
def test_updates_per_epoch_of_each_method(student):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (12, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    drops = {}
    for method in ("batch", "sgd", "minibatch"):
        got = student.train(X, y, [2, 3, 1], "tanh", "mse", method, 1e-4, 2, 4, 7)
        expect(isinstance(got, (list, tuple)) and len(got) == 2, "train must return (params, history).")
        history = as_numbers(got[1], f"the {method} history")
        expect(history.shape == (2,), f"expected 2 losses for 2 epochs, got shape {history.shape}.")
        drops[method] = history[0] - history[1]
    expect(drops["batch"] > 0, "with lr = 1e-4 the batch loss did not decrease in the second epoch.",
           "Update with W - lr * dW (minus: go against the gradient).")
    # with a tiny lr an epoch of U updates lowers the loss about U times one full-batch step
    for method, updates in (("sgd", 12), ("minibatch", 3)):
        ratio = drops[method] / drops["batch"]
        expect(abs(ratio - updates) < 0.15 * updates,
               f"{method!r} lowered the loss {ratio:.3g} times as much per epoch as 'batch'; with 12 rows "
               f"and batch_size 4 it makes {updates} updates per epoch, so about {updates} was expected.",
               "batch: 1 update per epoch on the mean gradient; sgd: one per row; minibatch: one per "
               "batch of batch_size rows, each on the batch's mean gradient.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Draw the weights and every shuffle from np.random.default_rng(seed) only: the same seed "
                         "must give the same run, another seed another one.")
def test_the_seed_decides_the_run(student, params):
    X, y = data(params)
    # tanh on every variant (the seed is no activation's business); a run that diverges shows no seed, and
    # is charged by test_every_method_learns, so only finite runs are judged here
    args = (X, y, [2, params["hidden"], 1], "tanh", "mse", "minibatch", params["rates"]["tanh"], 5,
            params["batch_size"])
    first, again, other = (as_numbers(student.train(*args, seed)[1], "history")
                           for seed in (params["seed"], params["seed"], params["seed"] + 1))
    expect(np.array_equal(first, again, equal_nan=True)
           and (not np.array_equal(first, other, equal_nan=True) or not bool(np.all(np.isfinite(first)))),
           "the run does not follow the seed.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="params is a list of (W, b), W of shape (units, inputs), one pair per layer of "
                         "layer_sizes; a 1-D y is a column (n, 1); every hidden layer uses `activation`, and the "
                         "output layer's derivative is the output activation's.")
def test_params_of_a_deeper_network(student, params):
    X, y = data(params)
    got = student.train(X, y, [2, 5, 3, 1], "tanh", "mse", "batch", 0.1, 3, 4, params["seed"])
    expect(isinstance(got, (list, tuple)) and len(got) == 2 and isinstance(got[0], (list, tuple))
           and len(got[0]) == 3, "train must return (params, history) with 3 layers of params.")
    for (W, b), (fan_in, fan_out) in zip(got[0], ((2, 5), (5, 3), (3, 1))):
        expect(as_numbers(W, "W").shape == (fan_out, fan_in) and as_numbers(b, "b").shape == (fan_out,),
               "a layer's W or b has the wrong shape.")
    expect_close(as_numbers(got[1], "history"), training.train(X, y, [2, 5, 3, 1], "tanh", "mse", "batch", 0.1, 3, 4,
                                                               params["seed"])[1],
                 rtol=1e-5, what="the deeper network's history (the model's run with the same draws)")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="For loss='cross_entropy' the output layer is a softmax, y holds one-hot rows, and the "
                         "history is the mean cross-entropy.")
def test_cross_entropy_classification(student):
    rng = np.random.default_rng(5)  # the same data on every variant: judged alike everywhere
    labels = rng.integers(0, 3, 60)
    X = rng.normal(0, 0.4, (60, 2)) + np.array([[0, 2], [2, -1], [-2, -1]])[labels]
    Y = np.eye(3)[labels]
    got = student.train(X, Y, [2, 6, 3], "tanh", "cross_entropy", "minibatch", 0.2, 30, 10, 5)
    history = as_numbers(got[1] if isinstance(got, (list, tuple)) and len(got) == 2 else None, "history")
    expect(history.shape == (30,) and history[-1] < 0.25 * np.log(3),
           "cross-entropy training does not separate three well-separated clusters.")
    expect_close(history, training.train(X, Y, [2, 6, 3], "tanh", "cross_entropy", "minibatch", 0.2, 30, 10, 5)[1],
                 rtol=1e-5, what="the cross-entropy history (the model's run with the same draws)")
