"""The ``grade`` command line: a thin layer over the library (each command calls one function).

Commands find the course folder from the current directory upwards, as
nbgrader's do, or take it from ``grade --course PATH ...``.
"""
from __future__ import annotations

import sys
from pathlib import Path

# jsonschema (under nbformat, under nbgrader's gradebook) registers its "iri" format checkers only
# when rfc3987_syntax imports, and that import compiles a grammar: ~0.7 s, more than grading a
# notebook. No schema dlgrade or nbgrader validates uses those formats, so `grade` goes without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import click

from autograder.cli.common import CliState, assignment_of, count, relative, secret_of
from autograder.cli.lazy import LazyGroup
from autograder.course.config import ROSTER_FILE, CourseError, read_roster

COMMANDS = {
    # name: "module:attribute", imported only when the command runs or --help lists it (one line each)
    "collect": "autograder.cli.grading:collect_command",
    "autograde": "autograder.cli.grading:autograde_command",
    "export": "autograder.cli.grading:export_command",
    "feedback": "autograder.cli.reports:feedback_command",
    "report": "autograder.cli.reports:report_command",
    "similarity": "autograder.cli.similarity:similarity_command",
    "ci": "autograder.cli.ci:ci_command",
    "serve": "autograder.cli.serve:serve_command",
    "init": "autograder.cli.setup:init_command",
    "new-exercise": "autograder.cli.setup:new_exercise_command",
    "audit": "autograder.cli.audit:audit_command",
}
"""The commands that live in other modules of :mod:`autograder.cli` (build, release, check and
demo are defined below)."""

SAMPLE_COURSE = Path(__file__).resolve().parents[2] / "course"
"""The sample course bundled with the repository (used by ``grade demo``)."""


def _library_errors() -> tuple[type[Exception], ...]:
    from autograder.course.notebooks import NotebookError
    from autograder.course.release import ReleaseError
    from exercises.model import ExerciseDefinitionError
    return CourseError, ReleaseError, NotebookError, ExerciseDefinitionError


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--course", "course_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The course folder (holding course.toml). Default: the current folder or a parent.")
@click.pass_context
def main(ctx: click.Context, course_path: Path | None) -> None:
    """dlgrade: build, release and grade neural-network exercises.

    \b
    Example, from a course folder:
      grade build a2
      grade release a2 --roster roster.csv
      grade check release/a2/ada01/a2.ipynb
    """
    ctx.obj = CliState(course_path)


@main.command()
@click.argument("assignment")
@click.pass_obj
def build(state: CliState, assignment: str) -> None:
    """Write the instructor's source notebook of ASSIGNMENT.

    Writes source/ASSIGNMENT/ASSIGNMENT.ipynb in nbgrader's format (solutions,
    hidden tests, points); its check cells need nothing beside it.

    \b
    Example:
      grade build a2
    """
    from autograder.course.release import build_assignment
    course = state.course()
    assignment_id = assignment_of(course, assignment).id
    try:
        built = build_assignment(course, assignment_id, secret=secret_of(course))
    except _library_errors() as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{built.assignment}: {relative(built.notebook, course.root)} "
               f"({count(len(built.exercises), 'exercise')}, {built.points:g} points)")
    for key in built.exercises:
        click.echo(f"  {key}")


@main.command()
@click.argument("assignment")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"The roster CSV (id; optional: first_name,last_name,email,lms_id). Default: the course's {ROSTER_FILE}.")
@click.option("--to", "to_pattern", default=None, metavar="PATTERN",
              help="Also copy each student's notebook to PATTERN/ASSIGNMENT.ipynb, e.g. "
                   "'/home/{student}/dl101/{assignment}' (folders 0700, file 0600; as root, owned by the "
                   "user named like the student id).")
@click.option("--zip-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write DIR/STUDENT.zip holding ASSIGNMENT.ipynb, for an LMS bulk upload.")
@click.option("--exchange", is_flag=True, help="Refused, with the reason: nbgrader's exchange shares one "
                                               "release with every student.")
