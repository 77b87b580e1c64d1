"""Grading a whole class: one process pool (or a Dask cluster), resumable, idempotent.

Each submission becomes a job of data (:mod:`autograder.grading.job`: the
hand-in's bytes, never its path) graded by :func:`autograder.grading.job.grade_job`
in a pool process or on a Dask worker (:mod:`autograder.grading.executors`), which
starts its own sandboxed worker for the student's code; the result comes back
as data and this process writes its ``results.json`` atomically as soon as it
is done. An interrupted
batch therefore loses nothing: re-running it skips every submission whose
result is already there for the same notebook bytes and grader version, and
``force=True`` re-grades everything (with identical results: grading is
deterministic).
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import autograder
from autograder.grading.executors import Executor, InProcess, LocalPool, in_completion_order
from autograder.grading.job import GradingJob, JobReply, course_sources, grade_job, make_job, remote_sandbox
from autograder.grading.results import SubmissionResult, read_result, write_result
from autograder.grading.submission import notebook_sha256


@dataclass(frozen=True)
class Submission:
    """One student's notebook to grade."""

    student: str
    notebook: Path
    submitted_at: str | None = None
    """ISO 8601 time of submission, when known (for the late policy)."""
    problem: str = ""
    """Why no notebook of the hand-in folder can be graded (``notebook`` is then the folder); empty
    when ``notebook`` is the one to grade."""


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to one submission in a batch."""

    student: str
    status: str
    """``graded``, ``skipped`` (already graded, same bytes) or ``failed`` (the grader itself failed)."""
    results_path: Path
    points: float = 0.0
    max_points: float = 0.0
    error: str = ""


def results_path(out_root: Path, assignment: str, student: str) -> Path:
    """Where a submission's ``results.json`` lives: ``<out_root>/<student>/<assignment>/``."""
    return Path(out_root) / student / assignment / "results.json"


def already_graded(path: Path, notebook: Path) -> SubmissionResult | None:
    """The stored result when it grades these exact notebook bytes with this grader version."""
    if not path.is_file() or not Path(notebook).is_file():
        return None
    try:
        result = read_result(path)
    except ValueError:
        return None
    if result.notebook_sha256 == notebook_sha256(Path(notebook)) and \
            result.grader_version == autograder.__version__:
        return result
    return None


def _outcome(student: str, future: Any, path: Path) -> BatchOutcome:
    """Write a finished job's result (the coordinator is the one writer) and say what happened.

    A reply that is no result, or a future that raised (a lost worker, a broken
    pool), is a grader failure: the previous ``results.json`` stays untouched."""
    try:
        reply: JobReply = future.result()
        if reply.status != "graded" or reply.result is None:
            return BatchOutcome(student, "failed", path, error=reply.error or "the grader sent no result")
        result = SubmissionResult.from_dict(dict(reply.result))
        write_result(result, path)
    except Exception:
        return BatchOutcome(student, "failed", path, error=traceback.format_exc(limit=5))
    return BatchOutcome(student, "graded", path, result.points, result.max_points)


def _executor(jobs: int, pending: int, scheduler: str | None) -> Executor:
    if scheduler:
        from autograder.grading.dask_cluster import DaskCluster
        return DaskCluster(scheduler)
    if jobs == 1 or pending <= 1:
        return InProcess()
    return LocalPool(jobs)


