"""a2 · The slide's gradient-descent program: summed gradients, one update per epoch."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, expect, expect_close
from exercises.model import RedrawVariant
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "Gradient descent on the sigmoid neuron"
CONCEPT = "batch gradient descent: move against the summed gradient, once per epoch"
CALL_TIME_FACTOR = 500  # its calls train: a plain-Python epoch loop is hundreds of times numpy's time
SOLUTION = [sigmoid_fit.gradient_descent]
WRONG_PROGRAM = """def gradient_descent(X, Y, w0, b0, eta, epochs):
    X = np.asarray(X, float); Y = np.asarray(Y, float)
    w, b = float(w0), float(b0); losses = []
    for t in range({epochs}):
        {before}
        {update}
        {after}
    return w, b, np.array(losses)
"""
WRONG_SUMMED = "dw = np.sum(grad_w(w, b, X, Y)); db = np.sum(grad_b(w, b, X, Y)); w, b = w {sign} eta * dw, b {sign} eta * db"
WRONG_AFTER = "losses.append(error(w, b, X, Y))"
MISTAKE_CODE = {description: WRONG_PROGRAM.format(**dict(dict(epochs="epochs", before="", after=WRONG_AFTER,
                                                     update=WRONG_SUMMED.format(sign="-")), **fields))
            for description, fields in {
    "averaged gradients": dict(update=WRONG_SUMMED.format(sign="-").replace("np.sum", "np.mean")),
    "an update per point (stochastic)": dict(
        update="for x, y in zip(X, Y): w, b = w - eta * grad_w(w, b, x, y), b - eta * grad_b(w, b, x, y)"),
    "one update too many": dict(epochs="epochs + 1"),
    "one update too few": dict(epochs="max(epochs - 1, 0)"),
    "the loss recorded before the update": dict(before=WRONG_AFTER, after=""),
    "gradient ascent": dict(update=WRONG_SUMMED.format(sign="+")),
    "only the first two points": dict(update=WRONG_SUMMED.format(sign="-").replace("(w, b, X, Y)", "(w, b, X[:2], Y[:2])")),
}.items()}
HIDDEN_ONLY = {"only the first two points": "the public data has two points, as the slide's; more is a hidden check"}


def draw_fit_data(rng: np.random.Generator) -> tuple[list[float], list[float]]:
    """Two points (x₁, y₁), (x₂, y₂) for a sigmoid to pass through, away from saturation.

    x₂ − x₁ ∈ [1, 3], y in [0.15, 0.85] (far from 0 and 1, where the logit blows up),
    |y₂ − y₁| ≥ 0.3, and the exact fit inside (−5, 5)², the middle of the plotted surface.
    Shared by the a2 exercises that fit a sigmoid to the student's data.
    """
    x1 = round(float(rng.uniform(-1.0, 1.0)), 1) + 0.0  # + 0.0: no −0.0
    x2 = round(x1 + float(rng.uniform(1.0, 3.0)), 1)
    gap = float(rng.uniform(0.3, 0.6))
    low = float(rng.uniform(0.15, 0.85 - gap))
    y1, y2 = (round(v, 2) for v in ((low, low + gap) if rng.random() < 0.5 else (low + gap, low)))
    w, b = sigmoid_fit.exact_fit((x1, y1), (x2, y2))
    if max(abs(w), abs(b)) > 5.0:
        raise RedrawVariant("the exact fit lies outside the plotted surface")
    return [x1, x2], [y1, y2]


def sgd_run(X: np.ndarray, Y: np.ndarray, w: float, b: float, eta: float, epochs: int) -> tuple[float, float]:
    """The common mistake: an update after each point (stochastic) instead of once per epoch."""
    for _ in range(epochs):
        for x, y in zip(X, Y):
            w, b = (w - eta * sigmoid_fit.grad_w(w, b, x, y), b - eta * sigmoid_fit.grad_b(w, b, x, y))
    return float(w), float(b)


def params(rng: np.random.Generator) -> dict:
    """The student's data, a start off the plateau, a learning rate and a number of epochs.

    Redrawn when the start saturates the sigmoid (|w x + b| > 5), when the loss ever
    rises or does not at least halve, or when a known mistake (averaging, one epoch
    more, per-point updates) would land within 1e-3 of the right answer (the step
    before the last is longer than the next one, so one epoch less shows too).
    """
    X, Y = draw_fit_data(rng)
    w0, b0 = (round(float(v), 1) + 0.0 for v in rng.uniform(-3.0, 3.0, size=2))
    eta = float(rng.choice([0.5, 0.75, 1.0]))  # one side of 1: a guard `eta > 1` fails on every variant or none
    epochs = int(rng.choice([20, 30, 40, 60]))
    Xa, Ya = np.array(X), np.array(Y)
    if np.max(np.abs(w0 * Xa + b0)) > 5.0:
        raise RedrawVariant("the start is on a saturated plateau")
    w, b, losses = sigmoid_fit.gradient_descent(Xa, Ya, w0, b0, eta, epochs)
    if np.any(np.diff(losses) > 0) or losses[-1] > 0.5 * sigmoid_fit.error(w0, b0, Xa, Ya):
        raise RedrawVariant("the loss rises, or too little progress to see")
    # the last update and the one after it are the off-by-one mistakes: both must be visible
    last_step = eta * np.hypot(np.sum(sigmoid_fit.grad_w(w, b, Xa, Ya)), np.sum(sigmoid_fit.grad_b(w, b, Xa, Ya)))
    averaged = sigmoid_fit.gradient_descent(Xa, Ya, w0, b0, eta / 2, epochs)[:2]
    if last_step < 1e-3 or any(np.max(np.abs(np.subtract(m, (w, b)))) < 1e-3
                               for m in (averaged, sgd_run(Xa, Ya, w0, b0, eta, epochs))):
        raise RedrawVariant("a known mistake would be indistinguishable")
    return {"X": X, "Y": Y, "w0": w0, "b0": b0, "eta": eta, "epochs": epochs}


def prompt(params: dict) -> str:
    p = params
    return f"""\
