"""Tests for the a5 exercises (training): variants, model answer vs stub, named mistakes.

``a5.train`` and ``a5.train_xor`` train networks in their checks, so they are
verified on 6 students (about 1 s each) instead of 50; their cells need the
``a5.batching`` and ``a5.preprocessing`` answers (``minibatches``, ``xavier_init``).
"""
from __future__ import annotations

import pytest

from exercises.dlcheck import PASSED
from exercises.model import get_exercise, reference_namespace
from tests.exercises.support_a4_a5 import (
    STUDENTS,
    assert_full_marks_and_stub_zero,
    assert_public_checks_self_contained,
    assert_variants_deterministic_and_spread,
    failing,
    outcomes,
    params_of,
    run_public_checks_sandboxed,
    verify_with_dependencies,
)

FAST = ["a5.batching", "a5.diagnose_fit", "a5.early_stopping", "a5.fibonacci", "a5.optimizers", "a5.preprocessing"]
TRAINING_DEPENDENCIES = {"a5.train": ["a5.batching", "a5.preprocessing"],
                         "a5.train_xor": ["a5.batching", "a5.preprocessing", "a5.train"]}


@pytest.mark.parametrize("key", FAST)
def test_model_answer_full_marks_stub_zero(key):
    """Does the model answer earn every point and the untouched stub none, for 50 students and other secrets?"""
    assert_full_marks_and_stub_zero(key)


@pytest.mark.parametrize("key", sorted(TRAINING_DEPENDENCIES))
def test_training_exercises_full_marks_stub_zero(key):
    """With the earlier a5 cells answered, does the model answer earn every point and the stub none (6 students)?"""
    for student in STUDENTS[:6]:
        assert verify_with_dependencies(key, TRAINING_DEPENDENCIES[key], student) == [], student


@pytest.mark.parametrize("key", FAST + ["a5.train"])
def test_variants_are_deterministic_and_spread(key):
    """Does each student always get the same variant, and do 50 students get (nearly) 50 different ones?

    a5.fibonacci has only 10 variants (n = 21…30, small enough for the public check): 9 of them must occur.
    """
    if key == "a5.train":  # each a5.train variant trains three networks to rule out slow learners
        assert_variants_deterministic_and_spread(key, count=10, min_distinct=10)
    else:
        assert_variants_deterministic_and_spread(key, min_distinct=9 if key == "a5.fibonacci" else 45)


@pytest.mark.parametrize("key", FAST)
def test_public_checks_use_only_numpy_and_dlcheck(key):
    """Do the public checks pass on the model answer with only np and the dlcheck API in scope?"""
    assert_public_checks_self_contained(key)


@pytest.mark.parametrize("key", sorted(TRAINING_DEPENDENCIES))
def test_training_public_checks_use_only_numpy_and_dlcheck(key):
    """Do the training exercises' public checks pass as shipped (np and dlcheck only) on the model answer?"""
    exercises = [get_exercise(k) for k in TRAINING_DEPENDENCIES[key] + [key]]
    params = {e.key: params_of(e) for e in exercises}
    namespace = reference_namespace([e.solution_cell(params[e.key]) for e in exercises])
    assert run_public_checks_sandboxed(exercises[-1], params[key], namespace) == []


def test_every_check_is_worth_one_or_two_points():
    """Is every a5 check worth 1 or 2 points, and every hidden check given a hint?"""
    for key in FAST + sorted(TRAINING_DEPENDENCIES):
        for check in get_exercise(key).checks:
            assert check.points in (1, 2), (key, check.name)
            assert check.public or check.hint, (key, check.name)


def wrong(key: str, code: str, student: str = "student001") -> dict:
    keys = TRAINING_DEPENDENCIES.get(key, []) + [key]
    exercises = [get_exercise(k) for k in keys]
    return outcomes(exercises, exercises[-1], code, {e.key: params_of(e, student) for e in exercises})


def hints(results: dict) -> set[str]:
    return {hint for status, hint in results.values() if status != PASSED}


# --------------------------------------------------------------------------- batching
def test_floor_division_loses_the_last_batch():
    """Does n // b (the last, smaller batch forgotten) lose the update-count checks with that hint?"""
    code = "def updates_per_epoch(n_rows, batch_size, drop_last=False):\n    return n_rows // batch_size\n"
    results = wrong("a5.batching", code)
    assert failing(results) == {"test_the_notes_example", "test_your_data_set", "test_edge_cases"}
    assert any("last" in hint for hint in hints(results))


@pytest.mark.parametrize("code, lost", [
    ("""
def minibatches(X, y, batch_size, rng):
    return [(X[k:k + batch_size], y[k:k + batch_size]) for k in range(0, len(X), batch_size)]
""", {"test_every_row_once_per_epoch", "test_the_seed_decides_the_batches", "test_batches_follow_the_generators_state"}),
    ("""
def minibatches(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))
    return [(X[order[k:k + batch_size]], y[order[k:k + batch_size]]) for k in range(0, len(X), batch_size)]
""", {"test_the_seed_decides_the_batches", "test_batches_follow_the_generators_state"}),
    ("""
def minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[k:k + batch_size]], y[k:k + batch_size]) for k in range(0, len(X), batch_size)]
""", {"test_every_row_once_per_epoch", "test_the_seed_decides_the_batches", "test_batches_follow_the_generators_state"}),
])
def test_minibatch_mistakes(code, lost):
    """Do unshuffled, wrongly seeded or misaligned batches lose exactly the checks that see them?"""
    assert failing(wrong("a5.batching", code)) == lost


