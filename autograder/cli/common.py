"""What every ``grade`` command shares: the group's state, and turning library errors into
click errors that say what to do.

The command modules (:mod:`autograder.cli.main`, :mod:`autograder.cli.grading`,
:mod:`autograder.cli.reports`) import from here, never from each other.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from autograder.course.config import (DEMO_SECRET_WARNING, Assignment, Course, CourseError, Secret, find_course,
                               load_course, resolve_secret)


class CliState:
    """What the group's options say; the course is loaded only by the commands that need it."""

    def __init__(self, course_path: Path | None) -> None:
        self.course_path = course_path

    def course(self) -> Course:
        try:
            return load_course(find_course(self.course_path))
        except CourseError as err:
            raise click.ClickException(str(err)) from None


def course_from(obj: Any) -> Course:
    """The course from the group's context object (a :class:`CliState` or a Course), else found
    from the current folder upwards."""
    if isinstance(obj, Course):
        return obj
    if callable(getattr(obj, "course", None)):
        return obj.course()
    try:
        return load_course(find_course(None))
    except CourseError as err:
        raise click.ClickException(str(err)) from None


def assignment_of(course: Course, assignment: str) -> Assignment:
    """The course's assignment ``assignment``, or a usage error listing the known ones."""
    try:
        return course.assignment(assignment)
    except CourseError as err:
        raise click.BadParameter(str(err), param_hint="ASSIGNMENT") from None


def secret_of(course: Course) -> Secret:
    """The course secret; warns on stderr when it is the published demo secret."""
    try:
        secret = resolve_secret(course)
    except CourseError as err:
        raise click.ClickException(str(err)) from None
    if secret.is_demo:
        click.secho(DEMO_SECRET_WARNING, fg="yellow", err=True)
    return secret


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is inside it (symlinks resolved if needed), else as is."""
    for inner, outer in ((Path(path), Path(root)), (Path(path).resolve(), Path(root).resolve())):
        try:
            return str(inner.relative_to(outer))
        except ValueError:
            continue
    return str(path)


def count(number: int, noun: str) -> str:
    """``1 student``, ``2 students``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")
