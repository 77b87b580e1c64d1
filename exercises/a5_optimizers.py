"""a5 · Better updates: gradient clipping by the global norm, momentum and Adam."""
import numpy as np
import pytest

from exercises.dlcheck import as_numbers, expect, expect_close
from exercises.model import RedrawVariant
from reference import optimizers

ASSIGNMENT = "a5"
TITLE = "Gradient clipping, momentum and Adam"
CONCEPT = "exploding gradients and clipping, momentum, Adam with bias correction"
SOLUTION = [optimizers.clip_by_norm, optimizers.momentum_step, optimizers.adam_step]


def params(rng: np.random.Generator) -> dict:
    """Two gradient arrays with a global norm of 3–8, a cap below it, and a weight/gradient pair."""
    grads = [np.round(rng.normal(0, 2, (2, 2)), 2), np.round(rng.normal(0, 2, 3), 2)]
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if not 3 < norm < 8:
        raise RedrawVariant("global norm outside the interesting range")
    return {"grads": [g.tolist() for g in grads], "max_norm": float(np.round(rng.uniform(0.3, 0.8) * norm, 1)),
            "w": np.round(rng.normal(0, 1, 3), 2).tolist(), "grad": np.round(rng.normal(0, 1, 3), 2).tolist(),
            "velocity": np.round(rng.normal(0, 0.1, 3), 3).tolist(), "lr": float(rng.choice([0.01, 0.05, 0.1])),
            "beta": float(rng.choice([0.8, 0.9, 0.95]))}


def prompt(params: dict) -> str:
    return f"""\
Three improvements on the plain step $w \\leftarrow w - \\eta g$:

- **Clipping by the global norm** against exploding gradients: with
  $\\lVert g \\rVert = \\sqrt{{\\sum_k \\lVert g_k \\rVert^2}}$ over **all** arrays of the list, multiply every
  array by $\\text{{max\\_norm}} / \\max(\\lVert g \\rVert, \\text{{max\\_norm}})$ (one factor for all, so the
  direction is kept; below the cap nothing changes). `clip_by_norm(grads, max_norm)` returns a new list.
- **Momentum** (Keras' convention, the velocity starts at 0): $v \\leftarrow \\beta v - \\eta g$,
  $w \\leftarrow w + v$. `momentum_step(w, grad, velocity, lr, beta=0.9)` returns `(w, velocity)`.
- **Adam**: $m \\leftarrow \\beta_1 m + (1-\\beta_1) g$, $v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2$, then the **bias
  correction** $\\hat m = m / (1 - \\beta_1^t)$, $\\hat v = v / (1 - \\beta_2^t)$ and
  $w \\leftarrow w - \\eta\\, \\hat m / (\\sqrt{{\\hat v}} + \\epsilon)$. The step number **t starts at 1** for the first
  update (m and v start at 0). `adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)`
  returns `(w, m, v)` with the uncorrected m and v.

All three return new arrays and leave their inputs unchanged.

**Your numbers**: `grads = [np.array({params["grads"][0]}), np.array({params["grads"][1]})]`,
`max_norm = {params["max_norm"]}`; `w = np.array({params["w"]})`, `grad = np.array({params["grad"]})`,
`velocity = np.array({params["velocity"]})`, `lr = {params["lr"]}`, `beta = {params["beta"]}`; and one Adam step
from `m = v = np.zeros(3)` at `t = 1` with `lr = {params["lr"]}`.
"""


@pytest.mark.points(1)
def test_clip_your_gradients(student, ref, params):
    grads = [np.array(g) for g in params["grads"]]
    got = student.clip_by_norm(grads, params["max_norm"])
    expected = ref.clip_by_norm(grads, params["max_norm"])
    expect(isinstance(got, (list, tuple)) and len(got) == 2, "clip_by_norm must return a list of 2 arrays.")
    per_array = [g * min(1.0, params["max_norm"] / np.linalg.norm(g)) for g in grads]
    for k in range(2):
        expect_close(got[k], expected[k], what=f"clipped grads[{k}]",
                     mistakes={"Each array was clipped by its own norm: use one factor from the global norm "
                               "of all arrays together.": per_array[k]},
                     hint="Global norm √(Σ‖g_k‖²) over all arrays; scale all by max_norm / max(norm, max_norm).")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Below the cap (global norm ≤ max_norm) return the gradients unchanged; "
                         "above it, the clipped list has global norm exactly max_norm.")
def test_clip_below_and_above_the_cap(student, params):
    grads = [np.array(g) for g in params["grads"]]
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    for cap in (2 * norm, 0.5):
        got = student.clip_by_norm(grads, cap)
        expect(isinstance(got, (list, tuple)) and len(got) == 2, "clip_by_norm must return a list of 2 arrays.")
        for value, expected in zip(got, optimizers.clip_by_norm(grads, cap)):
            expect_close(value, expected, what="a clipped gradient")


