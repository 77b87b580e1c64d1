"""Tests for reference.training: batches, the training loop and its helpers."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import reference.mlp as mlp
import reference.training as training
from reference.mlp import forward, init_params, numerical_gradient
from reference.training import (
    count_updates,
    diagnose_fit,
    early_stopping_epoch,
    he_init,
    minibatches,
    standardize,
    train,
    train_xor,
    updates_per_epoch,
    xavier_init,
)


def regression_data(n: int = 20, seed: int = 0):
    """A small smooth regression problem: y = sin(x1) + x2²/2."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2)[:, None]


def test_updates_per_epoch_of_the_notes():
    """Are 800 rows in batches of 150 six updates (five when the last batch is dropped)?"""
    assert updates_per_epoch(800, 150) == 6
    assert updates_per_epoch(800, 150, drop_last=True) == 5
    assert updates_per_epoch(800, 800) == 1
    assert updates_per_epoch(800, 1) == 800
    assert updates_per_epoch(0, 5) == 0


@pytest.mark.parametrize("args", [(800, 0), (800, -3), (-1, 10), (800, 1.5)])
def test_updates_per_epoch_rejects_bad_sizes(args):
    """Are a batch size below 1, a fractional one and negative rows rejected?"""
    with pytest.raises(ValueError):
        updates_per_epoch(*args)


def test_count_updates_per_method():
    """Is it 1 for batch, n for sgd and ceil(n/b) for mini-batch?"""
    assert count_updates(800, "batch", 150) == 1
    assert count_updates(800, "sgd", 150) == 800
    assert count_updates(800, "minibatch", 150) == 6
    with pytest.raises(ValueError):
        count_updates(800, "adam", 150)


def test_minibatches_cover_every_row_once_in_one_permutation():
    """Are the batches consecutive slices of rng.permutation(n), rows and targets aligned?"""
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0) * 10
    batches = minibatches(X, y, 3, np.random.default_rng(5))
    assert [len(xb) for xb, _ in batches] == [3, 3, 3, 1]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == sorted(y.tolist())
    np.testing.assert_array_equal(seen, y[np.random.default_rng(5).permutation(10)])
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0] * 5, yb)  # row i is (2i, 2i+1), target 10i


def test_minibatches_are_reproducible():
    """Does the same seed give the same batches, and another seed a different order?"""
    X, y = np.arange(30.0).reshape(15, 2), np.arange(15.0)
    first = minibatches(X, y, 4, np.random.default_rng(1))
    second = minibatches(X, y, 4, np.random.default_rng(1))
    other = minibatches(X, y, 4, np.random.default_rng(2))
    for (a, _), (b, _) in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for (a, _), (b, _) in zip(first, other))


def test_minibatches_reject_misaligned_targets():
    """Is a y with a different number of rows than X rejected?"""
    with pytest.raises(ValueError):
        minibatches(np.zeros((4, 2)), np.zeros(3), 2, np.random.default_rng(0))


@pytest.mark.parametrize("method, per_epoch", [("batch", 1), ("sgd", 20), ("minibatch", 3)])
def test_train_update_counts_and_loss_decrease(method, per_epoch):
    """Does each method make 1, n or ceil(n/b) updates per epoch and lower the training loss?"""
    X, y = regression_data()
    updates: list[tuple[int, int]] = []
    params, history = train(X, y, [2, 8, 1], "tanh", "mse", method, lr=0.05, epochs=30, batch_size=8, seed=0,
                            on_update=lambda epoch, update: updates.append((epoch, update)))
    assert len(updates) == 30 * per_epoch
    assert all(sum(1 for e, _ in updates if e == epoch) == per_epoch for epoch in range(30))
    assert len(history) == 30
    initial = init_params([2, 8, 1], np.random.default_rng(0))
    initial_loss = np.mean(0.5 * (forward(X, initial, ["tanh", "identity"])[0] - y) ** 2)
    assert history[-1] < 0.5 * initial_loss
    final_loss = np.mean(0.5 * (forward(X, params, ["tanh", "identity"])[0] - y) ** 2)
    assert history[-1] == pytest.approx(final_loss)


