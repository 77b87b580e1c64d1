"""Building the source notebook and releasing verified, leak-free student folders."""
from __future__ import annotations

import importlib.util
import inspect
import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.course.config import Assignment, Student, load_course, read_roster, resolve_secret
from autograder.grading.inkernel import run_hidden_checks
from autograder.course.notebooks import student_version
from autograder.course.release import ReleaseError, build_assignment, release_assignment
from exercises.dlcheck import from_jsonable
from tests.autograder.course import embedded_public_checks, strings_in
from exercises.model import (BEGIN_SOLUTION, END_SOLUTION, all_exercises, clear_solutions, get_exercise,
                             load_exercise, reference_namespace, strip_markers, variant_params)

REPORT = re.compile(r"^(.+): public checks ([\d.]+)/([\d.]+) points$", re.M)


def released_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def notebook_checks(path: Path) -> dict:
    """The public checks carried in the notebook at ``path``."""
    return embedded_public_checks(nbformat.read(path, as_version=4))


def sigmoid_params_json(path: Path) -> str:
    return json.dumps(notebook_checks(path)["exercises"]["a2.sigmoid"]["params"], sort_keys=True)


@pytest.fixture
def course(tiny_course):
    return load_course(tiny_course)


@pytest.fixture
def released(course):
    return release_assignment(course, "a2", read_roster(course.root / "roster.csv"))


# --------------------------------------------------------------------------
# What is written
# --------------------------------------------------------------------------
def test_build_writes_the_instructor_notebook_with_what_it_needs(course):
    """Does build write source/a2/a2.ipynb alone (solutions and hidden region in), carrying the instructor's checks?"""
    built = build_assignment(course, "a2")
    folder = course.root / "source" / "a2"
    assert built.notebook == folder / "a2.ipynb"
    assert sorted(p.name for p in folder.iterdir()) == ["a2.ipynb"]
    text = built.notebook.read_text()
    assert "### BEGIN SOLUTION" in text and "### BEGIN HIDDEN TESTS" in text
    nbformat.validate(nbformat.read(built.notebook, as_version=4))
    data = notebook_checks(built.notebook)
    assert (data["student"], data["assignment"]) == ("instructor", "a2")
    assert built.exercises == ("a2.sigmoid",) and built.points == 5


