"""a4 · One backpropagation step of the textbook 3-2-1 sigmoid network (Han & Kamber)."""
import itertools
import math

import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, expect, expect_close
from exercises.model import RedrawVariant, mark_solution, source_of
from reference import textbook_backprop
from reference.textbook_backprop import backprop_step, textbook_forward

ASSIGNMENT = "a4"
TITLE = "One backpropagation step, by the textbook"
CONCEPT = "Err_j rules, all errors before any update, w ← w + l·Err·O"
SOLUTION = [textbook_backprop.textbook_forward, textbook_backprop.backprop_step]

PARAM_NAMES = ("w14", "w15", "w24", "w25", "w34", "w35", "w46", "w56", "theta4", "theta5", "theta6")


STEP_TEMPLATE = """
def backprop_step(x, target, params, lr):
    v = textbook_forward(x, params)
    O = {{1: x[0], 2: x[1], 3: x[2], 4: v["O4"], 5: v["O5"], 6: v["O6"]}}
    p = dict(params)
    err = {{6: {err6}}}
    {before}
    for j in (4, 5):
        err[j] = {errj}
    new = dict(p)
    for i, j in ((1, 4), (1, 5), (2, 4), (2, 5), (3, 4), (3, 5), (4, 6), (5, 6)):
        new[f"w{{i}}{{j}}"] = params[f"w{{i}}{{j}}"] {sign} lr * err[j] * O[i]
    for j in (4, 5, 6):
        new[f"theta{{j}}"] = params[f"theta{{j}}"] {sign} lr * err[j]
    return new, {{j: err[j] for j in (4, 5, 6)}}
"""
"""backprop_step written out, with a slot for each catalogued mistake (RIGHT_STEP fills them rightly)."""
RIGHT_STEP = {"err6": "O[6] * (1 - O[6]) * (target - O[6])", "before": "pass",
              "errj": "O[j] * (1 - O[j]) * err[6] * p[f'w{j}6']", "sign": "+"}
MISTAKE_CODE = {mistake: STEP_TEMPLATE.format(**{**RIGHT_STEP, **change}) for mistake, change in {
    "update_first": {"before": "for i in (4, 5): p[f'w{i}6'] += lr * err[6] * O[i]"},
    "no_derivative": {"err6": "(target - O[6])", "errj": "err[6] * p[f'w{j}6']"},
    "no_derivative_output": {"err6": "(target - O[6])"},
    "no_derivative_hidden": {"errj": "err[6] * p[f'w{j}6']"},
    "sign": {"sign": "-"},
}.items()}
FORWARD_TEMPLATE = """
def textbook_forward(x, params):
    O = {{1: float(x[{first}]), 2: float(x[1]), 3: float(x[2])}}
    I = {{}}
    for j, inputs in ((4, (1, 2, 3)), (5, (1, 2, 3)), (6, (4, 5))):
        I[j] = sum(params[f"w{{i}}{{j}}"] * O[i] for i in inputs) + params[f"theta{{j}}"]
        O[j] = 1.0 / ({one} + math.exp(-I[j]))
    return {{f"{{kind}}{{j}}": values[j] for kind, values in (("I", I), ("O", O)) for j in (4, 5, 6)}}
"""
"""textbook_forward written out, with a slot for each catalogued forward mistake (first=0, one=1.0 is right)."""
MISTAKE_CODE.update({"input_swapped": FORWARD_TEMPLATE.format(first=1, one="1.0"),
                     "sigmoid_two": FORWARD_TEMPLATE.format(first=0, one="2.0")})


