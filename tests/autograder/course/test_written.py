"""Written answers graded by hand: the answer cell, what the grader reads, "needs grading" in results,
the autograde table and the gradebook."""
from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.grading.results import PENDING, WRITTEN_CHECK, read_result
from autograder.grading.submission import read_submission
from exercises.model import ExerciseDefinitionError, get_exercise, load_exercise
from exercises.written import ANSWER_STUB, MAX_ANSWER_CHARS, WrittenQuestion, read_answer
from tests.autograder.course.written_course import graded_written_course

XOR = get_exercise("a1.xor_written")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The written-answer course, graded once (no OS sandbox: trusted sample code); and the table."""
    folder = tmp_path_factory.mktemp("written") / "course"
    return folder, graded_written_course(folder)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_sample_course_asks_the_xor_question_for_two_points():
    """Is a1's XOR question a written answer worth 2 points, graded by hand, with a rubric that names
    linear separability, one line and XOR's diagonal positive points?"""
    assert XOR.written is not None and XOR.points == XOR.manual_points == 2 and XOR.checks == ()
    rubric = XOR.written.rubric.lower()
    assert "separable" in rubric and "line" in rubric and "diagonal" in rubric


def test_a_written_answer_cannot_also_have_checks():
    """Is a module declaring a written question and test_* checks refused, with a message saying why?"""
    module = types.ModuleType("exercises.a1_mixed")
    module.ASSIGNMENT, module.TITLE, module.CONCEPT = "a1", "Mixed", "both"
    module.prompt = lambda params: "?"
    module.QUESTION = WrittenQuestion(points=1, rubric="r", model_answer="m")

    @pytest.mark.points(1)
    def test_x(student):
        pass
    module.test_x = test_x
    with pytest.raises(ExerciseDefinitionError, match="graded by hand.*must not define test_"):
        load_exercise(module)


def test_the_released_answer_cell_is_an_empty_markdown_grade_cell(graded):
    """Does the released notebook hold the prompt and a markdown answer cell (solution, grade, 2 points,
    grade_id a1_xor_written_answer) reading YOUR ANSWER HERE, and neither the rubric nor the model answer?"""
    folder, _ = graded
    released = folder / "release" / "a1" / "ada01" / "a1.ipynb"
    answer, = [c for c in _cells(released) if c["metadata"].get("nbgrader", {}).get("grade_id")
               == "a1_xor_written_answer"]
    meta = answer["metadata"]["nbgrader"]
    assert answer["cell_type"] == "markdown" and "".join(answer["source"]) == ANSWER_STUB
    assert (meta["solution"], meta["grade"], meta["points"], meta["locked"]) == (True, True, 2, False)
    text = released.read_text(encoding="utf-8")
    assert XOR.written.rubric not in text and XOR.written.model_answer not in text
    assert "Why can a **single perceptron** not compute XOR?" in text


def test_the_grader_reads_an_answer_as_bounded_data():
    """Is a written answer read as text, never run; cut at MAX_ANSWER_CHARS; and the released stub read
    as nothing written?"""
    assert read_answer(ANSWER_STUB) == read_answer("  \n") == ""
    long = read_answer("x" * (MAX_ANSWER_CHARS + 5))
    assert long.startswith("x" * MAX_ANSWER_CHARS) and long.endswith("[5 more characters]")


def test_a_written_answer_needs_grading_never_zero(graded):
    """Is ada01's written answer pending in results.json (its text kept for graders, its 2 points neither
    earned nor lost), shown as "needs grading" in the autograde table, and an unwritten one 0?"""
    folder, table = graded
    ada = read_result(folder / "autograded" / "ada01" / "a1" / "results.json")
    check, = next(e for e in ada.exercises if e.key == XOR.key).checks
    assert (check.name, check.status, check.points, check.max_points) == (WRITTEN_CHECK, PENDING, 0.0, 2.0)
    assert check.output == XOR.written.model_answer
    assert (ada.points, ada.max_points, ada.pending_points) == (4.0, 6.0, 2.0)
    assert ada.score_text() == "4/4 auto, 2 points need grading"
    raw = json.loads((folder / "autograded" / "ada01" / "a1" / "results.json").read_text())
    assert raw["pending_points"] == 2.0
    assert "4/4 auto, 2 points need grading" in table
    grace = read_result(folder / "autograded" / "grace03" / "a1" / "results.json")
    unwritten, = next(e for e in grace.exercises if e.key == XOR.key).checks
    assert (unwritten.status, unwritten.attempted, grace.pending_points) == ("failed", False, 0)


def test_the_gradebook_has_a_manual_grade_cell(graded):
    """Is the written answer a markdown grade cell in nbgrader's gradebook, ada01's grade without an
    auto score and flagged for manual grading, and grace03's (nothing written) at 0?"""
    folder, _ = graded
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course_id="w101") as gb:
        cell = gb.find_grade_cell("a1_xor_written_answer", "a1", "a1")
        assert (cell.cell_type, cell.max_score) == ("markdown", 2.0)
        ada = gb.find_grade("a1_xor_written_answer", "a1", "a1", "ada01")
        assert (ada.auto_score, ada.needs_manual_grade) == (None, True)
        grace = gb.find_grade("a1_xor_written_answer", "a1", "a1", "grace03")
        assert (grace.auto_score, grace.needs_manual_grade) == (0.0, False)


def test_reading_a_hand_in_collects_its_written_answers(graded):
    """Does read_submission return the written answer by grade_id, and none of it among the cells run?"""
    folder, _ = graded
    code = read_submission(folder / "submitted" / "ada01" / "a1" / "a1.ipynb", "a1")
    assert code.answers == {"a1_xor_written_answer": XOR.written.model_answer}
    assert not any(XOR.written.model_answer in cell for cell in code.cells)
