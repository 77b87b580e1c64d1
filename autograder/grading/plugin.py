"""pytest plugin (entry point ``pytest11``): run exercise modules' checks with pytest itself.

    pytest exercises/a2_sigmoid.py                                  # checks vs the model answer
    pytest exercises/a2_*.py --dlgrade-notebook alice.ipynb --dlgrade-student alice
    pytest mycourse/exercises/relu.py                               # a course's own module

A course's own module (``<course>/exercises/<name>.py`` beside course.toml) is
imported as the grader imports it (:mod:`exercises.course_modules`), so its
relative imports work and its checks see the course's other exercises.

Fixtures: ``student`` (the notebook's functions through the sandboxed worker,
or the model answer when no notebook is given), ``ref`` (the model answer of
the student's variant) and ``params`` (the variant). Markers: ``points(n)``
and ``hidden(hint=...)``. The terminal summary adds up the points.

The grader itself does not start pytest per submission (see
:mod:`autograder.grading.engine`); this plugin runs the very same check functions
for instructors who want pytest's reports, selection (-k) and debugging (--pdb).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from exercises.dlcheck import LocalStudent
from exercises.course_modules import course_of_file, course_of_module, import_course_module
from exercises.model import Exercise, all_exercises, load_exercise, reference_namespace, variant_params

DEMO_SECRET_NOTE = "no secret given: variants use an empty secret (pass --dlgrade-secret or set DLGRADE_SECRET)"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dlgrade", "grading notebooks with dlgrade checks")
    group.addoption("--dlgrade-notebook", metavar="PATH", help="grade this student notebook")
    group.addoption("--dlgrade-student", metavar="ID", default="instructor",
                    help="the student whose variant is graded (default: instructor)")
    group.addoption("--dlgrade-secret", metavar="SECRET", default=None,
                    help="the course secret (default: $DLGRADE_SECRET)")
    group.addoption("--dlgrade-sandbox", choices=("auto", "bwrap", "none"), default="auto",
                    help="how the notebook's code is isolated (default: auto)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points a check earns when it passes")
    config.addinivalue_line("markers", "hidden(hint): a check students never see; the hint is all a failure shows")
    config.stash[_POINTS] = []


_POINTS = pytest.StashKey[list]()


class CourseModule(pytest.Module):
    """A course's exercise module, imported by file path under the course's private package."""

    def _getobj(self) -> Any:
        return import_course_module(Path(self.path))


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if course_of_file(module_path) is None:
        return None
    return CourseModule.from_parent(parent, path=module_path)


def _exercise(request: pytest.FixtureRequest) -> Exercise:
    try:
        return load_exercise(request.module)
    except Exception as err:
        raise pytest.UsageError(f"{request.module.__name__} is not an exercise module: {err}") from err


def _secret(config: pytest.Config) -> bytes:
    secret = config.getoption("--dlgrade-secret") or os.environ.get("DLGRADE_SECRET", "")
    return secret.encode()


def _assignment_params(config: pytest.Config, exercise: Exercise) -> tuple[list[Exercise], dict[str, dict]]:
    known = all_exercises(course_of_module(exercise.module)).values()
    exercises = [e for e in known if e.assignment == exercise.assignment]
    student = config.getoption("--dlgrade-student")
    return exercises, {e.key: variant_params(e, _secret(config), student) for e in exercises}


@pytest.fixture(scope="module")
def params(request: pytest.FixtureRequest) -> dict:
    """The student's variant of this module's exercise."""
    exercise = _exercise(request)
    return _assignment_params(request.config, exercise)[1][exercise.key]


@pytest.fixture(scope="module")
def _model_answer(request: pytest.FixtureRequest) -> dict[str, Any]:
    exercise = _exercise(request)
    exercises, all_params = _assignment_params(request.config, exercise)
    return reference_namespace([e.solution_cell(all_params[e.key]) for e in exercises])


@pytest.fixture(scope="module")
def ref(_model_answer: dict[str, Any]) -> Any:
    """The model answer of the student's variant."""
    from autograder.grading.engine import ReferenceView
    return ReferenceView(_model_answer)


@pytest.fixture(scope="module")
def _worker(request: pytest.FixtureRequest) -> Iterator[Any]:
    notebook = request.config.getoption("--dlgrade-notebook")
    if not notebook:
        yield None
        return
    from autograder.sandbox.handle import StudentWorker
    from autograder.grading.submission import read_submission
    code = read_submission(Path(notebook), _exercise(request).assignment)
    with StudentWorker(sandbox=request.config.getoption("--dlgrade-sandbox")) as worker:
        worker.run_cells(list(code.cells))
        yield worker


@pytest.fixture
def record() -> list:
    """Where a check notes its answer as data for the class report (choice questions); kept nowhere here."""
    return []


@pytest.fixture
def student(_worker: Any, _model_answer: dict[str, Any]) -> Any:
    """The student's functions (the model answer when no notebook is given)."""
    if _worker is None:
        return LocalStudent(_model_answer)
    from autograder.grading.engine import WorkerStudent
    return WorkerStudent(_worker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("points")
    if marker is not None and report.when == "call":
        item.config.stash[_POINTS].append((item.nodeid, float(marker.args[0]), report.passed))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    rows = config.stash.get(_POINTS, [])
    if rows:
        earned = sum(points for _, points, passed in rows if passed)
        total = sum(points for _, points, _ in rows)
        terminalreporter.write_sep("=", f"dlgrade: {earned:g}/{total:g} points")