def draw_case(rng: np.random.Generator, *, every_input_shows: bool = False) -> dict:
    """Inputs in {0, 0.5, 1} (two at least non-zero), weights and biases of one decimal, a target and a rate.

    With ``every_input_shows`` (this exercise's checks): three distinct non-zero inputs from
    {0.2, 0.5, 0.8, 1} and no zero weight, so an input read in place of another, or a weight left
    out, changes the answer on every variant.
    """
    x = rng.choice([0.2, 0.5, 0.8, 1.0], 3, replace=False) if every_input_shows else rng.choice([0.0, 0.5, 1.0], 3)
    values = np.round(rng.uniform(-0.5, 0.5, len(PARAM_NAMES)), 1)
    case = {"x": [float(v) for v in x], "target": float(rng.integers(2)),
            "lr": float(rng.choice([0.5, 0.6, 0.7, 0.8, 0.9])),
            "params": {name: float(v) for name, v in zip(PARAM_NAMES, values)}}
    p = case["params"]
    if np.count_nonzero(x) < 2 or min(abs(p["w46"]), abs(p["w56"])) < 0.1 or abs(p["w46"]) == abs(p["w56"]):
        raise RedrawVariant("an input or output weight is zero, or the hidden errors tie")
    if every_input_shows and min(abs(v) for v in values[:8]) < 0.1:
        raise RedrawVariant("a weight is zero: its input would not show")
    return case


def params(rng: np.random.Generator) -> dict:
    return draw_case(rng, every_input_shows=True)


def prompt(params: dict) -> str:
    p = params["params"]
    table = "\n".join(f"| `{name}` | {p[name]} |" for name in PARAM_NAMES)
    return f"""\
The worked example of the course (Han & Kamber): units 1, 2, 3 are the inputs, 4 and 5 hidden
sigmoid units, 6 the sigmoid output. `w{{i}}{{j}}` is the weight from unit i to unit j and
`theta{{j}}` the bias of unit j. One training step:

1. **Forward**: the net input $I_j = \\sum_i w_{{ij}} O_i + \\theta_j$ and the output
   $O_j = 1 / (1 + e^{{-I_j}})$, for j = 4, 5 and then 6 ($O_i = x_i$ for the inputs).
2. **Errors**, backwards: the output $Err_6 = O_6 (1 - O_6)(T - O_6)$, then the hidden units
   $Err_j = O_j (1 - O_j)\\, Err_6\\, w_{{j6}}$ (j = 4, 5). $O(1-O)$ is the sigmoid's derivative.
   **Compute every error with the old weights** before changing any weight.
3. **Updates**: $w_{{ij}} \\leftarrow w_{{ij}} + l\\, Err_j\\, O_i$ and
   $\\theta_j \\leftarrow \\theta_j + l\\, Err_j$ ($l$ the learning rate). The plus sign is right:
   $Err_j$ is minus the derivative of $\\tfrac12 (T - O_6)^2$ with respect to $I_j$, so this is a
   gradient-descent step.

Implement `textbook_forward(x, params)` (returns the dict `I4 I5 I6 O4 O5 O6`) and
`backprop_step(x, target, params, lr)`, which returns `(new_params, errors)`: a new dict with
the same keys as `params` (leave `params` itself unchanged) and `{{4: Err4, 5: Err5, 6: Err6}}`
with integer keys. The keys of `params`: `{', '.join(PARAM_NAMES)}`.

The slides' example: `x = (1, 0, 1)`, target 1, `lr = 0.9` gives Err₆ = 0.1311,
Err₅ = −0.0065, Err₄ = −0.0087 and, e.g., a new `w46` of −0.261.

**Your network**: `x = {tuple(params["x"])}`, target `T = {params["target"]:g}`, `lr = {params["lr"]}`, and

| parameter | value |
| --- | --- |
{table}
"""


def solution_cell(params: dict) -> str:
    """The default cell, after the import of ``math`` that ``textbook_forward`` uses."""
    return "import math\n\n\n" + "\n\n".join(mark_solution(source_of(f)) for f in SOLUTION)


def wrong_step(case: dict, mistake: str) -> tuple[dict, dict]:
    """(new params, errors) as a known mistake computes them, for naming it in feedback."""
    x, T, lr, p = case["x"], case["target"], case["lr"], dict(case["params"])
    values = textbook_forward(x, p)
    O = {1: x[0], 2: x[1], 3: x[2], 4: values["O4"], 5: values["O5"], 6: values["O6"]}
    skipped = {"no_derivative": (4, 5, 6), "no_derivative_output": (6,), "no_derivative_hidden": (4, 5)}

    def factor(j: int) -> float:
        return 1.0 if j in skipped.get(mistake, ()) else O[j] * (1 - O[j])

    sign = -1.0 if mistake == "sign" else 1.0
    errors = {6: factor(6) * (T - O[6])}
    if mistake == "update_first":  # the output layer's weights change before the hidden errors
        for i in (4, 5):
            p[f"w{i}6"] += lr * errors[6] * O[i]
        p["theta6"] += lr * errors[6]
    for j in (4, 5):
        errors[j] = factor(j) * errors[6] * p[f"w{j}6"]
    new = dict(p)
    for name in PARAM_NAMES:
        j = int(name[-1])
        if name.startswith("theta"):
            new[name] = case["params"][name] + sign * lr * errors[j]
        else:
            new[name] = case["params"][name] + sign * lr * errors[j] * O[int(name[1])]
    return new, errors


