"""Fitting one sigmoid neuron to two points by gradient descent (course part 2).

The course's task: find ``w, b`` such that ``f(x) = σ(w x + b)`` passes through
``(0.5, 0.2)`` and ``(2.5, 0.9)``, minimising the half sum of squared errors

    L(w, b) = ½ Σᵢ (f(xᵢ) − yᵢ)²

(the ½ covers the whole sum; the slide's ``½ (y₁−f(x₁))² + (y₂−f(x₂))²`` is a typo,
see COURSE_NOTES.md section 2).

Every public function is self-contained (numpy and the other public functions of
this module only), because it is also the model answer of an exercise.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    r"""Logistic sigmoid, elementwise and numerically stable.

    .. math::

        \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}

    The first form is used for :math:`z \ge 0` and the second for :math:`z < 0`, so
    ``exp`` only ever sees :math:`-|z| \le 0` and cannot overflow (for very negative
    ``z`` it underflows quietly to 0, the correctly rounded answer).

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray of float, same shape as ``z``
        Values in [0, 1] (in (0, 1) unless rounding reaches the ends).
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_neuron(x: np.ndarray | float, w: float, b: float) -> np.ndarray:
    r"""Output of a sigmoid neuron with one input.

    .. math::

        f(x) = \sigma(w x + b) = \frac{1}{1 + e^{-(w x + b)}}

    Parameters
    ----------
    x : array_like of any shape
        Inputs.
    w, b : float
        Weight and bias (they may also be arrays that broadcast with ``x``).

    Returns
    -------
    ndarray of float, broadcast shape of ``x``, ``w`` and ``b``
    """
    return sigmoid(w * np.asarray(x, dtype=float) + b)


def error(w: float, b: float, X: np.ndarray, Y: np.ndarray) -> float:
    r"""Half sum of squared errors of the sigmoid neuron over the data.

    .. math::

        L(w, b) = \frac12 \sum_{i=1}^{n} \bigl(f(x_i) - y_i\bigr)^2,
        \qquad f(x) = \sigma(w x + b)

    Parameters
    ----------
    w, b : float
        Weight and bias.
    X : ndarray of shape (n,)
        Inputs.
    Y : ndarray of shape (n,)
        Targets.

    Returns
    -------
    float
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 1 or X.shape != Y.shape:
        raise ValueError(f"X and Y must be 1-D of the same length; got shapes {X.shape} and {Y.shape}")
    return float(0.5 * np.sum((sigmoid_neuron(X, w, b) - Y) ** 2))


def grad_w(w: float, b: float, x: float, y: float) -> float:
    r"""Derivative of ½ (f(x) − y)² with respect to ``w``, for one point.

    .. math::

        \nabla_w = \bigl(f(x) - y\bigr)\, f(x)\,\bigl(1 - f(x)\bigr)\, x

    Parameters
    ----------
    w, b : float
        Weight and bias.
    x, y : float
        One data point (arrays of equal shape give one gradient per point).

    Returns
    -------
    float (or ndarray of the shape of ``x``)
    """
    fx = sigmoid_neuron(x, w, b)
    return (fx - y) * fx * (1 - fx) * x


def grad_b(w: float, b: float, x: float, y: float) -> float:
    r"""Derivative of ½ (f(x) − y)² with respect to ``b``, for one point.

    .. math::

        \nabla_b = \bigl(f(x) - y\bigr)\, f(x)\,\bigl(1 - f(x)\bigr)

    Parameters
    ----------
    w, b : float
        Weight and bias.
    x, y : float
        One data point (arrays of equal shape give one gradient per point).

    Returns
    -------
    float (or ndarray of the shape of ``x``)
    """
    fx = sigmoid_neuron(x, w, b)
    return (fx - y) * fx * (1 - fx)


def gradient_descent(
    X: np.ndarray, Y: np.ndarray, w0: float, b0: float, eta: float, epochs: int
) -> tuple[float, float, np.ndarray]:
    r"""The slide's program: batch gradient descent on ``L(w, b)``.

    Each epoch sums the gradients over all points, then makes one update:

    .. math::

        w_{t+1} = w_t - \eta \sum_i \nabla_w(x_i, y_i), \qquad
        b_{t+1} = b_t - \eta \sum_i \nabla_b(x_i, y_i)

    Parameters
    ----------
    X, Y : ndarray of shape (n,)
        Data.
    w0, b0 : float
        Starting point.
    eta : float
        Learning rate η > 0.
    epochs : int
        Number of updates, ``>= 0``.

    Returns
    -------
    w, b : float
        Parameters after the last update.
    losses : ndarray of shape (epochs,)
        ``losses[t]`` is ``L(w, b)`` **after** update ``t`` (so ``losses[-1]`` is the
        loss of the returned ``w, b``).
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 1 or X.shape != Y.shape:
        raise ValueError(f"X and Y must be 1-D of the same length; got shapes {X.shape} and {Y.shape}")
    if not eta > 0:
        raise ValueError(f"eta must be a positive learning rate; got {eta!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer; got {epochs!r}")
    w, b = float(w0), float(b0)
    losses = np.empty(epochs)
    for t in range(epochs):
        dw = np.sum(grad_w(w, b, X, Y))
        db = np.sum(grad_b(w, b, X, Y))
        w = float(w - eta * dw)
        b = float(b - eta * db)
        losses[t] = error(w, b, X, Y)
    return w, b, losses


