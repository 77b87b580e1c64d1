"""Grading results as frozen dataclasses, serialised to ``results.json``.

One :class:`SubmissionResult` per graded notebook; it holds one
:class:`ExerciseResult` per exercise, which holds one :class:`CheckResult` per
check. Scores are computed from the checks, never stored twice.

A written answer graded by hand (:mod:`exercises.written`) is one check named
:data:`WRITTEN_CHECK` whose status is :data:`PENDING` ("needs grading") until a
grader scores it: its points are then neither earned nor lost, so every total
says how many points still need grading (:attr:`SubmissionResult.pending_points`)
beside the auto-graded ones. :func:`with_manual_scores` puts a grader's scores in.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

RESULTS_FORMAT = 1
PENDING = "pending"
"""The status of a written answer no grader has scored yet: "needs grading", never 0."""
GRADED_BY_HAND = "graded"
"""The status of a written answer a grader scored (its points are the grader's score)."""
STATUSES = ("passed", "failed", "error", "timeout", PENDING, GRADED_BY_HAND)
WRITTEN_CHECK = "written_answer"
"""The name of a written answer's one check."""
NEEDS_GRADING = "needs grading"


def score_text(points: float, max_points: float, pending: float) -> str:
    """A score as people read it: ``"30/32"``, or ``"30/30 auto, 2 points need grading"`` while written
    answers wait for a grader (``pending`` points: neither earned nor lost, so never shown as 0)."""
    if not pending:
        return f"{points:g}/{max_points:g}"
    return (f"{points:g}/{max_points - pending:g} auto, {pending:g} point{'' if pending == 1 else 's'} "
            f"{'needs' if pending == 1 else 'need'} grading")


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

    @property
    def pending(self) -> bool:
        """Whether a grader still has to score this check ("needs grading")."""
        return self.status == PENDING


@dataclass(frozen=True)
class ExerciseResult:
    """The checks of one exercise; partial credit is the sum of the passed checks."""

    key: str
    """``"<assignment>.<id>"``."""
    title: str
    checks: tuple[CheckResult, ...]
    manual_score: float | None = None
    """The score a grader gave in the gradebook (nbgrader's ``Grade.manual_score``): it replaces the
    checks' sum, as in nbgrader (a written answer's score, or an auto score overridden); None: none given."""
    comment: str = ""
    """The grader's comment on this exercise (formgrader); grader text, escaped wherever shown."""

    @property
    def auto_points(self) -> float:
        """Points the checks earned (before any grader's score)."""
        return sum(c.points for c in self.checks)

    @property
    def points(self) -> float:
        return self.auto_points if self.manual_score is None else self.manual_score

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.checks)

    @property
    def pending_points(self) -> float:
        """Points that need grading by hand: in :attr:`max_points`, neither earned nor lost yet."""
        if self.manual_score is not None:
            return 0.0
        return sum(c.max_points for c in self.checks if c.pending)

    @property
    def written(self) -> bool:
        """Whether this is a written answer graded by hand (its one check is :data:`WRITTEN_CHECK`)."""
        return any(c.name == WRITTEN_CHECK for c in self.checks)


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

    @property
    def pending_points(self) -> float:
        """Points of written answers no grader has scored yet ("needs grading")."""
        return sum(e.pending_points for e in self.exercises)

    def score_text(self) -> str:
        """The score as people read it (see :func:`score_text`)."""
        return score_text(self.points, self.max_points, self.pending_points)

    def checks(self) -> list[tuple[ExerciseResult, CheckResult]]:
        """Every (exercise, check) pair in notebook order."""
        return [(e, c) for e in self.exercises for c in e.checks]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["points"] = self.points
        data["max_points"] = self.max_points
        data["pending_points"] = self.pending_points
        for exercise, raw in zip(self.exercises, data["exercises"]):
            raw["points"], raw["max_points"] = exercise.points, exercise.max_points
            raw["pending_points"] = exercise.pending_points
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SubmissionResult":
        exercises = tuple(
            ExerciseResult(key=e["key"], title=e["title"],
                           checks=tuple(CheckResult(**{**c, "choices": tuple(c.get("choices", ()))})
                                        for c in e["checks"]),
                           manual_score=e.get("manual_score"), comment=e.get("comment", ""))
            for e in data["exercises"])
        problems = tuple(CellProblem(**p) for p in data.get("cell_problems", ()))
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__
                  and k not in ("exercises", "cell_problems", "figures")}
        fields["edited_locked_cells"] = tuple(data.get("edited_locked_cells", ()))
        return cls(exercises=exercises, cell_problems=problems,
                   figures=tuple(data.get("figures", ())), **fields)


@dataclass(frozen=True)
class ManualGrade:
    """What a grader gave one exercise in the gradebook (formgrader): a score and/or a comment."""

    score: float | None = None
    """``Grade.manual_score``; None when the grader gave none (the auto score stands)."""
    comment: str = ""
    """The comment (nbgrader's ``Comment.manual_comment``); grader text."""


def with_manual_scores(result: SubmissionResult, grades: Mapping[str, ManualGrade]) -> SubmissionResult:
    """``result`` with the graders' scores and comments (``grades`` by exercise key) put in: a score
    replaces the exercise's auto score as in nbgrader, and a written answer's score ends "needs grading"."""
    def scored(exercise: ExerciseResult, grade: ManualGrade) -> ExerciseResult:
        checks = exercise.checks
        if grade.score is not None:  # a written answer waiting for this score is graded now
            checks = tuple(replace(c, status=GRADED_BY_HAND, points=grade.score, message="Graded by hand.")
                           if c.pending else c for c in checks)
        return replace(exercise, checks=checks, manual_score=grade.score, comment=grade.comment)
    return replace(result, exercises=tuple(scored(e, grades[e.key]) if e.key in grades else e
                                           for e in result.exercises))


def write_result(result: SubmissionResult, path: Path) -> None:
    """Write ``results.json`` atomically: a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # ASCII: a worker's reply can carry a lone surrogate (a "\ud800" escape), which UTF-8 cannot encode;
    # escaped, the file stays valid and reads back to the same text (trust invariant 3).
    text = json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=True)
    write_atomically((text + "\n").encode("utf-8"), path, prefix=".results-")


def write_atomically(data: bytes, path: Path, *, prefix: str = ".tmp-") -> None:
    """Write ``data`` to ``path`` (creating its folder) through a synced temporary file and a rename:
    a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
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
