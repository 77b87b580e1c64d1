"""Build an assignment's source notebook and release one folder per student.

``build_assignment`` writes ``source/<a>/<a>.ipynb``: the variant of the
pseudo-student ``instructor``, with solutions and hidden tests.

``release_assignment`` writes, per student, ``release/<a>/<student>/<a>.ipynb``:
solutions cleared, hidden tests removed, the student's numbers. Each notebook
works alone: its dlcheck cell carries the numpy-only check library
(exercises/dlcheck.py) and the student's public checks,
{format, assignment, student, exercises: {key: {title, params, checks}}}
(see :func:`autograder.course.notebooks.public_checks`), so nothing needs to sit beside it.

``exercises`` in the public checks is in notebook order; each check holds its
source, points and the recorded reference results it replays. Nothing hidden
reaches the notebook: no hidden check, hint, reference code or solution.

Before anything is written for any student, every student's variant is
verified: the model answer must earn every point and the untouched stub none.
"""
from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from autograder.course.config import Assignment, Course, Secret, Student, assignment_exercises, resolve_secret
from autograder.course.notebooks import INSTRUCTOR, build_notebook, student_version, variant_digest, write_notebook
from exercises.model import Exercise, variant_params
from exercises.verify import verify_variant


class ReleaseError(Exception):
    """The assignment cannot be built or released; the message names the student, exercise and check."""


@dataclass(frozen=True)
class BuiltAssignment:
    """What ``grade build`` wrote."""

    assignment: str
    notebook: Path
    """``source/<a>/<a>.ipynb``."""
    files: tuple[Path, ...]
    """Everything written, the notebook first."""
    exercises: tuple[str, ...]
    """Exercise keys in notebook order."""
    points: float
    """Total points of the assignment."""


@dataclass(frozen=True)
class ReleasedStudent:
    """One student's released folder."""

    student: str
    folder: Path
    notebook: Path
    variant: str
    """A short hash of the student's variants (also in the notebook's metadata)."""


@dataclass(frozen=True)
class Release:
    """What ``grade release`` wrote."""

    assignment: str
    exercises: tuple[str, ...]
    students: tuple[ReleasedStudent, ...]


def _quiet() -> contextlib.AbstractContextManager:
    """Keep what the model answers and stubs print while they are checked off the terminal."""
    return contextlib.redirect_stdout(io.StringIO())


def student_variants(exercises: Sequence[Exercise], secret: bytes, student: str) -> dict[str, dict]:
    """The student's variant of every exercise, by key."""
    return {e.key: variant_params(e, secret, student) for e in exercises}


def verify_students(exercises: Sequence[Exercise], secret: bytes, students: Sequence[str]) -> None:
    """Raise :class:`ReleaseError` unless, for every student, the model answer earns every point
    and the stub none."""
    for student in students:
        with _quiet():
            problems = verify_variant(exercises, student_variants(exercises, secret, student))
        if problems:
            listing = "\n  ".join(problems)
            raise ReleaseError(
                f"refusing to release: on the variant of student {student!r}\n  {listing}\n"
                "fix the exercise module (its model answer must earn every point on every variant "
                "and the untouched stub none), then release again; nothing was written")


def _assignment(course: Course, assignment: Assignment | str) -> Assignment:
    return course.assignment(assignment) if isinstance(assignment, str) else assignment


def build_assignment(course: Course, assignment: Assignment | str, *, secret: Secret | None = None,
                     exercises: Sequence[Exercise] | None = None) -> BuiltAssignment:
    """Write the instructor's source notebook of ``assignment`` (its check cells need nothing beside it).

    ``exercises`` defaults to the assignment's list in course.toml; ``secret``
    to :func:`autograder.course.config.resolve_secret`.
    """
    assignment = _assignment(course, assignment)
    chosen = list(exercises) if exercises is not None else assignment_exercises(assignment)
    secret = secret or resolve_secret(course)
    verify_students(chosen, secret.value, [INSTRUCTOR])
    params = student_variants(chosen, secret.value, INSTRUCTOR)
    notebook = build_notebook(course.name, assignment, chosen, params, student=INSTRUCTOR)
    path = write_notebook(notebook, course.source_dir(assignment.id) / f"{assignment.id}.ipynb")
    return BuiltAssignment(assignment=assignment.id, notebook=path, files=(path,),
                           exercises=tuple(e.key for e in chosen), points=sum(e.points for e in chosen))


def release_assignment(course: Course, assignment: Assignment | str, roster: Sequence[Student], *,
                       secret: Secret | None = None,
                       exercises: Sequence[Exercise] | None = None) -> Release:
    """Write ``release/<a>/<student>/`` for every student of ``roster``, after verifying them all.

    Each folder is replaced as a whole, so nothing stale stays in it.
    """
    assignment = _assignment(course, assignment)
    chosen = list(exercises) if exercises is not None else assignment_exercises(assignment)
    secret = secret or resolve_secret(course)
    if not roster:
        raise ReleaseError(f"the roster is empty: nobody to release {assignment.id} to")
    verify_students(chosen, secret.value, [s.id for s in roster])
    released = []
    for student in roster:
        params = student_variants(chosen, secret.value, student.id)
        source = build_notebook(course.name, assignment, chosen, params, student=student.id)
        notebook = student_version(source, student.id, params)
        folder = course.release_dir(assignment.id) / student.id
        if folder.exists():
            shutil.rmtree(folder)
        path = write_notebook(notebook, folder / f"{assignment.id}.ipynb")
        released.append(ReleasedStudent(student=student.id, folder=folder, notebook=path,
                                        variant=variant_digest(params)))
    return Release(assignment=assignment.id, exercises=tuple(e.key for e in chosen),
                   students=tuple(released))
