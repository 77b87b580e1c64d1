"""Assignment a3 (activations, losses, metrics): variants, verification, wrong answers, public checks."""
from __future__ import annotations

import functools
import json
import textwrap

import numpy as np
import pytest

from exercises import dlcheck
from exercises.model import get_exercise, reference_namespace, variant_params
from exercises.verify import record_public_checks, run_checks_locally, verify_variant
from reference import activations, metrics

A3 = ("a3.activations", "a3.softmax", "a3.regression_losses", "a3.classification_losses", "a3.metrics")
SECRETS = (b"a3 tests secret", b"another course")
STUDENTS = [f"a3-{i:03d}" for i in range(50)]
MANY = [f"many-{i:04d}" for i in range(200)]


@functools.cache
def params_of(key: str, student: str, secret: bytes = SECRETS[0]) -> dict:
    return variant_params(get_exercise(key), secret, student)


@functools.cache
def model_cell(key: str, student: str) -> str:
    return get_exercise(key).solution_cell(params_of(key, student))


def outcomes_with(key: str, wrong_code: str, student: str = "a3-000") -> dict[str, dlcheck.Outcome]:
    """Every check of ``key`` run on the model answer with ``wrong_code`` pasted after it."""
    exercise, params = get_exercise(key), params_of(key, student)
    cell = model_cell(key, student)
    wrong = reference_namespace([cell, textwrap.dedent(wrong_code)])
    results = run_checks_locally([exercise], wrong, reference_namespace([cell]), {key: params})
    return {r.check: dlcheck.Outcome(r.status, r.message, r.hint) for r in results}


def failed(results: dict[str, dlcheck.Outcome]) -> set[str]:
    return {name for name, outcome in results.items() if outcome.status != dlcheck.PASSED}


# --------------------------------------------------------------------------
# The model answer earns every point, the stub none
# --------------------------------------------------------------------------
@pytest.mark.parametrize("key", A3)
def test_model_answer_full_marks_and_stub_zero(key):
    """On 50 students' variants (and two other course secrets), does the model answer pass every check and the stub none?"""
    exercise = get_exercise(key)
    cases = [(SECRETS[0], s) for s in STUDENTS] + [(secret, "a3-000") for secret in SECRETS[1:]]
    for secret, student in cases:
        assert verify_variant([exercise], {key: params_of(key, student, secret)}) == [], (secret, student)


@pytest.mark.parametrize("key", A3)
def test_checks_are_worth_one_or_two_points_and_hidden_ones_hint(key):
    """Does each exercise have public and hidden checks of 1–2 points, every hidden one with a hint?"""
    exercise = get_exercise(key)
    assert 2 <= len(exercise.public_checks) and 2 <= len(exercise.hidden_checks)
    assert all(c.points in (1, 2) for c in exercise.checks)
    assert all(c.hint for c in exercise.hidden_checks)


# --------------------------------------------------------------------------
# Public checks as shipped: numpy and the dlcheck API only, reference values replayed
# --------------------------------------------------------------------------
def notebook_check(key: str, student: str, namespace: dict) -> list[tuple[str, dlcheck.Outcome, float]]:
    """Run the public checks as the student's check cell does, from public checks round-tripped through JSON."""
    exercise, params = get_exercise(key), params_of(key, student)
    recorded = record_public_checks(exercise, params, reference_namespace([model_cell(key, student)]))
    checks = json.loads(json.dumps({"exercises": {key: {"title": exercise.title, "checks": recorded,
                                                        "params": dlcheck.to_jsonable(params)}}}))
    return dlcheck.run_public_checks(key, namespace, checks=checks)


@pytest.mark.parametrize("key", A3)
def test_public_checks_run_with_numpy_and_dlcheck_only(key):
    """Do the shipped public checks pass on the model answer and fail on the stub, with only np and dlcheck in scope?"""
    from exercises.model import clear_solutions
    for student in STUDENTS[:3]:
        cell = model_cell(key, student)
        model = notebook_check(key, student, reference_namespace([cell]))
        assert [name for name, outcome, _ in model if outcome.status != dlcheck.PASSED] == []
        stub = notebook_check(key, student, reference_namespace([clear_solutions(cell)]))
        assert all(outcome.status != dlcheck.PASSED for _, outcome, _ in stub)


