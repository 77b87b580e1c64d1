"""autograder.course.autograde without click: a tiny course graded for real and recorded in the gradebook."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from autograder.grading.batch import BatchOutcome, find_submissions
from autograder.course.config import assignment_exercises, load_course, read_roster
from autograder.course.gradebook import open_gradebook, recorded_scores
from autograder.course.autograde import (GradedRow, RowCounts, count_rows, grade_and_record, prepare_gradebook,
                                record_outcome)
from exercises.model import get_exercise
from tests.autograder.cli.test_cli_grading import CORRECT, EMPTY, hand_in

SECRET = b"test-grading-secret"


def test_grade_and_record_a_tiny_course(tiny_course: Path) -> None:
    """Are hand-ins graded, recorded with the tiny course's 20 %-per-day penalty, reported through
    on_progress, and recorded again (unchanged) on a re-run; is a hand-in whose time cannot be read
    still recorded (its scores count), with the late column saying why it is unknown?"""
    full = get_exercise("a2.sigmoid").points
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")   # before 23:59 +01:00
    hand_in(tiny_course, "alan02", CORRECT, "2026-03-07T23:30:00+00:00")  # 24 h 31 min late − 10 min → 2 days
    hand_in(tiny_course, "grace03", EMPTY, "2026-03-06T20:00:00+00:00")
    hand_in(tiny_course, "kim04", CORRECT, "yesterday-ish")                # a time nobody can read
    course = load_course(tiny_course)
    a2 = course.assignment("a2")
    exercises = assignment_exercises(a2)
    roster = {s.id: s for s in read_roster(tiny_course / "roster.csv")}
    submissions = find_submissions(tiny_course / "submitted", "a2")
    seen: list[str] = []

    def grade(force: bool) -> list[GradedRow]:
        return grade_and_record(gb, course=course, assignment=a2, roster=roster, submissions=submissions,
                                exercises=exercises, secret=SECRET, jobs=1, force=force, sandbox="none",
                                on_progress=lambda row: seen.append(row.student))
    with open_gradebook(course) as gb:
        prepare_gradebook(gb, course=course, assignment=a2, roster=roster, exercises=exercises)
        rows = grade(force=False)
        assert [r.student for r in rows] == ["ada01", "alan02", "grace03", "kim04"]
        assert sorted(seen) == ["ada01", "alan02", "grace03", "kim04"]
        ada, alan, grace, kim = rows
        assert (ada.status, ada.points, ada.max_points, ada.failed) == ("graded", full, full, False)
        assert ada.penalty is not None and ada.penalty.days_late == 0
        assert alan.penalty is not None and (alan.penalty.days_late, alan.penalty.fraction) == (2, 0.4)
        assert grace.points == 0.0 and not grace.failed
        assert kim.penalty is None and "yesterday-ish" in kim.late_error
        assert not kim.failed and kim.points == full
        assert count_rows(rows) == RowCounts(graded=4, unchanged=0, failed=0)
        assert recorded_scores(gb, "a2", "ada01") == {"a2_sigmoid_check": full}
        assert recorded_scores(gb, "a2", "grace03") == {"a2_sigmoid_check": 0.0}
        recorded = gb.find_submission("a2", "alan02")
        assert recorded.late_submission_penalty == pytest.approx(0.4 * full)
        again = grade(force=False)
        assert recorded_scores(gb, "a2", "kim04") == {"a2_sigmoid_check": full}
        assert count_rows(again) == RowCounts(graded=0, unchanged=4, failed=0)
        assert again[1].penalty == alan.penalty


def test_unrecordable_result_is_a_failed_row(tiny_course: Path) -> None:
    """Does a finished outcome whose results.json is missing become a failed row that says it was not
    recorded, rather than an exception?"""
    course = load_course(tiny_course)
    outcome = BatchOutcome("ada01", "graded", tiny_course / "autograded" / "ada01" / "a2" / "results.json",
                           3.0, 3.0)
    with open_gradebook(course) as gb:
        row = record_outcome(gb, outcome, course=course, assignment=course.assignment("a2"), roster={})
        assert recorded_scores(gb, "a2", "ada01") == {}
    assert row.failed and row.status == "graded" and row.error.startswith("not recorded in the gradebook: ")
    assert count_rows([row]) == RowCounts(graded=1, unchanged=0, failed=1)


def test_grader_failure_is_reported_not_recorded(tiny_course: Path) -> None:
    """Is a batch outcome of the grader failing passed on with its traceback and no penalty?"""
    course = load_course(tiny_course)
    outcome = BatchOutcome("alan02", "failed", tiny_course / "nowhere.json", error="Traceback: boom")
    with open_gradebook(course) as gb:
        row = record_outcome(gb, outcome, course=course, assignment=course.assignment("a2"), roster={})
    assert row == GradedRow("alan02", "failed", 0.0, 0.0, error="Traceback: boom", failed=True)


def test_a_gradebook_on_demand_opens_when_the_first_row_is_written(tiny_course: Path) -> None:
    """Is a GradebookOnDemand left closed by a grader failure (nothing to write), then opened and
    prepared (roster, assignment) when a graded hand-in is recorded, and closed by close()?"""
    from autograder.course.autograde import GradebookOnDemand
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")
    course = load_course(tiny_course)
    a2 = course.assignment("a2")
    exercises = assignment_exercises(a2)
    roster = {s.id: s for s in read_roster(tiny_course / "roster.csv")}
    opened: list[object] = []

    def opener():
        opened.append(open_gradebook(course))
        return opened[-1]
    book = GradebookOnDemand(opener, course=course, assignment=a2, roster=roster, exercises=exercises)
    failure = BatchOutcome("alan02", "failed", tiny_course / "nowhere.json", error="Traceback: boom")
    assert record_outcome(book, failure, course=course, assignment=a2, roster=roster).failed
    assert not book.opened and opened == []
    rows = grade_and_record(book, course=course, assignment=a2, roster=roster,
                            submissions=find_submissions(tiny_course / "submitted", "a2"), exercises=exercises,
                            secret=SECRET, jobs=1, force=False, sandbox="none")
    assert [(r.student, r.status, r.failed) for r in rows] == [("ada01", "graded", False)]
    assert book.opened and len(opened) == 1
    full = get_exercise("a2.sigmoid").points
    assert recorded_scores(book(), "a2", "ada01") == {"a2_sigmoid_check": full}
    assert {s.id for s in book().students} == set(roster)
    book.close()
    assert not book.opened


def test_a_gradebook_that_cannot_be_opened_stops_the_run(tiny_course: Path) -> None:
    """When the gradebook on demand cannot be opened, does grade_and_record raise the GradebookError
    (the run stops) instead of reporting every hand-in as a failed row?"""
    from autograder.course.autograde import GradebookOnDemand
    from autograder.course.gradebook import GradebookError
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")
    course = load_course(tiny_course)
    a2 = course.assignment("a2")

    def opener():
        return open_gradebook(course, "notaurl://")
    book = GradebookOnDemand(opener, course=course, assignment=a2, roster={}, exercises=assignment_exercises(a2))
    with pytest.raises(GradebookError, match="cannot open the gradebook"):
        grade_and_record(book, course=course, assignment=a2, roster={},
                         submissions=find_submissions(tiny_course / "submitted", "a2"),
                         exercises=assignment_exercises(a2), secret=SECRET, jobs=1, force=False, sandbox="none")
    assert not book.opened


def _rows_of(db: Path) -> list[tuple]:
    """Every row of every table of a SQLite gradebook, for comparing two of them."""
    import sqlite3
    with sqlite3.connect(db) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(t, sorted(connection.execute(f"SELECT * FROM {t}").fetchall(), key=repr)) for t in tables]


def test_an_unchanged_hand_in_is_not_recorded_again_while_the_gradebook_holds_it(tiny_course: Path) -> None:
    """Is an unchanged hand-in whose stamp is current left unrecorded (the gradebook never opened),
    and recorded again (the same rows as a first recording) once its rows changed in the database,
    the roster changed, or the database is gone?"""
    import sqlite3

    from autograder.course.autograde import GradebookOnDemand
    from autograder.course.gradebook_stamp import sqlite_file
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")
    course = load_course(tiny_course)
    a2 = course.assignment("a2")
    exercises = assignment_exercises(a2)
    roster = {s.id: s for s in read_roster(tiny_course / "roster.csv")}
    db = tiny_course / "gradebook.db"

    def run(roster: dict) -> tuple[GradebookOnDemand, list[GradedRow]]:
        book = GradebookOnDemand(lambda: open_gradebook(course), course=course, assignment=a2, roster=roster,
                                 exercises=exercises, db_file=sqlite_file(None, course))
        rows = grade_and_record(book, course=course, assignment=a2, roster=roster,
                                submissions=find_submissions(tiny_course / "submitted", "a2"),
                                exercises=exercises, secret=SECRET, jobs=1, force=False, sandbox="none")
        book.close()
        return book, rows

    book, rows = run(roster)
    assert not book.all_current and rows[0].status == "graded"
    recorded = _rows_of(db)
    book, rows = run(roster)
    assert book.all_current and rows[0].status == "skipped" and rows[0].points == get_exercise("a2.sigmoid").points
    assert _rows_of(db) == recorded
    with sqlite3.connect(db) as connection:  # e.g. a score changed by hand
        connection.execute("UPDATE grade SET auto_score = 0")
    book, _ = run(roster)
    assert not book.all_current and _rows_of(db) == recorded
    renamed = dict(roster, ada01=replace(roster["ada01"], first_name="Augusta"))
    book, _ = run(renamed)
    assert not book.all_current
    assert ("ada01", "Augusta") in [row[:2] for table, rows in _rows_of(db) if table == "student" for row in rows]
    book, _ = run(renamed)
    assert book.all_current
    db.unlink()
    book, _ = run(renamed)
    assert not book.all_current and db.is_file()
