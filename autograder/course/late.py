"""The late policy of ``course.toml`` applied to one hand-in.

``[late_policy]`` in course.toml::

    grace_minutes = 15      # up to 15 minutes after the deadline counts as on time
    penalty_per_day = 0.10  # 10 % of the points per *started* day late (after the grace)
    max_days = 5            # more than 5 days late earns zero

With :math:`t` the submission time, :math:`T` the deadline and :math:`g` the grace,

.. math::

    d = \\left\\lceil \\frac{t - T - g}{1\\,\\mathrm{day}} \\right\\rceil, \\qquad
    \\text{fraction} = \\begin{cases}
        0 & d \\le 0 \\\\
        \\min(1,\\ p\\,d) & 0 < d \\le \\text{max\\_days} \\\\
        1 & d > \\text{max\\_days}
    \\end{cases}

``fraction`` is the share of the student's points that is taken away (nbgrader's
``late_submission_penalty`` is ``fraction × raw score`` in points).

Examples with the sample course (due 2026-03-06 23:59 +01:00, 15 minutes grace,
10 % per day, 5 days at most):

>>> from datetime import datetime
>>> from autograder.course.config import LatePolicy
>>> policy = LatePolicy(grace_minutes=15, penalty_per_day=0.10, max_days=5)
>>> due = datetime.fromisoformat("2026-03-06T23:59:00+01:00")
>>> late_penalty(policy, due, "2026-03-06T23:10:00+00:00").fraction   # 10 min late, in the grace
0.0
>>> late_penalty(policy, due, "2026-03-07T00:30:00+01:00").days_late  # 31 min late: day 1 started
1
>>> late_penalty(policy, due, "2026-03-09T12:00:00+01:00").fraction   # 2.5 days: 3 started days
0.3
>>> late_penalty(policy, due, "2026-03-13T00:00:00+01:00").fraction   # 6 days: more than 5
1.0

Times must carry a UTC offset; a time written without one (nbgrader's
``timestamp.txt`` says ``... UTC``; a bare ISO time) is read as UTC. A hand-in
whose time is unknown is not penalised (the reason says so).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from autograder.course.config import LatePolicy

DAY = timedelta(days=1)


@dataclass(frozen=True)
class LatePenalty:
    """How late one hand-in was and what it costs."""

    days_late: int
    """Started days after the deadline plus grace; 0 when on time."""
    fraction: float
    """Share of the points taken away, 0 (on time) … 1 (zero)."""
    reason: str
    """One sentence for the student and the summary table."""

    def points(self, raw_score: float) -> float:
        """The penalty in points (nbgrader's ``late_submission_penalty``): ``fraction × raw_score``."""
        return round(self.fraction * max(0.0, raw_score), 6)


ON_TIME = LatePenalty(0, 0.0, "on time")


def parse_time(value: str | datetime) -> datetime:
    """A submission time as an aware datetime.

    Accepts ISO 8601 (``2026-03-06T23:59:00+01:00``, ``...Z``) and nbgrader's
    ``timestamp.txt`` form (``2026-03-06 22:59:00.000000 UTC``); times without
    an offset are UTC.
    """
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip()
        if text.endswith(" UTC"):
            text = text[:-4]
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"submission time {value!r} is not an ISO 8601 time; write it like "
                             "2026-03-06T23:59:00+01:00 (timestamp.txt of the submission)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def late_penalty(policy: LatePolicy, due: datetime, submitted_at: str | datetime | None) -> LatePenalty:
    """The penalty for handing in at ``submitted_at`` an assignment due at ``due``.

    Deterministic and timezone-aware: both times are compared as instants.
    See the module docstring for the formula and examples.
    """
    if submitted_at is None or submitted_at == "":
        return LatePenalty(0, 0.0, "submission time unknown: not penalised")
    if due.tzinfo is None:
        raise ValueError(f"due time {due.isoformat()} has no UTC offset; give it one in course.toml")
    submitted = parse_time(submitted_at)
    grace = timedelta(minutes=policy.grace_minutes)
    after = submitted - due
    if after <= timedelta(0):
        return ON_TIME
    if after <= grace:
        return LatePenalty(0, 0.0, f"{_minutes(after)} after the deadline, within the "
                                   f"{policy.grace_minutes}-minute grace period")
    days = math.ceil((after - grace) / DAY)
    if days > policy.max_days:
        return LatePenalty(days, 1.0, f"{days} days late, more than {policy.max_days}: no points")
    fraction = min(1.0, round(policy.penalty_per_day * days, 12))
    unit = "day" if days == 1 else "days"
    return LatePenalty(days, fraction, f"{days} {unit} late: −{fraction:.0%} of the points")


def _minutes(span: timedelta) -> str:
    minutes = math.ceil(span / timedelta(minutes=1))
    return f"{minutes} minute" + ("" if minutes == 1 else "s")
