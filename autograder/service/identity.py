"""Who is calling ``grade serve``: personal links, signed session cookies, CSRF tokens, the key.

Guarantee: :func:`who` names a caller only from a token the store knows (``Authorization:
Bearer``) or from a session cookie signed with the service's key (HMAC-SHA256, compared in
constant time) that has not expired; anything else is no one. :func:`sign_in` trades a
link's token for such a cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over https),
and a token of another role signs nobody in. CSRF tokens are bound to the session cookie.
The key is made once and kept private (mode 0600) in the service folder.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from autograder.service.context import TEMPLATES, Service

SESSION_COOKIE = "dlgrade_session"
SESSION_SECONDS = 12 * 3600


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


def service_key(folder: Path) -> bytes:
    """The key that signs sessions and CSRF tokens: made once, kept private in the service folder."""
    path = Path(folder) / "session.key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    return path.read_bytes()
