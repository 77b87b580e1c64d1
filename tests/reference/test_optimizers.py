"""Tests for reference.optimizers against hand-computed steps."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from reference.optimizers import adam_step, clip_by_norm, momentum_step, sgd_step


def test_sgd_step():
    """Is one step w − η g: 1 − 0.1·0.5 = 0.95?"""
    np.testing.assert_allclose(sgd_step(np.array([1.0, -1.0]), np.array([0.5, -2.0]), 0.1), [0.95, -0.8])


def test_clip_by_norm_caps_the_global_norm_and_keeps_direction():
    """Do gradients of global norm 13 (3-4-12) clipped to 6.5 become exactly half?"""
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    clipped = clip_by_norm(grads, 6.5)
    np.testing.assert_allclose(clipped[0], [1.5, 2.0])
    np.testing.assert_allclose(clipped[1], [[6.0]])
    assert math.sqrt(sum(float(np.sum(g**2)) for g in clipped)) == pytest.approx(6.5)
    np.testing.assert_array_equal(grads[0], [3.0, 4.0])  # inputs untouched


def test_clip_by_norm_leaves_small_gradients_alone():
    """Are gradients of global norm 5 unchanged under a cap of 10?"""
    grads = [np.array([3.0]), np.array([4.0])]
    clipped = clip_by_norm(grads, 10.0)
    for before, after in zip(grads, clipped):
        np.testing.assert_array_equal(after, before)


def test_momentum_two_steps_by_hand():
    """Does v ← βv − ηg, w ← w + v give 0.95 then 0.885 (η = 0.1, β = 0.9)?"""
    w, v = momentum_step(np.array([1.0]), np.array([0.5]), np.zeros(1), lr=0.1)
    np.testing.assert_allclose(v, [-0.05])
    np.testing.assert_allclose(w, [0.95])
    w, v = momentum_step(w, np.array([0.2]), v, lr=0.1)
    np.testing.assert_allclose(v, [-0.065])  # 0.9·(−0.05) − 0.1·0.2
    np.testing.assert_allclose(w, [0.885])


def test_adam_two_steps_by_hand():
    """Does Adam's bias correction make the first step ≈ η·sign(g), and the second match by hand?"""
    w, m, v = adam_step(np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1), t=1)
    np.testing.assert_allclose(m, [0.05])  # 0.1·0.5
    np.testing.assert_allclose(v, [0.00025])  # 0.001·0.25
    np.testing.assert_allclose(w, [1.0 - 0.001 * 0.5 / (0.5 + 1e-8)], rtol=1e-15)
    w, m, v = adam_step(w, np.array([0.2]), m, v, t=2)
    # m = 0.9·0.05 + 0.1·0.2 = 0.065; v = 0.999·0.00025 + 0.001·0.04 = 0.00028975
    m_hat, v_hat = 0.065 / (1 - 0.81), 0.00028975 / (1 - 0.998001)
    np.testing.assert_allclose(m, [0.065])
    np.testing.assert_allclose(v, [0.00028975])
    np.testing.assert_allclose(w, [0.99900000002 - 0.001 * m_hat / (math.sqrt(v_hat) + 1e-8)], rtol=1e-12)
    assert w[0] == pytest.approx(0.998101425, abs=1e-9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: sgd_step(np.ones(2), np.ones(3), 0.1),
        lambda: clip_by_norm([np.ones(2)], 0.0),
        lambda: momentum_step(np.ones(2), np.ones(2), np.zeros(2), lr=0.1, beta=1.0),
        lambda: adam_step(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), t=0),
    ],
)
def test_bad_input_raises_value_error(call):
    """Are mismatched shapes, a zero cap, β = 1 and t = 0 rejected?"""
    with pytest.raises(ValueError):
        call()


def test_solutions_run_from_their_source_alone():
    """Do the optimizer answers work when copied into a namespace holding only numpy?"""
    namespace: dict = {"np": np}
    for fn in (sgd_step, clip_by_norm, momentum_step, adam_step):
        exec(inspect.getsource(fn), namespace)
    args = (np.array([1.0, 2.0]), np.array([0.3, -0.4]), np.zeros(2), np.zeros(2), 1)
    for got, want in zip(namespace["adam_step"](*args), adam_step(*args)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(namespace["clip_by_norm"]([np.ones(4)], 1.0)[0], np.full(4, 0.5))
