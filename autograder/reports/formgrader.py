"""The autograded notebook nbgrader's formgrader shows: ``autograded/<student>/<assignment>/<assignment>.ipynb``.

formgrader lists a submission only when this file exists, renders it, and puts
a score box on each grade cell and a comment box on each solution cell (matched
by grade_id with the gradebook rows :mod:`autograder.course.gradebook` writes);
``nbgrader generate_feedback`` renders it for the student with the scores and
comments. It is written after grading, from the hand-in's bytes and
``results.json``, and never changes what is graded.

The hand-in is student-controlled (trust invariants 1 and 2), so the notebook is
rebuilt, never copied:

* cells come from :func:`autograder.grading.notebook_json.parse_notebook` (type,
  text source); every output the student saved is dropped (HTML and scripts in
  outputs would run in the grader's browser), and so are attachments and every
  metadata key; the check library cell is left out (the grader never uses it);
* markdown and raw cells become markdown whose text is HTML-escaped
  (:func:`autograder.reports.escape.html_text`): markdown formatting and math
  still show, markup does not;
* nbgrader metadata is the course's own (from the source notebook, by grade_id,
  first cell only): a student cannot add or change a grade cell or its points;
* each check cell gets one text output: dlgrade's check results for that exercise
  (terminal-escaped); a written answer is followed by its rubric, for graders.

Written atomically (:func:`autograder.grading.results.write_atomically`).
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Iterable, Mapping

import nbformat
from nbformat import NotebookNode

from autograder.course.autograde import autograded_dir, source_notebook
from autograder.course.config import Course
from autograder.course.notebooks import notebook_bytes
from autograder.grading.batch import Submission
from autograder.grading.handin import HandinError, read_handin
from autograder.grading.notebook_json import parse_notebook
from autograder.grading.results import ExerciseResult, SubmissionResult, read_result, score_text, write_atomically
from autograder.grading.submission import CHECK_LIBRARY_ROLE, MAX_NOTEBOOK_BYTES
from autograder.reports.escape import html_text, terminal_text
from exercises.model import Exercise
from exercises.written import ANSWER_ROLE

MARK = {"passed": "✔", "pending": "…"}


def check_report(exercise: ExerciseResult) -> str:
    """The text shown under an exercise's check cell: its score and one line per check."""
    lines = [f"dlgrade: {exercise.title}: {score_text(exercise.auto_points, exercise.max_points, exercise.pending_points)}"]
    for check in exercise.checks:
        mark = MARK.get(check.status, "✘")
        where = "" if check.public else " (hidden)"
        line = f"  {mark} {check.name}{where}: {check.points:g}/{check.max_points:g} {check.status}"
        detail = " ".join(part for part in (check.message, check.hint) if part)
        lines.append(line + (f" — {detail}" if detail else ""))
    return terminal_text("\n".join(lines) + "\n")


def _course_cells(source: NotebookNode) -> dict[str, NotebookNode]:
    """The source notebook's cells with nbgrader metadata, by grade_id."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in source.cells
            if cell.metadata.get("nbgrader", {}).get("grade_id")}


def autograded_notebook(raw: bytes, source: NotebookNode, result: SubmissionResult,
                        rubrics: Mapping[str, str]) -> NotebookNode:
    """The notebook formgrader shows for the hand-in ``raw`` (see the module doc); ``source`` is the
    course's source notebook, ``rubrics`` the written answers' rubrics by exercise key."""
    hand_in = parse_notebook(raw, result.notebook_file or "the notebook")
    course_cells = _course_cells(source)
    by_key = {e.key: e for e in result.exercises}
    cells: list[NotebookNode] = []
    seen: set[str] = set()
    for number, cell in enumerate(hand_in.cells):
        dlgrade = cell.metadata.get("dlgrade")
        if isinstance(dlgrade, dict) and dlgrade.get("role") == CHECK_LIBRARY_ROLE:
            continue
        grade_id = cell.nbgrader.get("grade_id")
        course = course_cells.get(grade_id) if isinstance(grade_id, str) and grade_id not in seen else None
        kind = "code" if cell.cell_type == "code" else "markdown"
        if course is not None and course.cell_type != kind:
            course = None  # a grade cell turned into another type is the student's own cell now
        text = cell.source if kind == "code" else html_text(cell.source)
        made = nbformat.v4.new_code_cell(text) if kind == "code" else nbformat.v4.new_markdown_cell(text)
        made.id = grade_id if course is not None else f"cell-{number}"
        if course is not None:
            seen.add(grade_id)
            made.metadata = copy.deepcopy({k: course.metadata[k] for k in ("nbgrader", "dlgrade")
                                           if k in course.metadata})
            role = course.metadata.get("dlgrade", {}).get("role")
            key = course.metadata.get("dlgrade", {}).get("exercise")
            if role == "check" and key in by_key:
                made.outputs = [nbformat.v4.new_output("stream", name="stdout", text=check_report(by_key[key]))]
            cells.append(made)
            if role == ANSWER_ROLE and key in rubrics:
                rubric = nbformat.v4.new_markdown_cell(f"**Rubric (for graders):** {rubrics[key]}")
                rubric.id = f"{grade_id}-rubric"
                cells.append(rubric)
            continue
        cells.append(made)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = copy.deepcopy(source.metadata)
    notebook.metadata.setdefault("dlgrade", {})["student"] = result.student
    return notebook


def write_autograded_notebook(course: Course, result: SubmissionResult, hand_in: Path, source: NotebookNode,
                              rubrics: Mapping[str, str]) -> Path | None:
    """Write ``autograded/<student>/<assignment>/<assignment>.ipynb`` for one graded hand-in (``source``:
    the course's source notebook, ``rubrics``: the written answers' by exercise key); None (nothing
    written) when the result has no graded notebook."""
    if result.error:
        return None
    raw = read_handin(hand_in, max_bytes=MAX_NOTEBOOK_BYTES)
    notebook = autograded_notebook(raw, source, result, rubrics)
    path = autograded_dir(course) / result.student / result.assignment / f"{result.assignment}.ipynb"
    write_atomically(notebook_bytes(notebook), path, prefix=".autograded-")
    return path


def write_autograded_notebooks(course: Course, assignment: str, submissions: Iterable[Submission],
                               exercises: list[Exercise] | tuple[Exercise, ...]) -> list[Path]:
    """:func:`write_autograded_notebook` for every graded submission of ``assignment`` (read from its
    ``results.json``); none when ``grade build`` wrote no source notebook; a hand-in that cannot be
    read again, or has no result, is left out. The source notebook is read once for the class."""
    try:
        source = nbformat.reads(source_notebook(course, assignment).read_text(encoding="utf-8"), as_version=4)
    except (ValueError, OSError):  # no source notebook (or not one): formgrader waits for `grade build`
        return []
    rubrics = {e.key: e.written.rubric for e in exercises if e.written}
    written = []
    for submission in submissions:
        results = autograded_dir(course) / submission.student / assignment / "results.json"
        if submission.problem or not results.is_file():
            continue
        try:
            result = read_result(results)
            path = write_autograded_notebook(course, result, submission.notebook, source, rubrics)
        except (ValueError, OSError, HandinError):  # NotebookFormatError is a ValueError
            continue
        if path is not None:
            written.append(path)
    return written
