"""dlcheck: the small, numpy-only check library shared by the grader and the students.

The same file is imported by the grader (as ``exercises.dlcheck``) and copied
into every released student folder (as ``dlcheck``), so it may import nothing
but numpy and the standard library.
"""
from __future__ import annotations


class StudentError(Exception):
    """The student's code could not produce a value (base class)."""


class StudentRaised(StudentError):
    """The student's function raised an exception.

    Attributes: ``type_name`` (e.g. "ZeroDivisionError"), ``message`` and
    ``traceback`` (a short, student-only excerpt).
    """

    def __init__(self, type_name: str, message: str, traceback: str = "") -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.traceback = traceback


class MissingName(StudentError):
    """The notebook does not define the function or variable a check needs."""

    def __init__(self, name: str) -> None:
        super().__init__(f"`{name}` is not defined: run the cell that defines it, and keep its name")
        self.name = name


class StudentTimeout(StudentError):
    """A call into the student's code ran longer than its time limit."""


class WorkerCrashed(StudentError):
    """The process running the student's code died (crash, exit, memory limit)."""


class BudgetExhausted(StudentError):
    """The submission used up its total time budget; remaining calls are not run."""
