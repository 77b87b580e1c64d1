"""``grade serve`` end to end in a real browser (Debian's chromium driven by Playwright).

The real server (uvicorn on a free loopback port, the real grading pool) serves
a tiny course released to two students. Screenshots of every page go to the
test's tmp folder and to /tmp/serve-shots/ for a person to look at.
"""
from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from autograder.course.config import load_course, read_roster, resolve_secret
from autograder.course.release import release_assignment
from autograder.service.server import open_service
from tests.autograder.cli.test_cli_grading import CORRECT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/serve-shots")
GRADED_WITHIN_MS = 120_000
SIGN_FLIPPED = "import numpy as np\n\ndef sigmoid(z):\n    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))\n"
"""Right at 0, wrong elsewhere: a partial score."""

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """The course served by uvicorn in a thread, as ``grade serve`` does."""

    def __init__(self, course_root: Path) -> None:
        import uvicorn

        toml = course_root / "course.toml"  # due in a year: the hand-ins are on time
        toml.write_text(toml.read_text(encoding="utf-8").replace(
            '"2026-03-06T23:59:00+01:00"', f'"{time.strftime("%Y-%m-%dT23:59:00+00:00", time.gmtime(time.time() + 365 * 86400))}"'),
            encoding="utf-8")
        course = load_course(course_root)
        release_assignment(course, "a2", read_roster(course_root / "roster.csv")[:2])
        self.running = open_service(course, secret=resolve_secret(course).value, jobs=1)
        self.url = f"http://127.0.0.1:{free_port()}"
        self.server = uvicorn.Server(uvicorn.Config(self.running.app, host="127.0.0.1",
                                                    port=int(self.url.rsplit(":", 1)[1]), log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        end = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > end or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.running.close()


@pytest.fixture
def live(tiny_course: Path) -> Iterator[LiveServer]:
    server = LiveServer(tiny_course)
    yield server
    server.close()


@pytest.fixture
def browser(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            accept_downloads=True, viewport={"width": 1100, "height": 900})
        yield context
        context.close()


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / "shots" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def answered(notebook: Path, code: str) -> Path:
    """The downloaded notebook with ``code`` in its solution cell, saved beside it."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in data["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert cells, "the downloaded notebook has no solution cell"
    cells[0]["source"] = code
    out = notebook.with_name(f"answer-{len(list(notebook.parent.glob('answer-*')))}.ipynb")
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def hand_in(page, notebook: Path) -> None:
    from playwright.sync_api import expect

    page.set_input_files("input[type=file]", str(notebook))
    page.click("button:has-text('Hand in')")
    expect(page.locator("h1")).to_contain_text("Feedback", timeout=GRADED_WITHIN_MS)


def test_a_student_hands_in_twice_and_the_instructor_regrades(live: LiveServer, browser, tmp_path: Path) -> None:
    """In chromium: does a student's link show their assignment, give their own notebook, and do a model
    answer and a wrong one come back as full marks and a partial score with a hint; does the instructor
    then see the hand-ins, the student who did not hand in, and re-grade?"""
    from playwright.sync_api import expect

    store = live.running.store
    page = browser.new_page()
    page.goto(f"{live.url}/login/{store.new_token('ada01')}")
    expect(page.locator("body")).to_contain_text("Signed in as ada01")
    shot(page, tmp_path, "1-student-assignments")
    page.click("text=a2: The sigmoid neuron")
    with page.expect_download() as download:
        page.click("text=Download your notebook")
    notebook = tmp_path / "a2.ipynb"
    download.value.save_as(notebook)
    assert json.loads(notebook.read_text())["metadata"]["dlgrade"]["student"] == "ada01"
    shot(page, tmp_path, "2-student-assignment")
    assert "on time" not in page.content()  # nothing handed in yet

    hand_in(page, answered(notebook, CORRECT))
    expect(page.locator(".summary")).to_contain_text("5 / 5")
    expect(page.locator(".summary")).to_contain_text("on time")
    shot(page, tmp_path, "3-student-full-marks")
    page.click("nav a")
    hand_in(page, answered(notebook, SIGN_FLIPPED))
    score = page.locator(".summary .big").first.inner_text()
    assert score.endswith("/ 5") and 0 < float(score.split("/")[0]) < 5, score
    expect(page.locator(".hint").first).to_be_visible()
    shot(page, tmp_path, "4-student-partial-with-hint")

    admin = browser.new_page()
    admin.goto(f"{live.url}/admin/login/{store.new_token('admin', role='admin')}")
    expect(admin.locator("h1")).to_contain_text("instructor")
    admin.click("text=a2: The sigmoid neuron")
    handed_in = admin.locator("table").first
    expect(handed_in).to_contain_text("ada01")
    expect(handed_in.locator("tr", has_text="ada01")).to_contain_text("2")
    expect(admin.locator("body")).to_contain_text("Not handed in (2)")  # alan02 (released) and grace03
    shot(admin, tmp_path, "5-instructor-dashboard")
    admin.click("button:has-text('Re-grade all')")
    expect(admin.locator("body")).to_contain_text("1 hand-in(s) queued to be graded again")
    latest = store.latest("a2")[0]
    end = time.monotonic() + GRADED_WITHIN_MS / 1000
    while store.attempt(latest.id).status != "graded":
        assert time.monotonic() < end, "the re-grade did not finish"
        time.sleep(0.2)
    admin.reload()
    shot(admin, tmp_path, "6-instructor-after-regrade")
    admin.click("text=Class report")
    expect(admin.locator("h1")).to_contain_text("Class report")
    shot(admin, tmp_path, "7-instructor-class-report")
    admin.click("nav a")
    expect(admin.locator("h1")).to_contain_text("a2: The sigmoid neuron")
