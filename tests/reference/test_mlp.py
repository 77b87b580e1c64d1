"""Tests for reference.mlp: forward pass, delta rule, gradient checker."""

from __future__ import annotations

import importlib.util
import inspect

import numpy as np
import pytest

from reference.mlp import activation, backward, forward, init_params, mean_loss, numerical_gradient

ACTIVATION_NAMES = ["identity", "sigmoid", "tanh", "relu"]


def half_squared_error(y: np.ndarray, y_hat: np.ndarray) -> float:
    """The test's own mse: mean over rows of ½ Σ (ŷ − y)²."""
    y, y_hat = np.atleast_2d(y), np.atleast_2d(y_hat)
    return float(np.mean(0.5 * np.sum((y_hat - y) ** 2, axis=1)))


def cross_entropy(y: np.ndarray, y_hat: np.ndarray) -> float:
    """The test's own categorical cross-entropy, mean over rows."""
    y, y_hat = np.atleast_2d(y), np.atleast_2d(y_hat)
    return float(np.mean(-np.sum(y * np.log(y_hat), axis=1)))


def random_problem(seed: int, sizes: list[int], n: int | None, loss: str):
    """A random network, input and target (n=None: one 1-D sample)."""
    rng = np.random.default_rng(seed)
    params = [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])]
    shape_x = (sizes[0],) if n is None else (n, sizes[0])
    x = rng.normal(size=shape_x)
    if loss == "mse":
        y = rng.normal(size=shape_x[:-1] + (sizes[-1],))
    else:
        labels = rng.integers(sizes[-1], size=1 if n is None else n)
        y = np.eye(sizes[-1])[labels].reshape(shape_x[:-1] + (sizes[-1],))
    return params, x, y


def numerical_layer_gradients(params, layer, x, y, acts, loss_fn):
    """Finite-difference (dW, db) of loss_fn(y, network output) for one layer."""
    W, b = params[layer]

    def loss_with(W_new, b_new):
        trial = list(params)
        trial[layer] = (W_new, b_new)
        return loss_fn(y, forward(x, trial, acts)[0])

    return (
        numerical_gradient(lambda W_new: loss_with(W_new, b), W),
        numerical_gradient(lambda b_new: loss_with(W, b_new), b),
    )


def test_forward_matches_hand_computation():
    """Does forward compute a = b + W h layer by layer, with h[0] = x in the cache?"""
    W1, b1 = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.0, -1.0])
    W2, b2 = np.array([[2.0, -3.0]]), np.array([0.5])
    x = np.array([1.0, 2.0])
    # by hand: a1 = (1 - 2 + 0, 0.5 + 4 - 1) = (-1, 3.5); relu -> (0, 3.5); a2 = 0 - 10.5 + 0.5
    out, cache = forward(x, [(W1, b1), (W2, b2)], ["relu", "identity"])
    assert out.shape == (1,)
    assert out[0] == pytest.approx(-10.0)
    np.testing.assert_allclose(cache["a"][0], [-1.0, 3.5])
    np.testing.assert_allclose(cache["h"][1], [0.0, 3.5])
    np.testing.assert_array_equal(cache["h"][0], x)
    assert len(cache["a"]) == 2 and len(cache["h"]) == 3


def test_forward_batch_rows_are_samples():
    """Does a batch give, row by row, the same result as single samples?"""
    params, X, _ = random_problem(0, [3, 4, 2], 5, "mse")
    out, cache = forward(X, params, ["tanh", "sigmoid"])
    assert out.shape == (5, 2)
    for row in range(5):
        single, _ = forward(X[row], params, ["tanh", "sigmoid"])
        np.testing.assert_allclose(out[row], single)
    assert [a.shape for a in cache["a"]] == [(5, 4), (5, 2)]


@pytest.mark.parametrize("n", [None, 1, 6])
@pytest.mark.parametrize("hidden", ACTIVATION_NAMES)
@pytest.mark.parametrize("output", ["identity", "sigmoid", "tanh"])
def test_backward_mse_matches_numerical_gradient(n, hidden, output):
    """Does the delta rule give the gradient of mean ½‖ŷ − y‖² for every W and b?"""
    sizes = [3, 4, 3, 2]
    acts = [hidden, hidden, output]
    params, x, y = random_problem(11 + (n or 0), sizes, n, "mse")
    _, cache = forward(x, params, acts)
    grads = backward(y, cache, params, acts, "mse")
    for layer, (W, b) in enumerate(params):
        dW, db = numerical_layer_gradients(params, layer, x, y, acts, half_squared_error)
        assert grads[layer][0].shape == W.shape
        assert grads[layer][1].shape == b.shape
        np.testing.assert_allclose(grads[layer][0], dW, atol=1e-6, rtol=1e-5)
        np.testing.assert_allclose(grads[layer][1], db, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("n", [None, 4])
@pytest.mark.parametrize("hidden", ACTIVATION_NAMES)
def test_backward_cross_entropy_matches_numerical_gradient(n, hidden):
    """Does δ_L = ŷ − y (softmax + cross-entropy) give the gradient of the mean CCE?"""
    sizes = [4, 5, 3]
    acts = [hidden, "softmax"]
    params, x, y = random_problem(7 + (n or 0), sizes, n, "cross_entropy")
    _, cache = forward(x, params, acts)
    grads = backward(y, cache, params, acts, "cross_entropy")
    for layer in range(len(params)):
        dW, db = numerical_layer_gradients(params, layer, x, y, acts, cross_entropy)
        np.testing.assert_allclose(grads[layer][0], dW, atol=1e-6, rtol=1e-5)
        np.testing.assert_allclose(grads[layer][1], db, atol=1e-6, rtol=1e-5)


def test_backward_is_the_mean_over_the_batch():
    """Is the batch gradient the average of the single-sample gradients?"""
    params, X, Y = random_problem(3, [2, 3, 1], 4, "mse")
    acts = ["sigmoid", "identity"]
    batch = backward(Y, forward(X, params, acts)[1], params, acts, "mse")
    singles = [backward(Y[i], forward(X[i], params, acts)[1], params, acts, "mse") for i in range(4)]
    for layer in range(2):
        np.testing.assert_allclose(batch[layer][0], np.mean([s[layer][0] for s in singles], axis=0))
        np.testing.assert_allclose(batch[layer][1], np.mean([s[layer][1] for s in singles], axis=0))


def test_numerical_gradient_of_a_known_function_and_x_untouched():
    """Does the checker find ∇Σx³ = 3x² for a 2-D x, and leave x unchanged?"""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda z: float(np.sum(z**3)), x)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_mean_loss_values():
    """Does mean_loss use ½ and the mean over samples, as documented?"""
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    y_hat = np.array([[0.5, 0.5], [0.25, 0.75]])
    # mse: (½(0.25+0.25) + ½(0.0625+0.0625)) / 2 = (0.25 + 0.0625) / 2
    assert mean_loss(y, y_hat, "mse") == pytest.approx(0.15625)
    assert mean_loss(y, y_hat, "cross_entropy") == pytest.approx((np.log(2) - np.log(0.75)) / 2)


