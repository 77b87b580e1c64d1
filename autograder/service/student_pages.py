"""The student's HTML pages of ``grade serve``: sign-in link, assignments, upload form, feedback.

    GET  /login/{token}                          login            the personal link -> session cookie
    GET  /                                       index            the signed-in student's assignments
    GET  /assignments/{assignment}               assignment_page  hand-in form and the student's attempts
    POST /assignments/{assignment}/submissions   upload           the form's hand-in (cookie + CSRF)
    GET  /attempts/{attempt}                     attempt_page     one attempt: its feedback once graded

Guarantees: every lookup is by the signed-in student's id (an attempt of another student
answers 404, as one that does not exist); the upload takes a session cookie only, with a
CSRF token bound to it, one file of at most ``MAX_UPLOAD_BYTES``; the ``[serve]`` policy is
checked right before the hand-in is stored; feedback pages are the very pages ``grade
feedback`` writes, without hidden checks while they are withheld.
"""
from __future__ import annotations

import hmac
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from autograder.service.attempt_views import attempt_view, graded_result, own_attempt, withheld
from autograder.service.context import MAX_UPLOAD_BYTES, TEMPLATES, Service, find_assignment, with_nav
from autograder.service.handins import accept, hand_in_refusal_now, queue_full, retry_headers
from autograder.service.identity import SESSION_COOKIE, csrf_token, sign_in, who


async def login(request: Request) -> Response:
    return sign_in(request, role=None, then="/",
                   refused="The link is wrong, expired or revoked: ask your instructor for a new one.")


async def index(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": service.course.name, "message": "Open the personal link your instructor sent you."})
    student = caller[0]
    rows = []
    for assignment in service.course.assignments:
        attempts = service.store.attempts(student, assignment.id)
        graded = [a for a in attempts if a.status == "graded"]
        rows.append({"id": assignment.id, "title": assignment.title, "due": assignment.due.isoformat(),
                     "attempts": len(attempts), "last": attempt_view(service, graded[-1]) if graded else None})
    return TEMPLATES.TemplateResponse(request, "index.html", {"course": service.course, "student": student,
                                                              "assignments": rows})


async def assignment_page(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = find_assignment(service, request.path_params["assignment"])
    if caller is None:
        return RedirectResponse("/", status_code=303)
    if assignment is None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "No such assignment", "message": "Go back to your assignments."}, status_code=404)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    attempts = [attempt_view(service, a) for a in service.store.attempts(caller[0], assignment.id)]
    refusal = hand_in_refusal_now(service, caller[0], assignment)
    return TEMPLATES.TemplateResponse(request, "assignment.html", {
        "assignment": assignment, "student": caller[0], "attempts": list(reversed(attempts)),
        "csrf": csrf_token(service.key, cookie), "max_mib": MAX_UPLOAD_BYTES // 1024**2,
        "refusal": refusal, "policy": service.policy})


async def upload(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = find_assignment(service, request.path_params["assignment"])
    if caller is None or caller[2] != "cookie":
        return Response("sign in with your link first", status_code=403)
    if assignment is None:
        return Response("no such assignment", status_code=404)
    try:
        async with request.form(max_files=1, max_fields=3, max_part_size=MAX_UPLOAD_BYTES) as form:
            expected = csrf_token(service.key, request.cookies.get(SESSION_COOKIE, ""))
            if not hmac.compare_digest(str(form.get("csrf", "")), expected):
                return Response("the form has expired: reload the page and hand in again", status_code=403)
            upload_file = form.get("notebook")
            if upload_file is None or isinstance(upload_file, str):
                return Response("choose your notebook file first", status_code=400)
            data = await upload_file.read(MAX_UPLOAD_BYTES + 1)
    except Exception as err:  # malformed multipart, a part over the cap
        return Response(f"the upload could not be read ({type(err).__name__}): at most "
                        f"{MAX_UPLOAD_BYTES // 1024**2} MiB, one .ipynb file", status_code=400)
    if len(data) > MAX_UPLOAD_BYTES:
        return Response("the notebook is too large", status_code=413)
    refusal = hand_in_refusal_now(service, caller[0], assignment)
    if refusal is not None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "Not handed in", "message": refusal.message[0].upper() + refusal.message[1:] + "."},
            status_code=refusal.status, headers=retry_headers(refusal))
    full = queue_full(service)
    if full is not None:
        return full
    attempt = accept(service, caller[0], assignment.id, data)
    return RedirectResponse(f"/attempts/{attempt.id}", status_code=303)


async def attempt_page(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return RedirectResponse("/", status_code=303)
    attempt = own_attempt(service, caller, request.path_params["attempt"])
    if attempt is None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "No such hand-in", "message": "Go back to your assignments."}, status_code=404)
    if attempt.status == "graded" and attempt.result_json:
        from autograder.grading.results import SubmissionResult
        from autograder.reports.feedback import feedback_page
        from autograder.service.visibility import withheld_notice

        for_student = caller[1] != "admin"
        result = graded_result(service, attempt, for_student=for_student)
        notice = ""
        if for_student and withheld(service, attempt.assignment):
            full = SubmissionResult.from_dict(json.loads(attempt.result_json))
            notice = withheld_notice(full, find_assignment(service, attempt.assignment).due.isoformat())
        page = feedback_page(result, service.course, notice=notice)
        return HTMLResponse(with_nav(page, f"/assignments/{attempt.assignment}",
                                     f"Back to {attempt.assignment}: hand in again, see your hand-ins"))
    return TEMPLATES.TemplateResponse(request, "attempt.html", {"attempt": attempt_view(service, attempt)})