def test_one_batch_epoch_is_one_gradient_step_from_the_seeded_xavier_init():
    """Is one epoch of batch GD exactly W0 − η ∇L(W0), W0 drawn by xavier_init from default_rng(seed)?"""
    X, y = regression_data(n=6, seed=3)
    rng = np.random.default_rng(7)
    W1, W2 = xavier_init(2, 3, rng), xavier_init(3, 1, rng)
    b1, b2 = np.zeros(3), np.zeros(1)

    def loss(W1_, W2_):
        h = np.tanh(X @ W1_.T + b1)
        return float(np.mean(0.5 * np.sum((h @ W2_.T + b2 - y) ** 2, axis=1)))

    params, _ = train(X, y, [2, 3, 1], "tanh", "mse", "batch", lr=0.1, epochs=1, batch_size=1, seed=7)
    np.testing.assert_allclose(params[0][0], W1 - 0.1 * numerical_gradient(lambda W: loss(W, W2), W1), atol=1e-8)
    np.testing.assert_allclose(params[1][0], W2 - 0.1 * numerical_gradient(lambda W: loss(W1, W), W2), atol=1e-8)


def test_train_cross_entropy_learns_three_blobs():
    """Does softmax + cross-entropy training reduce the loss and classify separated blobs?"""
    rng = np.random.default_rng(0)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0]])
    labels = np.repeat(np.arange(3), 10)
    X = centres[labels] + 0.3 * rng.standard_normal((30, 2))
    Y = np.eye(3)[labels]
    params, history = train(X, Y, [2, 5, 3], "relu", "cross_entropy", "minibatch", lr=0.1, epochs=50,
                            batch_size=5, seed=1)
    assert history[-1] < 0.2 * history[0]
    probs = forward(X, params, ["relu", "softmax"])[0]
    assert np.all(probs.argmax(axis=1) == labels)


def test_train_rejects_mismatched_layer_sizes():
    """Is a layer_sizes that does not match X's columns rejected?"""
    X, y = regression_data()
    with pytest.raises(ValueError):
        train(X, y, [3, 4, 1], "tanh", "mse", "batch", 0.1, 1, 1, 0)


def test_train_xor_classifies_all_four_inputs():
    """Does the trained 2-4-1 network output ≥ 0.5 exactly for (0,1) and (1,0)?"""
    params = train_xor()
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    out = forward(X, params, ["tanh", "identity"])[0].ravel()
    np.testing.assert_array_equal(out >= 0.5, [False, True, True, False])


def test_early_stopping_never_triggers_on_an_improving_curve():
    """Does a curve that improves by more than min_delta every epoch run to its last index?"""
    assert early_stopping_epoch([1.0 - 0.01 * e for e in range(30)]) == 29


