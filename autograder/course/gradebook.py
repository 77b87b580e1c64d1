"""nbgrader's gradebook as dlgrade fills it: students, assignments, grade cells, auto scores.

The database is nbgrader's own (:class:`nbgrader.api.Gradebook`), so nbgrader's
formgrader and ``nbgrader export`` read what dlgrade writes:

==================  ==========================================================
nbgrader record      dlgrade
==================  ==========================================================
Student              a roster row (``id``, names, email, ``lms_user_id``)
Assignment           a course.toml assignment (``name`` = id, ``duedate`` in UTC)
Notebook             the assignment's one notebook, named after the assignment
GradeCell            one per exercise: the check cell ``<a>_<ex>_check``
                     (:func:`autograder.course.notebooks.cell_id`), ``max_score`` =
                     the exercise's points, code, auto-graded; a written answer's
                     is its markdown answer cell ``<a>_<ex>_answer``, graded by hand
SubmittedAssignment  one per student; ``timestamp`` = the hand-in time
Grade                ``auto_score`` = the exercise's points earned
                     (manual scores an instructor gave in formgrader are kept);
                     a written answer waiting for a grader: ``auto_score`` None,
                     ``needs_manual_grade`` (an unwritten one: 0, as nbgrader does)
SubmittedNotebook    ``late_submission_penalty`` in points (fraction × raw score)
SolutionCell,        from the source notebook (:func:`record_notebook_cells`): every
SourceCell, Comment  solution cell (code, or a written answer) and every nbgrader cell's
                     source, and one Comment row per solution cell and submission,
                     which formgrader and ``nbgrader generate_feedback`` need
==================  ==========================================================

:func:`manual_grades` reads back what graders gave in formgrader (scores and comments).

A submission is written in ONE transaction (:func:`record_result`): a crash
in the middle leaves the previous state, never a submission with some scores.
Several writers at once (two ``grade autograde`` runs) are safe: SQLite runs
in WAL mode with a busy timeout, and a write that still meets a lock (or loses
a race to create the same row) is rolled back and retried as a whole.
"""
from __future__ import annotations

import functools
import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from autograder.course.config import Assignment, Course, Student, assignment_exercises
from autograder.course.gradebook_stamp import GRADEBOOK_FILE
from autograder.course.late import LatePenalty, parse_time
from autograder.course.nbgrader_api import (Assignment as NbAssignment, Comment, Gradebook, GradeCell, Grade,
                                            Notebook, SolutionCell, SourceCell, Student as NbStudent,
                                            SubmittedAssignment, SubmittedNotebook, load_api)
from autograder.course.notebooks import cell_id
from autograder.grading.results import ManualGrade, SubmissionResult
from exercises.written import ANSWER_ROLE

SQLITE_TIMEOUT = 30.0
"""Seconds an SQLite connection waits for another writer's lock before it gives up."""
RETRIES = 8
"""Attempts of a whole transaction that met a lock or lost a race."""
T = TypeVar("T")


class GradebookError(Exception):
    """The gradebook cannot be opened or written; the message has the URL and what to do."""


def default_url(course: Course) -> str:
    """``sqlite:///<course>/gradebook.db``: the file nbgrader's tools find in the course folder."""
    return f"sqlite:///{Path(course.root) / GRADEBOOK_FILE}"


