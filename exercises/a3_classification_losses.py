"""a3 · Cross-entropy losses (binary, categorical, sparse) and their gradients."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close, show
from exercises.model import RedrawVariant
from reference import activations as act
from reference import losses

ASSIGNMENT = "a3"
TITLE = "Cross-entropy losses and their gradients"
CONCEPT = "binary, categorical and sparse categorical cross-entropy; softmax + cross-entropy gradient"
SOLUTION = [losses.binary_cross_entropy, losses.binary_cross_entropy_grad, losses.categorical_cross_entropy,
            losses.sparse_categorical_cross_entropy, losses.softmax_cross_entropy_grad]

MINUS_HINT = "Cross-entropy is −Σ y ln p: ln of a probability is negative, so the minus makes the loss positive."
MEAN_HINT = "Sum over the classes, then take the mean over the samples (divide by n, the number of rows)."
CLIP_HINT = ("Clip probabilities to [1e-12, 1 − 1e-12] before the logarithm, so p = 0 or 1 gives a finite "
             "loss (0·ln 0 is nan in numpy).")
SOFTMAX_GRAD_HINT = ("∂L/∂Z = (softmax(Z) − Y) / n: the softmax of each row (max subtracted), minus the "
                     "one-hot targets, divided by the number of rows.")


_CLIPPED = "    P = np.clip(np.asarray(P, float), 1e-12, 1 - 1e-12)\n"
_SOFTMAX = "    Z = np.asarray(Z, float)\n    e = np.exp(Z - Z.max(axis=-1, keepdims=True))\n"
MISTAKE_CODE = {
    "BCE without the minus sign": "def binary_cross_entropy(y, p):\n    y = np.asarray(y, float)\n"
        "    p = np.clip(np.asarray(p, float), 1e-12, 1 - 1e-12)\n"
        "    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))\n",
    "BCE gradient not divided by N": "def binary_cross_entropy_grad(y, p):\n    y = np.asarray(y, float)\n"
        "    p = np.clip(np.asarray(p, float), 1e-12, 1 - 1e-12)\n    return (p - y) / (p * (1 - p))\n",
    "CCE without the minus sign": "def categorical_cross_entropy(Y, P):\n" + _CLIPPED
        + "    return float(np.sum(np.asarray(Y) * np.log(P)) / np.atleast_2d(P).shape[0])\n",
    "CCE summed over the rows": "def categorical_cross_entropy(Y, P):\n" + _CLIPPED
        + "    return float(-np.sum(np.asarray(Y) * np.log(P)))\n",
    "CCE averaged over all n·k entries": "def categorical_cross_entropy(Y, P):\n" + _CLIPPED
        + "    return float(-np.mean(np.asarray(Y) * np.log(P)))\n",
    "sparse CCE summed over the rows": "def sparse_categorical_cross_entropy(labels, P):\n" + _CLIPPED
        + "    P = np.atleast_2d(P)\n    return float(-np.sum(np.log(P[np.arange(len(P)), np.asarray(labels)])))\n",
    "softmax CE gradient without the softmax": "def softmax_cross_entropy_grad(Z, Y):\n"
        "    Z = np.asarray(Z, float)\n    return (Z - Y) / np.atleast_2d(Z).shape[0]\n",
    "softmax CE gradient with the softmax down the columns": "def softmax_cross_entropy_grad(Z, Y):\n"
        "    Z = np.asarray(Z, float)\n    e = np.exp(Z - Z.max(axis=0))\n    return (e / e.sum(axis=0) - Y) / len(Z)\n",
    "softmax CE gradient with the column maxima subtracted": "def softmax_cross_entropy_grad(Z, Y):\n"
        "    Z = np.asarray(Z, float)\n    e = np.exp(Z - Z.max(axis=0))\n"
        "    return (e / e.sum(axis=-1, keepdims=True) - Y) / len(Z)\n",
    "softmax CE gradient not divided by n": "def softmax_cross_entropy_grad(Z, Y):\n" + _SOFTMAX
        + "    return e / e.sum(axis=-1, keepdims=True) - Y\n",
}


def params(rng: np.random.Generator) -> dict:
    """Binary labels and probabilities; one-hot targets, probability rows and logits of a small batch.

    More rows than classes (n > k), label 0 used and unequal column maxima of Z, so a bound or an
    axis mixed up between rows and classes fails the same way on every variant.
    """
    m = int(rng.integers(5, 9))
    y = (rng.random(m) < 0.5).astype(int)
    p = np.round(rng.uniform(0.05, 0.95, m), 2)
    n, k = int(rng.integers(3, 6)), int(rng.integers(3, 5))
    labels = rng.integers(0, k, n)
    P = np.maximum(np.round(rng.dirichlet(2.0 * np.ones(k), n), 3), 0.03)
    P[:, -1] = np.round(1.0 - P[:, :-1].sum(axis=1), 3)
    Z = np.round(rng.uniform(-3.0, 3.0, (n, k)), 1) + 0.0
    if y.min() == y.max() or n <= k or P.min() < 0.02:
        raise RedrawVariant  # one class only; rows and columns confusable (n > k always); a vanishing probability
    if labels.min() > 0 or np.ptp(Z.max(axis=0)) == 0:
        raise RedrawVariant  # label 0 unused; equal column maxima (subtracting them would not change the softmax)
    return {"y": y.tolist(), "p": p.tolist(), "labels": labels.tolist(),
            "Y": np.eye(k, dtype=int)[labels].tolist(), "P": P.tolist(), "Z": Z.tolist()}


_TEACHING = r"""
A classifier outputs **probabilities**; cross-entropy measures how surprised it
is by the true class: $-\ln$ of the probability it gave to what happened.
Every loss here is the **mean over the samples** (rows), never the sum.