UPDATE_FIRST = ("Compute all errors with the old weights before updating any weight "
                "(Err4 and Err5 use the old w46 and w56).")
NO_DERIVATIVE = "The errors miss the factor O(1 − O), the sigmoid's derivative."
NO_DERIVATIVE_OUTPUT = "Err6 misses the factor O6(1 − O6): Err6 = O6(1 − O6)(T − O6)."
NO_DERIVATIVE_HIDDEN = "Err4 and Err5 miss the factor O_j(1 − O_j): Err_j = O_j(1 − O_j)·Err6·w_j6."
WRONG_SIGN = "The update has the wrong sign: w ← w + l·Err·O (Err already holds the minus of the derivative)."
MISTAKES = {"update_first": UPDATE_FIRST, "no_derivative": NO_DERIVATIVE, "no_derivative_output": NO_DERIVATIVE_OUTPUT,
            "no_derivative_hidden": NO_DERIVATIVE_HIDDEN, "sign": WRONG_SIGN}

WRONG_SIGMOIDS = {"2/(1 + e^(−I))": lambda I: 2 / (1 + math.exp(-I)),
                  "1/(2 + e^(−I))": lambda I: 1 / (2 + math.exp(-I)),
                  "1/e^(−I) = e^I": lambda I: math.exp(I), "1·(1 + e^(−I))": lambda I: 1 + math.exp(-I)}
"""Logistic functions written wrongly (a constant changed, the fraction's bar turned into a product)."""


def step_after_forward(case: dict, *, reads: dict | None = None, squash=None) -> tuple[dict, dict]:
    """(new params, errors) of a right step after a wrong forward pass, for naming the forward's mistake.

    ``reads`` maps hidden unit j to the (weight's input, input read) pairs its net input sums
    (default: w_ij·O_i for i = 1, 2, 3); ``squash`` replaces the sigmoid of every unit.
    """
    x, T, lr, p = case["x"], case["target"], case["lr"], case["params"]
    squash = squash or (lambda I: 1 / (1 + math.exp(-I)))
    O = {1: x[0], 2: x[1], 3: x[2]}
    for j in (4, 5):
        terms = (reads or {}).get(j, ((1, 1), (2, 2), (3, 3)))
        O[j] = squash(sum(p[f"w{i}{j}"] * O[k] for i, k in terms) + p[f"theta{j}"])
    O[6] = squash(p["w46"] * O[4] + p["w56"] * O[5] + p["theta6"])
    errors = {6: O[6] * (1 - O[6]) * (T - O[6])}
    for j in (4, 5):
        errors[j] = O[j] * (1 - O[j]) * errors[6] * p[f"w{j}6"]
    new = {name: p[name] + lr * errors[int(name[-1])] * (1.0 if name.startswith("theta") else O[int(name[1])])
           for name in PARAM_NAMES}
    return new, errors


