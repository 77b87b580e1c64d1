"""`grade demo` on an assignment mixing code, numeric and choice questions: right and wrong answers graded."""
from __future__ import annotations

import html
from pathlib import Path

import pytest
from click.testing import CliRunner

import autograder.cli.main as cli
from autograder.course.config import load_course, resolve_secret
from autograder.grading.results import read_result
from exercises.model import get_exercise, variant_params

QUIZ_COURSE = """\
[course]
name = "Quiz course"
id = "q101"
demo_secret = "quiz-course-demo-secret"

[[assignments]]
id = "a5"
title = "Training"
due = "2026-04-24T23:59:00+02:00"
exercises = ["quiz_updates", "quiz_batches", "fibonacci"]
"""
ROSTER = "id\nada01\nalan02\ngrace03\n"  # sample kinds: correct, second half unfinished, quiz mistakes


@pytest.mark.slow
def test_demo_grades_right_and_classic_wrong_quiz_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Does the demo class answer the quizzes right (full marks) and with classic mistakes (the numeric
    question's points and half the each-answer credit lost), with the expected value, the accepted range and
    the distractor's explanation on the feedback page and the pick rates in the class report?"""
    course = tmp_path / "quiz"
    course.mkdir()
    (course / "course.toml").write_text(QUIZ_COURSE)
    (course / "roster.csv").write_text(ROSTER)
    monkeypatch.setattr(cli, "SAMPLE_COURSE", course)
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli.main, ["demo", "--jobs", "1"])

    assert result.exit_code == 0, result.output
    graded = {s: read_result(course / "autograded" / s / "a5" / "results.json") for s in ("ada01", "grace03")}
    assert graded["ada01"].points == graded["ada01"].max_points
    points = {e.key: e.points for e in graded["grace03"].exercises}
    assert points == {"a5.quiz_updates": 0.0, "a5.quiz_batches": 1.0, "a5.fibonacci": 0.0}

    updates = get_exercise("a5.quiz_updates")
    variant = variant_params(updates, resolve_secret(load_course(course)).value, "grace03")
    page = (course / "feedback" / "grace03" / "a5" / "feedback.html").read_text()
    expected = updates.module.QUESTION.model_answer(variant)
    assert f"Expected {expected} (the exact value): accepted exactly {expected}." in page
    assert html.escape(updates.module.QUESTION.wrong_answers[0].hint, quote=True) in page

    report = (course / "reports" / "a5" / "report.html").read_text()
    assert "what the class picked" in report and "Distractor that caught the most students" in report
