"""Written answers waiting for a grader show "needs grading", never 0; graders' scores and comments (the
gradebook's manual scores, as formgrader writes them) reach the export, the feedback page and the report."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.course.config import load_course
from autograder.course.gradebook import open_gradebook
from autograder.grading.results import (GRADED_BY_HAND, PENDING, WRITTEN_CHECK, CheckResult, ExerciseResult,
                                        ManualGrade, SubmissionResult, with_manual_scores)
from autograder.reports.class_report import class_report, report_html
from autograder.reports.export import export_grades
from autograder.reports.feedback import feedback_page, load_results
from tests.autograder.course.written_course import grade_cli, graded_written_course

COMMENT = "Right idea; say why <b>the diagonals</b> matter."


def _result() -> SubmissionResult:
    code = ExerciseResult("a1.or_weights", "OR", (CheckResult("test_a", "passed", 3.0, 3.0, True),
                                                  CheckResult("test_b", "failed", 0.0, 1.0, False)))
    written = ExerciseResult("a1.xor_written", "XOR", (CheckResult(WRITTEN_CHECK, PENDING, 0.0, 2.0, True),))
    return SubmissionResult(student="ada01", assignment="a1", exercises=(code, written))


def test_pending_points_are_neither_earned_nor_lost():
    """Does a pending written answer leave the points at the auto score, the maximum whole, and the score
    text say how many points need grading?"""
    result = _result()
    assert (result.points, result.max_points, result.pending_points) == (3.0, 6.0, 2.0)
    assert result.score_text() == "3/4 auto, 2 points need grading"
    assert SubmissionResult.from_dict(result.to_dict()) == result


def test_manual_scores_replace_auto_scores_as_in_nbgrader():
    """Does a grader's score end "needs grading" for a written answer, replace the checks' sum of a code
    exercise (an override), and carry the comment?"""
    graded = with_manual_scores(_result(), {"a1.xor_written": ManualGrade(1.5, "ok"),
                                            "a1.or_weights": ManualGrade(4.0, "")})
    code, written = graded.exercises
    assert (written.points, written.pending_points, written.comment) == (1.5, 0.0, "ok")
    assert written.checks[0].status == GRADED_BY_HAND and written.checks[0].points == 1.5
    assert (code.points, code.auto_points) == (4.0, 3.0)
    assert (graded.points, graded.pending_points, graded.score_text()) == (5.5, 0.0, "5.5/6")
    assert with_manual_scores(_result(), {"a1.xor_written": ManualGrade(None, "later")}).pending_points == 2.0


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("needs-grading") / "course"
    graded_written_course(folder)
    return folder


def _outputs(folder: Path) -> tuple[dict[str, str], str, str]:
    """The export row of ada01, her feedback page and the class report page, as the commands make them."""
    course = load_course(folder)
    with open_gradebook(course) as gb:
        rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(export_grades(course, gb)))}
    results = load_results(course, "a1").results
    ada = next(r for r in results if r.student == "ada01")
    return rows["ada01"], feedback_page(ada, course), report_html(class_report(results, course, "a1"))


def test_needs_grading_then_the_graders_score_and_comment_everywhere(course):
    """Before a grader scores ada01's written answer, do the export (needs_grading = 2), the feedback page
    and the class report say it needs grading and show no 0 for it; once the gradebook holds a manual
    score of 1.5 and a comment, do all three show the score (5.5 of 6) and the comment, escaped?"""
    row, page, report = _outputs(course)
    assert (row["raw_score"], row["max_score"], row["needs_grading"], row["comments"]) == ("4.0", "6.0", "2.0", "")
    assert "needs grading (2 points)" in page and "4/4 auto, 2 points need grading" in page
    assert "Written answers that need grading" in report and "needs grading" in report
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="w101") as gb:
        gb.find_grade("a1_xor_written_answer", "a1", "a1", "ada01").manual_score = 1.5
        gb.find_comment("a1_xor_written_answer", "a1", "a1", "ada01").manual_comment = COMMENT
        gb.db.commit()
    row, page, report = _outputs(course)
    assert (row["raw_score"], row["needs_grading"]) == ("5.5", "")
    assert row["comments"] == f"a1_xor_written_answer: {COMMENT}"
    assert "needs grading" not in page and "5.5 / 6" in page and "graded by hand" in page
    assert "say why &lt;b&gt;the diagonals&lt;/b&gt; matter" in page and "<b>the diagonals</b>" not in page
    assert "Written answers that need grading" not in report and "5.5/6" in report
    assert "say why &lt;b&gt;the diagonals&lt;/b&gt; matter" in report


def test_regrading_keeps_the_graders_score(course):
    """After a grader scored ada01's written answer, does `grade autograde --force` keep the score and the
    comment (the answer no longer flagged for manual grading), so the export still says 5.5?"""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="w101") as gb:
        gb.find_grade("a1_xor_written_answer", "a1", "a1", "ada01").manual_score = 1.5
        gb.find_comment("a1_xor_written_answer", "a1", "a1", "ada01").manual_comment = COMMENT
        gb.db.commit()
    table = grade_cli(course, "autograde", "a1", "--sandbox", "none", "--force")
    assert "graded 3," in table
    row, page, _ = _outputs(course)
    assert (row["raw_score"], row["needs_grading"]) == ("5.5", "") and COMMENT in row["comments"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="w101") as gb:
        grade = gb.find_grade("a1_xor_written_answer", "a1", "a1", "ada01")
        assert (grade.auto_score, grade.manual_score, grade.needs_manual_grade) == (None, 1.5, False)


def test_a_graders_override_of_an_auto_score_counts_everywhere(course):
    """When a grader overrides alan02's auto score of the OR exercise (4 → 3, as formgrader allows on any
    grade cell) and comments on its solution cell, do the export, the feedback page and the report use 3?"""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="w101") as gb:
        gb.find_grade("a1_or_weights_check", "a1", "a1", "alan02").manual_score = 3.0
        gb.find_comment("a1_or_weights_solution", "a1", "a1", "alan02").manual_comment = "Bias too large."
        gb.db.commit()
    folder_course = load_course(course)
    with open_gradebook(folder_course) as gb:
        row = next(r for r in csv.DictReader(io.StringIO(export_grades(folder_course, gb)))
                   if r["student_id"] == "alan02")
    assert row["raw_score"] == "3.0" and row["comments"] == "a1_or_weights_solution: Bias too large."
    results = load_results(folder_course, "a1").results
    alan = next(r for r in results if r.student == "alan02")
    page = feedback_page(alan, folder_course)
    assert "Score given by a grader: <b>3 / 4</b> (the checks gave 4)" in page and "Bias too large." in page
    report = class_report(results, folder_course, "a1")
    assert dict(report.scores)["alan02"] == 3.0
    assert ("alan02", "a1.or_weights", "Bias too large.") in report.comments
