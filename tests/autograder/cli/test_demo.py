"""`grade demo`: the main job, from nothing to a gradebook, feedback pages, reports and grades."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import autograder.cli.main as cli
from autograder.grading.results import read_result


@pytest.mark.slow
def test_demo_runs_the_main_job_on_the_sample_course(tiny_course: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from outside any course (no --course), does `grade demo` grade the sample class exactly?"""
    course = tmp_path / "sample"
    shutil.copytree(tiny_course, course)
    monkeypatch.setattr(cli, "SAMPLE_COURSE", course)
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = CliRunner().invoke(cli.main, ["demo", "--jobs", "1"])

    assert result.exit_code == 0, result.output
    students = [row["id"] for row in csv.DictReader((course / "roster.csv").open())]
    points = {s: read_result(course / "autograded" / s / "a2" / "results.json").points for s in students}
    assert points[students[0]] == 5.0  # the first sample student hands in the model answer
    assert all(points[s] < 5.0 for s in students[1:])
    for student in students:
        assert (course / "feedback" / student / "a2" / "feedback.html").is_file()
    assert (course / "reports" / "a2" / "report.html").is_file()
    assert (course / "gradebook.db").is_file()
    grades = list(csv.DictReader((course / "exports" / "grades.csv").open()))
    assert sorted(row["student_id"] for row in grades) == sorted(students)
    assert "Where everything is:" in result.output

    again = CliRunner().invoke(cli.main, ["demo", "--jobs", "1"])
    assert again.exit_code == 0, again.output
    assert f"unchanged {len(students)}" in again.output  # a second run re-uses the finished grading
