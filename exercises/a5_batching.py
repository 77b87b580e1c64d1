"""a5 · Epochs and batches: updates per epoch, shuffled mini-batches."""
import numpy as np
import pytest

from exercises.dlcheck import as_numbers, expect, expect_close, expect_equal
from reference import training

ASSIGNMENT = "a5"
TITLE = "Epochs, batches and mini-batches"
CONCEPT = "updates per epoch, shuffling with a seeded generator, every row once per epoch"
SOLUTION = [training.updates_per_epoch, training.minibatches]
MISTAKE_CODE = {
    "the last, smaller batch forgotten (n // b)":
        "def updates_per_epoch(n_rows, batch_size, drop_last=False):\n    return n_rows // batch_size\n",
    "rows cut in their original order (no shuffle)": "def minibatches(X, y, batch_size, rng):\n"
        "    return [(X[k:k + batch_size], y[k:k + batch_size]) for k in range(0, len(X), batch_size)]\n",
}


def params(rng: np.random.Generator) -> dict:
    """A data-set size and batch size that leave a smaller last batch, and a small set to cut whose
    last batch is one row (a range that stops one row short drops it on every variant)."""
    batch = int(rng.integers(16, 200))
    rows = int(rng.integers(3, 12)) * batch + int(rng.integers(1, batch))
    small_batch = int(rng.integers(2, 5))
    small_rows = int(rng.integers(2, 4)) * small_batch + 1
    rng.integers(1, small_batch)  # the remainder once drawn here: kept, so the other numbers stay as released
    return {"n_rows": rows, "batch_size": batch, "small_rows": small_rows, "small_batch": small_batch,
            "seed": int(rng.integers(0, 10**6))}


def prompt(params: dict) -> str:
    return f"""\
An **epoch** is one pass over the whole training set. Batch gradient descent makes one update
per epoch, stochastic gradient descent (SGD) one per sample, and **mini-batch** gradient descent
one per batch of `batch_size` rows: with $n$ rows that is $\\lceil n / b \\rceil$ updates, the last
batch holding the rows that are left (800 rows in batches of 150: 6 updates, the last one of 50
rows). With `drop_last=True` the incomplete last batch is dropped: $\\lfloor n / b \\rfloor$.

1. `updates_per_epoch(n_rows, batch_size, drop_last=False)` returns that number (an `int`).
2. `minibatches(X, y, batch_size, rng)` shuffles the rows **once** with the given
   `numpy.random.Generator`, `order = rng.permutation(n)`, and cuts `order` into consecutive
   pieces of `batch_size`: it returns the list of `(X_batch, y_batch)`, rows of `X` and `y` kept
   together, every row in exactly one batch. Call `rng.permutation` exactly once, so the same
   seed gives the same batches.

**Your numbers**: `updates_per_epoch({params["n_rows"]}, {params["batch_size"]})`, and
`minibatches(X, y, {params["small_batch"]}, np.random.default_rng({params["seed"]}))` with
`X = np.arange({params["small_rows"]} * 2).reshape({params["small_rows"]}, 2)` and
`y = np.arange({params["small_rows"]})`.
"""


@pytest.mark.points(1)
def test_the_notes_example(student):
    expect_equal(student.updates_per_epoch(800, 150), 6, what="updates_per_epoch(800, 150)",
                 hint="⌈800 / 150⌉ = 6: the last, smaller batch (50 rows) is an update too.")
    expect_equal(student.updates_per_epoch(800, 150, True), 5, what="updates_per_epoch(800, 150, drop_last=True)",
                 hint="With drop_last the incomplete batch is dropped: ⌊800 / 150⌋ = 5.")


@pytest.mark.points(1)
def test_your_data_set(student, params):
    n, b = params["n_rows"], params["batch_size"]
    got = student.updates_per_epoch(n, b)
    expect(type(got) is int, f"updates_per_epoch returned {got!r}, not an int.", "Return an int (use //).")
    expect_close(got, -(-n // b), what=f"updates_per_epoch({n}, {b})", mistakes={
        "The last, smaller batch is missing: count it too, ⌈n / b⌉ = -(-n // b).": n // b,
    }, hint="⌈n / b⌉ batches per epoch.")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="⌈n / b⌉ is exact when b divides n (no extra batch), 1 when n < b, 0 when n = 0; "
                         "drop_last gives ⌊n / b⌋.")
def test_edge_cases(student):
    for args, expected in (((600, 150), 4), ((600, 150, True), 4), ((7, 10), 1), ((7, 10, True), 0),
                           ((0, 32), 0), ((1, 1), 1)):
        expect_equal(student.updates_per_epoch(*args), expected, what=f"updates_per_epoch{args}")


