"""Tests for reference.memo: the memoised Fibonacci numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.memo import fibonacci

FIB_300 = 222232244629420445529739893461909967206666939096499764990979600


def test_first_fibonacci_numbers():
    """Do F₀ … F₁₂ match the hand-listed sequence 0, 1, 1, 2, 3, 5, …, 144?"""
    assert [fibonacci(n) for n in range(13)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]
    assert fibonacci(10) == 55


def test_fibonacci_300_exact():
    """Is F₃₀₀ the known exact 63-digit integer, as a Python int?"""
    result = fibonacci(300)
    assert type(result) is int
    assert result == FIB_300


def test_fibonacci_large_n_needs_no_recursion():
    """Does F₁₀₀₀₀ (2090 digits) come back without hitting the recursion limit?"""
    # the default recursion limit is 1000: a naive recursion would fail here
    result = fibonacci(10_000)
    assert len(str(result)) == 2090


@settings(derandomize=True, max_examples=50, deadline=None)
@given(st.integers(1, 400))
def test_doubling_identity(n):
    """Does F₂ₙ = Fₙ (2Fₙ₊₁ − Fₙ) hold (an identity independent of the recurrence)?"""
    f_n, f_n1 = fibonacci(n), fibonacci(n + 1)
    assert fibonacci(2 * n) == f_n * (2 * f_n1 - f_n)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_fibonacci_rejects_bad_index(bad):
    """Are negative, fractional, Boolean and string indices refused?"""
    with pytest.raises(ValueError, match="non-negative integer"):
        fibonacci(bad)
