"""``grade similarity``: a thin click command over :mod:`autograder.reports.similarity`."""
from __future__ import annotations

from typing import Any

import click

from autograder.cli.common import course_from, relative
from autograder.course.config import CourseError
from autograder.reports.escape import terminal_text

LISTED = 10
"""Pairs printed on the terminal (the page lists them all)."""


@click.command("similarity")
@click.argument("assignment")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0, min_open=True), default=None,
              help="Smallest score listed, a share of one code found in the other. Default: 0.5.")
@click.pass_obj
def similarity_command(state: Any, assignment: str, threshold: float | None) -> None:
    """Compare the solution cells of ASSIGNMENT's hand-ins across the class.

    Per exercise, copydetect's fingerprints (names and layout ignored; the
    released stub does not count) find pairs of students whose code looks
    alike. Writes reports/ASSIGNMENT/similarity.html with both codes side by
    side and the matching parts highlighted; `grade report ASSIGNMENT` links
    it. A score is a reason to look, not a verdict. Reads submitted/ and
    release/ (run `grade collect` and `grade release` first).

    \b
    Example:
      grade similarity a2
      grade similarity a2 --threshold 0.8
    """
    from autograder.reports.similarity import (DEFAULT_THRESHOLD, SimilarityError, build_similarity,
                                               write_similarity)
    course = course_from(state)
    try:
        report = build_similarity(course, assignment, threshold=threshold or DEFAULT_THRESHOLD)
    except CourseError as err:
        raise click.BadParameter(str(err), param_hint="ASSIGNMENT") from None
    except SimilarityError as err:
        raise click.ClickException(str(err)) from None
    for who, why in report.unreadable:
        click.secho(terminal_text(f"{who}: left out ({why})"), fg="yellow", err=True)
    path = write_similarity(course, report)
    click.echo(f"{assignment}: {len(report.pairs)} pair(s) with a score of at least {report.threshold:.0%} "
               "(a reason to look, not a verdict)")
    for pair in report.pairs[:LISTED]:
        click.echo(terminal_text(f"  {pair.score:4.0%}  {pair.exercise}  {pair.first} ~ {pair.second}"))
    click.echo(f"page: {relative(path, course.root)} (linked from the class report by `grade report {assignment}`)")
