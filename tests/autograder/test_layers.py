"""The layout draws the architecture: import contracts between autograder's layers, and the
untrusted side of the sandbox importable alone.

The contracts live in pyproject.toml (``[tool.importlinter]``) and are checked by
import-linter, which follows every import, those inside functions included.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("autograder", "exercises", "reference")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the project at ``root`` (its own copy of the packages first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(root), NO_COLOR="1")
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold() -> None:
    """Does every layer import only the layers below it, and every contract in pyproject hold?"""
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for package in PACKAGES:
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


VIOLATIONS = [
    # (module that gains the import, the import, the contract that must break)
    ("autograder/sandbox/handle.py", "import autograder.grading.results", "autograder layers"),
    ("autograder/grading/engine.py", "from autograder.course import config", "autograder layers"),
    ("autograder/course/release.py", "import autograder.reports.feedback", "autograder layers"),
    ("autograder/reports/feedback.py", "from autograder.cli import common", "autograder layers"),
    ("autograder/sandbox/worker.py", "import exercises.dlcheck", "the worker side of the sandbox"),
    ("autograder/sandbox/protocol.py", "import autograder.sandbox.handle", "the worker side of the sandbox"),
    ("autograder/reports/plots.py", "import autograder.sandbox.handle", "reports never import the sandbox"),
    ("exercises/a2_sigmoid.py", "import autograder.grading.engine", "exercises use the autograder only"),
    ("reference/neurons.py", "import exercises.model", "reference imports nothing"),
]


@pytest.mark.parametrize("module, statement, contract", VIOLATIONS,
                         ids=[f"{m.split('/')[-1]}:{s.split()[1]}" for m, s, _ in VIOLATIONS])
def test_a_forbidden_import_breaks_its_contract(project_copy: Path, module: str, statement: str,
                                                contract: str) -> None:
    """Does the check fail when a lower layer imports a higher one (here, inside a function, where
    it is easiest to hide)?"""
    path = project_copy / module
    original = path.read_text()
    try:
        path.write_text(original + f"\n\ndef _smuggled():\n    {statement}\n")
        result = lint_imports(project_copy)
    finally:
        path.write_text(original)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout


ISOLATED_IMPORT = r"""
import importlib.abc, sys
sys.path[:0] = [{repo!r}]
ALLOWED = {{"autograder", "autograder.sandbox", "autograder.sandbox.worker", "autograder.sandbox.protocol"}}

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in ("exercises", "reference") or (top == "autograder" and name not in ALLOWED):
            raise ImportError(f"blocked: {{name}}")
        return None

sys.meta_path.insert(0, Blocker())
import autograder.sandbox.worker, autograder.sandbox.protocol
project = sorted(m for m in sys.modules if m.split(".")[0] in ("autograder", "exercises", "reference"))
print(",".join(project))
"""


def test_the_worker_side_imports_alone() -> None:
    """Do the worker program and its protocol import in a fresh interpreter in which every other
    module of the project is blocked, and pull in nothing else of it?"""
    result = subprocess.run([sys.executable, "-I", "-c", ISOLATED_IMPORT.format(repo=str(REPO))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(",") == sorted(
        ["autograder", "autograder.sandbox", "autograder.sandbox.protocol", "autograder.sandbox.worker"])


def test_the_blocker_would_catch_a_project_import(tmp_path: Path) -> None:
    """Does the isolated import fail when the worker side imports a module of the project?"""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    worker = tmp_path / "autograder" / "sandbox" / "worker.py"
    worker.write_text(worker.read_text() + "\nimport exercises.dlcheck\n")
    result = subprocess.run([sys.executable, "-I", "-c", ISOLATED_IMPORT.format(repo=str(tmp_path))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "blocked: exercises" in result.stderr
