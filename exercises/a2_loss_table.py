"""a2 · Numeric answers: the guess-work table L(w, b) and where gradient descent ends, on the student's data."""
import numpy as np
import pytest

from exercises.a2_gradient_descent import draw_fit_data, sgd_run
from exercises.dlcheck import CheckFailed, NotAnswered, as_numbers, expect, expect_close
from exercises.model import BEGIN_SOLUTION, END_SOLUTION, RedrawVariant
from reference import sigmoid_fit

ASSIGNMENT = "a2"
TITLE = "The guess-work table and the end of gradient descent"
CONCEPT = "reading the loss: guesses by hand versus gradient descent"

DECIMALS = 4
TOLERANCE = 0.5 * 10.0**-DECIMALS + 1e-9  # a correctly rounded answer is always this close


def params(rng: np.random.Generator) -> dict:
    """Data, four random guesses plus the exact fit rounded to 2 decimals, and a gradient-descent run.

    Redrawn when two guesses have losses within 1e-3 (the table would not teach
    anything), when the run's loss rises, or when averaging the gradients (η/n)
    would end within 1e-3 of the right (w, b).
    """
    X, Y = draw_fit_data(rng)
    Xa, Ya = np.array(X), np.array(Y)
    w_fit, b_fit = sigmoid_fit.exact_fit((X[0], Y[0]), (X[1], Y[1]))
    guesses = [[round(float(w), 2) + 0.0, round(float(b), 2) + 0.0] for w, b in rng.uniform(-3.0, 3.0, size=(4, 2))]
    guesses.append([round(w_fit, 2) + 0.0, round(b_fit, 2) + 0.0])
    losses = np.sort([sigmoid_fit.error(w, b, Xa, Ya) for w, b in guesses])
    if np.min(np.diff(losses)) < 1e-3:
        raise RedrawVariant("two guesses are too close in loss")
    w0, b0 = (round(float(v), 1) + 0.0 for v in rng.uniform(-3.0, 3.0, size=2))
    eta = float(rng.choice([0.5, 1.0, 2.0]))
    epochs = int(rng.choice([40, 60, 100]))
    w, b, run = sigmoid_fit.gradient_descent(Xa, Ya, w0, b0, eta, epochs)
    averaged = sigmoid_fit.gradient_descent(Xa, Ya, w0, b0, eta / 2, epochs)[:2]
    if (np.any(np.diff(run) > 0) or np.max(np.abs(w0 * Xa + b0)) > 5.0
            or max(abs(w - averaged[0]), abs(b - averaged[1])) < 1e-3):
        raise RedrawVariant("a rising loss, a saturated start, or averaging indistinguishable")
    return {"X": X, "Y": Y, "guesses": guesses, "w0": w0, "b0": b0, "eta": eta, "epochs": epochs}


def _answers(params: dict) -> tuple[np.ndarray, float, float]:
    """The unrounded answers from the reference: L of each guess, and the final (w, b)."""
    X, Y = np.array(params["X"]), np.array(params["Y"])
    table = np.array([sigmoid_fit.error(w, b, X, Y) for w, b in params["guesses"]])
    w, b, _ = sigmoid_fit.gradient_descent(X, Y, params["w0"], params["b0"], params["eta"], params["epochs"])
    return table, w, b


def solution_cell(params: dict) -> str:
    table, w, b = _answers(params)
    values = ", ".join(f"{v:.{DECIMALS}f}" for v in table)
    return f"""\
# Your data and run (given: keep these lines as they are)
X_fit = np.array({params["X"]})
Y_fit = np.array({params["Y"]})
guesses = {params["guesses"]}
gd_w0, gd_b0, gd_eta, gd_epochs = {params["w0"]}, {params["b0"]}, {params["eta"]}, {params["epochs"]}

# Your answers, rounded to {DECIMALS} decimals: replace the `raise` below.
L_table = None  # L(w, b) of each guess, in the order of `guesses`
w_final = b_final = None  # where gradient_descent(X_fit, Y_fit, gd_w0, gd_b0, gd_eta, gd_epochs) ends
try:
    {BEGIN_SOLUTION}
    L_table = np.array([{values}])
    w_final, b_final = {w:.{DECIMALS}f}, {b:.{DECIMALS}f}
    {END_SOLUTION}
except NotImplementedError:  # the unanswered cell: the names stay None
    print("Fill in L_table, w_final and b_final in the cell above.")
"""


