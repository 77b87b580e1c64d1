"""Per-option pick rates of choice questions: which distractor caught the class.

Each student sees their own options, in their own order, so picks are counted by
**bank option** (its text), never by letter. The data comes from the results:
a choice question's first credit check records the options the student was
shown, which ones they picked and which are right (``CheckResult.choices``).

For one question, an option's rate is ``picked / shown``: the students who picked
it over the graded students who were shown it and answered the question.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from autograder.grading.results import SubmissionResult


@dataclass(frozen=True)
class OptionPicks:
    """How often one bank option was shown and picked."""

    text: str
    right: bool
    shown: int
    """Students who answered the question and had this option among theirs."""
    picked: int
    """Of those, the students who picked it."""

    @property
    def rate(self) -> float:
        return self.picked / self.shown if self.shown else 0.0


@dataclass(frozen=True)
class ChoicePicks:
    """The pick counts of one choice question (one exercise's credit check that records them)."""

    exercise: str
    title: str
    answered: int
    """Students whose answer was recorded (option letters that could be read)."""
    options: tuple[OptionPicks, ...]
    """Right options first, then distractors; each group by pick rate, highest first."""

    @property
    def top_distractor(self) -> OptionPicks | None:
        """The distractor picked by the most students (None when no distractor was picked)."""
        picked = [o for o in self.options if not o.right and o.picked]
        return max(picked, key=lambda o: (o.picked, o.rate), default=None)


def pick_rates(graded: Sequence[SubmissionResult]) -> tuple[ChoicePicks, ...]:
    """Every choice question of the results, in notebook order, with its options' pick counts."""
    questions: dict[str, tuple[str, Counter, Counter, dict[str, bool], list[int]]] = {}
    for result in graded:
        for exercise in result.exercises:
            recorded = next((c.choices for c in exercise.checks if c.choices), ())
            if not recorded:
                continue
            title, shown, picked, right, answered = questions.setdefault(
                exercise.key, (exercise.title, Counter(), Counter(), {}, [0]))
            answered[0] += 1
            for option in recorded:
                shown[option["text"]] += 1
                picked[option["text"]] += bool(option["picked"])
                right[option["text"]] = bool(option["right"])
    return tuple(
        ChoicePicks(key, title, answered[0], tuple(sorted(
            (OptionPicks(text, right[text], shown[text], picked[text]) for text in shown),
            key=lambda o: (not o.right, -o.rate, -o.picked, o.text))))
        for key, (title, shown, picked, right, answered) in questions.items())
