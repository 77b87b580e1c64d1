"""Reading a student's submitted notebook: which code the grader runs, and what is wrong with it.

The grader runs, in notebook order, the solution cells (nbgrader metadata
``solution: true``) and the cells the student added (no nbgrader metadata).
Everything else — prompts, check cells, plot cells — comes from the course,
so edits to locked or check cells are ignored by construction: the checks that
decide the score live in the grader, not in the notebook.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.notebook_json import NotebookFormatError, check_size, nbgrader_checksum, parse_notebook


class SubmissionError(Exception):
    """The notebook cannot be graded; the message says why and what the student should do."""


@dataclass(frozen=True)
class StudentCode:
    """The code cells of a submission that the worker runs, and facts about the file."""

    cells: tuple[str, ...]
    sha256: str
    edited_locked_cells: tuple[str, ...] = ()
    """grade_ids of locked cells whose content differs from what was released (ignored)."""


def notebook_sha256(path: Path) -> str:
    """The SHA-256 of a notebook file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_submission(path: Path, assignment: str) -> StudentCode:
    """Read the code to grade from a submitted notebook, or raise :class:`SubmissionError`."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"no notebook at {path}: hand in the .ipynb file of {assignment}")
    try:
        check_size(path.stat().st_size, path.name)
        raw = path.read_bytes()
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
                  if c.cell_type == "code" and (not c.nbgrader or c.nbgrader.get("solution")))
    edited = tuple(str(c.nbgrader.get("grade_id", "?")) for c in notebook.cells
                   if c.nbgrader.get("locked") and "checksum" in c.nbgrader
                   and nbgrader_checksum(c) != c.nbgrader["checksum"])
    return StudentCode(cells=cells, sha256=hashlib.sha256(raw).hexdigest(), edited_locked_cells=edited)