@click.pass_obj
def release(state: CliState, assignment: str, roster: Path | None, to_pattern: str | None,
            zip_dir: Path | None, exchange: bool) -> None:
    """Write one folder per student of the roster: release/ASSIGNMENT/STUDENT/.

    Each holds the student's notebook (their own numbers; solutions and hidden
    checks removed), which carries its check library and public checks and
    needs no other file. Nothing is written
    unless the model answer earns every point and the stub none, for everyone.

    \b
    Example:
      grade release a2 --roster roster.csv
      grade release a2 --to '/home/{student}/dl101/{assignment}'
      grade release a2 --zip-dir lms-upload
    """
    from autograder.course.delivery import EXCHANGE_REFUSAL, DeliveryError, check_pattern
    from autograder.course.release import release_assignment
    if exchange:
        raise click.UsageError(EXCHANGE_REFUSAL)
    if to_pattern is not None:
        try:
            check_pattern(to_pattern)
        except DeliveryError as err:
            raise click.BadParameter(str(err), param_hint="--to") from None
    course = state.course()
    assignment_id = assignment_of(course, assignment).id
    try:
        students = read_roster(roster or course.root / ROSTER_FILE)
    except CourseError as err:
        raise click.BadParameter(str(err), param_hint="--roster") from None
    try:
        released = release_assignment(course, assignment_id, students, secret=secret_of(course))
    except _library_errors() as err:
        raise click.ClickException(str(err)) from None
    folder = relative(course.release_dir(assignment_id), course.root)
    click.echo(f"{released.assignment}: released to {count(len(released.students), 'student')} in {folder}/ "
               f"({count(len(released.exercises), 'exercise')})")
    _deliver(released, to_pattern, zip_dir)


def _deliver(released, to_pattern: str | None, zip_dir: Path | None) -> None:
    """Hand the released notebooks on through the channels asked for (see :mod:`autograder.course.delivery`)."""
    from autograder.course.delivery import DeliveryError, deliver_to_folders, write_zips
    notebooks = [(s.student, s.notebook) for s in released.students]
    try:
        if to_pattern is not None:
            delivered = deliver_to_folders(notebooks, to_pattern, assignment=released.assignment)
            click.echo(f"  copied to {count(len(delivered), 'student folder')} ({to_pattern})")
        if zip_dir is not None:
            zips = write_zips(notebooks, zip_dir, assignment=released.assignment)
            click.echo(f"  {count(len(zips), 'zip')} in {zip_dir}/ (one per student: {released.assignment}.ipynb)")
    except (DeliveryError, OSError) as err:
        raise click.ClickException(str(err)) from None


@main.command()
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--timeout", type=click.IntRange(min=1), default=120, show_default=True,
              help="Seconds a cell may run.")
def check(notebook: Path, timeout: int) -> None:
    """Run your notebook top to bottom and show what its check cells say.

    Runs NOTEBOOK in a Jupyter kernel in its own folder (the notebook
    carries its checks: no other file is needed) and prints every exercise's public
    check report. Exits with status 1 unless every public check passes.

    \b
    Example:
      grade check a2.ipynb
    """
    from autograder.grading.selfcheck import run_notebook_checks
    try:
        result = run_notebook_checks(notebook, timeout=timeout)
    except Exception as err:  # kernel start-up, unreadable notebook: say what and stop
        raise click.ClickException(f"could not run {notebook}: {type(err).__name__}: {err}") from None
    for cell in result.cells:
        click.echo(cell.text or f"{cell.exercise}: no report")
        if cell.error:
            click.echo(f"  the check cell raised {cell.error}")
    for error in result.errors:
        click.echo(f"cell {error}")
    if not result.cells:
        raise click.ClickException(f"{notebook} has no check cells: is it a released dlgrade notebook?")
    passed = sum(c.passed for c in result.cells)
    click.echo(f"exercises passing all their public checks: {passed} of {len(result.cells)}")
    if not result.passed:
        raise SystemExit(1)


