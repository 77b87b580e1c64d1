"""a1 · The perceptron learning algorithm: mistake-driven updates from zero weights."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, expect, expect_close
from exercises.model import RedrawVariant
from reference import neurons

ASSIGNMENT = "a1"
TITLE = "Training a perceptron"
CONCEPT = "perceptron learning rule, convergence on linearly separable data"
CALL_TIME_FACTOR = 500  # its calls train: a plain-Python epoch loop is hundreds of times numpy's time
SOLUTION = [neurons.perceptron_train]

EPOCHS = 50

_WRONG_TRAIN = """def perceptron_train(X, y, lr, epochs):
    X, y = np.asarray(X, float), np.asarray(y)
    w = np.zeros(X.shape[1] + 1)
    for _ in range(epochs{extra_epoch}):
        mistakes = {first_count}
        for x_i, y_i in zip(X, y):
            error = y_i - int(w[0] + x_i @ w[1:] {compare} 0)
            if error:
                mistakes += 1
                w = w {update} lr * error * np.concatenate(([{bias_input}], x_i))
        if mistakes == 0:
            return w, True
    return w, False
"""
_RIGHT = dict(compare=">=", update="+", bias_input="1.0", extra_epoch="", first_count="0")
MISTAKE_CODE = {description: _WRONG_TRAIN.format(**dict(_RIGHT, **wrong))
                for description, wrong in {
                    "the update subtracts: w - lr·(y − ŷ)·x̃": dict(update="-"),
                    "the bias is never updated (x̃ = (0, x))": dict(bias_input="0.0"),
                    "the prediction uses > 0 (step(0) = 0)": dict(compare=">"),
                    "one epoch too many: range(epochs + 1)": dict(extra_epoch=" + 1"),
                    "never converged: the epoch's mistake count starts at 1": dict(first_count="1"),
                }.items()}
HIDDEN_ONLY = {"one epoch too many: range(epochs + 1)":
               "the public data converges before the last epoch; epochs = 0 is what a hidden check tests"}


def params(rng: np.random.Generator) -> dict:
    """Seven distinct integer points in [−3, 3]², labelled by a random line, none close to it.

    The learning rate is a power of two, so every weight stays exactly representable
    and the run is the same whatever order a student's sums take. Redrawn unless the
    reference converges after 3 to 40 epochs.
    """
    true_w = rng.normal(size=3)
    grid = np.stack([np.arange(49) // 7 - 3, np.arange(49) % 7 - 3], axis=1)
    far = np.flatnonzero(np.abs(true_w[0] + grid @ true_w[1:]) >= 0.3 * np.linalg.norm(true_w[1:]))
    if far.size < 7:
        raise RedrawVariant("too few points far enough from the separating line")
    X = grid[rng.choice(far, size=7, replace=False)]
    y = (true_w[0] + X @ true_w[1:] >= 0).astype(int)
    if not 2 <= y.sum() <= 5:
        raise RedrawVariant("one class is too small")
    lr = float(rng.choice([0.25, 0.5, 1.0]))
    w, converged = neurons.perceptron_train(X, y, lr, EPOCHS)
    if not converged or not 3 <= _train(X, y, lr, 1, 1.0, True)[1] <= 40:
        raise RedrawVariant("too quick or too slow to converge")
    for mistake in ((-1, 1.0, True), (1, 0.0, True), (1, 1.0, False), (1, 2.0, True)):
        if np.array_equal(_train(X, y, lr, *mistake)[0], w):
            raise RedrawVariant("a known mistake would give the right weights on this data")
    stopped_early, epoch = _train(X, y, lr, 1, 1.0, True, stop_at=1)
    if epoch <= EPOCHS and np.array_equal(stopped_early, w):
        raise RedrawVariant("stopping after an epoch with one mistake would give the right weights")
    return {"X": X.tolist(), "y": y.tolist(), "lr": lr, "epochs": EPOCHS}


def _train(X: np.ndarray, y: np.ndarray, lr: float, sign: int, bias_input: float,
           fires_at_zero: bool, stop_at: int = 0) -> tuple[np.ndarray, int]:
    """The learning rule, possibly with a known mistake, and the number of epochs it ran.

    sign −1 flips the update, bias_input 0 freezes the bias (2 doubles its input),
    fires_at_zero False predicts with > 0, stop_at 1 stops after an epoch with one
    mistake; (1, 1.0, True, 0) is the rule itself. The public check inlines the same loop.
    """
    w = np.zeros(X.shape[1] + 1)
    for epoch in range(1, EPOCHS + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            z = w[0] + x_i @ w[1:]
            error = y_i - int(z >= 0 if fires_at_zero else z > 0)
            if error:
                mistakes += 1
                w = w + sign * lr * error * np.concatenate(([bias_input], x_i))
        if mistakes == stop_at:
            return w, epoch
    return w, EPOCHS + 1


def prompt(params: dict) -> str:
    return f"""\