def test_public_check_in_the_notebook_names_the_mistake():
    """Does a squared MAE, checked in the notebook, get the typo hint?"""
    cell = model_cell("a3.regression_losses", "a3-000")
    namespace = reference_namespace([cell, "def mae(y, y_hat):\n    return float(np.mean((y_hat - y) ** 2))\n"])
    results = dict((name, outcome) for name, outcome, _ in
                   notebook_check("a3.regression_losses", "a3-000", namespace))
    assert "not its square" in results["test_losses_on_your_data"].hint


# --------------------------------------------------------------------------
# Variants: deterministic, spread, never degenerate
# --------------------------------------------------------------------------
@pytest.mark.parametrize("key", A3)
def test_variants_are_deterministic_and_spread(key):
    """Does a student always get the same numbers, and do 40 students get at least 35 different variants?"""
    exercise = get_exercise(key)
    first = [json.dumps(variant_params(exercise, SECRETS[0], s)) for s in MANY[:40]]
    assert [json.dumps(variant_params(exercise, SECRETS[0], s)) for s in MANY[:40]] == first
    assert len(set(first)) >= 35
    assert json.dumps(variant_params(exercise, SECRETS[1], MANY[0])) != first[0]


def test_activation_variants_avoid_the_kink():
    """Over 200 students: are the inputs distinct, of both signs and at least 0.2 from the kink at 0?"""
    for student in MANY:
        p = params_of("a3.activations", student)
        z = np.array(p["z"])
        assert np.min(np.abs(z)) >= 0.2 - 1e-12 and (z < 0).sum() >= 2 and (z > 0).sum() >= 2
        assert len(set(p["z"])) == 6 and 0.05 <= p["alpha"] <= 0.5 and 0.5 <= p["elu_alpha"] <= 2.0


def test_softmax_variants_have_no_near_ties_and_a_non_square_batch():
    """Over 200 students: are the logits 0.2 apart and the batch's two axes of different lengths?"""
    for student in MANY:
        p = params_of("a3.softmax", student)
        assert np.min(np.diff(np.sort(p["z"]))) >= 0.2 - 1e-9
        n, k = np.shape(p["Z"])
        assert n != k and 3 <= len(p["z"]) <= 5


def test_regression_variants_keep_errors_off_the_kinks():
    """Over 200 students: is every error clear of 0 and of ±δ, with both Huber branches used?"""
    for student in MANY:
        p = params_of("a3.regression_losses", student)
        a, delta = np.abs(np.subtract(p["y_hat"], p["y"])), p["delta"]
        assert np.min(a) >= 0.1 - 1e-9 and np.min(np.abs(a - delta)) >= 0.1 - 1e-9
        assert (a < delta).sum() >= 2 and (a > delta).sum() >= 2


def test_classification_variants_are_proper_distributions():
    """Over 200 students: both binary classes, one-hot rows matching the labels, probability rows summing to 1?"""
    for student in MANY:
        p = params_of("a3.classification_losses", student)
        assert set(p["y"]) == {0, 1} and all(0 < v < 1 for v in p["p"])
        P, Y = np.array(p["P"]), np.array(p["Y"])
        assert np.allclose(P.sum(axis=1), 1.0) and P.min() >= 0.02
        assert np.array_equal(Y.argmax(axis=1), p["labels"]) and np.array_equal(Y.sum(axis=1), np.ones(len(Y)))
        assert P.shape[0] != P.shape[1]


def test_metric_variants_avoid_thresholds_ties_and_empty_counts():
    """Over 200 students: no probability on a threshold, four distinct non-zero counts, no score ties, k matters?"""
    for student in MANY:
        p = params_of("a3.metrics", student)
        probs, y = np.array(p["p"]), np.array(p["y"])
        assert np.min(np.abs(probs - 0.5)) >= 0.04 - 1e-9 and np.min(np.abs(probs - p["threshold"])) >= 0.03 - 1e-9
        counts = metrics.confusion_counts(y, (probs > 0.5).astype(int))
        assert min(counts) > 0 and len(set(counts)) == 4
        scores = np.array(p["scores"])
        assert all(len(set(row)) == len(row) for row in scores.tolist())
        hits = {metrics.top_k_accuracy(np.array(p["labels"]), scores, k) for k in (1, 2, 3)}
        assert len(hits) == 3
        assert abs(metrics.kl_divergence(np.array(p["P"]), np.array(p["Q"]))
                   - metrics.kl_divergence(np.array(p["Q"]), np.array(p["P"]))) >= 1e-3


