r"""Vanishing gradients: per-layer gradient norms of a deep network, sigmoid vs ReLU.

COURSE_NOTES.md section 6: backpropagation multiplies one activation derivative
per layer, and a sigmoid derivative is at most 0.25, so the gradient shrinks
geometrically toward the input; ReLU (derivative 0 or 1) with He initialisation
does not.

Both functions are exercise model answers and self-contained (numpy only):
``layer_gradient_norms`` carries its own minimal forward and backward pass
instead of importing :mod:`reference.mlp`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def layer_gradient_norms(depth: int, width: int, activation: str, seed: int) -> np.ndarray:
    r"""Frobenius norm of :math:`\partial L / \partial W_l` for every layer of a deep MLP.

    The network: ``depth`` layers of ``width`` units each, input size ``width``,
    ``activation`` in every layer (the last one too), zero biases, and
    ``a_l = W_l h_{l-1}`` with ``W_l`` of shape ``(width, width)``. The draws, in
    this order, all from ``rng = numpy.random.default_rng(seed)``:

    1. the input batch ``X = rng.standard_normal((32, width))`` (rows are samples);
    2. ``W_1, …, W_depth`` in order: Glorot/Xavier uniform
       ``rng.uniform(-r, r, size=(width, width))`` with :math:`r = \sqrt{6 / (2\,\text{width})}`
       for sigmoid and tanh; He normal ``rng.normal(0, sqrt(2 / width), size=(width, width))``
       for relu.

    The loss has target zero, :math:`L = \frac1n \sum_s \tfrac12 \lVert h_{L,s} \rVert^2`,
    and backpropagation gives

    .. math::

        \Delta_L = \frac{H_L \odot g'(A_L)}{n}, \qquad
        \Delta_l = (\Delta_{l+1} W_{l+1}) \odot g'(A_l), \qquad
        \frac{\partial L}{\partial W_l} = \Delta_l^\top H_{l-1}

    Parameters
    ----------
    depth : int
        Number of layers, >= 1.
    width : int
        Units per layer (and input size), >= 1.
    activation : {"sigmoid", "tanh", "relu"}
    seed : int
        Seed of the generator.

    Returns
    -------
    ndarray of shape (depth,)
        :math:`\lVert \partial L / \partial W_l \rVert_F`, first (input-side) layer first.
    """
    # each activation with its derivative written in terms of the output h = g(a)
    table = {
        "sigmoid": (lambda a: np.exp(-np.logaddexp(0.0, -a)), lambda h: h * (1.0 - h)),
        "tanh": (np.tanh, lambda h: 1.0 - h**2),
        "relu": (lambda a: np.maximum(a, 0.0), lambda h: (h > 0).astype(float)),
    }
    if activation not in table:
        raise ValueError(f"unknown activation {activation!r}: use one of {sorted(table)}")
    if int(depth) != depth or depth < 1 or int(width) != width or width < 1:
        raise ValueError(f"depth and width must be positive integers, got depth={depth}, width={width}")
    g, g_prime_of_h = table[activation]
    rng = np.random.default_rng(seed)
    H = [rng.standard_normal((32, width))]
    weights = []
    for _ in range(depth):
        if activation == "relu":
            weights.append(rng.normal(0.0, np.sqrt(2.0 / width), size=(width, width)))
        else:
            limit = np.sqrt(6.0 / (2 * width))
            weights.append(rng.uniform(-limit, limit, size=(width, width)))
    for W in weights:
        H.append(g(H[-1] @ W.T))
    delta = H[-1] * g_prime_of_h(H[-1]) / H[0].shape[0]
    norms = np.zeros(depth)
    for layer in range(depth - 1, -1, -1):
        norms[layer] = np.linalg.norm(delta.T @ H[layer])
        if layer > 0:
            delta = (delta @ weights[layer]) * g_prime_of_h(H[layer])
    return norms


def sigmoid_derivative_product(factors: "Sequence[float]") -> float:
    r"""The product of sigmoid derivatives met along a backward path.

    .. math::

        \prod_l \sigma'(a_l), \qquad 0 < \sigma'(a) \le 0.25,
        \qquad\text{e.g. } 0.25 \cdot 0.15 \cdot 0.10 \cdot 0.05 \cdot 0.02 = 3.75 \times 10^{-6}

    Parameters
    ----------
    factors : sequence of float
        One derivative value per layer, each in [0, 0.25].

    Returns
    -------
    float
    """
    values = np.asarray(factors, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("give a non-empty flat sequence of derivative values")
    if np.any((values < 0) | (values > 0.25)):
        raise ValueError(f"a sigmoid derivative lies in [0, 0.25]; got {values.tolist()}")
    return float(np.prod(values))