def step_mistakes(case: dict, part: str) -> dict:
    """Hint -> what each known mistake gives on ``case``: Err4, Err5, Err6 (``part`` "errors") or the
    new parameters in PARAM_NAMES order ("new"), computed with instructor code (first match wins)."""
    def pick(step: tuple[dict, dict]) -> list:
        new, errors = step
        return [errors[j] for j in (4, 5, 6)] if part == "errors" else [new[name] for name in PARAM_NAMES]

    found = {UPDATE_FIRST: pick(wrong_step(case, "update_first")),
             NO_DERIVATIVE: pick(wrong_step(case, "no_derivative")),
             NO_DERIVATIVE_OUTPUT: pick(wrong_step(case, "no_derivative_output")),
             NO_DERIVATIVE_HIDDEN: pick(wrong_step(case, "no_derivative_hidden")),
             WRONG_SIGN: pick(wrong_step(case, "sign"))}
    for form, squash in WRONG_SIGMOIDS.items():
        found.update({f"The outputs are computed as O = {form}, not the sigmoid O = 1/(1 + e^(−I)).":
                      pick(step_after_forward(case, squash=squash))})
    for i, k in itertools.permutations((1, 2, 3), 2):
        swapped = tuple((m, k if m == i else m) for m in (1, 2, 3))
        found.update({f"The net inputs I4 and I5 read x{k} where x{i} belongs: O_{i} = x{i} in w_{i}j·O_{i}.":
                      pick(step_after_forward(case, reads={4: swapped, 5: swapped}))})
        twice = tuple((k, k) if m == i else (m, m) for m in (1, 2, 3))
        for j in (4, 5):
            found.update({f"I{j} adds the term w{k}{j}·O{k} twice and leaves out w{i}{j}·O{i}: sum over the "
                          f"inputs 1, 2, 3, each once.": pick(step_after_forward(case, reads={j: twice}))})
    return found


def _read(got, case: dict) -> tuple[np.ndarray, np.ndarray]:
    """The student's errors (4, 5, 6) and new params (in PARAM_NAMES order) as arrays."""
    if not (isinstance(got, (list, tuple)) and len(got) == 2 and isinstance(got[0], dict)
            and isinstance(got[1], dict)):
        raise CheckFailed("backprop_step must return a pair (new_params, errors) of dicts.",
                          "Return (new_params, errors): a dict like params and {4: Err4, 5: Err5, 6: Err6}.")
    new, errors = got
    if sorted(errors, key=str) != [4, 5, 6]:
        raise CheckFailed("the errors dict must have the integer keys 4, 5 and 6.",
                          "Return the errors as {4: Err4, 5: Err5, 6: Err6} with integer keys.")
    if sorted(new) != sorted(case["params"]):
        raise CheckFailed("new_params must have exactly the keys of params.",
                          "Copy params (dict(params)) and update every weight and bias.")
    return np.array([errors[j] for j in (4, 5, 6)]), np.array([new[name] for name in PARAM_NAMES])


def _graded_case(student, case: dict) -> tuple:
    """(student's errors, student's new params, right errors, right new params) on ``case``, as arrays."""
    errors, new = _read(student.backprop_step(case["x"], case["target"], case["params"], case["lr"]), case)
    want_new, want_errors = backprop_step(case["x"], case["target"], case["params"], case["lr"])
    return errors, new, [want_errors[j] for j in (4, 5, 6)], [want_new[name] for name in PARAM_NAMES]


@pytest.mark.points(1)
def test_the_slides_errors(student, ref):
    x, target, lr = (1.0, 0.0, 1.0), 1.0, 0.9
    p = {"w14": 0.2, "w15": -0.3, "w24": 0.4, "w25": 0.1, "w34": -0.5, "w35": 0.2,
         "w46": -0.3, "w56": -0.2, "theta4": -0.4, "theta5": 0.2, "theta6": 0.1}
    got = student.backprop_step(x, target, p, lr)
    expect(isinstance(got, (list, tuple)) and len(got) == 2 and isinstance(got[1], dict),
           "backprop_step must return a pair (new_params, errors).",
           "Return (new_params, errors) with errors = {4: Err4, 5: Err5, 6: Err6}.")
    expect(sorted(got[1], key=str) == [4, 5, 6], f"the errors dict has keys {sorted(got[1], key=str)}, "
           "not the integers 4, 5, 6.", "Use integer keys: {4: Err4, 5: Err5, 6: Err6}.")
    _, want = ref.backprop_step(x, target, p, lr)
    expect_close([got[1][4], got[1][5], got[1][6]], [want[4], want[5], want[6]],
                 what="Err4, Err5, Err6 of the slides' example (printed: −0.0087, −0.0065, 0.1311)",
                 hint="Err6 = O6(1 − O6)(T − O6); Err_j = O_j(1 − O_j)·Err6·w_j6, with the old w_j6.")


