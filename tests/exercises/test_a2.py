"""Assignment a2 (the sigmoid neuron and gradient descent): variants, verification, wrong answers, the plot."""
import contextlib
import io
import json
import re

import numpy as np
import pytest

from exercises import dlcheck
from exercises.a2_gradient_descent import WRONG_AFTER, WRONG_PROGRAM, WRONG_SUMMED
from exercises.a2_grid_search import WRONG_SEARCH
from exercises.model import clear_solutions, get_exercise, reference_namespace, variant_params
from exercises.verify import solution_cells
from reference import sigmoid_fit
from tests.exercises import (MANY_STUDENTS, OTHER_SECRETS, SECRET, STUDENTS, assert_fails_with,
                             assert_well_formed, exercises_of, failing_checks, model_namespace, problems_of,
                             problems_under_secret, run_public_checks_as_shipped, run_wrong, variant,
                             variant_of)

A2 = ("a2.sigmoid", "a2.sigmoid_neuron", "a2.error", "a2.gradients", "a2.gradient_descent",
      "a2.grid_search", "a2.loss_table")
MINE = A2[1:]  # a2.sigmoid is the lead's pattern, tested with it


@pytest.mark.parametrize("key", MINE)
@pytest.mark.parametrize("student", STUDENTS)
def test_model_answer_full_marks_and_stub_zero(key, student):
    """Does the model answer pass every check of the student's variant, and the stub none?"""
    assert problems_of(A2, key, student) == []


@pytest.mark.parametrize("secret", OTHER_SECRETS)
def test_other_course_secrets(secret):
    """Under another course secret, do the model answer and the stub still verify, with other numbers?"""
    for student in STUDENTS[:4]:
        found, params = problems_under_secret(A2, student, secret)
        assert found == []
        assert params != variant(A2, student)


@pytest.mark.parametrize("key", MINE)
def test_public_checks_run_with_numpy_and_dlcheck_only(key):
    """Do the public checks, as shipped, pass on the model answer with only np and dlcheck in scope?"""
    for student in STUDENTS[:3]:
        assert run_public_checks_as_shipped(A2, key, student) == []


@pytest.mark.parametrize("key", MINE)
def test_every_exercise_has_public_and_hidden_checks(key):
    """Does each exercise have public and hidden checks of 1–2 points, hidden ones with a hint?"""
    assert_well_formed(key)


@pytest.mark.parametrize("key", MINE)
def test_variants_are_deterministic_spread_and_in_the_prompt(key):
    """Same student → same numbers; different students → different ones; does the prompt show them?"""
    exercise = get_exercise(key)
    first = [json.dumps(variant_of(key, s)) for s in MANY_STUDENTS[:30]]
    assert [json.dumps(variant_params(exercise, SECRET, s)) for s in MANY_STUDENTS[:30]] == first
    assert len(set(first)) >= 25
    params = variant_of(key, "s000")
    text = exercise.prompt(params)
    for name in ("X", "w", "x"):
        if name in params:
            assert str(params[name]) in text


def test_fit_data_is_never_degenerate():
    """Over 200 students: targets away from 0 and 1 and apart, exact fit inside the plotted square?"""
    for student in MANY_STUDENTS:
        for key in ("a2.error", "a2.gradient_descent", "a2.grid_search", "a2.loss_table"):
            p = variant_of(key, student)
            (x1, x2), (y1, y2) = p["X"], p["Y"]
            assert 0.15 <= min(y1, y2) and max(y1, y2) <= 0.85 and abs(y1 - y2) >= 0.3 - 1e-9
            assert x2 - x1 >= 1.0 - 1e-9
            logit1, logit2 = np.log(y1 / (1 - y1)), np.log(y2 / (1 - y2))  # by hand, not exact_fit
            w = (logit2 - logit1) / (x2 - x1)
            assert abs(w) <= 5 and abs(logit1 - w * x1) <= 5
            assert not re.search(r"-0\.0(?!\d)", json.dumps(p)), "a −0.0 in the prompt"


