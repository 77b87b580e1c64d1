"""reference.losses against hand values, the notes' worked numbers and finite differences.

Tolerances: hand values to 1e-12 unless a clip is involved; gradients against
centred differences (h = 1e-6) to rtol 1e-5, atol 1e-7.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference import losses
from tests.reference.gradcheck import numerical_gradient

FIXED = settings(derandomize=True, database=None, max_examples=40, deadline=None)

regression_shapes = st.sampled_from([(1,), (5,), (3, 2), (2, 4)])


@st.composite
def targets_and_errors(draw, away_from: float = 0.0):
    """(y, y_hat) of one shape whose errors |y_hat - y| keep 1e-3 away from 0 and from ``away_from``."""
    shape = draw(regression_shapes)
    y = draw(arrays(np.float64, shape, elements=st.floats(-5, 5)))
    ok = st.floats(-4, 4).filter(lambda e: abs(e) > 1e-3 and abs(abs(e) - away_from) > 1e-3)
    return y, y + draw(arrays(np.float64, shape, elements=ok))


REGRESSION = {
    "mse": (losses.mse, losses.mse_grad),
    "half_sum_squared_error": (losses.half_sum_squared_error, losses.half_sum_squared_error_grad),
    "sse": (losses.sse, losses.sse_grad),
    "mae": (losses.mae, losses.mae_grad),
    "huber": (losses.huber, losses.huber_grad),
    "huber(0.5)": (
        lambda y, y_hat: losses.huber(y, y_hat, delta=0.5),
        lambda y, y_hat: losses.huber_grad(y, y_hat, delta=0.5),
    ),
}


@pytest.mark.parametrize("name", sorted(REGRESSION))
@FIXED
@given(data=st.data())
def test_regression_gradients_match_finite_differences(name, data):
    """Does each regression loss gradient agree with centred differences (errors away from 0 and from δ)?"""
    loss, grad = REGRESSION[name]
    delta = 0.5 if name == "huber(0.5)" else 1.0
    y, y_hat = data.draw(targets_and_errors(away_from=delta))
    numeric = numerical_gradient(lambda v: loss(y, v), y_hat)
    np.testing.assert_allclose(grad(y, y_hat), numeric, rtol=1e-5, atol=1e-7)


@FIXED
@given(
    shape=regression_shapes,
    data=st.data(),
)
def test_binary_cross_entropy_gradient_matches_finite_differences(shape, data):
    """Does binary_cross_entropy_grad agree with centred differences for p in [0.01, 0.99]?"""
    y = data.draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(arrays(np.float64, shape, elements=st.floats(0.01, 0.99)))
    numeric = numerical_gradient(lambda v: losses.binary_cross_entropy(y, v), p)
    np.testing.assert_allclose(losses.binary_cross_entropy_grad(y, p), numeric, rtol=1e-5, atol=1e-7)


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k×k identity picked by labels."""
    return np.eye(k)[labels]


@FIXED
@given(n=st.integers(1, 4), k=st.integers(2, 5), data=st.data())
def test_categorical_gradients_match_finite_differences(n, k, data):
    """Do categorical_cross_entropy_grad (wrt P) and softmax_cross_entropy_grad (wrt Z) agree with centred differences?"""
    Y = one_hot(data.draw(arrays(np.int64, n, elements=st.integers(0, k - 1))), k)
    P = data.draw(arrays(np.float64, (n, k), elements=st.floats(0.01, 0.99)))  # inside the clip
    Z = data.draw(arrays(np.float64, (n, k), elements=st.floats(-20, 20)))
    numeric_P = numerical_gradient(lambda v: losses.categorical_cross_entropy(Y, v), P)
    np.testing.assert_allclose(losses.categorical_cross_entropy_grad(Y, P), numeric_P, rtol=1e-5, atol=1e-7)
    numeric_Z = numerical_gradient(lambda v: losses.softmax_cross_entropy(v, Y), Z)
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(Z, Y), numeric_Z, rtol=1e-5, atol=1e-7)


def test_regression_hand_values():
    """Do the regression losses give the hand-computed values for y = (1, 2), ŷ = (2, 4)?"""
    y, y_hat = np.array([1.0, 2.0]), np.array([2.0, 4.0])  # errors 1 and 2
    assert losses.mse(y, y_hat) == pytest.approx(2.5)  # (1 + 4) / 2
    np.testing.assert_allclose(losses.mse_grad(y, y_hat), [1.0, 2.0])  # 2 e / 2
    assert losses.half_sum_squared_error(y, y_hat) == pytest.approx(2.5)  # (1 + 4) / 2
    np.testing.assert_allclose(losses.half_sum_squared_error_grad(y, y_hat), [1.0, 2.0])
    assert losses.sse(y, y_hat) == pytest.approx(5.0)
    np.testing.assert_allclose(losses.sse_grad(y, y_hat), [2.0, 4.0])
    assert losses.mae(y, y_hat) == pytest.approx(1.5)
    np.testing.assert_allclose(losses.mae_grad(y, y_hat), [0.5, 0.5])