def test_activation_values_by_hand():
    """Do the inline activations and derivatives give the textbook values?"""
    a = np.array([-1.0, 0.0, 2.0])
    sig, dsig = activation("sigmoid")
    np.testing.assert_allclose(sig(a), 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(dsig(np.array([0.0])), [0.25])
    np.testing.assert_array_equal(activation("relu")[1](a), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(activation("tanh")[1](np.array([0.0])), [1.0])
    np.testing.assert_allclose(activation("softmax")[0](np.array([1e4, 0.0])), [1.0, 0.0])
    assert not np.any(np.isnan(sig(np.array([-1e4, 1e4]))))


@pytest.mark.skipif(importlib.util.find_spec("reference.activations") is None, reason="reference.activations not yet written")
def test_activation_agrees_with_reference_activations():
    """Do mlp's inline activations agree with reference.activations?"""
    from reference.activations import ACTIVATIONS, softmax

    z = np.linspace(-5, 5, 41)
    for name in ACTIVATION_NAMES:
        fn, grad = activation(name)
        ref_fn, ref_grad = ACTIVATIONS[name]
        np.testing.assert_allclose(fn(z), ref_fn(z), atol=1e-12)
        mask = z != 0  # the derivative of relu at 0 is a convention
        np.testing.assert_allclose(grad(z)[mask], ref_grad(z)[mask], atol=1e-12)
    Z = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_allclose(activation("softmax")[0](Z), softmax(Z))


def test_init_params_shapes_and_limits():
    """Are W of shape (units, inputs), b zero, and Xavier draws within ±√(6/(in+out))?"""
    params = init_params([4, 6, 2], np.random.default_rng(0))
    assert [(W.shape, b.shape) for W, b in params] == [((6, 4), (6,)), ((2, 6), (2,))]
    assert np.all(np.abs(params[0][0]) <= np.sqrt(6 / 10))
    assert all(np.all(b == 0) for _, b in params)
    he = init_params([400, 300], np.random.default_rng(1), method="he")[0][0]
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)


@pytest.mark.parametrize(
    "call",
    [
        lambda: forward(np.ones(3), [(np.ones((2, 4)), np.zeros(2))], ["relu"]),
        lambda: forward(np.ones(3), [(np.ones((2, 3)), np.zeros(2))], ["relu", "relu"]),
        lambda: forward(np.ones(3), [(np.ones((2, 3)), np.zeros(2))], ["swish"]),
        lambda: backward(np.ones(2), forward(np.ones(3), [(np.ones((2, 3)), np.zeros(2))], ["relu"])[1],
                         [(np.ones((2, 3)), np.zeros(2))], ["relu"], "cross_entropy"),
        lambda: backward(np.ones(3), forward(np.ones(3), [(np.ones((2, 3)), np.zeros(2))], ["relu"])[1],
                         [(np.ones((2, 3)), np.zeros(2))], ["relu"], "mse"),
        lambda: numerical_gradient(lambda z: z, np.ones(2)),
        lambda: init_params([3], np.random.default_rng(0)),
    ],
)
def test_bad_input_raises_value_error(call):
    """Is a wrong shape, name or loss reported with a ValueError?"""
    with pytest.raises(ValueError):
        call()


def test_solutions_run_from_their_source_alone():
    """Do the a4 model answers work when their source is copied into a namespace holding only numpy?"""
    namespace: dict = {"np": np}
    for fn in (activation, forward, backward, mean_loss, numerical_gradient, init_params):
        exec(inspect.getsource(fn), namespace)
    params, x, y = random_problem(1, [3, 4, 2], 5, "mse")
    acts = ["relu", "sigmoid"]
    copied = namespace["backward"](y, namespace["forward"](x, params, acts)[1], params, acts, "mse")
    for (dW, db), (dW_ref, db_ref) in zip(copied, backward(y, forward(x, params, acts)[1], params, acts, "mse")):
        np.testing.assert_array_equal(dW, dW_ref)
        np.testing.assert_array_equal(db, db_ref)
    np.testing.assert_allclose(namespace["numerical_gradient"](np.sum, x), np.ones_like(x), rtol=1e-8)
