"""The grading commands of ``grade``: collect, autograde, export.

Each is a thin layer over one library function (:func:`autograder.course.collect.collect`,
:func:`autograder.course.autograde.grade_and_record`,
:func:`autograder.reports.export.export_grades`). The ``grade`` group lists them in its command
table (:data:`autograder.cli.main.COMMANDS`) and imports this module only when one of them runs;
heavy libraries (rich, nbgrader, SQLAlchemy) are imported inside the commands.

They read the course from the group's context object (``ctx.obj.course()``,
as ``grade --course PATH`` sets it up), or from the current folder upwards.
"""
from __future__ import annotations

import importlib
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import click

from autograder.cli.common import assignment_of, course_from, relative, secret_of
from autograder.course.config import ROSTER_FILE, Course, CourseError, Student, assignment_exercises, read_roster

if TYPE_CHECKING:
    from autograder.course.autograde import GradedRow

SANDBOXES = ("auto", "bwrap", "none")


# --------------------------------------------------------------------------
# Shared by the commands
# --------------------------------------------------------------------------




def _roster(course: Course, required: bool) -> dict[str, Student]:
    path = Path(course.root) / ROSTER_FILE
    if not path.is_file() and not required:
        return {}
    try:
        return {s.id: s for s in read_roster(path)}
    except CourseError as err:
        raise click.ClickException(str(err)) from None


def _open_gradebook(course: Course, db: str | None, importing: threading.Thread | None = None) -> Any:
    if importing is not None:
        importing.join()  # the import under way in the background; its errors show again just below
    from autograder.course.gradebook import GradebookError, open_gradebook
    try:
        return open_gradebook(course, db)
    except GradebookError as err:
        raise click.ClickException(str(err)) from None


def _gradebook_error() -> type[Exception]:
    from autograder.course.gradebook import GradebookError
    return GradebookError


GRADEBOOK_MODULE = "autograder.course.gradebook"
"""What recording a score imports (nbgrader's gradebook API, SQLAlchemy): about as long as grading
one hand-in, during which this process mostly waits for the sandboxed worker."""


def _any_to_grade(course: Course, assignment: str, submissions: Iterable[Any]) -> bool:
    """True when some submission will be graded (it is not already graded for the same notebook bytes)."""
    from autograder.course.autograde import autograded_dir
    from autograder.grading.batch import already_graded, results_path
    return any(s.problem or already_graded(results_path(autograded_dir(course), assignment, s.student),
                                           s.notebook) is None for s in submissions)


def _import_in_background(module: str) -> threading.Thread:
    """Start importing ``module`` in a daemon thread and return it (``join`` it before use).

    Grading one hand-in leaves this process mostly waiting for the worker process, so the import
    overlaps with it. Any error is left for the import in the calling thread to raise again.
    """
    def run() -> None:
        try:
            importlib.import_module(module)
        except BaseException:  # noqa: BLE001 - raised again by the import that needs the module
            pass
    thread = threading.Thread(target=run, name=f"import {module}", daemon=True)
    thread.start()
    return thread