def test_mae_grad_is_zero_where_the_error_is_zero():
    """Is the MAE subgradient 0 at e = 0 (and ±1/N elsewhere)?"""
    np.testing.assert_allclose(losses.mae_grad([1.0, 1.0, 1.0, 1.0], [1.0, 3.0, 0.0, 1.0]), [0.0, 0.25, -0.25, 0.0])


def test_huber_hand_values():
    """With δ = 1, is Huber ½e² = 0.125 at e = 0.5 and δ(|e| − ½δ) = 1.5 at e = 2?"""
    assert losses.huber([0.0], [0.5]) == pytest.approx(0.125)
    assert losses.huber([0.0], [-2.0]) == pytest.approx(1.5)
    assert losses.huber([0.0, 0.0], [0.5, 2.0]) == pytest.approx((0.125 + 1.5) / 2)
    assert losses.huber([0.0], [1.0]) == pytest.approx(0.5)  # both branches agree at |e| = δ
    np.testing.assert_allclose(losses.huber_grad([0.0, 0.0], [0.5, -2.0]), [0.25, -0.5])  # e and δ·sign(e), / 2
    assert losses.huber([0.0], [3.0], delta=2.0) == pytest.approx(2.0 * (3.0 - 1.0))


def test_huber_rejects_a_non_positive_delta():
    """Is delta <= 0 refused with a message naming it?"""
    with pytest.raises(ValueError, match="delta=0"):
        losses.huber([0.0], [1.0], delta=0)


def test_half_sum_squared_error_reproduces_the_guesswork_table():
    """Does ½ Σ (f(x) − y)² reproduce the notes' table, L(0.5, 0) = 0.0731 and L(1.42, −1.73) = 0.0029?"""
    x, y = np.array([0.5, 2.5]), np.array([0.2, 0.9])
    for w, b, expected in [(0.5, 0.0, 0.0731), (-0.10, 0.0, 0.1481), (1.42, -1.73, 0.0029)]:
        f = np.array([1.0 / (1.0 + math.exp(-(w * xi + b))) for xi in x])
        assert losses.half_sum_squared_error(y, f) == pytest.approx(expected, abs=5e-5)


def test_mean_is_over_all_elements_for_matrices():
    """For (n, m) arrays, is mse the mean over all n·m errors (Keras: mean over the last axis, then the batch)?"""
    y = np.zeros((2, 2))
    y_hat = np.array([[1.0, 3.0], [0.0, 2.0]])
    assert losses.mse(y, y_hat) == pytest.approx((1 + 9 + 0 + 4) / 4)
    assert losses.mae(y, y_hat) == pytest.approx((1 + 3 + 0 + 2) / 4)
    np.testing.assert_allclose(losses.mse_grad(y, y_hat), 2 * y_hat / 4)


def test_binary_cross_entropy_hand_values():
    """Is BCE of y = (1, 0), p = (0.8, 0.4) equal to −(ln 0.8 + ln 0.6) / 2, and −ln 0.5 at p = 0.5?"""
    assert losses.binary_cross_entropy([1.0, 0.0], [0.8, 0.4]) == pytest.approx(
        -(math.log(0.8) + math.log(0.6)) / 2, rel=1e-12
    )
    assert losses.binary_cross_entropy([1.0], [0.5]) == pytest.approx(math.log(2.0), rel=1e-12)
    np.testing.assert_allclose(losses.binary_cross_entropy_grad([1.0, 0.0], [0.8, 0.4]), [-1 / 0.8 / 2, 1 / 0.6 / 2])


def test_categorical_cross_entropy_hand_values():
    """Is CCE −ln ŷ of the true class (the notes' −log ŷ₂), averaged over rows, sparse or one-hot?"""
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    P = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    expected = -(math.log(0.7) + math.log(0.5)) / 2
    assert losses.categorical_cross_entropy(Y, P) == pytest.approx(expected, rel=1e-12)
    assert losses.sparse_categorical_cross_entropy([1, 0], P) == pytest.approx(expected, rel=1e-12)
    assert losses.categorical_cross_entropy(Y[0], P[0]) == pytest.approx(-math.log(0.7), rel=1e-12)  # one sample
    assert losses.sparse_categorical_cross_entropy(1, P[0]) == pytest.approx(-math.log(0.7), rel=1e-12)


