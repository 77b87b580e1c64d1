"""Assignment a1 (neurons, perceptrons, Boolean functions): variants, verification, wrong answers."""
import json
import re

import numpy as np
import pytest

from exercises.a1_perceptron_train import MISTAKE_CODE as PERCEPTRON_TRAIN_MISTAKES
from exercises.model import get_exercise, variant_params
from reference import neurons
from tests.exercises import (MANY_STUDENTS, OTHER_SECRETS, SECRET, STUDENTS, assert_fails_with,
                             assert_well_formed, failing_checks, problems_of, problems_under_secret,
                             run_public_checks_as_shipped, variant, variant_of)

A1 = ("a1.mp_neuron", "a1.mp_thresholds", "a1.perceptron", "a1.or_weights", "a1.perceptron_train",
      "a1.xor_network", "a1.boolean_network")
WITH_VARIANTS = ("a1.mp_neuron", "a1.mp_thresholds", "a1.perceptron", "a1.perceptron_train",
                 "a1.boolean_network")


@pytest.mark.parametrize("key", A1)
@pytest.mark.parametrize("student", STUDENTS)
def test_model_answer_full_marks_and_stub_zero(key, student):
    """Does the model answer pass every check of the student's variant, and the stub none?"""
    assert problems_of(A1, key, student) == []


@pytest.mark.parametrize("secret", OTHER_SECRETS)
def test_other_course_secrets(secret):
    """Under another course secret, do the model answer and the stub still verify, with other numbers?"""
    for student in STUDENTS[:4]:
        found, params = problems_under_secret(A1, student, secret)
        assert found == []
        assert params != variant(A1, student)


@pytest.mark.parametrize("key", A1)
def test_public_checks_run_with_numpy_and_dlcheck_only(key):
    """Do the public checks, as shipped, pass on the model answer with only np and dlcheck in scope?"""
    for student in STUDENTS[:5]:
        assert run_public_checks_as_shipped(A1, key, student) == []


@pytest.mark.parametrize("key", A1)
def test_every_exercise_has_public_and_hidden_checks(key):
    """Does each exercise have public and hidden checks of 1–2 points, hidden ones with a hint?"""
    assert_well_formed(key)


@pytest.mark.parametrize("key", WITH_VARIANTS)
def test_variants_are_deterministic_and_spread(key):
    """Does the same student always get the same numbers, and do different students get different ones?"""
    first = [json.dumps(variant_of(key, s)) for s in MANY_STUDENTS[:40]]
    exercise = get_exercise(key)
    assert [json.dumps(variant_params(exercise, SECRET, s)) for s in MANY_STUDENTS[:40]] == first
    assert len(set(first)) >= 6  # n has 7 possible values in mp_thresholds; the others far more


def test_variants_are_never_degenerate():
    """Over 200 students: is every variant well-posed (a firing pattern, no input on the step, convergence)?"""
    for student in MANY_STUDENTS:
        p = variant(A1, student)
        mp = p["a1.mp_neuron"]
        fires = neurons.mp_neuron(neurons.truth_table_inputs(mp["d"]), mp["theta"], tuple(mp["inhibitory"]))
        assert 2 <= fires.sum() < 2 ** mp["d"]
        pc = p["a1.perceptron"]
        w, X = np.array(pc["w"]), np.array(pc["X"])
        assert np.min(np.abs(w[0] + X @ w[1:])) >= 0.1 - 1e-9
        assert not re.search(r"-0\.0(?!\d)", json.dumps(pc)), "a −0.0 in the prompt"
        tr = p["a1.perceptron_train"]
        assert neurons.perceptron_train(np.array(tr["X"]), np.array(tr["y"]), tr["lr"], tr["epochs"])[1]
        table = p["a1.boolean_network"]["truth_table"]
        assert len(table) == 8 and 3 <= sum(table) <= 5


def test_boolean_network_variant_needs_the_hidden_layer():
    """Is the student's 3-input function never computable by one perceptron (brute force on a fine grid)?"""
    values = np.arange(-5.0, 5.5, 0.5)
    grid = np.stack(np.meshgrid(values, values, values, values, indexing="ij"), -1).reshape(-1, 4)
    X = np.hstack([np.ones((8, 1)), neurons.truth_table_inputs(3)])
    realisable = {tuple(row) for row in np.unique((grid @ X.T >= 0).astype(int), axis=0)}
    assert (0, 0, 0, 1, 0, 1, 1, 1) in realisable and (0, 1, 1, 0, 1, 0, 0, 1) not in realisable
    tables = {tuple(variant(A1, s)["a1.boolean_network"]["truth_table"]) for s in MANY_STUDENTS}
    assert len(tables) >= 30 and not tables & realisable


