"""Tests for the a4 exercises (backpropagation): variants, model answer vs stub, named mistakes."""
from __future__ import annotations

import numpy as np
import pytest

from exercises.a4_backprop_step import MISTAKE_CODE as STEP_MISTAKE_CODE, RIGHT_STEP, STEP_TEMPLATE
from exercises.dlcheck import PASSED
from exercises.model import get_exercise
from tests.exercises.support_a4_a5 import (
    assert_full_marks_and_stub_zero,
    assert_public_checks_self_contained,
    assert_variants_deterministic_and_spread,
    failing,
    outcomes,
    params_of,
)

A4 = ["a4.forward_backward", "a4.numerical_gradient", "a4.backprop_step", "a4.backprop_table",
      "a4.path_derivative", "a4.vanishing"]


@pytest.mark.parametrize("key", A4)
def test_model_answer_full_marks_stub_zero(key):
    """Does the model answer earn every point and the untouched stub none, for 50 students and other secrets?"""
    assert_full_marks_and_stub_zero(key)


@pytest.mark.parametrize("key", A4)
def test_variants_are_deterministic_and_spread(key):
    """Does each student always get the same variant, and do 50 students get (nearly) 50 different ones?"""
    assert_variants_deterministic_and_spread(key)


@pytest.mark.parametrize("key", A4)
def test_public_checks_use_only_numpy_and_dlcheck(key):
    """Do the public checks pass on the model answer with only np and the dlcheck API in scope?"""
    assert_public_checks_self_contained(key)


def test_every_check_is_worth_one_or_two_points():
    """Is every a4 check worth 1 or 2 points, and every hidden check given a hint?"""
    for key in A4:
        for check in get_exercise(key).checks:
            assert check.points in (1, 2), (key, check.name)
            assert check.public or check.hint, (key, check.name)


def wrong(key: str, code: str, student: str = "student001") -> dict:
    exercise = get_exercise(key)
    return outcomes([exercise], exercise, code, {key: params_of(exercise, student)})


def hints(results: dict) -> set[str]:
    return {hint for status, hint in results.values() if status != PASSED}


# --------------------------------------------------------------------------- forward / backward
def backward_variant(delta_line: str, hidden_line: str, dW_line: str = "delta.T @ H[layer]") -> str:
    return f"""
def backward(y, cache, params, activations, loss):
    H = [np.atleast_2d(h) for h in cache["h"]]
    A = [np.atleast_2d(a) for a in cache["a"]]
    n = H[0].shape[0]
    {delta_line}
    if loss == "mse":
        delta = delta * activation(activations[-1])[1](A[-1])
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        grads.insert(0, ({dW_line}, delta.sum(axis=0)))
        if layer > 0:
            g_prime = activation(activations[layer - 1])[1]
            {hidden_line}
    return grads
"""


MEAN = "delta = (H[-1] - np.atleast_2d(y)) / n"
HIDDEN = "delta = (delta @ np.asarray(params[layer][0])) * g_prime(A[layer - 1])"


@pytest.mark.parametrize("code, hint_part", [
    (backward_variant("delta = H[-1] - np.atleast_2d(y)", HIDDEN), "summed over the batch"),
    (backward_variant(MEAN, "delta = delta @ np.asarray(params[layer][0])"), "miss the factor g'"),
    (backward_variant(MEAN, "delta = (delta @ np.asarray(params[layer][0])) * g_prime(H[layer])"),
     "instead of the pre-activation"),
    (backward_variant(MEAN, HIDDEN, "H[layer].T @ delta"), "transposed"),
])
def test_backward_mistakes_are_named(code, hint_part):
    """Does a typical backward mistake lose the backward checks (not forward's) and get its named hint?"""
    results = wrong("a4.forward_backward", code, student="student002")  # a tanh network: g'(h) ≠ g'(a)
    assert failing(results) >= {"test_backward_on_your_network", "test_backward_on_a_deeper_network",
                                "test_backward_matches_finite_differences_of_your_forward"}
    assert not failing(results) & {"test_forward_on_your_network", "test_forward_of_one_sample",
                                   "test_forward_cache_holds_every_a_and_h"}
    assert any(hint_part in hint for hint in hints(results)), hints(results)


