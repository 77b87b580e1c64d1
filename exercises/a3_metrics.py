"""a3 · Evaluation metrics: accuracies, confusion counts, precision/recall, regression and distribution metrics."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close, show
from exercises.model import RedrawVariant
from reference import metrics

ASSIGNMENT = "a3"
TITLE = "Evaluation metrics"
CONCEPT = "accuracy variants, top-k, confusion counts, precision, recall, RMSE, MAPE, MSLE, KL, Poisson"
SOLUTION = [metrics.accuracy, metrics.binary_accuracy, metrics.categorical_accuracy,
            metrics.sparse_categorical_accuracy, metrics.top_k_accuracy, metrics.confusion_counts,
            metrics.precision, metrics.recall, metrics.rmse, metrics.mape, metrics.msle,
            metrics.kl_divergence, metrics.poisson]

ZERO_DIVISION_HINT = ("precision is 0.0 when nothing is predicted positive, recall 0.0 when there are no "
                      "positives: test the denominator before dividing.")
THRESHOLD_HINT = "binary_accuracy predicts 1 where p > threshold: use the threshold argument, not 0.5."
TOP_K_HINT = "A row is a hit when its true class is among the k highest scores (fewer than k classes score higher)."
MEAN_HINT = "Elementwise metrics take the mean over all elements; KL sums over each row's classes, then averages the rows."


_COUNTS = ("    y, y_pred = np.asarray(y), np.asarray(y_pred)\n"
           "    tp, tn = int(np.sum((y == 1) & (y_pred == 1))), int(np.sum((y == 0) & (y_pred == 0)))\n"
           "    fp, fn = int(np.sum((y == 0) & (y_pred == 1))), int(np.sum((y == 1) & (y_pred == 0)))\n")
_REGRESSION = "    y, y_hat = np.asarray(y, float), np.asarray(y_hat, float)\n"
MISTAKE_CODE = {
    "confusion counts in the order (tp, fp, tn, fn)": "def confusion_counts(y, y_pred):\n" + _COUNTS
        + "    return tp, fp, tn, fn\n",
    "fp and fn swapped": "def confusion_counts(y, y_pred):\n" + _COUNTS + "    return tp, tn, fn, fp\n",
    "precision computed as TP/(TP + FN)": "def precision(y, y_pred):\n" + _COUNTS
        + "    return tp / (tp + fn) if tp + fn else 0.0\n",
    "recall computed as TP/(TP + FP)": "def recall(y, y_pred):\n" + _COUNTS
        + "    return tp / (tp + fp) if tp + fp else 0.0\n",
    "binary accuracy ignores its threshold": "def binary_accuracy(y, p, threshold=0.5):\n"
        "    return float(np.mean((np.asarray(p) > 0.5) == (np.asarray(y) == 1)))\n",
    "top-k accuracy counts only the best score": "def top_k_accuracy(labels, P, k):\n"
        "    return float(np.mean(np.argmax(P, axis=-1) == np.asarray(labels)))\n",
    "categorical accuracy counts the matches": "def categorical_accuracy(Y, P):\n"
        "    return float(np.sum(np.argmax(Y, axis=-1) == np.argmax(P, axis=-1)))\n",
    "precision of nothing predicted is 1.0": "def precision(y, y_pred):\n" + _COUNTS
        + "    return tp / (tp + fp) if tp + fp else 1.0\n",
    "RMSE without the square root": "def rmse(y, y_hat):\n" + _REGRESSION + "    return float(np.mean((y_hat - y) ** 2))\n",
    "MAPE as a fraction, not percent": "def mape(y, y_hat):\n" + _REGRESSION
        + "    return float(np.mean(np.abs(y - y_hat) / np.maximum(np.abs(y), 1e-7)))\n",
    "MAPE relative to the prediction": "def mape(y, y_hat):\n" + _REGRESSION
        + "    return float(100 * np.mean(np.abs(y - y_hat) / np.maximum(np.abs(y_hat), 1e-7)))\n",
    "MSLE with ln, not ln(1 + ·)": "def msle(y, y_hat):\n" + _REGRESSION
        + "    return float(np.mean((np.log(np.maximum(y, 1e-7)) - np.log(np.maximum(y_hat, 1e-7))) ** 2))\n",
    "KL(Q‖P) for KL(P‖Q)": "def kl_divergence(P, Q):\n"
        "    P, Q = np.clip(np.atleast_2d(P), 1e-7, 1), np.clip(np.atleast_2d(Q), 1e-7, 1)\n"
        "    return float(np.mean(np.sum(Q * np.log(Q / P), axis=-1)))\n",
}
HIDDEN_ONLY = {"binary accuracy ignores its threshold": "the public checks use the default threshold 0.5",
               "precision of nothing predicted is 1.0": "predicting no positive at all is a hidden edge case"}


def _distributions(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` probability rows of ``k`` classes, rounded to 3 decimals, each entry >= 0.03."""
    rows = np.maximum(np.round(rng.dirichlet(2.0 * np.ones(k), n), 3), 0.03)
    rows[:, -1] = np.round(1.0 - rows[:, :-1].sum(axis=1), 3)
    if rows.min() < 0.02:
        raise RedrawVariant
    return rows


