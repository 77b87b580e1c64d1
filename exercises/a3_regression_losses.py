"""a3 · Regression losses (MSE, MAE, Huber) and their gradients, mean over samples."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close, show
from exercises.model import RedrawVariant
from reference import losses

ASSIGNMENT = "a3"
TITLE = "Regression losses and their gradients"
CONCEPT = "MSE, MAE, Huber; mean over samples; gradients with respect to the prediction"
SOLUTION = [losses.mse, losses.mse_grad, losses.mae, losses.mae_grad, losses.huber, losses.huber_grad]

MAE_SQUARED_HINT = "MAE takes the absolute value of the error, not its square (notes 000 square it: a typo)."
HUBER_HALF_HINT = ("Huber's quadratic branch is ½e² (its slope there is e): notes 004 drop the ½, a typo. "
                   "The linear branch is δ(|e| − ½δ).")
MEAN_HINT = "Take the mean over all elements (divide by y.size), also in the gradient."


def params(rng: np.random.Generator) -> dict:
    """Targets, predictions and δ; errors clear of 0 (MAE's kink) and of ±δ (Huber's switch)."""
    n = int(rng.integers(5, 9))
    # δ in [1.1, 2]: on one side of 1, so a guard `delta > 1` or δ / 2 written 0.5 / δ (the same at δ = 1)
    # costs the same on every variant
    delta = round(float(rng.uniform(1.1, 2.0)), 1)
    y = np.round(rng.uniform(-3.0, 3.0, size=n), 2) + 0.0
    large = rng.random(n) < 0.5
    size = np.where(large, rng.uniform(delta + 0.15, delta + 3.0, n), rng.uniform(0.15, delta - 0.15, n))
    y_hat = np.round(y + rng.choice([-1.0, 1.0], n) * size, 2) + 0.0
    a = np.abs(y_hat - y)
    if np.min(a) < 0.1 or np.min(np.abs(a - delta)) < 0.1 or large.sum() < 2 or (~large).sum() < 2:
        raise RedrawVariant
    return {"y": y.tolist(), "y_hat": y_hat.tolist(), "delta": delta}


_TEACHING = r"""
A regression network predicts real numbers $\hat y$; the **loss** measures how
far they are from the targets $y$. With the error $e_i = \hat y_i - y_i$ and
$N$ the number of elements (`y.size`), this exercise uses the **mean** over
the samples (the *cost*), never the sum:

| loss | value | gradient $\partial L / \partial \hat y_i$ |
| --- | --- | --- |
| `mse(y, y_hat)` | $\frac1N \sum_i e_i^2$ | $\frac2N e_i$ |
| `mae(y, y_hat)` | $\frac1N \sum_i \lvert e_i\rvert$ | $\frac1N \operatorname{sign}(e_i)$ (0 where $e_i = 0$) |
| `huber(y, y_hat, delta=1.0)` | $\frac1N \sum_i \begin{cases} \tfrac12 e_i^2 & \lvert e_i\rvert \le \delta \\ \delta(\lvert e_i\rvert - \tfrac12\delta) & \lvert e_i\rvert > \delta \end{cases}$ | $\frac1N \operatorname{clip}(e_i, -\delta, \delta)$ |

* MSE punishes large errors heavily (squared), MAE treats them linearly and is
  robust to outliers, Huber is quadratic for small errors and linear for large
  ones (the ½ makes both branches and their slopes meet at $\lvert e\rvert = \delta$).
* Beware two typos in the notes: notes 000 **square** the MAE, notes 004 drop the
  **½** of Huber's quadratic branch. Use the table above.
* `y` and `y_hat` have the same shape, (n,) or (n, m); the losses return a
  float, the gradients an array of `y`'s shape. The gradient is with respect to
  the **prediction** `y_hat` (so its sign follows $\hat y - y$).

Implement `mse`, `mse_grad`, `mae`, `mae_grad`, `huber` and `huber_grad`.

Example: y = [1, 2, 3, 4], ŷ = [1.5, 1.8, 5, 2.6] (errors 0.5, −0.2, 2, −1.4) give
MSE = 1.5625, MAE = 1.025 and Huber (δ = 1) = 0.63625.
"""


def prompt(params: dict) -> str:
    return _TEACHING + f"""
