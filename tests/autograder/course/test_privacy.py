"""Trust invariant 6: the worker sees nothing of the course, in every mode.

The course folder sits where a grading machine would put it (readable by
others, as a fresh checkout is), and a student's hand-in tries to read each
kind of file a course holds. The files' contents must never come back in the
result. In plain mode the worker's private uid exists only when the grader is
root; as another user only bwrap protects (documented), so that case is skipped.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from autograder.course.privacy import make_course_private
from tests.autograder.cli.test_cli_grading import hand_in, run
from tests.autograder.sandbox.test_sandbox import MODES

SECRETS = {  # a course file -> the text in it that must never reach the student
    "source/a2/a2.ipynb": "SOLUTION-MARKER-1f3a",
    "exports/grades.csv": "GRADES-MARKER-77c2",
    "course.secret": "SECRET-MARKER-90de",
    "submitted/classmate/a2/a2.ipynb": "CLASSMATE-MARKER-4b1e",
    "autograded/classmate/a2/results.json": "RESULTS-MARKER-c0c0",
}
THIEF = """\
import numpy as np
import os

def sigmoid(z):
    stolen = []
    for path in {targets!r}:
        try:
            with open(path, errors="replace") as f:
                stolen.append(f.read())
        except OSError as err:
            stolen.append(type(err).__name__)
    for folder, _dirs, files in os.walk({root!r}):
        for name in files:
            try:
                with open(os.path.join(folder, name), errors="replace") as f:
                    stolen.append(f.read(200))
            except OSError as err:
                stolen.append(type(err).__name__)
    print(" | ".join(stolen))  # a public check's printed output is on the feedback page
    return " | ".join(stolen)
"""


@pytest.fixture
def open_course(tiny_course: Path) -> Iterator[Path]:
    """The tiny course moved to a folder that others may read, as a fresh checkout would be."""
    parent = Path(tempfile.mkdtemp(prefix="dlgrade-open-course-", dir="/tmp"))
    os.chmod(parent, 0o755)
    course = parent / "course"
    shutil.copytree(tiny_course, course)
    for relative, marker in SECRETS.items():
        path = course / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(marker)
    for folder, dirs, files in os.walk(course):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    yield course
    shutil.rmtree(parent)


def test_make_course_private_closes_the_folder_to_others(tmp_path: Path) -> None:
    """Does it take every permission of others off the folder, say so once, and keep the owner's?"""
    folder = tmp_path / "course"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    note = make_course_private(folder)
    assert note and "made it private" in note and str(folder) in note
    assert stat.S_IMODE(folder.stat().st_mode) == 0o770
    assert make_course_private(folder) is None


@pytest.mark.parametrize("mode", MODES)
def test_student_code_reads_nothing_of_the_course(open_course: Path, mode: str) -> None:
    """When a hand-in walks the course folder and opens each file a course holds, does none of
    their contents reach its result, in bwrap mode and in plain mode as root?"""
    if mode == "none" and os.geteuid() != 0:
        pytest.skip("plain mode as an ordinary user runs student code as that user: only bwrap protects")
    targets = [str(open_course / relative) for relative in SECRETS]
    hand_in(open_course, "ada01", THIEF.format(root=str(open_course), targets=targets), "2026-03-06T20:00:00+00:00")
    graded = run(open_course, "autograde", "a2", "--student", "ada01", "--sandbox", mode)
    assert graded.exit_code == 0, graded.output
    result_text = (open_course / "autograded" / "ada01" / "a2" / "results.json").read_text()
    shown = json.dumps(json.loads(result_text))
    for marker in SECRETS.values():
        assert marker not in shown
    assert "PermissionError" in shown or "FileNotFoundError" in shown  # the attempts were made and refused
    assert "made it private" in graded.output