@pytest.mark.points(1)
def test_momentum_step(student, ref, params):
    args = (np.array(params["w"]), np.array(params["grad"]), np.array(params["velocity"]), params["lr"],
            params["beta"])
    got = student.momentum_step(*args)
    expect(isinstance(got, (list, tuple)) and len(got) == 2, "momentum_step must return (w, velocity).")
    w_new, v_new = ref.momentum_step(*args)
    w, grad, velocity, lr, beta = args
    expect_close(got[1], v_new, what="the new velocity",
                 mistakes={"The velocity is βv − ηg: β multiplies the old velocity.": velocity - lr * grad,
                           "The velocity is βv − ηg (minus η g), and then w ← w + v.": beta * velocity + lr * grad})
    expect_close(got[0], w_new, what="the new w", hint="w ← w + v with the new velocity v.",
                 mistakes={"The velocity is subtracted: w ← w + v (v = βv − ηg already carries the minus).": w - v_new})


@pytest.mark.points(1)
def test_adam_first_step(student, ref, params):
    w, grad, zeros, lr = np.array(params["w"]), np.array(params["grad"]), np.zeros(3), params["lr"]
    got = student.adam_step(w, grad, zeros, zeros, 1, lr)
    expect(isinstance(got, (list, tuple)) and len(got) == 3, "adam_step must return (w, m, v).")
    w_new, m_new, v_new = ref.adam_step(w, grad, zeros, zeros, 1, lr)
    expect_close(got[1], m_new, what="m after one step", hint="m ← β1·m + (1 − β1)·g (uncorrected).")
    expect_close(got[2], v_new, what="v after one step", hint="v ← β2·v + (1 − β2)·g² (uncorrected).")
    no_correction = w - lr * m_new / (np.sqrt(v_new) + 1e-8)
    expect_close(got[0], w_new, what="w after one Adam step",
                 mistakes={"The bias correction is missing: divide m by 1 − β1^t and v by 1 − β2^t.": no_correction},
                 hint="w ← w − lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t); at t = 1 each step is about lr.")


def _adam_run(w, grads, lr, mistake: str = "") -> np.ndarray:
    """Several Adam steps from m = v = 0, optionally with a known mistake."""
    m = v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        step_t = t + 1 if mistake == "t_plus_one" else t
        m_hat, v_hat = (m, v) if mistake == "no_correction" else (m / (1 - 0.9**step_t), v / (1 - 0.999**step_t))
        w = w - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return w


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Count t from 1 at the first update and pass it on: the correction uses β^t with the "
                         "step's own t; m and v carry over from step to step.")
def test_adam_several_steps(student, params):
    w = np.array(params["w"])
    grads = [np.array(params["grad"]) * s for s in (1.0, -0.5, 2.0, 0.3)]
    m = v = np.zeros(3)
    for t, g in enumerate(grads, start=1):
        got = student.adam_step(w, g, m, v, t, 0.05)
        expect(isinstance(got, (list, tuple)) and len(got) == 3, "adam_step must return (w, m, v).")
        w, m, v = (as_numbers(a, "adam_step's result") for a in got)
    expect_close(w, _adam_run(np.array(params["w"]), grads, 0.05), rtol=1e-6, what="w after four Adam steps",
                 mistakes={"The bias correction is missing: divide m by 1 − β1^t and v by 1 − β2^t.":
                           _adam_run(np.array(params["w"]), grads, 0.05, "no_correction"),
                           "t is off by one: the first update has t = 1, so the correction uses β^t with that t.":
                           _adam_run(np.array(params["w"]), grads, 0.05, "t_plus_one")})
    # a gradient of 1e-8, where √v̂ is ε's size: ε must be added (a survivor of √v̂ − ε otherwise)
    tiny = (np.zeros(2), np.array([1e-8, -1e-8]), np.zeros(2), np.zeros(2), 1, 0.1)
    got = student.adam_step(*tiny)
    expect(isinstance(got, (list, tuple)) and len(got) == 3, "adam_step must return (w, m, v).")
    expect_close(got[0], optimizers.adam_step(*tiny)[0], what="w after one step on a gradient of ±1e-8",
                 hint="Add ε to the root: w ← w − lr·m̂/(√v̂ + ε), so a gradient as small as ε still moves w by "
                      "less than lr.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Work elementwise with numpy on arrays of any shape (a matrix too) and return new "
                         "arrays of the inputs' shape.")
def test_works_on_matrices(student, params):
    w = np.arange(6.0).reshape(2, 3) / 10
    grad = np.ones((2, 3)) * np.array(params["grad"])
    got = student.momentum_step(w, grad, np.zeros((2, 3)), 0.1, 0.9)
    expected = optimizers.momentum_step(w, grad, np.zeros((2, 3)), 0.1, 0.9)
    expect(isinstance(got, (list, tuple)) and len(got) == 2, "momentum_step must return (w, velocity).")
    for value, want in zip(got, expected):
        expect(as_numbers(value, "momentum_step's result").shape == (2, 3), "a result lost the (2, 3) shape.")
        expect_close(value, want, what="momentum_step on a matrix")