# --------------------------------------------------------------------------
# Wrong answers lose the checks they should, with the designed hint
# --------------------------------------------------------------------------
def assert_fails(key, code, expected, passes=(), student="s000"):
    """The wrong answer ``code`` fails ``expected`` (check → hint text) and passes ``passes``."""
    assert_fails_with(A1, key, code, expected, tuple(passes), student)


def test_mp_neuron_strict_threshold():
    """Does firing on g > θ (instead of ≥) get the ≥ hint?"""
    assert_fails("a1.mp_neuron", """
        def mp_neuron(x, theta, inhibitory=()):
            x = np.asarray(x)
            inh = np.zeros(x.shape[-1], bool); inh[list(inhibitory)] = True
            y = ((x[..., ~inh].sum(-1) > theta) & ~x[..., inh].any(-1)).astype(int)
            return int(y) if x.ndim == 1 else y
        """, {"test_mp_neuron_examples": "g(x) ≥ θ", "test_mp_neuron_on_your_neuron": "not g(x) > θ"})


def test_mp_neuron_subtracting_inhibitory_inputs():
    """Does subtracting inhibitory inputs instead of vetoing get the veto hint?"""
    assert_fails("a1.mp_neuron", """
        def mp_neuron(x, theta, inhibitory=()):
            x = np.asarray(x)
            inh = np.zeros(x.shape[-1], bool); inh[list(inhibitory)] = True
            y = (x[..., ~inh].sum(-1) - x[..., inh].sum(-1) >= theta).astype(int)
            return int(y) if x.ndim == 1 else y
        """, {"test_mp_neuron_on_your_neuron": "veto", "test_mp_neuron_veto_beats_any_sum": "veto"},
        passes=["test_mp_neuron_examples", "test_mp_neuron_batch_without_inhibitory_inputs"])


def test_mp_neuron_array_for_one_vector():
    """Does returning an array for one vector lose the scalar check only among the batch checks?"""
    assert_fails("a1.mp_neuron", """
        def mp_neuron(x, theta, inhibitory=()):
            x = np.atleast_2d(x)
            inh = np.zeros(x.shape[-1], bool); inh[list(inhibitory)] = True
            return ((x[:, ~inh].sum(-1) >= theta) & ~x[:, inh].any(-1)).astype(int)
        """, {"test_mp_neuron_single_vector_gives_a_number": "single 0 or 1"},
        passes=["test_mp_neuron_on_your_neuron", "test_mp_neuron_batch_without_inhibitory_inputs"])


def test_mp_thresholds_or_at_zero():
    """Does θ_OR = 0 (fires on 00 too) lose the OR checks with the OR hint?"""
    assert_fails("a1.mp_thresholds", 'def mp_thresholds(n):\n    return {"and": n, "or": 0}\n',
                 {"test_mp_thresholds_example": "θ = 0 would fire", "test_mp_thresholds_for_your_n": "OR",
                  "test_mp_thresholds_compute_and_and_or": "AND fires only"})


def test_mp_thresholds_and_one_short():
    """Does θ_AND = n − 1 get the 'one input may be 0' hint?"""
    assert_fails("a1.mp_thresholds", 'def mp_thresholds(n):\n    return {"and": n - 1, "or": 1}\n',
                 {"test_mp_thresholds_for_your_n": "θ = n − 1"})


@pytest.mark.parametrize("code, hint", [
    ("return (np.asarray(x) @ np.asarray(w)[1:] >= 0).astype(int)", "w[0] is missing"),
    ("return (w[-1] + np.asarray(x) @ np.asarray(w)[:-1] >= 0).astype(int)", "is w[0] (first)"),
])
def test_perceptron_bias_mistakes(code, hint):
    """Does a missing or misplaced bias get its hint on the student's inputs?"""
    assert_fails("a1.perceptron", f"def perceptron(x, w):\n    w = np.asarray(w)\n    {code}\n",
                 {"test_perceptron_on_your_inputs": hint})


def test_perceptron_strict_step():
    """Does > 0 lose only the boundary check?"""
    failed = failing_checks(A1, "a1.perceptron", """
        def perceptron(x, w):
            y = (w[0] + np.asarray(x, float) @ np.asarray(w)[1:] > 0).astype(int)
            return int(y) if np.ndim(x) == 1 else y
        """)
    assert set(failed) == {"test_perceptron_fires_at_zero"}
    assert "≥ 0" in failed["test_perceptron_fires_at_zero"]


def test_or_weights_any_solution_passes():
    """Do other correct OR weights earn every point?"""
    assert failing_checks(A1, "a1.or_weights", "def or_weights():\n    return np.array([-0.5, 3.0, 0.5])\n") == {}
    assert failing_checks(A1, "a1.or_weights", "def or_weights():\n    return [-1, 1, 1]\n") == {}