def test_other_variants_are_never_degenerate():
    """Over 200 students: no saturated neuron, a descending run, a unique grid minimum?"""
    for student in MANY_STUDENTS:
        p = variant_of("a2.sigmoid_neuron", student)
        z = p["w"] * np.array(p["x"]) + p["b"]
        assert 0.1 <= np.min(np.abs(z)) and np.max(np.abs(z)) <= 5
        g = variant_of("a2.gradients", student)
        assert abs(g["w"] * g["x"] + g["b"]) <= 3
        gd = variant_of("a2.gradient_descent", student)
        X, Y = np.array(gd["X"]), np.array(gd["Y"])
        _, _, losses = sigmoid_fit.gradient_descent(X, Y, gd["w0"], gd["b0"], gd["eta"], gd["epochs"])
        assert np.all(np.diff(losses) <= 0) and losses[-1] < 0.5 * sigmoid_fit.error(gd["w0"], gd["b0"], X, Y)
        gs = variant_of("a2.grid_search", student)
        grid = np.linspace(gs["lo"], gs["hi"], gs["steps"])
        S = np.sort(sigmoid_fit.error_surface(np.array(gs["X"]), np.array(gs["Y"]), grid, grid).ravel())
        assert S[1] > S[0]


def test_fixed_hidden_grids_have_unique_minima():
    """Are the hidden grid-search cases free of ties (so any argmin convention gives the same point)?"""
    for X, Y, lo, hi, steps in [([-1.0, 0.5, 2.0], [0.7, 0.45, 0.2], -3.0, 1.0, 9),
                                ([0.0, 1.0], [0.95, 0.99], -1.0, 2.0, 7),
                                ([0.5, 2.5], [0.2, 0.9], -6.0, 6.0, 121)]:
        grid = np.linspace(lo, hi, steps)
        S = np.sort(sigmoid_fit.error_surface(np.array(X), np.array(Y), grid, grid).ravel())
        assert S[1] - S[0] > 1e-6


def test_slide_numbers_in_the_prompts():
    """Do the prompts' worked numbers agree with the course's (0.0731, w ≈ 1.7917, b ≈ −2.2821)?"""
    X, Y = np.array([0.5, 2.5]), np.array([0.2, 0.9])
    f = 1 / (1 + np.exp(-(0.5 * X)))
    assert round(0.5 * np.sum((f - Y) ** 2), 4) == 0.0731
    assert "0.0731" in get_exercise("a2.error").prompt(variant_of("a2.error", "s000"))
    text = get_exercise("a2.gradient_descent").prompt(variant_of("a2.gradient_descent", "s000"))
    assert "1.7917" in text and "−2.2821" in text
    f = 1 / (1 + np.exp(-1.25))  # grad at w = 0.5, b = 0, (x, y) = (2.5, 0.9), by hand
    text = get_exercise("a2.gradients").prompt(variant_of("a2.gradients", "s000"))
    assert f"{(f - 0.9) * f * (1 - f) * 2.5:.5f}".replace("-", "−") in text
    assert f"{(f - 0.9) * f * (1 - f):.5f}".replace("-", "−") in text


# --------------------------------------------------------------------------
# Wrong answers lose the checks they should, with the designed hint
# --------------------------------------------------------------------------
def assert_fails(key, code, expected, passes=(), student="s000"):
    """The wrong answer ``code`` fails ``expected`` (check → hint text) and passes ``passes``."""
    assert_fails_with(A2, key, code, expected, tuple(passes), student)


@pytest.mark.parametrize("body, hint", [
    ("sigmoid(w * x - b)", "not σ(w·x − b)"),
    ("sigmoid(w * (x + b))", "not σ(w·(x + b))"),
    ("w * x + b", "sigmoid is missing"),
    ("1 / (1 + np.exp(w * x + b))", "exponent is −(w·x + b)"),
])
def test_sigmoid_neuron_mistakes(body, hint):
    """Does each wrong formula get its own hint on the student's inputs?"""
    assert_fails("a2.sigmoid_neuron", f"def sigmoid_neuron(x, w, b):\n    x = np.asarray(x, float)\n    return {body}\n",
                 {"test_sigmoid_neuron_your_neuron": hint})


def test_sigmoid_neuron_naive_exp_keeps_its_points_since_its_values_are_right():
    """Does writing np.exp(−(wx + b)) again, whose values are right (it only warns), keep every point?
    A warning is printed by the student's own process: it never decides a point (trust invariant 4)."""
    failed = failing_checks(A2, "a2.sigmoid_neuron",
                            "def sigmoid_neuron(x, w, b):\n    return 1 / (1 + np.exp(-(w * np.asarray(x) + b)))\n")
    assert failed == {}


