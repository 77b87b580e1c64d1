"""The ``grade serve`` web application (Starlette), built by :func:`build_app`.

Who may do what (every route is tested as student A, student B, no one and the admin):

* A student signs in with their personal link ``/login/<token>`` (the token is
  then traded for a signed session cookie: ``HttpOnly``, ``SameSite=Strict``,
  ``Secure`` when served over https) or calls the JSON API with
  ``Authorization: Bearer <token>``. They see only their own assignments,
  notebook, attempts and feedback: every lookup is by the signed-in student's
  id, never by an id taken from the request alone (an attempt of another
  student answers 404, as one that does not exist).
* Forms carry a CSRF token bound to the session (HMAC); the API takes no cookie.
* No path is built from request data: the assignment id must be one of the
  course's, the notebook comes from ``release/<assignment>/<student>/`` of the
  signed-in student, attempts are found by number in the database.
* Uploads are capped while they stream (``MAX_UPLOAD_BYTES``); the queue is
  bounded (``MAX_QUEUED``), a full queue answers 503 with ``Retry-After``.
* The course's ``[serve]`` policy (:mod:`autograder.course.policy`: attempts, cool-down, late
  hand-ins) is checked for the form and the API alike, right before the hand-in is stored (no
  ``await`` in between, so racing requests cannot both pass a limit); a cool-down answers 429
  with ``Retry-After``. Before the due date, with ``hidden_results = "after_due"``, students see
  neither the hidden checks nor points that include them.
* Every page has a Content-Security-Policy without scripts, and
  ``X-Content-Type-Options``, ``X-Frame-Options``, ``Referrer-Policy`` (the link
  holds a token: it is never sent on).
* Student-controlled text is escaped by Jinja2's autoescape; feedback pages are
  the very pages ``grade feedback`` writes.
* With ``[serve] submit_cell = true`` the downloaded notebook ends with a locked
  cell that hands it in through the API (:func:`autograder.course.notebooks.submit_cell`):
  it holds the caller's token only when they downloaded with it (Bearer), else
  it asks; the service's address is the request's (behind a proxy: its headers).
"""
from __future__ import annotations

import base64
import os
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from autograder.course.config import Course
from autograder.course.policy import Refusal, ServePolicy, hand_in_refusal, results_withheld
from autograder.service.store import Store

MAX_UPLOAD_BYTES = 8 * 1024**2
MAX_QUEUED = 500
SESSION_COOKIE = "dlgrade_session"
SESSION_SECONDS = 12 * 3600
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


class TooLarge(Exception):
    """The request body is over the cap."""


@dataclass(frozen=True)
class Service:
    """What the routes need: the course, the store, the session key and how to wake the grader."""

    course: Course
    store: Store
    key: bytes
    """Signs session cookies and CSRF tokens (kept in the service folder, mode 0600)."""
    poke: Callable[[], None]
    released_notebook: Callable[[str, str], Path]
    """(assignment, student) -> the student's released notebook."""
    policy: ServePolicy = field(default_factory=ServePolicy)
    """course.toml's ``[serve]``: attempts, cool-down, late hand-ins, when hidden results show."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch (tests move it)."""


# --------------------------------------------------------------------------- identity

def _sign(key: bytes, text: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def session_cookie(key: bytes, student: str, role: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_SECONDS)
    body = base64.urlsafe_b64encode(json.dumps([student, role, expires]).encode()).decode().rstrip("=")
    return f"{body}.{_sign(key, body)}"


def read_session(key: bytes, cookie: str | None) -> tuple[str, str] | None:
    if not cookie or cookie.count(".") != 1 or len(cookie) > 1000:
        return None
    body, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(key, body)):
        return None
    try:
        student, role, expires = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(student, str) or not isinstance(role, str) or not isinstance(expires, int):
        return None
    return (student, role) if expires > time.time() else None


def csrf_token(key: bytes, cookie: str) -> str:
    return _sign(key, "csrf:" + cookie)


def who(request: Request) -> tuple[str, str, str] | None:
    """(student, role, how) of the caller: a Bearer token (API) or the session cookie (pages)."""
    service: Service = request.app.state.service
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = service.store.who(header[7:].strip())
        return (found[0], found[1], "bearer") if found else None
    found = read_session(service.key, request.cookies.get(SESSION_COOKIE))
    return (found[0], found[1], "cookie") if found else None


# --------------------------------------------------------------------------- helpers

async def read_capped(request: Request, cap: int = MAX_UPLOAD_BYTES) -> bytes:
    """The request body, refused as soon as it passes ``cap`` bytes (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _assignment(service: Service, assignment_id: str):
    for assignment in service.course.assignments:
        if assignment.id == assignment_id:
            return assignment
    return None


def _withheld(service: Service, assignment_id: str) -> bool:
    """Whether hidden checks' results are withheld from students now (policy ``after_due``, not yet due)."""
    assignment = _assignment(service, assignment_id)
    return assignment is not None and results_withheld(service.policy, due=assignment.due, now=service.clock())