def prompt(params: dict) -> str:
    rows = "\n".join(f"| {w:.2f} | {b:.2f} | ? |" for w, b in params["guesses"])
    return f"""\
Before gradient descent, the course fits the sigmoid **by guess-work**: try a
$(w, b)$, compute $L(w, b) = \\tfrac12 \\sum_i (f(x_i) - y_i)^2$, and move towards a
smaller loss. For the slide's data the table went 0.0731 → 0.1481 (worse!) →
0.0217 → 0.0029 → 0.0003 → 0.0000. Fill in the table for **your** data
X = {params["X"]}, Y = {params["Y"]} (the last guess is the exact fit, rounded):

| w | b | L(w, b) |
| --- | --- | --- |
{rows}

Then run your `gradient_descent` from $(w_0, b_0)$ = ({params["w0"]}, {params["b0"]}) with
η = {params["eta"]} for {params["epochs"]} epochs and report where it ends.

Write your answers, **rounded to {DECIMALS} decimals**, in the cell below: `L_table`, an array
of the five losses in the order of the table, and `w_final`, `b_final`. Use your own
functions (`error`, `gradient_descent`) to compute them. The picture after the cell
shows your data's error surface and your gradient-descent path on it.
"""


PLOT = """\
# The error surface L(w, b) of your data over (-6, 6)², and the path of your gradient descent.
try:
    import matplotlib.pyplot as plt
    grid = np.linspace(-6, 6, 61)
    surface = np.array([[error(w, b, X_fit, Y_fit) for w in grid] for b in grid])
    checkpoints = np.unique(np.linspace(0, gd_epochs, 41).astype(int))
    path = np.array([gradient_descent(X_fit, Y_fit, gd_w0, gd_b0, gd_eta, int(k))[:2] for k in checkpoints],
                    dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    filled = ax.contourf(grid, grid, surface, levels=30, cmap="viridis")
    fig.colorbar(filled, ax=ax, label="L(w, b)")
    ax.plot(path[:, 0], path[:, 1], ".-", color="white", label="gradient descent")
    ax.plot(path[0, 0], path[0, 1], "s", color="orange", label="start")
    ax.plot(path[-1, 0], path[-1, 1], "*", color="red", markersize=12, label="end")
    ax.set(xlabel="w", ylabel="b", xlim=(-6, 6), ylim=(-6, 6), title="Error surface of your data")
    ax.legend(loc="upper right")
    plt.show()
except NotImplementedError:
    print("The picture appears once error() and gradient_descent() are implemented.")
except Exception as err:  # a student's function that fails: say so instead of stopping the notebook
    print(f"The picture could not be drawn ({type(err).__name__}: {err}); "
          "check that error() and gradient_descent() run on X_fit, Y_fit.")
"""


@pytest.mark.points(1)
def test_loss_table_is_rounded(student, params):
    if student.value("L_table") is None:
        raise NotAnswered("L_table is not filled in yet.", "Assign the array of your five losses in the answer cell.")
    table = as_numbers(student.value("L_table"), "L_table")
    n = len(params["guesses"])
    expect(table.shape == (n,), f"L_table has shape {table.shape}; expected ({n},), one loss per guess.",
           "Put the five losses in one array, in the order of the table.")
    expect(bool(np.all(np.isfinite(table)) and np.all(table >= 0)), "L_table must hold finite losses ≥ 0.",
           "A squared error is never negative.")
    expect(bool(np.allclose(table, np.round(table, 4), rtol=0, atol=1e-9)),
           "L_table is not rounded to 4 decimals.", "Round each value: np.round(values, 4).")


