"""McCulloch–Pitts neurons, perceptrons and networks of perceptrons (course part 1).

Conventions used throughout (COURSE_NOTES.md, section 1):

- a unit *fires* (outputs 1) when its weighted sum is **>= 0** (``step(0) = 1``);
- a perceptron's bias is ``w[0]`` with the constant input ``x₀ = 1`` (``w₀ = −θ``);
- a truth table of ``n`` inputs is a 0/1 array of length ``2ⁿ`` listing the output
  for the inputs in binary order, ``x₁`` the most significant bit
  (``truth_table_inputs(2)`` is ``00, 01, 10, 11``);
- a two-layer network is ``h = step(W1 @ x + b1)``, ``y = step(w2 @ h + b2)`` with
  ``W1`` of shape ``(hidden, n)``.

Every public function is self-contained (numpy and the other public functions of
this module only), because it is also the model answer of an exercise.
"""

from __future__ import annotations

import numpy as np


def step(z: np.ndarray | float) -> np.ndarray:
    r"""Heaviside step with ``step(0) = 1``, elementwise.

    .. math::

        \operatorname{step}(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}

    Parameters
    ----------
    z : array_like of any shape
        Pre-activations.

    Returns
    -------
    ndarray of int, same shape as ``z``
        1 where ``z >= 0``, else 0.
    """
    return (np.asarray(z) >= 0).astype(int)