# --------------------------------------------------------------------------
# Wrong answers lose the checks they should, with the designed hint
# --------------------------------------------------------------------------
SIGMOID_GRAD_S_1_MINUS_Z = """
def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - z)
"""
TANH_GRAD_NO_SQUARE = """
def tanh_grad(z):
    return 1 - np.tanh(z)
"""
NAIVE_SIGMOID = """
def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
"""
ELU_EXP_OF_EVERYTHING = """
def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))
"""
RELU_GRAD_ONE_AT_ZERO = """
def relu_grad(z):
    return (np.asarray(z, dtype=float) >= 0).astype(float)
"""
GRADS = {"test_derivatives_on_your_inputs", "test_derivatives_match_your_functions",
         "test_scalars_and_batches", "test_stable_for_large_inputs"}


@pytest.mark.parametrize("code, hint", [(SIGMOID_GRAD_S_1_MINUS_Z, "s(1 − s)"),
                                        (TANH_GRAD_NO_SQUARE, "1 − tanh²")])
def test_wrong_activation_derivatives_get_their_hint(code, hint):
    """Does σ' = s(1 − z), or tanh' = 1 − tanh, lose the derivative checks and name the mistake?"""
    results = outcomes_with("a3.activations", code)
    assert failed(results) == GRADS
    assert hint in results["test_derivatives_on_your_inputs"].hint
    assert hint in results["test_scalars_and_batches"].hint


@pytest.mark.parametrize("code, hint", [
    ("def tanh_grad(z):\n    return 1 + np.tanh(z) ** 2\n", "you added the square"),
    ("def sigmoid_grad(z):\n    s = sigmoid(z)\n    return s * (1 + s)\n", "you wrote s(1 + s)"),
    ("def silu_grad(z):\n    s = sigmoid(z)\n    return s * (1 - z * (1 - s))\n", "The product rule adds"),
    ("import math\ndef gelu_grad(z):\n    z = np.asarray(z, dtype=float)\n"
     "    cdf = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))\n"
     "    return cdf - z * np.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)\n", "The product rule adds"),
    ("import math\ndef gelu(z):\n    z = np.asarray(z, dtype=float)\n"
     "    return z * 0.5 * (1 + np.vectorize(math.erf)(z))\n", "divide erf's argument by √2"),
])
def test_sign_slips_in_derivatives_and_gelu_without_root_2_are_named(code, hint):
    """Are a sign slip in σ' or tanh', a product rule that subtracts (SiLU', GELU') and GELU's erf(z)
    without /√2 named by the public check on the student's inputs?"""
    results = outcomes_with("a3.activations", code)
    public = "test_activations_on_your_inputs" if "def gelu(" in code else "test_derivatives_on_your_inputs"
    assert hint in results[public].hint, results[public].hint


@pytest.mark.parametrize("code", [NAIVE_SIGMOID, ELU_EXP_OF_EVERYTHING])
def test_activations_that_only_warn_keep_their_points(code):
    """Does a textbook σ (or an ELU exponentiating every z), whose values stay right and which only
    prints numpy's overflow warning, keep every point? Printed output never decides a point."""
    assert failed(outcomes_with("a3.activations", code)) == set()


SIGMOID_EXP_OVER_ONE_PLUS_EXP = """
def sigmoid(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / (1 + e)
"""
SOFTPLUS_LOG_ONE_PLUS_EXP = """
def softplus(z):
    return np.log(1 + np.exp(np.asarray(z, dtype=float)))
"""


@pytest.mark.parametrize("code", [SIGMOID_EXP_OVER_ONE_PLUS_EXP, SOFTPLUS_LOG_ONE_PLUS_EXP])
def test_activations_whose_values_overflow_lose_only_the_stability_check(code):
    """Does an activation that returns nan or inf for large |z| lose only the |z| ≤ 1e4 check, with the
    stability hint?"""
    results = outcomes_with("a3.activations", code)
    assert failed(results) == {"test_stable_for_large_inputs"}
    assert "finite and warning-free" in results["test_stable_for_large_inputs"].hint


