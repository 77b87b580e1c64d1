"""course.toml's ``[serve]`` table: read, checked, and applied to one hand-in."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from autograder.course.config import CourseError, load_course
from autograder.course.policy import ServePolicy, hand_in_refusal, load_serve_policy, results_withheld

DUE = datetime.fromisoformat("2026-03-06T23:59:00+01:00")
BEFORE = DUE.timestamp() - 3 * 3600


def with_serve(course: Path, table: str) -> Path:
    path = course / "course.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[serve]\n" + table, encoding="utf-8")
    return course


def test_no_serve_table_allows_everything(tiny_course: Path) -> None:
    """Without ``[serve]``, are attempts unlimited, late hand-ins accepted and results shown at once?"""
    policy = load_serve_policy(load_course(tiny_course))
    assert policy == ServePolicy(attempts=0, cooldown_minutes=0, late="accept", hidden_results="always")
    assert hand_in_refusal(policy, due=DUE, earlier=[BEFORE] * 50, now=DUE.timestamp() + 86400) is None


def test_the_serve_table_is_read(tiny_course: Path) -> None:
    """Are the four keys read as written?"""
    with_serve(tiny_course, 'attempts = 3\ncooldown_minutes = 7.5\nlate = "refuse"\nhidden_results = "after_due"\n')
    assert load_serve_policy(load_course(tiny_course)) == ServePolicy(3, 7.5, "refuse", "after_due")


def test_the_submit_cell_is_off_unless_asked_for(tiny_course: Path) -> None:
    """Is ``submit_cell`` false by default and read when written?"""
    assert load_serve_policy(load_course(tiny_course)).submit_cell is False
    with_serve(tiny_course, "submit_cell = true\n")
    assert load_serve_policy(load_course(tiny_course)).submit_cell is True


@pytest.mark.parametrize("table, words", [
    ('late = "maybe"\n', "late = 'maybe' must be one of accept, refuse"),
    ('hidden_results = "never"\n', "must be one of after_due, always"),
    ("attempts = -1\n", "must not be negative"),
    ('attempts = "3"\n', "attempts = '3' must be a int"),
    ("cooldown = 5\n", "unknown key(s) cooldown"),
    ('submit_cell = "yes"\n', "submit_cell = 'yes' must be a bool"),
])
def test_a_wrong_serve_table_says_what_and_where(tiny_course: Path, table: str, words: str) -> None:
    """Is a wrong value or an unknown key refused with the file, the table and what to write?"""
    with_serve(tiny_course, table)
    with pytest.raises(CourseError) as error:
        load_serve_policy(load_course(tiny_course))
    assert "[serve]" in str(error.value) and words in str(error.value)


def test_attempts_cooldown_and_late_refusals() -> None:
    """Is the n+1-th hand-in refused (403), one inside the cool-down told when to come back (429 with
    the seconds to wait), and a late one refused only under ``late = "refuse"``?"""
    policy = ServePolicy(attempts=2, cooldown_minutes=10)
    assert hand_in_refusal(policy, due=DUE, earlier=[BEFORE], now=BEFORE + 601) is None
    used_up = hand_in_refusal(policy, due=DUE, earlier=[BEFORE, BEFORE + 1], now=BEFORE + 3600)
    assert used_up.status == 403 and "all 2 hand-ins" in used_up.message
    cooling = hand_in_refusal(policy, due=DUE, earlier=[BEFORE], now=BEFORE + 60)
    assert cooling.status == 429 and cooling.retry_after == 540
    assert "next hand-in possible at 2026-03-06 20:09:00 UTC" in cooling.message
    late = DUE.timestamp() + 60
    assert hand_in_refusal(policy, due=DUE, earlier=[], now=late) is None
    refused = hand_in_refusal(ServePolicy(late="refuse"), due=DUE, earlier=[], now=late)
    assert refused.status == 403 and "due date" in refused.message
    assert hand_in_refusal(ServePolicy(late="refuse"), due=DUE, earlier=[], now=BEFORE) is None


def test_hidden_results_are_withheld_only_before_the_due_date_under_after_due() -> None:
    """Is ``after_due`` withholding before the due date and not after; ``always`` never?"""
    assert results_withheld(ServePolicy(hidden_results="after_due"), due=DUE, now=BEFORE)
    assert not results_withheld(ServePolicy(hidden_results="after_due"), due=DUE, now=DUE.timestamp() + 1)
    assert not results_withheld(ServePolicy(hidden_results="always"), due=DUE, now=BEFORE)