Instead of solving inequalities by hand, the **perceptron learning algorithm**
finds the weights from labelled data $(x, y)$, $y \\in \\{{0, 1\\}}$. It learns from
its mistakes: with $\\tilde x = (1, x)$ (the constant input $x_0 = 1$ first) and the
current prediction $\\hat y = \\operatorname{{step}}(w \\cdot \\tilde x)$ (step(0) = 1),

$$w \\leftarrow w + \\eta\\,(y - \\hat y)\\,\\tilde x .$$

A correct prediction changes nothing; a missed 1 adds $\\eta \\tilde x$, a false 1
subtracts it. On linearly separable data it is guaranteed to stop making mistakes.

Rules (follow them exactly: the run is then fully determined and checked step by step):
- start from `w = np.zeros(d + 1)` (bias `w[0]` first);
- an **epoch** visits the rows of `X` in order, updating after each row;
- stop after the first epoch without a mistake and return `(w, True)`;
  if `epochs` epochs all had mistakes, return `(w, False)`.

Implement `perceptron_train(X, y, lr, epochs)` with `X` of shape `(n, d)` and `y`
of shape `(n,)`; it returns `(w, converged)` with `w` of shape `(d + 1,)`.
Example: on the AND data (`X` = 00, 01, 10, 11, `y` = 0, 0, 0, 1) with `lr = 1` and
`epochs = 10` it returns `(array([-3., 2., 1.]), True)`; on XOR it returns
`converged = False`, since no perceptron computes XOR.

