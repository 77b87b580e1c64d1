r"""Activation functions and their derivatives (course notes, section 5).

Every ``<name>(z)`` is vectorised: it takes an array of any shape (or a Python
scalar) and works elementwise, returning a float array of the same shape.
Every ``<name>_grad(z)`` returns the derivative :math:`f'(z)` with respect to
``z``, elementwise, same shape. At a kink (ReLU-like functions at 0) the
derivative of the left side is used: 0 for ReLU, α for leaky ReLU / PReLU /
ELU / SELU.

Each public function is self-contained (numpy and ``math`` only, plus other
public functions of this module called by name), because exercise solutions
are cut out of this file with ``inspect.getsource``.

Numerics: ``sigmoid``, ``softplus`` and ``softmax`` never overflow; for
``|z|`` up to 1e4 they return finite values. Tiny results may underflow to 0
(``e^{-10000}`` *is* 0 in float64); that is the correctly rounded answer.
"""

import math
from collections.abc import Callable

import numpy as np


def identity(z: np.ndarray) -> np.ndarray:
    r"""Identity (linear) activation.

    .. math:: f(z) = z

    Parameters
    ----------
    z : array_like of any shape
        Pre-activations.

    Returns
    -------
    ndarray, same shape as ``z``
    """
    return np.array(z, dtype=float)


def identity_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the identity.

    .. math:: f'(z) = 1

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray of ones, same shape as ``z``
    """
    return np.ones_like(np.asarray(z, dtype=float))


def binary_step(z: np.ndarray) -> np.ndarray:
    r"""Binary step (the perceptron's threshold); fires at 0.

    .. math:: f(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray of 0.0 / 1.0, same shape as ``z``
    """
    return (np.asarray(z, dtype=float) >= 0).astype(float)


def binary_step_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the binary step: 0 everywhere (undefined at 0; 0 is used).

    .. math:: f'(z) = 0

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray of zeros, same shape as ``z``
    """
    return np.zeros_like(np.asarray(z, dtype=float))


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid, computed without overflow.

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}} = e^{-\ln(1 + e^{-z})}

    ``np.logaddexp(0, -z)`` evaluates :math:`\ln(1 + e^{-z})` stably, so no
    ``exp`` of a large positive number is ever taken (safe for ``|z|`` up to
    1e4 and beyond).

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray in [0, 1], same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the sigmoid (at most 0.25, at z = 0).

    .. math:: \sigma'(z) = \sigma(z)\,(1 - \sigma(z))

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray in [0, 0.25], same shape as ``z``
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent.

    .. math:: \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray in [-1, 1], same shape as ``z``
    """
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of tanh.

    .. math:: \tanh'(z) = 1 - \tanh^2(z)

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray in [0, 1], same shape as ``z``
    """
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit.

    .. math:: f(z) = \max(0, z)

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray >= 0, same shape as ``z``
    """
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of ReLU, with the course's convention f'(0) = 0 (notes 003).

    .. math:: f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray of 0.0 / 1.0, same shape as ``z``
    """
    return (np.asarray(z, dtype=float) > 0).astype(float)


def leaky_relu(z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU: a small slope ``alpha`` for negative inputs.

    .. math:: f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
    alpha : float, default 0.01
        Slope for z <= 0.

    Returns
    -------
    ndarray, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    r"""Derivative of leaky ReLU; ``alpha`` at z = 0 (like ReLU's 0 there).

    .. math:: f'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
    alpha : float, default 0.01

    Returns
    -------
    ndarray of 1.0 / ``alpha``, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha)


def prelu(z: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    r"""Parametric ReLU: leaky ReLU whose slope ``alpha`` is a learned parameter.

    .. math:: f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
    alpha : float or array_like broadcastable to ``z``
        Slope for z <= 0 (e.g. one per unit, shape ``(units,)`` for ``z`` of
        shape ``(n, units)``).

    Returns
    -------
    ndarray, the broadcast shape of ``z`` and ``alpha``
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, np.asarray(alpha, dtype=float) * z)


