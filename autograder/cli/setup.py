"""``grade init`` and ``grade new-exercise``: a course folder of one's own (library:
:mod:`autograder.course.init`)."""
from __future__ import annotations

from pathlib import Path

import click

from autograder.cli.common import course_from, relative
from autograder.course.config import SECRET_ENV, CourseError


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--from-sample", is_flag=True, default=False,
              help="Copy the bundled sample course (its assignments use library exercises).")
@click.option("--name", default=None, help="The course's name. Default: the folder's name.")
@click.option("--id", "course_id", default=None,
              help="The course id (nbgrader's course_id, names the secret file). Default: from the folder's name.")
def init_command(path: Path, from_sample: bool, name: str | None, course_id: str | None) -> None:
    """Create a new course folder PATH: course.toml, roster.csv, exercises/, CI files.

    Writes nothing when PATH already holds anything. The course secret is
    written outside the course, to ~/.config/dlgrade/<id>.secret (mode 0600),
    and course.toml points at it; back it up and never commit it.

    \b
    Examples:
      grade init dl2027
      grade init dl2027-copy --from-sample
    """
    from autograder.course.init import init_course
    try:
        made = init_course(path, from_sample=from_sample, name=name, course_id=course_id)
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"course created in {made.root} ({len(made.files)} files)")
    state = "created" if made.secret_created else "exists already, kept"
    click.echo(f"secret: {made.secret_file} ({state}); ${SECRET_ENV}, when set, is used instead")
    click.echo(f"next: cd {made.root} and read README.md")


@click.command("new-exercise")
@click.argument("exercise_id", metavar="ID")
@click.option("--assignment", "-a", required=True, help="The assignment (in course.toml) that gets the exercise.")
@click.option("--title", default=None, help="The exercise's heading. Default: from ID.")
@click.pass_obj
def new_exercise_command(obj: object, exercise_id: str, assignment: str, title: str | None) -> None:
    """Write exercises/ID.py, a commented skeleton, and add it to ASSIGNMENT in course.toml.

    Fill in its model answer, prompt and checks, then run `pytest
    exercises/ID.py` to run the checks against the model answer.

    \b
    Example:
      grade new-exercise relu --assignment hw1
    """
    from autograder.course.init import new_exercise
    course = course_from(obj)
    try:
        written = new_exercise(course, exercise_id, assignment, title=title)
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{relative(written, course.root)}: added to {assignment} in course.toml")
    click.echo(f"next: write its model answer, then `pytest {relative(written, course.root)}`")
