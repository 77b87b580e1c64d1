"""The instructor's pages: only the admin gets in; they show who handed in, who did not, what is
flagged; re-grade all queues the latest hand-ins again; graded results reach the gradebook."""
from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest

from autograder.course.config import load_course, read_roster, resolve_secret
from autograder.course.gradebook import open_gradebook, recorded_scores
from autograder.course.release import release_assignment
from autograder.service.server import open_service
from tests.autograder.cli.test_cli_grading import CORRECT, notebook
from tests.autograder.service.test_app import WRONG, Served, hand_in, served  # noqa: F401 (fixture)

ADMIN_PAGES = ("/admin", "/admin/assignments/a2", "/admin/assignments/a2/report", "/admin/assignments/a2/scores.csv")


def test_only_the_admin_token_opens_the_instructor_pages(served: Served) -> None:
    """Does the admin link sign the admin in, while a student's token at the admin link, a signed-in
    student and no one all get 403 on every instructor page and on re-grade?"""
    admin = served.client()
    answer = admin.get(f"/admin/login/{served.tokens['admin']}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    assert all(admin.get(path).status_code == 200 for path in ADMIN_PAGES)
    assert served.client().get(f"/admin/login/{served.tokens['ada01']}").status_code == 403
    for outsider in (served.client(), served.client("ada01", signed_in=True), served.client("ada01")):
        assert all(outsider.get(path).status_code == 403 for path in ADMIN_PAGES)
        assert outsider.post("/admin/assignments/a2/regrade", data={"csrf": "x"}).status_code == 403
    assert served.client("admin").get("/admin/assignments/a2/scores.csv").status_code == 200  # Bearer: GET only
    assert served.client("admin").post("/admin/assignments/a2/regrade").status_code == 403


def test_the_dashboard_lists_hand_ins_the_missing_and_the_flagged(served: Served) -> None:
    """With ada01 handing in her own notebook and alan02 handing in ada01's, does the page show both
    (score, time, late), grace03 as not handed in, alan02 flagged, and the CSV the latest scores?"""
    own = served.course.release_dir("a2") / "ada01" / "a2.ipynb"
    first = hand_in(served.client("ada01"), WRONG)
    served.store.finish(first, status="graded", points=1, max_points=5)
    latest = served.store.add_attempt("ada01", "a2", own.read_bytes())
    served.store.finish(latest.id, status="graded", points=5, max_points=5)
    late = served.store.add_attempt("alan02", "a2", own.read_bytes(),
                                    received=served.course.assignment("a2").due.timestamp() + 2 * 86400)
    admin = served.client("admin", signed_in=True)
    admin.get(f"/admin/login/{served.tokens['admin']}")
    page = admin.get("/admin/assignments/a2").text
    handed_in = page.split("Handed in (2)")[1].split("Not handed in")[0]
    assert "ada01" in handed_in and "5 / 5" in handed_in and "1 / 5" not in handed_in
    assert "alan02" in handed_in and "2 days late: −40% of the points" in handed_in
    assert "grace03" in page.split("Not handed in (1)")[1]
    flagged = page.split("Flagged hand-ins")[1].split("Handed in")[0]
    assert "alan02" in flagged and "ada01" in flagged and f"hand-in {late.id}" in flagged
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/assignments/a2/scores.csv").text)))
    assert [(r["student"], r["attempt"], r["points"], r["released_for"]) for r in rows] == [
        ("ada01", str(latest.id), "5", ""), ("alan02", str(late.id), "", "ada01")]


def test_a_hostile_released_for_is_shown_as_text(served: Served) -> None:
    """When a hand-in's metadata names a "student" made of markup, a formula and a lone surrogate, does
    the dashboard still answer, show it escaped, and the CSV hold it as text?"""
    import json

    data = json.loads((served.course.release_dir("a2") / "ada01" / "a2.ipynb").read_text(encoding="utf-8"))
    data["metadata"]["dlgrade"]["student"] = "=HYPERLINK(1)<b>x</b>\ud800"
    served.store.add_attempt("alan02", "a2", json.dumps(data).encode())
    admin = served.client()
    admin.get(f"/admin/login/{served.tokens['admin']}")
    page = admin.get("/admin/assignments/a2")
    assert page.status_code == 200 and "<b>x</b>" not in page.text
    assert "=HYPERLINK(1)&lt;b&gt;x&lt;/b&gt;\ufffd" in page.text
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/assignments/a2/scores.csv").text)))
    assert rows[0]["released_for"] == "'=HYPERLINK(1)<b>x</b>?"


def wait_until(condition, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"not done in {seconds} s")
        time.sleep(0.1)


def test_regrade_all_queues_the_latest_again_and_results_reach_the_gradebook(tiny_course: Path) -> None:
    """Are graded results written to nbgrader's gradebook, and does re-grade all (with the page's CSRF
    token) queue each student's latest hand-in again, leave earlier ones alone and grade it again?"""
    course = load_course(tiny_course)
    release_assignment(course, "a2", read_roster(tiny_course / "roster.csv"))
    running = open_service(course, secret=resolve_secret(course).value, jobs=1)
    try:
        from starlette.testclient import TestClient

        student = TestClient(running.app)
        student.headers["Authorization"] = f"Bearer {running.store.new_token('ada01')}"
        older, newer = hand_in(student, WRONG), hand_in(student, CORRECT)
        store = running.store
        wait_until(lambda: all(store.attempt(a).status == "graded" for a in (older, newer)))
        admin = TestClient(running.app)
        admin.get(f"/admin/login/{store.new_token('admin', role='admin')}")
        assert admin.post("/admin/assignments/a2/regrade", data={"csrf": "forged"}).status_code == 403
        token = re.search(r'name="csrf" value="([^"]+)"', admin.get("/admin/assignments/a2").text).group(1)
        answer = admin.post("/admin/assignments/a2/regrade", data={"csrf": token})
        assert answer.status_code == 200 and "1 hand-in(s) queued to be graded again" in answer.text
        assert store.attempt(newer).status in ("queued", "grading") and store.attempt(older).status == "graded"
        wait_until(lambda: store.attempt(newer).status == "graded")
        assert store.attempt(newer).points == 5 and store.attempt(newer).tries == 1
    finally:
        running.close()
    with open_gradebook(course) as gradebook:
        assert recorded_scores(gradebook, "a2", "ada01") == {"a2_sigmoid_check": 5.0}
