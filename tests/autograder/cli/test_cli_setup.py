"""`grade init` and `grade new-exercise`, end to end as a new instructor in an empty folder."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner, Result

from autograder.cli.main import main
from autograder.grading.results import read_result

MODEL_ANSWERS = {
    "hw1.weighted_sum": "import numpy as np\n\ndef weighted_sum(w, x, b):\n    return float(np.dot(w, x) + b)\n",
    "hw1.relu": "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0.0)\n",
}
WRONG_RELU = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0.0) + 1.0\n"


@pytest.fixture()
def instructor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder and home folder, no secret in the environment."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def grade(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def hand_in(course: Path, student: str, answers: dict[str, str]) -> None:
    """The student's released hw1 notebook with ``answers`` (by exercise key) in its solution cells."""
    nb = nbformat.read(course / "release" / "hw1" / student / "hw1.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        for key, code in answers.items():
            if grade_id == f"{key.replace('.', '_')}_solution":
                cell.source = code
    folder = course / "submitted" / student / "hw1"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "hw1.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-01T10:00:00+00:00\n")


def test_a_new_instructor_builds_releases_and_grades_a_course_of_their_own(instructor: Path) -> None:
    """From an empty folder: init, new-exercise relu, fill in its model answer, build, release, hand
    in, autograde: full marks for the model answer, the relu points lost for a wrong relu; then a
    library exercise added to hw1 is built too."""
    assert grade("init", "dl2027").exit_code == 0
    course = instructor / "dl2027"
    os.chdir(course)
    result = grade("new-exercise", "relu", "--assignment", "hw1")
    assert result.exit_code == 0, result.output
    assert "exercises/relu.py: added to hw1" in result.output
    module = course / "exercises" / "relu.py"
    refused = grade("build", "hw1")
    assert refused.exit_code == 1 and "hw1.relu::test_relu_on_your_input fails on the model answer" in refused.output
    module.write_text(module.read_text().replace('raise NotImplementedError("write the model answer of relu here")',
                                                 "return np.maximum(x, 0.0)"))
    built = grade("build", "hw1")
    assert built.exit_code == 0, built.output
    assert "2 exercises, 4 points" in built.output and "hw1.weighted_sum" in built.output
    (course / "roster.csv").write_text("id\nada\nbob\n")
    released = grade("release", "hw1")
    assert released.exit_code == 0 and "released to 2 students" in released.output, released.output
    hand_in(course, "ada", MODEL_ANSWERS)
    hand_in(course, "bob", {**MODEL_ANSWERS, "hw1.relu": WRONG_RELU})
    graded = grade("autograde", "hw1", "--sandbox", "none", "--jobs", "2")
    assert graded.exit_code == 0, graded.output
    ada = read_result(course / "autograded" / "ada" / "hw1" / "results.json")
    bob = read_result(course / "autograded" / "bob" / "hw1" / "results.json")
    assert (ada.points, ada.max_points) == (4.0, 4.0)
    assert (bob.points, bob.max_points) == (2.0, 4.0)

    toml = course / "course.toml"
    toml.write_text(toml.read_text().replace('exercises = ["weighted_sum", "relu"]',
                                             'exercises = ["weighted_sum", "relu", "a2_sigmoid"]'))
    rebuilt = grade("build", "hw1")
    assert rebuilt.exit_code == 0 and "3 exercises, 9 points" in rebuilt.output and "a2.sigmoid" in rebuilt.output


def test_init_refuses_an_existing_course_and_writes_nothing(instructor: Path) -> None:
    """Does `grade init` on a course folder, or on a folder holding files, refuse and change nothing?"""
    assert grade("init", "c").exit_code == 0
    before = sorted(p.relative_to(instructor) for p in instructor.rglob("*"))
    again = grade("init", "c")
    assert again.exit_code == 1 and "is a course already" in again.output and "nothing was written" in again.output
    (instructor / "notes").mkdir()
    (instructor / "notes" / "todo.txt").write_text("x")
    busy = grade("init", "notes")
    assert busy.exit_code == 1 and "not an empty folder" in busy.output
    assert sorted(p.relative_to(instructor) for p in instructor.rglob("*")) == before + [Path("notes"),
                                                                                        Path("notes/todo.txt")]


