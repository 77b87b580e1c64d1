"""``grade serve``'s application: who may do what, hand-ins stored before the answer, graded at once.

The app runs in-process (Starlette's TestClient over httpx); grading runs in a
real pool with the sandbox, as in production.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Iterator

import pytest
from starlette.testclient import TestClient

from autograder.course.config import assignment_exercises, load_course, read_roster, resolve_secret
from autograder.course.release import release_assignment
from autograder.service.app import MAX_UPLOAD_BYTES, SESSION_COOKIE, Service, build_app, service_key
from autograder.service.runner import Runner
from autograder.service.store import Store
from tests.autograder.cli.test_cli_grading import CORRECT, NAIVE, notebook

WRONG = "import numpy as np\n\ndef sigmoid(z):\n    return np.asarray(z, dtype=float) * 0 + 0.25\n"


class Served:
    """A course served in-process, with a token per student and one for the admin."""

    def __init__(self, course_root: Path, *, grade: bool) -> None:
        self.course = load_course(course_root)
        roster = read_roster(course_root / "roster.csv")
        release_assignment(self.course, "a2", roster)
        self.store = Store(course_root / "service")
        self.tokens = {s.id: self.store.new_token(s.id) for s in roster}
        self.tokens["admin"] = self.store.new_token("admin", role="admin")
        self.runner = None
        if grade:
            keys = {a.id: [e.key for e in assignment_exercises(a)] for a in self.course.assignments}
            self.runner = Runner(self.store, course_root=str(self.course.root), exercise_keys=keys.__getitem__,
                                 secret=resolve_secret(self.course).value, jobs=1)
            self.runner.start()
        service = Service(course=self.course, store=self.store, key=service_key(self.store.folder),
                          poke=self.runner.poke if self.runner else (lambda: None),
                          released_notebook=lambda a, s: self.course.release_dir(a) / s / f"{a}.ipynb")
        self.app = build_app(service)

    def client(self, who: str | None = None, *, signed_in: bool = False) -> TestClient:
        """A client as ``who``: with a Bearer token, or signed in through the link (cookie)."""
        client = TestClient(self.app, base_url="http://testserver")
        if who is not None and signed_in:
            assert client.get(f"/login/{self.tokens[who]}", follow_redirects=False).status_code == 303
        elif who is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return client

    def close(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        self.store.close()


@pytest.fixture
def served(tiny_course: Path) -> Iterator[Served]:
    service = Served(tiny_course, grade=False)
    yield service
    service.close()


@pytest.fixture
def grading(tiny_course: Path) -> Iterator[Served]:
    service = Served(tiny_course, grade=True)
    yield service
    service.close()


def hand_in(client: TestClient, code: str) -> int:
    answer = client.post("/api/assignments/a2/submissions", content=notebook(code).encode(),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def wait_graded(client: TestClient, attempt: int, seconds: float = 120) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = client.get(f"/api/submissions/{attempt}").json()
        if status["status"] in ("graded", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"attempt {attempt} not graded in {seconds} s")


# --------------------------------------------------------------------------- signing in

def test_the_personal_link_gives_a_strict_http_only_session(served: Served) -> None:
    """Does the link set a session cookie that scripts cannot read and other sites cannot send, then
    show the student's own assignments?"""
    client = TestClient(served.app)
    answer = client.get(f"/login/{served.tokens['ada01']}", follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 303 and SESSION_COOKIE in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    page = client.get("/")
    assert "Signed in as <strong>ada01</strong>" in page.text and "a2: The sigmoid neuron" in page.text


def test_a_wrong_revoked_or_forged_link_signs_nobody_in(served: Served) -> None:
    """Are a made-up token, a revoked one and a forged session cookie all refused?"""
    client = TestClient(served.app)
    assert client.get("/login/not-a-token").status_code == 403
    served.store.revoke("alan02")
    assert client.get(f"/login/{served.tokens['alan02']}").status_code == 403
    client.cookies.set(SESSION_COOKIE, "eyJ4Ijp9.forged")
    assert "Signed in as" not in client.get("/").text
    assert client.get("/api/assignments", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_every_page_carries_the_security_headers(served: Served) -> None:
    """Does every answer, error pages included, forbid scripts, framing, sniffing and referrers?"""
    client = served.client("ada01", signed_in=True)
    for path in ("/", "/assignments/a2", "/assignments/zz", "/attempts/99", "/api/assignments", "/login/x"):
        headers = client.get(path).headers
        assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"


# --------------------------------------------------------------------------- who may do what

def test_a_student_downloads_their_own_notebook_only(served: Served) -> None:
    """Does each student get their own released notebook (their variant), and no one without a token?"""
    for student in ("ada01", "alan02"):
        body = served.client(student).get("/api/assignments/a2/notebook")
        assert body.status_code == 200
        assert body.content == (served.course.release_dir("a2") / student / "a2.ipynb").read_bytes()
    assert served.client().get("/api/assignments/a2/notebook").status_code == 401
    assert served.client("ada01").get("/api/assignments/..%2F..%2Fsource/notebook").status_code == 404


def test_no_student_sees_another_students_hand_in(served: Served) -> None:
    """Is a hand-in visible to its student and the admin only: another student and no one get
    404/401 on the API and the page?"""
    attempt = hand_in(served.client("ada01"), CORRECT)
    assert served.client("ada01").get(f"/api/submissions/{attempt}").status_code == 200
    assert served.client("admin").get(f"/api/submissions/{attempt}").status_code == 200
    assert served.client("alan02").get(f"/api/submissions/{attempt}").status_code == 404
    assert served.client().get(f"/api/submissions/{attempt}").status_code == 401
    assert served.client("alan02", signed_in=True).get(f"/attempts/{attempt}").status_code == 404
    assert served.client("ada01", signed_in=True).get(f"/attempts/{attempt}").status_code == 200
    listed = served.client("alan02").get("/api/assignments").json()
    assert listed[0]["attempts"] == []


def test_forms_need_the_csrf_token_and_the_api_needs_a_bearer(served: Served) -> None:
    """Is a browser hand-in without the page's CSRF token refused, and a cookie alone not enough
    for the API?"""
    client = served.client("ada01", signed_in=True)
    files = {"notebook": ("a2.ipynb", notebook(CORRECT).encode(), "application/json")}
    refused = client.post("/assignments/a2/submissions", files=files, data={"csrf": "wrong"})
    assert refused.status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/assignments/a2").text).group(1)
    accepted = client.post("/assignments/a2/submissions", files=files, data={"csrf": token}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/attempts/")
    assert client.post("/api/assignments/a2/submissions", content=b"{}").status_code == 401


def test_uploads_are_capped_and_stored_before_the_answer(served: Served) -> None:
    """Is an upload over the cap refused with 413, and an accepted one on disk with its SHA-256
    before the 202 returns?"""
    client = served.client("ada01")
    too_big = client.post("/api/assignments/a2/submissions", content=b"x" * (MAX_UPLOAD_BYTES + 1))
    assert too_big.status_code == 413
    attempt = served.store.attempt(hand_in(client, CORRECT))
    stored = served.store.folder / attempt.path
    import hashlib
    assert stored.is_file() and hashlib.sha256(stored.read_bytes()).hexdigest() == attempt.sha256
    assert attempt.status == "queued"


# --------------------------------------------------------------------------- grading

def test_hand_ins_are_graded_at_once_with_the_feedback_page(grading: Served) -> None:
    """Do a model answer and a wrong one come back graded (5/5 and less, with a hint) within
    seconds, each on its own feedback page?"""
    client = grading.client("ada01")
    right, wrong = hand_in(client, CORRECT), hand_in(client, WRONG)
    assert wait_graded(client, right)["points"] == wait_graded(client, right)["max_points"] == 5
    graded_wrong = wait_graded(client, wrong)
    assert graded_wrong["points"] < graded_wrong["max_points"]
    page = grading.client("ada01", signed_in=True).get(f"/attempts/{wrong}")
    assert page.status_code == 200 and "Hint" in page.text
    assert "a2.ipynb" in page.text  # the notebook the student handed in, not the store's file name
    assert not re.search(r"\d{13}-[0-9a-f]{12}\.ipynb", page.text)


def test_a_restart_grades_what_was_accepted_before(tiny_course: Path) -> None:
    """When the server stops with hand-ins queued (and one taken for grading), does the next start
    grade every one of them?"""
    first = Served(tiny_course, grade=False)
    client = first.client("alan02")
    attempts = [hand_in(client, CORRECT), hand_in(client, NAIVE)]
    first.store.claim_next()  # one was being graded when the server died
    first.close()
    store = Store(tiny_course / "service")  # the restarted server
    course = load_course(tiny_course)
    keys = {a.id: [e.key for e in assignment_exercises(a)] for a in course.assignments}
    runner = Runner(store, course_root=str(course.root), exercise_keys=keys.__getitem__,
                    secret=resolve_secret(course).value, jobs=1)
    runner.start()
    try:
        end = time.monotonic() + 120
        while time.monotonic() < end and any(store.attempt(a).status != "graded" for a in attempts):
            time.sleep(0.1)
        assert [store.attempt(a).status for a in attempts] == ["graded", "graded"]
        assert json.loads(store.attempt(attempts[0]).result_json)["student"] == "alan02"
    finally:
        runner.stop()
        store.close()
