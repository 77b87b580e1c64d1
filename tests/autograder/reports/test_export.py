"""The grades CSV: nbgrader's columns plus lms_id, late penalties from course.toml.

The tiny course: a2 due 2026-03-06 23:59 +01:00 (22:59 UTC), 10 minutes grace,
20 % per started day, 3 days at most; a2 is worth 5 + 3 = 8 points here.
"""
from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from autograder.course.config import ROSTER_FILE, Course, load_course, read_roster
from autograder.reports.export import COLUMNS, export_grades
from autograder.course.gradebook import open_gradebook, record_assignment, record_result, record_students
from autograder.course.late import late_penalty
from tests.autograder.course.test_gradebook import EXERCISES, make_result

# nbgrader's CsvExportPlugin header, written out by hand
NBGRADER_HEADER = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                   "raw_score", "late_submission_penalty", "score", "max_score"]
HAND_IN = {  # student: (sigmoid, descent, submitted_at)
    "ada01": (4.0, 2.5, "2026-03-06T20:00:00+00:00"),   # on time: 6.5
    "alan02": (5.0, 0.0, "2026-03-08T09:00:00+00:00"),  # 1 d 10 h 01 late − 10 min → 2 days: −40 %
    "dora04": (5.0, 3.0, "2026-03-10T00:00:00+00:00"),  # 3 d 1 h 01 → 4 days > 3: zero
}
EXPECTED = {  # student: (raw, penalty, score, timestamp, lms_id)
    "ada01": ("6.5", "0.0", "6.5", "2026-03-06 20:00:00", "lms-1"),
    "alan02": ("5.0", "2.0", "3.0", "2026-03-08 09:00:00", "lms-2"),
    "grace03": ("0.0", "0.0", "0.0", "", "lms-3"),
    "dora04": ("8.0", "8.0", "0.0", "2026-03-10 00:00:00", ""),
}


@pytest.fixture()
def graded(tiny_course: Path) -> Course:
    """The tiny course with a gradebook holding the hand-ins above."""
    course = load_course(tiny_course)
    with open_gradebook(course) as gb:
        record_students(gb, read_roster(course.root / ROSTER_FILE))
        record_assignment(gb, course, "a2", EXERCISES)
        for student, (sigmoid, descent, when) in HAND_IN.items():
            result = make_result(student, sigmoid, descent, submitted_at=when)
            record_result(gb, result, late_penalty(course.late_policy, course.assignment("a2").due, when))
    return course


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_columns_and_values(graded: Course) -> None:
    """Are the columns nbgrader's plus lms_id, released_for, needs_grading and comments, and every score,
    penalty and time the hand-computed one?"""
    with open_gradebook(graded) as gb:
        text = export_grades(graded, gb)
    assert text.splitlines()[0].split(",") == NBGRADER_HEADER + [
        "lms_id", "released_for", "needs_grading", "comments"] == list(COLUMNS)
    rows = _rows(text)
    assert set(rows) == set(EXPECTED)
    for student, (raw, penalty, score, stamp, lms) in EXPECTED.items():
        row = rows[student]
        assert (row["raw_score"], row["late_submission_penalty"], row["score"]) == (raw, penalty, score), student
        assert (row["timestamp"], row["lms_id"], row["max_score"]) == (stamp, lms, "8.0"), student
        assert row["duedate"] == "2026-03-06 22:59:00" and row["assignment"] == "a2"
    assert rows["alan02"]["last_name"] == "Turing" and rows["ada01"]["email"] == "ada@example.edu"


def test_policy_change_applies_without_regrading(graded: Course) -> None:
    """When course.toml's penalty changes after grading, does the export follow course.toml?"""
    toml = graded.root / "course.toml"
    toml.write_text(toml.read_text().replace("penalty_per_day = 0.2", "penalty_per_day = 0.25"))
    course = load_course(graded.root)
    with open_gradebook(course) as gb:
        row = _rows(export_grades(course, gb))["alan02"]
    assert (row["late_submission_penalty"], row["score"]) == ("2.5", "2.5")  # 2 days × 25 % of 5


def test_agrees_with_nbgrader_export(graded: Course, tool_env: dict[str, str]) -> None:
    """Does `nbgrader export` on the same database give the same numbers in its columns?"""
    out = graded.root / "nbgrader-grades.csv"
    subprocess.run(["nbgrader", "export", f"--to={out}", f"--CourseDirectory.root={graded.root}",
                    f"--CourseDirectory.db_url=sqlite:///{graded.root / 'gradebook.db'}",
                    "--CourseDirectory.course_id=t101"],
                   cwd=graded.root, env=tool_env, check=True, capture_output=True)
    theirs = _rows(out.read_text())
    with open_gradebook(graded) as gb:
        ours = _rows(export_grades(graded, gb))
    assert set(theirs) == set(ours)
    for student, row in theirs.items():
        for column in NBGRADER_HEADER:
            if column in ("raw_score", "late_submission_penalty", "score", "max_score"):
                assert float(row[column]) == pytest.approx(float(ours[student][column])), (student, column)
            else:
                assert row[column] == ours[student][column], (student, column)
