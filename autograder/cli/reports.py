"""``grade feedback`` and ``grade report``: thin click commands over :mod:`autograder.reports.feedback`
and :mod:`autograder.reports.class_report`.

The group (``autograder.cli.main.main``) lists them in its command table and imports this module
only when one of them runs; they take the course from the group's context object
(``CliState.course()``). Pages and plots (matplotlib) are imported inside the commands.
"""
from __future__ import annotations

from typing import Any

import click

from autograder.cli.common import course_from, relative
from autograder.course.config import Course, CourseError
from autograder.reports.escape import terminal_text

TERMINAL_WIDTH = 120
"""Columns of the summary when the output is not a terminal (a log, a pipe)."""


def _load(course: Course, assignment: str, student: str | None = None):  # -> GradedResults
    from autograder.reports.feedback import NoResultsError, load_results
    try:
        course.assignment(assignment)
    except CourseError as err:
        raise click.BadParameter(str(err), param_hint="ASSIGNMENT") from None
    try:
        loaded = load_results(course, assignment, student)
    except NoResultsError as err:
        raise click.ClickException(str(err)) from None
    for who, error in loaded.unreadable:
        click.secho(terminal_text(f"{who}: results could not be read ({error})"), fg="yellow", err=True)
    return loaded


@click.command("feedback")
@click.argument("assignment")
@click.option("--student", default=None, metavar="ID", help="Only this student's page.")
@click.pass_obj
def feedback_command(state: Any, assignment: str, student: str | None) -> None:
    """Write one HTML feedback page per graded student of ASSIGNMENT.

    Each page (feedback/STUDENT/ASSIGNMENT/feedback.html) shows the score, any
    late penalty, every check with its message and hint, the student's printed
    output and plots of their answers next to the reference. Pages are
    self-contained: open them from disk or send them to the students.
    Run `grade autograde ASSIGNMENT` first.

    \b
    Example:
      grade feedback a2
      grade feedback a2 --student ada01
    """
    from autograder.reports.feedback import write_pages
    course = course_from(state)
    loaded = _load(course, assignment, student)
    written = write_pages(course, loaded.results)
    click.echo(f"{assignment}: {len(written)} feedback page(s) in "
               f"{relative(course.root / 'feedback', course.root)}/<student>/{assignment}/feedback.html")
    if len(written) == 1:
        click.echo(terminal_text(f"  {written[0]}"))  # the path holds the student's id
    if loaded.unreadable:
        raise click.ClickException(f"{len(loaded.unreadable)} result(s) could not be read (listed above): "
                                   f"re-grade them with `grade autograde {assignment} --student ID --force`")


@click.command("report")
@click.argument("assignment")
@click.pass_obj
def report_command(state: Any, assignment: str) -> None:
    """Write the class report of ASSIGNMENT and print its summary.

    The report (reports/ASSIGNMENT/report.html, self-contained) shows the
    score histogram, per-exercise and per-check pass rates, the most common
    mistakes the checks recognised, late submissions and the notebooks that
    could not be graded. Run `grade autograde ASSIGNMENT` first.

    \b
    Example:
      grade report a2
    """
    from rich.console import Console

    from autograder.reports.class_report import class_report, report_terminal, roster_ids, save_report
    course = course_from(state)
    loaded = _load(course, assignment)
    try:
        roster = roster_ids(course)
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    report = class_report(loaded.results, course, assignment, unreadable=loaded.unreadable, roster=roster)
    path = save_report(course, report)
    console = Console()
    report_terminal(report, console if console.is_terminal else Console(width=TERMINAL_WIDTH))
    click.echo(f"report: {path}")