def test_softmax_cross_entropy_hand_values():
    """Is the cross-entropy of logits (1, 2, 3) against class 2 equal to ln(1 + e⁻¹ + e⁻²), with gradient softmax − y?"""
    Z, Y = np.array([[1.0, 2.0, 3.0]]), np.array([[0.0, 0.0, 1.0]])
    assert losses.softmax_cross_entropy(Z, Y) == pytest.approx(math.log(1 + math.exp(-1) + math.exp(-2)), rel=1e-12)
    softmax_123 = np.array([0.09003057317038046, 0.24472847105479764, 0.6652409557748219])
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(Z, Y), [softmax_123 - [0, 0, 1]], rtol=1e-12)
    # a batch of two identical rows: the loss is the same mean, the gradient halves (÷ n)
    Z2, Y2 = np.vstack([Z, Z]), np.vstack([Y, Y])
    assert losses.softmax_cross_entropy(Z2, Y2) == pytest.approx(losses.softmax_cross_entropy(Z, Y))
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(Z2, Y2), np.vstack([softmax_123 - [0, 0, 1]] * 2) / 2)


def test_softmax_cross_entropy_equals_cce_of_explicit_softmax():
    """For moderate logits, is softmax_cross_entropy(Z, Y) the CCE of exp(Z) / Σ exp(Z)?"""
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(6, 4))
    Y = one_hot(rng.integers(0, 4, size=6), 4)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(P[Y == 1]))
    assert losses.softmax_cross_entropy(Z, Y) == pytest.approx(expected, rel=1e-12)


def test_stable_at_plus_minus_1e4_and_at_certain_probabilities():
    """Do BCE, CCE and softmax cross-entropy stay finite (clip at 1e-12) for p in {0, 1} and logits ±1e4?"""
    big = -math.log(1e-12)  # 27.631...
    with np.errstate(all="raise", under="ignore"):
        p = 1.0 / (1.0 + np.exp(-np.clip([-1e4, 1e4], -700, 700)))  # sigmoid(∓1e4) ≈ 0, 1
        assert losses.binary_cross_entropy([1.0, 0.0], p) == pytest.approx(big, rel=1e-4)
        assert losses.binary_cross_entropy([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]) == pytest.approx(big / 2, rel=1e-4)
        assert np.all(np.isfinite(losses.binary_cross_entropy_grad([1.0, 0.0], [0.0, 1.0])))
        assert losses.categorical_cross_entropy([[1.0, 0.0]], [[0.0, 1.0]]) == pytest.approx(big)
        assert losses.categorical_cross_entropy([[1.0, 0.0]], [[1.0, 0.0]]) == 0.0
        assert losses.sparse_categorical_cross_entropy([0], [[0.0, 1.0]]) == pytest.approx(big)
        Z = np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]])
        Y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
        assert losses.softmax_cross_entropy(Z, Y) == pytest.approx((2e4 + 0.0) / 2)
        np.testing.assert_allclose(losses.softmax_cross_entropy_grad(Z, Y), [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]])


ELEMENTWISE = [
    losses.mse, losses.mse_grad, losses.half_sum_squared_error, losses.half_sum_squared_error_grad,
    losses.sse, losses.sse_grad, losses.mae, losses.mae_grad, losses.huber, losses.huber_grad,
    losses.binary_cross_entropy, losses.binary_cross_entropy_grad,
]  # fmt: skip


@pytest.mark.parametrize("loss", ELEMENTWISE, ids=lambda f: f.__name__)
def test_shape_mismatch_is_refused_naming_both_shapes(loss):
    """Is an (n,) target against an (n, 1) prediction refused (not broadcast to (n, n)), naming both shapes?"""
    second = "p" if "cross_entropy" in loss.__name__ else "y_hat"
    with pytest.raises(ValueError, match=rf"\(3,\).*{second} has shape \(3, 1\)"):
        loss(np.zeros(3), np.full((3, 1), 0.5))


@pytest.mark.parametrize(
    "loss", [losses.categorical_cross_entropy, losses.categorical_cross_entropy_grad,
             losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad],
)  # fmt: skip
def test_class_loss_shape_mismatch_is_refused(loss):
    """Are targets and predictions with different numbers of classes refused, naming both shapes?"""
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4\)"):
        loss(np.full((2, 3), 0.25), np.full((2, 4), 0.25))


def test_sparse_labels_are_checked():
    """Are one-hot rows or out-of-range labels passed as sparse labels refused with a useful message?"""
    P = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="one integer label per row"):
        losses.sparse_categorical_cross_entropy(np.eye(3)[[0, 1]], P)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        losses.sparse_categorical_cross_entropy([0, 3], P)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        losses.sparse_categorical_cross_entropy([0.5, 1.0], P)
    assert losses.sparse_categorical_cross_entropy(np.array([0.0, 2.0]), P) == pytest.approx(math.log(3))


def test_scalars_are_accepted():
    """Do the elementwise losses accept plain scalars (one sample)?"""
    assert losses.mse(1.0, 3.0) == pytest.approx(4.0)
    assert losses.huber(0.0, 0.5) == pytest.approx(0.125)
    assert float(losses.mse_grad(1.0, 3.0)) == pytest.approx(4.0)
    assert losses.binary_cross_entropy(1.0, 0.5) == pytest.approx(math.log(2))
