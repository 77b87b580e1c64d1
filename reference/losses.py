r"""Loss functions and their gradients with respect to the prediction (notes, section 4).

Conventions (axis 0 is the sample axis):

* Elementwise losses (``mse``, ``mae``, ``huber``, ``binary_cross_entropy``)
  are the mean over ALL elements, :math:`N` = ``y.size``. For ``y`` of shape
  ``(n,)`` that is the mean over the samples; for ``(n, m)`` it equals Keras'
  mean over the last axis and then over the batch. Their gradients divide by
  the same :math:`N`.
* Distribution losses (``categorical_cross_entropy``,
  ``sparse_categorical_cross_entropy``, ``softmax_cross_entropy``) sum over the
  class axis (the last) and take the mean over the samples: :math:`n` = number
  of rows of a ``(n, k)`` batch, 1 for a single vector ``(k,)``.
* ``half_sum_squared_error`` and ``sse`` are sums (no mean), as their names say;
  notes 001 call ``½ Σ (ŷ − y)²`` "MSE", the toolkit calls it
  ``half_sum_squared_error``.
* ``y`` and ``y_hat`` must have the same shape: no silent broadcasting of an
  ``(n,)`` target against an ``(n, 1)`` prediction into ``(n, n)``.
* Logarithms of probabilities use ``clip(p, eps, 1 - eps)`` with ``eps = 1e-12``
  so that a probability of exactly 0 or 1 gives a large finite loss, not inf.

Each public function is self-contained (numpy only), because exercise
solutions are cut out of this file with ``inspect.getsource``.
"""

import numpy as np


