"""A hand-in whose notebook was released for another student is flagged everywhere: the results,
the autograde table, the feedback page, the class report and the CSV export."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import nbformat
import pytest

from autograder.cli.grading import _print_summary
from autograder.course.autograde import GradedRow
from autograder.course.config import ROSTER_FILE, load_course, read_roster
from autograder.course.gradebook import open_gradebook, record_assignment, record_result, record_students
from autograder.grading.results import SubmissionResult, read_result, write_result
from autograder.grading.submission import read_submission
from autograder.reports.class_report import class_report, report_html, report_terminal
from autograder.reports.export import export_grades
from autograder.reports.feedback import feedback_page
from tests.autograder.course.test_gradebook import EXERCISES, make_result
from tests.autograder.reports.sample_results import SCRIPT, Page, class_results

HOSTILE = f"ada01{SCRIPT}"
"""A released-for id a student could write into their notebook's metadata."""


@pytest.fixture()
def foreign() -> SubmissionResult:
    """bob handed in a notebook released for someone else (a hostile id, to check escaping)."""
    bob = class_results()[1]
    return dataclasses.replace(bob, released_for=HOSTILE)


def test_a_released_notebook_records_whom_it_was_released_for(tiny_course, tmp_path):
    """Does a released notebook carry its student in metadata.dlgrade, and does reading it as a hand-in
    return that id?"""
    from autograder.course.release import release_assignment
    course = load_course(tiny_course)
    released = release_assignment(course, "a2", read_roster(course.root / ROSTER_FILE)[:1])
    notebook = released.students[0].notebook
    assert nbformat.read(notebook, as_version=4).metadata.dlgrade.student == "ada01"
    assert read_submission(notebook, "a2").released_for == "ada01"


def test_the_flag_survives_results_json_and_old_results_read(foreign, tmp_path):
    """Does released_for round-trip through results.json, and does a results.json without it read as
    not foreign?"""
    path = tmp_path / "results.json"
    write_result(foreign, path)
    again = read_result(path)
    assert again.released_for == HOSTILE and again.foreign
    data = json.loads(path.read_text())
    del data["released_for"]
    path.write_text(json.dumps(data))
    old = read_result(path)
    assert old.released_for == "" and not old.foreign


def test_own_notebook_is_not_foreign(foreign):
    """Is a notebook released for the student who handed it in not flagged?"""
    assert not dataclasses.replace(foreign, released_for=foreign.student).foreign


def test_feedback_page_flags_it_escaped(foreign, tiny_course):
    """Does the feedback page say the notebook was released for another student, the id escaped?"""
    html = feedback_page(foreign, load_course(tiny_course))
    assert "<script>" not in html
    assert f"Thisnotebookwasreleasedforanotherstudent({HOSTILE}),notforbob" in Page(html).text.replace(" ", "")
    assert "released for another student" not in feedback_page(class_results()[0], load_course(tiny_course))


def test_class_report_lists_it_escaped(foreign, tiny_course):
    """Does the class report list the student and whom the notebook was released for, escaped?"""
    others = [r for r in class_results() if r.student != "bob"]
    report = class_report(others + [foreign], load_course(tiny_course), "a2")
    assert report.foreign == (("bob", HOSTILE),)
    html = report_html(report)
    assert "<script>" not in html
    assert ["bob", HOSTILE] in Page(html).rows
    honest = report_html(class_report(others, load_course(tiny_course), "a2"))
    assert "None: every graded notebook was released for the student who handed it in" in Page(honest).text


def test_autograde_table_flags_it(tiny_course, capsys, monkeypatch):
    """Does the autograde table mark a row whose notebook was released for another student?"""
    monkeypatch.setenv("COLUMNS", "400")
    rows = [GradedRow("bob", "graded", 1.0, 2.0, released_for="[red]ada01[/red]"),
            GradedRow("alice", "graded", 2.0, 2.0)]
    _print_summary("a2", rows, load_course(tiny_course))
    out = capsys.readouterr().out
    assert "RELEASED FOR [red]ada01[/red]" in out
    assert out.count("RELEASED FOR") == 1


def test_export_has_a_released_for_column(tiny_course):
    """Does the CSV export name whom a foreign notebook was released for (as a text cell), and leave
    the column empty for everyone else?"""
    course = load_course(tiny_course)
    with open_gradebook(course) as gb:
        record_students(gb, read_roster(course.root / ROSTER_FILE))
        record_assignment(gb, course, "a2", EXERCISES)
        for student, owner in (("ada01", "=HYPERLINK(1)"), ("alan02", "alan02")):
            result = dataclasses.replace(make_result(student, 5.0, 3.0), released_for=owner)
            record_result(gb, result, None)
            write_result(result, course.root / "autograded" / student / "a2" / "results.json")
        text = export_grades(course, gb)
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["ada01"]["released_for"] == "'=HYPERLINK(1)"
    assert rows["alan02"]["released_for"] == "" and rows["grace03"]["released_for"] == ""
