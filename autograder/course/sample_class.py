"""The demo class: sample submissions for the bundled course's roster.

``grade demo`` releases every assignment to the sample roster and then hands
in, for each student, a notebook written the way a kind of student would: a
correct one, partial ones, one with common mistakes left as stubs, a hostile
one (an endless loop, numpy patched, check cells edited), a late one and a
broken file. The quizzes get right answers from the correct students and
classic wrong ones (a catalogued wrong number, a distractor) from a partial one.
The grader then has to sort them out exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence

import nbformat

from autograder.course.config import Assignment, Course, Student
from autograder.course.release import Release, student_variants
from autograder.course.sample_answers import Profile, answered
from exercises.model import Exercise

TAMPERING = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
             "np.testing.assert_allclose = lambda *a, **k: None\n"
             "import os\nprint(os.environ.get('DLGRADE_SECRET', 'no secret here'))")


@dataclass(frozen=True)
class SampleSubmission:
    """One handed-in sample notebook."""

    student: str
    profile: str
    notebook: Path
    submitted_at: datetime


def profile_for(index: int, keys: Sequence[str]) -> Profile:
    """The kind of student at roster position ``index`` (the same kinds in every assignment)."""
    half = frozenset(keys[len(keys) // 2:])
    kinds = [
        Profile("correct"),
        Profile("partial: second half unfinished", stubbed=half),
        Profile("partial: last exercise unfinished, classic quiz mistakes", stubbed=frozenset(keys[-1:]),
                quiz_mistakes=True),
        Profile("hostile: endless loop, numpy patched, checks edited", looping=frozenset(keys[:1]),
                stubbed=frozenset(keys[1:]), prelude=TAMPERING, edit_check_cells=True),
        Profile("correct, handed in late"),
        Profile("broken notebook file"),
        Profile("nothing done", stubbed=frozenset(keys)),
    ]
    return kinds[index % len(kinds)]


def hand_in(course: Course, assignment: Assignment, release: Release, exercises: Sequence[Exercise],
            secret: bytes, roster: Sequence[Student]) -> list[SampleSubmission]:
    """Write ``submitted/<student>/<assignment>/`` for every released student, as nbgrader lays it out."""
    keys = [e.key for e in exercises]
    by_student = {r.student: r for r in release.students}
    written = []
    for index, student in enumerate(roster):
        released = by_student[student.id]
        profile = profile_for(index, keys)
        folder = course.root / "submitted" / student.id / assignment.id
        folder.mkdir(parents=True, exist_ok=True)
        notebook = folder / f"{assignment.id}.ipynb"
        if profile.name == "broken notebook file":
            notebook.write_text('{"cells": [ {"cell_type": "code", "source": "def sigm')  # cut off mid-save
        else:
            params = student_variants(exercises, secret, student.id)
            nbformat.write(answered(nbformat.read(released.notebook, as_version=4), exercises, params,
                                    profile), notebook)
        late = timedelta(days=2, hours=3) if "late" in profile.name else -timedelta(hours=5)
        submitted_at = assignment.due + late
        (folder / "timestamp.txt").write_text(submitted_at.isoformat() + "\n")
        written.append(SampleSubmission(student.id, profile.name, notebook, submitted_at))
    return written
