"""a5 · Memoisation: Fibonacci numbers computed once each, as backpropagation reuses the forward cache.

The hidden check calls ``fibonacci(300)``: a naive recursion needs about 10⁶² calls and
fails by the grader's per-call timeout (it never hangs the grader); in the local
verification the stub raises NotImplementedError at once.
"""
import numpy as np
import pytest

from exercises.dlcheck import expect, expect_equal
from reference import memo

ASSIGNMENT = "a5"
TITLE = "Memoisation: Fibonacci"
CONCEPT = "memoisation, reusing sub-results (the forward cache of backpropagation)"
SOLUTION = [memo.fibonacci]

F_300 = 222232244629420445529739893461909967206666939096499764990979600


def params(rng: np.random.Generator) -> dict:
    """n in 21..30: small enough that even a naive recursion ends in the notebook's public check."""
    return {"n": int(rng.integers(21, 31))}


def prompt(params: dict) -> str:
    return f"""\
The Fibonacci numbers: $F_0 = 0$, $F_1 = 1$, $F_k = F_{{k-1}} + F_{{k-2}}$. The direct recursion
`fib(n - 1) + fib(n - 2)` recomputes the same values over and over: $F_{{n-2}}$ twice, $F_{{n-3}}$ three
times, … about $1.6^n$ calls in all, hopeless already for n = 50. **Memoisation** stores each
sub-result the first time it is computed (a dict, a list filled bottom-up, or
`functools.lru_cache`) and looks it up afterwards: each $F_k$ then costs one addition, $O(n)$ in all.
Backpropagation does the same: the forward pass caches every activation and the backward pass
reuses them.

Implement `fibonacci(n)`, memoised, returning the exact Python `int` $F_n$ (`fibonacci(10) == 55`).
It must answer `fibonacci(300)` at once (a recursion 300 deep is fine; a table filled bottom-up
needs no recursion at all). Floats are not exact beyond $2^{{53}}$: use integers only.

**Your number**: `fibonacci({params["n"]})`.
"""


@pytest.mark.points(1)
def test_first_numbers(student, ref):
    for n, expected in ((0, 0), (1, 1), (2, 1), (10, 55), (20, 6765)):
        expect_equal(student.fibonacci(n), expected, what=f"fibonacci({n})", mistakes={
            "This is F_(n+1): the index is one too high (F_0 = 0, F_1 = 1).": ref.fibonacci(n + 1),
            "This is F_(n−1): the index is one too low (F_0 = 0, F_1 = 1).": ref.fibonacci(max(n - 1, 0)),
            "This is F_(n−2): the index is two too low (F_0 = 0, F_1 = 1).": ref.fibonacci(max(n - 2, 0)),
            "The sign is flipped: the Fibonacci numbers are positive.": -expected,
            "This is 2·F_n: start from F_0 = 0, F_1 = 1.": 2 * expected,
            "Every number is 0: start from F_0 = 0, F_1 = 1.": 0,
            "This is 2^(n−1): add the two numbers before, F_(k−1) + F_(k−2), not F_(k−1) twice.": 2 ** (n - 1),
        }, hint="F_0 = 0, F_1 = 1, F_k = F_(k−1) + F_(k−2).")


@pytest.mark.points(1)
def test_your_number(student, ref, params):
    n = params["n"]
    got, expected = student.fibonacci(n), ref.fibonacci(n)
    expect(type(got) is int, f"fibonacci({n}) returned {got!r}, not an int.",
           "Add integers only (no floats, no Binet's formula): Python ints are exact at any size.")
    expect_equal(got, expected, what=f"fibonacci({n})", mistakes={  # all below 2^53: exact as floats too
        "This is F_(n+1): the index is one too high (F_0 = 0, F_1 = 1).": ref.fibonacci(n + 1),
        "This is F_(n−1): the index is one too low (F_0 = 0, F_1 = 1).": ref.fibonacci(n - 1),
        "This is F_(n−2): the index is two too low (F_0 = 0, F_1 = 1).": ref.fibonacci(n - 2),
        "The sign is flipped: the Fibonacci numbers are positive.": -expected,
        "This is 2·F_n: start from F_0 = 0, F_1 = 1.": 2 * expected,
        "Every number is 0: start from F_0 = 0, F_1 = 1.": 0,
        "This is 2^(n−1): add the two numbers before, F_(k−1) + F_(k−2), not F_(k−1) twice.": 2 ** (n - 1),
    }, hint="F_0 = 0, F_1 = 1, F_k = F_(k−1) + F_(k−2).")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Floats are not exact beyond 2**53: add Python ints only (no Binet's formula, "
                         "no np.float64 or fixed-size numpy integers).")
def test_exact_beyond_two_to_the_53(student):
    got = student.fibonacci(90)
    expect(type(got) is int and got == 2880067194370816120, "fibonacci(90) is not the exact integer F_90.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="fibonacci(300) must be fast and exact: store every F_k once it is computed "
                         "(memoisation) and add Python ints, never floats.")
def test_fibonacci_300(student):
    got = student.fibonacci(300)
    expect(type(got) is int and got == F_300, "fibonacci(300) is not the exact integer F_300.")