@pytest.mark.parametrize("args, expected", [
    (["new-exercise", "weighted_sum", "--assignment", "hw1"], "exists already"),
    (["new-exercise", "ReLU", "--assignment", "hw1"], "must be a lower-case Python name"),
    (["new-exercise", "relu", "--assignment", "hw9"], "no assignment 'hw9'"),
    (["new-exercise", "sigmoid", "--assignment", "a2"], "no assignment 'a2'"),
])
def test_new_exercise_refuses_bad_input_and_writes_nothing(instructor: Path, args: list[str], expected: str) -> None:
    """Does new-exercise with a taken or bad id, or an unknown assignment, say so and leave the course as it was?"""
    assert grade("init", "c").exit_code == 0
    course = instructor / "c"
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    result = grade("--course", str(course), *args)
    assert result.exit_code == 1 and expected in result.output
    assert {p: p.read_bytes() for p in course.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("roster, expected", [
    ("id,section\nada,B\n", "line 1: unknown column 'section'"),
    ("id\nada\nada\n", "line 3: student id 'ada' already appears on line 2"),
    ("id,first_name\nada,Ada\n,Bob\n", "line 3: the id is empty"),
    ("id,first_name\nzoë,Zoë\n", "line 2: student id 'zoë' has non-ASCII characters"),
])
def test_a_bad_roster_stops_the_release_before_anything_is_written(instructor: Path, roster: str,
                                                                   expected: str) -> None:
    """Does each roster mistake name the file and line, and leave release/ unwritten?"""
    assert grade("init", "c").exit_code == 0
    course = instructor / "c"
    (course / "roster.csv").write_text(roster, encoding="utf-8")
    result = grade("--course", str(course), "release", "hw1")
    assert result.exit_code == 2 and f"{course / 'roster.csv'} {expected}" in " ".join(result.output.split())
    assert not (course / "release").exists()


def _syntax_error(exercises: Path) -> str:
    module = exercises / "weighted_sum.py"
    lines = module.read_text().splitlines()
    line = lines.index("SOLUTION = [weighted_sum]") + 1
    lines[line - 1] = "SOLUTION = [weighted_sum))"
    module.write_text("\n".join(lines) + "\n")
    return f"{module}, line {line}: SyntaxError"


def _same_id_twice(exercises: Path) -> str:
    (exercises / "hw1_weighted_sum.py").write_bytes((exercises / "weighted_sum.py").read_bytes())
    return (f"{exercises / 'weighted_sum.py'} and {exercises / 'hw1_weighted_sum.py'} both define exercise "
            "'hw1.weighted_sum'")


def _no_solution(exercises: Path) -> str:
    module = exercises / "weighted_sum.py"
    module.write_text(module.read_text().replace("SOLUTION = [weighted_sum]\n", ""))
    return f"{module} defines neither SOLUTION"


@pytest.mark.parametrize("break_it", [_syntax_error, _same_id_twice, _no_solution])
def test_a_broken_course_module_is_named_and_nothing_is_built(instructor: Path, break_it) -> None:
    """Does a syntax error, a second module with the same id, or a missing SOLUTION fail `grade build`
    with the file (and line), writing nothing?"""
    assert grade("init", "c").exit_code == 0
    course = instructor / "c"
    expected = break_it(course / "exercises")
    result = grade("--course", str(course), "build", "hw1")
    assert result.exit_code == 1 and expected in " ".join(result.output.split())
    assert not (course / "source").exists()


def test_init_and_new_exercise_have_help_with_an_example() -> None:
    """Does each command's --help show an example?"""
    for command in ("init", "new-exercise"):
        result = grade(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output and f"grade {command}" in result.output