@pytest.mark.points(2)
def test_every_row_once_per_epoch(student, params):
    n, b = params["small_rows"], params["small_batch"]
    X, y = np.arange(n * 2).reshape(n, 2), np.arange(n)
    batches = student.minibatches(X, y, b, np.random.default_rng(params["seed"]))
    expect(isinstance(batches, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in batches),
           "minibatches must return a list of (X_batch, y_batch) pairs.")
    for part, name in ((1, "y_batch"), (0, "X_batch")):  # rows per batch; the wrong cuts' counts from range(n)
        sizes = [len(as_numbers(p[part], name)) for p in batches]
        expect_equal(sizes, [b] * (n // b) + [n % b], what=f"the rows of each {name} ({n // b} batches of {b} "
                     f"and a last one of {n % b} expected)", mistakes={
            "Each batch has one row too many, order[k:k + batch_size + 1]: neighbouring batches share a row.":
                [len(range(n)[k:k + b + 1]) for k in range(0, n, b)],
            "Each batch has one row too few, order[k:k + batch_size - 1]: a row is left out of every batch.":
                [len(range(n)[k:k + b - 1]) for k in range(0, n, b)],
            "A slice ends before it starts, order[k:k - batch_size]: cut order[k:k + batch_size].":
                [len(range(n)[k:k - b]) for k in range(0, n, b)],
            "One row is in no batch (the full batches are there, the last one is missing): the batches start at "
            "range(0, n, batch_size), from 0 up to n.": [b] * (n // b),
            "There are no batches: the batch starts are range(0, n, batch_size), counting up from 0.": [],
        }, hint="Cut the shuffled order into consecutive pieces order[k:k + batch_size].")
    rows = np.concatenate([as_numbers(p[0], "X_batch") for p in batches])
    labels = np.concatenate([as_numbers(p[1], "y_batch") for p in batches])
    expect(sorted(labels.tolist()) == list(range(n)), f"the batches hold the rows {labels.tolist()}: "
           "every row must appear exactly once.", "Use one permutation of all rows.")
    expect(bool(np.all(rows[:, 0] == 2 * labels)), "X_batch and y_batch rows do not match.",
           "Index X and y with the same indices: X[idx], y[idx].")
    expect(labels.tolist() != list(range(n)), "the rows come in their original order: nothing was shuffled.",
           "Shuffle with order = rng.permutation(n).")


@pytest.mark.points(1)
def test_the_seed_decides_the_batches(student, ref, params):
    n, b = params["small_rows"], params["small_batch"]
    X, y = np.arange(n * 2).reshape(n, 2), np.arange(n)
    got = student.minibatches(X, y, b, np.random.default_rng(params["seed"]))
    expected = ref.minibatches(X, y, b, np.random.default_rng(params["seed"]))
    expect(isinstance(got, list) and len(got) == len(expected), f"expected {len(expected)} batches.")
    got_order = [as_numbers(p[1], "y_batch").tolist() for p in got]
    expect(got_order == [p[1].tolist() for p in expected],
           f"with seed {params['seed']} the batches' rows are {got_order}, expected {[p[1].tolist() for p in expected]}.",
           "Call rng.permutation(n) once on the generator you are given (no np.random.seed, no shuffle of a copy).")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Shuffle every call with the generator passed in: a new permutation each time "
                         "it is called, rows of X and y kept together, also for a 1-D y.")
def test_batches_follow_the_generators_state(student, params):
    X = np.arange(60.0).reshape(30, 2)
    y = np.arange(30.0) * 10
    for epoch in range(2):  # the generator crosses as data: advance a fresh one by `epoch` shuffles
        rng, expected_rng = np.random.default_rng(params["seed"] + 1), np.random.default_rng(params["seed"] + 1)
        for _ in range(epoch):
            rng.permutation(30), expected_rng.permutation(30)
        expected = training.minibatches(X, y, 7, expected_rng)
        got = student.minibatches(X, y, 7, rng)
        expect(isinstance(got, list) and len(got) == len(expected), "wrong number of batches.")
        for pair, (ex, ey) in zip(got, expected):
            expect(isinstance(pair, (list, tuple)) and len(pair) == 2, "a batch is not an (X_batch, y_batch) pair.")
            expect(np.array_equal(as_numbers(pair[0], "X_batch"), ex) and np.array_equal(as_numbers(pair[1], "y_batch"), ey),
                   "the batches differ from rng.permutation's order.")