def safe_url(db_url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return db_url


def _has_module(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


def _connect_url(db_url: str) -> str:
    """The URL to connect with: SQLite gets a busy timeout; ``postgresql://`` without a driver
    uses psycopg2 when it is installed and psycopg (SQLAlchemy 2.1's default) is not."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and "timeout" not in url.query:
        url = url.update_query_dict({"timeout": str(SQLITE_TIMEOUT)})
    if url.drivername == "postgresql" and not _has_module("psycopg") and _has_module("psycopg2"):
        url = url.set(drivername="postgresql+psycopg2")
    return url.render_as_string(hide_password=False)


def _enable_wal(gb: Gradebook) -> None:
    """WAL journal for file databases (readers never block the writer) and a busy timeout
    on every connection the engine opens from now on."""
    if gb.engine.dialect.name != "sqlite":
        return

    @event.listens_for(gb.engine, "connect")
    def _busy_timeout(connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_TIMEOUT * 1000)}")
        cursor.close()

    if gb.engine.url.database not in (None, "", ":memory:"):
        with gb.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def _use_inprocess_alembic_head() -> None:
    """nbgrader asks ``alembic heads`` in a subprocess whenever it creates a gradebook; ask
    alembic in this process instead (the same answer, one interpreter start less), falling
    back to nbgrader's own way if that fails."""
    api = load_api()
    if getattr(api.get_alembic_version, "dlgrade", False):
        return
    original = api.get_alembic_version

    @functools.cache
    def head() -> str:
        try:
            from alembic.config import Config
            from alembic.script import ScriptDirectory
            from nbgrader.dbutil import ALEMBIC_DIR
            config = Config()
            config.set_main_option("script_location", ALEMBIC_DIR)
            heads = ScriptDirectory.from_config(config).get_heads()
            if len(heads) == 1:
                return heads[0]
        except Exception:  # any trouble: nbgrader's subprocess (needs alembic on PATH)
            pass
        return original()
    head.dlgrade = True  # type: ignore[attr-defined]
    api.get_alembic_version = head


def open_gradebook(course: Course, db_url: str | None = None) -> Gradebook:
    """Open (creating if needed) the course's gradebook.

    Parameters
    ----------
    course
        The course; its ``id`` is nbgrader's ``course_id``.
    db_url
        Any SQLAlchemy URL (``sqlite:///path.db``,
        ``postgresql://user@host/db``); default ``sqlite:///<course>/gradebook.db``.

    Close it with ``gb.close()`` (or use it in a ``with`` block).
    """
    url = db_url or default_url(course)
    # nbgrader runs `alembic` by name when it creates a gradebook: the venv's bin must be on PATH.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    _use_inprocess_alembic_head()
    try:
        target = _connect_url(url)
    except ArgumentError as err:
        raise GradebookError(f"cannot open the gradebook {url!r}: not a database URL ({err}); "
                             "write e.g. sqlite:///gradebook.db or postgresql://user@host/dbname") from None
    last: Exception | None = None
    for attempt in range(RETRIES):
        try:
            gb = Gradebook(target, course_id=course.id)
            _enable_wal(gb)
            return gb
        except (OperationalError, IntegrityError) as err:
            # two processes creating the same new database race on its tables: wait, retry
            last = err
            if not _retryable(err):
                break
            _pause(attempt)
        except (SQLAlchemyError, ImportError, OSError, ValueError) as err:
            last = err
            break
        except Exception as err:  # nbgrader wraps some database errors (InvalidEntry, CalledProcessError)
            last = err
            break
    reason = str(getattr(last, "orig", None) or last).strip().splitlines()[0] if last else "unknown"
    tip = ("install the database driver (for PostgreSQL: psycopg2-binary or psycopg)"
           if isinstance(last, ImportError) or "No module named" in reason else
           "check that the server runs, the database exists and you may write to it "
           "(for SQLite: that the folder exists and is writable)")
    raise GradebookError(f"cannot open the gradebook {safe_url(url)}: {type(last).__name__}: "
                         f"{reason}; {tip}, or pass another --db URL") from None


# --------------------------------------------------------------------------
# Transactions
# --------------------------------------------------------------------------
def _retryable(err: Exception) -> bool:
    """A lock, a busy database, a serialization failure or a lost race to insert the same row."""
    if isinstance(err, IntegrityError):
        return True
    text = str(getattr(err, "orig", err)).lower()
    return any(word in text for word in ("locked", "busy", "deadlock", "could not serialize",
                                         "already exists", "unique constraint"))


def _pause(attempt: int) -> None:
    time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))


