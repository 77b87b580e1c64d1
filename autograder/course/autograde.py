"""Grading an assignment's hand-ins into nbgrader's gradebook: the library behind ``grade autograde``.

:func:`prepare_gradebook` writes the roster and the assignment (one grade cell
per exercise); :func:`grade_and_record` then grades the batch with
:func:`autograder.grading.batch.grade_class` and records each result as soon as it
finishes, with its late penalty from course.toml's ``[late_policy]``
(:func:`autograder.course.late.late_penalty`). Results a re-run skips (same notebook
bytes) are recorded again too, so the gradebook always matches ``results.json`` (a
:class:`GradebookOnDemand` leaves out those its stamp shows recorded and untouched:
:mod:`autograder.course.gradebook_stamp`).
A result that cannot be recorded is a failed row, never an exception: the
batch goes on. :func:`count_rows` tallies the rows for the summary line.

The gradebook can be a :class:`GradebookOnDemand`: opened and prepared when the
first finished submission is recorded, so grading starts at once and this module
imports neither nbgrader nor SQLAlchemy until then.

Nothing here prints; a caller shows progress through ``on_progress``::

    with open_gradebook(course) as gb:
        prepare_gradebook(gb, course=course, assignment=a2, roster=roster, exercises=exercises)
        rows = grade_and_record(gb, course=course, assignment=a2, roster=roster,
                                submissions=submissions, exercises=exercises, secret=secret,
                                jobs=2, force=False, sandbox="auto")
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence, Union

from autograder.grading.batch import BatchOutcome, Submission, grade_class
from autograder.course.config import Assignment, Course, Student
from autograder.course import gradebook_stamp as stamps
from autograder.course.late import LatePenalty, late_penalty
from autograder.course.privacy import make_course_private
from autograder.grading.results import SubmissionResult, read_result
from exercises.model import Exercise

if TYPE_CHECKING:  # the gradebook's modules import nbgrader and SQLAlchemy: only when a row is written
    from autograder.course.nbgrader_api import Gradebook

AUTOGRADED_DIR = "autograded"
"""Folder of the course where ``<student>/<assignment>/results.json`` are written."""


@dataclass(frozen=True)
class GradedRow:
    """One submission after grading and recording."""

    student: str
    """The student's roster id (the folder name under ``submitted/``)."""
    status: str
    """The batch's word: ``graded``, ``skipped`` (unchanged, not graded again) or ``failed``."""
    points: float
    """Points earned before any late penalty (0 when the grader failed)."""
    max_points: float
    """Points available (0 when the grader failed)."""
    penalty: LatePenalty | None = None
    """The late penalty recorded, or None when it is unknown (no result, or ``late_error``)."""
    late_error: str = ""
    """Why the late penalty could not be worked out (the hand-in was recorded without one)."""
    error: str = ""
    """The grader's traceback, the notebook's own error, or why recording failed; empty when none."""
    notebook_file: str = ""
    """The name of the notebook that was graded (from the result); empty when none was or it is unknown."""
    released_for: str = ""
    """The student the graded notebook was released for, when that is another student (else empty)."""
    failed: bool = False
    """True when the grader failed or the result is not in the gradebook: the run must be repeated."""
    pending_points: float = 0.0
    """Points of written answers that need grading by hand (in ``max_points``, not in ``points``)."""


@dataclass(frozen=True)
class RowCounts:
    """How many rows of a run were graded, unchanged and failed."""

    graded: int
    """Rows whose status is ``graded`` (a recording failure still counts here and in ``failed``)."""
    unchanged: int
    """Rows whose status is ``skipped``: already graded for the same notebook bytes."""
    failed: int
    """Rows that need the run repeated (:attr:`GradedRow.failed`)."""


def autograded_dir(course: Course) -> Path:
    """Where results are written: ``<course>/autograded``."""
    return Path(course.root) / AUTOGRADED_DIR


