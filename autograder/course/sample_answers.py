"""Sample submissions: a released notebook filled in the way a kind of student would.

Used by ``grade demo`` (the bundled sample class: correct, partial, hostile ...)
and by the benchmark. A :class:`Profile` says which exercises get the model
answer, which are left as the stub, which loop forever, and what else the
student did (code added before the answers, check cells edited).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from nbformat import NotebookNode

from exercises.answers import expected_text
from exercises.model import Exercise, clear_solutions, strip_markers
from exercises.questions import LETTERS, NumericQuestion, questions_of
from exercises.written import ANSWER_ROLE

_STUB_LINE = re.compile(r"^([ \t]*)raise NotImplementedError\(\)[ \t]*$", re.M)


@dataclass(frozen=True)
class Profile:
    """How a sample student answers."""

    name: str
    stubbed: frozenset[str] = field(default_factory=frozenset)
    """Exercise keys left as the released stub (they raise NotImplementedError)."""
    looping: frozenset[str] = field(default_factory=frozenset)
    """Exercise keys whose first function loops forever (the rest of the exercise is left unfinished)."""
    prelude: str = ""
    """Code in a cell the student added before the first answer (e.g. tampering)."""
    edit_check_cells: bool = False
    """Replace every check cell's code by ``pass`` (the grader must ignore it)."""
    quiz_mistakes: bool = False
    """Answer the numeric and choice questions with classic mistakes (:func:`mistaken_answers`)."""


def mistaken_answers(exercise: Exercise, params: Mapping[str, Any]) -> str:
    """A question exercise's cell answered wrong the classic way: each numeric question's first catalogued
    wrong answer, written as asked; each choice question's first right option swapped for the first
    distractor shown (options differ per student, so different students fall for different ones)."""
    lines = []
    for question in questions_of(exercise.module):
        if isinstance(question, NumericQuestion):
            value = expected_text(question.rule, question.wrong_answers[0].value(params))
        else:
            right = question.right_letters(params["options"])
            value = right[1:] + next(letter for letter in LETTERS[:question.n_options] if letter not in right)
        lines.append(f"{question.variable} = {value!r}\n")
    return "".join(lines)


def looping_version(cell: str) -> str:
    """The stub of ``cell`` with its first function looping forever (the others left as stubs)."""
    return _STUB_LINE.sub(lambda m: f"{m[1]}while True:\n{m[1]}    pass", clear_solutions(cell), count=1)


def answered(released: NotebookNode, exercises: Sequence[Exercise], params: Mapping[str, dict],
             profile: Profile) -> NotebookNode:
    """A copy of a released notebook with its solution cells filled in as ``profile`` says."""
    by_key = {e.key: e for e in exercises}
    notebook = copy.deepcopy(released)
    cells = []
    for cell in notebook.cells:
        meta = cell.metadata.get("dlgrade", {})
        key, role = meta.get("exercise"), meta.get("role")
        if role == "solution" and key in by_key:
            model = by_key[key].solution_cell(params[key])
            if key in profile.looping:
                cell.source = looping_version(model)
            elif key not in profile.stubbed and profile.quiz_mistakes and questions_of(by_key[key].module):
                cell.source = mistaken_answers(by_key[key], params[key])
            elif key not in profile.stubbed:
                cell.source = strip_markers(model)
            if profile.prelude and not any(c.metadata.get("dlgrade", {}).get("role") == "added" for c in cells):
                added = copy.deepcopy(cell)
                added.source = profile.prelude
                added.metadata = {"dlgrade": {"role": "added"}}
                added.id = f"added-{len(cells)}"
                cells.append(added)
        if role == ANSWER_ROLE and key in by_key and not {key} & (profile.stubbed | profile.looping):
            cell.source = by_key[key].written.model_answer  # a written answer: the model answer's words
        if role == "check" and profile.edit_check_cells:
            cell.source = "pass"
        cells.append(cell)
    notebook.cells = cells
    return notebook