def test_relu_derivative_convention_at_zero_is_not_punished():
    """Is ReLU'(0) = 1 (another convention at the kink) accepted, since no check evaluates it at 0?"""
    assert failed(outcomes_with("a3.activations", RELU_GRAD_ONE_AT_ZERO)) == set()


SOFTMAX_WITHOUT_MAX = """
def softmax(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=float))
    return e / np.sum(e, axis=axis, keepdims=True)
"""
SOFTMAX_OVER_COLUMNS = """
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
"""
JACOBIAN_DIAGONAL_ONLY = """
def softmax_jacobian(z):
    y = softmax(z)
    return np.diag(y * (1 - y))
"""


def test_softmax_without_the_max_loses_only_stability():
    """Does a softmax that skips the max subtraction lose only the large-logit check, with the max hint?"""
    results = outcomes_with("a3.softmax", SOFTMAX_WITHOUT_MAX)
    assert failed(results) == {"test_softmax_is_stable_for_large_logits"}
    assert "Subtract the maximum" in results["test_softmax_is_stable_for_large_logits"].hint


def test_softmax_over_the_wrong_axis_is_named():
    """Does a softmax normalising the columns of a batch lose the batch checks with the axis hint?"""
    results = outcomes_with("a3.softmax", SOFTMAX_OVER_COLUMNS)
    assert {"test_softmax_on_your_logits", "test_softmax_along_any_axis"} <= failed(results)
    assert failed(results) <= {"test_softmax_on_your_logits", "test_softmax_along_any_axis",
                               "test_softmax_is_stable_for_large_logits"}
    assert "axis 0" in results["test_softmax_on_your_logits"].hint
    assert "axis" in results["test_softmax_along_any_axis"].hint


def test_jacobian_without_off_diagonal_is_named():
    """Does a diagonal-only Jacobian lose the Jacobian checks and hear about the off-diagonal entries?"""
    results = outcomes_with("a3.softmax", JACOBIAN_DIAGONAL_ONLY)
    assert failed(results) == {"test_softmax_jacobian_on_your_logits", "test_softmax_jacobian_matches_your_softmax",
                               "test_softmax_is_stable_for_large_logits"}
    assert "off-diagonal" in results["test_softmax_jacobian_on_your_logits"].hint


MAE_SQUARED = """
def mae(y, y_hat):
    return float(np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2))
"""
HUBER_WITHOUT_HALF = """
def huber(y, y_hat, delta=1.0):
    a = np.abs(np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float))
    return float(np.mean(np.where(a <= delta, a ** 2, delta * (a - 0.5 * delta))))
"""
HUBER_GRAD_WITHOUT_HALF = """
def huber_grad(y, y_hat, delta=1.0):
    e = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.where(np.abs(e) <= delta, 2 * e, delta * np.sign(e)) / e.size
"""
MSE_SUMMED = """
def mse(y, y_hat):
    return float(np.sum((np.asarray(y_hat) - np.asarray(y)) ** 2))
"""
MSE_GRAD_WRONG_SIGN = """
def mse_grad(y, y_hat):
    return 2 * (np.asarray(y) - np.asarray(y_hat)) / np.size(y)
"""
LOSS_CHECKS = {"test_losses_at_the_example", "test_losses_on_your_data", "test_batches_and_defaults",
               "test_gradients_match_your_losses"}


@pytest.mark.parametrize("code, hint", [(MAE_SQUARED, "not its square"), (HUBER_WITHOUT_HALF, "½e²")])
def test_loss_typos_of_the_notes_are_named(code, hint):
    """Does MAE squared (notes 000) or Huber without ½ (notes 004) lose the loss checks with the typo hint?"""
    results = outcomes_with("a3.regression_losses", code)
    assert failed(results) == LOSS_CHECKS
    for name in LOSS_CHECKS - {"test_gradients_match_your_losses"}:
        assert hint in results[name].hint, name


