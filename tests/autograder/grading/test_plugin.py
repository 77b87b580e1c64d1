"""The pytest plugin: exercise modules run as pytest test files, against the model answer or a notebook."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import exercises

pytest_plugins = ["pytester"]

SIGMOID = Path(exercises.__file__).with_name("a2_sigmoid.py")
SOLUTION_META = {"nbgrader": {"solution": True, "grade": False, "locked": False,
                              "grade_id": "answer", "schema_version": 3}}


def notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"dlgrade": {"assignment": "a2"}})
    nb.cells = [nbformat.v4.new_code_cell(code, metadata=SOLUTION_META)]
    nbformat.write(nb, path)
    return path


def test_checks_pass_on_the_model_answer(pytester: pytest.Pytester) -> None:
    """Does `pytest exercises/a2_sigmoid.py` run every check against the model answer and add up the points?"""
    result = pytester.runpytest_subprocess(str(SIGMOID), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*dlgrade: 5/5 points*"])


def test_a_notebook_is_graded_through_the_sandbox(pytester: pytest.Pytester) -> None:
    """With --dlgrade-notebook, do the checks judge the notebook's functions (σ(−z) loses the value checks)?"""
    wrong = notebook(pytester.path / "alice.ipynb",
                     "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(np.asarray(z, dtype=float)))\n")
    result = pytester.runpytest_subprocess(str(SIGMOID), "-p", "no:cacheprovider",
                                           "--dlgrade-notebook", str(wrong), "--dlgrade-student", "alice",
                                           "--dlgrade-sandbox", "none")
    result.assert_outcomes(passed=1, failed=4)
    result.stdout.fnmatch_lines(["*This is σ(−z)*", "*dlgrade: 1/5 points*"])


def test_points_and_hidden_markers_are_registered(pytester: pytest.Pytester) -> None:
    """Are the `points` and `hidden` markers known to pytest (no unknown-marker warning under --strict-markers)?"""
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["*points(n)*", "*hidden(hint)*"])


def test_a_course_module_runs_its_checks_against_its_model_answer(pytester: pytest.Pytester) -> None:
    """Does `pytest <course>/exercises/relu.py` import a course's own module (relative import of a
    course reference module included) and run its checks against its model answer?"""
    from tests.exercises.test_course_modules import relu
    folder = pytester.path / "c1"
    (folder / "exercises").mkdir(parents=True)
    (folder / "course.toml").write_text('[course]\nname = "C"\nid = "c"\ndemo_secret = "s"\n\n'
                                        '[[assignments]]\nid = "hw1"\ntitle = "H"\n'
                                        'due = "2026-03-06T23:59:00+01:00"\n')
    (folder / "exercises" / "my_reference.py").write_text("import numpy as np\n\n\ndef relu(x):\n"
                                                          "    return np.maximum(np.asarray(x, dtype=float), 0.0)\n")
    (folder / "exercises" / "relu.py").write_text(relu() + "\nfrom .my_reference import relu\n")
    result = pytester.runpytest_subprocess(str(folder / "exercises" / "relu.py"), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*dlgrade: 3/3 points*"])