Your data: y = {params["y"]}, ŷ = {params["y_hat"]}, δ = {params["delta"]}.
"""


@pytest.mark.points(1)
def test_losses_at_the_example(student, ref):
    y, y_hat = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 1.8, 5.0, 2.6])
    e = y_hat - y
    expect_close(student.mse(y, y_hat), ref.mse(y, y_hat), what="mse at the example", n=4)
    expect_close(student.mae(y, y_hat), ref.mae(y, y_hat), what="mae at the example", n=4,
                 mistakes={"MAE takes the absolute value of the error, not its square "
                           "(notes 000 square it: a typo).": np.mean(e ** 2)})
    expect_close(student.huber(y, y_hat, 1.0), ref.huber(y, y_hat, 1.0), what="huber(delta=1) at the example",
                 n=4, mistakes={"Huber's quadratic branch is ½e² (notes 004 drop the ½: a typo).":
                                np.mean(np.where(np.abs(e) <= 1.0, e ** 2, np.abs(e) - 0.5))})


@pytest.mark.points(2)
def test_losses_on_your_data(student, ref, params):
    y, y_hat, d = np.array(params["y"]), np.array(params["y_hat"]), params["delta"]
    e, n = y_hat - y, len(params["y"])
    expect_close(student.mse(y, y_hat), ref.mse(y, y_hat), what=f"mse({show(y)}, {show(y_hat)})", n=n,
                 mistakes={"MSE squares each error: you averaged the errors themselves.": np.mean(e)})
    expect_close(student.mae(y, y_hat), ref.mae(y, y_hat), what=f"mae({show(y)}, {show(y_hat)})", n=n,
                 mistakes={"MAE takes the absolute value of the error, not its square "
                           "(notes 000 square it: a typo).": np.mean(e ** 2)})
    expect_close(student.huber(y, y_hat, d), ref.huber(y, y_hat, d), what=f"huber(y, y_hat, delta={d})", n=n,
                 mistakes={"Huber's quadratic branch is ½e² (notes 004 drop the ½: a typo).":
                           np.mean(np.where(np.abs(e) <= d, e ** 2, d * (np.abs(e) - 0.5 * d))),
                           "Huber's linear branch is δ(|e| − ½δ): you added the ½δ.":
                           np.mean(np.where(np.abs(e) <= d, 0.5 * e ** 2, d * (np.abs(e) + 0.5 * d))),
                           "Huber's linear branch is δ(|e| − ½δ): without −½δ it does not meet ½e² at |e| = δ.":
                           np.mean(np.where(np.abs(e) <= d, 0.5 * e ** 2, d * np.abs(e))),
                           "Huber's linear branch is δ(|e| − ½δ), with ½δ, not δ.":
                           np.mean(np.where(np.abs(e) <= d, 0.5 * e ** 2, d * (np.abs(e) - d)))},
                 hint="Use ½e² where |e| ≤ δ and δ(|e| − ½δ) where |e| > δ, then the mean.")


@pytest.mark.points(2)
def test_gradients_on_your_data(student, ref, params):
    y, y_hat, d = np.array(params["y"]), np.array(params["y_hat"]), params["delta"]
    e, n = y_hat - y, len(params["y"])
    expect_close(student.mse_grad(y, y_hat), ref.mse_grad(y, y_hat), what="mse_grad on your data", n=n)
    expect_close(student.mae_grad(y, y_hat), ref.mae_grad(y, y_hat), what="mae_grad on your data", n=n,
                 mistakes={"That is the gradient of the squared error: MAE's is sign(e)/N.": 2 * e / n})
    expect_close(student.huber_grad(y, y_hat, d), ref.huber_grad(y, y_hat, d), what="huber_grad on your data",
                 n=n, mistakes={"With Huber's ½, the quadratic branch's slope is e, not 2e.":
                                np.where(np.abs(e) <= d, 2 * e, d * np.sign(e)) / n},
                 hint="Huber's gradient is the error clipped to [−δ, δ], divided by N.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Each gradient must be the slope of your own loss with respect to y_hat (a centred "
                         "difference disagrees): differentiate the mean you implemented, 1/N included, and "
                         "keep y_hat's shape.")
def test_gradients_match_your_losses(student):
    y = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -2.5]])
    y_hat = np.array([[0.9, -2.7, 2.3], [-0.1, 0.2, -1.2]])
    h = 1e-6
    for name, extra in (("mse", ()), ("mae", ()), ("huber", ()), ("huber", (0.8,))):
        slope = np.zeros_like(y_hat)
        for index in np.ndindex(*y_hat.shape):
            step = np.zeros_like(y_hat)
            step[index] = h
            loss = getattr(student, name)
            slope[index] = (float(np.asarray(loss(y, y_hat + step, *extra), dtype=float))
                            - float(np.asarray(loss(y, y_hat - step, *extra), dtype=float))) / (2 * h)
        expect_close(getattr(student, name + "_grad")(y, y_hat, *extra), slope, what=f"{name}_grad vs slope",
                     rtol=1e-4, atol=1e-7, hint=f"{name}_grad is not the slope of your {name}.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=MEAN_HINT + " Batches (n, m) count every element; huber's default δ is 1.0; "
                    + HUBER_HALF_HINT)
def test_batches_and_defaults(student):
    y = np.array([[0.2, 1.0], [-1.5, 3.0], [2.2, -0.4]])
    y_hat = np.array([[0.6, 3.1], [-1.2, 1.3], [2.0, -0.9]])
    e = y_hat - y
    n = y.size
    named = {"mae": {MAE_SQUARED_HINT: np.mean(e ** 2)},
             "huber": {HUBER_HALF_HINT: np.mean(np.where(np.abs(e) <= 1.0, e ** 2, np.abs(e) - 0.5))}}
    for name in ("mse", "mae", "huber"):  # huber at its default delta = 1.0
        expect_close(getattr(student, name)(y, y_hat), getattr(losses, name)(y, y_hat),
                     what=f"{name} of a (3, 2) batch", n=n, mistakes=named.get(name, {}), hint=MEAN_HINT)
        expect_close(getattr(student, name + "_grad")(y, y_hat), getattr(losses, name + "_grad")(y, y_hat),
                     what=f"{name}_grad of a (3, 2) batch", n=n, hint=MEAN_HINT)
