"""Tests for reference.neurons: MP neurons, perceptrons, networks of perceptrons.

Expected values are hand-written truth tables and the course's worked numbers
(COURSE_NOTES.md section 1); networks are evaluated by an independent plain-Python
loop, not by the module's own evaluator.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.neurons import (
    boolean_network,
    computes,
    mp_neuron,
    mp_thresholds,
    network_truth_table,
    or_weights,
    perceptron,
    perceptron_train,
    single_perceptron_can_compute,
    step,
    truth_table_inputs,
    xor_network,
)

INPUTS_2 = [(0, 0), (0, 1), (1, 0), (1, 1)]
AND = [0, 0, 0, 1]
OR = [0, 1, 1, 1]
NAND = [1, 1, 1, 0]
NOR = [1, 0, 0, 0]
XOR = [0, 1, 1, 0]
XNOR = [1, 0, 0, 1]


def evaluate_by_hand(W1, b1, w2, b2, x) -> int:
    """Two-layer step network on one input, with plain Python sums (step(0) = 1)."""
    hidden = [1 if sum(wi * xi for wi, xi in zip(row, x)) + bias >= 0 else 0 for row, bias in zip(W1, b1)]
    return 1 if sum(v * h for v, h in zip(w2, hidden)) + b2 >= 0 else 0


def truth_table_by_hand(W1, b1, w2, b2, n) -> list[int]:
    return [evaluate_by_hand(W1, b1, w2, b2, x) for x in itertools.product((0, 1), repeat=n)]


# ---------------------------------------------------------------- step


def test_step_fires_at_zero_and_above():
    """Is step 1 for z >= 0 (including exactly 0) and 0 below, with int output?"""
    out = step(np.array([[-2.0, -1e-12], [0.0, 3.5]]))
    assert out.dtype.kind == "i"
    np.testing.assert_array_equal(out, [[0, 0], [1, 1]])
    assert step(0) == 1


# ---------------------------------------------------------------- MP neuron


def test_mp_neuron_and_or_over_two_inputs():
    """Do θ = 2 and θ = 1 give AND and OR over the truth table?"""
    X = np.array(INPUTS_2)
    np.testing.assert_array_equal(mp_neuron(X, 2), AND)
    np.testing.assert_array_equal(mp_neuron(X, 1), OR)


def test_mp_neuron_nor_and_not_with_inhibitory_inputs():
    """Do inhibitory inputs with θ = 0 give NOR (two inputs) and NOT (one input)?"""
    np.testing.assert_array_equal(mp_neuron(np.array(INPUTS_2), 0, inhibitory=(0, 1)), NOR)
    np.testing.assert_array_equal(mp_neuron(np.array([[0], [1]]), 0, inhibitory=(0,)), [1, 0])


def test_mp_neuron_inhibitory_input_vetoes_firing():
    """Does one active inhibitory input silence the neuron even when g(x) >= θ?"""
    assert mp_neuron(np.array([1, 1, 0]), 1, inhibitory=(2,)) == 1
    assert mp_neuron(np.array([1, 1, 1]), 1, inhibitory=(2,)) == 0
    # g counts only excitatory inputs: g = 1 < θ = 2 although three inputs are on
    assert mp_neuron(np.array([1, 0, 0]), 2, inhibitory=()) == 0


def test_mp_neuron_single_vector_gives_int_and_batch_gives_vector():
    """Is a single input answered with a Python int and a batch with shape (n,)?"""
    single = mp_neuron(np.array([1, 0, 1]), 2)
    assert isinstance(single, int) and single == 1
    assert mp_neuron(np.ones((5, 3), dtype=int), 3).shape == (5,)


@pytest.mark.parametrize(
    ("x", "theta", "inhibitory", "message"),
    [
        (np.array([0, 2]), 1, (), "only 0 and 1"),
        (np.zeros((2, 2, 2)), 1, (), "shape"),
        (np.array([0, 1]), 1, (2,), "outside range"),
    ],
)
def test_mp_neuron_rejects_bad_input(x, theta, inhibitory, message):
    """Is bad input (non-Boolean, wrong rank, bad inhibitory index) refused with a clear message?"""
    with pytest.raises(ValueError, match=message):
        mp_neuron(x, theta, inhibitory)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_mp_thresholds_give_and_or(n):
    """Do the thresholds of mp_thresholds(n) compute AND and OR of n inputs?"""
    thresholds = mp_thresholds(n)
    assert thresholds == {"and": n, "or": 1}
    X = np.array(list(itertools.product((0, 1), repeat=n)))
    np.testing.assert_array_equal(mp_neuron(X, thresholds["and"]), X.all(axis=1).astype(int))
    np.testing.assert_array_equal(mp_neuron(X, thresholds["or"]), X.any(axis=1).astype(int))


def test_mp_thresholds_rejects_no_inputs():
    """Is n = 0 refused?"""
    with pytest.raises(ValueError, match="positive integer"):
        mp_thresholds(0)


# ---------------------------------------------------------------- perceptron


def test_perceptron_hand_values():
    """Does Σ wᵢxᵢ with x₀ = 1 decide, firing at exactly 0?"""
    assert perceptron(np.array([1, 0]), np.array([-1.0, 1.1, 1.1])) == 1  # −1 + 1.1 = 0.1
    assert perceptron(np.array([0, 0]), np.array([-1.0, 1.1, 1.1])) == 0  # −1
    assert perceptron(np.array([1, 0]), np.array([-1.0, 1.0, 0.0])) == 1  # exactly 0 fires
    assert perceptron(np.array([0.5, 0.25]), np.array([0.0, -2.0, 4.0])) == 1  # −1 + 1 = 0
    assert perceptron(np.array([0.5, 0.2]), np.array([0.0, -2.0, 4.0])) == 0  # −1 + 0.8


def test_or_weights_compute_or():
    """Do the course's OR weights (−1, 1.1, 1.1) give the OR truth table?"""
    w = or_weights()
    np.testing.assert_allclose(w, [-1.0, 1.1, 1.1])
    np.testing.assert_array_equal(perceptron(np.array(INPUTS_2), w), OR)


