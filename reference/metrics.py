r"""Evaluation metrics (notes, section 7: the Keras metric list).

Conventions: axis 0 is the sample axis; elementwise metrics are the mean over
all elements; metrics on class distributions take the mean over the rows.
Where Keras clips with its ``epsilon()`` (``mape``, ``msle``,
``kl_divergence``, ``poisson``) the same ``1e-7`` is used, so values agree with
Keras. Ties: ``argmax`` takes the first maximum.

Each public function is self-contained (numpy only, plus other public
functions of this module by name), because exercise solutions are cut out of
this file with ``inspect.getsource``.
"""

import numpy as np


def accuracy(y: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Fraction of predicted labels equal to the true labels.

    .. math:: \text{acc} = \frac{1}{N} \sum_{i} [\hat y_i = y_i]

    Parameters
    ----------
    y : array_like of shape (n,) (or any shape)
        True labels.
    y_pred : array_like, same shape as ``y``
        Predicted labels.

    Returns
    -------
    float in [0, 1]
    """
    y, y_pred = np.asarray(y), np.asarray(y_pred)
    if y.shape != y_pred.shape:
        raise ValueError(f"y has shape {y.shape} but y_pred has shape {y_pred.shape}: pass arrays of one shape")
    return float(np.mean(y == y_pred))


def binary_accuracy(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> float:
    r"""Accuracy of probabilities thresholded as Keras does: p > threshold predicts 1.

    .. math:: \text{acc} = \frac{1}{N} \sum_{i} \big[ [p_i > t] = y_i \big]

    A probability exactly at the threshold predicts 0 (Keras' ``binary_accuracy``).

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
        True labels in {0, 1}.
    p : array_like, same shape as ``y``
        Predicted probabilities of class 1.
    threshold : float, default 0.5

    Returns
    -------
    float in [0, 1]
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"y has shape {y.shape} but p has shape {p.shape}: pass arrays of one shape")
    return float(np.mean((p > threshold) == (y == 1)))


def categorical_accuracy(Y: np.ndarray, P: np.ndarray) -> float:
    r"""Fraction of rows whose most probable class is the one-hot target's class.

    .. math:: \text{acc} = \frac{1}{n} \sum_{s} [\arg\max_j P_{sj} = \arg\max_j Y_{sj}]

    Parameters
    ----------
    Y : array_like of shape (n, k)
        One-hot targets.
    P : array_like, same shape as ``Y``
        Predicted scores or probabilities.

    Returns
    -------
    float in [0, 1]
    """
    Y, P = np.asarray(Y, dtype=float), np.asarray(P, dtype=float)
    if Y.shape != P.shape:
        raise ValueError(f"Y has shape {Y.shape} but P has shape {P.shape}: pass arrays of one shape")
    return float(np.mean(np.argmax(Y, axis=-1) == np.argmax(P, axis=-1)))


def sparse_categorical_accuracy(labels: np.ndarray, P: np.ndarray) -> float:
    r"""Fraction of rows whose most probable class is the integer label.

    .. math:: \text{acc} = \frac{1}{n} \sum_{s} [\arg\max_j P_{sj} = c_s]

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices.
    P : array_like of shape (n, k)
        Predicted scores or probabilities.

    Returns
    -------
    float in [0, 1]
    """
    labels, P = np.asarray(labels), np.asarray(P, dtype=float)
    if P.ndim == 0 or labels.shape != P.shape[:-1]:
        raise ValueError(
            f"labels has shape {labels.shape} but P has shape {P.shape}: "
            "give one integer label per row of P (labels of shape (n,) for P of shape (n, k))"
        )
    return float(np.mean(np.argmax(P, axis=-1) == labels))


def top_k_accuracy(labels: np.ndarray, P: np.ndarray, k: int) -> float:
    r"""Fraction of rows whose true class is among the ``k`` highest scores.

    .. math:: \text{acc} = \frac{1}{n} \sum_{s} \Big[ \#\{ j : P_{sj} > P_{s c_s} \} < k \Big]

    A row counts when fewer than ``k`` classes score strictly higher than the
    true class, so ties at the boundary count as hits (like ``tf.math.in_top_k``).
    Without ties, ``k = 1`` is ``sparse_categorical_accuracy``.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices.
    P : array_like of shape (n, c)
        Predicted scores or probabilities.
    k : int >= 1

    Returns
    -------
    float in [0, 1]
    """
    labels, P = np.asarray(labels), np.asarray(P, dtype=float)
    if P.ndim == 0 or labels.shape != P.shape[:-1]:
        raise ValueError(
            f"labels has shape {labels.shape} but P has shape {P.shape}: "
            "give one integer label per row of P (labels of shape (n,) for P of shape (n, c))"
        )
    if k < 1:
        raise ValueError(f"top_k_accuracy needs k >= 1, got k={k}")
    true_score = np.take_along_axis(P, labels.astype(int)[..., None], axis=-1)
    higher = np.sum(P > true_score, axis=-1)
    return float(np.mean(higher < k))


def confusion_counts(y: np.ndarray, y_pred: np.ndarray) -> tuple[int, int, int, int]:
    r"""True/false positives/negatives of binary labels (1 is the positive class).

    .. math:: TP = \sum [y = 1 \wedge \hat y = 1],\ TN = \sum [y = 0 \wedge \hat y = 0],\
              FP = \sum [y = 0 \wedge \hat y = 1],\ FN = \sum [y = 1 \wedge \hat y = 0]

    Parameters
    ----------
    y : array_like of shape (n,)
        True labels in {0, 1}.
    y_pred : array_like, same shape as ``y``
        Predicted labels in {0, 1} (threshold probabilities first, e.g. ``p > 0.5``).

    Returns
    -------
    (tp, tn, fp, fn) : tuple of int
    """
    y, y_pred = np.asarray(y), np.asarray(y_pred)
    if y.shape != y_pred.shape:
        raise ValueError(f"y has shape {y.shape} but y_pred has shape {y_pred.shape}: pass arrays of one shape")
    if not (np.isin(y, (0, 1)).all() and np.isin(y_pred, (0, 1)).all()):
        raise ValueError("confusion_counts takes 0/1 labels: threshold probabilities first (p > 0.5)")
    y, y_pred = y == 1, y_pred == 1
    tp = int(np.sum(y & y_pred))
    tn = int(np.sum(~y & ~y_pred))
    fp = int(np.sum(~y & y_pred))
    fn = int(np.sum(y & ~y_pred))
    return tp, tn, fp, fn


def precision(y: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Precision: the fraction of predicted positives that are positive.

    .. math:: \text{precision} = \frac{TP}{TP + FP}, \quad 0 \text{ when } TP + FP = 0

    Parameters
    ----------
    y : array_like of shape (n,)
        True labels in {0, 1}.
    y_pred : array_like, same shape as ``y``
        Predicted labels in {0, 1}.

    Returns
    -------
    float in [0, 1]; 0.0 when nothing is predicted positive
    """
    tp, _, fp, _ = confusion_counts(y, y_pred)
    return tp / (tp + fp) if tp + fp else 0.0


def recall(y: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Recall (sensitivity): the fraction of positives predicted positive.

    .. math:: \text{recall} = \frac{TP}{TP + FN}, \quad 0 \text{ when } TP + FN = 0

    Parameters
    ----------
    y : array_like of shape (n,)
        True labels in {0, 1}.
    y_pred : array_like, same shape as ``y``
        Predicted labels in {0, 1}.

    Returns
    -------
    float in [0, 1]; 0.0 when there are no positives
    """
    tp, _, _, fn = confusion_counts(y, y_pred)
    return tp / (tp + fn) if tp + fn else 0.0


def f1(y: np.ndarray, y_pred: np.ndarray) -> float:
    r"""F1 score: the harmonic mean of precision and recall.

    .. math:: F_1 = \frac{2 P R}{P + R} = \frac{2 TP}{2 TP + FP + FN}, \quad 0 \text{ when } TP = 0

    Parameters
    ----------
    y : array_like of shape (n,)
        True labels in {0, 1}.
    y_pred : array_like, same shape as ``y``
        Predicted labels in {0, 1}.

    Returns
    -------
    float in [0, 1]
    """
    tp, _, fp, fn = confusion_counts(y, y_pred)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def rmse(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Root mean squared error over all elements.

    .. math:: \text{RMSE} = \sqrt{\frac{1}{N} \sum_{i} (\hat y_i - y_i)^2}

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    float >= 0
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(np.sqrt(np.mean((y_hat - y) ** 2)))


def mape(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Mean absolute percentage error, in percent, with Keras' guard against y = 0.

    .. math:: \text{MAPE} = \frac{100}{N} \sum_{i} \frac{|y_i - \hat y_i|}{\max(|y_i|, \epsilon)},
              \quad \epsilon = 10^{-7}

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    float >= 0 (percent)
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(100.0 * np.mean(np.abs(y - y_hat) / np.maximum(np.abs(y), 1e-7)))


def msle(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Mean squared logarithmic error; values below ε are raised to ε as in Keras.

    .. math:: \text{MSLE} = \frac{1}{N} \sum_{i} \left( \ln(1 + \max(y_i, \epsilon)) - \ln(1 + \max(\hat y_i, \epsilon)) \right)^2,
              \quad \epsilon = 10^{-7}

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m), values >= 0
    y_hat : array_like, same shape as ``y``

    Returns
    -------
    float >= 0
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(np.mean((np.log1p(np.maximum(y, 1e-7)) - np.log1p(np.maximum(y_hat, 1e-7))) ** 2))


def auc(y: np.ndarray, scores: np.ndarray) -> float:
    r"""Area under the ROC curve, exactly, by the rank (Mann–Whitney U) formula.

    .. math:: \text{AUC} = \frac{\sum_{i : y_i = 1} r_i - n_+ (n_+ + 1) / 2}{n_+ \, n_-}

    where :math:`r_i` is the 1-based rank of ``scores[i]`` among all scores,
    tied scores sharing their average rank. Equivalently, the probability that a
    random positive scores higher than a random negative, ties counting ½.
    (Keras' ``AUC`` approximates this with 200 thresholds.)

    Parameters
    ----------
    y : array_like of shape (n,)
        True labels in {0, 1}; both classes must occur.
    scores : array_like of shape (n,)
        Predicted scores (higher means more likely positive).

    Returns
    -------
    float in [0, 1]: 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties
    """
    y, scores = np.asarray(y), np.asarray(scores, dtype=float)
    if y.shape != scores.shape or y.ndim != 1:
        raise ValueError(f"y has shape {y.shape} and scores {scores.shape}: pass two vectors of one length")
    positive = y == 1
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("auc is undefined unless y holds both positives (1) and negatives (0)")
    _, group, counts = np.unique(scores, return_inverse=True, return_counts=True)
    average_rank = np.cumsum(counts) - (counts - 1) / 2.0  # ranks of a tied group, averaged
    ranks = average_rank[group.reshape(-1)]
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def kl_divergence(P: np.ndarray, Q: np.ndarray) -> float:
    r"""Kullback–Leibler divergence of Q from P, per row, mean over rows (Keras' clip).

    .. math:: D_{KL}(P \| Q) = \frac{1}{n} \sum_{s} \sum_{j} P_{sj} \ln \frac{P_{sj}}{Q_{sj}},
              \quad P, Q \leftarrow \operatorname{clip}(\cdot, \epsilon, 1),\ \epsilon = 10^{-7}

    Parameters
    ----------
    P : array_like of shape (n, k), or (k,) for one distribution
        True distributions (rows sum to 1).
    Q : array_like, same shape as ``P``
        Predicted distributions.

    Returns
    -------
    float >= 0 (0 when P = Q)
    """
    P, Q = np.asarray(P, dtype=float), np.asarray(Q, dtype=float)
    if P.shape != Q.shape:
        raise ValueError(f"P has shape {P.shape} but Q has shape {Q.shape}: pass arrays of one shape")
    P, Q = np.clip(P, 1e-7, 1.0), np.clip(Q, 1e-7, 1.0)
    return float(np.mean(np.sum(P * np.log(P / Q), axis=-1)))


def poisson(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""Poisson deviance-style loss for count targets, mean over all elements (as Keras).

    .. math:: L = \frac{1}{N} \sum_{i} \left( \hat y_i - y_i \ln(\hat y_i + \epsilon) \right),
              \quad \epsilon = 10^{-7}

    Parameters
    ----------
    y : array_like of shape (n,) or (n, m)
        Observed counts (>= 0).
    y_hat : array_like, same shape as ``y``
        Predicted rates (> 0).

    Returns
    -------
    float
    """
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}: pass arrays of one shape")
    return float(np.mean(y_hat - y * np.log(y_hat + 1e-7)))
