"""Graded hand-ins recorded in nbgrader's gradebook, from the runner thread only (one writer).

The gradebook is opened on the first result (on the runner thread, which then
owns it), each assignment is recorded once with the roster, and every result
is written with its late penalty under the course's ``[late_policy]``
(:func:`autograder.course.gradebook.record_result`: one transaction; a re-grade
replaces the scores, manual scores are kept).
"""
from __future__ import annotations

from typing import Any

from autograder.course.config import ROSTER_FILE, Course, read_roster
from autograder.course.gradebook import open_gradebook, record_assignment, record_result, record_students
from autograder.course.late import late_penalty
from autograder.grading.results import SubmissionResult
from autograder.service.store import Attempt


class GradebookWriter:
    """``record`` as the runner's ``on_graded``, ``close`` as its ``on_stop``."""

    def __init__(self, course: Course, db_url: str | None = None) -> None:
        self.course = course
        self.db_url = db_url
        """The gradebook's URL (None: the course's ``gradebook.db``)."""
        self._gradebook: Any = None
        self._prepared: set[str] = set()
        roster_path = course.root / ROSTER_FILE
        self._roster = {s.id: s for s in read_roster(roster_path)} if roster_path.is_file() else {}

    def record(self, attempt: Attempt, data: dict) -> None:
        """Write one graded result (the attempt's student and assignment) to the gradebook."""
        if self._gradebook is None:
            self._gradebook = open_gradebook(self.course, self.db_url)
        gradebook = self._gradebook
        assignment = self.course.assignment(attempt.assignment)
        if assignment.id not in self._prepared:
            record_students(gradebook, self._roster.values())
            record_assignment(gradebook, self.course, assignment)
            self._prepared.add(assignment.id)
        result = SubmissionResult.from_dict(data)
        try:
            penalty = late_penalty(self.course.late_policy, assignment.due, result.submitted_at)
        except ValueError:
            penalty = None
        record_result(gradebook, result, penalty, student=self._roster.get(result.student))

    def close(self) -> None:
        if self._gradebook is not None:
            self._gradebook.close()
            self._gradebook = None
