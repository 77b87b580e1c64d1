"""The ``grade serve`` web application (Starlette), built by :func:`build_app`: routes and headers.

This module holds the route table (every URL in one list), the security-headers
middleware and the factory; the endpoints live beside it, one module per audience:

    student_pages  the student's HTML pages: /login/<token>, /, /assignments/..., /attempts/...
    api            the JSON API (/api/...) and the notebook download
    admin          the instructor's pages (/admin/...)
    identity       who the caller is: tokens, signed session cookies, CSRF tokens, the key
    handins        taking a hand-in in: upload cap, [serve] policy, bounded queue, store
    attempt_views  what a caller may see of an attempt (own only; hidden results withheld)
    context        what they share: the Service, the templates, the upload cap, course lookups

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

from typing import Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from autograder.service.api import api_assignments, api_submission, api_submit, notebook
from autograder.service.context import MAX_UPLOAD_BYTES, TEMPLATES, Service, with_nav
from autograder.service.identity import SESSION_COOKIE, csrf_token, service_key, sign_in, who
from autograder.service.student_pages import assignment_page, attempt_page, index, login, upload

__all__ = ["MAX_UPLOAD_BYTES", "ROUTES", "SECURITY_HEADERS", "SESSION_COOKIE", "SecurityHeaders", "Service",
           "TEMPLATES", "build_app", "csrf_token", "service_key", "sign_in", "who", "with_nav"]
"""Names imported from here before the endpoints moved to their own modules stay importable from here."""

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


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


def build_app(service: Service) -> Starlette:
    from autograder.service.admin import ADMIN_ROUTES

    app = Starlette(routes=ROUTES + ADMIN_ROUTES, middleware=[Middleware(SecurityHeaders)],
                    max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
    app.state.service = service
    return app