# --------------------------------------------------------------------------- train
def test_sgd_with_one_update_per_epoch_is_caught():
    """Does an 'sgd' that averages over the whole epoch (one update) fail the updates-per-epoch check?"""
    code = """
_train = train
def train(X, y, layer_sizes, activation, loss, method, lr, epochs, batch_size, seed, *, on_update=None):
    if method == "sgd":
        method = "batch"
    return _train(X, y, layer_sizes, activation, loss, method, lr, epochs, batch_size, seed)
"""
    results = wrong("a5.train", code)
    assert "test_updates_per_epoch_of_each_method" in failing(results)
    assert any("one per row" in hint for hint in hints(results))


def test_gradient_ascent_learns_nothing():
    """Does a training loop that adds the gradient fail the learning checks?"""
    code = """
_backward = backward
def backward(y, cache, params, activations, loss):
    return [(-dW, -db) for dW, db in _backward(y, cache, params, activations, loss)]
"""
    results = wrong("a5.train", code)
    assert {"test_every_method_learns", "test_updates_per_epoch_of_each_method",
            "test_cross_entropy_classification"} <= failing(results)


def test_train_xor_untrained_network_fails():
    """Does returning an untrained network fail the XOR truth table?"""
    code = "def train_xor():\n    return train(np.eye(2)[[0, 1, 1, 0]] * 0, np.zeros(4), [2, 2, 1], 'tanh', 'mse', 'batch', 1e-3, 1, 4, 0)[0]\n"
    results = wrong("a5.train_xor", code)
    assert failing(results) == {"test_xor_truth_table", "test_confident_and_reproducible"}


def test_train_xor_accepts_any_architecture():
    """Is a hand-made 2-2-1 tanh network that computes XOR credited in full (behaviour, not numbers)?"""
    code = """
def train_xor():
    W1 = np.array([[10.0, 10.0], [10.0, 10.0]]); b1 = np.array([-5.0, -15.0])
    W2 = np.array([[0.5, -0.5]]); b2 = np.array([0.0])
    return [(W1, b1), (W2, b2)]
"""
    assert failing(wrong("a5.train_xor", code)) == set()


# --------------------------------------------------------------------------- early stopping, fit
def test_early_stopping_one_epoch_late_is_named():
    """Does stopping when wait exceeds patience (one epoch late) fail with the 'one epoch late' message?"""
    code = """
def early_stopping_epoch(val_losses, min_delta=1e-4, patience=5):
    best, wait = float("inf"), 0
    for epoch, value in enumerate(val_losses):
        if value < best - abs(min_delta):
            best, wait = value, 0
        else:
            wait += 1
            if wait > patience:
                return epoch
    return len(val_losses) - 1
"""
    results = wrong("a5.early_stopping", code)
    assert "test_your_curve" in failing(results)
    assert any("wait >= patience" in hint for hint in hints(results))


def test_early_stopping_without_min_delta_is_caught():
    """Does ignoring min_delta (any decrease counts) lose the variant and the creeping-curve checks?"""
    code = "_f = early_stopping_epoch\ndef early_stopping_epoch(v, min_delta=1e-4, patience=5):\n    return _f(v, 0.0, patience)\n"
    results = wrong("a5.early_stopping", code)
    assert {"test_your_curve", "test_small_decreases_do_not_count"} <= failing(results)


def test_overfit_without_the_training_condition_is_caught():
    """Does calling every validation rise 'overfit' lose the rule-order check?"""
    code = """
def diagnose_fit(train_losses, val_losses):
    t, v = np.asarray(train_losses), np.asarray(val_losses)
    if t[-1] > 0.5 * t[0]:
        return "underfit"
    return "overfit" if v[-1] > 1.1 * v.min() else "good"
"""
    assert failing(wrong("a5.diagnose_fit", code)) == {"test_rising_validation_with_rising_training_is_not_overfitting"}


def test_diagnose_fit_variants_hold_all_three_kinds():
    """Does every student get one curve pair of each kind, in a shuffled order?"""
    from reference.training import diagnose_fit
    orders = set()
    for params in assert_variants_deterministic_and_spread("a5.diagnose_fit", count=60):
        kinds = [diagnose_fit(c["train"], c["val"]) for c in params["curves"]]
        assert sorted(kinds) == ["good", "overfit", "underfit"]
        orders.add(tuple(kinds))
    assert len(orders) >= 4