# --------------------------------------------------------------------------
# grade collect
# --------------------------------------------------------------------------
@click.command("collect")
@click.argument("assignment")
@click.argument("source", required=False, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def collect_command(ctx: click.Context, assignment: str, source: Path | None) -> None:
    """Bring hand-ins of ASSIGNMENT into submitted/<student>/ASSIGNMENT/.

    SOURCE is a folder of notebooks named by student (alice.ipynb,
    alice_a2.ipynb) or an LMS zip export (Canvas: alice_12345_67890_a2.ipynb;
    Moodle: one folder per participant); students are matched by roster id or
    lms_id. Each notebook is copied with a timestamp.txt (the file's time, or
    the zip entry's) for the late policy. Without SOURCE, lists what is already
    in nbgrader's submitted/ folder. Files that match no student or cannot be
    read are listed, and the command then exits with status 1.

    \b
    Examples:
      grade collect a2 ~/Downloads/a2-submissions.zip
      grade collect a2 handins/
      grade collect a2
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from autograder.course.collect import CollectError, collect, submitted_dir
    from autograder.reports.escape import rich_text
    course = course_from(ctx.obj)
    assignment_id = assignment_of(course, assignment).id
    students = tuple(_roster(course, required=True).values())
    try:
        report = collect(course, assignment_id, source, students=students)
    except CollectError as err:
        raise click.ClickException(str(err)) from None
    console = Console()
    where = relative(submitted_dir(course), course.root)
    table = Table(title=f"{assignment_id}: {len(report.collected)} hand-ins in {where}/")
    for column in ("student", "submitted (UTC)", "from"):
        table.add_column(column)
    for item in report.collected:  # file names and reasons are the students': text, never markup
        table.add_row(rich_text(item.student), item.submitted_at or "unknown", rich_text(item.source))
    console.print(table)
    for problem in report.problems:
        console.print(Text.assemble(("not collected", "yellow"), " ", rich_text(problem.source), ": ",
                                    rich_text(problem.reason)), highlight=False, soft_wrap=True)
    if not report.collected and source is None:
        raise click.ClickException(
            f"no hand-ins of {assignment_id} in {submitted_dir(course)}/<student>/{assignment_id}/: "
            f"collect them with `grade collect {assignment_id} FOLDER_OR_ZIP`")
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} file(s) need attention (listed above); "
                                   "fix them and run the command again")


# --------------------------------------------------------------------------
# grade autograde
# --------------------------------------------------------------------------
@click.command("autograde")
@click.argument("assignment")
@click.option("--student", "students", multiple=True, metavar="ID",
              help="Grade only this student (repeatable). Default: every hand-in.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Submissions graded at once (processes).")
@click.option("--force", is_flag=True, help="Re-grade submissions already graded (same results: grading is "
              "deterministic).")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="The gradebook's SQLAlchemy URL. Default: sqlite:///<course>/gradebook.db.")
@click.option("--sandbox", type=click.Choice(SANDBOXES), default="auto", show_default=True,
              help="Isolation of student code: bwrap (required), none, or auto (bwrap when it works).")
@click.option("--scheduler", metavar="tcp://HOST:8786", envvar="DLGRADE_SCHEDULER", default=None,
              help="Grade on this Dask scheduler's workers instead of --jobs local processes "
                   "(needs `pip install dask distributed`). Env: DLGRADE_SCHEDULER.")
@click.pass_context
def autograde_command(ctx: click.Context, assignment: str, students: tuple[str, ...], jobs: int,
                      force: bool, db_url: str | None, sandbox: str, scheduler: str | None) -> None:
    """Grade every hand-in of ASSIGNMENT and record the scores in the gradebook.

    Grades submitted/<student>/ASSIGNMENT/*.ipynb, JOBS at a time, writing
    autograded/<student>/ASSIGNMENT/results.json and nbgrader's gradebook
    (scores per exercise, late penalty per course.toml) as each one finishes.
    An interrupted run resumes: hand-ins already graded (same notebook bytes)
    are not graded again. Exits with status 1 only when the grader itself
    failed; a student's broken notebook is a result (zero points), not a failure.

    \b
    Examples:
      grade autograde a2 --jobs 8
      grade autograde a2 --student ada01 --force
      grade autograde a2 --db postgresql://grader@dbhost/dl101
      grade autograde a2 --scheduler tcp://10.0.0.5:8786
    """
    from autograder.grading.batch import find_submissions
    from autograder.course.collect import submitted_dir
    from autograder.course.autograde import GradebookOnDemand, grade_and_record
    from autograder.course.gradebook_stamp import sqlite_file
    from autograder.course.privacy import make_course_private
    from autograder.grading.executors import ExecutorError

    course = course_from(ctx.obj)
    chosen = assignment_of(course, assignment)
    try:
        exercises = assignment_exercises(chosen)
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    roster = _roster(course, required=False)
    root = submitted_dir(course)
    submissions = find_submissions(root, chosen.id)
    if not submissions:
        raise click.ClickException(
            f"no submissions of {chosen.id} found: looked for {root}/<student>/{chosen.id}/*.ipynb; "
            f"collect them first with `grade collect {chosen.id} FOLDER_OR_ZIP`")
    if students:
        missing = sorted(set(students) - {s.student for s in submissions})
        if missing:
            raise click.BadParameter(f"no submission of {chosen.id} from {', '.join(missing)} in {root}; "
                                     f"collect it first with `grade collect {chosen.id} FOLDER_OR_ZIP`",
                                     param_hint="--student")
        submissions = [s for s in submissions if s.student in students]
    secret = secret_of(course)
    try:
        note = make_course_private(course.root)  # grade_and_record does it too; here it is said
    except PermissionError as err:
        raise click.ClickException(str(err)) from None
    if note:
        click.echo(f"note: {note}", err=True)

    # a hand-in to grade will be recorded: import the gradebook meanwhile (unchanged ones may need none)
    importing = _import_in_background(GRADEBOOK_MODULE) if force or _any_to_grade(course, chosen.id, submissions) \
        else None
    gb = GradebookOnDemand(lambda: _open_gradebook(course, db_url, importing), course=course,
                           assignment=chosen, roster=roster, exercises=exercises,
                           db_file=sqlite_file(db_url, course))
    try:
        with _progress_bar(f"grading {chosen.id}", total=len(submissions)) as on_progress:
            try:
                rows = grade_and_record(gb, course=course, assignment=chosen, roster=roster,
                                        submissions=submissions, exercises=exercises, secret=secret.value,
                                        jobs=jobs, force=force, sandbox=sandbox, on_progress=on_progress,
                                        scheduler=scheduler)
            except ExecutorError as err:
                raise click.ClickException(str(err)) from None
        if not gb.all_current:
            gb()  # the roster and the assignment are recorded even when no hand-in was
    except _gradebook_error() as err:
        raise click.ClickException(str(err)) from None
    finally:
        gb.close()
    from autograder.reports.formgrader import write_autograded_notebooks
    notebooks = write_autograded_notebooks(course, chosen.id, submissions, exercises)
    failures = _print_summary(chosen.id, rows, course)
    if notebooks:
        click.echo(f"formgrader: {len(notebooks)} autograded notebooks in "
                   f"autograded/<student>/{chosen.id}/{chosen.id}.ipynb")
    if failures:
        raise click.ClickException(f"the grader failed on {failures} submission(s) (see the table); "
                                   "their earlier results are untouched — run the command again")


@contextmanager
def _progress_bar(description: str, total: int) -> Iterator[Callable[[GradedRow], None]]:
    """A rich progress bar on stderr; yields the callback that advances it by one finished row."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autograder.reports.escape import terminal_text

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[last]}", markup=False))
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(description, total=total, last="")

        def advance(row: GradedRow) -> None:
            progress.update(task, advance=1, last=terminal_text(f"{row.student}: {row.status}"))
        yield advance


def _late_label(row: GradedRow) -> str:
    """The summary's late column: ``2 d, −40%``, ``? (why)``, or empty when on time or unknown."""
    if row.late_error:
        return f"? ({row.late_error})"
    if row.penalty is not None and row.penalty.days_late:
        return f"{row.penalty.days_late} d, −{row.penalty.fraction:.0%}"
    return ""


def _after_late(row: GradedRow) -> str:
    """The score the gradebook counts: raw points minus the late penalty (``fraction × raw``);
    a hand-in whose time could not be read was recorded unpenalised; ``—`` when nothing was graded."""
    if row.status == "failed":
        return "—"
    penalty = row.penalty.points(row.points) if row.penalty else 0.0
    return f"{row.points - penalty:g}"


def _print_summary(assignment: str, rows: list[GradedRow], course: Course) -> int:
    """Print the table of rows and the counts line; returns how many rows failed."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from autograder.course.autograde import autograded_dir, count_rows
    from autograder.grading.results import score_text
    from autograder.reports.escape import rich_text
    table = Table(title=f"{assignment}: {len(rows)} submissions")
    for column, justify in (("student", "left"), ("notebook", "left"), ("points", "right"),
                            ("late", "left"), ("after late", "right"), ("status", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        status = Text({"graded": "graded", "skipped": "unchanged", "failed": "FAILED"}[row.status])
        if row.failed:  # errors and ids may carry a student's text: never markup
            status = Text.assemble(("FAILED", "red"), ": ",
                                   rich_text(row.error.strip().splitlines()[-1] if row.error.strip() else ""))
        elif row.error:
            status.append_text(rich_text(f" (notebook: {row.error.splitlines()[0]})"))
        if row.released_for:
            status.append_text(rich_text(f" RELEASED FOR {row.released_for}", "yellow"))
        points = "—" if row.status == "failed" else score_text(row.points, row.max_points, row.pending_points)
        table.add_row(rich_text(row.student), rich_text(row.notebook_file) if row.notebook_file else "—", points,
                      rich_text(_late_label(row)), _after_late(row), status)
    console = Console()
    console.print(table)
    counts = count_rows(rows)
    console.print(f"graded {counts.graded}, unchanged {counts.unchanged}, failed {counts.failed}; "
                  f"results in {relative(autograded_dir(course), course.root)}/, "
                  "scores in the gradebook", highlight=False)
    return counts.failed


# --------------------------------------------------------------------------
# grade export
# --------------------------------------------------------------------------
@click.command("export")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="The gradebook's SQLAlchemy URL. Default: sqlite:///<course>/gradebook.db.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None, help="Where to write the CSV ('-' for the terminal). Default: <course>/grades.csv.")
@click.pass_context
def export_command(ctx: click.Context, db_url: str | None, output: Path | None) -> None:
    """Write the grades as CSV: one row per assignment and student.

    nbgrader's export columns (assignment, duedate, timestamp, student_id,
    last_name, first_name, email, raw_score, late_submission_penalty, score,
    max_score) plus lms_id; late penalties follow course.toml's [late_policy].
    Times are UTC.

    \b
    Examples:
      grade export
      grade export --output grades.csv
      grade export --db postgresql://grader@dbhost/dl101 -o -
    """
    from autograder.reports.export import export_grades
    course = course_from(ctx.obj)
    gb = _open_gradebook(course, db_url)
    try:
        text = export_grades(course, gb)
    finally:
        gb.close()
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output or Path(course.root) / "grades.csv"
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as err:
        raise click.ClickException(f"cannot write {target}: {err.strerror or err}; "
                                   "choose another --output") from None
    lines = text.count("\n") - 1
    click.echo(f"wrote {lines} rows to {target}", err=False)
    if lines == 0:
        click.echo("the gradebook holds no assignments yet: run `grade autograde ASSIGNMENT` first",
                   err=True)


