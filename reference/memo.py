"""Memoization: compute each sub-result once, keep it, reuse it (course part 3)."""

from __future__ import annotations

import numpy as np


def fibonacci(n: int) -> int:
    r"""The ``n``-th Fibonacci number, memoised.

    .. math::

        F_0 = 0,\quad F_1 = 1,\quad F_k = F_{k-1} + F_{k-2}

    The naive recursion recomputes the same :math:`F_k` exponentially often
    (:math:`F_{n-2}` is computed twice, :math:`F_{n-3}` three times, ...).
    *Memoization* stores every sub-result the first time it is computed and looks
    it up afterwards, so each :math:`F_k` costs one addition and the whole
    computation is :math:`O(n)`. Here the memo is a table filled bottom-up, which
    also needs no recursion (no recursion limit for large ``n``). Backpropagation
    does the same: the forward pass caches every activation, and the backward
    pass reuses them instead of recomputing them.

    Parameters
    ----------
    n : int
        Index, ``n >= 0``.

    Returns
    -------
    int
        :math:`F_n` as an exact Python integer (e.g. ``fibonacci(10) == 55``).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer; got {n!r}")
    memo = [0, 1]  # memo[k] = F_k
    for k in range(2, int(n) + 1):
        memo.append(memo[k - 1] + memo[k - 2])
    return memo[int(n)]
