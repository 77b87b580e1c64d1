"""The instructor's pages of ``grade serve``, behind the admin credential.

``/admin/login/<token>`` trades a token of the admin role (``grade serve
admin-token``) for an admin session cookie, as a student's link does. Then,
per assignment: who handed in (latest attempt, score, time, late), roster
students who did not, flagged hand-ins (a notebook released for another
student), the class report, a "re-grade all" form (CSRF) and a CSV of the
latest scores. Every route answers 403 to anyone but the admin; a student's
token at ``/admin/login/`` signs nobody in. Student-controlled text (ids from
the store, the class report's content) is escaped by Jinja2 or by the
reports' own ``esc``.
"""
from __future__ import annotations

import csv
import hmac
import io
import time
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from autograder.course.config import ROSTER_FILE, read_roster
from autograder.course.late import late_penalty
from autograder.course.config import Assignment
from autograder.service.context import TEMPLATES, Service, find_assignment, with_nav
from autograder.service.identity import SESSION_COOKIE, csrf_token, sign_in, who


def _admin(request: Request, *, cookie_only: bool = False) -> bool:
    caller = who(request)
    return caller is not None and caller[1] == "admin" and (caller[2] == "cookie" or not cookie_only)


def _forbidden(request: Request) -> Response:
    return TEMPLATES.TemplateResponse(request, "message.html", {
        "title": "Instructors only", "message": "Sign in with the admin link (grade serve admin-token)."},
        status_code=403)


async def admin_login(request: Request) -> Response:
    return sign_in(request, role="admin", then="/admin",
                   refused="It is not a valid admin token: make a new one with grade serve admin-token.")


async def dashboard(request: Request) -> Response:
    if not _admin(request):
        return _forbidden(request)
    service: Service = request.app.state.service
    rows = [{"id": a.id, "title": a.title, "due": a.due.isoformat(), "handed_in": len(service.store.latest(a.id))}
            for a in service.course.assignments]
    return TEMPLATES.TemplateResponse(request, "admin.html", {"course": service.course, "assignments": rows,
                                                              "roster": len(_roster(service))})


def _admin_assignment(request: Request, *, cookie_only: bool = False) -> tuple[Service, Assignment] | Response:
    """The service and the path's assignment for the admin; else the 403 or 404 answer."""
    if not _admin(request, cookie_only=cookie_only):
        return _forbidden(request)
    service: Service = request.app.state.service
    assignment = find_assignment(service, request.path_params["assignment"])
    if assignment is None:
        return Response("no such assignment", status_code=404)
    return service, assignment


def _roster(service: Service) -> list[Any]:
    path = service.course.root / ROSTER_FILE
    return read_roster(path) if path.is_file() else []


def _late_text(service: Service, assignment, received: float) -> str:
    moment = datetime.fromtimestamp(received, tz=timezone.utc)
    penalty = late_penalty(service.course.late_policy, assignment.due, moment.isoformat())
    return penalty.reason if penalty.days_late else ""


def latest_rows(service: Service, assignment) -> list[dict[str, Any]]:
    """One row per student who handed ``assignment`` in: their latest attempt, score, time, lateness,
    and for whom the notebook was released when that is someone else (the hand-in is flagged)."""
    from markupsafe import Markup

    from autograder.reports.ci import released_for
    from autograder.reports.escape import html_text

    rows = []
    for attempt in service.store.latest(assignment.id):
        owner = released_for(service.store.folder / attempt.path)
        other = owner if owner is not None and owner != attempt.student else ""
        rows.append({"student": attempt.student, "attempt": attempt.id, "status": attempt.status,
                     "hand_ins": len(service.store.attempts(attempt.student, assignment.id)),
                     "points": attempt.points, "max_points": attempt.max_points,
                     "received": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(attempt.received)),
                     "late": _late_text(service, assignment, attempt.received),
                     "released_for": other,
                     "released_for_html": Markup(html_text(other))})  # the notebook's metadata: the student's text
    return rows


async def assignment_dashboard(request: Request) -> Response:
    found = _admin_assignment(request)
    if isinstance(found, Response):
        return found
    service, assignment = found
    rows = latest_rows(service, assignment)
    handed_in = {row["student"] for row in rows}
    missing = [s for s in _roster(service) if s.id not in handed_in]
    return TEMPLATES.TemplateResponse(request, "admin_assignment.html", {
        "assignment": assignment, "rows": rows, "missing": missing,
        "flagged": [row for row in rows if row["released_for"]],
        "csrf": csrf_token(service.key, request.cookies.get(SESSION_COOKIE, "")),
        "regraded": request.query_params.get("regraded", "")})


async def class_report_page(request: Request) -> Response:
    import json

    from autograder.grading.results import SubmissionResult
    from autograder.reports.class_report import class_report, report_html, roster_ids

    found = _admin_assignment(request)
    if isinstance(found, Response):
        return found
    service, assignment = found
    results = [SubmissionResult.from_dict(json.loads(a.result_json)) for a in service.store.latest(assignment.id)
               if a.status == "graded" and a.result_json]
    report = class_report(results, service.course, assignment.id, roster=roster_ids(service.course))
    return HTMLResponse(with_nav(report_html(report), f"/admin/assignments/{assignment.id}",
                                 f"Back to the hand-ins of {assignment.id}"))


async def scores_csv(request: Request) -> Response:
    found = _admin_assignment(request)
    if isinstance(found, Response):
        return found
    service, assignment = found
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "attempt", "status", "points", "max_points", "received", "late", "released_for"])
    for row in latest_rows(service, assignment):
        writer.writerow([_cell(row[key]) for key in ("student", "attempt", "status", "points", "max_points",
                                                     "received", "late", "released_for")])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{assignment.id}-scores.csv"'})


def _cell(value: Any) -> str:
    """A CSV cell: numbers as the grader writes them, text (``released_for`` is the student's notebook
    metadata) through :func:`autograder.reports.escape.csv_cell`, lone surrogates as ``?``."""
    from autograder.reports.escape import csv_cell

    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return csv_cell(str(value).encode("utf-8", "replace").decode("utf-8"))


async def regrade_all(request: Request) -> Response:
    found = _admin_assignment(request, cookie_only=True)
    if isinstance(found, Response):
        return found
    service, assignment = found
    async with request.form(max_files=0, max_fields=2) as form:
        expected = csrf_token(service.key, request.cookies.get(SESSION_COOKIE, ""))
        if not hmac.compare_digest(str(form.get("csrf", "")), expected):
            return Response("the form has expired: reload the page and try again", status_code=403)
    queued = service.store.requeue([a.id for a in service.store.latest(assignment.id)])
    service.poke()
    return RedirectResponse(f"/admin/assignments/{assignment.id}?regraded={queued}", status_code=303)


ADMIN_ROUTES = [
    Route("/admin/login/{token}", admin_login),
    Route("/admin", dashboard),
    Route("/admin/assignments/{assignment}", assignment_dashboard),
    Route("/admin/assignments/{assignment}/report", class_report_page),
    Route("/admin/assignments/{assignment}/scores.csv", scores_csv),
    Route("/admin/assignments/{assignment}/regrade", regrade_all, methods=["POST"]),
]