def mp_neuron(x: np.ndarray, theta: float, inhibitory: tuple[int, ...] = ()) -> int | np.ndarray:
    r"""McCulloch–Pitts neuron with excitatory and inhibitory inputs.

    .. math::

        g(x) = \sum_{i \notin I} x_i, \qquad
        y = \begin{cases} 1 & g(x) \ge \theta \text{ and } x_i = 0 \;\forall i \in I \\
                          0 & \text{otherwise} \end{cases}

    where :math:`I` is the set of inhibitory inputs (any active one vetoes firing).

    Parameters
    ----------
    x : ndarray of shape (d,) or (n, d)
        0/1 inputs: one input vector, or a batch of ``n`` vectors.
    theta : float
        Threshold θ.
    inhibitory : sequence of int, optional
        Indices (0-based, in ``range(d)``) of the inhibitory inputs.

    Returns
    -------
    int or ndarray of int of shape (n,)
        0 or 1 per input vector.
    """
    x = np.asarray(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (d,) or (n, d); got shape {x.shape}")
    if not np.isin(x, (0, 1)).all():
        raise ValueError("x must contain only 0 and 1 (an MP neuron takes Boolean inputs)")
    d = x.shape[-1]
    inhibitory = [int(i) for i in inhibitory]
    bad = [i for i in inhibitory if not 0 <= i < d]
    if bad:
        raise ValueError(f"inhibitory indices {bad} are outside range({d}) for inputs of length {d}")
    is_inhibitory = np.zeros(d, dtype=bool)
    is_inhibitory[inhibitory] = True
    g = x[..., ~is_inhibitory].sum(axis=-1)
    vetoed = x[..., is_inhibitory].any(axis=-1)
    y = ((g >= theta) & ~vetoed).astype(int)
    return int(y) if x.ndim == 1 else y


def mp_thresholds(n: int) -> dict[str, int]:
    r"""Thresholds θ that make an MP neuron over ``n`` excitatory inputs compute AND and OR.

    .. math::

        \text{AND: } \sum_{i=1}^n x_i \ge n, \qquad \text{OR: } \sum_{i=1}^n x_i \ge 1

    Parameters
    ----------
    n : int
        Number of inputs, ``n >= 1``.

    Returns
    -------
    dict
        ``{"and": n, "or": 1}``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of inputs; got {n!r}")
    return {"and": int(n), "or": 1}


def perceptron(x: np.ndarray, w: np.ndarray) -> int | np.ndarray:
    r"""Perceptron with the bias as ``w[0]`` (constant input ``x₀ = 1``).

    .. math::

        y = \begin{cases} 1 & \sum_{i=0}^{d} w_i x_i \ge 0 \\ 0 & \text{otherwise} \end{cases},
        \qquad x_0 = 1,\; w_0 = -\theta

    Parameters
    ----------
    x : ndarray of shape (d,) or (n, d)
        One input vector or a batch of ``n`` vectors.
    w : ndarray of shape (d + 1,)
        Bias ``w[0]`` followed by one weight per input.

    Returns
    -------
    int or ndarray of int of shape (n,)
        0 or 1 per input vector.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (d,) or (n, d); got shape {x.shape}")
    if w.shape != (x.shape[-1] + 1,):
        raise ValueError(
            f"w must have shape (d + 1,) = ({x.shape[-1] + 1},) for inputs of length "
            f"{x.shape[-1]} (bias first); got shape {w.shape}"
        )
    y = (w[0] + x @ w[1:] >= 0).astype(int)
    return int(y) if x.ndim == 1 else y


def or_weights() -> np.ndarray:
    r"""Perceptron weights computing OR of two inputs (the course's solution).

    They satisfy the system of inequalities of the OR truth table:

    .. math::

        w_0 < 0,\quad w_1 \ge -w_0,\quad w_2 \ge -w_0,\quad w_1 + w_2 \ge -w_0

    Returns
    -------
    ndarray of shape (3,)
        ``(w₀, w₁, w₂) = (−1, 1.1, 1.1)``.
    """
    return np.array([-1.0, 1.1, 1.1])


def perceptron_train(
    X: np.ndarray, y: np.ndarray, lr: float, epochs: int
) -> tuple[np.ndarray, bool]:
    r"""Perceptron learning rule, starting from zero weights.

    Each epoch visits the rows in order; for row :math:`x` with label :math:`y`,
    with :math:`\tilde x = (1, x)` and :math:`\hat y = \operatorname{step}(w \cdot \tilde x)`:

    .. math::

        w \leftarrow w + \eta\,(y - \hat y)\,\tilde x

    Training stops after the first epoch without a mistake (converged).

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Inputs, one row per example.
    y : ndarray of shape (n,)
        0/1 labels.
    lr : float
        Learning rate η > 0.
    epochs : int
        Maximum number of passes over the data, ``>= 0``.

    Returns
    -------
    w : ndarray of shape (d + 1,)
        Learned weights, bias first.
    converged : bool
        True if some epoch made no mistake.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},) to match X; got shape {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y must contain only 0 and 1 labels")
    if not lr > 0:
        raise ValueError(f"lr must be positive; got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer; got {epochs!r}")
    w = np.zeros(X.shape[1] + 1)
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            x_tilde = np.concatenate(([1.0], x_i))
            error = y_i - perceptron(x_i, w)
            if error != 0:
                mistakes += 1
                w = w + lr * error * x_tilde
        if mistakes == 0:
            return w, True
    return w, False


def truth_table_inputs(n: int) -> np.ndarray:
    r"""All ``2ⁿ`` Boolean input vectors in binary order, ``x₁`` most significant.

    .. math::

        X_{k, i} = \left\lfloor k / 2^{\,n-1-i} \right\rfloor \bmod 2,
        \qquad k = 0, \dots, 2^n - 1,\; i = 0, \dots, n - 1

    Parameters
    ----------
    n : int
        Number of inputs, ``n >= 1``.

    Returns
    -------
    ndarray of int of shape (2**n, n)
        Row ``k`` is the binary expansion of ``k``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of inputs; got {n!r}")
    k = np.arange(2**n)[:, None]
    powers = 2 ** np.arange(n - 1, -1, -1)
    return (k // powers) % 2


def network_truth_table(
    W1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float, n: int
) -> np.ndarray:
    r"""Outputs of a two-layer step network over all ``2ⁿ`` inputs, in binary order.

    .. math::

        h = \operatorname{step}(W_1 x + b_1), \qquad y = \operatorname{step}(w_2 \cdot h + b_2)

    Parameters
    ----------
    W1 : ndarray of shape (k, n)
        Hidden weights, one row per hidden unit.
    b1 : ndarray of shape (k,)
        Hidden biases.
    w2 : ndarray of shape (k,)
        Output weights.
    b2 : float
        Output bias.
    n : int
        Number of inputs.

    Returns
    -------
    ndarray of int of shape (2**n,)
        The network's truth table.
    """
    W1 = np.asarray(W1, dtype=float)
    b1 = np.asarray(b1, dtype=float)
    w2 = np.asarray(w2, dtype=float)
    if W1.ndim != 2 or W1.shape[1] != n:
        raise ValueError(f"W1 must have shape (hidden, n) = (k, {n}); got shape {W1.shape}")
    k = W1.shape[0]
    if b1.shape != (k,) or w2.shape != (k,):
        raise ValueError(
            f"b1 and w2 must have shape (hidden,) = ({k},) to match W1; "
            f"got {b1.shape} and {w2.shape}"
        )
    if np.ndim(b2) != 0:
        raise ValueError(f"b2 must be a scalar (one output unit); got shape {np.shape(b2)}")
    X = truth_table_inputs(n)
    H = step(X @ W1.T + b1)
    return step(H @ w2 + b2)


def computes(
    truth_table: np.ndarray, W1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float
) -> bool:
    r"""Does the two-layer step network compute ``truth_table``?

    .. math::

        \operatorname{step}\bigl(w_2 \cdot \operatorname{step}(W_1 x^{(k)} + b_1) + b_2\bigr)
        = t_k \quad \forall k

    Parameters
    ----------
    truth_table : ndarray of shape (2**n,)
        Wanted 0/1 outputs in binary input order.
    W1, b1, w2, b2
        The network, as in :func:`network_truth_table`.

    Returns
    -------
    bool
        True if the network's output equals the truth table on every input.
    """
    truth_table = np.asarray(truth_table)
    n = int(np.log2(max(truth_table.size, 1)))
    if truth_table.ndim != 1 or truth_table.size < 2 or 2**n != truth_table.size:
        raise ValueError(
            f"truth_table must be 1-D with length 2**n (n >= 1); got shape {truth_table.shape}"
        )
    return bool(np.array_equal(network_truth_table(W1, b1, w2, b2, n), truth_table))


def xor_network() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    r"""A 2-2-1 network of step units computing XOR.

    .. math::

        z_1 = x_1 \wedge \lnot x_2 = \operatorname{step}(x_1 - x_2 - \tfrac12),\quad
        z_2 = \lnot x_1 \wedge x_2 = \operatorname{step}(-x_1 + x_2 - \tfrac12),\quad
        y = z_1 \vee z_2 = \operatorname{step}(z_1 + z_2 - \tfrac12)

    The margins of ½ keep every pre-activation away from 0, where ``step`` jumps.

    Returns
    -------
    W1 : ndarray of shape (2, 2)
    b1 : ndarray of shape (2,)
    w2 : ndarray of shape (2,)
    b2 : float
    """
    W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])
    b1 = np.array([-0.5, -0.5])
    w2 = np.array([1.0, 1.0])
    b2 = -0.5
    return W1, b1, w2, b2