def prelu_grad(z: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    r"""Derivative of PReLU with respect to ``z``; ``alpha`` at z = 0.

    .. math:: \frac{\partial f}{\partial z} = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
    alpha : float or array_like broadcastable to ``z``

    Returns
    -------
    ndarray, the broadcast shape of ``z`` and ``alpha``
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, np.asarray(alpha, dtype=float))


def elu(z: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    r"""Exponential linear unit.

    .. math:: f(z) = \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}

    ``expm1`` is applied to ``min(z, 0)`` so the unused branch cannot overflow.

    Parameters
    ----------
    z : array_like of any shape
    alpha : float, default 1.0
        Saturation value: f(z) -> -alpha as z -> -inf.

    Returns
    -------
    ndarray > -alpha, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_grad(z: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    r"""Derivative of ELU; ``alpha`` at z = 0 (1 there when alpha = 1).

    .. math:: f'(z) = \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
    alpha : float, default 1.0

    Returns
    -------
    ndarray, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu(
    z: np.ndarray,
    scale: float = 1.0507009873554805,
    alpha: float = 1.6732632423543772,
) -> np.ndarray:
    r"""Scaled ELU with the self-normalising constants λ (``scale``) and α.

    .. math:: f(z) = \lambda \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases},
              \quad \lambda = 1.0507009873554805,\ \alpha = 1.6732632423543772

    Parameters
    ----------
    z : array_like of any shape
    scale : float, default 1.0507009873554805
        λ.
    alpha : float, default 1.6732632423543772
        α.

    Returns
    -------
    ndarray > -λα ≈ -1.7581, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return scale * np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def selu_grad(
    z: np.ndarray,
    scale: float = 1.0507009873554805,
    alpha: float = 1.6732632423543772,
) -> np.ndarray:
    r"""Derivative of SELU; λα at z = 0.

    .. math:: f'(z) = \lambda \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
    scale : float, default 1.0507009873554805
    alpha : float, default 1.6732632423543772

    Returns
    -------
    ndarray, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return scale * np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def gelu(z: np.ndarray) -> np.ndarray:
    r"""Gaussian error linear unit, exact form (not the tanh approximation).

    .. math:: f(z) = z\,\Phi(z), \quad \Phi(z) = \tfrac12\left(1 + \operatorname{erf}(z / \sqrt{2})\right)

    Φ is the standard normal CDF; ``math.erf`` is applied elementwise with
    ``np.vectorize`` (numpy has no erf of its own).

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray > -0.1700, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    erf = np.vectorize(math.erf, otypes=[float])
    return z * 0.5 * (1.0 + erf(z / math.sqrt(2.0)))


