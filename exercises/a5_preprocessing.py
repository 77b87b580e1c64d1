"""a5 · Normalising inputs and initialising weights: standardize, Xavier/Glorot and He.

The initialisers are checked statistically on a large layer drawn with a fixed
seed: bounds, mean and variance within a stated tolerance (5 % of the
variance; the estimate's own spread over 10⁴+ draws is below 2 %), and one
hidden point for following the stated single call to the generator.
"""
import numpy as np
import pytest

from exercises.dlcheck import as_numbers, expect, expect_close
from exercises.model import RedrawVariant
from reference import training

ASSIGNMENT = "a5"
TITLE = "Standardising inputs, initialising weights"
CONCEPT = "feature scaling, Glorot/Xavier uniform and He normal initialisation"
SOLUTION = [training.standardize, training.xavier_init, training.he_init]
_STANDARDIZE = """def standardize(X):
    X = np.asarray(X, dtype=float)
    mean, std = X.mean(axis=0), X.std(axis=0)
    return {z} / np.where(std > 0, {scale}, 1.0), mean, std
"""
MISTAKE_CODE = {
    "X not centred (X / std)": _STANDARDIZE.format(z="X", scale="std"),
    "divided by the variance": _STANDARDIZE.format(z="(X - mean)", scale="std ** 2"),
    "Glorot drawn from a normal distribution": "def xavier_init(fan_in, fan_out, rng):\n"
        "    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))\n",
    "He's variance passed as its standard deviation": "def he_init(fan_in, fan_out, rng):\n"
        "    return rng.normal(0.0, 2.0 / fan_in, size=(fan_out, fan_in))\n",
}


def params(rng: np.random.Generator) -> dict:
    """Features on different scales (6 rows, 3 columns), one with a std below 1, fans for a large layer
    and a seed."""
    scales = rng.choice([0.1, 1.0, 10.0, 100.0], 3, replace=False)
    X = np.round(rng.normal(rng.uniform(-50, 50, 3), scales, (6, 3)), 2)
    if np.min(X.std(axis=0)) < 1e-3:
        raise RedrawVariant("a nearly constant column")
    if np.min(X.std(axis=0)) >= 1:
        raise RedrawVariant("no column with a std below 1 (a guard std > 1 for std > 0 would not show)")
    return {"X": X.tolist(), "fan_in": int(rng.integers(150, 400)), "fan_out": int(rng.integers(100, 300)),
            "seed": int(rng.integers(10**6))}


def init_mistakes(name: str, fan_in: int, fan_out: int, seed: int) -> dict:
    """Hint -> the W a classic slip in ``name`` ("xavier_init" or "he_init") draws from ``default_rng(seed)``."""
    rng, shape = np.random.default_rng(seed), (fan_out, fan_in)
    if name == "xavier_init":
        r = np.sqrt(6 / (fan_in + fan_out))
        return {"Every weight is r: draw from the interval [−r, r], rng.uniform(-r, r, size=(fan_out, fan_in)).":
                np.full(shape, r),
                "Glorot here is uniform: rng.uniform(-r, r, ...), not rng.normal with the same variance.":
                rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), shape)}
    sigma = np.sqrt(2 / fan_in)
    return {"Every weight is σ: rng.normal takes the mean first, then the standard deviation: rng.normal(0, σ, ...).":
            np.full(shape, sigma),
            "The standard deviation is √(2/fan_in): pass it (not the variance 2/fan_in) to rng.normal.":
            rng.normal(0, 2 / fan_in, shape)}


def prompt(params: dict) -> str:
    return f"""\
**Standardising** puts every input feature on the same scale, so that one learning rate suits
all weights: for each column $j$ of `X` (rows are samples),

$$\\mu_j = \\frac1n \\sum_i X_{{ij}}, \\qquad s_j = \\sqrt{{\\frac1n \\sum_i (X_{{ij}} - \\mu_j)^2}}, \\qquad Z_{{ij}} = \\frac{{X_{{ij}} - \\mu_j}}{{s_j}}$$

(the population standard deviation, `ddof=0`; a constant column, $s_j = 0$, is only centred).
`standardize(X)` returns `(X_std, mean, std)`, the last two of shape `(d,)`.

**Initialisation** keeps the signal's variance from layer to layer (COURSE_NOTES: Glorot/Xavier
against vanishing gradients). Both return `W` of shape **(fan_out, fan_in)** with **one** call to
the generator `rng`:

- `xavier_init(fan_in, fan_out, rng)`: Glorot **uniform**,
  `rng.uniform(-r, r, size=(fan_out, fan_in))` with $r = \\sqrt{{6 / (\\text{{fan\\_in}} + \\text{{fan\\_out}})}}$,
  so $\\operatorname{{Var}} W = 2 / (\\text{{fan\\_in}} + \\text{{fan\\_out}})$;
- `he_init(fan_in, fan_out, rng)`: He **normal** for ReLU layers,
  `rng.normal(0, σ, size=(fan_out, fan_in))` with the standard deviation $σ = \\sqrt{{2 / \\text{{fan\\_in}}}}$
  (numpy's second argument is the standard deviation, not the variance).

**Your data**: `X = np.array({params["X"]})`; and a layer with `fan_in = {params["fan_in"]}`,
`fan_out = {params["fan_out"]}`, drawn with `np.random.default_rng({params["seed"]})`.
"""


