"""Reading a student's submitted notebook: which code the grader runs, and what is wrong with it.

The grader runs, in notebook order, the solution cells (nbgrader metadata
``solution: true``) and the cells the student added (no nbgrader metadata),
except the notebook's dlcheck cell (role :data:`CHECK_LIBRARY_ROLE`: the
check library and public checks, which the worker has no use for).
Everything else — prompts, check cells, plot cells — comes from the course,
so edits to locked or check cells are ignored by construction: the checks that
decide the score live in the grader, not in the notebook. Written answers
(markdown cells with ``solution`` and ``grade``) are never run: their text is read
as data, bounded (:func:`exercises.written.read_answer`), for a grader.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from autograder.grading.handin import HandinError, read_handin
from autograder.grading.notebook_json import NotebookFormatError, check_size, nbgrader_checksum, parse_notebook
from exercises.written import read_answer

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
CHECK_LIBRARY_ROLE = "dlcheck"
"""``metadata.dlgrade.role`` of the cell that defines the check library in a released notebook."""


class SubmissionError(Exception):
    """The notebook cannot be graded; the message says why and what the student should do."""


@dataclass(frozen=True)
class StudentCode:
    """The code cells of a submission that the worker runs, and facts about the file."""

    cells: tuple[str, ...]
    sha256: str
    edited_locked_cells: tuple[str, ...] = ()
    """grade_ids of locked cells whose content differs from what was released (ignored)."""
    released_for: str = ""
    """The student id the notebook records it was released for (``metadata.dlgrade.student``); empty
    when it records none."""
    answers: Mapping[str, str] = field(default_factory=dict)
    """The written answers by grade_id (markdown cells with nbgrader ``solution`` and ``grade``), as
    :func:`exercises.written.read_answer` reads them: student text, bounded; ``""`` when not written."""


def notebook_sha256(path: Path) -> str:
    """The SHA-256 of a notebook file's bytes; "" when it is no readable hand-in (see :mod:`.handin`)."""
    try:
        return hashlib.sha256(read_handin(path, max_bytes=MAX_NOTEBOOK_BYTES)).hexdigest()
    except HandinError:
        return ""


def _role(cell) -> object:
    dlgrade = cell.metadata.get("dlgrade")
    return dlgrade.get("role") if isinstance(dlgrade, dict) else None


def read_submission(path: Path, assignment: str) -> StudentCode:
    """Read the code to grade from a submitted notebook, or raise :class:`SubmissionError`."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"no notebook at {path}: hand in the .ipynb file of {assignment}")
    try:
        check_size(path.stat().st_size, path.name)
        raw = read_handin(path, max_bytes=MAX_NOTEBOOK_BYTES)
    except (HandinError, NotebookFormatError) as err:
        raise SubmissionError(str(err)) from None
    try:
        notebook = parse_notebook(raw, path.name)
    except NotebookFormatError as err:
        raise SubmissionError(str(err)) from None
    if not notebook.cells:
        raise SubmissionError(f"{path.name} has no cells: hand in the notebook you worked in")
    dlgrade = notebook.metadata.get("dlgrade")
    declared = dlgrade.get("assignment") if isinstance(dlgrade, dict) else None
    if declared and declared != assignment:
        raise SubmissionError(f"{path.name} is the notebook of assignment {declared}, not {assignment}: "
                              f"hand in the {assignment} notebook")
    solution_cells = [c for c in notebook.cells if c.cell_type == "code" and c.nbgrader.get("solution")]
    if not solution_cells:
        raise SubmissionError(f"{path.name} has no solution cells of a dlgrade assignment "
                              f"(was it re-created or copied into a new notebook?); "
                              f"hand in the released {assignment} notebook with your answers in it")
    cells = tuple(c.source for c in notebook.cells
                  if c.cell_type == "code" and (not c.nbgrader or c.nbgrader.get("solution"))
                  and _role(c) != CHECK_LIBRARY_ROLE)
    edited = tuple(str(c.nbgrader.get("grade_id", "?")) for c in notebook.cells
                   if c.nbgrader.get("locked") and "checksum" in c.nbgrader
                   and nbgrader_checksum(c) != c.nbgrader["checksum"])
    owner = dlgrade.get("student") if isinstance(dlgrade, dict) else None
    answers: dict[str, str] = {}
    for cell in notebook.cells:
        grade_id = cell.nbgrader.get("grade_id")
        if (cell.cell_type == "markdown" and cell.nbgrader.get("solution") and cell.nbgrader.get("grade")
                and isinstance(grade_id, str) and grade_id not in answers):
            answers[grade_id] = read_answer(cell.source)
    return StudentCode(cells=cells, sha256=hashlib.sha256(raw).hexdigest(), edited_locked_cells=edited,
                       released_for=owner if isinstance(owner, str) else "", answers=answers)
