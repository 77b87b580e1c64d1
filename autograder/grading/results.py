"""Grading results as frozen dataclasses, serialised to ``results.json``.

One :class:`SubmissionResult` per graded notebook; it holds one
:class:`ExerciseResult` per exercise, which holds one :class:`CheckResult` per
check. Scores are computed from the checks, never stored twice.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_FORMAT = 1
STATUSES = ("passed", "failed", "error", "timeout")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one submission."""

    name: str
    """The check's function name, ``test_...``."""
    status: str
    """One of ``passed``, ``failed``, ``error`` (the code raised or crashed), ``timeout``."""
    points: float
    """Points earned: all of ``max_points`` when passed, else 0."""
    max_points: float
    """Points the check is worth."""
    public: bool
    """Whether students see this check's inputs and expected values."""
    message: str = ""
    """What went wrong; for hidden checks never inputs or expected values."""
    hint: str = ""
    """How to fix it (a recognised common mistake, or the check's own hint)."""
    output: str = ""
    """What the student's code printed during the check (capped)."""
    duration: float = 0.0
    """Seconds the check took, student calls included (0 for a hidden check: the student's code
    could encode what it saw in the time it takes)."""
    mistake: str = ""
    """The named mistake (the hint text) when the check found a wrong answer; empty for a missing answer
    ("not filled in yet") or an error. Class reports count these."""
    attempted: bool = True
    """False when the check found nothing written yet (the stub still raises NotImplementedError, or
    an answer is not filled in): the feedback page shows such an exercise as one line."""
    note: str = ""
    """Follow-through marking: which of the student's functions were replaced by the model answer's
    for this check, and why (empty when none was)."""
    choices: tuple[dict, ...] = ()
    """A choice question's answer, on its first credit check only (empty elsewhere): the options the
    student was shown, in their order, each ``{"text", "picked", "right"}``; ``text`` is the bank
    option's (instructor's) text, so the class report counts picks by option, not by letter."""


@dataclass(frozen=True)
class ExerciseResult:
    """The checks of one exercise; partial credit is the sum of the passed checks."""

    key: str
    """``"<assignment>.<id>"``."""
    title: str
    checks: tuple[CheckResult, ...]

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.checks)


@dataclass(frozen=True)
class CellProblem:
    """A notebook cell of the student's that raised or was refused when it ran."""

    index: int
    """Position among the cells that were run (0-based)."""
    error: str
    """The error type and message, e.g. ``NameError: name 'x' is not defined``."""


@dataclass(frozen=True)
class SubmissionResult:
    """Everything the grader concluded about one student's notebook."""

    student: str
    assignment: str
    exercises: tuple[ExerciseResult, ...]
    notebook_sha256: str = ""
    """Hash of the graded notebook file: a re-grade of the same bytes is skipped."""
    notebook_file: str = ""
    """The name of the graded notebook in the hand-in folder, e.g. ``a2.ipynb`` (empty when no
    notebook was chosen, and in results written before this was recorded)."""
    submitted_at: str | None = None
    """ISO 8601 time of submission when known (for the late policy)."""
    error: str = ""
    """Why the notebook could not be graded at all (empty when it was graded)."""
    cell_problems: tuple[CellProblem, ...] = ()
    output: str = ""
    """What the student's cells printed when they ran (capped)."""
    sandbox: str = ""
    """The sandbox the student code ran in: ``bwrap`` or ``none``."""
    duration: float = 0.0
    grader_version: str = ""
    figures: tuple[dict, ...] = ()
    """Plot data for the feedback page (see :mod:`autograder.reports.figures`): plain JSON."""
    edited_locked_cells: tuple[str, ...] = ()
    """grade_ids of locked cells (prompts, checks) the student changed; the grader ignored the edits."""
    released_for: str = ""
    """The student id the graded notebook says it was released for (empty when it says none, and in
    results written before this was recorded); student-controlled text."""
    format: int = RESULTS_FORMAT

    @property
    def foreign(self) -> bool:
        """Whether the notebook was released for another student than the one it was graded as
        (a copied notebook, or a hand-in filed under the wrong id): it was graded on this student's
        variant all the same."""
        return bool(self.released_for) and self.released_for != self.student

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_points(self) -> float:
        return sum(e.max_points for e in self.exercises)

    def checks(self) -> list[tuple[ExerciseResult, CheckResult]]:
        """Every (exercise, check) pair in notebook order."""
        return [(e, c) for e in self.exercises for c in e.checks]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["points"] = self.points
        data["max_points"] = self.max_points
        for exercise, raw in zip(self.exercises, data["exercises"]):
            raw["points"], raw["max_points"] = exercise.points, exercise.max_points
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SubmissionResult":
        exercises = tuple(
            ExerciseResult(key=e["key"], title=e["title"],
                           checks=tuple(CheckResult(**{**c, "choices": tuple(c.get("choices", ()))})
                                        for c in e["checks"]))
            for e in data["exercises"])
        problems = tuple(CellProblem(**p) for p in data.get("cell_problems", ()))
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__
                  and k not in ("exercises", "cell_problems", "figures")}
        fields["edited_locked_cells"] = tuple(data.get("edited_locked_cells", ()))
        return cls(exercises=exercises, cell_problems=problems,
                   figures=tuple(data.get("figures", ())), **fields)


def write_result(result: SubmissionResult, path: Path) -> None:
    """Write ``results.json`` atomically: a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # ASCII: a worker's reply can carry a lone surrogate (a "\ud800" escape), which UTF-8 cannot encode;
    # escaped, the file stays valid and reads back to the same text (trust invariant 3).
    text = json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_result(path: Path) -> SubmissionResult:
    """Read a ``results.json`` written by :func:`write_result`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read grading results {path}: {err}; re-grade with --force") from err
    if data.get("format") != RESULTS_FORMAT:
        raise ValueError(f"{path} has results format {data.get('format')}, expected "
                         f"{RESULTS_FORMAT}: re-grade with --force")
    return SubmissionResult.from_dict(data)