def grid_search(
    X: np.ndarray, Y: np.ndarray, lo: float, hi: float, steps: int
) -> tuple[float, float, float]:
    r"""Minimise ``L(w, b)`` over a ``steps × steps`` grid of ``[lo, hi]²``.

    .. math::

        (\hat w, \hat b) = \operatorname*{arg\,min}_{w, b \in G} \frac12 \sum_i
        \bigl(\sigma(w x_i + b) - y_i\bigr)^2,
        \qquad G = \operatorname{linspace}(lo, hi, steps)

    All grid points are evaluated at once (broadcasting, no Python loop over the
    grid); ties go to the first minimum in row-major order of ``(b, w)``.

    Parameters
    ----------
    X, Y : ndarray of shape (n,)
        Data.
    lo, hi : float
        Range of both ``w`` and ``b``, ``lo < hi``.
    steps : int
        Grid points per axis, ``>= 2``.

    Returns
    -------
    w, b, loss : float
        The best grid point and its loss.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 1 or X.shape != Y.shape:
        raise ValueError(f"X and Y must be 1-D of the same length; got shapes {X.shape} and {Y.shape}")
    if not lo < hi:
        raise ValueError(f"need lo < hi; got lo={lo!r}, hi={hi!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2; got {steps!r}")
    grid = np.linspace(lo, hi, steps)
    W, B = np.meshgrid(grid, grid)  # W[i, j] = grid[j], B[i, j] = grid[i]
    F = sigmoid(W * X[:, None, None] + B)  # shape (n, steps, steps)
    L = 0.5 * np.sum((F - Y[:, None, None]) ** 2, axis=0)
    i, j = np.unravel_index(np.argmin(L), L.shape)
    return float(grid[j]), float(grid[i]), float(L[i, j])


def error_surface(X: np.ndarray, Y: np.ndarray, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    r"""``L(w, b)`` on a grid, laid out for plotting (``w`` across, ``b`` down).

    .. math::

        S_{ij} = L(w_j, b_i) = \frac12 \sum_k \bigl(\sigma(w_j x_k + b_i) - y_k\bigr)^2

    Parameters
    ----------
    X, Y : ndarray of shape (n,)
        Data.
    ws : ndarray of shape (p,)
        Weights (columns).
    bs : ndarray of shape (q,)
        Biases (rows).

    Returns
    -------
    ndarray of shape (q, p)
        Usable directly as ``plt.contourf(ws, bs, S)``.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    ws = np.asarray(ws, dtype=float)
    bs = np.asarray(bs, dtype=float)
    if X.ndim != 1 or X.shape != Y.shape:
        raise ValueError(f"X and Y must be 1-D of the same length; got shapes {X.shape} and {Y.shape}")
    if ws.ndim != 1 or bs.ndim != 1:
        raise ValueError(f"ws and bs must be 1-D; got shapes {ws.shape} and {bs.shape}")
    F = sigmoid(ws[None, None, :] * X[:, None, None] + bs[None, :, None])  # (n, q, p)
    return 0.5 * np.sum((F - Y[:, None, None]) ** 2, axis=0)


def exact_fit(p1: tuple[float, float], p2: tuple[float, float]) -> tuple[float, float]:
    r"""The ``(w, b)`` whose sigmoid passes exactly through two points.

    Taking logits turns the two equations :math:`\sigma(w x_k + b) = y_k` into a
    linear system:

    .. math::

        w x_k + b = \operatorname{logit}(y_k) = \ln\frac{y_k}{1 - y_k}, \qquad
        w = \frac{\operatorname{logit}(y_2) - \operatorname{logit}(y_1)}{x_2 - x_1},
        \quad b = \operatorname{logit}(y_1) - w x_1

    Parameters
    ----------
    p1, p2 : pair of float
        Points ``(x, y)`` with ``0 < y < 1`` and different ``x``.

    Returns
    -------
    w, b : float
    """
    (x1, y1), (x2, y2) = p1, p2
    if not (0 < y1 < 1 and 0 < y2 < 1):
        raise ValueError(f"a sigmoid only takes values in (0, 1); got y1={y1!r}, y2={y2!r}")
    if x1 == x2:
        raise ValueError(f"the two points need different x to fix w; both have x={x1!r}")
    logit1 = np.log(y1 / (1 - y1))
    logit2 = np.log(y2 / (1 - y2))
    w = (logit2 - logit1) / (x2 - x1)
    b = logit1 - w * x1
    return float(w), float(b)