def test_sigmoid_neuron_that_overflows_to_nan_loses_only_the_stability_check():
    """Does e^(wx+b) / (1 + e^(wx+b)), which gives inf/inf = nan for large wx + b, lose only the stability check?"""
    failed = failing_checks(A2, "a2.sigmoid_neuron",
                            "def sigmoid_neuron(x, w, b):\n    e = np.exp(w * np.asarray(x, float) + b)\n"
                            "    return e / (1 + e)\n")
    assert set(failed) == {"test_sigmoid_neuron_is_stable"}
    assert "stable sigmoid" in failed["test_sigmoid_neuron_is_stable"]


@pytest.mark.parametrize("body, hint, hidden_hint", [
    ("0.5 * (f[0] - Y[0]) ** 2 + (f[1] - Y[1]) ** 2", "bracketing is a typo", "all n points"),
    ("0.5 * np.mean((f - Y) ** 2)", "not ½ times their mean", "not a mean"),
    ("np.sum((f - Y) ** 2)", "½ is missing", "factor of 2"),
])
def test_error_mistakes(body, hint, hidden_hint):
    """Do the slide's typo, a mean and a missing ½ get their hints, on the student's data and on five points?"""
    code = f"def error(w, b, X, Y):\n    Y = np.asarray(Y, float)\n    f = sigmoid_neuron(np.asarray(X), w, b)\n    return float({body})\n"
    assert_fails("a2.error", code, {"test_error_your_data": hint, "test_error_more_points": hidden_hint})


def test_error_returning_per_point_errors():
    """Does returning the per-point errors lose the one-number check?"""
    assert_fails("a2.error", "def error(w, b, X, Y):\n    return 0.5 * (sigmoid_neuron(np.asarray(X), w, b) - Y) ** 2\n",
                 {"test_error_is_one_number": "one number"})


GRADS = """
def grad_w(w, b, x, y):
    f = sigmoid_neuron(x, w, b); z = w * np.asarray(x) + b
    return {gw}

def grad_b(w, b, x, y):
    f = sigmoid_neuron(x, w, b); z = w * np.asarray(x) + b
    return {gb}
"""


@pytest.mark.parametrize("gw, gb, hints", [
    ("(f - y) * f * (1 - f)", "(f - y) * f * (1 - f) * x",
     {"test_grad_w_your_point": "this is ∇b", "test_grad_b_your_point": "this is ∇w"}),
    ("(f - y) * x", "f - y", {"test_grad_w_your_point": "f(x)(1 − f(x)) is missing",
                             "test_grad_b_your_point": "f(x)(1 − f(x)) is missing"}),
    ("(f - y) * z * (1 - z) * x", "(f - y) * z * (1 - z)", {"test_grad_w_your_point": "not z(1 − z)",
                                                           "test_grad_b_your_point": "not z(1 − z)"}),
    ("(y - f) * f * (1 - f) * x", "(y - f) * f * (1 - f)", {"test_grad_w_your_point": "sign is flipped",
                                                           "test_gradients_match_finite_differences": "sign"}),
])
def test_gradient_mistakes(gw, gb, hints):
    """Does a missing x, a missing σ', σ'(z) as z(1 − z) and a flipped sign each get its hint?"""
    assert_fails("a2.gradients", GRADS.format(gw=gw, gb=gb), hints)


def test_gradients_with_math_exp_fail_only_on_arrays():
    """Do scalar-only gradients (math.exp) lose only the array check?"""
    code = """
        import math
        def grad_w(w, b, x, y):
            f = 1 / (1 + math.exp(-(w * x + b)))
            return (f - y) * f * (1 - f) * x
        def grad_b(w, b, x, y):
            f = 1 / (1 + math.exp(-(w * x + b)))
            return (f - y) * f * (1 - f)
        """
    failed = failing_checks(A2, "a2.gradients", code)
    assert set(failed) == {"test_gradients_work_on_arrays"}


GD, SUMMED, AFTER = WRONG_PROGRAM, WRONG_SUMMED, WRONG_AFTER  # the templates of its MISTAKE_CODE


