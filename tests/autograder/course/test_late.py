"""The late policy: grace, started days, the cap, time zones (hand-computed cases)."""
from __future__ import annotations

import doctest
from datetime import datetime, timedelta, timezone

import pytest

import autograder.course.late
from autograder.course.config import LatePolicy
from autograder.course.late import late_penalty, parse_time

POLICY = LatePolicy(grace_minutes=15, penalty_per_day=0.10, max_days=5)
DUE = datetime.fromisoformat("2026-03-06T23:59:00+01:00")  # 22:59 UTC


@pytest.mark.parametrize("submitted, days, fraction", [
    ("2026-03-06T20:00:00+01:00", 0, 0.0),     # early
    ("2026-03-06T23:59:00+01:00", 0, 0.0),     # exactly on the deadline
    ("2026-03-07T00:14:00+01:00", 0, 0.0),     # 15 min late: inside the grace
    ("2026-03-07T00:15:00+01:00", 1, 0.10),    # 16 min late: one started day
    ("2026-03-07T23:59:00+01:00", 1, 0.10),    # 24 h late = grace + 23 h 45: still day 1
    ("2026-03-08T00:14:00+01:00", 1, 0.10),    # 24 h 15 = grace + exactly 1 day
    ("2026-03-08T00:15:00+01:00", 2, 0.20),    # one minute more: day 2
    ("2026-03-11T23:59:00+01:00", 5, 0.50),    # 5 days late (minus grace): 5 started days
    ("2026-03-12T00:15:00+01:00", 6, 1.0),     # day 6: more than max_days, zero
])
def test_days_and_fraction(submitted: str, days: int, fraction: float) -> None:
    """Do started days after the grace give 10 % each, and more than 5 days zero?"""
    penalty = late_penalty(POLICY, DUE, submitted)
    assert penalty.days_late == days
    assert penalty.fraction == pytest.approx(fraction, abs=1e-12)


def test_time_zones_are_instants() -> None:
    """Is the same instant written in three zones judged the same?"""
    texts = ["2026-03-08T03:00:00+01:00", "2026-03-08T02:00:00Z", "2026-03-07T21:00:00-05:00"]
    penalties = {late_penalty(POLICY, DUE, t) for t in texts}
    assert len(penalties) == 1
    # 2026-03-08 02:00 UTC is 27 h 01 after 22:59 UTC: minus 15 min grace = 1 day 2 h 46 → 2 days
    assert penalties.pop().days_late == 2


def test_nbgrader_timestamp_and_naive_times_are_utc() -> None:
    """Are nbgrader's '... UTC' timestamps and offset-less times read as UTC?"""
    expected = datetime(2026, 3, 6, 22, 59, tzinfo=timezone.utc)
    assert parse_time("2026-03-06 22:59:00.000000 UTC") == expected
    assert parse_time("2026-03-06T22:59:00") == expected
    assert late_penalty(POLICY, DUE, "2026-03-06 23:30:00 UTC").days_late == 1


def test_unknown_time_is_not_penalised() -> None:
    """Does a hand-in without a time cost nothing, and say why?"""
    penalty = late_penalty(POLICY, DUE, None)
    assert penalty.fraction == 0.0 and "unknown" in penalty.reason


def test_bad_time_says_what_to_write() -> None:
    """Does an unreadable time name the expected format?"""
    with pytest.raises(ValueError, match="ISO 8601"):
        late_penalty(POLICY, DUE, "last tuesday")


def test_penalty_in_points() -> None:
    """Is nbgrader's late_submission_penalty fraction × raw score (3 days of 10 % on 7 points = 2.1)?"""
    penalty = late_penalty(POLICY, DUE, DUE + timedelta(days=2, hours=12))
    assert penalty.days_late == 3
    assert penalty.points(7.0) == pytest.approx(2.1)


def test_reasons_are_readable() -> None:
    """Do the reasons name the grace, the days and the zero?"""
    assert "grace" in late_penalty(POLICY, DUE, DUE + timedelta(minutes=5)).reason
    assert "2 days late" in late_penalty(POLICY, DUE, DUE + timedelta(days=1, hours=1)).reason
    assert "no points" in late_penalty(POLICY, DUE, DUE + timedelta(days=9)).reason


def test_docstring_examples() -> None:
    """Do the documented examples hold?"""
    failures, tried = doctest.testmod(autograder.course.late)
    assert tried >= 4 and failures == 0
