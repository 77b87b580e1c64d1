"""The ``[serve]`` policy in the app: the form and the API refuse alike; hidden results wait for the due date."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest

from autograder.course.policy import ServePolicy
from autograder.service.app import SESSION_COOKIE, csrf_token
from autograder.grading.results import CheckResult, ExerciseResult, SubmissionResult
from tests.autograder.cli.test_cli_grading import CORRECT, notebook
from tests.autograder.service.test_app import Served

DUE = datetime.fromisoformat("2026-03-06T23:59:00+01:00").timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ruled(tiny_course: Path) -> Iterator[tuple[Served, Clock]]:
    served = Served(tiny_course, grade=False)
    clock = Clock(DUE - 3600)
    served.app.state.service = replace(served.app.state.service, clock=clock,
                                       policy=ServePolicy(attempts=2, cooldown_minutes=10, late="refuse",
                                                          hidden_results="after_due"))
    yield served, clock
    served.close()


def api_hand_in(served: Served, student: str):
    return served.client(student).post("/api/assignments/a2/submissions", content=notebook(CORRECT).encode())


def form_hand_in(served: Served, student: str):
    client = served.client(student, signed_in=True)
    # the page hides the form while refused: a valid token as a stale open page would hold
    csrf = csrf_token(served.app.state.service.key, client.cookies[SESSION_COOKIE])
    files = {"notebook": ("a2.ipynb", notebook(CORRECT).encode(), "application/json")}
    return client.post("/assignments/a2/submissions", files=files, data={"csrf": csrf}, follow_redirects=False)


def test_the_cooldown_answers_429_with_retry_after_on_the_form_and_the_api(ruled) -> None:
    """Is a second hand-in inside the cool-down refused by both ways in, saying when the next is possible,
    and nothing stored?"""
    served, clock = ruled
    assert api_hand_in(served, "ada01").status_code == 202
    clock.now += 60
    for answer in (api_hand_in(served, "ada01"), form_hand_in(served, "ada01")):
        assert answer.status_code == 429 and answer.headers["retry-after"] == "540"
        assert "next hand-in possible at" in answer.text.lower()
    page = served.client("ada01", signed_in=True).get("/assignments/a2").text
    assert "You cannot hand in now: next hand-in possible at" in page and 'type="file"' not in page
    assert len(served.store.attempts("ada01")) == 1
    assert api_hand_in(served, "alan02").status_code == 202  # another student's cool-down is their own


def test_attempts_run_out_and_late_hand_ins_are_refused(ruled) -> None:
    """After the allowed hand-ins, is the next refused (403) by both ways in; after the due date with
    ``late = "refuse"``, is a first hand-in refused too?"""
    served, clock = ruled
    assert form_hand_in(served, "ada01").status_code == 303
    clock.now += 601
    assert api_hand_in(served, "ada01").status_code == 202
    clock.now += 601
    for answer in (api_hand_in(served, "ada01"), form_hand_in(served, "ada01")):
        assert answer.status_code == 403 and "all 2 hand-ins" in answer.text
    clock.now = DUE + 1
    late = api_hand_in(served, "alan02")
    assert late.status_code == 403 and "accepts no late hand-ins" in late.json()["error"]
    assert len(served.store.attempts()) == 2


def graded_with_a_hidden_check(served: Served) -> int:
    attempt = served.store.add_attempt("ada01", "a2", notebook(CORRECT).encode())
    result = SubmissionResult(student="ada01", assignment="a2", exercises=(ExerciseResult(
        key="a2.sigmoid", title="Sigmoid", checks=(
            CheckResult("test_public_values", "passed", 2, 2, True),
            CheckResult("test_secret_stability", "failed", 0, 3, False, hint="mind the overflow"))),))
    served.store.finish(attempt.id, status="graded", points=2, max_points=5, result_json=json.dumps(result.to_dict()))
    return attempt.id


def test_hidden_results_wait_for_the_due_date(ruled) -> None:
    """Before the due date, do the feedback page, the pages and the API show no hidden check (name,
    status or points) but say results come after the due date; after it, and for the admin, all?"""
    served, clock = ruled
    attempt = graded_with_a_hidden_check(served)
    student = served.client("ada01", signed_in=True)
    page = student.get(f"/attempts/{attempt}").text
    assert "results after the due date" in page and "secret_stability" not in page
    assert "mind the overflow" not in page and "2 / 2" in page and "/ 5" not in page
    assert served.client("ada01").get(f"/api/submissions/{attempt}").json()["max_points"] == 2
    assert "2 / 2" in student.get("/").text
    assert "secret_stability" in served.client("admin", signed_in=True).get(f"/attempts/{attempt}").text
    assert served.client("admin").get(f"/api/submissions/{attempt}").json()["max_points"] == 5
    clock.now = DUE + 1
    after = student.get(f"/attempts/{attempt}").text
    assert "secret_stability" in after and "results after the due date" not in after and "2 / 5" in after
