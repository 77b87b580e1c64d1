"""a3 · Softmax along an axis, stable for large logits, and its Jacobian."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close, show
from exercises.model import RedrawVariant
from reference import activations as act

ASSIGNMENT = "a3"
TITLE = "Softmax and its Jacobian"
CONCEPT = "softmax, the max-subtraction trick, class axis, Jacobian diag(y) − y yᵀ"
SOLUTION = [act.softmax, act.softmax_jacobian]

MAX_HINT = ("Subtract the maximum logit before exponentiating (e = np.exp(z - z.max(axis, keepdims=True))): "
            "the result is unchanged and np.exp never overflows.")
AXIS_HINT = ("Normalise along the `axis` argument (np.sum(..., axis=axis, keepdims=True)): "
             "each slice along that axis must sum to 1.")
JACOBIAN_HINT = "J = diag(y) − y yᵀ with y = softmax(z): J_ij = y_i(δ_ij − y_j)."


def params(rng: np.random.Generator) -> dict:
    """A logit vector of 3–5 well-separated classes and a (n, k) batch of logits."""
    k = int(rng.integers(3, 6))
    n = int(rng.integers(2, 5))
    z = np.round(rng.uniform(-3.0, 3.0, size=k), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    Z = np.round(rng.uniform(-3.0, 3.0, size=(n, k)), 1) + 0.0
    if np.min(np.diff(np.sort(z))) < 0.2 or n == k:
        raise RedrawVariant  # near-ties, or a square batch whose two axes could be confused
    return {"z": [float(v) for v in z], "Z": Z.tolist()}


_TEACHING = r"""
The **softmax** turns a vector of k logits (scores) into a probability
distribution over k classes:

$$y_i = \frac{e^{z_i}}{\sum_{j=1}^{k} e^{z_j}}$$

Every $y_i$ is in (0, 1) and they sum to 1; the largest logit gets the largest
probability.

**Stability.** For logits like 1000, `np.exp(1000)` is `inf` and the result is
`inf / inf = nan`. Since $e^{z_i - m} / \sum_j e^{z_j - m}$ is the same number
for any m, subtract the maximum $m = \max_j z_j$ first: every exponent is then
≤ 0 and the denominator ≥ 1. Your softmax must be finite and warning-free for
logits up to ±10 000.

**Axis.** `softmax(z, axis=-1)` normalises along `axis`. For a batch of shape
(n, k) with one sample per row, the default `axis=-1` makes each **row** sum
to 1; `axis=0` would normalise each column instead. Use `keepdims=True` in the
max and the sum so they broadcast back.

**Jacobian.** For one vector, $\partial y_i / \partial z_j = y_i(\delta_{ij} - y_j)$,
i.e. $J = \operatorname{diag}(y) - y\,y^\top$ (a symmetric (k, k) matrix whose
rows sum to 0). Implement `softmax_jacobian(z)` for one vector z of shape (k,).

Implement `softmax(z, axis=-1)` and `softmax_jacobian(z)`.

Example: `softmax(np.array([1.0, 2.0, 3.0]))` ≈ `[0.090031, 0.244728, 0.665241]`.
"""


def prompt(params: dict) -> str:
    return _TEACHING + f"""