Guessing $(w, b)$ by hand works for two points but not for a real network. **Gradient
descent** does it systematically. From the Taylor expansion
$L(\\theta + \\eta u) \\approx L(\\theta) + \\eta\\, u^\\top \\nabla L(\\theta)$, the loss falls fastest
when the step $u$ points *against* the gradient (at 180°, $\\cos\\beta = -1$). So repeat

$$w \\leftarrow w - \\eta \\sum_{{i}} \\nabla_w(x_i, y_i), \\qquad
b \\leftarrow b - \\eta \\sum_{{i}} \\nabla_b(x_i, y_i),$$

where $\\nabla_w, \\nabla_b$ are your `grad_w`, `grad_b` for one point and
$L(w, b) = \\tfrac12 \\sum_i (f(x_i) - y_i)^2$ is your `error`. This is the slide's program:

```python
def do_gradient_descent():
    w, b, eta, max_epochs = -2, -2, 1.0, 1000
    for i in range(max_epochs):
        dw, db = 0, 0
        for x, y in zip(X, Y):
            dw += grad_w(w, b, x, y)
            db += grad_b(w, b, x, y)
        w = w - eta * dw
        b = b - eta * db
```

Conventions: the gradients are **summed** over the points (not averaged), and each
epoch makes **exactly one** update, after visiting all points (not one per point).

Implement `gradient_descent(X, Y, w0, b0, eta, epochs)`: start at `(w0, b0)`, make
`epochs` updates and return `(w, b, losses)` where `losses` is an array of length
`epochs` and `losses[t]` is $L(w, b)$ **after** update `t` (so `losses[-1]` is the loss of
the returned `w, b`). With the slide's data `X = [0.5, 2.5]`, `Y = [0.2, 0.9]` and
`w0, b0, eta, epochs = -2, -2, 1.0, 1000` it ends at w ≈ 1.7917, b ≈ −2.2821 with a loss
of about 2.4e−11: on the plateau the steps are tiny, on the slope they are large.