def test_early_stopping_on_a_plateau():
    """Does training stop patience epochs after the last improvement (index 2 + 5 = 7)?"""
    curve = [1.0, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    assert early_stopping_epoch(curve, patience=5) == 7
    assert early_stopping_epoch(curve, patience=1) == 3
    assert early_stopping_epoch(curve, patience=0) == 3  # Keras: wait 1 >= 0 at the first non-improvement


def test_early_stopping_counts_only_improvements_larger_than_min_delta():
    """Are decreases that stay within min_delta of the best not improvements, and a real one a reset?"""
    tiny = [1.0, 0.99996, 0.99992, 0.99991, 0.99995, 0.99993]  # never below 1.0 - 1e-4
    assert early_stopping_epoch(tiny, min_delta=1e-4, patience=3) == 3
    assert early_stopping_epoch(tiny, min_delta=0.0, patience=3) == 5  # each new low counts: never stops
    # a real improvement at index 2 resets the wait: stops at 2 + 3
    assert early_stopping_epoch([1.0, 1.0, 0.5, 0.6, 0.6, 0.6, 0.6], patience=3) == 5
    bumpy = [1.0, 0.9, 1.2, 0.95, 1.0, 0.8, 1.0, 1.0, 1.0, 1.0]
    assert early_stopping_epoch(bumpy, patience=3) == 4  # gives up before the 0.8 at index 5
    assert early_stopping_epoch(bumpy, patience=4) == 9  # sees it: 5 + 4


def test_early_stopping_rejects_an_empty_curve():
    """Is an empty list of validation losses rejected?"""
    with pytest.raises(ValueError):
        early_stopping_epoch([])


@pytest.mark.parametrize(
    "train_losses, val_losses, expected",
    [
        ([1.0, 0.95, 0.9, 0.88, 0.87], [1.0, 0.96, 0.93, 0.91, 0.9], "underfit"),
        ([1.0, 0.5, 0.2, 0.1, 0.05], [1.0, 0.6, 0.4, 0.5, 0.7], "overfit"),
        ([1.0, 0.5, 0.2, 0.1, 0.08], [1.0, 0.55, 0.25, 0.15, 0.14], "good"),
        ([1.0, 0.5, 0.2, 0.1, 0.08], [1.0, 0.55, 0.25, 0.15, 0.16], "good"),  # +6.7 %: within the 10 %
    ],
)
def test_diagnose_fit_on_hand_made_curves(train_losses, val_losses, expected):
    """Are the three textbook learning-curve shapes recognised?"""
    assert diagnose_fit(train_losses, val_losses) == expected


def test_diagnose_fit_rejects_curves_of_different_lengths():
    """Are a train and a validation curve of different lengths rejected?"""
    with pytest.raises(ValueError):
        diagnose_fit([1.0, 0.5], [1.0, 0.5, 0.4])


def test_standardize_by_hand():
    """Are columns (1, 2, 3) and (5, 5, 5) mapped to ±√1.5, 0 and to zeros?"""
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    Z, mean, std = standardize(X)
    np.testing.assert_allclose(mean, [2.0, 5.0])
    np.testing.assert_allclose(std, [math.sqrt(2 / 3), 0.0])
    np.testing.assert_allclose(Z[:, 0], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)])
    np.testing.assert_array_equal(Z[:, 1], 0.0)
    with pytest.raises(ValueError):
        standardize(np.array([1.0, 2.0]))


def test_xavier_and_he_shapes_and_spread():
    """Is W (fan_out, fan_in), Xavier within ±√(6/(in+out)) with variance 2/(in+out), He of std √(2/in)?"""
    W = xavier_init(300, 200, np.random.default_rng(0))
    assert W.shape == (200, 300)
    assert np.abs(W).max() <= math.sqrt(6 / 500)
    assert W.var() == pytest.approx(2 / 500, rel=0.02)
    H = he_init(300, 200, np.random.default_rng(0))
    assert H.shape == (200, 300)
    assert H.std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    with pytest.raises(ValueError):
        xavier_init(0, 3, np.random.default_rng(0))


def test_xavier_init_draws_like_mlp_init_params():
    """Do xavier_init layer by layer and mlp.init_params draw the same weights from one seed?"""
    rng = np.random.default_rng(9)
    by_layer = [xavier_init(3, 4, rng), xavier_init(4, 2, rng)]
    for W, (W_ref, _) in zip(by_layer, init_params([3, 4, 2], np.random.default_rng(9))):
        np.testing.assert_array_equal(W, W_ref)


def test_solutions_run_from_their_source_alone():
    """Do the a5 answers work when copied, with the a4 forward/backward, into a namespace holding only numpy?"""
    namespace: dict = {"np": np}
    for module in (mlp, training):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__:
                exec(inspect.getsource(fn), namespace)
    X, y = regression_data(n=9)
    got = namespace["train"](X, y, [2, 3, 1], "tanh", "mse", "minibatch", 0.1, 3, 4, 5)
    want = train(X, y, [2, 3, 1], "tanh", "mse", "minibatch", 0.1, 3, 4, 5)
    assert got[1] == want[1]
    assert namespace["early_stopping_epoch"]([1.0, 0.5, 0.5, 0.5], patience=2) == 3
    assert namespace["diagnose_fit"]([1.0, 0.9], [1.0, 0.9]) == "underfit"
