"""``grade ci``: a thin click command over :func:`autograder.reports.ci.run_ci`."""
from __future__ import annotations

from pathlib import Path

import click

from autograder.reports.ci import FORMATS, GRADESCOPE_ROOT, run_ci
from autograder.reports.ci_formats import GRADESCOPE_VISIBILITIES

@click.command("ci")
@click.argument("notebook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--assignment", "-a", required=True, help="Assignment id, e.g. a2.")
@click.option("--student", "-s", default=None,
              help="Roster id the notebook was released for (its variant). Gradescope: defaults to "
                   "the roster id whose email is the submitter's in submission_metadata.json.")
@click.option("--course", "course_path", type=click.Path(file_okay=False, path_type=Path),
              envvar="DLGRADE_COURSE", default=None,
              help="The instructor's course folder (holding course.toml), or env DLGRADE_COURSE, or "
                   "`grade --course PATH ci ...`. Never searched for: in CI the student's repository "
                   "must not supply it.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Output to write; repeat for several. Without it only the summary is printed.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for junit.xml (and github-output.txt outside Actions).")
@click.option("--gradescope-root", type=click.Path(file_okay=False, path_type=Path),
              default=GRADESCOPE_ROOT, show_default=True,
              help="Gradescope's autograder folder: reads submission/, writes results/results.json.")
@click.option("--hidden-visibility", type=click.Choice(GRADESCOPE_VISIBILITIES), default="after_due_date",
              show_default=True, help="Gradescope visibility of hidden checks (public checks are visible).")
def ci_command(notebook: Path | None, assignment: str, student: str | None, course_path: Path | None,
               formats: tuple[str, ...], out_dir: Path, gradescope_root: Path, hidden_visibility: str) -> None:
    """Grade one NOTEBOOK in CI and write GitHub Classroom, Gradescope or JUnit results.

    Exits 0 when the notebook was graded, whatever the score, and 1 only when
    grading could not run (no notebook, unreadable notebook, bad course); the
    requested outputs are written either way and say what went wrong.

    \b
    Examples:
      grade ci a2.ipynb --assignment a2 --student "$GITHUB_ACTOR" \\
          --course "$RUNNER_TEMP/course" --format github --format junit --out reports
      grade ci --assignment a2 --format gradescope --course /autograder/source/course
    """
    if course_path is None:  # the group's --course, when given explicitly (never searched for)
        course_path = getattr(click.get_current_context().find_object(object), "course_path", None)
    if course_path is None:
        raise click.UsageError("give the course folder: --course PATH (or `grade --course PATH ci ...`, "
                               "or the environment variable DLGRADE_COURSE)")
    if notebook is None and "gradescope" not in formats:
        raise click.UsageError("give the NOTEBOOK to grade (only --format gradescope finds it by itself)")
    if student is None and "gradescope" not in formats:
        raise click.UsageError("give --student (only --format gradescope reads it from the submission)")
    try:
        code = run_ci(notebook, course=course_path, assignment=assignment, student=student,
                      formats=formats, out_dir=out_dir, gradescope_root=gradescope_root,
                      hidden_visibility=hidden_visibility, echo=click.echo)
    except OSError as err:
        raise click.ClickException(f"cannot write the CI results: {err}") from err
    click.get_current_context().exit(code)