def boolean_network(truth_table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    r"""The theorem's network: ``2ⁿ`` hidden perceptrons computing any Boolean function.

    Hidden unit ``k`` detects input pattern :math:`p^{(k)}` (row ``k`` of
    :func:`truth_table_inputs`): weight +1 where the bit is 1, −1 where it is 0, and
    bias minus the number of ones, so its pre-activation is 0 on :math:`p^{(k)}` and
    at most −1 on every other input. The output is the OR of the units whose
    pattern maps to 1:

    .. math::

        h_k = \operatorname{step}\Bigl(\sum_i (2p^{(k)}_i - 1)\,x_i - \sum_i p^{(k)}_i\Bigr),
        \qquad y = \operatorname{step}\Bigl(\sum_k t_k h_k - \tfrac12\Bigr)

    For the all-zero truth table every output weight is 0 and ``y = step(−½) = 0``.

    Parameters
    ----------
    truth_table : ndarray of shape (2**n,)
        0/1 outputs in binary input order (``x₁`` most significant), ``n >= 1``.

    Returns
    -------
    W1 : ndarray of shape (2**n, n)
    b1 : ndarray of shape (2**n,)
    w2 : ndarray of shape (2**n,)
    b2 : float
    """
    truth_table = np.asarray(truth_table)
    if truth_table.ndim != 1:
        raise ValueError(f"truth_table must be 1-D; got shape {truth_table.shape}")
    n = int(np.log2(max(truth_table.size, 1)))
    if truth_table.size < 2 or 2**n != truth_table.size:
        raise ValueError(
            f"truth_table must have length 2**n for n >= 1 inputs (2, 4, 8, ...); "
            f"got length {truth_table.size}"
        )
    if not np.isin(truth_table, (0, 1)).all():
        raise ValueError("truth_table must contain only 0 and 1")
    patterns = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1  # row k = bits of k
    W1 = 2.0 * patterns - 1.0
    b1 = -patterns.sum(axis=1).astype(float)
    w2 = truth_table.astype(float)
    b2 = -0.5
    return W1, b1, w2, b2


def single_perceptron_can_compute(truth_table: np.ndarray) -> bool:
    r"""Can one perceptron compute this Boolean function of two inputs?

    Searches the integer weights :math:`w \in \{-3, \dots, 3\}^3`, which realise
    all 14 linearly separable functions of two inputs; XOR and XNOR are the two
    that no perceptron computes (their inequalities contradict:
    :math:`w_1 + w_2 < -w_0 \le w_1, w_2` with :math:`w_0 < 0` for XOR).

    .. math::

        \exists\, w:\; \operatorname{step}\bigl(w_0 + w_1 x_1 + w_2 x_2\bigr) = t(x)
        \quad \forall x \in \{0, 1\}^2

    Parameters
    ----------
    truth_table : ndarray of shape (4,)
        0/1 outputs for inputs 00, 01, 10, 11.

    Returns
    -------
    bool
        True if some perceptron computes the function.
    """
    truth_table = np.asarray(truth_table)
    if truth_table.shape != (4,) or not np.isin(truth_table, (0, 1)).all():
        raise ValueError(
            f"truth_table must be four 0/1 outputs for inputs 00, 01, 10, 11; got {truth_table!r}"
        )
    values = np.arange(-3, 4)
    grid = np.stack(np.meshgrid(values, values, values, indexing="ij"), axis=-1).reshape(-1, 3)
    X_tilde = np.hstack([np.ones((4, 1)), truth_table_inputs(2)])
    outputs = step(X_tilde @ grid.T)
    return bool((outputs == truth_table[:, None]).all(axis=0).any())