def _until_fine(draw, rng: np.random.Generator, tries: int = 50) -> dict:
    """Call ``draw(rng)`` until it does not raise RedrawVariant (a part of the variant, redrawn alone)."""
    for _ in range(tries):
        try:
            return draw(rng)
        except RedrawVariant:
            continue
    raise RedrawVariant


def _binary(rng: np.random.Generator) -> dict:
    """0/1 labels and probabilities clear of 0.5 and of the other threshold; four distinct non-zero counts;
    neither accuracy that of the labels flipped (1/2) or of labels all 0 (the share of p <= the threshold)."""
    m = int(rng.integers(10, 15))
    threshold = float(rng.choice([0.3, 0.35, 0.4, 0.6, 0.65, 0.7]))
    grid = np.round(np.arange(0.02, 0.99, 0.01), 2)
    allowed = grid[(np.abs(grid - 0.5) >= 0.04) & (np.abs(grid - threshold) >= 0.03)]
    y, p = (rng.random(m) < 0.5).astype(int), rng.choice(allowed, m)
    y_pred = p > 0.5
    tp, tn = int(np.sum((y == 1) & y_pred)), int(np.sum((y == 0) & ~y_pred))
    fp, fn = int(np.sum((y == 0) & y_pred)), int(np.sum((y == 1) & ~y_pred))
    if min(tp, tn, fp, fn) == 0 or len({tp, tn, fp, fn}) < 4:
        raise RedrawVariant  # a count of 0, or counts that could be confused when reordered
    if metrics.binary_accuracy(y, p, threshold) == metrics.binary_accuracy(y, p):
        raise RedrawVariant  # the other threshold must change the answer
    for t in (0.5, threshold):
        if metrics.binary_accuracy(y, p, t) in (0.5, np.mean(p <= t)):
            raise RedrawVariant  # also the accuracy of the labels flipped, or of labels read as all 0
    return {"y": y.tolist(), "p": [float(v) for v in p], "threshold": threshold}


def _classes(rng: np.random.Generator) -> dict:
    """Integer labels and rows of 4 distinct scores where top-1, top-2 and top-3 accuracy differ, and where
    comparing each row with row labels[i] (``take_along_axis(..., axis=0)``) changes top-1 and top-2."""
    n = int(rng.integers(6, 9))
    scores = np.array([rng.choice(np.arange(1, 100), 4, replace=False) for _ in range(n)]) / 100
    labels = rng.integers(0, 4, n)
    hits = [metrics.top_k_accuracy(labels, scores, k) for k in (1, 2, 3)]
    if hits[0] in (0.0, 1.0) or len(set(hits)) < 3:
        raise RedrawVariant  # k must matter
    against_row_of_label = np.sum(scores > scores[labels], axis=1)  # row i against row labels[i]
    if any(np.mean(against_row_of_label < k) == hits[k - 1] for k in (1, 2)):
        raise RedrawVariant  # the true score taken from the wrong axis would give the right top-1 or top-2
    return {"labels": labels.tolist(), "scores": scores.tolist()}


def _distribution_pair(rng: np.random.Generator) -> dict:
    """Two batches of 3 distributions over 3 classes with KL(P‖Q) clearly not KL(Q‖P)."""
    P, Q = _distributions(rng, 3, 3), _distributions(rng, 3, 3)
    if abs(metrics.kl_divergence(P, Q) - metrics.kl_divergence(Q, P)) < 1e-3:
        raise RedrawVariant
    return {"P": P.tolist(), "Q": Q.tolist()}


def _regression(rng: np.random.Generator) -> dict:
    """Positive targets and estimates, each with a value below 1 (a floor of 1 instead of ε would show)."""
    target = np.round(rng.uniform(0.5, 10.0, 6), 2)
    estimate = np.round(target * rng.uniform(0.6, 1.4, 6), 2)
    if target.min() >= 1 or estimate.min() >= 1:
        raise RedrawVariant
    return {"target": target.tolist(), "estimate": estimate.tolist()}


