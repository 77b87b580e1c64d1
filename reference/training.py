r"""Training an MLP: batch, stochastic and mini-batch gradient descent, and its helpers.

COURSE_NOTES.md section 7. Conventions:

- ``train`` builds on :mod:`reference.mlp` (``forward``, ``backward``,
  ``mean_loss``: the a4 functions, so its exercise must provide them); every
  other function here uses numpy, the stdlib and this module's public functions.
- Randomness: ``train`` draws everything from ``rng = np.random.default_rng(seed)``
  in a fixed order: first the weights, layer by layer (:func:`xavier_init`), then,
  for each epoch of ``"sgd"`` and ``"minibatch"``, one permutation
  (:func:`minibatches`); ``"batch"`` draws nothing after the weights.
- Updates: ``"batch"`` one per epoch, ``"sgd"`` one per sample, ``"minibatch"``
  ``ceil(n / batch_size)`` (see :func:`count_updates`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from reference.mlp import backward, forward, mean_loss


def updates_per_epoch(n_rows: int, batch_size: int, drop_last: bool = False) -> int:
    r"""Number of gradient updates (batches) in one epoch.

    .. math::

        \left\lceil \frac{n}{b} \right\rceil \ \text{(the last batch is smaller)}, \qquad
        \left\lfloor \frac{n}{b} \right\rfloor \ \text{with drop\_last}

    e.g. 800 rows in batches of 150: 6 updates (5 with ``drop_last``).

    Parameters
    ----------
    n_rows : int
        Rows in the training set, >= 0.
    batch_size : int
        Rows per batch, >= 1.
    drop_last : bool, optional
        Drop the last, incomplete batch.

    Returns
    -------
    int
    """
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    if int(n_rows) != n_rows or n_rows < 0:
        raise ValueError(f"n_rows must be a non-negative integer, got {n_rows}")
    return int(n_rows // batch_size) if drop_last else int(-(-n_rows // batch_size))


def count_updates(n_rows: int, method: str, batch_size: int) -> int:
    r"""Updates per epoch of each variant of gradient descent.

    .. math::

        \text{batch: } 1, \qquad \text{sgd: } n, \qquad
        \text{minibatch: } \lceil n / b \rceil

    Parameters
    ----------
    n_rows : int
        Rows in the training set, >= 1.
    method : {"batch", "sgd", "minibatch"}
    batch_size : int
        Used by ``"minibatch"`` only.

    Returns
    -------
    int
    """
    sizes = {"batch": n_rows, "sgd": 1, "minibatch": batch_size}
    if method not in sizes:
        raise ValueError(f"unknown method {method!r}: use one of {sorted(sizes)}")
    return updates_per_epoch(n_rows, sizes[method])


def minibatches(
    X: np.ndarray, y: np.ndarray, batch_size: int, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Shuffle the rows once and cut them into consecutive batches.

    .. math::

        \pi = \texttt{rng.permutation}(n), \qquad
        B_k = \pi[k b : (k + 1) b], \quad k = 0, \dots, \lceil n / b \rceil - 1

    Parameters
    ----------
    X : ndarray of shape (n, ...)
        Inputs, rows are samples.
    y : ndarray of shape (n, ...)
        Targets, row-aligned with ``X``.
    batch_size : int
        Rows per batch, >= 1; the last batch holds the remaining rows.
    rng : numpy.random.Generator
        Used for exactly one call, ``rng.permutation(n)``.

    Returns
    -------
    list of (X_batch, y_batch)
        Every row appears in exactly one batch.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}: give one target per row")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    order = rng.permutation(len(X))
    return [(X[order[k : k + batch_size]], y[order[k : k + batch_size]]) for k in range(0, len(X), batch_size)]


def xavier_init(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""Glorot/Xavier **uniform** initialisation (Keras' ``glorot_uniform``).

    .. math::

        W_{ij} \sim U(-r, r), \qquad r = \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}
        \quad (\operatorname{Var} W_{ij} = \tfrac{2}{\text{fan\_in} + \text{fan\_out}})

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and units of the layer, >= 1.
    rng : numpy.random.Generator
        One call: ``rng.uniform(-r, r, size=(fan_out, fan_in))``.

    Returns
    -------
    ndarray of shape (fan_out, fan_in)
    """
    if int(fan_in) != fan_in or int(fan_out) != fan_out or fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in and fan_out must be positive integers, got {fan_in}, {fan_out}")
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def he_init(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""He (Kaiming) **normal** initialisation, for ReLU layers.

    .. math::

        W_{ij} \sim \mathcal N\!\left(0, \sigma^2\right), \qquad \sigma = \sqrt{\frac{2}{\text{fan\_in}}}

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and units of the layer, >= 1.
    rng : numpy.random.Generator
        One call: ``rng.normal(0, σ, size=(fan_out, fan_in))`` (not truncated).

    Returns
    -------
    ndarray of shape (fan_out, fan_in)
    """
    if int(fan_in) != fan_in or int(fan_out) != fan_out or fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in and fan_out must be positive integers, got {fan_in}, {fan_out}")
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))


def train(
    X: np.ndarray,
    y: np.ndarray,
    layer_sizes: list[int],
    activation: str,
    loss: str,
    method: str,
    lr: float,
    epochs: int,
    batch_size: int,
    seed: int,
    *,
    on_update: "Callable[[int, int], None] | None" = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[float]]:
    r"""Train an MLP by batch, stochastic or mini-batch gradient descent.

    Each update, on a batch :math:`B` (the whole set, one sample, or a mini-batch):

    .. math::

        W_l \leftarrow W_l - \eta \frac{1}{|B|}\sum_{s \in B} \frac{\partial L_s}{\partial W_l},
        \qquad b_l \leftarrow b_l - \eta \frac{1}{|B|}\sum_{s \in B} \frac{\partial L_s}{\partial b_l}

    with the gradients of :func:`reference.mlp.backward`. Hidden layers use
    ``activation``; the output layer is ``"identity"`` for ``loss="mse"`` and
    ``"softmax"`` for ``loss="cross_entropy"``. Weights: :func:`xavier_init`
    layer by layer from ``np.random.default_rng(seed)``, biases zero; the same
    generator then shuffles (:func:`minibatches`) at the start of every epoch of
    ``"sgd"`` (batch size 1) and ``"minibatch"``; ``"batch"`` uses the rows in order.

    Parameters
    ----------
    X : ndarray of shape (n, layer_sizes[0])
    y : ndarray of shape (n, layer_sizes[-1]), or (n,) when there is one output
        Targets (one-hot rows for cross-entropy).
    layer_sizes : list of int
        ``[inputs, hidden…, outputs]``.
    activation : str
        Hidden-layer activation, a name of :func:`reference.mlp.activation`.
    loss : {"mse", "cross_entropy"}
    method : {"batch", "sgd", "minibatch"}
    lr : float
        Learning rate :math:`\eta > 0`.
    epochs : int
        Passes over the training set, >= 1.
    batch_size : int
        Rows per mini-batch (``"minibatch"`` only; ignored otherwise but must be >= 1).
    seed : int
        Seed of the generator for the initial weights and the shuffles.
    on_update : callable, optional
        Called as ``on_update(epoch, update)`` after every update (0-based
        indices); for counting updates. Keyword-only, not part of the exercise.

    Returns
    -------
    params : list of (W, b)
        As for :func:`reference.mlp.forward`.
    history : list of float
        ``epochs`` values: the mean loss over the whole training set after each epoch.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X must be (n, inputs) and y (n, outputs) with n >= 1; got {X.shape} and {y.shape}")
    if layer_sizes[0] != X.shape[1] or layer_sizes[-1] != y.shape[1]:
        raise ValueError(
            f"layer_sizes {layer_sizes} must start with the {X.shape[1]} input columns "
            f"and end with the {y.shape[1]} target columns"
        )
    outputs = {"mse": "identity", "cross_entropy": "softmax"}
    if loss not in outputs:
        raise ValueError(f"unknown loss {loss!r}: use one of {sorted(outputs)}")
    if method not in ("batch", "sgd", "minibatch"):
        raise ValueError(f"unknown method {method!r}: use 'batch', 'sgd' or 'minibatch'")
    if not lr > 0 or int(epochs) != epochs or epochs < 1 or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"need lr > 0 and integers epochs, batch_size >= 1; got {lr}, {epochs}, {batch_size}")
    activations = [activation] * (len(layer_sizes) - 2) + [outputs[loss]]
    rng = np.random.default_rng(seed)
    params = [(xavier_init(i, o, rng), np.zeros(o)) for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
    history = []
    for epoch in range(epochs):
        if method == "batch":
            batches = [(X, y)]
        else:
            batches = minibatches(X, y, 1 if method == "sgd" else batch_size, rng)
        for update, (X_batch, y_batch) in enumerate(batches):
            _, cache = forward(X_batch, params, activations)
            grads = backward(y_batch, cache, params, activations, loss)
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            if on_update is not None:
                on_update(epoch, update)
        history.append(mean_loss(y, forward(X, params, activations)[0], loss))
    return params, history


def train_xor() -> list[tuple[np.ndarray, np.ndarray]]:
    r"""A 2-4-1 tanh MLP trained to compute XOR.

    Full-batch gradient descent on the four points with
    :math:`L = \frac14\sum_s \tfrac12 (\hat y_s - y_s)^2`, identity output,
    ``lr=0.5``, 1000 epochs, seed 0; classify with :math:`\hat y \ge 0.5`.

    .. math::

        \hat y = w_2^\top \tanh(W_1 x + b_1) + b_2, \qquad
        \operatorname{xor}(x_1, x_2) = [\hat y \ge 0.5]

    Returns
    -------
    list of (W, b)
        ``W1`` (4, 2), ``b1`` (4,), ``W2`` (1, 4), ``b2`` (1,); use with
        ``forward(x, params, ["tanh", "identity"])``.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    params, _ = train(X, y, [2, 4, 1], "tanh", "mse", "batch", lr=0.5, epochs=1000, batch_size=4, seed=0)
    return params


def early_stopping_epoch(val_losses: list[float], min_delta: float = 1e-4, patience: int = 5) -> int:
    r"""The epoch at which Keras' ``EarlyStopping(monitor="val_loss")`` stops training.

    Keras' rule (``keras.callbacks.EarlyStopping``, mode "min", no baseline),
    replayed epoch by epoch from ``best = +inf, wait = 0``:

    .. math::

        \text{wait} \leftarrow \text{wait} + 1; \quad
        \text{if } v_e < \text{best} - |\text{min\_delta}|:\ \text{best} \leftarrow v_e,\
        \text{wait} \leftarrow 0; \quad
        \text{else if wait} \ge \text{patience and } e > 0: \text{ stop after epoch } e

    So training stops ``patience`` epochs after the last improvement. Example:
    ``[1.0, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]`` with ``patience=5``: the last
    improvement is at index 2, epochs 3 to 7 do not improve, and at index 7
    ``wait`` reaches 5: the answer is 7. A curve that keeps improving never
    triggers and gives its last index.

    Parameters
    ----------
    val_losses : sequence of float
        Validation loss after each epoch, at least one value.
    min_delta : float, optional
        Smallest decrease that counts as an improvement (its absolute value is
        used, as in Keras).
    patience : int, optional
        Epochs without improvement tolerated, >= 0.

    Returns
    -------
    int
        0-based index of the last epoch that runs.
    """
    if len(val_losses) == 0:
        raise ValueError("val_losses is empty: give the validation loss of at least one epoch")
    if int(patience) != patience or patience < 0:
        raise ValueError(f"patience must be a non-negative integer, got {patience}")
    best, wait = float("inf"), 0
    for epoch, value in enumerate(val_losses):
        wait += 1
        if value < best - abs(min_delta):
            best, wait = value, 0
        elif wait >= patience and epoch > 0:
            return epoch
    return len(val_losses) - 1


def diagnose_fit(train_losses: list[float], val_losses: list[float]) -> str:
    r"""Read a pair of learning curves: ``"underfit"``, ``"overfit"`` or ``"good"``.

    With :math:`t_0, t_{-1}` the first and last training loss, :math:`v^* = \min_e v_e`
    at epoch :math:`e^*` and :math:`v_{-1}` the last validation loss, the rules, in order:

    .. math::

        \text{underfit if } t_{-1} > 0.5\, t_0
        \quad \text{(the training loss has not even halved)}

        \text{overfit if } v_{-1} > 1.1\, v^* \text{ and } t_{-1} < t_{e^*}
        \quad \text{(validation has risen 10 % above its minimum while training kept falling)}

        \text{good otherwise}

    Parameters
    ----------
    train_losses, val_losses : sequence of float
        Per-epoch losses (non-negative, finite), the same length >= 2.

    Returns
    -------
    str
    """
    train_arr, val_arr = np.asarray(train_losses, dtype=float), np.asarray(val_losses, dtype=float)
    if train_arr.ndim != 1 or train_arr.shape != val_arr.shape or len(train_arr) < 2:
        raise ValueError(
            f"give two flat curves of the same length >= 2, got {train_arr.shape} and {val_arr.shape}"
        )
    if not (np.all(np.isfinite(train_arr)) and np.all(np.isfinite(val_arr))) or min(train_arr.min(), val_arr.min()) < 0:
        raise ValueError("losses must be finite and non-negative")
    if train_arr[-1] > 0.5 * train_arr[0]:
        return "underfit"
    best_epoch = int(np.argmin(val_arr))
    if val_arr[-1] > 1.1 * val_arr[best_epoch] and train_arr[-1] < train_arr[best_epoch]:
        return "overfit"
    return "good"


def standardize(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Standardise each column to mean 0 and standard deviation 1.

    .. math::

        \mu_j = \frac1n \sum_i X_{ij}, \qquad
        s_j = \sqrt{\frac1n \sum_i (X_{ij} - \mu_j)^2}, \qquad
        Z_{ij} = \frac{X_{ij} - \mu_j}{s_j}

    The population standard deviation (``ddof=0``). A constant column
    (:math:`s_j = 0`) is only centred, i.e. becomes zeros.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Rows are samples, n >= 1.

    Returns
    -------
    X_std : ndarray of shape (n, d)
    mean : ndarray of shape (d,)
    std : ndarray of shape (d,)
        The :math:`s_j` as computed (0 for constant columns).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (samples, features), got shape {X.shape}")
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / np.where(std > 0, std, 1.0), mean, std
