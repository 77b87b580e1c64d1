"""Tests for reference.vanishing: gradient norms per layer, sigmoid vs ReLU."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from reference.mlp import numerical_gradient
from reference.vanishing import layer_gradient_norms, sigmoid_derivative_product


def test_product_of_the_notes():
    """Is 0.25·0.15·0.10·0.05·0.02 = 3.75e−6, as in the notes?"""
    assert sigmoid_derivative_product([0.25, 0.15, 0.10, 0.05, 0.02]) == pytest.approx(3.75e-6, rel=1e-12)


@pytest.mark.parametrize("factors", [[], [0.3], [0.1, -0.01]])
def test_product_rejects_impossible_factors(factors):
    """Are an empty list and values outside [0, 0.25] rejected?"""
    with pytest.raises(ValueError):
        sigmoid_derivative_product(factors)


@pytest.mark.parametrize("seed", range(5))
def test_sigmoid_norms_shrink_toward_the_input(seed):
    """Does every sigmoid layer get a smaller gradient than the one after it, 10⁴× less over 10 layers?"""
    norms = layer_gradient_norms(10, 32, "sigmoid", seed)
    assert norms.shape == (10,)
    assert np.all(np.diff(norms) > 0)
    assert norms[0] < 1e-4 * norms[-1]


@pytest.mark.parametrize("seed", range(5))
def test_relu_norms_do_not_collapse(seed):
    """Does the first ReLU layer (He init) keep at least a tenth of the last layer's gradient norm?"""
    norms = layer_gradient_norms(10, 32, "relu", seed)
    assert norms[0] > 0.1 * norms[-1]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_norms_match_finite_differences_with_the_documented_draws(activation):
    """Do the norms equal ‖∂L/∂W_l‖ by finite differences, redrawing X and W as documented?"""
    depth, width, seed = 3, 4, 42
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((32, width))
    if activation == "relu":
        Ws = [rng.normal(0.0, np.sqrt(2.0 / width), size=(width, width)) for _ in range(depth)]
    else:
        r = np.sqrt(6.0 / (2 * width))
        Ws = [rng.uniform(-r, r, size=(width, width)) for _ in range(depth)]
    g = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0)}[activation]

    def loss(weights):
        h = X
        for W in weights:
            h = g(h @ W.T)
        return float(np.mean(0.5 * np.sum(h**2, axis=1)))

    expected = []
    for layer in range(depth):
        def loss_of_layer(W, layer=layer):
            trial = list(Ws)
            trial[layer] = W
            return loss(trial)

        expected.append(np.linalg.norm(numerical_gradient(loss_of_layer, Ws[layer])))
    np.testing.assert_allclose(layer_gradient_norms(depth, width, activation, seed), expected, rtol=1e-5)


@pytest.mark.parametrize("args", [(0, 4, "relu", 0), (3, 4, "softmax", 0), (2.5, 4, "relu", 0)])
def test_bad_arguments_raise_value_error(args):
    """Are a zero or fractional depth and an unknown activation rejected?"""
    with pytest.raises(ValueError):
        layer_gradient_norms(*args)


def test_solutions_run_from_their_source_alone():
    """Do the vanishing-gradient answers work when copied into a namespace holding only numpy?"""
    namespace: dict = {"np": np}
    for fn in (layer_gradient_norms, sigmoid_derivative_product):
        exec(inspect.getsource(fn), namespace)
    np.testing.assert_array_equal(namespace["layer_gradient_norms"](4, 5, "tanh", 3), layer_gradient_norms(4, 5, "tanh", 3))
    assert namespace["sigmoid_derivative_product"]([0.25, 0.2]) == pytest.approx(0.05)