class GradebookOnDemand:
    """A gradebook opened (``opener``) and prepared (:func:`prepare_gradebook`) the first time it is
    asked for; :meth:`close` closes it when it was opened. Not for use by several threads at once.

    ``db_file``: the SQLite file ``opener`` opens (:func:`autograder.course.gradebook_stamp.sqlite_file`),
    or None for any other database. With it, each recorded hand-in is stamped and a skipped
    hand-in whose stamp is current is not recorded again (:mod:`autograder.course.gradebook_stamp`):
    a re-run that changes nothing never opens the gradebook.
    """

    def __init__(self, opener: Callable[[], "Gradebook"], *, course: Course, assignment: Assignment,
                 roster: Mapping[str, Student], exercises: Sequence[Exercise], db_file: Path | None = None) -> None:
        self._opener = opener
        self._course, self._assignment, self._roster, self._exercises = course, assignment, roster, exercises
        self._db_file = db_file
        self._course_digest: str | None = None  # stamps.course_digest, the same for every hand-in of the run
        self._gradebook: Gradebook | None = None
        self.all_current = True
        """False once an outcome was recorded, failed or found not recorded yet (the gradebook is needed)."""

    @property
    def opened(self) -> bool:
        """True once the gradebook was opened and prepared."""
        return self._gradebook is not None

    def __call__(self) -> "Gradebook":
        """The gradebook, opened and prepared on the first call; the opener's and
        :func:`prepare_gradebook`'s errors (:class:`~autograder.course.gradebook.GradebookError`) propagate."""
        if self._gradebook is None:
            gb = self._opener()
            try:
                prepare_gradebook(gb, course=self._course, assignment=self._assignment, roster=self._roster,
                                  exercises=self._exercises)
            except BaseException:
                gb.close()
                raise
            self._gradebook = gb
        return self._gradebook

    def close(self) -> None:
        """Close the gradebook if it was opened (it can be opened again)."""
        if self._gradebook is not None:
            gradebook, self._gradebook = self._gradebook, None
            gradebook.close()

    def _digests(self, results: bytes, penalty: LatePenalty | None, student: str) -> tuple[str, str | None] | None:
        if self._db_file is None:
            return None
        if self._course_digest is None:
            self._course_digest = stamps.course_digest(
                db_file=self._db_file, course=self._course, assignment=self._assignment, exercises=self._exercises,
                roster=self._roster, source_notebook=source_notebook(self._course, self._assignment.id))
        inputs = stamps.inputs_digest(self._course_digest, results, penalty)
        return inputs, stamps.rows_digest(self._db_file, self._assignment.id, student, self._roster)

    def holds(self, results_path: Path, results: bytes, penalty: LatePenalty | None, student: str) -> bool:
        """True when the gradebook holds, untouched, what recording this result (``results``: the bytes
        of ``results_path``) with ``penalty`` would write, as its stamp shows."""
        digests = self._digests(results, penalty, student)
        return digests is not None and stamps.is_current(results_path, *digests)

    def stamp(self, results_path: Path, results: bytes, penalty: LatePenalty | None, student: str) -> None:
        """Stamp a result just recorded (best effort: without a stamp the next run records it again)."""
        digests = self._digests(results, penalty, student)
        if digests is not None:
            try:
                stamps.write_stamp(results_path, *digests)
            except OSError:
                stamps.stamp_path(results_path).unlink(missing_ok=True)


AnyGradebook = Union["Gradebook", GradebookOnDemand]
"""What :func:`record_outcome` and :func:`grade_and_record` write to: an open gradebook, or one on demand."""


def _gradebook_of(gb: AnyGradebook) -> "Gradebook":
    return gb() if isinstance(gb, GradebookOnDemand) else gb


