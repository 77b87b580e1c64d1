"""CliRunner tests of `grade feedback` and `grade report` (autograder.cli.reports)."""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from autograder.cli.main import CliState
from autograder.cli.reports import feedback_command, report_command
from tests.autograder.reports.sample_results import Page, class_results, graded_course


@click.group()
@click.option("--course", "course_path", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.pass_context
def grade(ctx: click.Context, course_path: Path | None) -> None:
    """The `grade` group as autograder.cli.main builds it: the course travels as a CliState."""
    ctx.obj = CliState(course_path)


grade.add_command(feedback_command)
grade.add_command(report_command)


@pytest.fixture
def graded(tiny_course: Path) -> Path:
    graded_course(tiny_course, class_results())
    return tiny_course


def run(*args: str, folder: Path):
    return CliRunner().invoke(grade, ["--course", str(folder), *args])


def test_feedback_writes_every_page(graded):
    """Does `grade feedback a2` write the four pages and say where?"""
    result = run("feedback", "a2", folder=graded)
    assert result.exit_code == 0, result.output
    assert "a2: 4 feedback page(s) in feedback/<student>/a2/feedback.html" in result.output
    assert sorted(p.parent.parent.name for p in graded.glob("feedback/*/a2/feedback.html")) == [
        "alice", "bob", "carol", "dave"]


def test_feedback_for_one_student(graded):
    """Does --student write only that student's page and print its path?"""
    result = run("feedback", "a2", "--student", "bob", folder=graded)
    assert result.exit_code == 0, result.output
    assert [p.parent.parent.name for p in graded.glob("feedback/*/a2/feedback.html")] == ["bob"]
    assert str(graded / "feedback" / "bob" / "a2" / "feedback.html") in result.output


def test_feedback_from_inside_the_course_folder(graded, monkeypatch):
    """Without --course, is the course found from the current folder as the other commands do?"""
    monkeypatch.chdir(graded)
    result = CliRunner().invoke(grade, ["feedback", "a2"])
    assert result.exit_code == 0, result.output
    assert (graded / "feedback" / "alice" / "a2" / "feedback.html").is_file()


def test_report_writes_html_and_prints_summary(graded):
    """Does `grade report a2` write reports/a2/report.html and print the mean and the top mistake?"""
    result = run("report", "a2", folder=graded)
    assert result.exit_code == 0, result.output
    assert "mean 4.25, median 3.5, best 10 of 10 points" in result.output
    assert "You used s*(1-z): the derivative is s*(1-s), with s = σ(z)." in result.output
    path = graded / "reports" / "a2" / "report.html"
    assert f"report: {path}" in result.output
    assert len(Page(path.read_text(encoding="utf-8")).images) == 2


@pytest.mark.parametrize("command", ["feedback", "report"])
def test_nothing_graded_says_what_to_run(tiny_course, command):
    """With no results, does each command fail saying to run `grade autograde a2` first?"""
    result = run(command, "a2", folder=tiny_course)
    assert result.exit_code == 1
    assert "run `grade autograde a2` first" in result.output


@pytest.mark.parametrize("command", ["feedback", "report"])
def test_unknown_assignment_lists_the_known_ones(graded, command):
    """Is an unknown assignment a usage error naming the known assignments?"""
    result = run(command, "a9", folder=graded)
    assert result.exit_code == 2
    assert "no assignment 'a9'" in result.output and "known: a2" in result.output


def test_missing_course_says_where_to_look(tmp_path, monkeypatch):
    """Outside any course, does the error say to pass --course?"""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(grade, ["report", "a2"])
    assert result.exit_code == 1 and "--course" in result.output


def test_unreadable_result_is_reported_after_the_others(graded):
    """Does a corrupt results.json fail the command (exit 1) after writing everyone else's page, saying how to fix it?"""
    broken = graded / "autograded" / "zed" / "a2" / "results.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    result = run("feedback", "a2", folder=graded)
    assert result.exit_code == 1
    assert "zed: results could not be read" in result.output
    assert "grade autograde a2 --student ID --force" in result.output
    assert len(list(graded.glob("feedback/*/a2/feedback.html"))) == 4


@pytest.mark.parametrize("command", [feedback_command, report_command])
def test_help_has_an_example(command):
    """Does --help explain the command and show an example?"""
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Example:" in text and "Run `grade autograde ASSIGNMENT` first" in text