def test_perceptron_rejects_wrong_weight_length():
    """Is a weight vector without the bias entry refused, naming the expected shape?"""
    with pytest.raises(ValueError, match=r"\(3,\)"):
        perceptron(np.array([[0, 1]]), np.array([1.0, 1.0]))


# ---------------------------------------------------------------- XOR and single perceptrons


def test_single_perceptron_computes_or_and_nand_but_not_xor():
    """Can one perceptron compute OR, AND, NAND, NOR but not XOR or XNOR?"""
    for table in (OR, AND, NAND, NOR):
        assert single_perceptron_can_compute(np.array(table))
    assert not single_perceptron_can_compute(np.array(XOR))
    assert not single_perceptron_can_compute(np.array(XNOR))


def test_exactly_fourteen_two_input_functions_are_linearly_separable():
    """Are exactly 14 of the 16 Boolean functions of two inputs computable by one perceptron?"""
    computable = [t for t in itertools.product((0, 1), repeat=4) if single_perceptron_can_compute(np.array(t))]
    assert len(computable) == 14


def test_single_perceptron_check_rejects_non_two_input_tables():
    """Is a truth table of the wrong length refused?"""
    with pytest.raises(ValueError, match="four 0/1 outputs"):
        single_perceptron_can_compute(np.array([0, 1, 1, 0, 1, 0, 0, 1]))