@pytest.mark.parametrize("linear_branch, hint", [("delta * (a + 0.5 * delta)", "you added the ½δ"),
                                                  ("delta * a", "does not meet ½e²"),
                                                  ("delta * (a - delta)", "with ½δ, not δ")])
def test_huber_linear_branch_slips_are_named(linear_branch, hint):
    """Is a wrong constant term in Huber's linear branch (+½δ, none, δ) named on the student's data?"""
    code = ("def huber(y, y_hat, delta=1.0):\n    a = np.abs(np.asarray(y_hat, float) - np.asarray(y, float))\n"
            f"    return float(np.mean(np.where(a <= delta, 0.5 * a ** 2, {linear_branch})))\n")
    assert hint in outcomes_with("a3.regression_losses", code)["test_losses_on_your_data"].hint


def test_huber_gradient_without_half_is_named():
    """Does a Huber gradient of 2e in the quadratic branch hear that the slope is e?"""
    results = outcomes_with("a3.regression_losses", HUBER_GRAD_WITHOUT_HALF)
    assert failed(results) == {"test_gradients_on_your_data", "test_gradients_match_your_losses",
                               "test_batches_and_defaults"}
    assert "not 2e" in results["test_gradients_on_your_data"].hint


def test_sum_instead_of_mean_and_wrong_sign_are_named():
    """Does a summed MSE hear about the factor n, and a flipped gradient about the sign?"""
    summed = outcomes_with("a3.regression_losses", MSE_SUMMED)
    assert "factor of n" in summed["test_losses_on_your_data"].hint
    assert "factor of n = 6" in summed["test_batches_and_defaults"].hint  # all 3 × 2 elements
    flipped = outcomes_with("a3.regression_losses", MSE_GRAD_WRONG_SIGN)
    assert failed(flipped) == {"test_gradients_on_your_data", "test_gradients_match_your_losses",
                               "test_batches_and_defaults"}
    assert "sign is flipped" in flipped["test_gradients_on_your_data"].hint


BCE_WITHOUT_MINUS = """
def binary_cross_entropy(y, p, eps=1e-12):
    y, p = np.asarray(y, dtype=float), np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
"""
BCE_WITHOUT_CLIP = """
def binary_cross_entropy(y, p, eps=1e-12):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
"""
CCE_SUMMED = """
def categorical_cross_entropy(Y, P, eps=1e-12):
    return float(-np.sum(np.asarray(Y) * np.log(np.clip(np.asarray(P, dtype=float), eps, 1.0))))
"""
SOFTMAX_CE_GRAD_WITHOUT_N = """
def softmax_cross_entropy_grad(Z, Y):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) - Y
"""
SOFTMAX_CE_GRAD_WITHOUT_MAX = """
def softmax_cross_entropy_grad(Z, Y):
    e = np.exp(np.asarray(Z, dtype=float))
    return (e / e.sum(axis=-1, keepdims=True) - Y) / np.asarray(Z).shape[0]
"""


def test_bce_without_minus_is_named():
    """Does BCE without its minus sign lose the loss checks and hear about the minus?"""
    results = outcomes_with("a3.classification_losses", BCE_WITHOUT_MINUS)
    edge = "test_certain_predictions_single_samples_and_large_logits"
    assert failed(results) == {"test_cross_entropies_at_the_example", "test_cross_entropies_on_your_data",
                               "test_gradients_match_your_losses", edge}
    assert "minus" in results[edge].hint
    assert "minus sign" in results["test_cross_entropies_at_the_example"].hint
    assert "minus sign" in results["test_cross_entropies_on_your_data"].hint


def test_cce_summed_instead_of_averaged_is_named():
    """Does CCE summed over the samples hear that the mean over the rows was wanted?"""
    results = outcomes_with("a3.classification_losses", CCE_SUMMED)
    assert failed(results) == {"test_cross_entropies_at_the_example", "test_cross_entropies_on_your_data",
                               "test_gradients_match_your_losses"}
    assert "mean over the samples" in results["test_cross_entropies_on_your_data"].hint


