"""The source notebook (nbgrader format) and the student's version of it."""
from __future__ import annotations

import copy
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbgrader.nbgraderformat import MetadataValidator

from autograder.course.config import Assignment
from autograder.course.notebooks import (NotebookError, build_notebook, check_library_source, notebook_bytes,
                                         public_checks, student_version, variant_digest)
from autograder.grading.submission import read_submission
from exercises import dlcheck
from exercises.model import get_exercise, strip_markers
from tests.autograder.course import module_defined_by

GOLDEN = Path(__file__).parent / "golden"
A2 = Assignment("a2", "The sigmoid neuron and gradient descent",
                datetime.fromisoformat("2026-03-06T23:59:00+01:00"), ("sigmoid",))
PARAMS = {"a2.sigmoid": {"z": [1.25, -3.5, 0.75]}}
HIDDEN_REGION = ["### BEGIN HIDDEN TESTS",
                 "# nbgrader's autograde only: every check of the exercise, run in this kernel",
                 "import dlcheck",
                 "from autograder.grading.inkernel import run_hidden_checks",
                 'run_hidden_checks("a2.sigmoid", globals(), dlcheck.PUBLIC_CHECKS)',
                 "### END HIDDEN TESTS"]
PUBLIC_LINES = ["from dlcheck import check", 'check("a2.sigmoid", globals());']


@pytest.fixture(scope="module")
def source() -> nbformat.NotebookNode:
    return build_notebook("Test course", A2, [get_exercise("a2.sigmoid")], PARAMS)


@pytest.fixture(scope="module")
def student(source) -> nbformat.NotebookNode:
    return student_version(source, "ada01", PARAMS)


def roles(notebook: nbformat.NotebookNode) -> list[str]:
    return [c.metadata["dlgrade"]["role"] for c in notebook.cells]


def by_role(notebook: nbformat.NotebookNode, role: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in notebook.cells if c.metadata["dlgrade"]["role"] == role]
    return cell


LIBRARY = Path(dlcheck.__file__).read_text(encoding="utf-8")


def without_library(notebook: nbformat.NotebookNode) -> bytes:
    """The notebook's bytes with the check library's source (exercises/dlcheck.py) in the dlcheck cell
    replaced by a placeholder: the golden files review the layout, and a change to the library does not
    make them stale (test_dlcheck_cell_defines_the_library_and_leaves_no_names checks that part)."""
    notebook = copy.deepcopy(notebook)
    cell = by_role(notebook, "dlcheck")
    assert LIBRARY in cell.source
    cell.source = cell.source.replace(LIBRARY, "<the source of exercises/dlcheck.py>")
    return notebook_bytes(notebook)


def test_source_notebook_matches_its_golden_file(source, golden):
    """Is the rendered source notebook (library source aside) byte for byte the reviewed golden file?"""
    golden(GOLDEN / "a2_sigmoid_source.ipynb", without_library(source))


def test_student_notebook_matches_its_golden_file(student, golden):
    """Is the rendered student notebook (library source aside) byte for byte the reviewed golden file?"""
    golden(GOLDEN / "a2_sigmoid_student.ipynb", without_library(student))


@pytest.mark.parametrize("which", ["source", "student"])
def test_notebooks_validate_with_nbformat_and_nbgrader(which, request):
    """Do both notebooks pass nbformat's schema and nbgrader's cell metadata schema v3?"""
    notebook = request.getfixturevalue(which)
    nbformat.validate(notebook)
    MetadataValidator().validate_nb(notebook)
    assert all(c.metadata["nbgrader"]["schema_version"] == 3
               for c in notebook.cells if "nbgrader" in c.metadata)


def test_source_has_the_cells_in_order_with_unique_ids(source):
    """Does the source read intro, setup, prompt, solution, check, with grade ids unique and = cell ids?"""
    assert roles(source) == ["intro", "dlcheck", "setup", "prompt", "solution", "check"]
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in source.cells if "nbgrader" in c.metadata]
    assert len(set(grade_ids)) == len(grade_ids) == 4
    assert all(c.id == c.metadata["nbgrader"]["grade_id"] for c in source.cells if "nbgrader" in c.metadata)
    assert source.metadata.kernelspec.name == "python3"
    assert source.metadata.dlgrade == {"assignment": "a2", "format": 1, "exercises": ["a2.sigmoid"]}
    assert "student" not in source.metadata.dlgrade


def test_source_cells_carry_nbgrader_roles_and_points(source):
    """Is the solution cell a solution, the check cell a locked grade cell worth the exercise's points?"""
    solution = by_role(source, "solution").metadata.nbgrader
    assert (solution.solution, solution.grade, solution.locked) == (True, False, False)
    check = by_role(source, "check").metadata.nbgrader
    assert (check.grade, check.locked, check.solution) == (True, True, False)
    assert check.points == sum(c.points for c in get_exercise("a2.sigmoid").checks)
    assert by_role(source, "prompt").metadata.nbgrader.locked is True
    assert "nbgrader" not in by_role(source, "setup").metadata