Your logits: z = {params["z"]} and a batch Z = {params["Z"]} (one sample per row).
"""


@pytest.mark.points(1)
def test_softmax_at_the_example(student, ref):
    z = np.array([1.0, 2.0, 3.0])
    e = np.exp(z)
    expect_close(student.softmax(z), ref.softmax(z), what=f"softmax({show(z)})",
                 mistakes={"Divide by the sum of the exponentials: the outputs must sum to 1.": e,
                           "Exponentiate the logits: y_i = e^(z_i) / Σ_j e^(z_j), not z_i / Σ_j z_j.": z / z.sum()})


@pytest.mark.points(2)
def test_softmax_on_your_logits(student, ref, params):
    z, Z = np.array(params["z"]), np.array(params["Z"])
    expect_close(student.softmax(z), ref.softmax(z), what=f"softmax({show(z)})")
    expect_close(student.softmax(Z), ref.softmax(Z), what="softmax of your batch Z (default axis=-1)",
                 mistakes={"Each ROW must sum to 1: you normalised along axis 0 (the columns). Use "
                           "axis=axis, keepdims=True in the max and the sum.": ref.softmax(Z, 0),
                           "Normalise each row separately: you divided by the sum over the whole "
                           "batch.": np.exp(Z) / np.exp(Z).sum()})


@pytest.mark.points(2)
def test_softmax_jacobian_on_your_logits(student, ref, params):
    z = np.array(params["z"])
    y = ref.softmax(z)
    expect_close(student.softmax_jacobian(z), ref.softmax_jacobian(z), what=f"softmax_jacobian({show(z)})",
                 mistakes={"Only the diagonal y_i(1 − y_i) is there: the off-diagonal entries are −y_i y_j.":
                           np.diag(y * (1 - y)),
                           "J = diag(y) − y yᵀ: the diag(y) part is missing.": -np.outer(y, y)},
                 hint="J_ij = y_i(δ_ij − y_j): J = np.diag(y) − np.outer(y, y).")


@pytest.mark.points(2)
@pytest.mark.hidden(hint=AXIS_HINT)
def test_softmax_along_any_axis(student, params):
    Z = np.array(params["Z"])
    for axis in (0, 1, -1):
        wrong = {AXIS_HINT: act.softmax(Z, 1 - axis % 2)}
        expect_close(student.softmax(Z, axis), act.softmax(Z, axis), what=f"softmax(Z, axis={axis})",
                     mistakes=wrong, hint=AXIS_HINT)
    cube = np.arange(24.0).reshape(2, 3, 4) % 7 - 3.0
    for axis in (0, 1, 2):
        expect_close(student.softmax(cube, axis), act.softmax(cube, axis), what="softmax of a 3-d array",
                     hint=AXIS_HINT)


@pytest.mark.points(2)
@pytest.mark.hidden(hint=MAX_HINT)
def test_softmax_is_stable_for_large_logits(student):
    cases = [np.array([1e4, 0.0, -1e4]), np.array([1e4, 1e4 - 1.0, 1e4 - 2.0]),
             np.array([[800.0, 799.0, -5.0], [-1e4, -1e4 + 1.0, -1e4 + 3.0]])]
    for z in cases:
        with np.errstate(all="ignore"):
            naive = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        got = student.softmax(z)  # values only: without the max, exp(1e4) / inf is nan
        expect_close(got, act.softmax(z), what="softmax of large logits", mistakes={MAX_HINT: naive},
                     hint=MAX_HINT)
    got = student.softmax_jacobian(np.array([1e4, 1e4 - 1.0, 0.0]))
    expect_close(got, act.softmax_jacobian(np.array([1e4, 1e4 - 1.0, 0.0])),
                 what="softmax_jacobian of large logits", hint=MAX_HINT)


@pytest.mark.points(2)
@pytest.mark.hidden(hint="softmax_jacobian must be the derivative of your own softmax: "
                         + JACOBIAN_HINT + " It is symmetric and its rows sum to 0.")
def test_softmax_jacobian_matches_your_softmax(student):
    z = np.array([0.3, -1.2, 2.1, 0.8])
    h = 1e-6
    columns = []
    for j in range(z.size):
        step = np.zeros_like(z)
        step[j] = h
        columns.append((np.asarray(student.softmax(z + step), dtype=float)
                        - np.asarray(student.softmax(z - step), dtype=float)) / (2 * h))
    J = np.stack(columns, axis=1)
    got = student.softmax_jacobian(z)
    expect_close(got, J, what="softmax_jacobian vs the slopes of softmax", rtol=1e-5, atol=1e-7,
                 hint=JACOBIAN_HINT)
    expect_close(np.sum(np.asarray(got, dtype=float), axis=1), np.zeros(z.size), what="row sums of J",
                 atol=1e-9, hint="The rows of the softmax Jacobian sum to 0 (the outputs always sum to 1).")
