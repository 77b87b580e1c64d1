"""Grades as CSV: nbgrader's export columns plus the LMS id, late penalties per course.toml.

One row per assignment and student of the gradebook, as ``nbgrader export``
writes them (a student without a submission gets zeros and an empty
timestamp), with ``lms_id`` added at the end:

==========================  ===================================================
column                      value
==========================  ===================================================
assignment                  the assignment id
duedate                     the deadline, UTC (``2026-03-06 22:59:00``, as nbgrader)
timestamp                   the hand-in time, UTC (empty: no submission)
student_id, last_name,      from the gradebook (the roster, as recorded)
first_name, email
raw_score                   points before the late penalty (manual scores count)
late_submission_penalty     points taken off: fraction × raw_score, fraction
                            from course.toml's [late_policy] (:mod:`autograder.course.late`)
score                       max(0, raw_score − late_submission_penalty)
max_score                   points the assignment is worth
lms_id                      the roster's lms_id (else the gradebook's lms_user_id)
released_for                the student the graded notebook was released for, when
                            that is another student (from ``autograded/.../results.json``;
                            empty otherwise)
needs_grading               points of written answers no grader has scored yet
                            (in max_score, not in raw_score: "needs grading",
                            not 0); empty when every answer is scored
comments                    the graders' comments (formgrader), each as
                            ``<cell>: <comment>``, joined by `` | ``
==========================  ===================================================

A grader's manual score (formgrader) replaces the auto score of its grade cell in
``raw_score``, as in ``nbgrader export``.

.. math:: score = \\max(0,\\ raw - fraction(t, due) \\cdot raw)

The penalty is recomputed from course.toml at export time, so a changed policy
or deadline applies without re-grading; assignments the gradebook holds but
course.toml no longer lists keep the penalty stored in the gradebook.

Text cells (ids, names, email, lms_id, assignment) go through
:func:`autograder.reports.escape.csv_cell`: one that begins with ``=``, ``+``,
``-``, ``@``, tab or CR gets a leading ``'`` so a spreadsheet shows it as text
(a roster name ``=HYPERLINK(...)`` stays a name). Numbers and times are
written by the grader and left as they are. Rows end in CRLF (RFC 4180): the
``csv`` writer quotes only the characters of its line terminator, so with a
bare LF a CR inside a name would have split its row in two.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry

from autograder.course.config import ROSTER_FILE, Course, CourseError, Student, read_roster
from autograder.course.autograde import AUTOGRADED_DIR
from autograder.course.late import late_penalty
from autograder.grading.batch import results_path
from autograder.grading.results import read_result
from autograder.reports.escape import csv_cell

NBGRADER_COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                    "email", "raw_score", "late_submission_penalty", "score", "max_score")
COLUMNS = NBGRADER_COLUMNS + ("lms_id", "released_for", "needs_grading", "comments")


def _utc_text(moment: datetime | None) -> str:
    """nbgrader's form: naive UTC printed by ``str``."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return str(moment)


def _number(value: float) -> str:
    return str(float(round(value, 6)))


def _roster(course: Course) -> dict[str, Student]:
    path = Path(course.root) / ROSTER_FILE
    if not path.is_file():
        return {}
    try:
        return {s.id: s for s in read_roster(path)}
    except CourseError:
        return {}


def _released_for(course: Course, assignment: str, student: str) -> str:
    """Whom the student's graded notebook was released for, when another student; else empty."""
    path = results_path(Path(course.root) / AUTOGRADED_DIR, assignment, student)
    try:
        result = read_result(path) if path.is_file() else None
    except ValueError:
        return ""
    return result.released_for if result is not None and result.foreign else ""


def _needs_grading(submission: Any) -> str:
    """The points of a submission's grade cells with neither an auto nor a manual score, or ``""``."""
    pending = sum(grade.max_score for notebook in submission.notebooks for grade in notebook.grades
                  if grade.auto_score is None and grade.manual_score is None)
    return _number(pending) if pending else ""


def _comments(submission: Any) -> str:
    """The graders' comments on a submission, ``<cell>: <comment>`` in cell order, joined by `` | ``."""
    return " | ".join(f"{comment.name}: {comment.manual_comment}" for notebook in submission.notebooks
                      for comment in sorted(notebook.comments, key=lambda c: c.name) if comment.manual_comment)


def export_rows(course: Course, gb: Gradebook) -> list[dict[str, str]]:
    """The export as one dict per row (keys :data:`COLUMNS`), in course.toml's assignment order."""
    roster = _roster(course)
    planned = {a.id: (n, a) for n, a in enumerate(course.assignments)}
    assignments = sorted(gb.assignments, key=lambda a: (planned.get(a.name, (len(planned), None))[0], a.name))
    students = sorted(gb.students, key=lambda s: (s.last_name or "", s.first_name or "", s.id))
    rows = []
    for assignment in assignments:
        course_assignment = planned.get(assignment.name, (0, None))[1]
        due = course_assignment.due if course_assignment else assignment.duedate
        for student in students:
            row: dict[str, Any] = {
                "assignment": csv_cell(assignment.name), "duedate": _utc_text(due),
                "student_id": csv_cell(student.id), "last_name": csv_cell(student.last_name or ""),
                "first_name": csv_cell(student.first_name or ""), "email": csv_cell(student.email or ""),
                "max_score": _number(assignment.max_score),
                "lms_id": csv_cell(roster[student.id].lms_id if student.id in roster
                                   else (student.lms_user_id or "")),
                "released_for": csv_cell(_released_for(course, assignment.name, student.id)),
                "needs_grading": "", "comments": "",
            }
            try:
                submission = gb.find_submission(assignment.name, student.id)
            except MissingEntry:
                row.update(timestamp="", raw_score=_number(0), late_submission_penalty=_number(0),
                           score=_number(0))
                rows.append(row)
                continue
            raw = float(submission.score or 0.0)
            if course_assignment is not None:
                stamp = submission.timestamp.replace(tzinfo=timezone.utc) if submission.timestamp else None
                penalty = late_penalty(course.late_policy, course_assignment.due, stamp).points(raw)
            else:
                penalty = float(submission.late_submission_penalty or 0.0)
            row.update(timestamp=_utc_text(submission.timestamp), raw_score=_number(raw),
                       late_submission_penalty=_number(penalty), score=_number(max(0.0, raw - penalty)),
                       needs_grading=_needs_grading(submission), comments=csv_cell(_comments(submission)))
            rows.append(row)
    gb.db.rollback()  # end the read transaction
    return rows


def export_grades(course: Course, gb: Gradebook) -> str:
    """The CSV text: header :data:`COLUMNS`, then :func:`export_rows`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")  # RFC 4180: see the module doc
    writer.writeheader()
    writer.writerows(export_rows(course, gb))
    return out.getvalue()
