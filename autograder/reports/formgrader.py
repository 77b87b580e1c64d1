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

Written atomically (:func:`autograder.grading.results.write_atomically`). The notebook is built
and written as plain JSON, without nbformat (and its schema validator) on the path of every
``grade autograde``: the bytes are those ``nbformat.writes`` gives for the same notebook (tests
compare them and validate the result), and the two schema rules the hand-in or the course can
break here (cell ids: their pattern, and unique) are checked before writing.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from autograder.course.autograde import autograded_dir, source_notebook
from autograder.course.config import Course
from autograder.grading.batch import Submission
from autograder.grading.handin import HandinError, read_handin
from autograder.grading.notebook_json import parse_notebook
from autograder.grading.results import ExerciseResult, SubmissionResult, read_result, score_text, write_atomically
from autograder.grading.submission import CHECK_LIBRARY_ROLE, MAX_NOTEBOOK_BYTES
from autograder.reports.escape import html_text, terminal_text
from exercises.model import Exercise
from exercises.written import ANSWER_ROLE

if TYPE_CHECKING:
    from nbformat import NotebookNode

MARK = {"passed": "✔", "pending": "…"}
NBFORMAT, NBFORMAT_MINOR = 4, 5
"""The notebook format written: nbformat 4.5, the version ``nbformat.v4`` writes (a test checks it)."""
CELL_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
"""nbformat 4.5's rule for a cell id."""
TRANSIENT = ("orig_nbformat", "orig_nbformat_minor", "signature")
"""Notebook metadata keys nbformat never writes to a file."""


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


