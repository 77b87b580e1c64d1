"""reference.metrics on small hand-checked examples and against brute-force definitions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference import metrics

FIXED = settings(derandomize=True, database=None, max_examples=60, deadline=None)

Y_TRUE = [1, 1, 0, 0, 1, 0]
Y_PRED = [1, 0, 0, 1, 1, 0]  # hits at 0 and 4, a miss at 1, a false alarm at 3


def test_confusion_counts_by_hand():
    """Are (tp, tn, fp, fn) of the six-sample example (2, 2, 1, 1), as Python ints?"""
    counts = metrics.confusion_counts(Y_TRUE, Y_PRED)
    assert counts == (2, 2, 1, 1)
    assert all(type(c) is int for c in counts)
    assert metrics.confusion_counts(np.array(Y_TRUE, dtype=bool), np.array(Y_PRED, dtype=float)) == (2, 2, 1, 1)


def test_precision_recall_f1_by_hand():
    """Are precision = 2/(2+1), recall = 2/(2+1) and F1 = 2/3 on the example, and 1/2, 1/1, 2/3 on another?"""
    assert metrics.precision(Y_TRUE, Y_PRED) == pytest.approx(2 / 3)
    assert metrics.recall(Y_TRUE, Y_PRED) == pytest.approx(2 / 3)
    assert metrics.f1(Y_TRUE, Y_PRED) == pytest.approx(2 / 3)
    y, y_pred = [1, 0, 0, 0], [1, 1, 0, 0]  # tp 1, fp 1, fn 0
    assert metrics.precision(y, y_pred) == pytest.approx(0.5)
    assert metrics.recall(y, y_pred) == pytest.approx(1.0)
    assert metrics.f1(y, y_pred) == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def test_zero_denominators_give_zero():
    """Are precision with no predicted positives, recall with no positives and F1 with no hits all 0.0?"""
    assert metrics.precision([1, 0, 1], [0, 0, 0]) == 0.0
    assert metrics.recall([0, 0, 0], [1, 0, 0]) == 0.0
    assert metrics.f1([0, 0], [0, 0]) == 0.0


def test_confusion_counts_refuses_probabilities():
    """Are probabilities passed as predicted labels refused with a hint to threshold them?"""
    with pytest.raises(ValueError, match="threshold"):
        metrics.confusion_counts([1, 0], [0.7, 0.2])


def test_accuracies_by_hand():
    """Do accuracy, binary (p > 0.5 counts as 1, as Keras), categorical and sparse accuracy match hand counts?"""
    assert metrics.accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert metrics.binary_accuracy([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.2]) == pytest.approx(3 / 4)  # 0.5 → class 0
    assert metrics.binary_accuracy([1, 0], [0.6, 0.6], threshold=0.7) == pytest.approx(1 / 2)
    P = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6]])
    Y = np.eye(3)[[1, 1, 2]]
    assert metrics.categorical_accuracy(Y, P) == pytest.approx(2 / 3)
    assert metrics.sparse_categorical_accuracy([1, 1, 2], P) == pytest.approx(2 / 3)


def test_top_k_accuracy_by_hand():
    """Is the true class in the top k for the hand-ranked rows: top-1 0, top-2 ½, top-3 1?"""
    P = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    labels = [2, 1]  # row 0: rank 2 of 3; row 1: rank 3 of 3
    assert metrics.top_k_accuracy(labels, P, 1) == 0.0
    assert metrics.top_k_accuracy(labels, P, 2) == 0.5
    assert metrics.top_k_accuracy(labels, P, 3) == 1.0
    assert metrics.top_k_accuracy(labels, P, 10) == 1.0
    with pytest.raises(ValueError, match="k=0"):
        metrics.top_k_accuracy(labels, P, 0)


def test_top_k_counts_ties_at_the_boundary():
    """Does a true class tied with the best score count as a top-1 hit (tf.math.in_top_k)?"""
    assert metrics.top_k_accuracy([1], [[0.4, 0.4, 0.2]], 1) == 1.0


@FIXED
@given(data=st.data(), n=st.integers(1, 8), k=st.integers(2, 6))
def test_top_1_equals_sparse_categorical_accuracy(data, n, k):
    """Without ties, is top-k accuracy with k = 1 the sparse categorical accuracy?"""
    P = data.draw(arrays(np.float64, (n, k), elements=st.floats(0, 1), unique=True))
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    assert metrics.top_k_accuracy(labels, P, 1) == metrics.sparse_categorical_accuracy(labels, P)


def test_auc_perfect_reversed_and_tied():
    """Is AUC 1 for a perfect ranking, 0 for a reversed one and 0.5 when all scores tie?"""
    y = [0, 0, 1, 1]
    assert metrics.auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert metrics.auc(y, [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert metrics.auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5


def test_auc_by_hand():
    """Is AUC the fraction of (positive, negative) pairs ranked right, ties counting ½: 3/4 and 3.5/4?"""
    assert metrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert metrics.auc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9]) == pytest.approx(0.875)


@FIXED
@given(data=st.data(), n=st.integers(2, 12))
def test_auc_equals_the_pairwise_count(data, n):
    """Does the rank formula agree with counting all (positive, negative) pairs, on scores with many ties?"""
    y = data.draw(arrays(np.int64, n, elements=st.integers(0, 1)).filter(lambda v: 0 < v.sum() < len(v)))
    scores = data.draw(arrays(np.float64, n, elements=st.integers(0, 3).map(float)))
    pos, neg = scores[y == 1], scores[y == 0]
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    assert metrics.auc(y, scores) == pytest.approx(wins / (len(pos) * len(neg)))
    assert metrics.auc(y, np.exp(scores)) == pytest.approx(metrics.auc(y, scores))  # only the order counts


def test_auc_needs_both_classes():
    """Is AUC with only positives refused, since it is undefined?"""
    with pytest.raises(ValueError, match="both"):
        metrics.auc([1, 1], [0.2, 0.3])


def test_regression_metrics_by_hand():
    """Do rmse, mape, msle and poisson give the hand-computed values?"""
    assert metrics.rmse([0.0, 0.0], [1.0, 7.0]) == pytest.approx(5.0)  # sqrt((1 + 49) / 2)
    assert metrics.mape([100.0, 200.0], [110.0, 150.0]) == pytest.approx(17.5)  # 100 (0.1 + 0.25) / 2
    assert metrics.mape([0.0], [1e-7]) == pytest.approx(100.0)  # |y| clipped to 1e-7
    e = math.e
    assert metrics.msle([e - 1], [e**2 - 1]) == pytest.approx(1.0)  # (1 − 2)²
    assert metrics.poisson([1.0, 0.0], [e, 2.0]) == pytest.approx(((e - 1) + 2) / 2, abs=1e-6)


def test_kl_divergence_by_hand():
    """Is KL((½, ½) ‖ (¼, ¾)) = ½ ln 2 + ½ ln ⅔, KL(P ‖ P) = 0, and a batch the mean of its rows?"""
    expected = 0.5 * math.log(2) + 0.5 * math.log(2 / 3)
    assert metrics.kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected, rel=1e-12)
    assert metrics.kl_divergence([0.2, 0.8], [0.2, 0.8]) == pytest.approx(0.0, abs=1e-15)
    batch = metrics.kl_divergence([[0.5, 0.5], [0.2, 0.8]], [[0.25, 0.75], [0.2, 0.8]])
    assert batch == pytest.approx(expected / 2, rel=1e-12)
    assert math.isfinite(metrics.kl_divergence([1.0, 0.0], [0.0, 1.0]))  # clipped at 1e-7


@pytest.mark.parametrize(
    "metric", [metrics.accuracy, metrics.binary_accuracy, metrics.confusion_counts, metrics.rmse,
               metrics.mape, metrics.msle, metrics.poisson, metrics.kl_divergence, metrics.categorical_accuracy],
)  # fmt: skip
def test_shape_mismatch_is_refused_naming_both_shapes(metric):
    """Is an (n,) target against an (n, 1) prediction refused, naming both shapes?"""
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 1\)"):
        metric(np.zeros(3), np.zeros((3, 1)))
