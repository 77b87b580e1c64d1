"""What a caller may see of an attempt (a hand-in): whose it is, and which results show.

Guarantees: :func:`own_attempt` finds an attempt by number in the database and answers it
only to the student who handed it in (or the admin); another student's attempt is None,
as one that does not exist, so routes answer both with the same 404. Before the due date,
with ``hidden_results = "after_due"``, :func:`graded_result` and :func:`attempt_view` give
a student neither the hidden checks nor points that include them.
"""
from __future__ import annotations

import json
import time
from typing import Any

from autograder.course.policy import results_withheld
from autograder.service.context import Service, find_assignment


def withheld(service: Service, assignment_id: str) -> bool:
    """Whether hidden checks' results are withheld from students now (policy ``after_due``, not yet due)."""
    assignment = find_assignment(service, assignment_id)
    return assignment is not None and results_withheld(service.policy, due=assignment.due, now=service.clock())


def graded_result(service: Service, attempt, *, for_student: bool):
    """The attempt's result as the caller may see it: a student before the due date may not see
    hidden checks (``hidden_results = "after_due"``)."""
    from autograder.grading.results import SubmissionResult
    from autograder.service.visibility import visible_result

    result = SubmissionResult.from_dict(json.loads(attempt.result_json))
    return visible_result(result, withheld=for_student and withheld(service, attempt.assignment))


def attempt_view(service: Service, attempt, *, for_student: bool = True) -> dict[str, Any]:
    points, max_points = attempt.points, attempt.max_points
    if attempt.status == "graded" and attempt.result_json and for_student \
            and withheld(service, attempt.assignment):
        shown = graded_result(service, attempt, for_student=True)
        points, max_points = shown.points, shown.max_points
    return {"id": attempt.id, "assignment": attempt.assignment, "status": attempt.status,
            "points": points, "max_points": max_points, "sha256": attempt.sha256,
            "received": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(attempt.received)),
            "feedback_url": f"/attempts/{attempt.id}"}


def own_attempt(service: Service, caller: tuple[str, str, str], raw_id: str):
    """The attempt numbered ``raw_id`` if the caller may see it (their own; any for the admin)."""
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    attempt = service.store.attempt(int(raw_id))
    if attempt is None or (attempt.student != caller[0] and caller[1] != "admin"):
        return None
    return attempt