def gelu_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the exact GELU.

    .. math:: f'(z) = \Phi(z) + z\,\varphi(z), \quad \varphi(z) = \frac{e^{-z^2/2}}{\sqrt{2\pi}}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    erf = np.vectorize(math.erf, otypes=[float])
    cdf = 0.5 * (1.0 + erf(z / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)
    return cdf + z * pdf


def softplus(z: np.ndarray) -> np.ndarray:
    r"""Softplus, a smooth ReLU, computed without overflow.

    .. math:: f(z) = \ln(1 + e^{z})

    ``np.logaddexp(0, z)`` = :math:`\ln(e^0 + e^z)` never overflows.

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray > 0 (may underflow to 0 for z < -745), same shape as ``z``
    """
    return np.logaddexp(0.0, np.asarray(z, dtype=float))


def softplus_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of softplus: the sigmoid.

    .. math:: f'(z) = \frac{1}{1 + e^{-z}} = \sigma(z)

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray in [0, 1], same shape as ``z``
    """
    return sigmoid(z)


def silu(z: np.ndarray) -> np.ndarray:
    r"""Sigmoid linear unit (SiLU, swish-1).

    .. math:: f(z) = z\,\sigma(z) = \frac{z}{1 + e^{-z}}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray >= -0.2785, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return z * sigmoid(z)


def silu_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of SiLU.

    .. math:: f'(z) = \sigma(z) + z\,\sigma(z)(1 - \sigma(z)) = \sigma(z)\,(1 + z(1 - \sigma(z)))

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    s = sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def gaussian(z: np.ndarray) -> np.ndarray:
    r"""Gaussian activation.

    .. math:: f(z) = e^{-z^2}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray in [0, 1], same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return np.exp(-(z**2))


def gaussian_grad(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the Gaussian activation.

    .. math:: f'(z) = -2z\,e^{-z^2}

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    ndarray, same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    return -2.0 * z * np.exp(-(z**2))


def maxout(z: np.ndarray, pieces: int) -> np.ndarray:
    r"""Maxout: the maximum over consecutive groups of ``pieces`` pre-activations.

    .. math:: f(z)_j = \max_{0 \le p < k} z_{j k + p}, \quad k = \text{pieces}

    Shape rule: the last axis of ``z`` holds ``m * pieces`` values, unit ``j``
    owning ``z[..., j*pieces:(j+1)*pieces]``; the result has ``m`` there.
    Maxout with 2 pieces whose second piece is 0 is ReLU.

    Parameters
    ----------
    z : array_like of shape (..., m * pieces)
    pieces : int >= 1
        Number of linear pieces per unit.

    Returns
    -------
    ndarray of shape (..., m)

    Raises
    ------
    ValueError
        If ``pieces`` < 1 or the last axis is not a multiple of ``pieces``.
    """
    z = np.asarray(z, dtype=float)
    if pieces < 1 or z.ndim == 0 or z.shape[-1] % pieces != 0:
        raise ValueError(
            f"maxout needs pieces >= 1 dividing the last axis of z; got pieces={pieces} "
            f"and z of shape {z.shape}: give z a last axis of units * pieces values"
        )
    return z.reshape(*z.shape[:-1], z.shape[-1] // pieces, pieces).max(axis=-1)


def maxout_grad(z: np.ndarray, pieces: int) -> np.ndarray:
    r"""Derivative of each maxout output with respect to its own group.

    .. math:: \frac{\partial f_j}{\partial z_{jk+p}} = \begin{cases} 1 & p = \arg\max_q z_{jk+q} \\ 0 & \text{otherwise} \end{cases}

    Exactly one 1 per group (the first maximum on ties), so the backward pass is
    ``dz = maxout_grad(z, k) * np.repeat(dout, k, axis=-1)``.

    Parameters
    ----------
    z : array_like of shape (..., m * pieces)
    pieces : int >= 1

    Returns
    -------
    ndarray of 0.0 / 1.0, same shape as ``z``

    Raises
    ------
    ValueError
        If ``pieces`` < 1 or the last axis is not a multiple of ``pieces``.
    """
    z = np.asarray(z, dtype=float)
    if pieces < 1 or z.ndim == 0 or z.shape[-1] % pieces != 0:
        raise ValueError(
            f"maxout needs pieces >= 1 dividing the last axis of z; got pieces={pieces} "
            f"and z of shape {z.shape}: give z a last axis of units * pieces values"
        )
    groups = z.reshape(*z.shape[:-1], z.shape[-1] // pieces, pieces)
    winner = np.argmax(groups, axis=-1)[..., None]
    mask = np.arange(pieces) == winner
    return mask.astype(float).reshape(z.shape)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Softmax along ``axis``, stable for logits up to 1e4 and beyond.

    .. math:: y_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}, \quad m = \max_j z_j

    Subtracting the maximum leaves the result unchanged and makes every
    exponent <= 0, so nothing overflows and the denominator is >= 1.

    Parameters
    ----------
    z : array_like of any shape (a vector of logits, or a batch ``(n, k)``)
    axis : int, default -1
        The class axis; each slice along it sums to 1.

    Returns
    -------
    ndarray in [0, 1], same shape as ``z``
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    r"""Jacobian of the softmax of one logit vector.

    .. math:: J_{ij} = \frac{\partial y_i}{\partial z_j} = y_i(\delta_{ij} - y_j),
              \quad J = \operatorname{diag}(y) - y y^\top

    Parameters
    ----------
    z : array_like of shape (k,)

    Returns
    -------
    ndarray of shape (k, k), symmetric, rows summing to 0

    Raises
    ------
    ValueError
        If ``z`` is not one-dimensional.
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 1:
        raise ValueError(
            f"softmax_jacobian takes one logit vector of shape (k,), got shape {z.shape}: "
            "call it once per row of a batch"
        )
    y = softmax(z)
    return np.diag(y) - np.outer(y, y)


ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "identity": (identity, identity_grad),
    "binary_step": (binary_step, binary_step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "selu": (selu, selu_grad),
    "gelu": (gelu, gelu_grad),
    "softplus": (softplus, softplus_grad),
    "silu": (silu, silu_grad),
    "gaussian": (gaussian, gaussian_grad),
}
"""Name -> (function, derivative), each called as ``f(z)`` with default parameters."""


PROPERTIES: dict[str, dict[str, bool | str]] = {
    # monotonic: non-decreasing everywhere; zero_centred: outputs take both signs
    # (so their mean can be 0); bounded: bounded above and below; saturates: where
    # f'(z) -> 0 ("both" ends, only the "negative" end, or "none");
    # differentiable: everywhere, with the default parameters (prelu: monotonic for alpha >= 0).
    "identity": dict(monotonic=True, zero_centred=True, bounded=False, saturates="none", differentiable=True),
    "binary_step": dict(monotonic=True, zero_centred=False, bounded=True, saturates="both", differentiable=False),
    "sigmoid": dict(monotonic=True, zero_centred=False, bounded=True, saturates="both", differentiable=True),
    "tanh": dict(monotonic=True, zero_centred=True, bounded=True, saturates="both", differentiable=True),
    "relu": dict(monotonic=True, zero_centred=False, bounded=False, saturates="negative", differentiable=False),
    "leaky_relu": dict(monotonic=True, zero_centred=True, bounded=False, saturates="none", differentiable=False),
    "prelu": dict(monotonic=True, zero_centred=True, bounded=False, saturates="none", differentiable=False),
    "elu": dict(monotonic=True, zero_centred=True, bounded=False, saturates="negative", differentiable=True),
    "selu": dict(monotonic=True, zero_centred=True, bounded=False, saturates="negative", differentiable=False),
    "gelu": dict(monotonic=False, zero_centred=True, bounded=False, saturates="negative", differentiable=True),
    "softplus": dict(monotonic=True, zero_centred=False, bounded=False, saturates="negative", differentiable=True),
    "silu": dict(monotonic=False, zero_centred=True, bounded=False, saturates="negative", differentiable=True),
    "gaussian": dict(monotonic=False, zero_centred=False, bounded=True, saturates="both", differentiable=True),
    "maxout": dict(monotonic=True, zero_centred=True, bounded=False, saturates="none", differentiable=False),
}
"""Name -> the properties the notes ask about (004's "good activation" list)."""