def grade_class(submissions: Sequence[Submission], *, assignment: str, exercise_keys: Sequence[str],
                secret: bytes, out_root: Path, jobs: int = 2, force: bool = False,
                limits: Any = None, sandbox: str = "auto", course: Path | None = None,
                on_outcome: Callable[[BatchOutcome], None] | None = None,
                scheduler: str | None = None, follow_through: bool = True) -> list[BatchOutcome]:
    """Grade every submission, ``jobs`` at a time; returns one outcome per submission.

    ``exercise_keys`` are looked up in the library and, when ``course`` (the
    course folder) is given, in the course's own ``exercises/``: each pool
    process is handed the folder and imports the course's modules itself.

    ``scheduler`` (``tcp://HOST:8786``) grades on that Dask cluster instead of
    the local pool (see :mod:`autograder.grading.dask_cluster`): each job then
    carries the course's exercise sources, not the folder, and asks for the
    sandbox this machine would use (``auto`` with bubblewrap working here asks
    for ``bwrap``, which a worker without it refuses). Either way each job is
    the hand-in's bytes and this process alone writes ``results.json``.

    ``on_outcome`` is called in this process as each submission finishes (a
    progress bar, a gradebook write), in completion order.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    outcomes: list[BatchOutcome] = []

    def done(outcome: BatchOutcome) -> None:
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    shared: dict[str, Any] = dict(assignment=assignment, exercise_keys=tuple(exercise_keys), secret=secret,
                                  limits=limits, sandbox=sandbox, follow_through=follow_through,
                                  course=str(course) if course is not None else None)
    if scheduler:
        shared.update(sandbox=remote_sandbox(sandbox), course=None, course_sources=course_sources(course))
    pending: list[tuple[Submission, Path]] = []
    for submission in submissions:
        path = results_path(out_root, assignment, submission.student)
        stored = None if force or submission.problem else already_graded(path, submission.notebook)
        if stored is not None:
            done(BatchOutcome(submission.student, "skipped", path, stored.points, stored.max_points))
            continue
        pending.append((submission, path))

    def job_of(item: tuple[Submission, Path]) -> GradingJob:
        submission = item[0]
        return make_job(submission.notebook, problem=submission.problem, student=submission.student,
                        submitted_at=submission.submitted_at, **shared)
    with _executor(jobs, len(pending), scheduler) as executor:
        for (submission, path), future in in_completion_order(executor, grade_job, pending, job_of):
            done(_outcome(submission.student, future, path))
    order = {s.student: i for i, s in enumerate(submissions)}
    return sorted(outcomes, key=lambda o: order[o.student])


def find_submissions(submitted_root: Path, assignment: str) -> list[Submission]:
    """nbgrader's layout: ``submitted/<student>/<assignment>/*.ipynb`` (+ ``timestamp.txt``).

    A folder's only notebook is graded whatever its name; of several, the one
    named ``<assignment>.ipynb`` (case-insensitive). When none or more than one
    is so named, the submission carries a ``problem`` naming the files instead
    of a guess (it is graded as an error; the rest of the class is not affected).
    """
    found = []
    for folder in sorted(Path(submitted_root).glob(f"*/{assignment}")):
        notebooks = sorted(folder.glob("*.[iI][pP][yY][nN][bB]"))  # .ipynb in any case, as the name
        if not notebooks:
            continue
        stamp = folder / "timestamp.txt"
        submitted_at = stamp.read_text().strip() if stamp.is_file() else None
        notebook, problem = choose_notebook(notebooks, assignment)
        found.append(Submission(folder.parent.name, notebook or folder, submitted_at, problem))
    return found


def choose_notebook(notebooks: Sequence[Path], assignment: str) -> tuple[Path | None, str]:
    """(the notebook to grade, "") or (None, why none can be chosen) among a hand-in folder's notebooks."""
    if len(notebooks) == 1:
        return notebooks[0], ""
    wanted = f"{assignment}.ipynb"
    named = [n for n in notebooks if n.name.lower() == wanted.lower()]
    if len(named) == 1:
        return named[0], ""
    listing = ", ".join(n.name for n in notebooks)
    which = "none is" if not named else f"{len(named)} are"
    return None, (f"the hand-in holds {len(notebooks)} notebooks ({listing}) and {which} named {wanted}, "
                  f"so none was graded (the grader does not guess); hand in your answers as {wanted} "
                  "only, and collect again")


def summarise(outcomes: Iterable[BatchOutcome]) -> dict[str, int]:
    """How many submissions were graded, skipped and failed."""
    counts = {"graded": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
