"""Reading a student's submitted notebook: which code the grader runs, and what is wrong with it.

The grader runs, in notebook order, the solution cells (nbgrader metadata
``solution: true``) and the cells the student added (no nbgrader metadata),
except the notebook's dlcheck cell (role :data:`CHECK_LIBRARY_ROLE`: the
check library and public checks, which the worker has no use for).
Everything else — prompts, check cells, plot cells — comes from the course,
so edits to locked or check cells are ignored by construction: the checks that
decide the score live in the grader, not in the notebook.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.grading.handin import HandinError, read_handin

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


def notebook_sha256(path: Path) -> str:
    """The SHA-256 of a notebook file's bytes; "" when it is no readable hand-in (see :mod:`.handin`)."""
    try:
        return hashlib.sha256(read_handin(path, max_bytes=MAX_NOTEBOOK_BYTES)).hexdigest()
    except HandinError:
        return ""


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _role(cell: dict) -> object:
    dlgrade = cell.get("metadata", {}).get("dlgrade")
    return dlgrade.get("role") if isinstance(dlgrade, dict) else None


def read_submission(path: Path, assignment: str) -> StudentCode:
    """Read the code to grade from a submitted notebook, or raise :class:`SubmissionError`."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"no notebook at {path}: hand in the .ipynb file of {assignment}")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB: "
                              "clear the outputs (Kernel → Restart & Clear Output) and hand it in again")
    try:
        raw = read_handin(path, max_bytes=MAX_NOTEBOOK_BYTES)
    except HandinError as err:
        raise SubmissionError(str(err)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SubmissionError(f"{path.name} is not a valid notebook file (not JSON: {err}); "
                              "it may have been damaged: open it in Jupyter, save it, and hand it in again") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise SubmissionError(f"{path.name} is JSON but not a Jupyter notebook (no cells); "
                              "hand in the .ipynb file of the assignment")
    try:
        # reads() (not from_dict) joins multi-line sources stored as lists of lines.
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except Exception as err:  # nbformat raises several types for malformed notebooks
        raise SubmissionError(f"{path.name} is not a valid Jupyter notebook ({type(err).__name__}: "
                              f"{str(err).splitlines()[0][:200]}); open it in Jupyter, save it, "
                              "and hand it in again") from None
    if not notebook.cells:
        raise SubmissionError(f"{path.name} has no cells: hand in the notebook you worked in")
    declared = notebook.metadata.get("dlgrade", {}).get("assignment")
    if declared and declared != assignment:
        raise SubmissionError(f"{path.name} is the notebook of assignment {declared}, not {assignment}: "
                              f"hand in the {assignment} notebook")
    solution_cells = [c for c in notebook.cells if c.cell_type == "code" and _nbgrader(c).get("solution")]
    if not solution_cells:
        raise SubmissionError(f"{path.name} has no solution cells of a dlgrade assignment "
                              f"(was it re-created or copied into a new notebook?); "
                              f"hand in the released {assignment} notebook with your answers in it")
    cells = tuple(c.source for c in notebook.cells
                  if c.cell_type == "code" and (not _nbgrader(c) or _nbgrader(c).get("solution"))
                  and _role(c) != CHECK_LIBRARY_ROLE)
    edited = tuple(_nbgrader(c).get("grade_id", "?") for c in notebook.cells
                   if _nbgrader(c).get("locked") and "checksum" in _nbgrader(c)
                   and _checksum(c) != _nbgrader(c)["checksum"])
    return StudentCode(cells=cells, sha256=hashlib.sha256(raw).hexdigest(), edited_locked_cells=edited)


def _checksum(cell: dict) -> str:
    """nbgrader's checksum of a cell (ComputeChecksums), when nbgrader is importable."""
    try:
        from nbgrader.utils import compute_checksum
    except ImportError:  # pragma: no cover - nbgrader is a dependency
        return _nbgrader(cell).get("checksum", "")
    return compute_checksum(cell)
