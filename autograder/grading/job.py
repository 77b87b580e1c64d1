"""One submission to grade as data: what any grading process, here or on another machine, needs.

A :class:`GradingJob` carries the hand-in's *bytes* (read on the coordinator by
:func:`autograder.grading.handin.read_handin`), never a path only one machine
has; the exercise keys and, for a course with its own ``exercises/``, either the
course folder (a local pool shares the disk) or the modules' sources (a remote
worker gets them with the job); the secret, the limits and the sandbox mode.

:func:`grade_job` runs anywhere the project is installed and returns a
:class:`JobReply` of plain data (the result as :meth:`SubmissionResult.to_dict`);
it writes nothing the coordinator reads: the coordinator alone writes
``results.json`` and the gradebook. It never raises for a hand-in (a bad one is
that student's result); a failure of the grader itself, including a grading
host that cannot give the sandbox the coordinator asked for, is a reply with
``status="failed"`` and a message, never a student's zero.
"""
from __future__ import annotations

import hashlib
import socket
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from autograder.grading.handin import HandinError, read_handin
from autograder.grading.submission import MAX_NOTEBOOK_BYTES

_course_copies: dict[str, Path] = {}
"""Digest of a course's shipped sources -> the private folder this process wrote them to."""


@dataclass(frozen=True)
class GradingJob:
    """One submission to grade, as data."""

    student: str
    assignment: str
    exercise_keys: tuple[str, ...]
    secret: bytes = field(repr=False)
    """Never in a repr: Dask logs a failed task's arguments."""
    notebook_name: str = ""
    """The hand-in's file name (results name the file graded); empty for a ``problem``."""
    notebook_bytes: bytes | None = field(default=None, repr=False)
    """The hand-in's bytes; None when they could not be read (``problem`` says why)."""
    problem: str = ""
    """Why the hand-in cannot be graded (no notebook chosen, or unreadable); empty otherwise."""
    submitted_at: str | None = None
    limits: Any = None
    sandbox: str = "auto"
    """``auto``, ``bwrap`` or ``none``; ``bwrap`` makes a host without bubblewrap refuse the job."""
    course: str | None = None
    """The course folder, when the grading process shares this machine's disk."""
    course_sources: tuple[tuple[str, str], ...] | None = None
    """The course's ``exercises/*.py`` as (file name, source) pairs, for a process on another machine."""
    follow_through: bool = True
    """Follow-through marking (see :func:`autograder.grading.engine.grade_code`)."""


@dataclass(frozen=True)
class JobReply:
    """What a grading process sends back: data only."""

    student: str
    status: str
    """``graded`` (``result`` holds the result) or ``failed`` (the grader failed: ``error`` says why)."""
    result: Mapping[str, Any] | None = None
    error: str = ""


def make_job(notebook: Path, *, problem: str = "", **fields: Any) -> GradingJob:
    """The job of one hand-in: its bytes read here, or the reason they cannot be read as ``problem``."""
    if problem:
        return GradingJob(problem=problem, **fields)
    try:
        data = read_handin(Path(notebook), max_bytes=MAX_NOTEBOOK_BYTES)
    except HandinError as err:
        return GradingJob(notebook_name=Path(notebook).name, problem=str(err), **fields)
    return GradingJob(notebook_name=Path(notebook).name, notebook_bytes=data, **fields)


def course_sources(course: Path | None) -> tuple[tuple[str, str], ...] | None:
    """A course's own exercise modules as (file name, source) pairs; None when it has none."""
    from exercises.course_modules import exercises_folder, module_files

    if course is None:
        return None
    files = module_files(exercises_folder(Path(course)))
    return tuple((path.name, path.read_text(encoding="utf-8")) for path in files) or None


def _course_copy(sources: Sequence[tuple[str, str]]) -> Path:
    """A private course folder (mode 0700) holding ``exercises/`` written from ``sources``, once per process."""
    digest = hashlib.sha256(repr(sorted(sources)).encode()).hexdigest()[:16]
    if digest not in _course_copies:
        root = Path(tempfile.mkdtemp(prefix=f"dlgrade-course-{digest}-"))
        folder = root / "exercises"
        folder.mkdir()
        for name, source in sources:
            if Path(name).name != name or not name.endswith(".py"):
                raise ValueError(f"course module name {name!r} is not a plain file name ending in .py")
            (folder / name).write_text(source, encoding="utf-8")
        _course_copies[digest] = root
    return _course_copies[digest]


def remote_sandbox(sandbox: str) -> str:
    """The sandbox a job sent to another machine asks for: ``bwrap`` when ``sandbox`` is ``bwrap``, or
    ``auto`` and bubblewrap works here (a worker must not grade weaker than this machine would)."""
    from autograder.sandbox.handle import bwrap_problem

    if sandbox == "auto" and bwrap_problem() is None:
        return "bwrap"
    return sandbox


def sandbox_refusal(requested: str) -> str:
    """Why this host cannot grade in the ``requested`` sandbox ("" when it can)."""
    from autograder.sandbox.handle import bwrap_problem

    if requested != "bwrap":
        return ""
    problem = bwrap_problem()
    if problem is None:
        return ""
    return (f"grading host {socket.gethostname()} refused the job: the coordinator asked for the bwrap "
            f"sandbox and {problem} here; install bubblewrap on every grading host (and allow "
            "unprivileged user namespaces), or grade with --sandbox none knowingly")


def _exercises(job: GradingJob) -> list:
    from exercises.model import get_exercises

    course = str(_course_copy(job.course_sources)) if job.course_sources else job.course
    return get_exercises(list(job.exercise_keys), course=course)


def grade_job(job: GradingJob) -> JobReply:
    """Grade one job here and return its result as data (see the module docstring)."""
    from autograder.grading.engine import grade_notebook, not_graded

    refusal = sandbox_refusal(job.sandbox)
    if refusal:
        return JobReply(job.student, "failed", error=refusal)
    try:
        exercises = _exercises(job)
        if job.notebook_bytes is None:
            result = not_graded(job.problem, exercises=exercises, assignment=job.assignment,
                                student=job.student, submitted_at=job.submitted_at,
                                notebook_file=job.notebook_name)
        else:
            with tempfile.TemporaryDirectory(prefix="dlgrade-handin-") as private:  # mode 0700
                notebook = Path(private) / (Path(job.notebook_name).name or "handin.ipynb")
                notebook.write_bytes(job.notebook_bytes)
                result = grade_notebook(notebook, assignment=job.assignment, student=job.student,
                                        exercises=exercises, secret=job.secret, limits=job.limits,
                                        sandbox=job.sandbox, submitted_at=job.submitted_at,
                                        follow_through=job.follow_through)
    except Exception:  # a grader failure: reported, the previous result stays untouched
        return JobReply(job.student, "failed", error=traceback.format_exc(limit=5))
    return JobReply(job.student, "graded", result=result.to_dict())
