"""The source notebook (nbgrader format) and the student's version of it."""
from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from autograder.course.config import Assignment
from autograder.course.notebooks import (NotebookError, build_notebook, notebook_bytes, student_version,
                                  variant_digest)
from exercises.model import get_exercise

GOLDEN = Path(__file__).parent / "golden"
A2 = Assignment("a2", "The sigmoid neuron and gradient descent",
                datetime.fromisoformat("2026-03-06T23:59:00+01:00"), ("sigmoid",))
PARAMS = {"a2.sigmoid": {"z": [1.25, -3.5, 0.75]}}
HIDDEN_REGION = ["### BEGIN HIDDEN TESTS",
                 "# nbgrader's autograde only: every check of the exercise, run in this kernel",
                 "from autograder.grading.inkernel import run_hidden_checks",
                 'run_hidden_checks("a2.sigmoid", globals())',
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


def test_source_notebook_matches_its_golden_file(source, golden):
    """Is the rendered source notebook byte for byte the reviewed golden file?"""
    golden(GOLDEN / "a2_sigmoid_source.ipynb", notebook_bytes(source))


def test_student_notebook_matches_its_golden_file(student, golden):
    """Is the rendered student notebook byte for byte the reviewed golden file?"""
    golden(GOLDEN / "a2_sigmoid_student.ipynb", notebook_bytes(student))


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
    assert roles(source) == ["intro", "setup", "prompt", "solution", "check"]
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