@pytest.mark.parametrize("fields, hints", [
    (dict(epochs="epochs", before="", after=AFTER,
          update="dw = np.mean(grad_w(w, b, X, Y)); db = np.mean(grad_b(w, b, X, Y)); w, b = w - eta * dw, b - eta * db"),
     {"test_gradient_descent_your_run": "averaged", "test_gradient_descent_slide_program": "Sum grad_w"}),
    (dict(epochs="epochs", before="", after=AFTER,
          update="for x, y in zip(X, Y): w, b = w - eta * grad_w(w, b, x, y), b - eta * grad_b(w, b, x, y)"),
     {"test_gradient_descent_one_update_per_epoch": "stochastic", "test_gradient_descent_your_run": "stochastic"}),
    (dict(epochs="epochs + 1", before="", after=AFTER, update=SUMMED.format(sign="-")),
     {"test_gradient_descent_your_run": "One update too many"}),
    (dict(epochs="max(epochs - 1, 0)", before="", after=AFTER, update=SUMMED.format(sign="-")),
     {"test_gradient_descent_your_run": "One update too few"}),
    (dict(epochs="epochs", before="losses.append(error(w, b, X, Y))", after="", update=SUMMED.format(sign="-")),
     {"test_gradient_descent_your_run": "after update t, not before"}),
    (dict(epochs="epochs", before="", after=AFTER, update=SUMMED.format(sign="+")),
     {"test_gradient_descent_loss_goes_down": "against the gradient"}),
])
def test_gradient_descent_mistakes(fields, hints):
    """Do averaging, per-point updates, an extra epoch, losses before the update and ascent get their hints?"""
    assert_fails("a2.gradient_descent", GD.format(**fields), hints)


def test_gradient_descent_first_two_points_only():
    """Does a program hard-wired to two points lose only the more-points check?"""
    code = GD.format(epochs="epochs", before="", after=AFTER, update=(
        "dw = grad_w(w, b, X[0], Y[0]) + grad_w(w, b, X[1], Y[1]); "
        "db = grad_b(w, b, X[0], Y[0]) + grad_b(w, b, X[1], Y[1]); w, b = w - eta * dw, b - eta * db"))
    code = code.replace("losses.append(error(w, b, X, Y))", "losses.append(error(w, b, X[:2], Y[:2]))")
    assert set(failing_checks(A2, "a2.gradient_descent", code)) == {"test_gradient_descent_more_points"}


GRID = WRONG_SEARCH


@pytest.mark.parametrize("fields, hints", [
    (dict(grid="np.linspace(lo, hi, steps)", half="0.5", result="best[1], best[0], best[2]"),
     {"test_grid_search_your_data": "swapped"}),
    (dict(grid="np.linspace(lo, hi, steps)", half="1.0", result="best"),
     {"test_grid_search_your_data": "½ is missing"}),
    (dict(grid="np.arange(lo, hi, (hi - lo) / (steps - 1))", half="0.5", result="best"),
     {"test_grid_search_minimum_on_the_edge": "including the last"}),
])
def test_grid_search_mistakes(fields, hints):
    """Do swapped outputs, a missing ½ and a grid without its last point get their hints?"""
    assert_fails("a2.grid_search", GRID.format(**fields), hints)


def test_grid_search_with_loops_passes():
    """Does a correct double loop (no broadcasting) earn every point?"""
    code = GRID.format(grid="np.linspace(lo, hi, steps)", half="0.5", result="best")
    assert failing_checks(A2, "a2.grid_search", code) == {}


ROUNDED_GD = ("w_final, b_final, _ = gradient_descent(X_fit, Y_fit, gd_w0, gd_b0, {eta}, gd_epochs)\n"
              "w_final, b_final = round(w_final, 4), round(b_final, 4)\n")


def test_loss_table_computed_with_own_functions_passes():
    """Do answers computed with the student's own (correct) functions earn every point?"""
    code = "L_table = np.round([error(w, b, X_fit, Y_fit) for w, b in guesses], 4)\n" + ROUNDED_GD.format(eta="gd_eta")
    for student in STUDENTS[:5]:
        assert failing_checks(A2, "a2.loss_table", code, student) == {}