def test_or_weights_bias_last_and_and():
    """Do OR weights with the bias last, or AND weights, fail with the right hints?"""
    assert_fails("a1.or_weights", "def or_weights():\n    return np.array([1.1, 1.1, -1.0])\n",
                 {"test_or_weights_compute_or": "bias last", "test_or_weights_on_repeated_inputs": "OR"},
                 passes=["test_or_weights_are_three_numbers"])
    assert_fails("a1.or_weights", "def or_weights():\n    return np.array([-2.0, 1.0, 1.0])\n",
                 {"test_or_weights_compute_or": "w1 + w2 ≥ −w0"})


def test_perceptron_train_known_mistakes():
    """Do a flipped update, a frozen bias and a strict step get their hints on the student's data?"""
    for code, hint in zip(list(PERCEPTRON_TRAIN_MISTAKES.values())[:3],
                          ["wrong sign", "bias is never updated", "uses > 0"], strict=True):
        failed = failing_checks(A1, "a1.perceptron_train", code)
        assert hint in failed["test_perceptron_train_on_your_data"], failed


def test_perceptron_train_epoch_count_mistakes():
    """Are one epoch too many (seen with epochs = 0) and a run that never reports convergence named?"""
    codes = {description: code for description, code in PERCEPTRON_TRAIN_MISTAKES.items() if "epoch" in description}
    extra = failing_checks(A1, "a1.perceptron_train", codes["one epoch too many: range(epochs + 1)"])
    assert "still ran one epoch" in extra["test_perceptron_train_zero_epochs"], extra
    never = failing_checks(A1, "a1.perceptron_train",
                           codes["never converged: the epoch's mistake count starts at 1"])
    assert "although an epoch made no mistake" in never["test_perceptron_train_on_your_data"], never


def test_perceptron_train_shuffling():
    """Does shuffling the rows fail the exact-run check with the rows-in-order hint (when it changes w)?"""
    code = """
        def perceptron_train(X, y, lr, epochs):
            X = np.asarray(X, float); w = np.zeros(X.shape[1] + 1); rng = np.random.default_rng(1)
            converged = False
            for _ in range(epochs):
                order = rng.permutation(len(X)); mistakes = 0
                for x_i, y_i in zip(X[order], np.asarray(y)[order]):
                    e = y_i - int(w[0] + x_i @ w[1:] >= 0)
                    if e:
                        mistakes += 1; w = w + lr * e * np.concatenate(([1.0], x_i))
                converged = mistakes == 0
                if converged:
                    break
            return w, converged
        """
    hints = [failing_checks(A1, "a1.perceptron_train", code, s).get("test_perceptron_train_on_your_data")
             for s in STUDENTS[:10]]
    assert sum("rows in order" in (h or "") for h in hints) >= 3, hints


def test_xor_network_other_solutions_pass_and_or_fails():
    """Does another XOR network (AND/OR/NAND construction) pass, and an OR network fail?"""
    nand_or = """
        def xor_network():
            return np.array([[1., 1.], [-1., -1.]]), np.array([-1., 1.5]), np.array([1., 1.]), -2.0
        """
    assert failing_checks(A1, "a1.xor_network", nand_or) == {}
    assert_fails("a1.xor_network", """
        def xor_network():
            return np.array([[1., 1.], [1., 1.]]), np.array([-1., -1.]), np.array([1., 1.]), -1.0
        """, {"test_xor_network_computes_xor": "OR", "test_xor_network_truth_table": "0, 1, 1, 0"},
        passes=["test_xor_network_shapes"])


def test_xor_network_names_the_layer_at_fault():
    """Is a wrong XOR network told which layer is wrong, and a network built for step(0) = 0 told so?"""
    network = "def xor_network():\n    return np.array({W1}), np.array({b1}), np.array([1., 1.]), {b2}\n"
    cases = {  # (W1, b1, b2) -> what the public check names
        ("[[1., -1.], [-1., 1.]]", "[-.5, -.5]", "-1.5"): "hidden units are fine",  # AND of the pieces
        ("[[1., 1.], [1., 1.]]", "[-.5, -.5]", "-.5"): "No output unit can compute XOR",  # two OR units
        ("[[1., -1.], [-1., 1.]]", "[0., 0.]", "-.5"): "only with step(0) = 0",
    }
    for (W1, b1, b2), named in cases.items():
        failed = failing_checks(A1, "a1.xor_network", network.format(W1=W1, b1=b1, b2=b2))
        assert named in failed["test_xor_network_computes_xor"], failed