def test_transposed_weights_in_forward_fail_forward():
    """Does a forward computing H @ W (W read as (inputs, units)) fail the forward checks?"""
    code = """
def forward(x, params, activations):
    h = np.asarray(x, dtype=float)
    cache = {"a": [], "h": [h]}
    for (W, b), name in zip(params, activations):
        a = h @ np.asarray(W) + b
        h = activation(name)[0](a)
        cache["a"].append(a); cache["h"].append(h)
    return h, cache
"""
    results = wrong("a4.forward_backward", code)
    assert {"test_forward_on_your_network", "test_forward_of_one_sample"} <= failing(results)


def test_consistent_backward_of_a_custom_cache_passes_finite_differences():
    """Is a backward consistent with its own forward's cache layout credited by the finite-difference check?"""
    code = """
_forward = forward
_backward = backward
def forward(x, params, activations):
    out, cache = _forward(x, params, activations)
    return out, {"layers": list(zip(cache["a"], cache["h"][1:])), "x": cache["h"][0]}
def backward(y, cache, params, activations, loss):
    if "layers" in cache:
        cache = {"a": [a for a, _ in cache["layers"]], "h": [cache["x"]] + [h for _, h in cache["layers"]]}
    return _backward(y, cache, params, activations, loss)
"""
    results = wrong("a4.forward_backward", code)
    assert failing(results) == {"test_forward_cache_holds_every_a_and_h"}


# --------------------------------------------------------------------------- numerical gradient
@pytest.mark.parametrize("code, lost, hint_part", [
    ("""
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float); g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x); e[i] = h
        g[i] = (f(x + e) - f(x)) / h
    return g
""", {"test_gradient_of_a_cubic_at_your_point", "test_entries_are_put_back"}, "one-sided"),
    ("""
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float); g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h; fp = f(x); x[i] -= 2 * h
        g[i] = (fp - f(x)) / (2 * h)
    return g
""", {"test_entries_are_put_back", "test_gradient_keeps_the_shape_of_a_matrix"}, "back to its original value"),
    ("""
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x); g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + h; fp = f(x); x[i] = old - h; fm = f(x); x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g
""", {"test_integer_input"}, "float copy"),
    ("""
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float); g = np.zeros_like(x); h = 1e-5
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x); e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g
""", {"test_uses_the_given_step"}, "step h"),
    ("""
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float); g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x); e[i] = h
        g[i] = (f(x + e) + f(x - e)) / (2 * h)
    return g
""", {"test_gradient_of_a_cubic_at_your_point"}, "evaluations are added"),
])
def test_numerical_gradient_mistakes(code, lost, hint_part):
    """Does each numerical-gradient mistake lose exactly its check, with a hint naming it?"""
    results = wrong("a4.numerical_gradient", code)
    assert lost <= failing(results)
    assert any(hint_part in hint for hint in hints(results)), hints(results)


def test_numerical_gradient_checks_pass_a_code_object_to_the_grader():
    """Does a hidden check hand f to a non-local student as autograder.sandbox.protocol.Code?"""
    from autograder.sandbox.protocol import Code
    from exercises import a4_numerical_gradient as module

    class Recorder:
        def numerical_gradient(self, f, x, h=1e-5):
            self.f = f
            return np.zeros_like(x)

    student = Recorder()
    with pytest.raises(AssertionError):
        module.test_integer_input(student)
    assert isinstance(student.f, Code) and student.f.source.startswith("lambda x:")


# --------------------------------------------------------------------------- backprop step and table
@pytest.mark.parametrize("mistake, hint_part", [
    ("update_first", "old weights"),
    ("no_derivative_output", "Err6 misses the factor"),
    ("no_derivative_hidden", "Err4 and Err5 miss"),
    ("sign", "wrong sign"),
])
def test_backprop_step_mistakes_are_named(mistake, hint_part):
    """Does each textbook mistake fail the variant and hidden checks with its named hint?"""
    results = wrong("a4.backprop_step", STEP_MISTAKE_CODE[mistake])
    assert {"test_your_network", "test_another_network", "test_fractional_inputs"} <= failing(results)
    hidden = {hint for name, (status, hint) in results.items()
              if status != PASSED and name in ("test_another_network", "test_fractional_inputs")}
    assert all(hint_part in hint for hint in hidden), hidden