def test_loss_table_without_half_and_unrounded():
    """Does a table without the ½ get its hint, and an unrounded table lose only the rounding check?"""
    assert_fails("a2.loss_table", "L_table = np.round([2 * error(w, b, X_fit, Y_fit) for w, b in guesses], 4)\n",
                 {"test_loss_table_values": "½ is missing", "test_loss_table_agrees_with_your_error": "factor of 2"},
                 passes=["test_loss_table_is_rounded", "test_final_parameters_values"])
    failed = failing_checks(A2, "a2.loss_table",
                            "L_table = np.array([error(w, b, X_fit, Y_fit) for w, b in guesses]) + 1e-6\n")
    assert set(failed) == {"test_loss_table_is_rounded"}


def test_unset_loss_table_is_not_attempted_and_no_mistake():
    """Is a table left as None a failure that is "not attempted" with no mistake recorded, while a table
    without the ½ records its named mistake?"""
    unset = run_wrong(A2, "a2.loss_table", "test_loss_table_values", "L_table = None\n")
    assert (unset.status, unset.attempted, unset.mistake) == (dlcheck.FAILED, False, "")
    assert "not filled in" in unset.message and unset.hint
    wrong = run_wrong(A2, "a2.loss_table", "test_loss_table_values",
                      "L_table = np.round([2 * error(w, b, X_fit, Y_fit) for w, b in guesses], 4)\n")
    assert (wrong.attempted, wrong.mistake) == (True, "The ½ is missing: L = ½ Σ (f(x) − y)².")


def test_loss_table_averaged_final_parameters():
    """Does a final (w, b) from averaged gradients get the sum-not-mean hint?"""
    assert_fails("a2.loss_table", ROUNDED_GD.format(eta="gd_eta / 2"),
                 {"test_final_parameters_values": "summed over the points, not averaged"},
                 passes=["test_loss_table_values"])


def test_loss_table_stub_keeps_the_names_and_runs():
    """Does the unanswered cell run, keep L_table, w_final, b_final as None and say what to do?"""
    exercise = get_exercise("a2.loss_table")
    cell = clear_solutions(exercise.solution_cell(variant_of("a2.loss_table", "s000")))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        namespace = reference_namespace([cell])
    assert namespace["L_table"] is None and namespace["w_final"] is None and namespace["b_final"] is None
    assert "Fill in" in printed.getvalue()


# --------------------------------------------------------------------------
# The error-surface picture
# --------------------------------------------------------------------------
def run_plot(namespace):
    """Run the plot cell in ``namespace`` (Agg backend); return what it printed and the figures drawn."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.close("all")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(get_exercise("a2.loss_table").plot_cell(), "<plot>", "exec"), namespace)
    figures = [plt.figure(n) for n in plt.get_fignums()]
    return printed.getvalue(), figures


def test_plot_draws_the_surface_and_the_path():
    """Does the plot cell draw a contour of L over (−6, 6)² and a path ending where gradient descent ends?"""
    namespace = dict(model_namespace(A2, "s000"))
    printed, figures = run_plot(namespace)
    assert printed == "" and len(figures) == 1
    ax = figures[0].axes[0]
    assert ax.get_xlim() == (-6.0, 6.0) and ax.get_ylim() == (-6.0, 6.0)
    path = ax.lines[0].get_xydata()
    p = variant_of("a2.loss_table", "s000")
    w, b, _ = sigmoid_fit.gradient_descent(np.array(p["X"]), np.array(p["Y"]), p["w0"], p["b0"], p["eta"], p["epochs"])
    assert tuple(path[0]) == (p["w0"], p["b0"]) and np.allclose(path[-1], [w, b])


def test_plot_prints_a_note_on_the_stub():
    """With the untouched stubs, does the plot cell print a friendly note instead of raising?"""
    cells = solution_cells(exercises_of(A2), variant(A2, "s000"))
    with contextlib.redirect_stdout(io.StringIO()):
        stub = reference_namespace([clear_solutions(c) for c in cells])
    printed, figures = run_plot(stub)
    assert "appears once error() and gradient_descent() are implemented" in printed and not figures


def test_plot_survives_a_broken_function():
    """When the student's error() returns garbage, does the plot cell explain instead of crashing?"""
    namespace = dict(model_namespace(A2, "s000"))
    namespace["error"] = lambda w, b, X, Y: "not a number"
    printed, _ = run_plot(namespace)
    assert "could not be drawn" in printed