def prepare_gradebook(gb: "Gradebook", *, course: Course, assignment: Assignment,
                      roster: Mapping[str, Student], exercises: Sequence[Exercise]) -> None:
    """Record every roster student and the assignment with one grade cell per exercise, and, when
    ``grade build`` wrote the source notebook (and it reads as one), its solution and source cells
    (formgrader needs them).

    Raises :class:`autograder.course.gradebook.GradebookError` when the database refuses.
    """
    from autograder.course.gradebook import record_assignment, record_notebook_cells, record_students
    record_students(gb, roster.values())
    record_assignment(gb, course, assignment, [(e.key, e.points) for e in exercises],
                      written={e.key for e in exercises if e.written})
    try:
        cells = json.loads(source_notebook(course, assignment.id).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # no source notebook (or not one): grading needs none; formgrader waits for `grade build`
    record_notebook_cells(gb, assignment.id, cells)


def source_notebook(course: Course, assignment: str) -> Path:
    """``source/<assignment>/<assignment>.ipynb``: the instructor's notebook ``grade build`` writes."""
    return course.source_dir(assignment) / f"{assignment}.ipynb"


def record_result(gb: "Gradebook", result: SubmissionResult, late_penalty: LatePenalty | None = None, *,
                  student: Student | None = None) -> None:
    """:func:`autograder.course.gradebook.record_result`, whose module (nbgrader, SQLAlchemy) is
    imported on the first call."""
    from autograder.course.gradebook import record_result as record
    record(gb, result, late_penalty, student=student)


def record_outcome(gb: AnyGradebook, outcome: BatchOutcome, *, course: Course, assignment: Assignment,
                   roster: Mapping[str, Student]) -> GradedRow:
    """Record one finished (graded or skipped) outcome in the gradebook; a failed one is only reported.

    The late penalty is computed from the result's ``submitted_at`` and the
    assignment's due time; a time that cannot be read leaves the hand-in
    unpenalised with ``late_error`` saying why. Errors of reading or recording
    the result make the row ``failed`` instead of raising; a :class:`GradebookOnDemand` that cannot
    be opened raises (nothing could be recorded). A :class:`GradebookOnDemand` is not even opened
    for a skipped outcome that its stamp shows recorded already (:meth:`GradebookOnDemand.holds`).
    """
    on_demand = gb if isinstance(gb, GradebookOnDemand) else None
    if outcome.status == "failed":
        if on_demand is not None:
            on_demand.all_current = False
        return GradedRow(outcome.student, outcome.status, outcome.points, outcome.max_points,
                         error=outcome.error, failed=True)
    try:
        result = read_result(outcome.results_path)
        results = Path(outcome.results_path).read_bytes()
    except (ValueError, OSError) as err:
        _gradebook_of(gb)  # a gradebook that cannot be opened stops the run
        if on_demand is not None:
            on_demand.all_current = False
        return GradedRow(outcome.student, outcome.status, outcome.points, outcome.max_points,
                         error=f"not recorded in the gradebook: {err}", failed=True)
    penalty: LatePenalty | None = None
    late_error = ""
    try:
        penalty = late_penalty(course.late_policy, assignment.due, result.submitted_at)
    except ValueError as err:
        late_error = str(err)
    row = partial(GradedRow, outcome.student, outcome.status, outcome.points, outcome.max_points,
                  penalty=penalty, late_error=late_error, notebook_file=result.notebook_file,
                  released_for=result.released_for if result.foreign else "", pending_points=result.pending_points)
    if on_demand is not None and outcome.status == "skipped" and \
            on_demand.holds(outcome.results_path, results, penalty, result.student):
        return row(error=result.error or outcome.error)
    if on_demand is not None:
        on_demand.all_current = False
    book = _gradebook_of(gb)  # outside the try: a gradebook that cannot be opened stops the run
    from autograder.course.gradebook import GradebookError
    try:
        record_result(book, result, penalty, student=roster.get(result.student))
    except (GradebookError, ValueError, OSError) as err:
        return row(error=f"not recorded in the gradebook: {err}", failed=True)
    if on_demand is not None:
        on_demand.stamp(outcome.results_path, results, penalty, result.student)
    return row(error=result.error or outcome.error)


def grade_and_record(gb: AnyGradebook, *, course: Course, assignment: Assignment,
                     roster: Mapping[str, Student], submissions: Sequence[Submission],
                     exercises: Sequence[Exercise], secret: bytes, jobs: int, force: bool,
                     sandbox: str,
                     on_progress: Callable[[GradedRow], None] | None = None,
                     scheduler: str | None = None) -> list[GradedRow]:
    """Grade ``submissions``, ``jobs`` at a time, recording each in ``gb`` as it finishes.

    Results go to ``<course>/autograded/<student>/<assignment>/results.json``;
    ``force`` re-grades hand-ins already graded; ``sandbox`` is ``auto``,
    ``bwrap`` or ``none``. ``scheduler`` (``tcp://HOST:8786``) grades on that Dask
    cluster instead of ``jobs`` local processes; results and the gradebook are
    still written here, one submission at a time. ``on_progress`` is called with each row in
    completion order (a progress bar). Returns one row per submission, in the
    order of ``submissions``. Call :func:`prepare_gradebook` first (a :class:`GradebookOnDemand`
    does it when it opens).
    """
    make_course_private(course.root)  # before any student code runs (trust invariant 6)
    rows: list[GradedRow] = []

    def on_outcome(outcome: BatchOutcome) -> None:
        row = record_outcome(gb, outcome, course=course, assignment=assignment, roster=roster)
        rows.append(row)
        if on_progress is not None:
            on_progress(row)
    grade_class(submissions, assignment=assignment.id, exercise_keys=[e.key for e in exercises],
                secret=secret, out_root=autograded_dir(course), jobs=jobs, force=force,
                sandbox=sandbox, course=course.root, on_outcome=on_outcome, scheduler=scheduler,
                follow_through=assignment.follow_through)
    order = {s.student: n for n, s in enumerate(submissions)}
    return sorted(rows, key=lambda r: order.get(r.student, len(order)))


def count_rows(rows: Iterable[GradedRow]) -> RowCounts:
    """Tally a run's rows by status; ``failed`` counts every row that needs the run repeated."""
    rows = list(rows)
    return RowCounts(graded=sum(r.status == "graded" for r in rows),
                     unchanged=sum(r.status == "skipped" for r in rows),
                     failed=sum(r.failed for r in rows))