def transaction(gb: Gradebook, work: Callable[[], T], what: str) -> T:
    """Run ``work`` (which only adds and changes rows in ``gb.db``) and commit once.

    Any error rolls everything back; locks and lost races are retried as a whole.
    """
    for attempt in range(RETRIES):
        try:
            value = work()
            gb.db.commit()
            return value
        except BaseException as err:
            gb.db.rollback()
            if isinstance(err, (OperationalError, IntegrityError)) and _retryable(err) \
                    and attempt < RETRIES - 1:
                _pause(attempt)
                continue
            if isinstance(err, DBAPIError):
                reason = str(err.orig).strip().splitlines()[0]
                raise GradebookError(f"could not write {what} to the gradebook "
                                     f"{safe_url(str(gb.engine.url))}: {reason}; nothing of it was "
                                     "written, run the command again") from err
            raise
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------
# What dlgrade writes
# --------------------------------------------------------------------------
def _utc_naive(moment: datetime | str) -> datetime:
    """nbgrader stores times as naive UTC."""
    return parse_time(moment).astimezone(timezone.utc).replace(tzinfo=None)


def grade_cell_name(exercise_key: str, written: bool = False) -> str:
    """The grade cell of an exercise: its check cell's grade_id, e.g. ``a2_sigmoid_check``; a written
    answer's is its answer cell, e.g. ``a1_xor_written_answer``."""
    return cell_id(exercise_key, ANSWER_ROLE if written else "check")


def _student(gb: Gradebook, student_id: str, info: Student | None = None) -> NbStudent:
    row = gb.db.get(NbStudent, student_id)
    if row is None:
        row = NbStudent(id=student_id)
        gb.db.add(row)
    if info is not None:
        row.first_name, row.last_name = info.first_name or None, info.last_name or None
        row.email, row.lms_user_id = info.email or None, info.lms_id or None
    return row


def record_students(gb: Gradebook, students: Iterable[Student]) -> None:
    """Add or update every roster student (names, email, LMS id) in one transaction."""
    students = list(students)

    def work() -> None:
        for info in students:
            _student(gb, info.id, info)
    transaction(gb, work, f"{len(students)} students")


def record_assignment(gb: Gradebook, course: Course, assignment: Assignment | str,
                      exercise_points: Sequence[tuple[str, float]] | None = None, *,
                      written: Collection[str] = ()) -> None:
    """Add or update the assignment, its notebook and one grade cell per exercise.

    ``exercise_points`` — ``(exercise key, points)`` in notebook order —
    defaults to the assignment's exercises from course.toml; ``written``: the keys among them that
    are written answers graded by hand (markdown grade cells; found from course.toml by default).
    """
    if isinstance(assignment, str):
        assignment = course.assignment(assignment)
    if exercise_points is None:
        chosen = assignment_exercises(assignment)
        exercise_points = [(e.key, e.points) for e in chosen]
        written = {e.key for e in chosen if e.written}
    cells = [(grade_cell_name(key, key in written), float(points), "markdown" if key in written else "code")
             for key, points in exercise_points]
    name = assignment.id

    def work() -> None:
        row = gb.db.query(NbAssignment).filter(NbAssignment.name == name).one_or_none()
        if row is None:
            row = NbAssignment(name=name, course_id=gb.course_id)
            gb.db.add(row)
        row.duedate = _utc_naive(assignment.due)
        notebook = next((n for n in row.notebooks if n.name == name), None)
        if notebook is None:
            notebook = Notebook(name=name, assignment=row)
            gb.db.add(notebook)
        existing = {c.name: c for c in notebook.grade_cells}
        for cell_name, points, cell_type in cells:
            cell = existing.get(cell_name)
            if cell is None:
                cell = GradeCell(name=cell_name, notebook=notebook, cell_type=cell_type, max_score=points)
                gb.db.add(cell)
                for submitted in notebook.submissions:  # earlier submissions get the new cell too
                    gb.db.add(Grade(cell=cell, notebook=submitted))
            cell.max_score = points
    transaction(gb, work, f"assignment {name}")