def _counts(rng: np.random.Generator) -> dict:
    """Counts and rates whose Poisson loss is far enough from 0 that its ε = 1e-7 moves it by under a
    quarter of the check's tolerance (rtol 1e-6): an ε changed or subtracted passes on every variant."""
    counts, rates = rng.integers(0, 7, 6), np.round(rng.uniform(0.5, 5.0, 6), 2)
    if 4 * np.mean(counts * 2e-7 / rates) > 1e-6 * abs(metrics.poisson(counts, rates)):
        raise RedrawVariant
    return {"counts": counts.tolist(), "rates": rates.tolist()}


def params(rng: np.random.Generator) -> dict:
    """Binary labels/probabilities, class scores without ties, regression targets, distributions, counts."""
    return {**_until_fine(_binary, rng), **_until_fine(_classes, rng), **_until_fine(_distribution_pair, rng),
            **_until_fine(_regression, rng), **_until_fine(_counts, rng)}


_TEACHING = r"""
A loss is what training minimises; a **metric** is what we report. Implement
the metrics below (the Keras list of the notes). Elementwise metrics are the
**mean over all elements**; metrics on class rows are the mean over the rows.

**Classification** (label arrays of shape (n,); score/probability rows of shape (n, k)):

| function | meaning |
| --- | --- |
| `accuracy(y, y_pred)` | fraction of predicted labels equal to the true labels |
| `binary_accuracy(y, p, threshold=0.5)` | predict 1 where $p > $ threshold (strictly), then accuracy against y ∈ {0, 1} |
| `categorical_accuracy(Y, P)` | one-hot Y: fraction of rows where argmax P = argmax Y |
| `sparse_categorical_accuracy(labels, P)` | fraction of rows where argmax P = the integer label |
| `top_k_accuracy(labels, P, k)` | fraction of rows whose true class is among the k highest scores |
| `confusion_counts(y, y_pred)` | the tuple **(tp, tn, fp, fn)** of 0/1 labels (1 is positive), as ints |
| `precision(y, y_pred)` | $\frac{TP}{TP + FP}$: of the predicted positives, how many are positive (0.0 if TP + FP = 0) |
| `recall(y, y_pred)` | $\frac{TP}{TP + FN}$: of the positives, how many were found (0.0 if TP + FN = 0) |

**Regression and distributions** (N = number of elements, $\epsilon = 10^{-7}$ as in Keras):

| function | formula |
| --- | --- |
| `rmse(y, y_hat)` | $\sqrt{\frac1N \sum_i (\hat y_i - y_i)^2}$ |
| `mape(y, y_hat)` | $\frac{100}{N} \sum_i \frac{\lvert y_i - \hat y_i\rvert}{\max(\lvert y_i\rvert, \epsilon)}$ (in **percent**, relative to the **target**) |
| `msle(y, y_hat)` | $\frac1N \sum_i \left(\ln(1 + \max(y_i, \epsilon)) - \ln(1 + \max(\hat y_i, \epsilon))\right)^2$ (use `np.log1p`) |
| `kl_divergence(P, Q)` | $\frac1n \sum_s \sum_j P_{sj} \ln \frac{P_{sj}}{Q_{sj}}$ with P, Q clipped to $[\epsilon, 1]$; P is the **true** distribution; a vector (k,) is one row |
| `poisson(y, y_hat)` | $\frac1N \sum_i \left(\hat y_i - y_i \ln(\hat y_i + \epsilon)\right)$ (y: observed counts, ŷ: predicted rates) |

Example: y = [1, 0, 1, 1, 0, 0, 1], y_pred = [1, 0, 0, 1, 1, 0, 0] give
(tp, tn, fp, fn) = (2, 2, 1, 2), accuracy 4/7, precision 2/3 and recall 1/2.
"""


def prompt(params: dict) -> str:
    return _TEACHING + f"""
Your data:
* binary: y = {params["y"]}, p = {params["p"]}; y_pred is p > 0.5, and
  `binary_accuracy` is also checked with your threshold {params["threshold"]};
* classes: labels = {params["labels"]}, scores (higher = more likely) = {params["scores"]};
* regression: y = {params["target"]}, ŷ = {params["estimate"]};
* distributions: P = {params["P"]}, Q = {params["Q"]};
* counts y = {params["counts"]} with predicted rates ŷ = {params["rates"]}.
"""