@pytest.mark.points(2)
def test_your_network(student, ref, params):
    x, target, lr, p = params["x"], params["target"], params["lr"], params["params"]
    got = student.backprop_step(x, target, p, lr)
    expect(isinstance(got, (list, tuple)) and len(got) == 2 and isinstance(got[0], dict)
           and isinstance(got[1], dict), "backprop_step must return a pair (new_params, errors) of dicts.")
    new, errors = got
    expect(sorted(errors, key=str) == [4, 5, 6], "the errors dict needs the integer keys 4, 5, 6.")
    expect(sorted(new) == sorted(p), f"new_params has keys {sorted(new)}, not those of params.",
           "Copy params (dict(params)) and update every weight and bias.")
    want_new, want_errors = ref.backprop_step(x, target, p, lr)

    def errors_with(bias_sign=1.0, output_slope=True, hidden_slope=True):  # the errors with one known mistake
        O = {1: x[0], 2: x[1], 3: x[2]}
        for j, inputs in ((4, (1, 2, 3)), (5, (1, 2, 3)), (6, (4, 5))):
            O[j] = 1 / (1 + np.exp(-(sum(p[f"w{i}{j}"] * O[i] for i in inputs) + bias_sign * p[f"theta{j}"])))
        err6 = (O[6] * (1 - O[6]) if output_slope else 1.0) * (target - O[6])
        return [(O[j] * (1 - O[j]) if hidden_slope else 1.0) * err6 * p[f"w{j}6"] for j in (4, 5)] + [err6]

    expect_close([errors[4], errors[5], errors[6]], [want_errors[4], want_errors[5], want_errors[6]],
                 what="Err4, Err5, Err6 on your network", mistakes={
                     "The bias is added: I_j = Σ_i w_ij O_i + θ_j, not − θ_j.": errors_with(bias_sign=-1.0),
                     "Err6 misses the factor O6(1 − O6): Err6 = O6(1 − O6)(T − O6).": errors_with(output_slope=False),
                     "Err4 and Err5 miss the factor O_j(1 − O_j): Err_j = O_j(1 − O_j)·Err6·w_j6.":
                         errors_with(hidden_slope=False),
                 })
    names = sorted(p)
    expect_close([new[k] for k in names], [want_new[k] for k in names], what=f"the new {', '.join(names)}",
                 mistakes={"The update has the wrong sign: w ← w + l·Err·O.": [2 * p[k] - want_new[k] for k in names]},
                 hint="Update every weight with the errors computed from the old weights: "
                      "w_ij + l·Err_j·O_i, θ_j + l·Err_j.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Err6 = O6(1 − O6)(T − O6), Err_j = O_j(1 − O_j)·Err6·w_j6 with the old weights; "
                         "then w_ij += l·Err_j·O_i and θ_j += l·Err_j.")
def test_another_network(student, params):
    seed = int(1000 * abs(params["params"]["w14"] + 2 * params["params"]["theta6"])) + 17
    rng = np.random.default_rng(seed)
    for _ in range(100):
        try:
            case = draw_case(rng, every_input_shows=True)
        except RedrawVariant:
            continue
        break
    case["target"] = 1.0 - params["target"]  # the other target: the output error changes sign
    errors, new, want_errors, want_new = _graded_case(student, case)
    expect_close(errors, want_errors, what="Err4, Err5, Err6", mistakes=step_mistakes(case, "errors"))
    expect_close(new, want_new, what="the new weights and biases", mistakes=step_mistakes(case, "new"))


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Every input enters the update: Δw_ij = l·Err_j·O_i with O_i = x_i for units 1–3.")
def test_fractional_inputs(student):
    case = {"x": [0.3, -0.8, 0.6], "target": 0.2, "lr": 0.45,
            "params": {name: round(math.sin(k + 1.0) / 2, 3) for k, name in enumerate(PARAM_NAMES)}}
    errors, new, want_errors, want_new = _graded_case(student, case)
    expect_close(errors, want_errors, what="Err4, Err5, Err6 with fractional inputs",
                 mistakes=step_mistakes(case, "errors"))
    expect_close(new, want_new, what="the new weights and biases with fractional inputs",
                 mistakes=step_mistakes(case, "new"))