@pytest.mark.points(1)
def test_standardize_your_data(student, ref, params):
    X = np.array(params["X"])
    got = student.standardize(X)
    expect(isinstance(got, (list, tuple)) and len(got) == 3, "standardize must return (X_std, mean, std).")
    X_std, mean, std = ref.standardize(X)
    expect(np.shape(got[1]) == mean.shape and np.shape(got[2]) == std.shape,
           f"mean and std must have one value per column, shape {mean.shape}; got {np.shape(got[1])} "
           f"and {np.shape(got[2])}.", "Average over the rows, axis 0: X.mean(axis=0), X.std(axis=0).")
    expect_close(got[1], mean, what="mean", hint="The mean of each column: X.mean(axis=0).")
    expect_close(got[2], std, what="std",
                 mistakes={"This is the sample standard deviation (ddof=1): use the population one, X.std(axis=0).":
                           X.std(axis=0, ddof=1)})
    expect_close(got[0], X_std, what="X_std", mistakes={
        "The mean is added: subtract it, Z = (X − mean) / std.": (X + mean) / std,
        "X is not centred: subtract the column mean first, Z = (X − mean) / std.": X / std,
        "This divides by the variance: divide by the standard deviation, Z = (X − mean) / std.": (X - mean) / std**2,
    })


@pytest.mark.points(1)
@pytest.mark.hidden(hint="A constant column has std 0: centre it (zeros) instead of dividing by 0; keep the "
                         "other columns standardised.")
def test_standardize_a_constant_column(student):
    X = np.array([[1.0, 5.0, -2.0], [2.0, 5.0, 0.0], [4.0, 5.0, 8.0]])
    got = student.standardize(X)
    expect(isinstance(got, (list, tuple)) and len(got) == 3, "standardize must return (X_std, mean, std).")
    expected = training.standardize(X)
    for value, want, name in zip(got, expected, ("X_std", "mean", "std")):
        expect_close(value, want, what=name)


@pytest.mark.points(1)
def test_xavier_statistics(student, params):
    fan_in, fan_out = params["fan_in"], params["fan_out"]
    W = as_numbers(student.xavier_init(fan_in, fan_out, np.random.default_rng(params["seed"])), "xavier_init")
    expect(W.shape == (fan_out, fan_in), f"W has shape {W.shape}, expected (fan_out, fan_in) = {(fan_out, fan_in)}.",
           "W maps fan_in inputs to fan_out units: shape (fan_out, fan_in).")
    r = np.sqrt(6 / (fan_in + fan_out))
    expect(np.abs(W).max() <= r, f"some |W| exceed r = √(6/(fan_in + fan_out)) = {r:.4g}.",
           "Draw from the uniform distribution on [−r, r].")
    expect(abs(W.var() / (2 / (fan_in + fan_out)) - 1) < 0.05,
           f"Var W = {W.var():.4g}, expected 2/(fan_in + fan_out) = {2 / (fan_in + fan_out):.4g} (±5 %).",
           "Glorot uniform: rng.uniform(-r, r) with r = √(6/(fan_in + fan_out)).")
    expect(abs(W.mean()) < 0.05 * r, f"the mean of W is {W.mean():.4g}, expected about 0.")


@pytest.mark.points(1)
def test_he_statistics(student, params):
    fan_in, fan_out = params["fan_in"], params["fan_out"]
    W = as_numbers(student.he_init(fan_in, fan_out, np.random.default_rng(params["seed"])), "he_init")
    expect(W.shape == (fan_out, fan_in), f"W has shape {W.shape}, expected (fan_out, fan_in) = {(fan_out, fan_in)}.",
           "W maps fan_in inputs to fan_out units: shape (fan_out, fan_in).")
    sigma = np.sqrt(2 / fan_in)
    ratio = W.std() / sigma
    expect(abs(ratio - 1) < 0.025, f"std W = {W.std():.4g}, expected √(2/fan_in) = {sigma:.4g} (±2.5 %).",
           "The standard deviation is √(2/fan_in): pass it (not the variance 2/fan_in) to rng.normal."
           if abs(W.std() / (2 / fan_in) - 1) < 0.05 else "He normal: rng.normal(0, √(2/fan_in), (fan_out, fan_in)).")
    expect(abs(W.mean()) < 0.05 * sigma, f"the mean of W is {W.mean():.4g}, expected about 0.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Draw W with exactly one call on the generator you are given: "
                         "rng.uniform(-r, r, size=(fan_out, fan_in)) or rng.normal(0, σ, size=(fan_out, fan_in)).")
def test_one_call_on_the_generator(student, params):
    for name in ("xavier_init", "he_init"):
        args = (params["fan_out"] // 4 + 1, params["fan_in"] // 4 + 1)
        expected = getattr(training, name)(*args, np.random.default_rng(params["seed"] + 9))
        got = as_numbers(getattr(student, name)(*args, np.random.default_rng(params["seed"] + 9)), name)
        expect(got.shape == expected.shape, f"{name} returned shape {got.shape}.",
               "W has the shape (fan_out, fan_in).")
        expect_close(got, expected, what=name, mistakes=init_mistakes(name, *args, params["seed"] + 9))