def _graded_result(service: Service, attempt, *, for_student: bool):
    """The attempt's result as the caller may see it: a student before the due date may not see
    hidden checks (``hidden_results = "after_due"``)."""
    from autograder.grading.results import SubmissionResult
    from autograder.service.visibility import visible_result

    result = SubmissionResult.from_dict(json.loads(attempt.result_json))
    return visible_result(result, withheld=for_student and _withheld(service, attempt.assignment))


def _attempt_view(service: Service, attempt, *, for_student: bool = True) -> dict[str, Any]:
    points, max_points = attempt.points, attempt.max_points
    if attempt.status == "graded" and attempt.result_json and for_student \
            and _withheld(service, attempt.assignment):
        shown = _graded_result(service, attempt, for_student=True)
        points, max_points = shown.points, shown.max_points
    return {"id": attempt.id, "assignment": attempt.assignment, "status": attempt.status,
            "points": points, "max_points": max_points, "sha256": attempt.sha256,
            "received": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(attempt.received)),
            "feedback_url": f"/attempts/{attempt.id}"}


def with_nav(page: str, href: str, text: str) -> str:
    """A page made by ``reports`` (feedback, class report) with a link back into the service on top."""
    from markupsafe import escape

    return page.replace("<body>\n", f'<body>\n<nav><a href="{escape(href)}">{escape(text)}</a></nav>\n', 1)


def _refusal(service: Service, student: str, assignment) -> Refusal | None:
    """Why ``student`` may not hand in ``assignment`` now under the course's ``[serve]`` policy, or None."""
    earlier = [a.received for a in service.store.attempts(student, assignment.id)]
    return hand_in_refusal(service.policy, due=assignment.due, earlier=earlier, now=service.clock())


def _retry_headers(refusal: Refusal) -> dict[str, str]:
    return {"Retry-After": str(refusal.retry_after)} if refusal.retry_after is not None else {}


def _queue_full(service: Service) -> Response | None:
    if service.store.count("queued") >= MAX_QUEUED:
        return JSONResponse({"error": "the grading queue is full: try again in a minute"}, status_code=503,
                            headers={"Retry-After": "60"})
    return None


def _accept(service: Service, student: str, assignment_id: str, data: bytes):
    attempt = service.store.add_attempt(student, assignment_id, data, received=service.clock())
    service.poke()
    return attempt


# --------------------------------------------------------------------------- pages

def sign_in(request: Request, *, role: str | None, then: str, refused: str) -> Response:
    """Trade the link's token (of ``role``, or any role) for a session cookie and go to ``then``;
    a wrong, expired, revoked or other-role token gets 403 with ``refused``."""
    service: Service = request.app.state.service
    found = service.store.who(request.path_params["token"])
    if found is None or (role is not None and found[1] != role):
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "This link does not work", "message": refused}, status_code=403)
    response = RedirectResponse(then, status_code=303)
    response.set_cookie(SESSION_COOKIE, session_cookie(service.key, *found), max_age=SESSION_SECONDS,
                        httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


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
                     "attempts": len(attempts), "last": _attempt_view(service, graded[-1]) if graded else None})
    return TEMPLATES.TemplateResponse(request, "index.html", {"course": service.course, "student": student,
                                                              "assignments": rows})


async def assignment_page(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = _assignment(service, request.path_params["assignment"])
    if caller is None:
        return RedirectResponse("/", status_code=303)
    if assignment is None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "No such assignment", "message": "Go back to your assignments."}, status_code=404)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    attempts = [_attempt_view(service, a) for a in service.store.attempts(caller[0], assignment.id)]
    refusal = _refusal(service, caller[0], assignment)
    return TEMPLATES.TemplateResponse(request, "assignment.html", {
        "assignment": assignment, "student": caller[0], "attempts": list(reversed(attempts)),
        "csrf": csrf_token(service.key, cookie), "max_mib": MAX_UPLOAD_BYTES // 1024**2,
        "refusal": refusal, "policy": service.policy})


async def upload(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = _assignment(service, request.path_params["assignment"])
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
    refusal = _refusal(service, caller[0], assignment)
    if refusal is not None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "Not handed in", "message": refusal.message[0].upper() + refusal.message[1:] + "."},
            status_code=refusal.status, headers=_retry_headers(refusal))
    full = _queue_full(service)
    if full is not None:
        return full
    attempt = _accept(service, caller[0], assignment.id, data)
    return RedirectResponse(f"/attempts/{attempt.id}", status_code=303)