@main.command()
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Submissions graded at once.")
@click.option("--serve", "serve", is_flag=True,
              help="Then serve the course (grade serve on 127.0.0.1) and print demo links; Ctrl-C stops.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port for --serve.")
@click.pass_context
def demo(ctx: click.Context, jobs: int, serve: bool, port: int) -> None:
    """The main job on the sample course: build, release, hand in, grade, report.

    Builds and releases every assignment of the sample course (the
    repository's course/ folder, or the one given with --course) to its
    roster, hands in one sample notebook per student (correct, partial,
    hostile, late, broken: see autograder/course/sample_class.py), grades them into the
    gradebook, writes the feedback pages and class reports, and exports the
    grades. Generated folders are git-ignored; a second run re-uses the
    finished grading.

    \b
    Example:
      grade demo
      grade --course /tmp/course-copy demo
      grade demo --serve          # then open a printed link in a browser
    """
    from autograder.cli.grading import autograde_command, export_command
    from autograder.cli.reports import feedback_command, report_command
    from autograder.course.config import assignment_exercises
    from autograder.course.release import build_assignment, release_assignment
    from autograder.course.sample_class import hand_in
    if ctx.obj.course_path is None:  # the sub-commands invoked below read the course from ctx.obj too
        ctx.obj = CliState(SAMPLE_COURSE)
    course = ctx.obj.course()
    click.echo(f"course: {course.name} in {course.root}")
    secret = secret_of(course)
    try:
        students = read_roster(course.root / ROSTER_FILE)
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    failed, graded = [], []
    for assignment in course.assignments:
        try:
            chosen = assignment_exercises(assignment)
        except CourseError as err:
            click.echo(f"{assignment.id}: skipped ({err})")
            continue
        try:
            built = build_assignment(course, assignment, secret=secret, exercises=chosen)
            released = release_assignment(course, assignment, students, secret=secret, exercises=chosen)
        except _library_errors() as err:
            click.secho(f"{assignment.id}: FAILED: {err}", fg="red", err=True)
            failed.append(assignment.id)
            continue
        click.echo(f"\n{assignment.id}: {count(len(built.exercises), 'exercise')}, {built.points:g} points")
        click.echo(f"  source:  {built.notebook}")
        click.echo(f"  release: {course.release_dir(assignment.id)}/<student>/ "
                   f"({count(len(released.students), 'student')})")
        handed_in = hand_in(course, assignment, released, chosen, secret.value, students)
        click.echo(f"  handed in: {count(len(handed_in), 'sample notebook')} in "
                   f"{course.root / 'submitted'}/<student>/{assignment.id}/")
        for sample in handed_in:
            click.echo(f"    {sample.student:<10} {sample.profile}")
        ctx.invoke(autograde_command, assignment=assignment.id, students=(), jobs=jobs, force=False,
                   db_url=None, sandbox="auto")
        ctx.invoke(feedback_command, assignment=assignment.id, student=None)
        ctx.invoke(report_command, assignment=assignment.id)
        graded.append(assignment.id)
    if graded:
        export = course.root / "exports" / "grades.csv"
        export.parent.mkdir(parents=True, exist_ok=True)
        ctx.invoke(export_command, db_url=None, output=export)
        click.echo("\nWhere everything is:")
        for label, path in [("gradebook", course.root / "gradebook.db"),
                            ("results", course.root / "autograded/<student>/<assignment>/results.json"),
                            ("feedback", course.root / "feedback/<student>/<assignment>/feedback.html"),
                            ("reports", course.root / "reports/<assignment>/report.html"),
                            ("grades", export)]:
            click.echo(f"  {label:<10} {path}")
    if failed:
        raise click.ClickException(f"could not build or release {', '.join(failed)} (see above)")
    if serve:
        from autograder.cli.serve import run_service

        run_service(course, secret=secret.value, host="127.0.0.1", port=port, jobs=jobs, demo_links=True)
