"""A student's own notebook, run top to bottom in a Jupyter kernel, and its check cells' reports.

This is ``grade check NOTEBOOK``: the student runs their OWN notebook, so it
runs in an ordinary Jupyter kernel (nbclient) in the notebook's folder (the
notebook's dlcheck cell defines the checks). It is not a grader: it only
reads back what the public check cells printed (a check cell that found a
mistake also ends in an AssertionError). Grading runs student code in
the sandboxed worker instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.grading.handin import read_handin
from autograder.grading.submission import MAX_NOTEBOOK_BYTES

REPORT = re.compile(r"^(?P<title>.+): public checks (?P<earned>[\d.]+)/(?P<total>[\d.]+) points$", re.M)
"""The first line of :func:`exercises.dlcheck.report`."""


@dataclass(frozen=True)
class CheckCellReport:
    """What one check cell printed."""

    exercise: str
    """The exercise key, e.g. ``a2.sigmoid``."""
    text: str
    """The report as printed under the cell (empty if the cell raised before printing)."""
    earned: float | None
    """Public points earned, read from the report; None when there was no report."""
    total: float | None
    error: str = ""
    """``ErrorName: message`` when the check cell itself raised."""

    @property
    def passed(self) -> bool:
        return not self.error and self.total is not None and self.earned == self.total


@dataclass(frozen=True)
class NotebookCheck:
    """The result of running a notebook's check cells."""

    notebook: Path
    cells: tuple[CheckCellReport, ...]
    errors: tuple[str, ...]
    """``cell id: ErrorName: message`` for the other cells that raised (e.g. an unfinished stub)."""

    @property
    def passed(self) -> bool:
        """Every public check of every exercise passed."""
        return bool(self.cells) and all(c.passed for c in self.cells)


def parse_report(text: str) -> tuple[float, float] | None:
    """(earned, total) from a check cell's printed report, or None if there is none."""
    found = REPORT.search(text)
    return (float(found["earned"]), float(found["total"])) if found else None


def _outputs(cell: nbformat.NotebookNode) -> tuple[str, str]:
    printed, error = [], ""
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            printed.append(output.text)
        elif output.output_type == "error":
            error = f"{output.ename}: {output.evalue}"
    return "".join(printed), error


def run_notebook_checks(path: Path, *, timeout: int = 120, kernel_name: str = "python3") -> NotebookCheck:
    """Execute the notebook at ``path`` in a fresh kernel (cwd: its folder) and read its check cells.

    Errors in cells do not stop the run: every check cell gets its say. The
    notebook is read with :func:`~autograder.grading.handin.read_handin`
    (:class:`~autograder.grading.handin.HandinError` for a link, a special or
    an oversized file).
    """
    from nbclient import NotebookClient  # imported here: starting kernels is this module's only job
    if not Path(path).exists():
        raise FileNotFoundError(f"no notebook at {path}: pass the path of your .ipynb file")
    raw = read_handin(Path(path), max_bytes=MAX_NOTEBOOK_BYTES)  # HandinError: a link, a FIFO, too large
    path = Path(path).resolve()
    notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    reports, errors = [], []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        role = cell.metadata.get("dlgrade", {})
        printed, error = _outputs(cell)
        if role.get("role") == "check":
            score = parse_report(printed)
            reports.append(CheckCellReport(exercise=role.get("exercise", "?"), text=printed.rstrip("\n"),
                                           earned=score[0] if score else None,
                                           total=score[1] if score else None, error=error))
        elif error:
            errors.append(f"{cell.get('id', '?')}: {error}")
    return NotebookCheck(notebook=path, cells=tuple(reports), errors=tuple(errors))
