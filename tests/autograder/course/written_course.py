"""A small course with a written answer, built, released and handed in by the demo helpers.

a1 = the OR-weights exercise (code, 4 points) + the XOR written answer (2 points, graded by hand);
three students handed in by :func:`autograder.course.sample_class.hand_in`: ada01 answers everything
(the model answers), alan02 and grace03 leave the written answer as released (and alan02 the rest too).
"""
from __future__ import annotations

from pathlib import Path

from autograder.course.config import assignment_exercises, load_course, read_roster, resolve_secret
from autograder.course.release import build_assignment, release_assignment
from autograder.course.sample_class import hand_in
from tests.conftest import REPO

COURSE_TOML = """\
[course]
name = "Written-answer course"
id = "w101"
demo_secret = "written-course-demo-secret"

[[assignments]]
id = "a1"
title = "Perceptrons"
due = "2026-02-20T23:59:00+01:00"
exercises = ["or_weights", "xor_written"]
"""
ROSTER = """\
id,first_name,last_name,email,lms_id
ada01,Ada,Lovelace,ada@example.edu,lms-1
alan02,Alan,Turing,alan@example.edu,lms-2
grace03,Grace,Hopper,grace@example.edu,lms-3
"""


def make_written_course(folder: Path) -> Path:
    """Write, build, release and hand in the course in ``folder`` (created); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    config = (REPO / "course" / "nbgrader_config.py").read_text(encoding="utf-8")
    (folder / "nbgrader_config.py").write_text(config.replace('"dl101"', '"w101"'), encoding="utf-8")
    course = load_course(folder)
    a1 = course.assignment("a1")
    exercises = assignment_exercises(a1)
    roster = read_roster(folder / "roster.csv")
    secret = resolve_secret(course)
    build_assignment(course, a1, secret=secret, exercises=exercises)
    released = release_assignment(course, a1, roster, secret=secret, exercises=exercises)
    hand_in(course, a1, released, exercises, secret.value, roster)
    return folder


def grade_cli(folder: Path, *args: str) -> str:
    """Run ``grade --course folder ARGS`` in this process (click's CliRunner); returns its output,
    raising with the output when it fails."""
    from click.testing import CliRunner

    from autograder.cli.main import main
    outcome = CliRunner(env={"COLUMNS": "300"}).invoke(main, ["--course", str(folder), *args])
    if outcome.exit_code != 0:
        raise RuntimeError(f"grade {' '.join(args)} failed ({outcome.exit_code}): {outcome.output}"
                           f"{outcome.exception!r}")
    return outcome.output


def graded_written_course(folder: Path) -> str:
    """:func:`make_written_course` in ``folder``, graded by ``grade autograde a1`` (no OS sandbox: the
    sample answers are trusted code); returns the command's output."""
    make_written_course(folder)
    return grade_cli(folder, "autograde", "a1", "--sandbox", "none")
