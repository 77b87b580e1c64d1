r"""A multi-layer perceptron and the delta rule (course part 4, backpropagation).

Conventions (COURSE_NOTES.md, sections 3 and 6):

- a layer computes ``a = b + W h`` with ``W`` of shape ``(units, inputs)`` and
  ``b`` of shape ``(units,)``, then ``h = g(a)``; ``params`` is a list of
  ``(W, b)``, first layer first;
- a batch is an array of shape ``(n, inputs)`` whose **rows are samples**, so a
  layer computes ``A = H @ W.T + b``; a single sample of shape ``(inputs,)`` is a
  batch of one;
- losses are means over the samples of the batch:

  * ``"mse"``: :math:`L = \frac1n \sum_s \tfrac12 \lVert \hat y_s - y_s \rVert^2`
    (the ½ makes :math:`\partial L / \partial \hat y = (\hat y - y)/n`, no factor 2);
  * ``"cross_entropy"``: :math:`L = -\frac1n \sum_s \sum_k y_{sk} \log \hat y_{sk}`,
    softmax output and one-hot ``y``.

Every public function is self-contained (numpy, the stdlib and the other public
functions of this module only), because it is also the model answer of an
exercise: ``forward`` and ``backward`` look activations up with
:func:`activation`, defined here rather than imported.
"""

from __future__ import annotations

from typing import Callable

import numpy as np



def activation(name: str) -> "tuple[Callable, Callable | None]":
    r"""The activation ``g`` called ``name`` and its elementwise derivative ``g'``.

    .. math::

        \sigma(a) = \frac{1}{1 + e^{-a}},\ \sigma' = \sigma(1-\sigma);\quad
        \tanh' = 1 - \tanh^2;\quad
        \operatorname{relu}(a) = \max(0, a),\ \operatorname{relu}'(a) = [a > 0];\quad
        \operatorname{softmax}(a)_k = \frac{e^{a_k}}{\sum_j e^{a_j}}

    Parameters
    ----------
    name : {"identity", "sigmoid", "tanh", "relu", "softmax"}
        The activation's name.

    Returns
    -------
    (g, g_prime) : tuple of callables
        ``g`` maps an array of pre-activations of shape ``(units,)`` or
        ``(n, units)`` to activations of the same shape (softmax works over the
        last axis). ``g_prime`` gives :math:`g'(a)` of the same shape, evaluated
        at the pre-activation ``a``; it is ``None`` for softmax, whose derivative
        is a Jacobian, not elementwise (``backward`` uses
        :math:`\delta_L = \hat y - y` for softmax with cross-entropy instead).
    """

    def sigmoid(a: np.ndarray) -> np.ndarray:
        return np.exp(-np.logaddexp(0.0, -a))  # 1 / (1 + e^-a) without overflow

    def softmax(a: np.ndarray) -> np.ndarray:
        e = np.exp(a - np.max(a, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    table = {
        "identity": (lambda a: a, lambda a: np.ones_like(a)),
        "sigmoid": (sigmoid, lambda a: sigmoid(a) * (1.0 - sigmoid(a))),
        "tanh": (np.tanh, lambda a: 1.0 - np.tanh(a) ** 2),
        "relu": (lambda a: np.maximum(a, 0.0), lambda a: (a > 0).astype(float)),
        "softmax": (softmax, None),
    }
    if name not in table:
        raise ValueError(f"unknown activation {name!r}: use one of {sorted(table)}")
    return table[name]


def forward(
    x: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]], activations: list[str]
) -> tuple[np.ndarray, dict[str, list[np.ndarray]]]:
    r"""Forward pass of an MLP, keeping every pre-activation and activation.

    .. math::

        h_0 = x, \qquad a_l = b_l + W_l h_{l-1}, \qquad h_l = g_l(a_l), \qquad
        \hat y = h_L

    For a batch (rows are samples): :math:`A_l = H_{l-1} W_l^\top + b_l`.

    Parameters
    ----------
    x : ndarray of shape (inputs,) or (n, inputs)
        One sample, or a batch of ``n`` samples.
    params : list of (W, b)
        ``W_l`` of shape ``(units_l, units_{l-1})``, ``b_l`` of shape ``(units_l,)``.
    activations : list of str
        One name per layer (see :func:`activation`); ``"softmax"`` only for the
        last layer.

    Returns
    -------
    output : ndarray of shape (units_L,) or (n, units_L)
        :math:`\hat y = h_L`, 1-D exactly when ``x`` is 1-D.
    cache : dict
        ``cache["a"]`` is the list ``[a_1, …, a_L]`` of pre-activations and
        ``cache["h"]`` the list ``[h_0 = x, h_1, …, h_L]`` of activations
        (``L + 1`` entries), each of shape ``(units,)`` or ``(n, units)`` like ``x``.
    """
    if len(params) != len(activations):
        raise ValueError(
            f"got {len(params)} layers of params but {len(activations)} activations: "
            "give one activation name per (W, b) pair"
        )
    if "softmax" in activations[:-1]:
        raise ValueError("softmax is only supported as the last layer's activation")
    h = np.asarray(x, dtype=float)
    if h.ndim not in (1, 2):
        raise ValueError(f"x must have shape (inputs,) or (n, inputs), got {h.shape}")
    cache: dict[str, list[np.ndarray]] = {"a": [], "h": [h]}
    for layer, ((W, b), name) in enumerate(zip(params, activations), start=1):
        W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
        if W.ndim != 2 or b.shape != (W.shape[0],) or W.shape[1] != h.shape[-1]:
            raise ValueError(
                f"layer {layer}: W has shape {W.shape} and b {b.shape}, but the layer "
                f"receives {h.shape[-1]} inputs; W must be (units, {h.shape[-1]}) "
                "and b (units,)"
            )
        a = h @ W.T + b
        h = activation(name)[0](a)
        cache["a"].append(a)
        cache["h"].append(h)
    return h, cache