def test_xor_network_hidden_units_and_output():
    """Does the XOR network give z₁ = x₁∧¬x₂, z₂ = ¬x₁∧x₂ (the corrected table) and y = XOR?"""
    W1, b1, w2, b2 = xor_network()
    assert W1.shape == (2, 2) and b1.shape == (2,) and w2.shape == (2,) and np.ndim(b2) == 0
    expected_hidden = {(0, 0): (0, 0), (0, 1): (0, 1), (1, 0): (1, 0), (1, 1): (0, 0)}
    for x, z in expected_hidden.items():
        pre = W1 @ np.array(x, dtype=float) + b1
        assert tuple(int(v >= 0) for v in pre) == z
        assert np.all(np.abs(pre) >= 0.5), "XOR hidden units should keep a margin from 0"
    assert truth_table_by_hand(W1, b1, w2, b2, 2) == XOR
    np.testing.assert_array_equal(network_truth_table(W1, b1, w2, b2, 2), XOR)
    assert computes(np.array(XOR), W1, b1, w2, b2)
    assert not computes(np.array(OR), W1, b1, w2, b2)


# ---------------------------------------------------------------- truth tables and networks


def test_truth_table_inputs_binary_order():
    """Are the inputs listed in binary order with x₁ most significant?"""
    np.testing.assert_array_equal(truth_table_inputs(2), INPUTS_2)
    X = truth_table_inputs(3)
    assert X.shape == (8, 3)
    for k, row in enumerate(X):
        assert "".join(map(str, row)) == format(k, "03b")


def test_network_truth_table_hand_built_and_network():
    """Does a one-hidden-unit AND network (x₁ + x₂ − 2 ≥ 0, then h − 1 ≥ 0) give AND?"""
    out = network_truth_table(np.array([[1.0, 1.0]]), np.array([-2.0]), np.array([1.0]), -1.0, 2)
    np.testing.assert_array_equal(out, AND)


def test_network_truth_table_rejects_mismatched_shapes():
    """Is a W1 with the wrong number of input columns refused?"""
    with pytest.raises(ValueError, match="W1 must have shape"):
        network_truth_table(np.ones((2, 3)), np.zeros(2), np.ones(2), 0.0, 2)
    with pytest.raises(ValueError, match="b1 and w2"):
        network_truth_table(np.ones((2, 2)), np.zeros(3), np.ones(2), 0.0, 2)


def test_boolean_network_construction_for_xor():
    """Is the theorem's network for XOR the hand-built one (±1 weights, −#ones biases)?"""
    W1, b1, w2, b2 = boolean_network(np.array(XOR))
    np.testing.assert_array_equal(W1, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_array_equal(b1, [0, -1, -1, -2])
    np.testing.assert_array_equal(w2, XOR)
    assert truth_table_by_hand(W1, b1, w2, b2, 2) == XOR


@pytest.mark.parametrize("table", list(itertools.product((0, 1), repeat=4)))
def test_boolean_network_all_two_input_functions(table):
    """Does the theorem's network compute each of the 16 Boolean functions of two inputs?"""
    W1, b1, w2, b2 = boolean_network(np.array(table))
    assert W1.shape == (4, 2)
    assert truth_table_by_hand(W1, b1, w2, b2, 2) == list(table)
    assert computes(np.array(table), W1, b1, w2, b2)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.sampled_from([3, 4]).flatmap(lambda n: st.lists(st.integers(0, 1), min_size=2**n, max_size=2**n)))
def test_boolean_network_random_three_and_four_input_functions(table):
    """Does the theorem's network compute random Boolean functions of 3 and 4 inputs?"""
    n = len(table).bit_length() - 1
    W1, b1, w2, b2 = boolean_network(np.array(table))
    assert W1.shape == (2**n, n) and b1.shape == (2**n,) and w2.shape == (2**n,)
    assert truth_table_by_hand(W1, b1, w2, b2, n) == table


