"""What a student may see of a graded hand-in before the due date (``hidden_results = "after_due"``).

:func:`visible_result` keeps the public checks only: the hidden checks' names,
statuses and points are dropped, so neither a row nor the score tells a student
which hidden check passed. :func:`withheld_notice` is the sentence the
feedback page shows instead.
"""
from __future__ import annotations

from dataclasses import replace

from autograder.grading.results import SubmissionResult


def visible_result(result: SubmissionResult, *, withheld: bool) -> SubmissionResult:
    """``result`` itself, or (``withheld``) ``result`` without its hidden checks."""
    if not withheld:
        return result
    return replace(result, exercises=tuple(replace(e, checks=tuple(c for c in e.checks if c.public))
                                           for e in result.exercises))


def withheld_notice(result: SubmissionResult, due: str) -> str:
    """The plain-text note standing for the hidden checks of ``result`` (empty when it has none)."""
    hidden = [c for _, c in result.checks() if not c.public]
    if not hidden:
        return ""
    worth = sum(c.max_points for c in hidden)
    return (f"{len(hidden)} hidden check(s) worth {worth:g} points: results after the due date ({due}). "
            "The score above counts the public checks only.")