def test_softmax_gradient_mistakes_are_named():
    """Does (softmax − Y) without /n hear about n, and a softmax without the max fail only at ±1e4?"""
    results = outcomes_with("a3.classification_losses", SOFTMAX_CE_GRAD_WITHOUT_N)
    assert failed(results) == {"test_gradients_on_your_data", "test_gradients_match_your_losses",
                               "test_certain_predictions_single_samples_and_large_logits"}
    assert "Divide by n" in results["test_gradients_on_your_data"].hint
    results = outcomes_with("a3.classification_losses", SOFTMAX_CE_GRAD_WITHOUT_MAX)
    assert failed(results) == {"test_certain_predictions_single_samples_and_large_logits"}


def test_softmax_gradient_with_the_column_maxima_is_named():
    """Is a softmax CE gradient that subtracts the column maxima (axis=0) instead of each row's named?"""
    code = ("def softmax_cross_entropy_grad(Z, Y):\n    Z = np.asarray(Z, float)\n    e = np.exp(Z - Z.max(axis=0))\n"
            "    return (e / e.sum(axis=-1, keepdims=True) - Y) / len(Z)\n")
    results = outcomes_with("a3.classification_losses", code)
    assert "each row's own maximum" in results["test_gradients_on_your_data"].hint


def test_bce_without_clipping_fails_only_on_certain_predictions():
    """Does an unclipped BCE (nan for p = 0 or 1) lose only the edge-case check, with the clipping hint?"""
    results = outcomes_with("a3.classification_losses", BCE_WITHOUT_CLIP)
    assert failed(results) == {"test_certain_predictions_single_samples_and_large_logits"}
    assert "Clip" in results["test_certain_predictions_single_samples_and_large_logits"].hint


PRECISION_IS_RECALL = """
def precision(y, y_pred):
    tp, _, _, fn = confusion_counts(y, y_pred)
    return tp / (tp + fn) if tp + fn else 0.0
"""
RMSE_WITHOUT_ROOT = """
def rmse(y, y_hat):
    return float(np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2))
"""
MAPE_AS_FRACTION = """
def mape(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return float(np.mean(np.abs(y - y_hat) / np.maximum(np.abs(y), 1e-7)))
"""
MSLE_WITH_LOG = """
def msle(y, y_hat):
    return float(np.mean((np.log(np.asarray(y, dtype=float)) - np.log(np.asarray(y_hat, dtype=float))) ** 2))
"""
KL_REVERSED = """
def kl_divergence(P, Q):
    P, Q = np.clip(np.asarray(P, dtype=float), 1e-7, 1), np.clip(np.asarray(Q, dtype=float), 1e-7, 1)
    return float(np.mean(np.sum(Q * np.log(Q / P), axis=-1)))
"""
TOP_K_IS_TOP_1 = """
def top_k_accuracy(labels, P, k):
    return float(np.mean(np.argmax(P, axis=-1) == np.asarray(labels)))
"""
COUNTS_IN_ANOTHER_ORDER = """
def confusion_counts(y, y_pred):
    y, y_pred = np.asarray(y) == 1, np.asarray(y_pred) == 1
    return (int(np.sum(y & y_pred)), int(np.sum(~y & y_pred)), int(np.sum(~y & ~y_pred)), int(np.sum(y & ~y_pred)))
"""
THRESHOLD_IGNORED = """
def binary_accuracy(y, p, threshold=0.5):
    return float(np.mean((np.asarray(p) > 0.5) == (np.asarray(y) == 1)))
"""
PRECISION_UNGUARDED = """
def precision(y, y_pred):
    tp, _, fp, _ = confusion_counts(y, y_pred)
    return tp / (tp + fp)
"""
CLASSIFICATION = "test_classification_metrics_on_your_data"
REGRESSION = "test_regression_and_distribution_metrics_on_your_data"