@pytest.mark.points(1)
def test_metrics_at_the_example(student, ref):
    y, y_pred = np.array([1, 0, 1, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 1, 0, 0])
    expect_close(student.confusion_counts(y, y_pred), ref.confusion_counts(y, y_pred),
                 what="confusion_counts at the example",
                 mistakes={"Return the counts in the order (tp, tn, fp, fn).": [2, 1, 2, 2]})
    expect_close(student.accuracy(y, y_pred), ref.accuracy(y, y_pred), what="accuracy at the example")
    expect_close(student.precision(y, y_pred), ref.precision(y, y_pred), what="precision at the example",
                 mistakes={"That is the recall TP/(TP + FN): precision is TP/(TP + FP).": 0.5})
    expect_close(student.recall(y, y_pred), ref.recall(y, y_pred), what="recall at the example",
                 mistakes={"That is the precision TP/(TP + FP): recall is TP/(TP + FN).": 2 / 3})


@pytest.mark.points(2)
def test_classification_metrics_on_your_data(student, ref, params):
    y, p = np.array(params["y"]), np.array(params["p"])
    y_pred = (p > 0.5).astype(int)
    labels, scores = np.array(params["labels"]), np.array(params["scores"])
    Y = np.eye(scores.shape[1])[labels]
    expect_close(student.accuracy(labels, scores.argmax(axis=1)), ref.accuracy(labels, scores.argmax(axis=1)),
                 what="accuracy(labels, predicted labels)",
                 mistakes={"Accuracy is a fraction: the mean of the matches, not their count.":
                           np.sum(labels == scores.argmax(axis=1))})
    expect_close(student.binary_accuracy(y, p), ref.binary_accuracy(y, p), what=f"binary_accuracy(y, {show(p)})",
                 hint="Predict 1 where p > 0.5, then compare with y.")
    hits = ref.sparse_categorical_accuracy(labels, scores)
    expect_close(student.categorical_accuracy(Y, scores), ref.categorical_accuracy(Y, scores),
                 what="categorical_accuracy(one-hot labels, scores)", hint="Compare argmax along axis 1 (rows).",
                 mistakes={"Accuracy is a fraction: the mean of the matches, not their count.": hits * len(labels)})
    expect_close(student.sparse_categorical_accuracy(labels, scores), hits,
                 what="sparse_categorical_accuracy(labels, scores)",
                 hint="Compare argmax along axis 1 (rows) with the labels.",
                 mistakes={"Accuracy is a fraction: the mean of the matches, not their count.": hits * len(labels)})
    top_2 = ref.top_k_accuracy(labels, scores, 2)
    expect_close(student.top_k_accuracy(labels, scores, 2), top_2, what="top_k_accuracy(labels, scores, 2)",
                 mistakes={"That is the top-1 accuracy: count a row when its label is among the k best scores.": hits,
                           "Accuracy is a fraction: the mean of the matches, not their count.": top_2 * len(labels)})
    counts = ref.confusion_counts(y, y_pred)
    tp, tn, fp, fn = counts
    expect_close(student.confusion_counts(y, y_pred), counts, what="confusion_counts(y, p > 0.5)",
                 mistakes={"Return the counts in the order (tp, tn, fp, fn).": [tp, fp, tn, fn],
                           "fp counts predicted 1 where y = 0; fn predicted 0 where y = 1: you swapped them.":
                           [tp, tn, fn, fp]})
    expect_close(student.precision(y, y_pred), ref.precision(y, y_pred), what="precision(y, p > 0.5)",
                 mistakes={"That is the recall TP/(TP + FN): precision is TP/(TP + FP).": tp / (tp + fn)})
    expect_close(student.recall(y, y_pred), ref.recall(y, y_pred), what="recall(y, p > 0.5)",
                 mistakes={"That is the precision TP/(TP + FP): recall is TP/(TP + FN).": tp / (tp + fp)})