Your data: X = {params["X"]}, y = {params["y"]}, lr = {params["lr"]}, epochs = {params["epochs"]}.
"""


@pytest.mark.points(1)
def test_perceptron_train_and_example(student, ref):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0, 0, 0, 1])
    got = student.perceptron_train(X, y, 1.0, 10)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed("perceptron_train must return a pair (w, converged).", "End with `return w, converged`.")
    w_ref, _ = ref.perceptron_train(X, y, 1.0, 10)
    expect_close(got[0], w_ref, what="w after training on AND (lr = 1, epochs = 10)",
                 hint="Start at zeros; update w += lr·(y − ŷ)·(1, x) after each wrong row, rows in order.")
    expect_close(got[1], 1, what="converged on AND", rtol=0, atol=0, mistakes={
        "converged is False although an epoch made no mistake: return (w, True) right after that epoch.": 0},
        hint="Return converged = True once an epoch makes no mistake.")


@pytest.mark.points(2)
def test_perceptron_train_on_your_data(student, ref, params):
    X, y = np.array(params["X"]), np.array(params["y"])
    lr, epochs = params["lr"], params["epochs"]
    got = student.perceptron_train(X, y, lr, epochs)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed("perceptron_train must return a pair (w, converged).", "End with `return w, converged`.")
    w_ref, converged_ref = ref.perceptron_train(X, y, lr, epochs)

    def run(sign, bias_input, fires_at_zero):  # the rule with one known mistake
        w = np.zeros(X.shape[1] + 1)
        for _ in range(epochs):
            mistakes = 0
            for x_i, y_i in zip(X, y):
                z = w[0] + x_i @ w[1:]
                error = y_i - int(z >= 0 if fires_at_zero else z > 0)
                if error:
                    mistakes += 1
                    w = w + sign * lr * error * np.concatenate(([bias_input], x_i))
            if mistakes == 0:
                break
        return w

    expect_close(got[0], w_ref, what="w after training on your data", mistakes={
        "The update has the wrong sign: w ← w + lr·(y − ŷ)·x̃ (target minus prediction).": run(-1, 1.0, True),
        "The bias is never updated: x̃ = (1, x) includes the constant input 1 for w[0].": run(1, 0.0, True),
        "The prediction uses > 0; step(0) = 1, so a sum of exactly 0 predicts 1.": run(1, 1.0, False),
    }, hint="Follow the rules exactly: zeros to start, rows in order, update after each wrong row.")
    expect_close(got[1], converged_ref, what="converged on your data", rtol=0, atol=0, mistakes={
        "converged is False although an epoch made no mistake: return (w, True) right after that epoch.": 0},
        hint="Your data is linearly separable: return True once an epoch makes no mistake.")
    z = w_ref[0] + X @ w_ref[1:]
    expect(bool(np.array_equal((z >= 0).astype(int), y)), "the learned w does not separate your data.")


XOR_HINT = ("When no epoch is mistake-free, stop after `epochs` epochs and return converged = False "
            "with the last weights.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=XOR_HINT)
def test_perceptron_train_does_not_converge_on_xor(student):
    X = neurons.truth_table_inputs(2)
    y = np.array([0, 1, 1, 0])
    for epochs in (7, 8):
        got = student.perceptron_train(X, y, 0.5, epochs)
        expect(isinstance(got, (tuple, list)) and len(got) == 2, "must return (w, converged).", XOR_HINT)
        w_ref, _ = neurons.perceptron_train(X, y, 0.5, epochs)
        expect_close(got[0], w_ref, what="w after training on XOR", hint=XOR_HINT)
        expect(got[1] is False or got[1] == 0, "converged must be False on XOR.", XOR_HINT)


ZERO_HINT = "With epochs = 0 nothing is trained: return (np.zeros(d + 1), False)."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=ZERO_HINT)
def test_perceptron_train_zero_epochs(student, params):
    got = student.perceptron_train(np.array(params["X"]), np.array(params["y"]), params["lr"], 0)
    expect(isinstance(got, (tuple, list)) and len(got) == 2, "must return (w, converged).", ZERO_HINT)
    expect_close(got[0], np.zeros(3), what="w after 0 epochs", hint=ZERO_HINT, mistakes={
        "With epochs = 0 your loop still ran one epoch: range(epochs) runs exactly `epochs` epochs.":
            neurons.perceptron_train(np.array(params["X"]), np.array(params["y"]), params["lr"], 1)[0]})
    expect(got[1] is False or got[1] == 0, "converged must be False after 0 epochs.", ZERO_HINT)


THREE_D_HINT = "Work for any number of inputs d: w has d + 1 entries, the bias first."


@pytest.mark.points(1)
@pytest.mark.hidden(hint=THREE_D_HINT)
def test_perceptron_train_three_inputs(student):
    X = neurons.truth_table_inputs(3)
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])  # majority of three
    got = student.perceptron_train(X, y, 0.5, 30)
    expect(isinstance(got, (tuple, list)) and len(got) == 2, "must return (w, converged).", THREE_D_HINT)
    w_ref, _ = neurons.perceptron_train(X, y, 0.5, 30)
    expect_close(got[0], w_ref, what="w after training on 3-input majority", hint=THREE_D_HINT)
    expect(got[1] is True or got[1] == 1, "majority of three is separable: converged must be True.",
           THREE_D_HINT)