async def attempt_page(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return RedirectResponse("/", status_code=303)
    attempt = _own_attempt(service, caller, request.path_params["attempt"])
    if attempt is None:
        return TEMPLATES.TemplateResponse(request, "message.html", {
            "title": "No such hand-in", "message": "Go back to your assignments."}, status_code=404)
    if attempt.status == "graded" and attempt.result_json:
        from autograder.grading.results import SubmissionResult
        from autograder.reports.feedback import feedback_page
        from autograder.service.visibility import withheld_notice

        for_student = caller[1] != "admin"
        result = _graded_result(service, attempt, for_student=for_student)
        notice = ""
        if for_student and _withheld(service, attempt.assignment):
            full = SubmissionResult.from_dict(json.loads(attempt.result_json))
            notice = withheld_notice(full, _assignment(service, attempt.assignment).due.isoformat())
        page = feedback_page(result, service.course, notice=notice)
        return HTMLResponse(with_nav(page, f"/assignments/{attempt.assignment}",
                                     f"Back to {attempt.assignment}: hand in again, see your hand-ins"))
    return TEMPLATES.TemplateResponse(request, "attempt.html", {"attempt": _attempt_view(service, attempt)})


def _own_attempt(service: Service, caller: tuple[str, str, str], raw_id: str):
    """The attempt numbered ``raw_id`` if the caller may see it (their own; any for the admin)."""
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    attempt = service.store.attempt(int(raw_id))
    if attempt is None or (attempt.student != caller[0] and caller[1] != "admin"):
        return None
    return attempt


# --------------------------------------------------------------------------- JSON API

async def api_assignments(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return JSONResponse({"error": "sign in: Authorization: Bearer <token>"}, status_code=401)
    return JSONResponse([{"id": a.id, "title": a.title, "due": a.due.isoformat(),
                          "attempts": [_attempt_view(service, x) for x in service.store.attempts(caller[0], a.id)]}
                         for a in service.course.assignments])


async def notebook(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = _assignment(service, request.path_params["assignment"])
    if caller is None:
        return JSONResponse({"error": "sign in first"}, status_code=401)
    if assignment is None:
        return JSONResponse({"error": "no such assignment"}, status_code=404)
    path = service.released_notebook(assignment.id, caller[0])
    if not path.is_file():
        return JSONResponse({"error": f"{assignment.id} has not been released to you yet"}, status_code=404)
    data = path.read_bytes()
    if service.policy.submit_cell:
        from autograder.course.notebooks import with_submit_cell

        # The token of the caller's link when they came with it (the API); else the cell asks for it.
        token = request.headers["authorization"][7:].strip() if caller[2] == "bearer" else ""
        data = with_submit_cell(data, assignment.id, str(request.base_url), token)
    return Response(data, media_type="application/x-ipynb+json", headers={
        "Content-Disposition": f'attachment; filename="{assignment.id}.ipynb"'})


async def api_submit(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = _assignment(service, request.path_params["assignment"])
    if caller is None or caller[2] != "bearer":
        return JSONResponse({"error": "use Authorization: Bearer <token>"}, status_code=401)
    if assignment is None:
        return JSONResponse({"error": "no such assignment"}, status_code=404)
    refusal = _refusal(service, caller[0], assignment)
    if refusal is None:
        full = _queue_full(service)
        if full is not None:
            return full
        try:
            data = await read_capped(request)
        except TooLarge:
            return JSONResponse({"error": f"the notebook is over {MAX_UPLOAD_BYTES // 1024**2} MiB"},
                                status_code=413)
        # checked again with no await before the store: two requests racing cannot both pass the limit
        refusal = _refusal(service, caller[0], assignment)
    if refusal is not None:
        return JSONResponse({"error": refusal.message, "retry_after": refusal.retry_after},
                            status_code=refusal.status, headers=_retry_headers(refusal))
    attempt = _accept(service, caller[0], assignment.id, data)
    return JSONResponse({"id": attempt.id, "status": attempt.status}, status_code=202)


async def api_submission(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return JSONResponse({"error": "sign in first"}, status_code=401)
    attempt = _own_attempt(service, caller, request.path_params["attempt"])
    if attempt is None:
        return JSONResponse({"error": "no such submission"}, status_code=404)
    view = _attempt_view(service, attempt, for_student=caller[1] != "admin")
    return JSONResponse({key: view[key] for key in ("id", "status", "points", "max_points", "feedback_url")})


# --------------------------------------------------------------------------- the app

class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


ROUTES = [
    Route("/", index),
    Route("/login/{token}", login),
    Route("/assignments/{assignment}", assignment_page),
    Route("/assignments/{assignment}/notebook", notebook),
    Route("/assignments/{assignment}/submissions", upload, methods=["POST"]),
    Route("/attempts/{attempt}", attempt_page),
    Route("/api/assignments", api_assignments),
    Route("/api/assignments/{assignment}/notebook", notebook),
    Route("/api/assignments/{assignment}/submissions", api_submit, methods=["POST"]),
    Route("/api/submissions/{attempt}", api_submission),
]


def service_key(folder: Path) -> bytes:
    """The key that signs sessions and CSRF tokens: made once, kept private in the service folder."""
    path = Path(folder) / "session.key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    return path.read_bytes()


def build_app(service: Service) -> Starlette:
    from autograder.service.admin import ADMIN_ROUTES

    app = Starlette(routes=ROUTES + ADMIN_ROUTES, middleware=[Middleware(SecurityHeaders)],
                    max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
    app.state.service = service
    return app