def _course_cells(source: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The source notebook's cells with nbgrader metadata, by grade_id."""
    return {cell["metadata"]["nbgrader"]["grade_id"]: cell for cell in source["cells"]
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")}


def _cell(kind: str, text: str, cell_id: str) -> dict[str, Any]:
    """A new code or markdown cell as ``nbformat.v4.new_code_cell`` / ``new_markdown_cell`` make it."""
    if kind == "code":
        return {"id": cell_id, "cell_type": "code", "metadata": {}, "execution_count": None, "source": text,
                "outputs": []}
    return {"id": cell_id, "cell_type": "markdown", "metadata": {}, "source": text}


def autograded_json(raw: bytes, source: Mapping[str, Any], result: SubmissionResult,
                    rubrics: Mapping[str, str]) -> dict[str, Any]:
    """The notebook formgrader shows for the hand-in ``raw`` (see the module doc), as the plain JSON
    of an nbformat 4.5 notebook; ``source`` is the course's source notebook (its JSON, or a
    NotebookNode), ``rubrics`` the written answers' rubrics by exercise key."""
    hand_in = parse_notebook(raw, result.notebook_file or "the notebook")
    course_cells = _course_cells(source)
    by_key = {e.key: e for e in result.exercises}
    cells: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, cell in enumerate(hand_in.cells):
        dlgrade = cell.metadata.get("dlgrade")
        if isinstance(dlgrade, dict) and dlgrade.get("role") == CHECK_LIBRARY_ROLE:
            continue
        grade_id = cell.nbgrader.get("grade_id")
        course = course_cells.get(grade_id) if isinstance(grade_id, str) and grade_id not in seen else None
        kind = "code" if cell.cell_type == "code" else "markdown"
        if course is not None and course["cell_type"] != kind:
            course = None  # a grade cell turned into another type is the student's own cell now
        text = cell.source if kind == "code" else html_text(cell.source)
        made = _cell(kind, text, grade_id if course is not None else f"cell-{number}")
        if course is not None:
            seen.add(grade_id)
            meta = course.get("metadata", {})
            made["metadata"] = copy.deepcopy({k: meta[k] for k in ("nbgrader", "dlgrade") if k in meta})
            role = meta.get("dlgrade", {}).get("role")
            key = meta.get("dlgrade", {}).get("exercise")
            if role == "check" and key in by_key:
                made["outputs"] = [{"output_type": "stream", "name": "stdout", "text": check_report(by_key[key])}]
            cells.append(made)
            if role == ANSWER_ROLE and key in rubrics:
                cells.append(_cell("markdown", f"**Rubric (for graders):** {rubrics[key]}", f"{grade_id}-rubric"))
            continue
        cells.append(made)
    metadata = copy.deepcopy(dict(source.get("metadata", {})))
    for key in TRANSIENT:
        metadata.pop(key, None)
    metadata.setdefault("dlgrade", {})["student"] = result.student
    return {"nbformat": NBFORMAT, "nbformat_minor": NBFORMAT_MINOR, "metadata": metadata, "cells": cells}


def autograded_notebook(raw: bytes, source: Mapping[str, Any], result: SubmissionResult,
                        rubrics: Mapping[str, str]) -> "NotebookNode":
    """:func:`autograded_json` as an nbformat ``NotebookNode``."""
    import nbformat
    return nbformat.from_dict(autograded_json(raw, source, result, rubrics))


def ipynb_bytes(notebook: Mapping[str, Any]) -> bytes:
    """The bytes ``nbformat.writes`` (+ a final newline) gives for an nbformat 4.5 ``notebook``: sorted
    keys, one-space indent, cell sources and stream texts split into lines.

    Raises ValueError, as nbformat's validation would, when a cell id breaks nbformat's pattern or
    is not unique.
    """
    ids = [cell["id"] for cell in notebook["cells"]]
    bad = [i for i in ids if not isinstance(i, str) or not CELL_ID.fullmatch(i)]
    if bad or len(set(ids)) != len(ids):
        raise ValueError(f"the autograded notebook would have invalid or repeated cell ids "
                         f"({bad or sorted(i for i in ids if ids.count(i) > 1)}); not written")
    cells = []
    for cell in notebook["cells"]:
        cell = dict(cell, source=_lines(cell["source"]))
        if cell["cell_type"] == "code":
            cell["outputs"] = [dict(o, text=_lines(o["text"])) if o.get("output_type") == "stream" else o
                               for o in cell["outputs"]]
        cells.append(cell)
    text = json.dumps(dict(notebook, cells=cells), indent=1, sort_keys=True, separators=(",", ": "),
                      ensure_ascii=False)
    return text.encode("utf-8") + b"\n"


def _lines(text: Any) -> Any:
    return text.splitlines(True) if isinstance(text, str) else text


def read_source_notebook(path: Path) -> dict[str, Any]:
    """The course's source notebook as JSON (an nbformat 4 notebook, as ``grade build`` writes it).

    Raises ValueError when it is not one, OSError when it cannot be read.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(notebook, dict) or notebook.get("nbformat") != NBFORMAT \
            or not isinstance(notebook.get("cells"), list) or not isinstance(notebook.get("metadata", {}), dict) \
            or not all(isinstance(c, dict) and isinstance(c.get("metadata", {}), dict) for c in notebook["cells"]):
        raise ValueError(f"{path} is not an nbformat 4 notebook: run `grade build` again")
    return notebook


def write_autograded_notebook(course: Course, result: SubmissionResult, hand_in: Path,
                              source: Mapping[str, Any], rubrics: Mapping[str, str]) -> Path | None:
    """Write ``autograded/<student>/<assignment>/<assignment>.ipynb`` for one graded hand-in (``source``:
    the course's source notebook, ``rubrics``: the written answers' by exercise key); None (nothing
    written) when the result has no graded notebook."""
    if result.error:
        return None
    raw = read_handin(hand_in, max_bytes=MAX_NOTEBOOK_BYTES)
    notebook = autograded_json(raw, source, result, rubrics)
    path = autograded_dir(course) / result.student / result.assignment / f"{result.assignment}.ipynb"
    write_atomically(ipynb_bytes(notebook), path, prefix=".autograded-")
    return path


def write_autograded_notebooks(course: Course, assignment: str, submissions: Iterable[Submission],
                               exercises: list[Exercise] | tuple[Exercise, ...]) -> list[Path]:
    """:func:`write_autograded_notebook` for every graded submission of ``assignment`` (read from its
    ``results.json``); none when ``grade build`` wrote no source notebook; a hand-in that cannot be
    read again, or has no result, is left out. The source notebook is read once for the class."""
    try:
        source = read_source_notebook(source_notebook(course, assignment))
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
        except (ValueError, OSError, HandinError):  # NotebookFormatError, bad cell ids: ValueError
            continue
        if path is not None:
            written.append(path)
    return written
