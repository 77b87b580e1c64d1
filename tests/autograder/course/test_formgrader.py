"""nbgrader's formgrader, for real, on a course dlgrade graded: a Jupyter server with the formgrader
extension started as a user would, driven through formgrader's HTTP API (nbgrader's
server_extensions/formgrader/apihandlers.py and handlers.py); then nbgrader's own generate_feedback and
autograde on the same course."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pytest

from autograder.grading.results import read_result
from exercises.model import get_exercise
from tests.autograder.course.written_course import grade_cli, make_written_course
from tests.conftest import VENV_BIN

pytestmark = pytest.mark.slow
XOR = get_exercise("a1.xor_written")
WRONG_OR = "import numpy as np\n\ndef or_weights():\n    return np.array([-1.0, 1.1, 0.5])\n"
"""grace03's answer: three numbers (the shape check passes) that do not compute OR."""
COMMENT = "Right: one line. Say <i>why</i> the diagonals cannot be split."
STARTUP = 120.0
"""Seconds the server may take to answer at all (a readiness wait, not a timed assertion)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Formgrader:
    """A Jupyter server with nbgrader's formgrader on loopback, asked over HTTP with its token."""

    def __init__(self, course: Path, env: dict[str, str]) -> None:
        self.port, self.token = _free_port(), secrets.token_hex(16)
        command = [str(VENV_BIN / "jupyter"), "server", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={course}"] + (["--allow-root"] if os.geteuid() == 0 else [])
        self.log = course.parent / "jupyter-server.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def json(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.request(method, path, body)
        assert status == 200, f"{method} {path}: {status} {data[:500]!r}"
        return json.loads(data)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the Jupyter server exited ({self.process.returncode}): {self.log.read_text()[-3000:]}")
            try:
                if self.request("GET", "/formgrader/api/status")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.5)
        pytest.fail(f"formgrader did not answer within {STARTUP:g} s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The written-answer course with grace03's OR weights wrong, graded by `grade autograde`."""
    folder = make_written_course(tmp_path_factory.mktemp("formgrader") / "course")
    path = folder / "submitted" / "grace03" / "a1" / "a1.ipynb"
    notebook = nbformat.read(path, as_version=4)
    solution = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "a1_or_weights_solution")
    solution.source = WRONG_OR
    nbformat.write(notebook, path)
    grade_cli(folder, "autograde", "a1", "--sandbox", "none")
    return folder