def test_the_model_step_template_is_right():
    """Does the template of the mistakes, unchanged, earn full marks (so each mistake is the only change)?"""
    assert failing(wrong("a4.backprop_step", STEP_TEMPLATE.format(**RIGHT_STEP))) == set()


def test_string_error_keys_are_refused_with_a_hint():
    """Does an errors dict keyed by strings fail with a hint about integer keys?"""
    code = """
_step = backprop_step
def backprop_step(x, target, params, lr):
    new, err = _step(x, target, params, lr)
    return new, {str(k): v for k, v in err.items()}
"""
    results = wrong("a4.backprop_step", code)
    assert failing(results) == {"test_the_slides_errors", "test_your_network", "test_another_network",
                                "test_fractional_inputs"}
    assert any("integer keys" in hint for hint in hints(results))


def table_answers(student: str, change: dict | None = None, decimals: int = 4) -> str:
    """The a4.backprop_table cell of ``student``'s variant computed with a (possibly wrong) step."""
    from exercises.a4_backprop_step import PARAM_NAMES, wrong_step
    from reference.textbook_backprop import backprop_step, textbook_forward
    case = params_of(get_exercise("a4.backprop_table"), student)
    args = (case["x"], case["target"], case["params"], case["lr"])
    new, errors = wrong_step(case, change) if change else backprop_step(*args)
    values = {**textbook_forward(case["x"], case["params"]), **{f"Err{j}": errors[j] for j in (4, 5, 6)},
              **{f"new_{k}": new[k] for k in PARAM_NAMES}}
    return "\n".join(f"{k} = {round(v, decimals)!r}" for k, v in values.items())


@pytest.mark.parametrize("mistake, lost, hint_part", [
    ("update_first", {"test_errors", "test_new_weights_and_biases"}, "old weights"),
    ("no_derivative", {"test_errors", "test_new_weights_and_biases"}, "O(1 − O)"),
    ("sign", {"test_new_weights_and_biases"}, "wrong sign"),
])
def test_backprop_table_mistakes_are_named(mistake, lost, hint_part):
    """Does a table computed with a textbook mistake lose the right hidden checks, with the mistake named?"""
    results = wrong("a4.backprop_table", table_answers("student001", mistake))
    assert failing(results) == lost
    assert all(hint_part in hint for hint in hints(results)), hints(results)


def test_backprop_table_right_answers_and_rounding():
    """Do right answers pass, and do unrounded ones fail only the public rounding check?"""
    assert failing(wrong("a4.backprop_table", table_answers("student001"))) == set()
    results = wrong("a4.backprop_table", table_answers("student001", decimals=8))
    assert failing(results) == {"test_answers_are_rounded_numbers"}


# --------------------------------------------------------------------------- path derivative, vanishing
def test_path_derivative_one_path_only_is_named():
    """Does following only one path (first successor) fail with the 'every path' hint?"""
    code = """
def path_derivative(edges, source, target):
    if source == target:
        return 1.0
    for (u, v), d in edges.items():
        if u == source:
            rest = path_derivative(edges, v, target)
            if rest:
                return d * rest
    return 0.0
"""
    results = wrong("a4.path_derivative", code)
    assert {"test_the_notes_example", "test_your_graph"} <= failing(results)
    assert any("every path" in hint for hint in hints(results))


def test_path_derivative_edges_in_given_order_fail_the_scrambled_graph():
    """Does accumulating in the order the edges are listed (not topological) lose the scrambled-graph check?"""
    code = """
def path_derivative(edges, source, target):
    total = {source: 1.0}
    for (u, v), d in edges.items():
        total[v] = total.get(v, 0.0) + total.get(u, 0.0) * d
    return total.get(target, 0.0) if source != target else 1.0
"""
    results = wrong("a4.path_derivative", code)
    assert "test_another_graph_in_scrambled_order" in failing(results)