# --------------------------------------------------------------------------- preprocessing, optimizers, fibonacci
@pytest.mark.parametrize("code, lost, hint_part", [
    ("""
def standardize(X):
    X = np.asarray(X, float); m, s = X.mean(axis=0), X.std(axis=0, ddof=1)
    return (X - m) / s, m, s
""", {"test_standardize_your_data", "test_standardize_a_constant_column"}, "ddof=1"),
    ("""
def he_init(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_out, fan_in))
""", {"test_he_statistics", "test_one_call_on_the_generator"}, "not the variance"),
    ("""
def xavier_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))
""", {"test_xavier_statistics", "test_one_call_on_the_generator"}, "uniform"),
])
def test_preprocessing_mistakes(code, lost, hint_part):
    """Do the sample std, He's variance for its std and a normal Glorot lose their checks with a hint?"""
    results = wrong("a5.preprocessing", code)
    assert failing(results) == lost
    assert any(hint_part in hint for hint in hints(results)), hints(results)


ADAM = """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    {correction}
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
"""


@pytest.mark.parametrize("correction, lost, hint_part", [
    ("m_hat, v_hat = m, v", {"test_adam_first_step", "test_adam_several_steps"}, "bias correction is missing"),
    ("m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))", {"test_adam_several_steps"}, "off by one"),
])
def test_adam_mistakes_are_named(correction, lost, hint_part):
    """Do a missing bias correction and an off-by-one t lose their checks with the named hint?"""
    results = wrong("a5.optimizers", ADAM.format(correction=correction))
    assert lost <= failing(results) <= lost | {"test_adam_first_step"}
    assert any(hint_part in hint for hint in hints(results)), hints(results)


def test_clipping_each_array_separately_is_named():
    """Does clipping every array by its own norm fail with the 'global norm' hint?"""
    code = """
def clip_by_norm(grads, max_norm):
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]
"""
    results = wrong("a5.optimizers", code)
    assert "test_clip_your_gradients" in failing(results)
    assert any("global norm" in hint for hint in hints(results))


def test_momentum_with_the_wrong_sign_is_named():
    """Does v ← βv + ηg fail the momentum checks with the sign hint?"""
    code = """
def momentum_step(w, grad, velocity, lr, beta=0.9):
    velocity = beta * velocity + lr * grad
    return w + velocity, velocity
"""
    results = wrong("a5.optimizers", code)
    assert {"test_momentum_step", "test_works_on_matrices"} <= failing(results)
    assert any("minus" in hint for hint in hints(results))


def test_fibonacci_with_floats_is_not_exact():
    """Does Binet's float formula pass the small public checks but lose the exact hidden ones?"""
    code = """
def fibonacci(n):
    phi = (1 + 5 ** 0.5) / 2
    return int(round(phi ** n / 5 ** 0.5))
"""
    results = wrong("a5.fibonacci", code)
    assert failing(results) == {"test_exact_beyond_two_to_the_53", "test_fibonacci_300"}


def test_fibonacci_300_is_the_exact_integer():
    """Is the check's F_300 the integer the recurrence gives (computed here independently)?"""
    from exercises.a5_fibonacci import F_300
    a, b = 0, 1
    for _ in range(300):
        a, b = b, a + b
    assert a == F_300


def test_a_misread_fit_rule_is_named_by_what_it_does_to_the_curves():
    """Does calling every validation rise overfitting get the hint that good fits are called overfit, and
    does an underfitting bound of t[0] (not 0.5·t[0]) get the hint that underfits are called good?"""
    from exercises.a5_diagnose_fit import MISTAKE_CODE
    too_eager = hints(wrong("a5.diagnose_fit", MISTAKE_CODE["overfit when validation rose at all (the 10 % forgotten)"]))
    assert any(hint.startswith("Good fits are called overfit") for hint in too_eager), too_eager
    not_halved = MISTAKE_CODE["underfit only when training did not fall at all (t[0] for 0.5·t[0])"]
    assert any(hint.startswith("Underfits are called good") for hint in hints(wrong("a5.diagnose_fit", not_halved)))


@pytest.mark.parametrize("key, description, hint_part", [
    ("a5.early_stopping", "stopped when wait exceeds patience (one epoch late)", "one epoch late"),
    ("a5.early_stopping", "min_delta ignored (any decrease is an improvement)", "min_delta is not subtracted"),
    ("a5.early_stopping", "min_delta added (a small rise is an improvement)", "min_delta is added"),
    ("a5.early_stopping", "wait grows by 2 per epoch", "twice as fast"),
    ("a5.early_stopping", "wait never grows (training never stops)", "never stops"),
    ("a5.preprocessing", "X not centred (X / std)", "not centred"),
    ("a5.preprocessing", "divided by the variance", "divides by the variance"),
    ("a5.preprocessing", "Glorot drawn from a normal distribution", "not rng.normal"),
])
def test_catalogued_mistakes_are_named(key, description, hint_part):
    """Does each catalogued mistake (a misread stopping rule, an uncentred or variance-scaled standardisation, a
    normal Glorot draw) get a hint that names it, recognised from the exact values it gives?"""
    results = wrong(key, get_exercise(key).module.MISTAKE_CODE[description])
    assert any(hint_part in hint for hint in hints(results)), hints(results)