@pytest.fixture
def formgrader(course: Path, tool_env: dict[str, str]) -> Iterator[Formgrader]:
    server = Formgrader(course, tool_env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_a_grader_scores_a_written_answer_in_formgrader(course, formgrader, tool_env):
    """Does formgrader list the three submissions (ada01's needing a manual grade), open ada01's (200, her
    answer on the page), take a manual score and a comment for the written answer through its API; do
    `grade export` and `grade feedback` then show that score and comment, and nbgrader's own
    generate_feedback work on the result?"""
    listed = formgrader.json("GET", "/formgrader/api/submissions/a1")
    assert {s["student"]: s["needs_manual_grade"] for s in listed} == {"ada01": True, "alan02": False,
                                                                       "grace03": False}
    notebooks = formgrader.json("GET", "/formgrader/api/submitted_notebooks/a1/a1")
    ada = next(n["id"] for n in notebooks if n["student"] == "ada01")
    status, page = formgrader.request("GET", f"/formgrader/submissions/{ada}/")
    assert status == 200 and b"A perceptron outputs 1 on one side of a single line" in page
    grade = next(g for g in formgrader.json("GET", f"/formgrader/api/grades?submission_id={ada}")
                 if g["name"] == "a1_xor_written_answer")
    assert (grade["auto_score"], grade["max_score"], grade["needs_manual_grade"]) == (None, 2.0, True)
    comment = next(c for c in formgrader.json("GET", f"/formgrader/api/comments?submission_id={ada}")
                   if c["name"] == "a1_xor_written_answer")
    assert formgrader.json("PUT", f"/formgrader/api/grade/{grade['id']}", {"manual_score": 1.5})["manual_score"] == 1.5
    formgrader.json("PUT", f"/formgrader/api/comment/{comment['id']}", {"manual_comment": COMMENT})
    scored = {s["student"]: s for s in formgrader.json("GET", "/formgrader/api/submissions/a1")}
    assert (scored["ada01"]["score"], scored["ada01"]["needs_manual_grade"]) == (5.5, False)

    export = grade_cli(course, "export", "-o", "-")
    row = next(line for line in export.splitlines() if ",ada01," in line)
    assert ",5.5,0.0,5.5,6.0," in row and f"a1_xor_written_answer: {COMMENT}" in row
    grade_cli(course, "feedback", "a1")
    feedback = (course / "feedback" / "ada01" / "a1" / "feedback.html").read_text(encoding="utf-8")
    assert "1.5 / 2" in feedback and "Say &lt;i&gt;why&lt;/i&gt; the diagonals cannot be split." in feedback

    done = subprocess.run([str(VENV_BIN / "nbgrader"), "generate_feedback", "a1", "--student", "ada01", "--force"],
                          cwd=course, env=tool_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    html = (course / "feedback" / "ada01" / "a1" / "a1.html").read_text(encoding="utf-8")
    assert "Score: 5.5 / 6.0" in html and "Score: 1.5 / 2.0" in html and "the diagonals cannot be split" in html


def _nbgrader_scores(gradebook: Path, student: str) -> dict[str, tuple[float | None, bool]]:
    with sqlite3.connect(gradebook) as db:
        rows = db.execute(
            "SELECT c.name, g.auto_score, g.needs_manual_grade FROM grade g JOIN base_cell c ON g.cell_id = c.id "
            "JOIN submitted_notebook n ON g.notebook_id = n.id JOIN submitted_assignment a "
            "ON n.assignment_id = a.id WHERE a.student_id = ?", (student,)).fetchall()
    return {name: (score, bool(manual)) for name, score, manual in rows}


def test_nbgrader_autograde_gives_the_same_auto_scores(course, tmp_path, tool_env):
    """On a copy of the course, do `nbgrader generate_assignment` and `nbgrader autograde` agree with
    dlgrade on each code exercise (ada01 right, grace03 wrong), and leave the written answer to a grader
    as dlgrade does (no auto score, needs manual grade)?

    What is compared: the auto_score nbgrader gives the check cell a1_or_weights_check against dlgrade's
    result for the exercise. nbgrader runs the check cell of the source notebook, whose hidden-tests
    region (restored from the gradebook by nbgrader; never in the student's notebook) runs every check
    of the exercise, public and hidden, in the student's kernel (autograder/grading/inkernel.py) and
    raises if one fails; dlgrade runs the same checks in its sandboxed worker. nbgrader scores a grade
    cell all or nothing (it raised: 0; it did not: every point), while dlgrade gives each check its
    points. So nbgrader's score must be the exercise's points when dlgrade passed every check, else 0
    (grace03: dlgrade's partial credit, 1 of 4, is dlgrade's own refinement)."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("feedback"))
    # dlgrade records the source cells again after nbgrader did (with nbgrader's checksums, or nbgrader
    # autograde refuses the notebook: "Inconsistent checksums for cell intro")
    for tool, *command in (["nbgrader", "generate_assignment", "a1", "--force"],
                           ["grade", "autograde", "a1", "--student", "ada01", "--force"],
                           ["nbgrader", "autograde", "a1", "--student", "ada01", "--force"],
                           ["nbgrader", "autograde", "a1", "--student", "grace03", "--force"]):
        done = subprocess.run([str(VENV_BIN / tool), *command], cwd=copy, env=tool_env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{tool} {' '.join(command)}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    for student in ("ada01", "grace03"):
        ours = read_result(course / "autograded" / student / "a1" / "results.json")
        theirs = _nbgrader_scores(copy / "gradebook.db", student)
        or_weights = next(e for e in ours.exercises if e.key == "a1.or_weights")
        all_passed = all(c.status == "passed" for c in or_weights.checks)
        assert theirs["a1_or_weights_check"] == (or_weights.max_points if all_passed else 0.0, False), student
        assert all_passed == (student == "ada01")  # the wrong answer is really compared
    assert _nbgrader_scores(copy / "gradebook.db", "ada01")["a1_xor_written_answer"] == (None, True)