def mse(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Mean squared error over all elements.

    .. math:: L = \frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
        Targets.
    y_hat : array_like, same shape as ``y``
        Predictions.

    Returns
    -------
    float
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(np.mean((y_hat - y) ** 2))


def mse_grad(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    r"""Gradient of ``mse`` with respect to ``y_hat``.

    .. math:: \frac{\partial L}{\partial \hat y_i} = \frac{2}{N} (\hat y_i - y_i)

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    ndarray, same shape as ``y``
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return 2.0 * (y_hat - y) / y.size


def half_sum_squared_error(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Half the sum of squared errors (notes 001's "MSE", the sigmoid-neuron error of a2).

    .. math:: L = \frac{1}{2} \sum_{i} (\hat y_i - y_i)^2

    Parameters
    ----------
    y : array_like of any shape
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    float
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(0.5 * np.sum((y_hat - y) ** 2))


def half_sum_squared_error_grad(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    r"""Gradient of ``half_sum_squared_error`` with respect to ``y_hat``.

    .. math:: \frac{\partial L}{\partial \hat y_i} = \hat y_i - y_i

    Parameters
    ----------
    y : array_like of any shape
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    ndarray, same shape as ``y``
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return y_hat - y


def sse(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Sum of squared errors (notes 003).

    .. math:: L = \sum_{i} (y_i - \hat y_i)^2

    Parameters
    ----------
    y : array_like of any shape
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    float
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(np.sum((y - y_hat) ** 2))


def sse_grad(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    r"""Gradient of ``sse`` with respect to ``y_hat``.

    .. math:: \frac{\partial L}{\partial \hat y_i} = 2 (\hat y_i - y_i)

    Parameters
    ----------
    y : array_like of any shape
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    ndarray, same shape as ``y``
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return 2.0 * (y_hat - y)


def mae(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Mean absolute error over all elements (notes 000 square it: a typo).

    .. math:: L = \frac{1}{N} \sum_{i=1}^{N} |\hat y_i - y_i|

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    float
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(np.mean(np.abs(y_hat - y)))


def mae_grad(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    r"""(Sub)gradient of ``mae`` with respect to ``y_hat``; 0 where the error is 0.

    .. math:: \frac{\partial L}{\partial \hat y_i} = \frac{1}{N} \operatorname{sign}(\hat y_i - y_i),
              \quad \operatorname{sign}(0) = 0

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    ndarray of -1/N, 0, 1/N, same shape as ``y``
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return np.sign(y_hat - y) / y.size


def huber(y: np.ndarray, y_hat: np.ndarray, delta: float = 1.0) -> float:
    r"""Huber loss, mean over all elements: quadratic near 0, linear beyond ``delta``.

    .. math:: L = \frac{1}{N} \sum_{i} \begin{cases} \tfrac12 e_i^2 & |e_i| \le \delta \\
              \delta (|e_i| - \tfrac12 \delta) & |e_i| > \delta \end{cases}, \quad e = \hat y - y

    (Notes 004 drop the ½ of the quadratic branch: a typo.)

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``
    delta : float > 0, default 1.0
        Threshold between the quadratic and the linear branch.

    Returns
    -------
    float
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    if not delta > 0:
        raise ValueError(f"huber needs delta > 0, got delta={delta}")
    a = np.abs(y_hat - y)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))


def huber_grad(y: np.ndarray, y_hat: np.ndarray, delta: float = 1.0) -> np.ndarray:
    r"""Gradient of ``huber`` with respect to ``y_hat``: the error, clipped to ±delta.

    .. math:: \frac{\partial L}{\partial \hat y_i} = \frac{1}{N} \begin{cases} e_i & |e_i| \le \delta \\
              \delta \operatorname{sign}(e_i) & |e_i| > \delta \end{cases}
              = \frac{1}{N} \operatorname{clip}(e_i, -\delta, \delta)

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``
    delta : float > 0, default 1.0

    Returns
    -------
    ndarray, same shape as ``y``
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    if not delta > 0:
        raise ValueError(f"huber needs delta > 0, got delta={delta}")
    return np.clip(y_hat - y, -delta, delta) / y.size


def binary_cross_entropy(y: np.ndarray, p: np.ndarray, eps: float = 1e-12) -> float:
    r"""Binary cross-entropy of 0/1 targets and predicted probabilities, mean over all elements.

    .. math:: L = -\frac{1}{N} \sum_{i} \left[ y_i \ln p_i + (1 - y_i) \ln(1 - p_i) \right],
              \quad p \leftarrow \operatorname{clip}(p, \epsilon, 1 - \epsilon)

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
        Targets in {0, 1} (soft targets in [0, 1] also work).
    p : array_like, same shape as ``y``
        Predicted probabilities of class 1 (a sigmoid output).
    eps : float, default 1e-12
        Clip so that p = 0 or 1 gives a finite loss (at most -ln(eps) ≈ 27.6).

    Returns
    -------
    float
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"y has shape {y.shape} but p has shape {p.shape}: pass arrays of one shape")
    p = np.clip(p, eps, 1.0 - eps)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def binary_cross_entropy_grad(y: np.ndarray, p: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    r"""Gradient of ``binary_cross_entropy`` with respect to ``p`` (clipped as in the loss).

    .. math:: \frac{\partial L}{\partial p_i} = \frac{1}{N} \left( \frac{1 - y_i}{1 - p_i} - \frac{y_i}{p_i} \right)
              = \frac{1}{N} \frac{p_i - y_i}{p_i (1 - p_i)}

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    p : array_like, same shape as ``y``
    eps : float, default 1e-12

    Returns
    -------
    ndarray, same shape as ``y``
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"y has shape {y.shape} but p has shape {p.shape}: pass arrays of one shape")
    p = np.clip(p, eps, 1.0 - eps)
    return (p - y) / (p * (1.0 - p)) / y.size


def categorical_cross_entropy(Y: np.ndarray, P: np.ndarray, eps: float = 1e-12) -> float:
    r"""Categorical cross-entropy of one-hot targets and predicted class probabilities.

    .. math:: L = -\frac{1}{n} \sum_{s=1}^{n} \sum_{j=1}^{k} Y_{sj} \ln P_{sj},
              \quad P \leftarrow \operatorname{clip}(P, \epsilon, 1)

    Parameters
    ----------
    Y : array_like of shape (n, k), or (k,) for one sample
        One-hot targets (rows of probabilities also work).
    P : array_like, same shape as ``Y``
        Predicted probabilities (a softmax output), rows summing to 1.
    eps : float, default 1e-12

    Returns
    -------
    float
    """
    Y, P = np.asarray(Y, dtype=float), np.asarray(P, dtype=float)
    if Y.shape != P.shape:
        raise ValueError(f"Y has shape {Y.shape} but P has shape {P.shape}: pass arrays of one shape")
    return float(np.mean(-np.sum(Y * np.log(np.clip(P, eps, 1.0)), axis=-1)))


def categorical_cross_entropy_grad(Y: np.ndarray, P: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    r"""Gradient of ``categorical_cross_entropy`` with respect to ``P`` (clipped as in the loss).

    .. math:: \frac{\partial L}{\partial P_{sj}} = -\frac{1}{n} \frac{Y_{sj}}{P_{sj}}

    Parameters
    ----------
    Y : array_like of shape (n, k), or (k,) for one sample
    P : array_like, same shape as ``Y``
    eps : float, default 1e-12

    Returns
    -------
    ndarray, same shape as ``Y``
    """
    Y, P = np.asarray(Y, dtype=float), np.asarray(P, dtype=float)
    if Y.shape != P.shape:
        raise ValueError(f"Y has shape {Y.shape} but P has shape {P.shape}: pass arrays of one shape")
    n = int(np.prod(Y.shape[:-1]))  # the number of samples: 1 for a single vector
    return -Y / np.clip(P, eps, 1.0) / n


def sparse_categorical_cross_entropy(labels: np.ndarray, P: np.ndarray, eps: float = 1e-12) -> float:
    r"""Categorical cross-entropy with integer class labels instead of one-hot rows.

    .. math:: L = -\frac{1}{n} \sum_{s=1}^{n} \ln P_{s, c_s}, \quad c_s = \text{labels}_s,
              \quad P \leftarrow \operatorname{clip}(P, \epsilon, 1)

    Parameters
    ----------
    labels : array_like of int, shape (n,), or a scalar for one sample
        Class indices in ``0 .. k-1``.
    P : array_like of shape (n, k), or (k,) for one sample
        Predicted probabilities, rows summing to 1.
    eps : float, default 1e-12

    Returns
    -------
    float
    """
    labels, P = np.asarray(labels), np.asarray(P, dtype=float)
    if P.ndim == 0 or labels.shape != P.shape[:-1]:
        raise ValueError(
            f"labels has shape {labels.shape} but P has shape {P.shape}: "
            "give one integer label per row of P (labels of shape (n,) for P of shape (n, k))"
        )
    if labels.size and (np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= P.shape[-1]):
        raise ValueError(
            f"labels must be whole numbers in 0..{P.shape[-1] - 1} (the columns of P), "
            f"got values from {labels.min()} to {labels.max()}: pass class indices, not one-hot rows"
        )
    picked = np.take_along_axis(P, labels.astype(int)[..., None], axis=-1)[..., 0]
    return float(np.mean(-np.log(np.clip(picked, eps, 1.0))))


def softmax_cross_entropy(Z: np.ndarray, Y: np.ndarray) -> float:
    r"""Cross-entropy of softmax(Z) against targets Y, computed from the logits.

    .. math:: L = \frac{1}{n} \sum_{s} \sum_{j} Y_{sj} \left( \operatorname{lse}(Z_s) - Z_{sj} \right),
              \quad \operatorname{lse}(z) = m + \ln \sum_j e^{z_j - m}, \ m = \max_j z_j

    The log-sum-exp with the maximum subtracted never overflows and never takes
    ``log(0)``, so logits of ±1e4 are fine (no clipping needed).

    Parameters
    ----------
    Z : array_like of shape (n, k), or (k,) for one sample
        Logits (pre-softmax outputs).
    Y : array_like, same shape as ``Z``
        One-hot targets (or rows of probabilities summing to 1).

    Returns
    -------
    float
    """
    Z, Y = np.asarray(Z, dtype=float), np.asarray(Y, dtype=float)
    if Z.shape != Y.shape:
        raise ValueError(f"Z has shape {Z.shape} but Y has shape {Y.shape}: pass arrays of one shape")
    m = np.max(Z, axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(Z - m), axis=-1, keepdims=True))
    return float(np.mean(np.sum(Y * (lse - Z), axis=-1)))


def softmax_cross_entropy_grad(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Gradient of ``softmax_cross_entropy`` with respect to the logits ``Z``.

    .. math:: \frac{\partial L}{\partial Z_{sj}} = \frac{1}{n} \left( \operatorname{softmax}(Z_s)_j - Y_{sj} \right)

    (for target rows summing to 1). The softmax is computed inline, with the
    row maximum subtracted.

    Parameters
    ----------
    Z : array_like of shape (n, k), or (k,) for one sample
    Y : array_like, same shape as ``Z``

    Returns
    -------
    ndarray, same shape as ``Z``
    """
    Z, Y = np.asarray(Z, dtype=float), np.asarray(Y, dtype=float)
    if Z.shape != Y.shape:
        raise ValueError(f"Z has shape {Z.shape} but Y has shape {Y.shape}: pass arrays of one shape")
    e = np.exp(Z - np.max(Z, axis=-1, keepdims=True))
    n = int(np.prod(Z.shape[:-1]))  # the number of samples: 1 for a single vector
    return (e / np.sum(e, axis=-1, keepdims=True) - Y) / n
