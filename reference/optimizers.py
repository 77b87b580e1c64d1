r"""Parameter updates: plain gradient descent, gradient clipping, momentum, Adam.

COURSE_NOTES.md section 7 (momentum and Adam; exploding gradients and
clipping). Every function returns new arrays and leaves its inputs unchanged;
each is an exercise's model answer (numpy only).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def sgd_step(w: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    r"""One gradient-descent step.

    .. math::

        w \leftarrow w - \eta\, g

    Parameters
    ----------
    w, grad : ndarray of the same shape
    lr : float
        The learning rate :math:`\eta`, > 0.

    Returns
    -------
    ndarray, the shape of ``w``
    """
    w, grad = np.asarray(w, dtype=float), np.asarray(grad, dtype=float)
    if w.shape != grad.shape:
        raise ValueError(f"w has shape {w.shape} but grad has shape {grad.shape}")
    if not lr > 0:
        raise ValueError(f"the learning rate lr must be positive, got {lr}")
    return w - lr * grad


def clip_by_norm(grads: "Sequence[np.ndarray]", max_norm: float) -> list[np.ndarray]:
    r"""Rescale a list of gradients so that their global norm is at most ``max_norm``.

    .. math::

        \lVert g \rVert = \sqrt{\textstyle\sum_k \lVert g_k \rVert_F^2}, \qquad
        g_k \leftarrow g_k \cdot \frac{\text{max\_norm}}{\max(\lVert g \rVert, \text{max\_norm})}

    One factor for all arrays, so the direction of the whole gradient is kept;
    below the cap the gradients come back unchanged (as copies).

    Parameters
    ----------
    grads : sequence of ndarray
        Gradients of any shapes (e.g. every dW and db of a network).
    max_norm : float
        The cap, > 0.

    Returns
    -------
    list of ndarray
        The same shapes as ``grads``.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    arrays = [np.asarray(g, dtype=float) for g in grads]
    global_norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays)))
    scale = max_norm / max(global_norm, max_norm)
    return [g * scale for g in arrays]


def momentum_step(
    w: np.ndarray, grad: np.ndarray, velocity: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of gradient descent with (heavy-ball) momentum.

    .. math::

        v \leftarrow \beta v - \eta\, g, \qquad w \leftarrow w + v

    (the convention of Keras' SGD with momentum; the velocity starts at zero.)

    Parameters
    ----------
    w, grad, velocity : ndarray of the same shape
    lr : float
        The learning rate :math:`\eta`, > 0.
    beta : float, optional
        The momentum :math:`\beta \in [0, 1)`.

    Returns
    -------
    (w, velocity) : tuple of ndarray
        The updated weights and velocity.
    """
    w, grad, velocity = (np.asarray(a, dtype=float) for a in (w, grad, velocity))
    if not w.shape == grad.shape == velocity.shape:
        raise ValueError(f"w, grad and velocity must have one shape, got {w.shape}, {grad.shape}, {velocity.shape}")
    if not lr > 0 or not 0 <= beta < 1:
        raise ValueError(f"need lr > 0 and 0 <= beta < 1, got lr={lr}, beta={beta}")
    velocity = beta * velocity - lr * grad
    return w + velocity, velocity


def adam_step(
    w: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""One Adam step with bias correction (Kingma & Ba).

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2

        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        w \leftarrow w - \eta \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    Parameters
    ----------
    w, grad, m, v : ndarray of the same shape
        Weights, gradient, first and second moment estimates (both start at zero).
    t : int
        The step number, starting at 1 for the first update.
    lr, beta1, beta2, eps : float, optional
        :math:`\eta > 0`, :math:`\beta_1, \beta_2 \in [0, 1)`, :math:`\epsilon > 0`.

    Returns
    -------
    (w, m, v) : tuple of ndarray
        Updated weights and (uncorrected) moment estimates.
    """
    w, grad, m, v = (np.asarray(a, dtype=float) for a in (w, grad, m, v))
    if not w.shape == grad.shape == m.shape == v.shape:
        raise ValueError(f"w, grad, m and v must have one shape, got {w.shape}, {grad.shape}, {m.shape}, {v.shape}")
    if int(t) != t or t < 1:
        raise ValueError(f"the step number t starts at 1, got {t}")
    if not (lr > 0 and 0 <= beta1 < 1 and 0 <= beta2 < 1 and eps > 0):
        raise ValueError(f"need lr > 0, 0 <= beta1, beta2 < 1, eps > 0; got {lr}, {beta1}, {beta2}, {eps}")
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