def test_check_cell_runs_public_checks_then_the_hidden_region(source):
    """Is the check cell exactly the dlcheck call followed by the hidden-tests region?"""
    assert by_role(source, "check").source.split("\n") == PUBLIC_LINES + HIDDEN_REGION


def test_prompt_shows_the_variant_and_points(source):
    """Does the prompt cell carry the student's numbers and the exercise's heading with points?"""
    prompt = by_role(source, "prompt").source
    assert prompt.startswith("## 1 · The sigmoid function (5 points)")
    assert "[1.25, -3.5, 0.75]" in prompt


def test_source_solution_is_the_marked_model_answer(source):
    """Is the solution cell the model's solution cell, markers included?"""
    cell = by_role(source, "solution").source
    assert cell == get_exercise("a2.sigmoid").solution_cell(PARAMS["a2.sigmoid"]).rstrip("\n")
    assert "### BEGIN SOLUTION" in cell and "### END SOLUTION" in cell


def test_student_version_clears_solutions_and_hidden_tests(student):
    """Are the solution body replaced by nbgrader's stub and the hidden region gone?"""
    text = notebook_bytes(student).decode()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "run_hidden_checks", "inkernel"):
        assert marker not in text
    assert by_role(student, "solution").source.endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert by_role(student, "check").source.split("\n") == PUBLIC_LINES


def test_student_version_is_locked_and_checksummed_like_nbgrader(student):
    """Are grade and locked cells uneditable and every nbgrader cell checksummed, as generate_assignment does?"""
    from nbgrader.utils import compute_checksum
    check = by_role(student, "check")
    assert (check.metadata.deletable, check.metadata.editable) == (False, False)
    assert by_role(student, "solution").metadata.deletable is False
    assert "editable" not in by_role(student, "solution").metadata
    for cell in student.cells:
        if "nbgrader" in cell.metadata:
            assert cell.metadata.nbgrader.checksum == compute_checksum(cell)
            assert cell.metadata.nbgrader.cell_type == cell.cell_type


def test_student_version_names_the_student_and_hashes_the_variant(student):
    """Does the student's notebook record who it is for and a hash of the variant, not the numbers?"""
    assert student.metadata.dlgrade["student"] == "ada01"
    assert student.metadata.dlgrade["variant"] == variant_digest(PARAMS)
    assert variant_digest(PARAMS) != variant_digest({"a2.sigmoid": {"z": [1.25, -3.5, 0.76]}})


def test_same_inputs_give_identical_bytes_and_different_variants_do_not(source, student):
    """Is a rebuild byte-identical, and does another variant change the bytes?"""
    again = build_notebook("Test course", A2, [get_exercise("a2.sigmoid")], copy.deepcopy(PARAMS))
    assert notebook_bytes(again) == notebook_bytes(source)
    assert notebook_bytes(student_version(again, "ada01", PARAMS)) == notebook_bytes(student)
    other = build_notebook("Test course", A2, [get_exercise("a2.sigmoid")], {"a2.sigmoid": {"z": [2.0]}})
    assert notebook_bytes(other) != notebook_bytes(source)


def test_stubbed_top_level_answers_do_not_stop_run_all():
    """Is a solution cell whose stub raises at top level tagged raises-exception (and a function stub not)?"""
    numeric = {"cell_type": "code", "source": "### BEGIN SOLUTION\nw = 1.5\n### END SOLUTION"}
    notebook = build_notebook("C", A2, [get_exercise("a2.sigmoid")], PARAMS)
    function_cell = by_role(notebook, "solution")
    numeric_cell = copy.deepcopy(function_cell)
    numeric_cell.source, numeric_cell.id = numeric["source"], "numeric"
    numeric_cell.metadata.nbgrader.grade_id = "numeric"
    notebook.cells.insert(4, numeric_cell)
    cleared = student_version(notebook, "ada01", PARAMS)
    tags = {c.id: c.metadata.get("tags", []) for c in cleared.cells}
    assert tags["numeric"] == ["raises-exception"]
    assert tags[function_cell.id] == []


@pytest.mark.parametrize("source_text, expected", [
    ("x = 1\n### BEGIN HIDDEN TESTS\nassert x", r"cell 'a2_sigmoid_check' line 2: ### BEGIN HIDDEN TESTS is never closed"),
    ("x = 1\n### END HIDDEN TESTS", r"cell 'a2_sigmoid_check' line 2: ### END HIDDEN TESTS without"),
    ("### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS",
     r"cell 'a2_sigmoid_check' line 2: BEGIN HIDDEN TESTS inside the region opened on line 1"),
    ("### BEGIN SOLUTION\nx = 1", r"cell 'a2_sigmoid_check' line 1: ### BEGIN SOLUTION is never closed"),
])
def test_unbalanced_markers_are_refused_with_the_cell_name(source, source_text, expected):
    """Is a BEGIN/END marker without its partner (or nested) an error that names the cell and line?"""
    broken = copy.deepcopy(source)
    by_role(broken, "check").source = source_text
    with pytest.raises(NotebookError, match=expected):
        student_version(broken, "ada01", PARAMS)