def test_boolean_network_hidden_unit_k_fires_only_on_pattern_k():
    """Does hidden unit k fire on input pattern k and on no other input (n = 3)?"""
    W1, b1, _, _ = boolean_network(np.zeros(8, dtype=int))
    X = np.array(list(itertools.product((0, 1), repeat=3)), dtype=float)
    fired = (X @ W1.T + b1 >= 0).astype(int)  # fired[input, unit]
    np.testing.assert_array_equal(fired, np.eye(8, dtype=int))


def test_boolean_network_all_zero_function():
    """Does the all-zero truth table give a network that never fires?"""
    W1, b1, w2, b2 = boolean_network(np.zeros(8, dtype=int))
    assert truth_table_by_hand(W1, b1, w2, b2, 3) == [0] * 8


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([0, 1, 1], "length 2\\*\\*n"),
        ([1], "length 2\\*\\*n"),
        ([], "length 2\\*\\*n"),
        ([0, 2, 1, 0], "only 0 and 1"),
        ([[0, 1], [1, 0]], "1-D"),
    ],
)
def test_boolean_network_rejects_bad_truth_tables(table, message):
    """Is a truth table of bad length, bad entries or bad rank refused with a helpful message?"""
    with pytest.raises(ValueError, match=message):
        boolean_network(np.array(table))


# ---------------------------------------------------------------- perceptron learning


def test_perceptron_train_or_hand_trace():
    """Does training on OR (lr = 1) follow the hand trace and converge to (−1, 1, 1) in epoch 4?"""
    # epoch 1: 00 ŷ=1 → (−1,0,0); 01 ŷ=0 → (0,0,1); epoch 2: 00 → (−1,0,1); 10 → (0,1,1);
    # epoch 3: 00 → (−1,1,1); epoch 4: no mistake.
    X, y = np.array(INPUTS_2), np.array(OR)
    w, converged = perceptron_train(X, y, 1.0, 3)
    np.testing.assert_allclose(w, [-1.0, 1.0, 1.0])
    assert not converged
    w, converged = perceptron_train(X, y, 1.0, 100)
    np.testing.assert_allclose(w, [-1.0, 1.0, 1.0])
    assert converged


@pytest.mark.parametrize(("table", "lr"), [(OR, 1.0), (AND, 1.0), (AND, 0.1), (NAND, 0.5)])
def test_perceptron_train_converges_on_separable_functions(table, lr):
    """Does training converge on OR, AND and NAND to weights computing them?"""
    w, converged = perceptron_train(np.array(INPUTS_2), np.array(table), lr, 100)
    assert converged
    assert [1 if w[0] + w[1] * a + w[2] * b >= 0 else 0 for a, b in INPUTS_2] == table


def test_perceptron_train_does_not_converge_on_xor():
    """Does training on XOR report that it did not converge?"""
    _, converged = perceptron_train(np.array(INPUTS_2), np.array(XOR), 1.0, 500)
    assert not converged


def test_perceptron_train_zero_epochs_returns_zeros():
    """Do zero epochs return the zero start (bias first, length d + 1), not converged?"""
    w, converged = perceptron_train(np.ones((3, 4)), np.ones(3), 1.0, 0)
    np.testing.assert_array_equal(w, np.zeros(5))
    assert not converged


@pytest.mark.parametrize(
    ("X", "y", "lr", "epochs", "message"),
    [
        (np.ones(4), np.ones(4), 1.0, 5, "X must have shape"),
        (np.ones((4, 2)), np.ones(3), 1.0, 5, "y must have shape"),
        (np.ones((4, 2)), np.full(4, 2), 1.0, 5, "0 and 1"),
        (np.ones((4, 2)), np.ones(4), 0.0, 5, "lr must be positive"),
        (np.ones((4, 2)), np.ones(4), 1.0, -1, "epochs"),
    ],
)
def test_perceptron_train_rejects_bad_input(X, y, lr, epochs, message):
    """Is bad training input refused with a message naming the problem?"""
    with pytest.raises(ValueError, match=message):
        perceptron_train(X, y, lr, epochs)
