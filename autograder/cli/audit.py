"""``grade audit``: a thin click command over :mod:`autograder.course.audit` and
:mod:`autograder.reports.audit_report`.

The group lists it in its command table (:data:`autograder.cli.main.COMMANDS`) and imports this
module only when it runs; rich and the grading engine are imported inside the command.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from autograder.cli.common import assignment_of, course_from, relative, secret_of
from autograder.course.config import CourseError, assignment_exercises

TERMINAL_WIDTH = 120
"""Columns of the table when the output is not a terminal (a CI log, a pipe)."""


@click.command("audit")
@click.argument("assignment")
@click.option("--variants", type=click.IntRange(min=1), default=20, show_default=True,
              help="Audit students (audit-000, audit-001, ...) whose variants every mutant is graded on.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Mutants graded at the same time (one sandboxed worker each).")
@click.option("--min-kill", type=click.FloatRange(0.0, 1.0), default=0.8, show_default=True,
              help="Exit with status 1 when the kill rate is below this.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the audit as an HTML page here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the audit as JSON here.")
@click.pass_obj
def audit_command(state: Any, assignment: str, variants: int, jobs: int, min_kill: float,
                  html_path: Path | None, json_path: Path | None) -> None:
    """Audit how well ASSIGNMENT's checks catch mistakes (mutation analysis).

    Every model-answer function is mutated the way students get it wrong (a sign
    flipped, + for -, sum for mean, a factor doubled, the wrong axis, a .T
    forgotten, off by one, arguments swapped, a clip or max-subtraction
    removed) and each mutant is graded by the real engine on VARIANTS audit
    students. A mutant is killed when it loses a point on some variant; one
    that returns the model answer's values on every check input is
    equivalent. The table shows the kill rate, the survivors with their diff,
    the points lost (the same mistake should cost the same on every variant)
    and whether the feedback names the mistake. Exits with status 1 when the
    kill rate is below --min-kill (for a course repository's CI).

    \b
    Example:
      grade audit a2 --variants 20 --jobs 4 --html audit.html
      grade audit hw1 --variants 3 --min-kill 0.9 --json audit.json
    """
    from rich.console import Console

    from autograder.course.audit import audit_exercises, report_json
    from autograder.reports.audit_report import audit_terminal, write_audit_html

    course = course_from(state)
    try:
        exercises = assignment_exercises(assignment_of(course, assignment))
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    secret = secret_of(course)
    done = [0]

    def progress(key: str, result: Any) -> None:
        done[0] += 1
        if done[0] % 25 == 0:
            click.echo(f"  {done[0]} mutants graded", err=True)

    report = audit_exercises(exercises, assignment=assignment, secret=secret.value, variants=variants, jobs=jobs,
                             course=str(course.root), progress=progress)
    console = Console()
    audit_terminal(report, console if console.is_terminal else Console(width=TERMINAL_WIDTH), min_kill=min_kill)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report_json(report), encoding="utf-8")
        click.echo(f"json: {relative(json_path, Path.cwd())}")
    if html_path is not None:
        click.echo(f"html: {relative(write_audit_html(report, html_path, min_kill=min_kill), Path.cwd())}")
    if report.kill_rate is not None and report.kill_rate < min_kill:
        click.secho(f"{assignment}: kill rate {report.kill_rate:.0%} is below --min-kill {min_kill:.0%}: "
                    "strengthen the checks the survivors above slip through", fg="red", err=True)
        raise SystemExit(1)
