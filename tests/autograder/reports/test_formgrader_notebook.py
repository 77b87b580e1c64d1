"""The autograded notebook formgrader shows: rebuilt from the hand-in, never copied; and the gradebook
rows formgrader and generate_feedback need."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.grading.results import read_result
from autograder.reports.formgrader import autograded_notebook
from exercises.model import get_exercise
from tests.autograder.course.written_course import graded_written_course

XOR = get_exercise("a1.xor_written")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formgrader") / "course"
    graded_written_course(folder)
    return folder


def _notebook(course: Path, student: str) -> nbformat.NotebookNode:
    path = course / "autograded" / student / "a1" / "a1.ipynb"
    return nbformat.read(path, as_version=4)


def _by_id(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c["id"]: c for c in notebook["cells"]}


def test_grade_autograde_writes_one_autograded_notebook_per_hand_in(course):
    """Does `grade autograde` write autograded/<student>/a1/a1.ipynb for each hand-in, valid nbformat,
    with the student's answers, the check results as text under the check cell, the grade cells'
    points as in the gradebook and the rubric after the written answer (for graders)?"""
    for student in ("ada01", "alan02", "grace03"):
        nbformat.validate(_notebook(course, student))
    cells = _by_id(_notebook(course, "ada01"))
    output, = cells["a1_or_weights_check"]["outputs"]
    assert output["output_type"] == "stream" and "4/4" in output["text"] and "✔" in output["text"]
    assert cells["a1_xor_written_answer"]["source"].startswith("A perceptron outputs 1 on one side")
    assert cells["a1_xor_written_answer"]["metadata"]["nbgrader"]["points"] == 2
    assert XOR.written.rubric in cells["a1_xor_written_answer-rubric"]["source"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="w101") as gb:
        for name in ("a1_or_weights_check", "a1_xor_written_answer"):
            assert gb.find_grade_cell(name, "a1", "a1").max_score == cells[name]["metadata"]["nbgrader"]["points"]
    assert not any(c["metadata"].get("dlgrade", {}).get("role") == "dlcheck" for c in cells.values())


def test_the_gradebook_has_the_rows_formgrader_needs(course):
    """Does the gradebook hold a solution cell (with a comment row per submission) for each code
    solution and the written answer, and source cells for the notebook's nbgrader cells?"""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="w101") as gb:
        notebook = gb.find_notebook("a1", "a1")
        assert {c.name for c in notebook.solution_cells} == {"a1_or_weights_solution", "a1_xor_written_answer"}
        assert {"a1_or_weights_check", "a1_xor_written_answer", "a1_or_weights_prompt"} <= {
            c.name for c in notebook.source_cells}
        for student in ("ada01", "alan02", "grace03"):
            gb.find_comment("a1_xor_written_answer", "a1", "a1", student)  # raises MissingEntry if absent


def test_a_hostile_hand_in_cannot_script_or_regrade_in_formgrader(course):
    """Are a hand-in's saved outputs (HTML, scripts), markdown markup, attachments and raw cells made
    inert, and a forged grade cell (new grade_id, changed points, a duplicate) stripped of its metadata?"""
    raw = json.loads((course / "submitted" / "ada01" / "a1" / "a1.ipynb").read_text(encoding="utf-8"))
    answer = next(c for c in raw["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "a1_xor_written_answer")
    answer["source"] = "One line <script>alert(1)</script> & <img src=x onerror=alert(2)>"
    answer["metadata"]["nbgrader"]["points"] = 200
    answer["attachments"] = {"x.svg": {"image/svg+xml": "<svg onload=alert(3)>"}}
    forged = copy.deepcopy(answer)
    forged["id"] = "forged"
    forged["metadata"]["nbgrader"]["grade_id"] = "bonus_points"
    duplicate = copy.deepcopy(answer)
    duplicate["id"] = "duplicate"
    code = next(c for c in raw["cells"] if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution"))
    code["outputs"] = [{"output_type": "display_data", "metadata": {},
                        "data": {"text/html": "<script>alert(4)</script>"}}]
    raw["cells"] += [forged, duplicate, {"cell_type": "raw", "id": "r", "metadata": {"format": "text/html"},
                                          "source": "<script>alert(5)</script>"}]
    source = nbformat.read(course / "source" / "a1" / "a1.ipynb", as_version=4)
    result = read_result(course / "autograded" / "ada01" / "a1" / "results.json")
    notebook = autograded_notebook(json.dumps(raw).encode(), source, result, {XOR.key: XOR.written.rubric})
    text = nbformat.writes(notebook)
    assert "<script>" not in text and "<img" not in text and "<svg" not in text
    assert "&lt;script&gt;" in text
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert sorted(c.metadata.nbgrader.grade_id for c in graded) == ["a1_or_weights_check", "a1_xor_written_answer"]
    assert next(c for c in graded if c.id == "a1_xor_written_answer").metadata.nbgrader.points == 2
    assert not any(c.get("attachments") for c in notebook.cells)
    assert all(c.outputs == [] for c in notebook.cells if c.cell_type == "code"
               and c.metadata.get("dlgrade", {}).get("role") != "check")


def test_the_autograded_notebook_is_what_nbformat_writes(course):
    """Are the autograded notebook's bytes (written as plain JSON, without nbformat) exactly those
    nbformat validates and writes for the same notebook, in the nbformat version nbformat.v4 writes?"""
    from autograder.course.notebooks import notebook_bytes
    from autograder.reports.formgrader import NBFORMAT_MINOR

    assert NBFORMAT_MINOR == nbformat.v4.nbformat_minor
    source = nbformat.read(course / "source" / "a1" / "a1.ipynb", as_version=4)
    for student in ("ada01", "alan02", "grace03"):
        result = read_result(course / "autograded" / student / "a1" / "results.json")
        raw = (course / "submitted" / student / "a1" / "a1.ipynb").read_bytes()
        rebuilt = autograded_notebook(raw, source, result, {XOR.key: XOR.written.rubric})
        written = (course / "autograded" / student / "a1" / "a1.ipynb").read_bytes()
        assert written == notebook_bytes(rebuilt)


def test_an_autograded_notebook_with_repeated_or_bad_cell_ids_is_not_written():
    """Is a notebook whose cell ids repeat or break nbformat's pattern refused (ValueError, as
    nbformat's validation would), and a valid one accepted?"""
    from autograder.reports.formgrader import ipynb_bytes

    def notebook(*ids: str) -> dict:
        return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"id": i, "cell_type": "markdown", "metadata": {}, "source": "x"} for i in ids]}
    nbformat.validate(nbformat.reads(ipynb_bytes(notebook("a", "b-rubric")).decode(), as_version=4))
    for ids in (("a", "a"), ("a b",), ("x" * 65,), ("",)):
        with pytest.raises(ValueError, match="cell ids"):
            ipynb_bytes(notebook(*ids))
