"""Centred finite differences, the independent check of every analytic derivative.

.. math:: f'(x) \\approx \\frac{f(x + h) - f(x - h)}{2h}

with error O(h²); h = 1e-6 balances that truncation error against rounding.
"""

from collections.abc import Callable

import numpy as np


def elementwise_derivative(f: Callable[[np.ndarray], np.ndarray], z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """f'(z) for an elementwise f, every element at once; same shape as ``z``."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2.0 * h)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂f/∂x for a scalar-valued f, one element at a time; same shape as ``x``."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2.0 * h)
    return grad


def numerical_jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """J[i, j] = ∂f_i/∂x_j for a vector-valued f of a vector x; shape (len(f(x)), len(x))."""
    x = np.asarray(x, dtype=float)
    columns = [(f(x + h * e) - f(x - h * e)) / (2.0 * h) for e in np.eye(x.size)]
    return np.stack(columns, axis=1)