Your run: X = {p["X"]}, Y = {p["Y"]}, w0 = {p["w0"]}, b0 = {p["b0"]}, eta = {p["eta"]},
epochs = {p["epochs"]}.
"""


@pytest.mark.points(2)
def test_gradient_descent_slide_program(student, ref):
    X, Y = np.array([0.5, 2.5]), np.array([0.2, 0.9])
    got = student.gradient_descent(X, Y, -2.0, -2.0, 1.0, 1000)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailed("gradient_descent must return a triple (w, b, losses).",
                          "End with `return w, b, losses`.")
    w, b, losses = ref.gradient_descent(X, Y, -2.0, -2.0, 1.0, 1000)
    expect_close([got[0], got[1]], [w, b], what="(w, b) after the slide's 1000 epochs", atol=1e-6,
                 hint="Sum grad_w and grad_b over both points, then update w and b once per epoch.")
    expect_close(got[2], losses, what="losses of the slide's run", atol=1e-9,
                 hint="losses[t] is L(w, b) after update t: one entry per epoch.")


@pytest.mark.points(2)
def test_gradient_descent_your_run(student, ref, params):
    X, Y = np.array(params["X"]), np.array(params["Y"])
    w0, b0, eta, epochs = params["w0"], params["b0"], params["eta"], params["epochs"]
    got = student.gradient_descent(X, Y, w0, b0, eta, epochs)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailed("gradient_descent must return a triple (w, b, losses).",
                          "End with `return w, b, losses`.")
    w, b, losses = ref.gradient_descent(X, Y, w0, b0, eta, epochs)
    averaged = ref.gradient_descent(X, Y, w0, b0, eta / len(X), epochs)
    one_more = ref.gradient_descent(X, Y, w0, b0, eta, epochs + 1)
    one_less = ref.gradient_descent(X, Y, w0, b0, eta, epochs - 1)
    expect_close([got[0], got[1]], [w, b], what="(w, b) at the end of your run", atol=1e-6, mistakes={
        "The gradients are averaged over the points: the slide's program sums them.": averaged[:2],
        f"One update too many: make exactly epochs = {epochs} updates.": one_more[:2],
        f"One update too few: make exactly epochs = {epochs} updates.": one_less[:2],
    }, hint="One update per epoch, after summing grad_w and grad_b over all points; "
            "updating after every point is stochastic gradient descent, not this program.")
    before = np.concatenate([[ref.error(w0, b0, X, Y)], losses[:-1]])
    expect_close(got[2], losses, what="losses of your run", atol=1e-9, mistakes={
        "losses[t] must be the loss after update t, not before it.": before,
    }, hint=f"Record L(w, b) once per epoch, after the update: {epochs} values.")


SGD_HINT = ("Sum the gradients over all points first and update once per epoch; "
            "updating after each point is stochastic gradient descent.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=SGD_HINT)
def test_gradient_descent_one_update_per_epoch(student, params):
    X, Y = np.array(params["X"]), np.array(params["Y"])
    args = (params["w0"], params["b0"], params["eta"], 5)
    got = student.gradient_descent(X, Y, *args)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "must return (w, b, losses).", SGD_HINT)
    w, b, _ = sigmoid_fit.gradient_descent(X, Y, *args)
    expect_close([got[0], got[1]], [w, b], what="(w, b) after 5 epochs", atol=1e-9, hint=SGD_HINT,
                 mistakes={SGD_HINT: sgd_run(X, Y, *args)})


ANY_N_HINT = "Sum over every point of X (any number of points), not just two."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=ANY_N_HINT)
def test_gradient_descent_more_points(student):
    X, Y = np.array([-1.0, 0.0, 1.5, 3.0]), np.array([0.1, 0.3, 0.6, 0.8])
    got = student.gradient_descent(X, Y, 0.5, -0.5, 0.8, 60)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "must return (w, b, losses).", ANY_N_HINT)
    w, b, losses = sigmoid_fit.gradient_descent(X, Y, 0.5, -0.5, 0.8, 60)
    expect_close([got[0], got[1]], [w, b], what="(w, b) on four points", atol=1e-6, hint=ANY_N_HINT)
    expect_close(got[2], losses, what="losses on four points", atol=1e-9, hint=ANY_N_HINT)


DESCENT_HINT = ("This check runs your gradient descent on fixed data where the loss falls steadily to less "
                "than half its start: w − η∇w, losses[t] after update t, losses[-1] the loss of the returned w, b.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=DESCENT_HINT)
def test_gradient_descent_loss_goes_down(student):
    # Fixed data, not the variant's: a property check judged on drawn data would let a wrong
    # program pass on some variants and fail on others (the same mistake must cost the same).
    X, Y, start = np.array([-0.6, 1.3]), np.array([0.7, 0.25]), (1.4, 0.9, 1.0, 40)
    got = student.gradient_descent(X, Y, *start)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "must return (w, b, losses).", DESCENT_HINT)
    losses = np.asarray(got[2], dtype=float)
    before = sigmoid_fit.error(start[0], start[1], X, Y)
    expect(losses.shape == (start[3],) and bool(np.all(np.isfinite(losses))),
           "losses has the wrong length or is not finite.", DESCENT_HINT)
    expect(losses[-1] <= before, "the loss rises.", "The loss rises: move against the gradient (w − η∇w), not along it.")
    expect(losses[-1] < 0.5 * before and bool(np.all(np.diff(losses) <= 1e-12)),
           "the loss does not decrease steadily.", DESCENT_HINT)
    expect(abs(losses[-1] - sigmoid_fit.error(float(got[0]), float(got[1]), X, Y)) <= 1e-9,
           "losses[-1] is not the loss of the returned (w, b).", DESCENT_HINT)


ZERO_HINT = "With epochs = 0 return (w0, b0) unchanged and an empty losses array."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=ZERO_HINT)
def test_gradient_descent_zero_epochs(student, params):
    got = student.gradient_descent(np.array(params["X"]), np.array(params["Y"]), params["w0"],
                                   params["b0"], params["eta"], 0)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "must return (w, b, losses).", ZERO_HINT)
    expect_close([got[0], got[1]], [params["w0"], params["b0"]], what="(w, b) after 0 epochs", hint=ZERO_HINT)
    expect(np.asarray(got[2], dtype=float).size == 0, "losses must be empty after 0 epochs.", ZERO_HINT)


def figures(student, ref, params):
    """For the feedback page: the student's loss curve next to the reference's, and both
    paths over the error surface L(w, b) (illustration only, never scored)."""
    from autograder.authoring import lines, surface

    X, Y = np.array(params["X"]), np.array(params["Y"])
    start = (params["w0"], params["b0"], params["eta"])
    epochs = params["epochs"]
    *_, ref_losses = ref.gradient_descent(X, Y, *start, epochs)
    got = student.gradient_descent(X, Y, *start, epochs)
    shown = [lines("a2.gradient_descent", "Loss per epoch", "epoch", "L(w, b)", [
        {"label": "reference", "x": np.arange(1, epochs + 1), "y": ref_losses, "style": "reference"},
        {"label": "yours", "x": np.arange(1, len(got[2]) + 1), "y": got[2], "style": "student"}])]
    # The paths: (w, b) after 0, k, 2k ... epochs, re-running each program for fewer epochs.
    checkpoints = sorted({0, *range(0, epochs + 1, max(1, epochs // 12)), epochs})
    ref_path = [ref.gradient_descent(X, Y, *start, k)[:2] if k else start[:2] for k in checkpoints]
    own_path = [student.gradient_descent(X, Y, *start, k)[:2] if k else start[:2] for k in checkpoints]
    ws = np.linspace(-6.0, 6.0, 61)
    bs = np.linspace(-6.0, 6.0, 61)
    grid = sigmoid_fit.error_surface(X, Y, ws, bs)
    shown.append(surface("a2.gradient_descent", "Error surface L(w, b) and the descent paths", "w", "b",
                         ws, bs, grid, [
                             {"label": "reference", "x": [p[0] for p in ref_path], "y": [p[1] for p in ref_path]},
                             {"label": "yours", "x": [p[0] for p in own_path], "y": [p[1] for p in own_path]}]))
    return shown
