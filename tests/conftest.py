"""Shared test options and fixtures.

``--refresh-golden`` rewrites the golden files (``tests/**/golden/``) from the
current output instead of comparing against them: run it after an intended
change, then read the diff before committing.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dlgrade-tests", "dlgrade's own test suite")
    group.addoption("--refresh-golden", action="store_true", default=False,
                    help="rewrite the golden files from the current output instead of comparing")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, bytes], None]:
    """``golden(path, data)``: assert ``data`` equals the golden file (or rewrite it with --refresh-golden)."""
    refresh = request.config.getoption("--refresh-golden")

    def compare(path: Path, data: bytes) -> None:
        path = Path(path)
        if refresh:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        if not path.is_file():
            pytest.fail(f"no golden file {path}: run pytest --refresh-golden once and commit it")
        expected = path.read_bytes()
        if data != expected:
            import difflib
            diff = "".join(list(difflib.unified_diff(
                expected.decode(errors="replace").splitlines(keepends=True),
                data.decode(errors="replace").splitlines(keepends=True),
                fromfile=f"{path} (golden)", tofile="now"))[:80])
            pytest.fail(f"output differs from {path.name}; if the change is intended, run "
                        f"pytest --refresh-golden and review the diff:\n{diff}")

    return compare


@pytest.fixture
def tool_env() -> dict[str, str]:
    """The environment for external tools (nbgrader, jupyter): the project's .venv/bin first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


TINY_COURSE_TOML = """\
[course]
name = "Test course"
id = "t101"
demo_secret = "tiny-course-demo-secret"

[late_policy]
grace_minutes = 10
penalty_per_day = 0.2
max_days = 3

[[assignments]]
id = "a2"
title = "The sigmoid neuron and gradient descent"
due = "2026-03-06T23:59:00+01:00"
exercises = ["sigmoid"]
"""
TINY_ROSTER = """\
id,first_name,last_name,email,lms_id
ada01,Ada,Lovelace,ada@example.edu,lms-1
alan02,Alan,Turing,alan@example.edu,lms-2
grace03,Grace,Hopper,grace@example.edu,lms-3
"""


@pytest.fixture
def tiny_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course folder with one assignment (a2: the sigmoid only), three students and the demo secret."""
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "course.toml").write_text(TINY_COURSE_TOML, encoding="utf-8")
    (folder / "roster.csv").write_text(TINY_ROSTER, encoding="utf-8")
    (folder / "nbgrader_config.py").write_bytes((REPO / "course" / "nbgrader_config.py").read_bytes())
    return folder
