"""``[serve] submit_cell = true``: the notebook downloaded from the service hands itself in.

The last test runs the downloaded notebook, answered and saved, in a real Jupyter kernel (nbclient)
against the live server (uvicorn on a loopback port, the real grading pool).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import httpx
import nbformat
import pytest

from autograder.course.notebooks import SUBMIT_ROLE, submit_cell
from autograder.grading.submission import read_submission
from tests.autograder.cli.test_cli_grading import CORRECT
from tests.autograder.service.test_app import Served, served  # noqa: F401 (fixture)
from tests.autograder.service.test_browser import LiveServer

SUBMIT_ON = "\n[serve]\nsubmit_cell = true\n"


def with_submit_cell(course_root: Path) -> Path:
    toml = course_root / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + SUBMIT_ON, encoding="utf-8")
    return course_root


def role(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("dlgrade", {}).get("role")


@pytest.fixture
def served_with_cell(tiny_course: Path) -> Iterator[Served]:
    """The course served in-process (no grading) with the course.toml's [serve] policy: submit_cell on."""
    import dataclasses

    from autograder.course.policy import load_serve_policy
    from autograder.service.app import build_app

    service = Served(with_submit_cell(tiny_course), grade=False)
    policy = load_serve_policy(service.course)
    assert policy.submit_cell
    service.app = build_app(dataclasses.replace(service.app.state.service, policy=policy))
    yield service
    service.close()


def test_the_downloaded_notebook_ends_with_a_locked_submit_cell(served_with_cell: Served, tmp_path: Path) -> None:
    """With submit_cell on, does the notebook end with a locked, checksummed cell that holds the
    service's address and the caller's token when they downloaded with it (and asks otherwise), and
    does the grader leave that cell out of the code it runs?"""
    by_token = served_with_cell.client("ada01").get("/api/assignments/a2/notebook")
    by_cookie = served_with_cell.client("ada01", signed_in=True).get("/assignments/a2/notebook")
    cells = {how: json.loads(answer.content)["cells"] for how, answer in
             (("token", by_token), ("cookie", by_cookie))}
    last = cells["token"][-1]
    assert role(last) == SUBMIT_ROLE and last["metadata"]["nbgrader"]["locked"] is True
    assert last["metadata"]["editable"] is False and "checksum" in last["metadata"]["nbgrader"]
    source = "".join(last["source"])
    assert "SERVICE = 'http://testserver'" in source and "ASSIGNMENT = 'a2'" in source
    assert f"TOKEN = {served_with_cell.tokens['ada01']!r}" in source
    assert "TOKEN = ''" in "".join(cells["cookie"][-1]["source"])
    assert [role(c) for c in cells["token"][:-1]] == [role(c) for c in cells["cookie"][:-1]]
    page = served_with_cell.client("ada01", signed_in=True).get("/assignments/a2").text
    assert "save the notebook first, then run that cell" in page
    saved = tmp_path / "a2.ipynb"
    saved.write_bytes(by_token.content)
    assert not any("_hand_in" in code for code in read_submission(saved, "a2").cells)
    assert read_submission(saved, "a2").edited_locked_cells == ()


def test_without_the_policy_the_notebook_is_the_released_one(served: Served) -> None:  # noqa: F811
    """With submit_cell off (the default), is the downloaded notebook the released file, byte for byte,
    and does the page not speak of a submit cell?"""
    assert "run that cell" not in served.client("ada01", signed_in=True).get("/assignments/a2").text
    answer = served.client("ada01").get("/api/assignments/a2/notebook")
    released = served.course.release_dir("a2") / "ada01" / "a2.ipynb"
    assert answer.content == released.read_bytes()


def test_values_are_written_as_literals_never_as_code() -> None:
    """Can a hostile address, assignment id or token become code in the cell? (They are Python literals.)"""
    cell = submit_cell("a2'; import os #", "http://x/'+__import__('os').system('id')+'", "t'\nimport os")
    tree = compile(cell.source, "submit", "exec", flags=0x400)  # ast.PyCF_ONLY_AST
    assignments = {node.targets[0].id: node.value.value for node in tree.body
                   if type(node).__name__ == "Assign" and type(node.value).__name__ == "Constant"}
    assert assignments == {"SERVICE": "http://x/'+__import__('os').system('id')+'", "ASSIGNMENT": "a2'; import os #",
                           "TOKEN": "t'\nimport os"}
    with pytest.raises(ValueError, match="http"):
        submit_cell("a2", "file:///etc/passwd")


@pytest.fixture
def live_with_cell(tiny_course: Path) -> Iterator[LiveServer]:
    server = LiveServer(with_submit_cell(tiny_course))
    yield server
    server.close()


@pytest.mark.slow
def test_running_the_submit_cell_hands_in_and_prints_the_score(live_with_cell: LiveServer, tmp_path: Path) -> None:
    """In a real kernel, does Run All of the downloaded notebook (answered and saved) hand it in to the
    live server, which stores and grades it, and print the status, points and feedback address?"""
    from nbclient import NotebookClient

    store = live_with_cell.running.store
    token = store.new_token("ada01")
    answer = httpx.get(f"{live_with_cell.url}/api/assignments/a2/notebook",
                       headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    notebook = nbformat.reads(answer.text, as_version=4)
    for cell in notebook.cells:
        if role(cell) == "solution":
            cell.source = CORRECT
    saved = tmp_path / "work" / "a2.ipynb"
    saved.parent.mkdir()
    nbformat.write(notebook, saved)  # the student saves first
    NotebookClient(notebook, timeout=180, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(saved.parent)}}).execute()
    printed = "".join(o.get("text", "") for o in notebook.cells[-1].outputs if o.output_type == "stream")
    (attempt,) = store.attempts("ada01", "a2")
    assert attempt.status == "graded" and attempt.points == 5
    assert (store.folder / attempt.path).read_bytes() == saved.read_bytes()
    assert "Status: graded: 5 / 5 points" in printed, printed
    assert f"Feedback: {live_with_cell.url}/attempts/{attempt.id}" in printed, printed
