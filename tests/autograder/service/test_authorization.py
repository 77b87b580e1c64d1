"""Who may use which route of ``grade serve``: every student route as student A (the owner), student
B, no one and the admin, by cookie (pages) and by Bearer token (API). Instructor routes: test_admin.py."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.autograder.cli.test_cli_grading import CORRECT
from tests.autograder.service.test_app import Served, hand_in, served  # noqa: F401 (fixture)

# (method, path, caller) -> status. {attempt} is student A's (ada01's) hand-in.
MATRIX = [
    ("GET", "/", "none", 200), ("GET", "/", "A-cookie", 200), ("GET", "/", "B-cookie", 200),
    ("GET", "/assignments/a2", "none", 303), ("GET", "/assignments/a2", "A-cookie", 200),
    ("GET", "/assignments/a2", "B-cookie", 200), ("GET", "/assignments/zz", "A-cookie", 404),
    ("GET", "/assignments/a2/notebook", "none", 401), ("GET", "/assignments/a2/notebook", "A-cookie", 200),
    ("GET", "/assignments/a2/notebook", "B-cookie", 200),
    ("POST", "/assignments/a2/submissions", "none", 403), ("POST", "/assignments/a2/submissions", "A-bearer", 403),
    ("GET", "/attempts/{attempt}", "none", 303), ("GET", "/attempts/{attempt}", "A-cookie", 200),
    ("GET", "/attempts/{attempt}", "B-cookie", 404), ("GET", "/attempts/999999", "A-cookie", 404),
    ("GET", "/attempts/../../etc/passwd", "A-cookie", 404),
    ("GET", "/api/assignments", "none", 401), ("GET", "/api/assignments", "A-bearer", 200),
    ("GET", "/api/assignments", "B-bearer", 200), ("GET", "/api/assignments", "forged-bearer", 401),
    ("GET", "/api/assignments/a2/notebook", "none", 401), ("GET", "/api/assignments/a2/notebook", "A-bearer", 200),
    ("GET", "/api/assignments/a2/notebook", "B-bearer", 200),
    ("POST", "/api/assignments/a2/submissions", "none", 401),
    ("POST", "/api/assignments/a2/submissions", "A-cookie", 401),
    ("GET", "/api/submissions/{attempt}", "none", 401), ("GET", "/api/submissions/{attempt}", "A-bearer", 200),
    ("GET", "/api/submissions/{attempt}", "B-bearer", 404), ("GET", "/api/submissions/{attempt}", "admin-bearer", 200),
    ("GET", "/api/submissions/{attempt}", "B-cookie", 404),
]


def caller(served: Served, who: str) -> TestClient:
    if who == "none":
        return served.client()
    if who == "forged-bearer":
        client = served.client()
        client.headers["Authorization"] = "Bearer " + "x" * 43
        return client
    student = {"A": "ada01", "B": "alan02", "admin": "admin"}[who.split("-")[0]]
    return served.client(student, signed_in=who.endswith("cookie"))


@pytest.mark.parametrize("method, path, who, status", MATRIX, ids=[f"{m} {p} as {w}" for m, p, w, _ in MATRIX])
def test_each_route_answers_each_caller_as_it_should(served: Served, method: str, path: str, who: str,
                                                     status: int) -> None:
    """Does each route give each kind of caller exactly the answer the rules say, and never student A's
    hand-in or notebook to student B?"""
    attempt = hand_in(served.client("ada01"), CORRECT)
    client = caller(served, who)
    url = path.format(attempt=attempt)
    if method == "GET":
        answer = client.get(url, follow_redirects=False)
    else:
        answer = client.post(url, content=b"{}", follow_redirects=False)
    assert answer.status_code == status, answer.text[:300]
    if who.startswith("B"):
        own_a = (served.course.release_dir("a2") / "ada01" / "a2.ipynb").read_bytes()
        assert answer.content != own_a
        assert served.store.attempt(attempt).sha256 not in answer.text
