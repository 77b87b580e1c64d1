"""a4 · Forward and backward pass of an MLP: the delta rule in matrix form."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, as_numbers, describe_type, expect, expect_close
from exercises.model import RedrawVariant
from reference import mlp

ASSIGNMENT = "a4"
TITLE = "Forward and backward pass of an MLP"
CONCEPT = "forward pass with a cache, backpropagation (delta rule), mean over the batch"
SOLUTION = [mlp.activation, mlp.forward, mlp.backward]

BACKWARD_TEMPLATE = """
def backward(y, cache, params, activations, loss):
    H = [np.atleast_2d(h) for h in cache["h"]]
    A = [np.atleast_2d(a) for a in cache["a"]]
    n = H[0].shape[0]
    delta = (H[-1] - np.atleast_2d(y)) / {n}
    if loss == "mse":
        delta = delta {op} activation(activations[{out}])[{which}](A[-1])
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        grads.insert(0, (delta.T @ H[layer], delta.sum(axis=0)))
        if layer > 0:
            delta = (delta @ np.asarray(params[layer][0], dtype=float)) {hidden}
    return grads
"""
"""backward written out, with a slot for each catalogued mistake (RIGHT_BACKWARD fills them rightly)."""
RIGHT_BACKWARD = {"n": "n", "op": "*", "out": "-1", "which": "1",
                  "hidden": "* activation(activations[layer - 1])[1](A[layer - 1])"}
MISTAKE_CODE = {mistake: BACKWARD_TEMPLATE.format(**{**RIGHT_BACKWARD, **change}) for mistake, change in {
    "sum": {"n": "1"},
    "no_g_prime": {"hidden": ""},
    "g_prime_of_h": {"hidden": "* activation(activations[layer - 1])[1](H[layer])"},
    "output_g_prime_of_hidden": {"out": "0"},
    "output_g_not_g_prime": {"which": "0"},
    "output_divided": {"op": "/"},
}.items()}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUTS = (("identity", "mse"), ("sigmoid", "mse"), ("softmax", "cross_entropy"))


def params(rng: np.random.Generator) -> dict:
    """A 2-layer network (inputs → hidden → outputs), a batch and its targets, 2 decimals each.

    The variant draws its own hidden activation and output, but every check also runs the
    student's code with every other hidden activation and (output, loss) pair of ``OUTPUTS`` on
    the same weights (``targets`` holds a target batch per output), so a mistake in one
    activation's code costs the same on every variant. The sizes (inputs, hidden units, outputs,
    samples) all differ. Redrawn when the hidden pre-activations miss one of the ranges below
    −1, −1 to 0, 0 to 1 and above 1 (where the activations' formulas differ), or when, for any of
    them, a ReLU pre-activation sits within 0.02 of its kink (finite differences would straddle
    it) or a sigmoid/tanh/softmax unit saturates.
    """
    d_out = int(rng.integers(2, 4))  # four different sizes, so that a wrong axis or a transpose shows
    d_in = int(rng.choice([v for v in (2, 3, 4) if v != d_out]))
    hidden = int(rng.choice([v for v in (3, 4, 5) if v not in (d_in, d_out)]))
    n = int(rng.choice([v for v in (3, 4, 5, 6) if v not in (d_in, hidden, d_out)]))
    g = HIDDEN_ACTIVATIONS[int(rng.integers(3))]
    out, loss = OUTPUTS[int(rng.integers(3))]
    W1, b1 = np.round(rng.normal(0, 1, (hidden, d_in)), 2), np.round(rng.normal(0, 0.5, hidden), 2)
    W2, b2 = np.round(rng.normal(0, 1, (d_out, hidden)), 2), np.round(rng.normal(0, 0.5, d_out), 2)
    X = np.round(rng.normal(0, 1, (n, d_in)), 2)
    targets = {"identity": np.round(rng.normal(0, 1, (n, d_out)), 2),
               "sigmoid": np.round(rng.uniform(0.05, 0.95, (n, d_out)), 2),
               "softmax": np.eye(d_out)[rng.integers(d_out, size=n)]}
    net = [(W1, b1), (W2, b2)]
    A1 = mlp.forward(X, net, ["identity", "identity"])[1]["a"][0]
    if not all(np.any((A1 > low) & (A1 < high)) for low, high in ((-np.inf, -1), (-1, 0), (0, 1), (1, np.inf))):
        raise RedrawVariant("the hidden pre-activations miss a range (below −1, −1 to 0, 0 to 1, above 1)")
    for hidden_activation in HIDDEN_ACTIVATIONS:
        A1, A2 = mlp.forward(X, net, [hidden_activation, "identity"])[1]["a"]
        if np.min(np.abs(A1)) < 0.02 or np.max(np.abs(A1)) > 5 or np.max(np.abs(A2)) > 6:
            raise RedrawVariant(f"with {hidden_activation} hidden units, a unit sits on a kink or saturates")
    return {"W1": W1.tolist(), "b1": b1.tolist(), "W2": W2.tolist(), "b2": b2.tolist(),
            "X": X.tolist(), "Y": targets[out].tolist(), "activations": [g, out], "loss": loss,
            "targets": {name: Y.tolist() for name, Y in targets.items()}}


def settings(params: dict) -> list:
    """Every (activations, loss, targets) the checks run the student's code with on the variant's
    weights: each hidden activation with each output and its loss, in a fixed order."""
    return [([g, out], loss, np.array(params["targets"][out]))
            for g in HIDDEN_ACTIVATIONS for out, loss in OUTPUTS]


def _with(activations: list) -> str:
    return f"with {activations[0]} hidden units and a {activations[1]} output"


def prompt(params: dict) -> str:
    g, out = params["activations"]
    loss = params["loss"]
    hidden, d_in = np.shape(params["W1"])
    d_out = len(params["b2"])
    loss_text = ("the **mean squared error with a ½**, $L = \\frac1n \\sum_s \\tfrac12 \\lVert \\hat y_s - y_s \\rVert^2$"
                 if loss == "mse" else
                 "the **cross-entropy** of a softmax output, $L = -\\frac1n \\sum_s \\sum_k y_{sk} \\log \\hat y_{sk}$ "
                 "(one-hot $y$)")
    return f"""\
A multi-layer perceptron computes, layer after layer, a **pre-activation** and an **activation**:

$$h_0 = x, \\qquad a_l = b_l + W_l\\, h_{{l-1}}, \\qquad h_l = g_l(a_l), \\qquad \\hat y = h_L$$

Conventions of this exercise: `params` is a list of `(W, b)` pairs, first layer first, with
`W` of shape **(units, inputs)** and `b` of shape `(units,)`. A batch `X` has shape
`(n, inputs)` with **samples as rows**, so a layer computes `A = H @ W.T + b`; a single
sample `x` of shape `(inputs,)` is a batch of one and gives a 1-D output.

1. `activation(name)` returns the pair `(g, g_prime)` for `"identity"`, `"sigmoid"`, `"tanh"`,
   `"relu"` (with relu'(a) = 1 for a > 0 and 0 otherwise) and `"softmax"` (over the last axis;
   its `g_prime` is `None`).
2. `forward(x, params, activations)` returns `(output, cache)` where `cache["a"]` is the list
   `[a_1, …, a_L]` and `cache["h"]` the list `[h_0 = x, h_1, …, h_L]`: backward reuses them
   instead of recomputing (memoisation).
3. `backward(y, cache, params, activations, loss)` returns the list of `(dW, db)` per layer
   by the **delta rule**, with $\\delta_l = \\partial L / \\partial a_l$:

$$\\delta_L = (\\hat y - y) \\odot g_L'(a_L) \\ \\text{{(mse)}}, \\qquad \\delta_L = \\hat y - y \\ \\text{{(softmax + cross-entropy)}}$$
$$\\delta_l = (W_{{l+1}}^\\top \\delta_{{l+1}}) \\odot g_l'(a_l), \\qquad
\\frac{{\\partial L}}{{\\partial W_l}} = \\delta_l\\, h_{{l-1}}^\\top, \\qquad \\frac{{\\partial L}}{{\\partial b_l}} = \\delta_l$$

   The loss is the **mean over the n samples** of the batch, so every gradient is the mean of
   the per-sample gradients (divide by n once, e.g. in $\\delta_L$). `dW` has the shape of `W`.
   `loss` is `"mse"` ($L = \\frac1n \\sum_s \\tfrac12 \\lVert \\hat y_s - y_s \\rVert^2$, no factor 2
   in the gradient) or `"cross_entropy"` (softmax output).

**Your network**: {d_in} inputs → {hidden} `{g}` units → {d_out} `{out}` outputs, trained with
{loss_text}. Its weights, a batch of {len(params["X"])} samples and the targets:

```
W1 = {params["W1"]}
b1 = {params["b1"]}
W2 = {params["W2"]}
b2 = {params["b2"]}
X  = {params["X"]}
Y  = {params["Y"]}
```

The checks run your code on this network **and also with the other activations**: the same
weights and batch with each hidden activation (`sigmoid`, `tanh`, `relu`) and each output
(`identity` and `sigmoid` with the mean squared error, `softmax` with the cross-entropy, with
targets that suit the output), so every activation you write is tested.

Check your `backward` yourself against centred finite differences of your `forward`: the
checks do the same.
"""


def _network(params: dict) -> list:
    return [(np.array(params["W1"]), np.array(params["b1"])), (np.array(params["W2"]), np.array(params["b2"]))]


def _mean_loss(Y: np.ndarray, out: np.ndarray, loss: str) -> float:
    """The mean loss of the prompt: ½-MSE or cross-entropy, averaged over the rows."""
    Y, out = np.atleast_2d(Y), np.atleast_2d(out)
    if loss == "mse":
        return float(np.sum(0.5 * (out - Y) ** 2) / len(Y))
    return float(-np.sum(Y * np.log(np.clip(out, 1e-300, None))) / len(Y))


def _student_grads(got, net: list, what: str) -> list:
    """The student's (dW, db) pairs as float arrays, or a failure that says what is wrong."""
    if not isinstance(got, (list, tuple)) or len(got) != len(net):
        raise CheckFailed(f"{what} must return a list with one (dW, db) pair per layer ({len(net)}).",
                          "Return [(dW_1, db_1), …, (dW_L, db_L)], first layer first.")
    grads = []
    for layer, (pair, (W, b)) in enumerate(zip(got, net), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise CheckFailed(f"{what}: layer {layer} is not a (dW, db) pair.",
                              "Return [(dW_1, db_1), …, (dW_L, db_L)], first layer first.")
        dW, db = as_numbers(pair[0], f"dW of layer {layer}"), as_numbers(pair[1], f"db of layer {layer}")
        if dW.shape != W.shape:
            hint = ("dW is transposed: dW = δ h_{l−1}ᵀ has the shape of W, (units, inputs)."
                    if dW.T.shape == W.shape else "dW must have the shape of W, (units, inputs).")
            raise CheckFailed(f"{what}: dW of layer {layer} has shape {dW.shape}, not {W.shape}.", hint)
        if db.shape != b.shape:
            raise CheckFailed(f"{what}: db of layer {layer} has shape {db.shape}, not {b.shape}.",
                              "db has the shape of b, (units,): sum the batch's deltas over the rows.")
        grads.append((dW, db))
    return grads


def _flat(grads: list) -> np.ndarray:
    return np.concatenate([np.concatenate([np.ravel(dW), np.ravel(db)]) for dW, db in grads])


def _wrong_backward(Y, cache, net, activations, loss, mistake: str) -> np.ndarray:
    """The flat gradients a known mistake gives (for naming it in feedback)."""
    H = [np.atleast_2d(h) for h in cache["h"]]
    A = [np.atleast_2d(a) for a in cache["a"]]
    n = len(H[0])
    delta = (H[-1] - np.atleast_2d(Y)) / (1 if mistake == "sum" else n)
    if loss == "mse":
        g_out, g_out_prime = mlp.activation(activations[-1])
        slope = {"output_g_prime_of_hidden": mlp.activation(activations[0])[1],
                 "output_g_not_g_prime": g_out}.get(mistake, g_out_prime)(A[-1])
        delta = delta / slope if mistake == "output_divided" else delta * slope
    grads = []
    for layer in range(len(net) - 1, -1, -1):
        dW = H[layer].T @ delta if mistake == "transposed" else delta.T @ H[layer]
        if mistake == "own_output":
            dW = delta.T @ H[layer + 1]
        grads.insert(0, (dW, delta.sum(axis=0)))
        if layer > 0:
            back = delta @ net[layer][0]
            g_prime = mlp.activation(activations[layer - 1])[1]
            if mistake == "no_g_prime":
                delta = back
            elif mistake == "g_prime_of_h":
                delta = back * g_prime(H[layer])
            else:
                delta = back * g_prime(A[layer - 1])
    return _flat(grads)


NO_G_PRIME = "The hidden deltas miss the factor g'(a_l): δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ g'(a_l)."
G_PRIME_OF_H = "g' is evaluated at the activation h_l instead of the pre-activation a_l: use cache['a'] for g'(a_l)."
SUMMED = "The gradients are summed over the batch: the loss is the mean, so divide by n once."
TRANSPOSED = "dW is transposed: dW_l = δ_l h_{l−1}ᵀ has the shape of W, (units, inputs)."
OWN_OUTPUT = ("dW_l uses the layer's own output h_l: it is δ_l times the layer's input, "
              "h_{l−1} = cache['h'][l−1] (cache['h'] starts with h_0 = x).")
OUTPUT_G_PRIME_OF_HIDDEN = ("δ_L uses the hidden layers' g' at a_L: for mse, δ_L = (ŷ − y) ⊙ g_L'(a_L) with the "
                            "output layer's own activation, activations[-1].")
OUTPUT_G_NOT_G_PRIME = ("δ_L multiplies by the output activation g_L(a_L) itself: for mse it is "
                        "(ŷ − y) ⊙ g_L'(a_L), the derivative (activation(name)[1]).")
OUTPUT_DIVIDED = "δ_L divides by g_L'(a_L): for mse, δ_L = (ŷ − y) ⊙ g_L'(a_L) multiplies by it."


def _named_mistakes(Y, cache, net, activations, loss) -> dict:
    """The flat gradients of each known mistake that fits these shapes and this cache, by hint; a mistake
    that gives the right gradients here (g'(h) for relu, g' of an identity output) is left out, so a
    right backward of a wrong forward is never told it made it."""
    found = {}
    try:
        right = _flat(mlp.backward(Y, cache, net, activations, loss))
    except (ValueError, KeyError, IndexError, TypeError):  # a cache of another layout: no mistake to compare
        return found
    for hint, mistake in {NO_G_PRIME: "no_g_prime", G_PRIME_OF_H: "g_prime_of_h", SUMMED: "sum",
                          TRANSPOSED: "transposed", OWN_OUTPUT: "own_output",
                          OUTPUT_G_PRIME_OF_HIDDEN: "output_g_prime_of_hidden",
                          OUTPUT_G_NOT_G_PRIME: "output_g_not_g_prime", OUTPUT_DIVIDED: "output_divided"}.items():
        try:
            wrong = _wrong_backward(Y, cache, net, activations, loss, mistake)
            if wrong.shape != right.shape or not np.allclose(wrong, right, rtol=1e-9, atol=1e-12):
                found[hint] = wrong
        except (ValueError, KeyError, IndexError, TypeError):  # a cache of another layout, or shapes that differ
            pass
    return found


@pytest.mark.points(2)
def test_forward_on_your_network(student, ref, params):
    net = [(np.array(params["W1"]), np.array(params["b1"])), (np.array(params["W2"]), np.array(params["b2"]))]
    X = np.array(params["X"])
    for g in ("sigmoid", "tanh", "relu"):  # your network's weights with every hidden activation and output
        for out in ("identity", "sigmoid", "softmax"):
            expected, _ = ref.forward(X, net, [g, out])
            got = student.forward(X, net, [g, out])
            expect(isinstance(got, (list, tuple)) and len(got) == 2,
                   "forward must return a pair (output, cache).", "End with `return h, cache`.")
            expect_close(got[0], expected, what=f"the output of forward on your batch X with {g} hidden units "
                                                f"and a {out} output",
                         hint="A layer computes A = H @ W.T + b with W of shape (units, inputs); "
                              "apply each layer's own activation.")


@pytest.mark.points(1)
def test_forward_of_one_sample(student, ref, params):
    net = [(np.array(params["W1"]), np.array(params["b1"])), (np.array(params["W2"]), np.array(params["b2"]))]
    X = np.array(params["X"])
    for acts in [[g, out] for g in ("sigmoid", "tanh", "relu") for out in ("identity", "sigmoid", "softmax")]:
        expected, _ = ref.forward(X, net, acts)  # row s of the batch's output is the output of sample s alone
        for row, x in enumerate(X):  # each sample of X on its own, with every hidden activation and output
            got = student.forward(x, net, acts)
            expect(isinstance(got, (list, tuple)) and len(got) == 2,
                   "forward must return a pair (output, cache).", "End with `return h, cache`.")
            expect_close(got[0], expected[row], what=f"forward of the single sample X[{row}] with {acts[0]} "
                                                     f"hidden units and a {acts[1]} output",
                         hint="A 1-D x of shape (inputs,) gives a 1-D output of shape (outputs,).")


@pytest.mark.points(2)
def test_backward_on_your_network(student, ref, params):
    net = [(np.array(params["W1"]), np.array(params["b1"])), (np.array(params["W2"]), np.array(params["b2"]))]
    X = np.array(params["X"])
    for g in ("sigmoid", "tanh", "relu"):  # your network's weights with every hidden activation and output
        for out, loss in (("identity", "mse"), ("sigmoid", "mse"), ("softmax", "cross_entropy")):
            acts, Y = [g, out], np.array(params["targets"][out])
            _, cache = ref.forward(X, net, acts)
            expected = ref.backward(Y, cache, net, acts, loss)
            got = student.backward(Y, cache, net, acts, loss)
            expect(isinstance(got, (list, tuple)) and len(got) == 2,
                   f"backward must return a list of 2 (dW, db) pairs, got {describe_type(got)}.",
                   "Return [(dW_1, db_1), (dW_2, db_2)], first layer first.")
            for layer in range(2):
                expect(isinstance(got[layer], (list, tuple)) and len(got[layer]) == 2,
                       f"layer {layer + 1} of the result is not a (dW, db) pair.",
                       "Return [(dW_1, db_1), (dW_2, db_2)], first layer first.")
                for name, position in (("dW", 0), ("db", 1)):
                    value, want = as_numbers(got[layer][position], name), expected[layer][position]
                    expect(value.shape == want.shape,
                           f"{name} of layer {layer + 1} has shape {value.shape}, expected {want.shape}.",
                           "dW has the shape of W, (units, inputs): dW = δᵀ H_{l−1} with the deltas as rows; "
                           "db has the shape of b.")
                    expect_close(value, want, n=len(X),
                                 what=f"{name} of layer {layer + 1} with {g} hidden units, a {out} output and "
                                      f"the {loss} loss (given the cache of the reference forward)",
                                 hint="δ_L = (ŷ − y) ⊙ g'(a_L) for mse, ŷ − y for softmax + cross-entropy, "
                                      "divided by n; δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ g'(a_l); dW = δᵀ H_{l−1}.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Your backward disagrees with centred finite differences of the mean loss of "
                         "your own forward: check δ_L, the factor g'(a_l) and the mean over the batch.")
def test_backward_matches_finite_differences_of_your_forward(student, params):
    net, X = _network(params), np.array(params["X"])
    for acts, loss, Y in settings(params):
        got = student.forward(X, net, acts)
        expect(isinstance(got, (list, tuple)) and len(got) == 2, "forward must return (output, cache).")
        grads = _student_grads(student.backward(Y, got[1], net, acts, loss), net, f"backward {_with(acts)}")
        h = 1e-6
        numeric = []
        for layer in range(len(net)):
            for position in (0, 1):
                array = net[layer][position]
                for index in np.ndindex(array.shape):
                    values = []
                    for step in (h, -h):
                        shifted = [(W.copy(), b.copy()) for W, b in net]
                        shifted[layer][position][index] += step
                        out = student.forward(X, shifted, acts)
                        values.append(_mean_loss(Y, as_numbers(out[0], "forward's output"), loss))
                    numeric.append((values[0] - values[1]) / (2 * h))
        expect_close(_flat(grads), np.array(numeric), rtol=1e-4, atol=1e-6, n=len(X),
                     what=f"backward vs finite differences of forward {_with(acts)} and the {loss} loss",
                     mistakes=_named_mistakes(Y, got[1], net, acts, loss))


def _deep_case(activation: str, loss: str, seed: int) -> tuple:
    """A 3-3-3-2 network (square hidden layers, so transposed or shifted mistakes keep their shapes)."""
    rng = np.random.default_rng(seed)
    net = [(rng.normal(0, 0.8, (o, i)), rng.normal(0, 0.3, o)) for i, o in ((3, 3), (3, 3), (3, 2))]
    X = rng.normal(0, 1, (5, 3))
    out = "softmax" if loss == "cross_entropy" else "identity"
    Y = np.eye(2)[[0, 1, 1, 0, 1]] if loss == "cross_entropy" else rng.normal(0, 1, (5, 2))
    return net, X, Y, [activation, activation, out]


def _check_deep(student, activation: str, loss: str, seed: int) -> None:
    net, X, Y, acts = _deep_case(activation, loss, seed)
    _, cache = mlp.forward(X, net, acts)
    got = _student_grads(student.backward(Y, cache, net, acts, loss), net, "backward")
    expected = _flat(mlp.backward(Y, cache, net, acts, loss))
    expect_close(_flat(got), expected, rtol=1e-6, atol=1e-10, n=len(X), what="backward on a deeper network",
                 mistakes=_named_mistakes(Y, cache, net, acts, loss))


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Loop over every layer from the last to the first: "
                         "δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ g'(a_l) with a_l = cache['a'][l−1], dW_l = δ_l h_{l−1}ᵀ.")
def test_backward_on_a_deeper_network(student):
    _check_deep(student, "sigmoid", "mse", seed=4)
    _check_deep(student, "tanh", "mse", seed=5)


@pytest.mark.points(1)
@pytest.mark.hidden(hint="With a softmax output and cross-entropy, δ_L = (ŷ − y)/n: no extra g' factor.")
def test_backward_softmax_cross_entropy(student):
    _check_deep(student, "relu", "cross_entropy", seed=6)


@pytest.mark.points(1)
@pytest.mark.hidden(hint="For a single sample (1-D x and y) return dW of shape (units, inputs) and "
                         "db of shape (units,), like for a batch of one.")
def test_backward_of_one_sample(student, params):
    net = _network(params)
    for acts, loss, Y in settings(params):
        for x, y in zip(np.array(params["X"]), Y):  # each sample of the batch on its own
            _, cache = mlp.forward(x, net, acts)
            got = _student_grads(student.backward(y, cache, net, acts, loss), net,
                                 f"backward of one sample {_with(acts)}")
            expect_close(_flat(got), _flat(mlp.backward(y, cache, net, acts, loss)),
                         what=f"backward of one sample {_with(acts)} and the {loss} loss")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="cache['a'] is [a_1, …, a_L] and cache['h'] is [h_0 = x, h_1, …, h_L], "
                         "in layer order, each with the batch's rows.")
def test_forward_cache_holds_every_a_and_h(student, params):
    net, X = _network(params), np.array(params["X"])
    for acts, _, _ in settings(params):
        got = student.forward(X, net, acts)
        expect(isinstance(got, (list, tuple)) and len(got) == 2 and isinstance(got[1], dict)
               and isinstance(got[1].get("a"), (list, tuple)) and isinstance(got[1].get("h"), (list, tuple)),
               "forward's cache must be a dict with the lists 'a' and 'h'.")
        _, cache = mlp.forward(X, net, acts)
        cache_a, cache_h = got[1]["a"], got[1]["h"]
        expect(len(cache_a) == len(net) and len(cache_h) == len(net) + 1,
               "cache['a'] needs one entry per layer and cache['h'] one more (h_0 = x first).")
        for mine, theirs, name in ((cache_a, cache["a"], "a"), (cache_h, cache["h"], "h")):
            for index, (value, expected) in enumerate(zip(mine, theirs)):
                expect_close(value, expected, what=f"cache['{name}'][{index}] {_with(acts)}")
