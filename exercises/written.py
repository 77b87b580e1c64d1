"""Written answers graded by hand: a markdown answer cell with points and a rubric for graders.

An exercise module declares ``QUESTION = WrittenQuestion(...)`` and no checks:
its points come from a grader (nbgrader's formgrader writes ``Grade.manual_score``),
never from code. In the notebook the answer is a markdown cell with nbgrader
metadata ``solution: true, grade: true, points`` (grade_id ``<ex>_answer``); the
released notebook shows ``YOUR ANSWER HERE`` there (nbgrader's ClearSolutions).
The grader reads what the student wrote as data (:data:`MAX_ANSWER_CHARS` at most)
and records it as *pending*: "needs grading", never 0, until a grader scores it.
The rubric is for graders only: it is in the autograded notebook formgrader shows,
never in the released one.
"""
from __future__ import annotations

from dataclasses import dataclass

ANSWER_ROLE = "answer"
"""``metadata.dlgrade.role`` of a written-answer cell."""
ANSWER_STUB = "YOUR ANSWER HERE"
"""What nbgrader's ClearSolutions leaves in a markdown solution cell (its default ``text_stub``)."""
MAX_ANSWER_CHARS = 20_000
"""Longer answers are cut to this many characters when read (the rest is marked as cut)."""


@dataclass(frozen=True)
class WrittenQuestion:
    """A question answered in words, scored by a grader out of ``points``."""

    points: float
    """Points a grader can give (nbgrader's ``max_score`` of the answer cell)."""
    rubric: str
    """What earns the points: shown to graders beside the answer, never to students before grading."""
    model_answer: str
    """An answer worth every point: the source notebook's answer cell (the sample class writes it)."""

    def __post_init__(self) -> None:
        if not self.points > 0:
            raise ValueError(f"a written question is worth more than 0 points, not {self.points!r}")
        if not self.rubric.strip() or not self.model_answer.strip():
            raise ValueError("a written question needs a rubric and a model answer (graders read both)")


def answer_grade_id(exercise_key: str) -> str:
    """The grade_id (and cell id) of an exercise's answer cell: ``a1.xor_written`` → ``a1_xor_written_answer``
    (the form of :func:`autograder.course.notebooks.cell_id`)."""
    return f"{exercise_key.replace('.', '_')}_{ANSWER_ROLE}"


def read_answer(source: str) -> str:
    """What the student wrote in an answer cell, bounded to :data:`MAX_ANSWER_CHARS`; ``""`` when the
    cell still holds the released stub (nothing written). Student text: escape it wherever shown."""
    text = source if isinstance(source, str) else ""
    if text.strip() in ("", ANSWER_STUB):
        return ""
    if len(text) > MAX_ANSWER_CHARS:
        return text[:MAX_ANSWER_CHARS] + f"\n…[{len(text) - MAX_ANSWER_CHARS} more characters]"
    return text
