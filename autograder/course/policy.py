"""The hand-in policy of ``grade serve``: the optional ``[serve]`` table of course.toml.

``course.toml``::

    [serve]
    attempts = 5                  # hand-ins allowed per assignment; 0 or missing: unlimited
    cooldown_minutes = 10         # minutes between two hand-ins of one assignment; 0: none
    late = "accept"               # after the due date: "accept" (the late policy applies) or "refuse"
    hidden_results = "after_due"  # hidden checks' results: "after_due" (shown after the due date) or "always"
    submit_cell = true            # the downloaded notebook ends with a cell that hands it in; default false

:func:`hand_in_refusal` decides one hand-in from these keys, the due date and
the student's earlier hand-ins; the service enforces it for the form and the
API alike.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

from autograder.course.config import COURSE_FILE, Course, CourseError, typed_value

LATE_CHOICES = ("accept", "refuse")
HIDDEN_CHOICES = ("after_due", "always")


@dataclass(frozen=True)
class ServePolicy:
    """What ``[serve]`` allows; the defaults allow everything and show every result at once."""

    attempts: int = 0
    """Hand-ins allowed per student and assignment; 0 means unlimited."""
    cooldown_minutes: float = 0.0
    """Minutes a student waits after a hand-in before the next one of the same assignment."""
    late: str = "accept"
    """``accept``: late hand-ins are graded and the course's late policy applies; ``refuse``: refused."""
    hidden_results: str = "always"
    """``after_due``: before the due date the feedback page withholds hidden checks' results."""
    submit_cell: bool = False
    """Whether the notebook downloaded from the service ends with a locked cell that hands it in."""


@dataclass(frozen=True)
class Refusal:
    """Why a hand-in is not accepted, as the student reads it, and the HTTP answer that carries it."""

    status: int
    """429 (too soon: cool-down), 403 (no attempts left, or late and refused)."""
    message: str
    retry_after: int | None = None
    """Seconds until the next hand-in is possible (the cool-down), else None."""


def load_serve_policy(course: Course) -> ServePolicy:
    """The ``[serve]`` table of ``course``'s course.toml, checked; the defaults when it is absent."""
    path = course.root / COURSE_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CourseError(f"{path} could not be read: {err}") from None
    table = typed_value(data, "serve", dict, str(path), {})
    where = f"{path} [serve]"
    unknown = sorted(set(table) - {"attempts", "cooldown_minutes", "late", "hidden_results", "submit_cell"})
    if unknown:
        raise CourseError(f"{where}: unknown key(s) {', '.join(unknown)}; the keys are attempts, "
                          "cooldown_minutes, late, hidden_results and submit_cell")
    policy = ServePolicy(attempts=typed_value(table, "attempts", int, where, 0),
                         cooldown_minutes=float(typed_value(table, "cooldown_minutes", (int, float), where, 0)),
                         late=typed_value(table, "late", str, where, "accept"),
                         hidden_results=typed_value(table, "hidden_results", str, where, "always"),
                         submit_cell=typed_value(table, "submit_cell", bool, where, False))
    if policy.attempts < 0 or policy.cooldown_minutes < 0:
        raise CourseError(f"{where}: attempts and cooldown_minutes must not be negative (0 = no limit)")
    if policy.late not in LATE_CHOICES:
        raise CourseError(f"{where}: late = {policy.late!r} must be one of {', '.join(LATE_CHOICES)}")
    if policy.hidden_results not in HIDDEN_CHOICES:
        raise CourseError(f"{where}: hidden_results = {policy.hidden_results!r} must be one of "
                          f"{', '.join(HIDDEN_CHOICES)}")
    return policy


def hand_in_refusal(policy: ServePolicy, *, due: datetime, earlier: Sequence[float],
                    now: float) -> Refusal | None:
    """None when a hand-in at ``now`` is allowed, else why not.

    ``earlier`` are the receive times (seconds since the epoch) of the student's
    earlier hand-ins of this assignment. Checked in order: late and refused, no
    attempts left, cool-down not over (429 with the seconds to wait).
    """
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    if policy.late == "refuse" and moment > due:
        return Refusal(403, f"the due date ({_utc(due)}) has passed: this course accepts no late hand-ins")
    if policy.attempts and len(earlier) >= policy.attempts:
        return Refusal(403, f"you have used all {policy.attempts} hand-ins allowed for this assignment")
    if policy.cooldown_minutes and earlier:
        ready = max(earlier) + policy.cooldown_minutes * 60
        if now < ready:
            wait = int(-(-(ready - now) // 1))
            when = _utc(datetime.fromtimestamp(ready, tz=timezone.utc))
            return Refusal(429, f"next hand-in possible at {when} ({policy.cooldown_minutes:g} minutes "
                                "between hand-ins)", retry_after=wait)
    return None


def results_withheld(policy: ServePolicy, *, due: datetime, now: float) -> bool:
    """Whether hidden checks' results are withheld at ``now`` (``after_due`` and not yet due)."""
    return policy.hidden_results == "after_due" and datetime.fromtimestamp(now, tz=timezone.utc) <= due


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