def backward(
    y: np.ndarray,
    cache: dict[str, list[np.ndarray]],
    params: list[tuple[np.ndarray, np.ndarray]],
    activations: list[str],
    loss: str,
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Gradients of the mean loss by the delta rule (backpropagation).

    With :math:`\delta_l = \partial L / \partial a_l` for one sample:

    .. math::

        \delta_L = \begin{cases}
            (\hat y - y) \odot g_L'(a_L) & \text{mse, } L = \tfrac12\lVert\hat y - y\rVert^2 \\
            \hat y - y & \text{softmax + cross-entropy}
        \end{cases}

        \delta_l = (W_{l+1}^\top \delta_{l+1}) \odot g_l'(a_l), \qquad
        \frac{\partial L}{\partial W_l} = \delta_l h_{l-1}^\top, \qquad
        \frac{\partial L}{\partial b_l} = \delta_l

    For a batch the gradients are the **mean** over the ``n`` samples: with the
    deltas as rows, :math:`\Delta_L = (\hat Y - Y) \odot g'(A_L) / n` (or
    :math:`(\hat Y - Y)/n`), :math:`\Delta_l = (\Delta_{l+1} W_{l+1}) \odot g'(A_l)`,
    :math:`dW_l = \Delta_l^\top H_{l-1}`, :math:`db_l = \sum_s \Delta_{l,s}`.

    Parameters
    ----------
    y : ndarray of shape (units_L,) or (n, units_L)
        Targets, the same shape as the network's output (one-hot rows for
        cross-entropy).
    cache : dict
        The cache returned by :func:`forward` for the same ``params``.
    params : list of (W, b)
        As for :func:`forward`.
    activations : list of str
        As for :func:`forward`.
    loss : {"mse", "cross_entropy"}
        ``"mse"``: :math:`\frac1n\sum_s \tfrac12\lVert\hat y_s - y_s\rVert^2` (any
        output activation but softmax); ``"cross_entropy"``:
        :math:`-\frac1n\sum_s\sum_k y_{sk}\log\hat y_{sk}` (softmax output only).

    Returns
    -------
    list of (dW, db)
        One pair per layer, first layer first, ``dW`` of the shape of ``W``
        ``(units, inputs)`` and ``db`` of shape ``(units,)``, even for a single
        sample (a batch of one).
    """
    if loss == "cross_entropy" and activations[-1] != "softmax":
        raise ValueError("loss 'cross_entropy' needs a softmax output layer")
    if loss == "mse" and activations[-1] == "softmax":
        raise ValueError("a softmax output is supported only with loss 'cross_entropy'")
    if loss not in ("mse", "cross_entropy"):
        raise ValueError(f"unknown loss {loss!r}: use 'mse' or 'cross_entropy'")
    output = cache["h"][-1]
    y = np.asarray(y, dtype=float)
    if y.shape != output.shape:
        raise ValueError(f"y has shape {y.shape} but the output has shape {output.shape}")
    H = [np.atleast_2d(h) for h in cache["h"]]
    A = [np.atleast_2d(a) for a in cache["a"]]
    n = H[0].shape[0]
    delta = (H[-1] - np.atleast_2d(y)) / n
    if loss == "mse":
        delta = delta * activation(activations[-1])[1](A[-1])
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        grads.insert(0, (delta.T @ H[layer], delta.sum(axis=0)))
        if layer > 0:
            g_prime = activation(activations[layer - 1])[1]
            delta = (delta @ np.asarray(params[layer][0], dtype=float)) * g_prime(A[layer - 1])
    return grads


def mean_loss(y: np.ndarray, y_hat: np.ndarray, loss: str) -> float:
    r"""The mean loss over the samples, in the convention of :func:`backward`.

    .. math::

        L_{\text{mse}} = \frac1n \sum_s \tfrac12 \lVert \hat y_s - y_s \rVert^2,
        \qquad
        L_{\text{ce}} = -\frac1n \sum_s \sum_k y_{sk} \log \hat y_{sk}

    Parameters
    ----------
    y, y_hat : ndarray of shape (units,) or (n, units)
        Targets and predictions of the same shape (a 1-D pair is one sample).
    loss : {"mse", "cross_entropy"}
        Which loss (cross-entropy clips ``y_hat`` at 1e-12 to avoid ``log 0``).

    Returns
    -------
    float
    """
    y, y_hat = np.atleast_2d(np.asarray(y, float)), np.atleast_2d(np.asarray(y_hat, float))
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}")
    if loss == "mse":
        return float(np.sum(0.5 * (y_hat - y) ** 2) / y.shape[0])
    if loss == "cross_entropy":
        return float(-np.sum(y * np.log(np.clip(y_hat, 1e-12, None))) / y.shape[0])
    raise ValueError(f"unknown loss {loss!r}: use 'mse' or 'cross_entropy'")


def numerical_gradient(f: "Callable[[np.ndarray], float]", x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    r"""Centred finite-difference gradient of a scalar function of an array.

    .. math::

        \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Parameters
    ----------
    f : callable
        Takes an array of the shape of ``x`` and returns a scalar.
    x : ndarray of any shape
        The point; it is not modified (``f`` receives a perturbed float copy).
    h : float, optional
        The step, > 0.

    Returns
    -------
    ndarray of float, the shape of ``x``
    """
    if not h > 0:
        raise ValueError(f"the step h must be positive, got {h}")
    point = np.array(x, dtype=float, copy=True)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        f_plus = f(point)
        point[index] = original - h
        f_minus = f(point)
        point[index] = original
        if np.ndim(f_plus) != 0:
            raise ValueError(f"f must return a scalar, got an array of shape {np.shape(f_plus)}")
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def init_params(
    layer_sizes: list[int], rng: np.random.Generator, method: str = "xavier"
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Random weights and zero biases for an MLP with the given layer sizes.

    .. math::

        \text{xavier (Glorot uniform): } W \sim U\!\left(-\sqrt{\tfrac{6}{n_{in}+n_{out}}},
        \sqrt{\tfrac{6}{n_{in}+n_{out}}}\right), \qquad
        \text{he: } W \sim \mathcal N\!\left(0, \tfrac{2}{n_{in}}\right)

    Parameters
    ----------
    layer_sizes : list of int
        ``[inputs, hidden_1, …, outputs]``, at least two positive sizes.
    rng : numpy.random.Generator
        Source of the draws, used layer by layer, first layer first.
    method : {"xavier", "he"}, optional

    Returns
    -------
    list of (W, b)
        ``W_l`` of shape ``(layer_sizes[l], layer_sizes[l-1])``, ``b_l`` zeros.
    """
    if len(layer_sizes) < 2 or any(int(s) != s or s < 1 for s in layer_sizes):
        raise ValueError(f"layer_sizes must be at least two positive integers, got {layer_sizes}")
    if method not in ("xavier", "he"):
        raise ValueError(f"unknown init method {method!r}: use 'xavier' or 'he'")
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if method == "xavier":
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            W = rng.uniform(-limit, limit, size=(fan_out, fan_in))
        else:
            W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        params.append((W, np.zeros(fan_out)))
    return params
