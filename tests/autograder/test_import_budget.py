"""What the commands where one person waits import: never the heavy libraries they do not use.

Each case runs in a fresh interpreter and asserts on ``sys.modules`` after the
work is done (never on time: the seconds are in ``bench/one_notebook.py``).
``grade --help`` lists the commands without importing them; grading one
notebook reads its JSON without nbformat (and so without jsonschema) and
keeps figures as data (no matplotlib). ``grade autograde --student`` imports
nothing heavy until it writes the gradebook, then nbgrader's gradebook API but
none of nbgrader's server side; an unchanged re-run never opens the gradebook.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
HELP_NEVER = ("nbformat", "jsonschema", "matplotlib", "nbgrader", "sqlalchemy")
GRADING_NEVER = ("jsonschema", "matplotlib", "nbformat", "nbgrader", "sqlalchemy")
SERVER_SIDE = ("nbgrader.server_extensions", "nbgrader.apps", "nbgrader.exchange", "nbgrader.preprocessors",
               "nbconvert", "tornado.web", "matplotlib")

REPORT = """
import json, sys
print("MODULES=" + json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_by(code: str, cwd: Path, keep: tuple[str, ...] = ()) -> Any:
    """The top-level packages in ``sys.modules`` after ``code`` ran in a fresh interpreter; with
    ``keep``, a dict of them (``"MODULES="``) and of the JSON of each line ``code`` printed starting
    with a ``keep`` prefix."""
    env = {key: value for key, value in os.environ.items() if key != "DLGRADE_SECRET"}
    done = subprocess.run([sys.executable, "-c", code + REPORT], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = {prefix: json.loads(line.removeprefix(prefix)) for line in done.stdout.splitlines()
             for prefix in ("MODULES=", *keep) if line.startswith(prefix)}
    modules = set(found.pop("MODULES="))
    return dict(found, **{"MODULES=": modules}) if keep else modules


@pytest.fixture
def model_answer(tiny_course: Path) -> Path:
    """The tiny course's a2 notebook for ada01 with the model answer in it (the source notebook)."""
    import nbformat

    from autograder.course.config import assignment_exercises, load_course, resolve_secret
    from autograder.course.notebooks import build_notebook
    from exercises.model import variant_params

    course = load_course(tiny_course)
    assignment = course.assignment("a2")
    exercises = assignment_exercises(assignment)
    secret = resolve_secret(course, {}).value
    notebook = build_notebook(course.name, assignment, exercises,
                              {e.key: variant_params(e, secret, "ada01") for e in exercises})
    notebook.metadata.setdefault("dlgrade", {})["student"] = "ada01"
    path = tiny_course / "ada01-a2.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return path


def test_help_imports_no_heavy_library(tmp_path):
    """Does `grade --help` list every command without importing nbformat, jsonschema, matplotlib,
    nbgrader or SQLAlchemy?"""
    modules = imported_by("""
from click.testing import CliRunner
from autograder.cli.main import main
result = CliRunner().invoke(main, ["--help"])
assert result.exit_code == 0 and "autograde" in result.output and "ci" in result.output, result.output
""", tmp_path)
    assert not modules & set(HELP_NEVER)


def test_grading_one_notebook_imports_no_validator_or_plotting(model_answer, tiny_course):
    """Does grade_notebook on a model answer grade it fully without jsonschema, matplotlib, nbformat,
    nbgrader or SQLAlchemy?"""
    modules = imported_by(f"""
from autograder.course.config import assignment_exercises, load_course, resolve_secret
from autograder.grading.engine import grade_notebook
course = load_course({str(tiny_course)!r})
result = grade_notebook({str(model_answer)!r}, assignment="a2", student="ada01",
                        exercises=assignment_exercises(course.assignment("a2")),
                        secret=resolve_secret(course, {{}}).value)
assert not result.error and result.points == result.max_points > 0, result
""", tiny_course)
    assert not modules & set(GRADING_NEVER)


def test_grade_ci_imports_no_validator_or_plotting(model_answer, tiny_course):
    """Does `grade ci` on a model answer grade it fully without jsonschema, matplotlib, nbformat,
    nbgrader or SQLAlchemy?"""
    modules = imported_by(f"""
from click.testing import CliRunner
from autograder.cli.main import main
result = CliRunner().invoke(main, ["ci", {str(model_answer)!r}, "--assignment", "a2", "--student", "ada01",
                                   "--course", {str(tiny_course)!r}, "--format", "junit",
                                   "--out", {str(tiny_course / "out")!r}])
assert result.exit_code == 0 and "5/5 points" in result.output, result.output
""", tiny_course)
    assert not modules & set(GRADING_NEVER)


def test_the_grade_command_never_compiles_the_iri_grammar() -> None:
    """When a `grade` command opens the gradebook (nbgrader -> nbformat -> jsonschema), is
    rfc3987_syntax (a grammar compiled at import, ~0.7 s: more than grading a notebook) left out,
    and does nbformat still validate a notebook?"""
    script = ("import sys, autograder.cli.main, nbgrader.api, nbformat\n"
              "nbformat.validate(nbformat.v4.new_notebook())\n"
              "print(sys.modules.get('rfc3987_syntax', 'absent'))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"


@pytest.fixture
def handed_in(model_answer: Path, tiny_course: Path) -> Path:
    """The tiny course with ada01's model answer handed in for a2."""
    folder = tiny_course / "submitted" / "ada01" / "a2"
    folder.mkdir(parents=True)
    (folder / "a2.ipynb").write_bytes(model_answer.read_bytes())
    return tiny_course


def test_autograde_imports_nothing_heavy_until_the_gradebook_write(handed_in):
    """Does grading one hand-in with grade_and_record get to the gradebook write (the gradebook on
    demand being opened) without importing jsonschema, matplotlib, nbformat, nbgrader or SQLAlchemy,
    and then record it with nbgrader's gradebook API but none of nbgrader's server side?"""
    modules = imported_by(f"""
import json, sys
from autograder.course.autograde import GradebookOnDemand, grade_and_record
from autograder.course.config import assignment_exercises, load_course, read_roster, resolve_secret
from autograder.grading.batch import find_submissions
course = load_course({str(handed_in)!r})
a2 = course.assignment("a2")
exercises = assignment_exercises(a2)
roster = {{s.id: s for s in read_roster(course.root / "roster.csv")}}
before = []

def opener():
    before.extend(sorted({{name.split(".")[0] for name in sys.modules}}))
    from autograder.course.gradebook import open_gradebook
    return open_gradebook(course)
book = GradebookOnDemand(opener, course=course, assignment=a2, roster=roster, exercises=exercises)
rows = grade_and_record(book, course=course, assignment=a2, roster=roster,
                        submissions=find_submissions(course.root / "submitted", "a2"), exercises=exercises,
                        secret=resolve_secret(course, {{}}).value, jobs=1, force=False, sandbox="none")
book.close()
assert [(r.status, r.points) for r in rows] == [("graded", rows[0].max_points)], rows
print("BEFORE=" + json.dumps(before))
print("SERVER=" + json.dumps(sorted(m for m in sys.modules if m.startswith({SERVER_SIDE!r}))))
""", handed_in, keep=("BEFORE=", "SERVER="))
    assert modules["BEFORE="] and not set(modules["BEFORE="]) & set(GRADING_NEVER)
    assert modules["SERVER="] == []
    assert {"nbgrader", "sqlalchemy"} <= modules["MODULES="]


def test_an_unchanged_autograde_rerun_never_opens_the_gradebook(handed_in):
    """Does `grade autograde a2 --student ada01` run again on the same hand-in report it unchanged
    without importing nbgrader, SQLAlchemy, nbformat, jsonschema or matplotlib?"""
    command = f"""
from click.testing import CliRunner
from autograder.cli.main import main
result = CliRunner().invoke(main, ["--course", {str(handed_in)!r}, "autograde", "a2", "--student", "ada01",
                                   "--sandbox", "none"])
assert result.exit_code == 0, result.output
print("OUTPUT=" + __import__("json").dumps(result.output))
"""
    first = imported_by(command, handed_in, keep=("OUTPUT=",))
    assert "graded 1, unchanged 0" in first["OUTPUT="] and "nbgrader" in first["MODULES="]
    again = imported_by(command, handed_in, keep=("OUTPUT=",))
    assert "graded 0, unchanged 1" in again["OUTPUT="]
    assert not again["MODULES="] & set(GRADING_NEVER)