@pytest.mark.points(1)
def test_loss_table_agrees_with_your_error(student, params):
    if student.value("L_table") is None:
        raise NotAnswered("L_table is not filled in yet.", "Assign the array of your five losses in the answer cell.")
    table = as_numbers(student.value("L_table"), "L_table")
    X, Y = np.array(params["X"]), np.array(params["Y"])
    mine = np.array([as_numbers(student.error(w, b, X, Y), "error") for w, b in params["guesses"]]).ravel()
    expect_close(table, mine, what="L_table against your error() on the guesses", rtol=0, atol=0.5e-4 + 1e-9,
                 hint="Compute each entry as error(w, b, X_fit, Y_fit) for the guesses in order, rounded to 4 decimals.")


@pytest.mark.points(1)
def test_final_parameters_agree_with_your_gradient_descent(student, params):
    w_final, b_final = student.value("w_final"), student.value("b_final")
    if w_final is None or b_final is None:
        raise NotAnswered("w_final and b_final are not filled in.", "Assign both numbers in the answer cell.")
    got = as_numbers([w_final, b_final], "(w_final, b_final)")
    expect(bool(np.allclose(got, np.round(got, 4), rtol=0, atol=1e-9)),
           "w_final and b_final are not rounded to 4 decimals.", "Use round(value, 4).")
    run = student.gradient_descent(np.array(params["X"]), np.array(params["Y"]), params["w0"], params["b0"],
                                   params["eta"], params["epochs"])
    if not isinstance(run, (tuple, list)) or len(run) != 3:
        raise CheckFailed("gradient_descent did not return (w, b, losses).", "Finish gradient_descent first.")
    expect_close(got, as_numbers([run[0], run[1]], "gradient_descent"), rtol=0, atol=0.5e-4 + 1e-9,
                 what="(w_final, b_final) against your gradient_descent",
                 hint="Run gradient_descent(X_fit, Y_fit, gd_w0, gd_b0, gd_eta, gd_epochs) and round w, b.")


TABLE_HINT = ("Each L is ½ Σ (σ(w·xᵢ + b) − yᵢ)² over both of your points, with the ½ covering the sum, "
              "rounded to 4 decimals.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint=TABLE_HINT)
def test_loss_table_values(student, params):
    table, _, _ = _answers(params)
    X, Y = np.array(params["X"]), np.array(params["Y"])
    F = np.array([sigmoid_fit.sigmoid_neuron(X, w, b) for w, b in params["guesses"]])
    typo = 0.5 * (F[:, 0] - Y[0]) ** 2 + (F[:, 1] - Y[1]) ** 2
    if student.value("L_table") is None:
        raise NotAnswered("L_table is not filled in.", TABLE_HINT)
    expect_close(student.value("L_table"), table, what="L_table", rtol=0, atol=TOLERANCE, hint=TABLE_HINT,
                 mistakes={"The ½ covers the whole sum (the slide's bracketing is a typo).": np.round(typo, 4),
                           "The ½ is missing: L = ½ Σ (f(x) − y)².": np.round(2 * table, 4)})


FINAL_HINT = ("Run the slide's program on your data: gradients summed over both points, one update per "
              "epoch, exactly the given number of epochs; round w and b to 4 decimals.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint=FINAL_HINT)
def test_final_parameters_values(student, params):
    _, w, b = _answers(params)
    X, Y = np.array(params["X"]), np.array(params["Y"])
    args = (params["w0"], params["b0"], params["eta"], params["epochs"])
    averaged = sigmoid_fit.gradient_descent(X, Y, args[0], args[1], args[2] / len(X), args[3])[:2]
    got = [student.value("w_final"), student.value("b_final")]
    if None in got:
        raise NotAnswered("w_final and b_final are not filled in.", FINAL_HINT)
    expect_close(got, [w, b], what="(w_final, b_final)", rtol=0, atol=TOLERANCE, hint=FINAL_HINT, mistakes={
        "The gradients are summed over the points, not averaged.": np.round(averaged, 4),
        "One update per epoch after summing over the points, not one per point.": np.round(sgd_run(X, Y, *args), 4),
    })