@pytest.mark.points(2)
def test_regression_and_distribution_metrics_on_your_data(student, ref, params):
    y, y_hat = np.array(params["target"]), np.array(params["estimate"])
    P, Q = np.array(params["P"]), np.array(params["Q"])
    counts, rates = np.array(params["counts"]), np.array(params["rates"])
    mse = np.mean((y_hat - y) ** 2)
    expect_close(student.rmse(y, y_hat), ref.rmse(y, y_hat), what="rmse(y, y_hat)",
                 mistakes={"That is the MSE: RMSE is its square root.": mse,
                           "Take the mean of the squared errors before the root, not their sum.":
                           np.sqrt(np.sum((y_hat - y) ** 2))})
    m = ref.mape(y, y_hat)
    expect_close(student.mape(y, y_hat), m, what="mape(y, y_hat)",
                 mistakes={"MAPE is in percent: multiply the mean fraction by 100.": m / 100,
                           "Divide each error by the target |y|, not by the prediction.":
                           100 * np.mean(np.abs(y - y_hat) / np.abs(y_hat))})
    expect_close(student.msle(y, y_hat), ref.msle(y, y_hat), what="msle(y, y_hat)",
                 mistakes={"MSLE uses ln(1 + y) (np.log1p), not ln y.": np.mean((np.log(y) - np.log(y_hat)) ** 2)})
    expect_close(student.kl_divergence(P, Q), ref.kl_divergence(P, Q), what="kl_divergence(P, Q)",
                 mistakes={"KL is not symmetric: weight by the TRUE distribution P, Σ P ln(P/Q). You computed "
                           "KL(Q‖P).": ref.kl_divergence(Q, P),
                           "Sum over each row's classes: you averaged them.": ref.kl_divergence(P, Q) / P.shape[1],
                           "Average the rows: you summed them.": ref.kl_divergence(P, Q) * P.shape[0]},
                 hint="Sum over each row, then average the rows.")
    expect_close(student.poisson(counts, rates), ref.poisson(counts, rates), what="poisson(counts, rates)",
                 mistakes={"The loss is ŷ − y ln(ŷ + ε): subtract the second term.":
                           np.mean(rates + counts * np.log(rates + 1e-7))},
                 hint="Mean over elements of ŷ − y ln(ŷ + 1e-7).")


@pytest.mark.points(1)
@pytest.mark.hidden(hint=THRESHOLD_HINT + " " + TOP_K_HINT)
def test_thresholds_and_k(student, params):
    y, p, t = np.array(params["y"]), np.array(params["p"]), params["threshold"]
    expect_close(student.binary_accuracy(y, p, t), metrics.binary_accuracy(y, p, t),
                 what="binary_accuracy with another threshold", hint=THRESHOLD_HINT,
                 mistakes={THRESHOLD_HINT: metrics.binary_accuracy(y, p)})
    labels, scores = np.array(params["labels"]), np.array(params["scores"])
    for k in (1, 3, 4):
        expect_close(student.top_k_accuracy(labels, scores, k), metrics.top_k_accuracy(labels, scores, k),
                     what=f"top_k_accuracy with k = {k}", hint=TOP_K_HINT)


@pytest.mark.points(2)
@pytest.mark.hidden(hint=ZERO_DIVISION_HINT + " " + MEAN_HINT + " confusion_counts returns (tp, tn, fp, fn).")
def test_edge_cases_and_shapes(student):
    y, none_predicted = np.array([1, 0, 1, 0]), np.array([0, 0, 0, 0])
    expect_close(student.precision(y, none_predicted), 0.0, what="precision with no predicted positive",
                 hint=ZERO_DIVISION_HINT, mistakes={
                     "With TP + FP = 0 your precision is 1.0: the convention here is 0.0 (nothing predicted, "
                     "nothing right).": 1.0})
    expect_close(student.recall(np.array([0, 0, 0]), np.array([1, 0, 1])), 0.0,
                 what="recall with no positives", hint=ZERO_DIVISION_HINT, mistakes={
                     "With TP + FN = 0 your recall is 1.0: the convention here is 0.0.": 1.0})
    expect_close(student.confusion_counts(np.array([1, 1, 1, 0]), np.array([1, 0, 1, 1])), (2, 0, 1, 1),
                 what="confusion_counts with no true negative")
    Y = np.array([[0.2, 1.5], [3.0, 0.7], [1.1, 2.4]])
    Y_hat = np.array([[0.5, 1.2], [2.1, 0.9], [1.6, 2.0]])
    for name in ("rmse", "mape", "msle", "poisson"):
        expect_close(getattr(student, name)(Y, Y_hat), getattr(metrics, name)(Y, Y_hat),
                     what=f"{name} of a (3, 2) batch", n=Y.size, hint=MEAN_HINT)
    counts, rates = np.array([0.0, 2.0]), np.array([0.0, 1.5])  # a zero rate: ln(0 + ε) stays finite
    expect_close(student.poisson(counts, rates), metrics.poisson(counts, rates), what="poisson with a zero rate",
                 hint="Keep the ε in ln(ŷ + 1e-7): it keeps the loss finite where a rate ŷ is 0.")
    P, Q = np.array([0.1, 0.6, 0.3]), np.array([0.3, 0.3, 0.4])
    expect_close(student.kl_divergence(P, Q), metrics.kl_divergence(P, Q), what="KL of one distribution",
                 hint=MEAN_HINT)
    expect_close(student.kl_divergence(np.array([P, Q]), np.array([P, Q])), 0.0, atol=1e-9,
                 what="KL of identical distributions", hint="KL(P‖P) = 0.")