def test_vanishing_without_the_derivative_loses_the_pattern():
    """Does a backward pass that forgets g'(a) lose the sigmoid-pattern checks?"""
    code = """
_norms = layer_gradient_norms
def layer_gradient_norms(depth, width, activation, seed):
    rng = np.random.default_rng(seed)
    H = [rng.standard_normal((32, width))]
    Ws = [rng.uniform(-np.sqrt(3 / width), np.sqrt(3 / width), (width, width)) for _ in range(depth)]
    if activation == "relu":
        return _norms(depth, width, activation, seed)
    for W in Ws:
        H.append(1 / (1 + np.exp(-(H[-1] @ W.T))))
    delta = H[-1] / 32
    norms = np.zeros(depth)
    for l in range(depth - 1, -1, -1):
        norms[l] = np.linalg.norm(delta.T @ H[l])
        delta = delta @ Ws[l]
    return norms
"""
    results = wrong("a4.vanishing", code)
    assert {"test_sigmoid_gradients_vanish_toward_the_input", "test_a_deeper_sigmoid_network"} <= failing(results)
    assert "test_relu_gradients_keep_their_size" not in failing(results)


def test_vanishing_reversed_and_summed_are_named():
    """Are reversed layers and a summed loss named by the exact-norms check?"""
    reversed_code = "_n = layer_gradient_norms\ndef layer_gradient_norms(*a):\n    return _n(*a)[::-1]\n"
    results = wrong("a4.vanishing", reversed_code)
    assert "test_sigmoid_gradients_vanish_toward_the_input" in failing(results)
    assert any("reverse order" in hint for hint in hints(results))
    summed = "_n = layer_gradient_norms\ndef layer_gradient_norms(*a):\n    return 32 * _n(*a)\n"
    results = wrong("a4.vanishing", summed)
    assert failing(results) == {"test_the_exact_norms"}
    assert any("mean over samples" in hint for hint in hints(results))


def test_vanishing_variants_are_not_degenerate():
    """Over 200 students, does every ReLU variant keep its gradient and every sigmoid one vanish?"""
    from reference.vanishing import layer_gradient_norms
    for params in assert_variants_deterministic_and_spread("a4.vanishing")[::10]:
        args = (params["depth"], params["width"])
        relu = layer_gradient_norms(*args, "relu", params["seed"])
        sigmoid = layer_gradient_norms(*args, "sigmoid", params["seed"])
        assert 0.05 < relu[0] / relu[-1] < 20 and sigmoid[0] / sigmoid[-1] < 1e-3


def test_forward_backward_variants_avoid_kinks_and_saturation():
    """Over 200 students, with every hidden activation the checks try, are hidden pre-activations away
    from ReLU's kink and unsaturated, and output pre-activations unsaturated?"""
    from exercises.a4_forward_backward import HIDDEN_ACTIVATIONS
    from reference import mlp
    for params in assert_variants_deterministic_and_spread("a4.forward_backward"):
        net = [(np.array(params["W1"]), np.array(params["b1"])), (np.array(params["W2"]), np.array(params["b2"]))]
        for g in HIDDEN_ACTIVATIONS:
            a1, a2 = (np.abs(a) for a in mlp.forward(np.array(params["X"]), net, [g, "identity"])[1]["a"])
            assert a1.min() >= 0.02 and a1.max() <= 5 and a2.max() <= 6, (g, params)


def test_path_derivative_variants_have_several_paths():
    """Over 200 students, does every graph have 3 to 7 paths from x to y and a non-zero derivative?"""
    from exercises.a4_path_derivative import _paths
    for params in assert_variants_deterministic_and_spread("a4.path_derivative"):
        edges = {(u, v): d for u, v, d in params["edges"]}
        paths = _paths(edges, "x", "y")
        assert 3 <= len(paths) <= 7 and abs(sum(np.prod(p) for p in paths)) >= 0.1


def test_numerical_gradient_without_a_step_check_loses_only_that_check():
    """Does a correct gradient that never checks h lose the public step check, and only it?"""
    code = """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float); g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x); e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g
"""
    assert failing(wrong("a4.numerical_gradient", code)) == {"test_a_step_that_is_not_positive_is_refused"}