def test_release_writes_one_folder_per_student(course, released):
    """Does each student get exactly one file, their notebook, carrying the check library?"""
    assert [s.student for s in released.students] == ["ada01", "alan02", "grace03"]
    library = Path(inspect.getfile(from_jsonable)).read_text(encoding="utf-8")
    for entry in released.students:
        assert entry.folder == course.root / "release" / "a2" / entry.student
        assert sorted(p.name for p in entry.folder.iterdir()) == ["a2.ipynb"]
        notebook = nbformat.read(entry.notebook, as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata.dlgrade["student"] == entry.student
        (cell,) = [c for c in notebook.cells if c.metadata.dlgrade["role"] == "dlcheck"]
        assert f"r'''{library}'''" in cell.source


def test_public_checks_hold_the_students_variant(course, released):
    """Do the notebook's public checks carry the student's own variant (as the model draws it) and only public checks?"""
    secret = resolve_secret(course).value
    sigmoid = get_exercise("a2.sigmoid")
    for entry in released.students:
        data = notebook_checks(entry.notebook)
        assert (data["format"], data["assignment"], data["student"]) == (1, "a2", entry.student)
        exercise = data["exercises"]["a2.sigmoid"]
        assert exercise["title"] == sigmoid.title
        assert from_jsonable(exercise["params"]) == variant_params(sigmoid, secret, entry.student)
        assert [c["name"] for c in exercise["checks"]] == [c.name for c in sigmoid.public_checks]


def test_release_is_deterministic_and_students_differ(course, released):
    """Does a second release give identical bytes, while two students get different numbers?"""
    first = {s.student: released_files(s.folder) for s in released.students}
    again = release_assignment(course, "a2", read_roster(course.root / "roster.csv"))
    assert {s.student: released_files(s.folder) for s in again.students} == first
    params = [sigmoid_params_json(s.notebook) for s in released.students]
    assert len(set(params)) == len(params)
    assert first["ada01"]["a2.ipynb"] != first["alan02"]["a2.ipynb"]


def test_another_secret_gives_other_numbers(course, released, monkeypatch):
    """Does a different course secret change a student's variant?"""
    before = sigmoid_params_json(released.students[0].notebook)
    monkeypatch.setenv("DLGRADE_SECRET", "another-secret")
    again = release_assignment(course, "a2", read_roster(course.root / "roster.csv"))
    assert sigmoid_params_json(again.students[0].notebook) != before


# --------------------------------------------------------------------------
# Nothing hidden leaks
# --------------------------------------------------------------------------
def hidden_material(exercises: list, params: dict) -> set[str]:
    """Strings that must never appear in a student folder: hidden checks' names, source lines and hints,
    and the lines of the solution bodies (minus what the prompts, stubs, public checks and dlcheck.py
    legitimately ship: a convention the prompt or the stub's docstring states, such as
    `rng = np.random.default_rng(seed)`)."""
    public = "\n".join([c.source() for e in exercises for c in e.public_checks]
                       + [e.prompt(params[e.key]) for e in exercises]
                       + [clear_solutions(e.solution_cell(params[e.key])) for e in exercises]
                       + [Path(inspect.getfile(from_jsonable)).read_text(encoding="utf-8")])
    found = {"BEGIN HIDDEN", "END HIDDEN", "HIDDEN TESTS", BEGIN_SOLUTION, END_SOLUTION, "run_hidden_checks"}
    for exercise in exercises:
        for check in exercise.hidden_checks:
            found.add(check.name)
            found.add(check.hint)
            body = textwrap.dedent(inspect.getsource(check.function)).splitlines()
            found.update(line.strip() for line in body if not line.lstrip().startswith("@"))
        cell = exercise.solution_cell(params[exercise.key])
        region = re.findall(rf"{BEGIN_SOLUTION}\n(.*?)\n\s*{END_SOLUTION}", cell, re.S)
        found.update(line.strip() for block in region for line in block.splitlines()
                     if not line.strip().startswith("#"))
    return {s for s in found if len(s) >= 16 and s not in public}


def assert_no_hidden_material(folder: Path, exercises: list, params: dict) -> None:
    """Grep every file of the folder, and the decoded notebook cells and JSON, for hidden material."""
    texts = {name: data.decode("utf-8") for name, data in released_files(folder).items()}
    for name in list(texts):
        if name.endswith(".ipynb"):
            notebook = nbformat.reads(texts[name], as_version=4)
            texts[f"{name} (cells)"] = "\n".join(c.source for c in notebook.cells)
            texts[f"{name} (public checks)"] = "\n".join(strings_in(embedded_public_checks(notebook)))
        elif name.endswith(".json"):
            texts[f"{name} (decoded)"] = json.dumps(json.loads(texts[name]), ensure_ascii=False)
    for needle in hidden_material(exercises, params):
        for name, text in texts.items():
            assert needle not in text, f"{needle!r} leaked into {folder / name}"


def test_released_folder_holds_nothing_hidden(course, released):
    """Is no hidden check (name, source line, hint), solution line or hidden marker anywhere in the folder?"""
    secret = resolve_secret(course).value
    sigmoid = get_exercise("a2.sigmoid")
    for entry in released.students:
        params = {"a2.sigmoid": variant_params(sigmoid, secret, entry.student)}
        assert_no_hidden_material(entry.folder, [sigmoid], params)


def test_the_leak_grep_catches_the_instructors_folder(course):
    """Would the grep find a leak? (the source folder holds the solutions and hidden region: it must fail)"""
    build_assignment(course, "a2")
    sigmoid = get_exercise("a2.sigmoid")
    params = {"a2.sigmoid": variant_params(sigmoid, resolve_secret(course).value, "instructor")}
    with pytest.raises(AssertionError, match="leaked into"):
        assert_no_hidden_material(course.root / "source" / "a2", [sigmoid], params)


def every_assignment() -> list[str]:
    return sorted({e.assignment for e in all_exercises().values()})


@pytest.mark.parametrize("assignment", every_assignment())
def test_every_existing_assignment_releases_without_leaks(tiny_course, assignment):
    """For every assignment that has exercise modules, is one student's release verified and leak-free?"""
    course = load_course(tiny_course)
    due = course.assignments[0].due
    target = Assignment(assignment, f"Assignment {assignment}", due)
    chosen = [e for e in all_exercises().values() if e.assignment == assignment]
    release = release_assignment(course, target, [Student("ada01")], exercises=chosen)
    secret = resolve_secret(course).value
    params = {e.key: variant_params(e, secret, "ada01") for e in chosen}
    assert_no_hidden_material(release.students[0].folder, chosen, params)


# --------------------------------------------------------------------------
# Release refuses a wrong model answer or a stub that scores
# --------------------------------------------------------------------------
BROKEN_MODULE = '''
import pytest
from exercises.dlcheck import expect_close

ASSIGNMENT = "a2"
TITLE = "Broken on purpose"
CONCEPT = "a model answer that {what}"


def double(x):
    """Twice x."""
    return {body}


def prompt(params):
    return "Implement `double(x)`."


SOLUTION = [double]


@pytest.mark.points(1)
def test_double_of_three(student):
    expect_close(student.double(3.0), 6.0, what="double(3.0)")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="twice")
def test_{check_name}(student):
    {hidden_check}
'''


def fake_exercise(tmp_path: Path, **parts: str):
    """An exercise module written to a file and loaded like the real ones."""
    path = tmp_path / "a2_broken.py"
    path.write_text(BROKEN_MODULE.format(**parts), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("a2_broken", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return load_exercise(module)


def test_release_refuses_a_model_answer_that_misses_a_point(course, tmp_path):
    """Does release refuse, naming the student, exercise and check, when the model answer fails a check?"""
    broken = fake_exercise(tmp_path, what="is wrong", body="3 * x", check_name="double_of_minus_one",
                           hidden_check='expect_close(student.double(-1.0), -2.0, what="double(-1.0)")')
    roster = read_roster(course.root / "roster.csv")
    with pytest.raises(ReleaseError, match=r"student 'ada01'.*\n.*a2\.broken::test_double_of_three fails "
                                           r"on the model answer") as raised:
        release_assignment(course, "a2", roster, exercises=[get_exercise("a2.sigmoid"), broken])
    assert "nothing was written" in str(raised.value)
    assert not (course.root / "release").exists()


def test_release_refuses_a_stub_that_earns_a_point(course, tmp_path):
    """Does release refuse when the untouched stub passes a check (a check that cannot fail)?"""
    lenient = fake_exercise(tmp_path, what="is fine", body="2 * x", check_name="always_passes",
                            hidden_check="pass")
    with pytest.raises(ReleaseError, match=r"a2\.broken::test_always_passes passes on the untouched stub"):
        release_assignment(course, "a2", [Student("ada01")], exercises=[lenient])
    assert not (course.root / "release").exists()


# --------------------------------------------------------------------------
# The in-kernel path for nbgrader's autograde
# --------------------------------------------------------------------------
def test_inkernel_checks_pass_the_model_answer_and_fail_the_stub(course, released):
    """With a released notebook's public checks, do run_hidden_checks accept the model answer and reject
    the stub, listing checks?"""
    data = notebook_checks(released.students[0].notebook)
    params = from_jsonable(data["exercises"]["a2.sigmoid"]["params"])
    cell = get_exercise("a2.sigmoid").solution_cell(params)
    run_hidden_checks("a2.sigmoid", reference_namespace([cell]), data)
    with pytest.raises(AssertionError, match=r"5 of 5 checks failed") as raised:
        run_hidden_checks("a2.sigmoid", reference_namespace([clear_solutions(cell)]), data)
    assert "sigmoid is stable for large inputs (1 pt): (hidden check)" in str(raised.value)


def test_inkernel_failures_of_hidden_checks_show_only_the_hint(released):
    """Does a hidden check's failure show its name and hint but not its inputs?"""
    data = notebook_checks(released.students[0].notebook)
    naive = "def sigmoid(z):\n    e = np.exp(np.asarray(z, dtype=float))\n    return e / (1.0 + e)\n"  # nan at 1e4
    with pytest.raises(AssertionError) as raised:
        run_hidden_checks("a2.sigmoid", reference_namespace([naive]), data)
    text = str(raised.value)
    assert "1 of 5 checks failed" in text and "sigmoid is stable for large inputs" in text
    assert "hint: σ(z) must stay finite" in text
    assert "750" not in text and "1e4" not in text.replace("up to 1e4", "")


# --------------------------------------------------------------------------
# nbgrader itself, and real Jupyter kernels
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_nbgrader_generate_assignment_and_autograde_accept_our_notebooks(course, tool_env):
    """Does nbgrader's own generate_assignment accept the source (clearing it exactly as we do), and its
    autograde give a student's model answer full marks through the in-kernel hidden checks?"""
    sigmoid = get_exercise("a2.sigmoid")
    release = release_assignment(course, "a2", [Student("ada01")])
    submitted = course.root / "submitted" / "ada01" / "a2"
    shutil.copytree(release.students[0].folder, submitted)
    params = variant_params(sigmoid, resolve_secret(course).value, "ada01")
    answer = nbformat.read(submitted / "a2.ipynb", as_version=4)
    for cell in answer.cells:
        if cell.metadata["dlgrade"]["role"] == "solution":
            cell.source = strip_markers(sigmoid.solution_cell(params))
    nbformat.write(answer, submitted / "a2.ipynb")
    built = build_assignment(course, "a2")

    def nbgrader(*args: str) -> None:
        run = subprocess.run(["nbgrader", *args], cwd=course.root, env=tool_env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr

    nbgrader("generate_assignment", "a2", "--force")
    theirs = nbformat.read(course.root / "release" / "a2" / "a2.ipynb", as_version=4)
    ours = student_version(nbformat.read(built.notebook, as_version=4), "instructor", {})
    assert [c.source for c in theirs.cells] == [c.source for c in ours.cells]
    assert [c.metadata.get("nbgrader") for c in theirs.cells] == [c.metadata.get("nbgrader") for c in ours.cells]
    nbgrader("autograde", "a2", "--create")
    autograded = nbformat.read(course.root / "autograded" / "ada01" / "a2" / "a2.ipynb", as_version=4)
    assert embedded_public_checks(autograded) == embedded_public_checks(answer), \
        "autograde replaced the student's variant by the instructor's (the dlcheck cell must not be an nbgrader cell)"
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission("a2", "ada01")
        assert submission.max_score == 5
        assert submission.score == 5


def execute(path: Path, *, replace_solutions: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a python3 kernel in its folder; errors fail (allow_errors=False)."""
    from nbclient import NotebookClient
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        exercise = cell.metadata.get("dlgrade", {}).get("exercise")
        if replace_solutions and cell.metadata["dlgrade"]["role"] == "solution":
            cell.source = replace_solutions[exercise]
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def check_reports(notebook: nbformat.NotebookNode) -> list[tuple[float, float, str]]:
    """(earned, total, text) printed by each check cell."""
    found = []
    for cell in notebook.cells:
        if cell.metadata.get("dlgrade", {}).get("role") == "check":
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            match = REPORT.search(text)
            assert match, f"no report under {cell.id}: {text!r}"
            found.append((float(match[2]), float(match[3]), text))
    return found


def cell_errors(notebook: nbformat.NotebookNode) -> dict[str, list[tuple[str, str]]]:
    """(ename, evalue) of every error output, by cell role."""
    found: dict[str, list[tuple[str, str]]] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.setdefault(cell.metadata["dlgrade"]["role"], []).append((output.ename, output.evalue))
    return found


@pytest.mark.slow
def test_released_stub_notebook_runs_and_reports_failures(released):
    """Run top to bottom in a real kernel, does the stub notebook finish, its check cells print failures
    and then raise AssertionError with the summary?"""
    notebook = execute(released.students[0].notebook)
    (earned, total, text), = check_reports(notebook)
    assert earned == 0 and total == 3
    assert text.count("✘") == 3 and "NotImplementedError" in text
    assert cell_errors(notebook)["check"] == [
        ("AssertionError", "The sigmoid function: not attempted yet (the answer cell still holds its "
                           "stub); 0/3 public points (see the report above)")]


WRONG_SIGMOID = "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))\n"


def alone(notebook: Path, folder: Path, answer: str | None = None) -> Path:
    """A copy of ``notebook`` as the only file of the new ``folder``, with ``answer`` in its solution cell."""
    folder.mkdir()
    copy = nbformat.read(notebook, as_version=4)
    for cell in copy.cells:
        if answer is not None and cell.metadata["dlgrade"]["role"] == "solution":
            cell.source = answer
    nbformat.write(copy, folder / notebook.name)
    return folder / notebook.name


def model_answer(course, student: str) -> str:
    sigmoid = get_exercise("a2.sigmoid")
    return strip_markers(sigmoid.solution_cell(variant_params(sigmoid, resolve_secret(course).value, student)))


@pytest.mark.slow
def test_released_notebook_works_alone_in_an_empty_folder(course, released, tmp_path):
    """Copied alone into an empty folder and run in a fresh kernel, do the check cells pass the model
    answer without an exception, and raise AssertionError with the summary on the blank and a wrong one?"""
    entry = released.students[2]
    model = execute(alone(entry.notebook, tmp_path / "model", model_answer(course, entry.student)))
    assert [(earned, total) for earned, total, _ in check_reports(model)] == [(3, 3)]
    assert cell_errors(model) == {}
    blank = execute(alone(entry.notebook, tmp_path / "blank"))
    assert [e for e, _ in cell_errors(blank)["check"]] == ["AssertionError"]
    assert "not attempted yet" in cell_errors(blank)["check"][0][1]
    wrong = execute(alone(entry.notebook, tmp_path / "wrong", WRONG_SIGMOID))
    assert cell_errors(wrong) == {"check": [("AssertionError", "The sigmoid function: 2 of 3 public checks "
                                                              "failed; 1/3 public points (see the report above)")]}
    assert [sorted(p.name for p in (tmp_path / f).iterdir()) for f in ("model", "blank", "wrong")] == \
        [["a2.ipynb"]] * 3, "running the notebook wrote files beside it"


@pytest.mark.slow
def test_nbgrader_validate_tells_the_truth_about_a_released_notebook(course, released, tmp_path, tool_env):
    """Does nbgrader's own validate, on a released notebook alone in a folder, fail the blank and a wrong
    answer and pass the model answer?"""
    entry = released.students[0]

    def validate(path: Path) -> str:
        run = subprocess.run(["nbgrader", "validate", str(path)], cwd=path.parent, env=tool_env,
                             capture_output=True, text=True, timeout=300)
        return run.stdout + run.stderr

    for name, answer in (("blank", None), ("wrong", WRONG_SIGMOID)):
        said = validate(alone(entry.notebook, tmp_path / name, answer))
        assert "VALIDATION FAILED ON 1 CELL(S)!" in said and "Success!" not in said, said
        assert "public checks failed" in said or "not attempted yet" in said, said
    said = validate(alone(entry.notebook, tmp_path / "model", model_answer(course, entry.student)))
    assert "Success! Your notebook passes all the tests." in said, said


@pytest.mark.slow
def test_released_notebook_with_the_model_answer_passes_every_public_check(course, released):
    """With the model answer pasted into the solution cells, does every public check pass in a real kernel?"""
    entry = released.students[1]
    secret = resolve_secret(course).value
    sigmoid = get_exercise("a2.sigmoid")
    answer = strip_markers(sigmoid.solution_cell(variant_params(sigmoid, secret, entry.student)))
    notebook = execute(entry.notebook, replace_solutions={"a2.sigmoid": answer})
    assert [(earned, total) for earned, total, _ in check_reports(notebook)] == [(3, 3)]


@pytest.mark.slow
def test_source_notebook_runs_its_hidden_region_in_the_kernel(course):
    """Does the instructor's source notebook run top to bottom, hidden checks included, without an error?"""
    built = build_assignment(course, "a2")
    notebook = execute(built.notebook)
    (earned, total, _), = check_reports(notebook)
    assert earned == total == 3


@pytest.mark.slow
@pytest.mark.parametrize("assignment", every_assignment())
def test_every_existing_assignment_stub_notebook_runs_to_the_end(tiny_course, assignment):
    """For every assignment with modules, does the released stub notebook run to the end with a report per
    exercise graded by checks (a written answer has no check cell: a grader scores it)?"""
    course = load_course(tiny_course)
    chosen = [e for e in all_exercises().values() if e.assignment == assignment]
    target = Assignment(assignment, assignment, course.assignments[0].due)
    release = release_assignment(course, target, [Student("ada01")], exercises=chosen)
    reports = check_reports(execute(release.students[0].notebook))
    assert len(reports) == len([e for e in chosen if not e.written])
    assert all(earned == 0 for earned, _, _ in reports)