def test_or_weights_names_the_failed_inequality():
    """Are OR weights that fire on 00, or stay silent on 10, told which inequality of the table fails?"""
    for weights, named in {"[0.0, 1.0, 1.0]": "w0 < 0 fails", "[-1.0, 0.5, 1.0]": "w1 ≥ −w0 fails",
                           "[-1.0, 1.0, 0.5]": "w2 ≥ −w0 fails"}.items():
        failed = failing_checks(A1, "a1.or_weights", f"def or_weights():\n    return np.array({weights})\n")
        assert named in failed["test_or_weights_compute_or"], failed
        assert "Not OR" in failed["test_or_weights_on_repeated_inputs"], failed


def test_mp_thresholds_swapped():
    """Do swapped AND and OR thresholds get the hint that names the other gate's threshold?"""
    failed = failing_checks(A1, "a1.mp_thresholds", 'def mp_thresholds(n):\n    return {"and": 1, "or": n}\n')
    assert "OR's threshold" in failed["test_mp_thresholds_example"]
    assert "OR's threshold" in failed["test_mp_thresholds_for_your_n"]
    assert "fires like an OR" in failed["test_mp_thresholds_compute_and_and_or"]


def test_xor_network_wrong_shapes():
    """Does a flattened W1 fail the shape check with the shape hint?"""
    assert_fails("a1.xor_network", """
        def xor_network():
            return np.array([1., -1., -1., 1.]), np.array([-.5, -.5]), np.array([1., 1.]), -.5
        """, {"test_xor_network_shapes": "one row per hidden unit"})


BOOLEAN_TEMPLATE = """
def boolean_network(truth_table):
    t = np.asarray(truth_table); n = {n}
    P = (np.arange(2**n)[:, None] >> np.arange({order})) & 1
    return 2.0 * P - 1.0, -P.sum(1).astype(float), t.astype(float), {b2}
"""


def test_boolean_network_reversed_bit_order():
    """Does x₁ as the least significant bit get the binary-order hint?"""
    code = BOOLEAN_TEMPLATE.format(n="int(np.log2(t.size))", order="n", b2="-0.5")
    failed = failing_checks(A1, "a1.boolean_network", code)
    assert "least significant" in failed["test_boolean_network_for_your_function"]


def test_boolean_network_output_bias_zero():
    """Does an output bias of 0 (the output then always fires) fail with the detector/OR hint?"""
    code = BOOLEAN_TEMPLATE.format(n="int(np.log2(t.size))", order="n - 1, -1, -1", b2="0.0")
    failed = failing_checks(A1, "a1.boolean_network", code)
    assert "bias −½" in failed["test_boolean_network_for_your_function"]
    assert "−½" in failed["test_boolean_network_constant_functions_and_one_input"]


def test_boolean_network_names_the_layer_at_fault():
    """Are right detectors with a wrong output unit, and 0/1 detector weights, told which layer is wrong?"""
    output_wrong = BOOLEAN_TEMPLATE.format(n="int(np.log2(t.size))", order="n - 1, -1, -1", b2="0.5")
    failed = failing_checks(A1, "a1.boolean_network", output_wrong)
    assert "detectors are right" in failed["test_boolean_network_for_your_function"]
    assert "detectors are right" in failed["test_boolean_network_every_function_of_two_inputs"]
    detectors_wrong = output_wrong.replace("2.0 * P - 1.0", "1.0 * P").replace(", 0.5", ", -0.5")
    failed = failing_checks(A1, "a1.boolean_network", detectors_wrong)
    assert "must fire on pattern k only" in failed["test_boolean_network_for_your_function"]
    assert "must fire on pattern k only" in failed["test_boolean_network_five_inputs"]


def test_boolean_network_names_a_bit_range_off_by_one_and_the_bias_axis():
    """Are one column too many in W1 and the pattern sums taken over the wrong axis named?"""
    right = BOOLEAN_TEMPLATE.format(n="int(np.log2(t.size))", order="n - 1, -1, -1", b2="-0.5")
    failed = failing_checks(A1, "a1.boolean_network", right.replace("np.arange(n - 1, -1, -1)", "np.arange(n, -1, -1)"))
    assert "one too many" in failed["test_boolean_network_for_your_function"], failed
    failed = failing_checks(A1, "a1.boolean_network", right.replace("P.sum(1)", "P.sum(0)"))
    assert "along its row (axis=1)" in failed["test_boolean_network_for_your_function"], failed


def test_boolean_network_only_three_inputs():
    """Does a network hard-wired to n = 3 lose the checks on other n with the any-n hint?"""
    code = BOOLEAN_TEMPLATE.format(n="3", order="n - 1, -1, -1", b2="-0.5")
    failed = failing_checks(A1, "a1.boolean_network", code)
    assert "test_boolean_network_for_your_function" not in failed
    assert {"test_boolean_network_for_xor", "test_boolean_network_every_function_of_two_inputs",
            "test_boolean_network_five_inputs"} <= set(failed)
    assert "any n" in failed["test_boolean_network_five_inputs"]