@pytest.mark.parametrize("code, lost, hint", [
    (PRECISION_IS_RECALL, {"test_metrics_at_the_example", CLASSIFICATION}, "That is the recall"),
    (COUNTS_IN_ANOTHER_ORDER, {"test_metrics_at_the_example", CLASSIFICATION, "test_edge_cases_and_shapes"},
     "(tp, tn, fp, fn)"),
    (TOP_K_IS_TOP_1, {CLASSIFICATION, "test_thresholds_and_k"}, "top-1 accuracy"),
    (RMSE_WITHOUT_ROOT, {REGRESSION, "test_edge_cases_and_shapes"}, "square root"),
    (MAPE_AS_FRACTION, {REGRESSION, "test_edge_cases_and_shapes"}, "percent"),
    (MSLE_WITH_LOG, {REGRESSION, "test_edge_cases_and_shapes"}, "log1p"),
    (KL_REVERSED, {REGRESSION, "test_edge_cases_and_shapes"}, "not symmetric"),
])
def test_metric_mistakes_are_named(code, lost, hint):
    """Does each typical metric mistake lose exactly its checks, and does the first one name it?"""
    results = outcomes_with("a3.metrics", code)
    assert failed(results) == lost
    named = next(name for name in ("test_metrics_at_the_example", CLASSIFICATION, REGRESSION) if name in lost)
    assert hint in results[named].hint


CATEGORICAL_COUNT = """
def categorical_accuracy(Y, P):
    return float(np.sum(np.argmax(Y, axis=-1) == np.argmax(P, axis=-1)))
"""
PRECISION_OF_NOTHING_IS_ONE = PRECISION_UNGUARDED.replace("return tp / (tp + fp)", "return tp / (tp + fp) if tp + fp else 1.0")


def test_accuracy_counts_and_the_zero_division_convention_are_named():
    """Is an accuracy that counts the matches named as a count, and precision 1.0 of nothing predicted named?"""
    assert "not their count" in outcomes_with("a3.metrics", CATEGORICAL_COUNT)[CLASSIFICATION].hint
    results = outcomes_with("a3.metrics", PRECISION_OF_NOTHING_IS_ONE)
    assert failed(results) == {"test_edge_cases_and_shapes"}
    assert "your precision is 1.0" in results["test_edge_cases_and_shapes"].hint


def test_poisson_without_its_epsilon_loses_the_edge_case():
    """Does a Poisson loss without the ε of ln(ŷ + ε) lose the hidden edge-case check (NaN at a zero rate)?"""
    code = ("def poisson(y, y_hat):\n    y, y_hat = np.asarray(y, float), np.asarray(y_hat, float)\n"
            "    return float(np.mean(y_hat - y * np.log(y_hat)))\n")
    results = outcomes_with("a3.metrics", code)
    assert failed(results) == {"test_edge_cases_and_shapes"}
    assert "inf or NaN" in results["test_edge_cases_and_shapes"].hint


def test_hidden_metric_conventions():
    """Does an ignored threshold, or a precision dividing by zero, lose only the hidden check that tests it?"""
    results = outcomes_with("a3.metrics", THRESHOLD_IGNORED)
    assert failed(results) == {"test_thresholds_and_k"}
    assert "threshold argument" in results["test_thresholds_and_k"].hint
    assert failed(outcomes_with("a3.metrics", PRECISION_UNGUARDED)) == {"test_edge_cases_and_shapes"}


def test_hidden_hints_never_show_numbers_of_the_variant():
    """Do the hidden checks' hints stay free of the student's numbers (checked on 10 variants)?"""
    for key in A3:
        exercise = get_exercise(key)
        for student in STUDENTS[:10]:
            numbers = {json.dumps(v) for value in params_of(key, student).values()
                       for v in np.ravel(np.array(value, dtype=object)).tolist() if isinstance(v, float)}
            for check in exercise.hidden_checks:
                assert not any(n in check.hint for n in numbers if len(n) > 3), (key, check.name)


def test_reference_values_the_prompts_quote():
    """Are the example values quoted in the prompts the course formulas' values (hand-computed)?"""
    assert np.allclose(activations.sigmoid(np.array([-2.0, 2.0])), [1 / (1 + np.e ** 2), 1 / (1 + np.e ** -2)])
    bce = -(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3
    assert f"{bce:.6f}" in get_exercise("a3.classification_losses").prompt(params_of("a3.classification_losses", "x"))
    cce = -(np.log(0.7) + np.log(0.4)) / 2
    assert f"{cce:.6f}" in get_exercise("a3.classification_losses").prompt(params_of("a3.classification_losses", "x"))
    huber = (0.5 * 0.25 + 0.5 * 0.04 + (2 - 0.5) + (1.4 - 0.5)) / 4
    assert f"{huber:g}" in get_exercise("a3.regression_losses").prompt(params_of("a3.regression_losses", "x"))