LOOPED_FORWARD_BACKWARD = """
def activation(name):
    if name == "identity":
        return (lambda a: np.array(a, dtype=float), lambda a: np.ones(np.shape(a)))
    if name == "sigmoid":
        s = lambda a: 0.5 * (1 + np.tanh(np.asarray(a, dtype=float) / 2))
        return (s, lambda a: s(a) - s(a) ** 2)
    if name == "tanh":
        return (lambda a: np.tanh(a), lambda a: 1 / np.cosh(a) ** 2)
    if name == "relu":
        return (lambda a: np.where(np.asarray(a) > 0, a, 0.0), lambda a: np.heaviside(a, 0.0))
    def softmax(a):
        a = np.asarray(a, dtype=float)
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return (softmax, None)

def forward(x, params, activations):
    hs, as_ = [np.asarray(x, dtype=float)], []
    for (W, b), name in zip(params, activations):
        W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
        if hs[-1].ndim == 1:
            a = np.array([b[u] + sum(W[u, i] * hs[-1][i] for i in range(W.shape[1])) for u in range(W.shape[0])])
        else:
            a = np.array([[b[u] + W[u] @ row for u in range(W.shape[0])] for row in hs[-1]])
        as_.append(a)
        hs.append(activation(name)[0](a))
    return hs[-1], {"a": as_, "h": hs}

def backward(y, cache, params, activations, loss):
    X = np.atleast_2d(cache["h"][0])
    Y = np.atleast_2d(y)
    grads = [(np.zeros_like(np.asarray(W, dtype=float)), np.zeros(len(b))) for W, b in params]
    for s in range(len(X)):
        hs = [np.atleast_2d(h)[s] for h in cache["h"]]
        as_ = [np.atleast_2d(a)[s] for a in cache["a"]]
        delta = hs[-1] - Y[s]
        if loss == "mse":
            delta = delta * activation(activations[-1])[1](as_[-1])
        for layer in reversed(range(len(params))):
            grads[layer][0][...] += np.outer(delta, hs[layer]) / len(X)
            grads[layer][1][...] += delta / len(X)
            if layer:
                g_prime = activation(activations[layer - 1])[1]
                delta = (np.asarray(params[layer][0], dtype=float).T @ delta) * g_prime(as_[layer - 1])
    return grads
"""


@pytest.mark.parametrize("student", ["student000", "student001", "student002", "student003", "student004"])
def test_a_looped_forward_backward_with_other_formulas_earns_every_point(student):
    """Does a correct forward/backward written with loops over samples and units, a tanh-based sigmoid,
    sech² for tanh' and a Heaviside relu' earn every point, with every activation the checks try?"""
    assert failing(wrong("a4.forward_backward", LOOPED_FORWARD_BACKWARD, student=student)) == set()


def test_the_model_forward_template_is_right():
    """Does the textbook_forward template with its right slots earn every point of a4.backprop_step?"""
    from exercises.a4_backprop_step import FORWARD_TEMPLATE
    assert failing(wrong("a4.backprop_step", FORWARD_TEMPLATE.format(first=0, one="1.0"))) == set()


@pytest.mark.parametrize("code, hint_part", [
    ("""
_right_forward = textbook_forward
def textbook_forward(x, params):
    return _right_forward((x[0], x[2], x[2]), params)
""", "read x3 where x2 belongs"),
    ("""
def textbook_forward(x, params):
    O = {1: x[0], 2: x[1], 3: x[2]}
    I = {}
    for j, inputs in ((4, (1, 2, 3)), (5, (1, 3, 3)), (6, (4, 5))):
        I[j] = sum(params[f"w{i}{j}"] * O[i] for i in inputs) + params[f"theta{j}"]
        O[j] = 1 / (1 + math.exp(-I[j]))
    return {f"{k}{j}": v[j] for k, v in (("I", I), ("O", O)) for j in (4, 5, 6)}
""", "I5 adds the term w35·O3 twice and leaves out w25·O2"),
    ("""
def textbook_forward(x, params):
    O, I = {1: x[0], 2: x[1], 3: x[2]}, {}
    for j, inputs in ((4, (1, 2, 3)), (5, (1, 2, 3)), (6, (4, 5))):
        I[j] = sum(params[f"w{i}{j}"] * O[i] for i in inputs) + params[f"theta{j}"]
        O[j] = 2 / (1 + math.exp(-I[j]))
    return {f"{k}{j}": v[j] for k, v in (("I", I), ("O", O)) for j in (4, 5, 6)}
""", "O = 2/(1 + e^(−I))"),
])
def test_backprop_step_forward_mistakes_are_named(code, hint_part):
    """Does a forward pass that reads an input in place of another, adds one input twice or uses a wrong
    logistic function get a hint that names exactly that, in the hidden checks too?"""
    results = wrong("a4.backprop_step", code)
    assert {"test_another_network", "test_fractional_inputs"} <= failing(results)
    assert all(hint_part in results[name][1] for name in ("test_another_network", "test_fractional_inputs")), results