* **Binary** (sigmoid output $p_i$ = probability of class 1, targets $y_i \in \{0, 1\}$):
  $$L = -\frac1N \sum_i \left[y_i \ln p_i + (1 - y_i)\ln(1 - p_i)\right],
  \qquad \frac{\partial L}{\partial p_i} = \frac1N\,\frac{p_i - y_i}{p_i(1 - p_i)}$$
* **Categorical** (softmax output, rows $P_s$ of shape (n, k), one-hot rows $Y_s$):
  $$L = -\frac1n \sum_{s=1}^{n} \sum_{j=1}^{k} Y_{sj} \ln P_{sj}$$
  (sum over the classes, mean over the n rows). A single vector of shape (k,)
  is one sample (n = 1).
* **Sparse categorical**: the same with integer labels $c_s$ instead of one-hot rows,
  $L = -\frac1n \sum_s \ln P_{s, c_s}$.
* **Softmax + cross-entropy**: with $P = \operatorname{softmax}(Z)$ row by row, the
  gradient with respect to the **logits** is remarkably simple:
  $$\frac{\partial L}{\partial Z} = \frac{\operatorname{softmax}(Z) - Y}{n}$$
  Compute the softmax inside (subtract each row's maximum: logits may be ±1e4).

Conventions: don't forget the **minus** sign; **clip** probabilities to
$[\epsilon, 1-\epsilon]$ with $\epsilon = 10^{-12}$ before taking logarithms (a
probability of exactly 0 or 1 must give a finite loss, and $0 \cdot \ln 0$ is nan
in numpy); the BCE gradient uses the clipped p too.

Implement `binary_cross_entropy(y, p)`, `binary_cross_entropy_grad(y, p)`,
`categorical_cross_entropy(Y, P)`, `sparse_categorical_cross_entropy(labels, P)`
and `softmax_cross_entropy_grad(Z, Y)`.

Example: y = [1, 0, 1], p = [0.9, 0.2, 0.6] give BCE ≈ 0.279777; Y = [[1, 0, 0], [0, 1, 0]],
P = [[0.7, 0.2, 0.1], [0.3, 0.4, 0.3]] give CCE ≈ 0.636483 (= sparse CCE with labels [0, 1]).
"""


def prompt(params: dict) -> str:
    return _TEACHING + f"""
Your data: binary y = {params["y"]}, p = {params["p"]};
labels = {params["labels"]}, one-hot Y = {params["Y"]}, probabilities P = {params["P"]},
logits Z = {params["Z"]}.
"""


@pytest.mark.points(1)
def test_cross_entropies_at_the_example(student, ref):
    y, p = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.6])
    Y, P = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), np.array([[0.7, 0.2, 0.1], [0.3, 0.4, 0.3]])
    expect_close(student.binary_cross_entropy(y, p), ref.binary_cross_entropy(y, p), what="BCE at the example",
                 n=3, mistakes={"The loss is −Σ y ln p …: the minus sign is missing.": -ref.binary_cross_entropy(y, p)})
    cce = ref.categorical_cross_entropy(Y, P)
    expect_close(student.categorical_cross_entropy(Y, P), cce, what="CCE at the example",
                 mistakes={"Take the mean over the samples (rows), not the sum.": 2 * cce,
                           "The loss is −Σ Y ln P: the minus sign is missing.": -cce})
    expect_close(student.sparse_categorical_cross_entropy(np.array([0, 1]), P),
                 ref.sparse_categorical_cross_entropy(np.array([0, 1]), P), what="sparse CCE at the example",
                 mistakes={"Take the mean over the samples (rows), not the sum.": 2 * cce})


@pytest.mark.points(2)
def test_cross_entropies_on_your_data(student, ref, params):
    y, p = np.array(params["y"]), np.array(params["p"])
    Y, P, labels = np.array(params["Y"]), np.array(params["P"]), np.array(params["labels"])
    n, k = P.shape
    bce = ref.binary_cross_entropy(y, p)
    expect_close(student.binary_cross_entropy(y, p), bce, what=f"binary_cross_entropy({show(y)}, {show(p)})",
                 n=len(y), mistakes={"The loss is −Σ [y ln p + (1 − y) ln(1 − p)]: the minus sign is missing.": -bce})
    cce = ref.categorical_cross_entropy(Y, P)
    named = {"Take the mean over the samples (rows), not the sum.": n * cce,
             "Sum over the classes, mean over the rows: you averaged over all n·k entries.": cce / k,
             "The loss is −Σ Y ln P: the minus sign is missing.": -cce}
    expect_close(student.categorical_cross_entropy(Y, P), cce, what="categorical_cross_entropy(Y, P)",
                 mistakes=named)
    expect_close(student.sparse_categorical_cross_entropy(labels, P),
                 ref.sparse_categorical_cross_entropy(labels, P),
                 what=f"sparse_categorical_cross_entropy({show(labels)}, P)", mistakes=named,
                 hint="Pick P[s, labels[s]] in each row s (e.g. P[np.arange(n), labels]), then −mean(ln).")


@pytest.mark.points(2)
def test_gradients_on_your_data(student, ref, params):
    y, p = np.array(params["y"]), np.array(params["p"])
    Y, Z = np.array(params["Y"]), np.array(params["Z"])
    n = Z.shape[0]
    expect_close(student.binary_cross_entropy_grad(y, p), ref.binary_cross_entropy_grad(y, p),
                 what="binary_cross_entropy_grad on your data", n=len(y), mistakes={
                     "That is the gradient with respect to the logit, (p − y)/N: with respect to p, also divide "
                     "by p(1 − p).": (p - y) / len(y),
                     "Divide by p(1 − p), do not multiply: ∂L/∂p = (p − y) / (p(1 − p)) / N.":
                         (p - y) * p * (1 - p) / len(y),
                 }, hint="∂L/∂p = (p − y) / (p(1 − p)) / N.")
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    expect_close(student.softmax_cross_entropy_grad(Z, Y), ref.softmax_cross_entropy_grad(Z, Y),
                 what="softmax_cross_entropy_grad(Z, Y) on your data", n=n,
                 mistakes={"Apply the softmax to the logits first: the gradient is (softmax(Z) − Y)/n, not (Z − Y)/n.":
                           (Z - Y) / n,
                           "The softmax runs along each row (axis=-1), not down the columns.":
                           (np.exp(Z) / np.exp(Z).sum(axis=0) - Y) / n,
                           "Divide by n, the number of rows: the loss is a mean over the samples.":
                           e / e.sum(axis=1, keepdims=True) - Y,
                           "Subtract each row's own maximum (axis=-1, keepdims=True): the column maxima change "
                           "the softmax of a row.":
                           (np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=1, keepdims=True) - Y) / n},
                 hint="∂L/∂Z = (softmax(Z) − Y) / n.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Each gradient must be the slope of the matching loss (a centred difference of your "
                         "binary_cross_entropy, and of your categorical_cross_entropy of softmax(Z), "
                         "disagrees with it). " + SOFTMAX_GRAD_HINT)
def test_gradients_match_your_losses(student):
    y, p = np.array([1.0, 0.0, 0.0, 1.0, 1.0]), np.array([0.35, 0.12, 0.7, 0.81, 0.5])
    Z = np.array([[0.4, -1.1, 2.0], [1.3, 0.2, -0.6], [-2.2, 0.9, 0.1], [0.0, 0.5, -0.5]])
    Y = np.eye(3)[[2, 0, 1, 1]]
    h = 1e-6
    slope = np.zeros_like(p)
    for i in range(p.size):
        step = np.zeros_like(p)
        step[i] = h
        slope[i] = (float(np.asarray(student.binary_cross_entropy(y, p + step), dtype=float))
                    - float(np.asarray(student.binary_cross_entropy(y, p - step), dtype=float))) / (2 * h)
    expect_close(student.binary_cross_entropy_grad(y, p), slope, what="BCE gradient vs slope", rtol=1e-4,
                 atol=1e-7, hint="binary_cross_entropy_grad is not the slope of your binary_cross_entropy.")
    slope = np.zeros_like(Z)
    for index in np.ndindex(*Z.shape):
        step = np.zeros_like(Z)
        step[index] = h
        up = student.categorical_cross_entropy(Y, act.softmax(Z + step))
        down = student.categorical_cross_entropy(Y, act.softmax(Z - step))
        slope[index] = (float(np.asarray(up, dtype=float)) - float(np.asarray(down, dtype=float))) / (2 * h)
    expect_close(student.softmax_cross_entropy_grad(Z, Y), slope, what="softmax CE gradient vs slope",
                 rtol=1e-4, atol=1e-7, hint=SOFTMAX_GRAD_HINT)


@pytest.mark.points(2)
@pytest.mark.hidden(hint=CLIP_HINT + " A single vector (k,) is one sample. " + SOFTMAX_GRAD_HINT
                    + " It must stay finite for logits up to ±1e4.")
def test_certain_predictions_single_samples_and_large_logits(student):
    y, p = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.9, 0.2])
    got = student.binary_cross_entropy(y, p)  # values only: an unclipped log(0) gives inf or nan
    expect_close(got, losses.binary_cross_entropy(y, p), what="BCE with p = 0 and 1", atol=1e-6,
                 mistakes={MINUS_HINT: -losses.binary_cross_entropy(y, p)}, hint=CLIP_HINT)
    grad = student.binary_cross_entropy_grad(np.array([1.0, 0.0]), np.array([0.999, 0.25]))
    expect_close(grad, losses.binary_cross_entropy_grad(np.array([1.0, 0.0]), np.array([0.999, 0.25])),
                 what="BCE gradient", rtol=1e-5, hint=CLIP_HINT)
    y_vec, p_vec = np.array([0.0, 0.0, 1.0, 0.0]), np.array([0.1, 0.2, 0.6, 0.1])
    expect_close(student.categorical_cross_entropy(y_vec, p_vec), -np.log(0.6), what="CCE of one sample",
                 hint="A vector of shape (k,) is one sample: the loss is −Σ_j y_j ln p_j.")
    certain = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    got = student.sparse_categorical_cross_entropy(np.array([2, 0]), certain)
    expect_close(got, 0.0, what="sparse CCE of certain, right predictions", atol=1e-6, hint=CLIP_HINT)
    Z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 2.0, -1e4 + 1.0]])
    Y = np.eye(3)[[1, 1]]
    got = student.softmax_cross_entropy_grad(Z, Y)  # values only: exp(1e4) without the max gives nan
    expect_close(got, losses.softmax_cross_entropy_grad(Z, Y), what="softmax CE gradient at ±1e4",
                 hint=SOFTMAX_GRAD_HINT)