# --------------------------------------------------------------------------
# The notebook works alone: the dlcheck cell
# --------------------------------------------------------------------------
@pytest.fixture
def fresh_dlcheck(monkeypatch):
    """Runs a test with no ``dlcheck`` module registered, and removes the one it defines afterwards."""
    monkeypatch.delitem(sys.modules, "dlcheck", raising=False)
    yield
    sys.modules.pop("dlcheck", None)


def run_cells(notebook: nbformat.NotebookNode, *roles_to_run: str, answer: str | None = None) -> dict:
    """Execute the cells of the given roles in one namespace, as a kernel would (solution: ``answer``)."""
    namespace: dict = {}
    for cell in notebook.cells:
        role = cell.metadata["dlgrade"]["role"]
        if role in roles_to_run:
            exec(compile(answer if role == "solution" and answer else cell.source, role, "exec"), namespace)
    return namespace


@pytest.mark.parametrize("which", ["source", "student"])
def test_dlcheck_cell_defines_the_library_and_leaves_no_names(which, request, fresh_dlcheck):
    """Does the dlcheck cell register the module dlcheck (the library's own code) holding this variant's
    public checks, without writing a file or leaving a name in the notebook's globals?"""
    notebook = request.getfixturevalue(which)
    namespace = run_cells(notebook, "dlcheck")
    assert set(namespace) == {"__builtins__"}
    module = sys.modules["dlcheck"]
    assert module is not dlcheck and module.__name__ == "dlcheck"
    public = lambda names: sorted(n for n in names if n.isidentifier() and not n.startswith("_"))  # noqa: E731
    assert public(vars(module)) == public(vars(dlcheck))  # (pytest adds @py_ names when it rewrites)
    assert module.PUBLIC_CHECKS == public_checks("a2", [get_exercise("a2.sigmoid")], PARAMS, "instructor")
    assert by_role(notebook, "dlcheck").metadata.editable is False


def test_check_cell_raises_the_summary_on_the_stub_and_passes_the_model_answer(student, fresh_dlcheck, capsys):
    """Does the released check cell print its report and raise AssertionError with the summary on the stub
    ("not attempted yet"), a wrong answer (how many failed), and return quietly on the model answer?"""
    with pytest.raises(AssertionError, match=r"^The sigmoid function: not attempted yet .*0/3 public points"):
        run_cells(student, "dlcheck", "setup", "solution", "check")
    assert "public checks 0/3 points" in capsys.readouterr().out
    wrong = "def sigmoid(z):\n    return 1.0 / (1.0 - np.exp(-np.asarray(z, dtype=float)))\n"
    with pytest.raises(AssertionError, match=r"^The sigmoid function: 3 of 3 public checks failed"):
        run_cells(student, "dlcheck", "setup", "solution", "check", answer=wrong)
    model = strip_markers(get_exercise("a2.sigmoid").solution_cell(PARAMS["a2.sigmoid"]))
    run_cells(student, "dlcheck", "setup", "solution", "check", answer=model)
    assert "public checks 3/3 points" in capsys.readouterr().out


def test_check_cells_are_tagged_so_run_all_goes_on(source, student):
    """Are the check cells of both notebooks tagged raises-exception (Run All continues past a failure)?"""
    for notebook in (source, student):
        assert by_role(notebook, "check").metadata.tags == ["raises-exception"]


def test_grader_does_not_run_the_dlcheck_cell(student, tmp_path):
    """Does the grader leave out the dlcheck cell (and its edits) from the code it runs?"""
    edited = copy.deepcopy(student)
    by_role(edited, "dlcheck").source = "import os; os.system('echo edited')"
    path = tmp_path / "a2.ipynb"
    path.write_bytes(notebook_bytes(edited))
    cells = read_submission(path, "a2").cells
    assert not any("edited" in c or "_define_dlcheck" in c for c in cells)
    assert by_role(student, "setup").source in cells


@given(st.lists(st.text(st.characters(exclude_categories=("Cs",))), max_size=4))
@settings(max_examples=60, deadline=None)
def test_dlcheck_cell_carries_any_public_check_text_exactly(texts):
    """Whatever the public checks hold (quotes, ''' , backslashes, newlines, any script), does the dlcheck
    cell define exactly that data (the raw-string literal cannot be ended early)?"""
    data = {"exercises": {}, "texts": texts, "tricky": "'''" + "\\" + "'" + '"""' + "\\u0027" + "\\"}
    assert module_defined_by(check_library_source(data)).PUBLIC_CHECKS == data
