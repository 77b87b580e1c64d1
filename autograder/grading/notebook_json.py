"""A hand-in notebook's bytes turned into what grading needs, without nbformat.

nbformat validates with jsonschema (about a second of imports per process)
and grading needs only the cells, their sources and their metadata; the
notebooks the course *writes* are still validated with nbformat
(:mod:`autograder.course.notebooks`). Every hand-in byte is the student's, so
the bytes are bounded before they are parsed: their size
(:data:`MAX_NOTEBOOK_BYTES`) and the depth to which their JSON nests
(:data:`MAX_DEPTH`, measured without recursion before ``json.loads`` builds
anything). Guarantee: :func:`parse_notebook` returns a :class:`NotebookData`
whose cells all have a known type, a text source and dict metadata, or raises
:class:`NotebookFormatError` with a sentence a student can act on; it never
raises anything else for any bytes.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
"""Deepest JSON nesting accepted; a Jupyter notebook needs about 10 (cells, a cell, its outputs,
an output's data, widget state)."""
CELL_TYPES = ("code", "markdown", "raw")
FIX = "open it in Jupyter, save it, and hand it in again"

# A JSON string, escapes included (unrolled so that it runs in linear time): brackets inside strings
# are text, not nesting.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = np.zeros(256, dtype=np.int64)
_STEP[list(b"[{")], _STEP[list(b"]}")] = 1, -1
_CHUNK = 1 << 20


class NotebookFormatError(ValueError):
    """The bytes are not a notebook grading can read; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Cell:
    """One cell as grading sees it."""

    number: int
    """Its position in the notebook, counting from 1 (what the messages call "cell 3")."""
    cell_type: str
    """``code``, ``markdown`` or ``raw``."""
    source: str
    """Its text (a list of lines in the file is joined, as nbformat does)."""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def nbgrader(self) -> dict[str, Any]:
        """nbgrader's metadata of the cell ({} when it has none)."""
        return self.metadata.get("nbgrader") or {}


@dataclass(frozen=True)
class NotebookData:
    """The cells of a notebook and its top-level metadata."""

    cells: tuple[Cell, ...]
    metadata: dict[str, Any]


def nesting_depth(raw: bytes) -> int:
    """How deep the JSON in ``raw`` nests (``{}`` is 1, ``{"a": []}`` 2), counted without recursion.

    Strings are removed first, then the brackets left are +1 (opening) or -1
    (closing) and the depth after each bracket is the running sum; its maximum
    is the answer. Worked through in chunks so a 20 MiB file needs a few MiB.
    Unbalanced brackets give a meaningless number; ``json.loads`` then rejects them.
    """
    brackets = np.frombuffer(_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS), dtype=np.uint8)
    deepest = depth = 0
    for start in range(0, len(brackets), _CHUNK):
        running = depth + np.cumsum(_STEP[brackets[start:start + _CHUNK]])
        deepest, depth = max(deepest, int(running.max())), int(running[-1])
    return deepest


def check_size(size: int, name: str = "the notebook") -> None:
    """Raise :class:`NotebookFormatError` when a notebook of ``size`` bytes is over :data:`MAX_NOTEBOOK_BYTES`."""
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookFormatError(f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB: clear the outputs "
                                  "(Kernel → Restart & Clear Output) and hand it in again")


def parse_notebook(raw: bytes, name: str = "the notebook") -> NotebookData:
    """The cells and metadata of the notebook in ``raw``, or :class:`NotebookFormatError`.

    ``name`` (the file's name) starts every message. Notebooks in the old
    format 3 layout (``worksheets``) are converted by nbformat, imported only then.
    """
    check_size(len(raw), name)
    if nesting_depth(raw) > MAX_DEPTH:
        raise NotebookFormatError(f"{name} is not a valid notebook file (its JSON nests deeper than {MAX_DEPTH} "
                                  f"levels; a notebook needs about 10): it may have been damaged: {FIX}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise NotebookFormatError(f"{name} is not a valid notebook file (not JSON: {err}); "
                                  f"it may have been damaged: {FIX}") from None
    if isinstance(data, dict) and "cells" not in data and "worksheets" in data:
        data = _from_format_3(data, name)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookFormatError(f"{name} is JSON but not a Jupyter notebook (no 'cells' list); "
                                  "hand in the .ipynb file of the assignment")
    if data.get("nbformat") != 4:
        raise NotebookFormatError(f"{name} is not a Jupyter notebook of format 4 ('nbformat' is "
                                  f"{data.get('nbformat')!r}); {FIX}")
    metadata = _mapping(data.get("metadata"), f"{name} is not a valid Jupyter notebook: its metadata")
    return NotebookData(tuple(_cell(number, cell, name) for number, cell in enumerate(data["cells"], start=1)),
                        metadata)


def _cell(number: int, cell: Any, name: str) -> Cell:
    where = f"{name} is not a valid Jupyter notebook: cell {number}"
    if not isinstance(cell, dict):
        raise NotebookFormatError(f"{where} is not a JSON object; {FIX}")
    if cell.get("cell_type") not in CELL_TYPES:
        raise NotebookFormatError(f"{where} has no cell_type of {', '.join(CELL_TYPES)} "
                                  f"(it has {cell.get('cell_type')!r}); {FIX}")
    source = cell.get("source")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookFormatError(f"{where} has no source (text or a list of lines); {FIX}")
    metadata = _mapping(cell.get("metadata"), f"{where}'s metadata")
    _mapping(metadata.get("nbgrader"), f"{where}'s nbgrader metadata")
    return Cell(number, cell["cell_type"], source, metadata)


def _mapping(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object, {} when it is absent (or null)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NotebookFormatError(f"{what} is not a JSON object; {FIX}")
    return value


def _from_format_3(data: dict, name: str) -> Any:
    """A format 3 notebook (IPython 2) converted to format 4 by nbformat (the only use of it here)."""
    import nbformat
    try:
        notebook = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(notebook)
    except Exception as err:  # nbformat raises several types for malformed notebooks
        raise NotebookFormatError(f"{name} is not a valid Jupyter notebook ({type(err).__name__}: "
                                  f"{str(err).splitlines()[0][:200]}); {FIX}") from None
    return notebook


def nbgrader_checksum(cell: Cell) -> str | None:
    """nbgrader's checksum of a cell (``nbgrader.utils.compute_checksum``), or None when the cell lacks
    what it covers (a grade_id; points on a grade cell).

    The MD5 of, in order: the source, the cell type, ``str`` of the cell's
    grade, solution and locked flags (locked: False for a solution cell, True
    for a grade cell), its grade_id and, for a grade cell, ``str(float(points))``.
    Computed here so that grading needs no nbgrader import (about 1.5 s).
    """
    meta = cell.nbgrader
    grade, solution = meta.get("grade", False), meta.get("solution", False)
    locked = False if solution else True if grade else meta.get("locked", False)
    if not isinstance(meta.get("grade_id"), str):
        return None
    parts = [cell.source, cell.cell_type, str(grade), str(solution), str(locked), meta["grade_id"]]
    if grade:
        try:
            parts.append(str(float(meta["points"])))
        except (KeyError, TypeError, ValueError):
            return None
    digest = hashlib.md5()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))  # nbgrader fails on a lone surrogate
    return digest.hexdigest()