def record_notebook_cells(gb: Gradebook, assignment: str, cells: Iterable[Mapping[str, Any]]) -> None:
    """Record the source notebook's cells as ``nbgrader generate_assignment`` would: a SolutionCell
    per solution cell and a SourceCell per cell with nbgrader metadata (``cells``: the source
    notebook's cells as nbformat dicts), in one transaction; earlier submissions get their Comment
    rows when they are recorded again. The assignment must have been recorded."""
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum
    rows = [(c["metadata"]["nbgrader"], c["cell_type"],
             "".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]
    # nbgrader's own checksum of each locked cell (the source notebook carries none): `nbgrader
    # autograde` restores a locked cell from its row and refuses the notebook when the two disagree.
    # A solution cell's checksum is of its *released* (cleared) form, which only `nbgrader
    # generate_assignment` writes: kept as it is (None until then: "changed", so graded, never 0).
    checksums = [compute_checksum(from_dict({"cell_type": cell_type, "source": source, "metadata": {"nbgrader": meta}}))
                 if meta.get("locked") else None for meta, cell_type, source in rows]

    def work() -> None:
        row = gb.db.query(NbAssignment).filter(NbAssignment.name == assignment).one_or_none()
        notebook = None if row is None else next((n for n in row.notebooks if n.name == assignment), None)
        if notebook is None:
            raise GradebookError(f"assignment {assignment} is not in the gradebook yet: record it first "
                                 "(record_assignment)")
        solutions = {c.name for c in notebook.solution_cells}
        sources = {c.name: c for c in notebook.source_cells}
        for (meta, cell_type, source), checksum in zip(rows, checksums):
            name = meta["grade_id"]
            if meta.get("solution") and name not in solutions:
                gb.db.add(SolutionCell(name=name, notebook=notebook))
            cell = sources.get(name) or SourceCell(name=name, notebook=notebook, cell_type=cell_type)
            cell.cell_type, cell.source = cell_type, source
            cell.locked = bool(meta.get("locked"))
            if checksum is not None:
                cell.checksum = checksum
            gb.db.add(cell)
    transaction(gb, work, f"the cells of {assignment}")


def _submission(gb: Gradebook, notebook: Notebook, student: NbStudent) -> SubmittedNotebook:
    """The student's submitted notebook, created (with every grade row) when missing."""
    assignment = notebook.assignment
    submission = gb.db.query(SubmittedAssignment).filter(
        SubmittedAssignment.assignment_id == assignment.id,
        SubmittedAssignment.student_id == student.id).one_or_none()
    if submission is None:
        submission = SubmittedAssignment(assignment=assignment, student=student)
        gb.db.add(submission)
    submitted = next((n for n in submission.notebooks if n.notebook_id == notebook.id), None)
    if submitted is None:
        submitted = SubmittedNotebook(notebook=notebook, assignment=submission)
        gb.db.add(submitted)
    have = {g.cell_id for g in submitted.grades}
    for cell in notebook.grade_cells:
        if cell.id not in have:
            gb.db.add(Grade(cell=cell, notebook=submitted))
    commented = {c.cell_id for c in submitted.comments}
    for cell in notebook.solution_cells:
        if cell.id not in commented:
            gb.db.add(Comment(cell=cell, notebook=submitted))
    return submitted


def record_result(gb: Gradebook, result: SubmissionResult, late_penalty: LatePenalty | None = None,
                  *, student: Student | None = None) -> None:
    """Write one graded submission: the student, the submission, every exercise's auto score
    and the late penalty, in ONE transaction (all of it or none of it).

    Re-recording the same result changes nothing; manual scores are kept.
    The assignment must have been recorded (:func:`record_assignment`).
    """
    name = result.assignment
    # a written answer waiting for a grader has no auto score (None): nbgrader's "needs manual grade"
    scores = {grade_cell_name(e.key, e.written): None if e.pending_points else float(e.auto_points)
              for e in result.exercises}
    penalty = late_penalty.points(result.points) if late_penalty else 0.0
    try:
        timestamp = _utc_naive(result.submitted_at) if result.submitted_at else None
    except ValueError:  # an unreadable timestamp.txt: the scores still count (the CLI shows "?" as late)
        timestamp = None

    def work() -> None:
        assignment = gb.db.query(NbAssignment).filter(NbAssignment.name == name).one_or_none()
        notebook = None if assignment is None else next(
            (n for n in assignment.notebooks if n.name == name), None)
        if notebook is None:
            raise GradebookError(f"assignment {name} is not in the gradebook yet: record it first "
                                 "(grade autograde does) — record_assignment(gb, course, assignment)")
        cells = {c.name: c for c in notebook.grade_cells}
        unknown = sorted(set(scores) - set(cells))
        if unknown:
            raise GradebookError(f"{result.student}'s result for {name} has exercises the gradebook "
                                 f"does not know ({', '.join(unknown)}): the course's exercises changed; "
                                 "record the assignment again and re-grade with --force")
        submitted = _submission(gb, notebook, _student(gb, result.student, student))
        submitted.assignment.timestamp = timestamp
        submitted.late_submission_penalty = penalty
        gb.db.flush()
        for grade in submitted.grades:
            cell = grade.cell
            if isinstance(cell, GradeCell):
                grade.auto_score = scores.get(cell.name, 0.0)
                grade.needs_manual_grade = grade.auto_score is None and grade.manual_score is None
    transaction(gb, work, f"{result.student}'s {name}")


def manual_grades(gb: Gradebook, assignment: str, student: str,
                  exercise_keys: Iterable[str]) -> dict[str, ManualGrade]:
    """What graders gave one submission in formgrader, by exercise key: the manual score of the
    exercise's grade cell (check cell or written answer) and the comments on its cells (solution or
    answer cell), joined by a blank line. Exercises with neither are left out."""
    keys = list(exercise_keys)
    owner = {cell_id(key, role): key for key in keys for role in ("check", ANSWER_ROLE, "solution")}
    submitted = gb.db.query(SubmittedNotebook).join(SubmittedAssignment).join(NbAssignment) \
        .filter(NbAssignment.name == assignment, SubmittedAssignment.student_id == student).first()
    scores: dict[str, float] = {}
    comments: dict[str, list[str]] = {}
    if submitted is not None:
        for grade in submitted.grades:
            if grade.manual_score is not None and grade.cell.name in owner:
                scores[owner[grade.cell.name]] = float(grade.manual_score)
        for comment in submitted.comments:
            if comment.manual_comment and comment.cell.name in owner:
                comments.setdefault(owner[comment.cell.name], []).append(comment.manual_comment)
    gb.db.rollback()  # end the read transaction: never hold a lock while idle
    return {key: ManualGrade(scores.get(key), "\n\n".join(comments.get(key, ())))
            for key in keys if key in scores or key in comments}


def recorded_scores(gb: Gradebook, assignment: str, student: str) -> dict[str, float | None]:
    """Every grade cell's auto score of one submission (``{}`` when there is none)."""
    rows = gb.db.query(GradeCell.name, Grade.auto_score) \
        .join(Grade, Grade.cell_id == GradeCell.id) \
        .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id) \
        .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id) \
        .join(NbAssignment, NbAssignment.id == SubmittedAssignment.assignment_id) \
        .filter(NbAssignment.name == assignment, SubmittedAssignment.student_id == student).all()
    gb.db.rollback()  # end the read transaction: never hold a lock while idle
    return {name: score for name, score in rows}