def test_the_model_backward_template_is_right():
    """Does the backward template with its right slots earn every point of a4.forward_backward?"""
    from exercises.a4_forward_backward import BACKWARD_TEMPLATE, RIGHT_BACKWARD
    assert failing(wrong("a4.forward_backward", BACKWARD_TEMPLATE.format(**RIGHT_BACKWARD))) == set()


@pytest.mark.parametrize("mistake, hint_part", [
    ("output_g_prime_of_hidden", "uses the hidden layers' g' at a_L"),
    ("output_g_not_g_prime", "multiplies by the output activation g_L(a_L) itself"),
    ("output_divided", "divides by g_L'(a_L)"),
])
def test_forward_backward_output_delta_mistakes_are_named(mistake, hint_part):
    """Does a δ_L with the hidden layers' g', with g instead of g', or divided by g' get a hint naming exactly
    that in the hidden checks, on a variant of any output (every check also tries a sigmoid output)?"""
    from exercises.a4_forward_backward import MISTAKE_CODE
    results = wrong("a4.forward_backward", MISTAKE_CODE[mistake], student="student003")
    assert "test_backward_matches_finite_differences_of_your_forward" in failing(results)
    assert hint_part in results["test_backward_matches_finite_differences_of_your_forward"][1], results


def test_a_right_backward_is_never_matched_by_a_catalogued_backward_mistake():
    """With relu hidden units (where g'(h) = g'(a)) or an identity output (where g' = 1), do the backward
    mistakes the checks compare against leave out those that give the right gradients, so a right backward of
    a wrong forward is never told it made one of them?"""
    from exercises.a4_forward_backward import _flat, _named_mistakes, _network, settings
    from reference import mlp
    params = params_of(get_exercise("a4.forward_backward"), "student001")
    net, X = _network(params), np.array(params["X"])
    for acts, loss, Y in settings(params):
        _, cache = mlp.forward(X, net, acts)
        right = _flat(mlp.backward(Y, cache, net, acts, loss))
        for hint, wrong_value in _named_mistakes(Y, cache, net, acts, loss).items():
            assert np.shape(wrong_value) != right.shape or not np.allclose(wrong_value, right), (acts, hint)


@pytest.mark.parametrize("code, hint_part", [
    ("_right = layer_gradient_norms\n\ndef layer_gradient_norms(depth, width, activation, seed):\n"
     "    if activation != 'relu':\n        return _right(depth, width, activation, seed)\n"
     "    rng = np.random.default_rng(seed)\n    H, weights = [rng.standard_normal((32, width))], []\n"
     "    for _ in range(depth):\n        weights.append(rng.normal(1.0, np.sqrt(2.0 / width), size=(width, width)))\n"
     "    for W in weights:\n        H.append(np.maximum(H[-1] @ W.T, 0.0))\n"
     "    delta = H[-1] * (H[-1] > 0) / 32\n    norms = np.zeros(depth)\n"
     "    for layer in range(depth - 1, -1, -1):\n        norms[layer] = np.linalg.norm(delta.T @ H[layer])\n"
     "        delta = (delta @ weights[layer]) * (H[layer] > 0)\n    return norms\n",
     "The He weights have mean 1"),
])
def test_vanishing_exact_norms_name_a_misread_draw(code, hint_part):
    """Does the exact-norms check name a misread draw (He weights of mean 1) by what it is?"""
    results = wrong("a4.vanishing", code)
    assert hint_part in results["test_the_exact_norms"][1], results["test_the_exact_norms"]


@pytest.mark.parametrize("mistake, hint_part", [("local derivatives divided", "divided along a path"),
                                                ("every node starts at 1", "starts at 1")])
def test_path_derivative_accumulation_mistakes_are_named(mistake, hint_part):
    """Does an accumulation that divides by the local derivatives, or starts every node at 1, get a hint
    naming exactly that in the hidden checks?"""
    from exercises.a4_path_derivative import MISTAKE_CODE
    results = wrong("a4.path_derivative", MISTAKE_CODE[mistake])
    assert any(hint_part in results[name][1] for name in ("test_another_graph_in_scrambled_order",
                                                          "test_edge_cases")), results
