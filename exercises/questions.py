"""Questions beyond code: a numeric answer or a choice of options, in the same notebooks and gradebook.

The student assigns a variable in the solution cell (the notebook stays plain
nbformat); the grader reads it as data (``student.value(name)``) and judges it
here, in hidden checks, so the right answer never reaches the released notebook.
The public check of such an exercise only checks the answer's form
(:func:`exercises.dlcheck.expect_number`, :func:`~exercises.dlcheck.expect_letters`).

:class:`NumericQuestion`
    the expected value computed from ``reference/`` for the student's variant, a
    comparison rule of :mod:`exercises.answers` and the classic wrong answers
    (a sign, a factor, a forgotten step), each with its hint;
:class:`ChoiceQuestion`
    a bank of correct options and distractors (each with the explanation shown
    after grading), a seeded subset drawn and shuffled per student, answered
    with option letters, and PrairieLearn's partial-credit schemes:

    - ``all-or-nothing``: every right option and no other;
    - ``net-correct`` (PrairieLearn's "PC"): max(0, right chosen − wrong chosen) / right options;
    - ``each-answer`` (PrairieLearn's "EDC"): options decided correctly (chosen if right,
      left if wrong) / options shown.

    A check is all or nothing, so a scheme's credit, in steps of 1/k, is earned by k
    hidden checks: check i passes when credit >= i/k (:meth:`ChoiceQuestion.credit_checks`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pytest

from exercises.answers import Rule, expected_text, judge
from exercises.dlcheck import CheckFailed, expect_letters, expect_number
from exercises.model import BEGIN_SOLUTION, END_SOLUTION, RedrawVariant

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALL_OR_NOTHING, NET_CORRECT, EACH_ANSWER = "all-or-nothing", "net-correct", "each-answer"
MAX_TYPED = 64
"""Longer answer strings are judged as the number they read as (their digits are not counted)."""


def questions_of(module: Any) -> tuple[Any, ...]:
    """An exercise module's questions: its ``QUESTIONS`` (a small table), its one ``QUESTION``, or none."""
    return tuple(getattr(module, "QUESTIONS", None) or (
        (module.QUESTION,) if getattr(module, "QUESTION", None) is not None else ()))


def answer_cell(variable: str, asked: str, model_answer: str) -> str:
    """A solution cell assigning ``variable``: the model answer in the solution region, inside a
    ``try`` so that the cleared cell (``raise NotImplementedError()``) leaves the variable at None."""
    return (f"# Your answer ({asked}): replace the `raise` below.\n{variable} = None\n"
            f"try:\n    {BEGIN_SOLUTION}\n    {variable} = {model_answer}\n    {END_SOLUTION}\n"
            "except NotImplementedError:  # not answered yet: the variable stays None\n    pass\n")


# --------------------------------------------------------------------------
# Numeric answers
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class WrongAnswer:
    """A classic wrong answer: what it computes for a variant, and the hint shown when it is given."""

    hint: str
    value: Callable[[Mapping[str, Any]], float]


@dataclass(frozen=True)
class NumericQuestion:
    """A number the student works out and assigns to ``variable``, judged by ``rule``."""

    variable: str
    rule: Rule
    expected: Callable[[Mapping[str, Any]], float]
    """The true value for a variant, computed with ``reference/``."""
    wrong_answers: tuple[WrongAnswer, ...] = ()

    @property
    def asked(self) -> str:
        """What the prompt and the public check say is expected, e.g. "3 significant figures"."""
        return self.rule.describe()

    def model_answer(self, params: Mapping[str, Any]) -> str:
        """The true value as the student should write it (rounded as the rule asks)."""
        return expected_text(self.rule, self.expected(params))

    def solution_cell(self, params: Mapping[str, Any]) -> str:
        return answer_cell(self.variable, self.asked, self.model_answer(params))

    def distinct(self, params: dict) -> dict:
        """``params`` when the true value and the wrong answers are told apart by the rule (each judged
        wrong, no two taken for each other); else :class:`RedrawVariant`, so a mistake costs the same
        points and gets its own hint on every variant."""
        values = [(self.expected(params), "the true value")] + [(w.value(params), w.hint) for w in self.wrong_answers]
        for i, (value, what) in enumerate(values):
            for other, other_what in values[i + 1:]:
                if (judge(self.rule, expected_text(self.rule, value), other).correct
                        or judge(self.rule, expected_text(self.rule, other), value).correct):
                    raise RedrawVariant(f"{value!r} ({what}) and {other!r} ({other_what}) are too close")
        return params

    def recognise(self, answer: float, params: Mapping[str, Any]) -> str:
        """The hint of the catalogued wrong answer that ``answer`` is (under the rule), else ``""``."""
        for wrong in self.wrong_answers:
            if judge(self.rule, answer, wrong.value(params)).correct:
                return wrong.hint
        return ""

    def grade(self, answer: Any, params: Mapping[str, Any]) -> None:
        """Pass, or raise :class:`CheckFailed` whose hint (shown after grading) names the mistake, says
        when the answer lacks precision, and gives the expected value and the accepted range."""
        number = expect_number(answer, self.variable, self.asked)
        # As typed (trailing zeros count) when it is a short numeric string; else the number read.
        written = answer.strip() if isinstance(answer, str) and len(answer) <= MAX_TYPED else number
        verdict = judge(self.rule, written, self.expected(params))
        if verdict.correct:
            return
        mistake = self.recognise(number, params)
        feedback = [mistake, verdict.precision, f"Expected {verdict.expected} ({self.asked}): accepted {verdict.accepted}."]
        raise CheckFailed(f"`{self.variable}` = {number!r}: wrong value.", " ".join(f for f in feedback if f),
                          mistake=mistake)  # the class report counts the mistake, not each student's numbers

    def check(self, points: float, hint: str) -> Callable[..., None]:
        """The hidden check judging the value (``hint``: shown when it fails without an answer to judge)."""
        def check_value(student: Any, params: Mapping[str, Any]) -> None:
            self.grade(student.value(self.variable), params)
        check_value.__doc__ = f"Is `{self.variable}` right ({self.asked})?"
        return pytest.mark.points(points)(pytest.mark.hidden(hint=hint)(check_value))


# --------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """One option of a bank: its text, whether it is right, and the explanation shown after grading."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class ChoiceQuestion:
    """Options drawn from ``bank`` per student (``n_correct`` right ones, ``n_distractors`` others),
    shuffled, answered with letters in ``variable``, credited by ``scheme``."""

    variable: str
    bank: tuple[Option, ...]
    n_correct: int = 1
    n_distractors: int = 3
    scheme: str = ALL_OR_NOTHING

    def __post_init__(self) -> None:
        right = sum(o.correct for o in self.bank)
        if self.scheme not in (ALL_OR_NOTHING, NET_CORRECT, EACH_ANSWER):
            raise ValueError(f"unknown scheme {self.scheme!r}: use {ALL_OR_NOTHING}, {NET_CORRECT} or {EACH_ANSWER}")
        if right < self.n_correct or len(self.bank) - right < self.n_distractors or self.n_correct < 1:
            raise ValueError(f"{self.variable}: the bank has {right} right options and {len(self.bank) - right} "
                             f"distractors; {self.n_correct} (>= 1) and {self.n_distractors} are drawn")
        if len({o.text for o in self.bank}) != len(self.bank):
            raise ValueError(f"{self.variable}: two options of the bank have the same text")

    @property
    def n_options(self) -> int:
        return self.n_correct + self.n_distractors

    @property
    def steps(self) -> int:
        """How many hidden checks share the points: the credit moves in steps of 1/steps."""
        return {ALL_OR_NOTHING: 1, NET_CORRECT: self.n_correct, EACH_ANSWER: self.n_options}[self.scheme]

    def draw(self, rng: np.random.Generator) -> list[str]:
        """The student's options: a seeded subset of the bank, shuffled (texts only: the variant, which
        is released, never says which options are right)."""
        right = [o.text for o in self.bank if o.correct]
        wrong = [o.text for o in self.bank if not o.correct]
        chosen = ([right[i] for i in rng.choice(len(right), self.n_correct, replace=False)]
                  + [wrong[i] for i in rng.choice(len(wrong), self.n_distractors, replace=False)])
        return [chosen[i] for i in rng.permutation(len(chosen))]

    def _option(self, text: str) -> Option:
        return next(o for o in self.bank if o.text == text)

    def right_letters(self, options: list[str]) -> str:
        return "".join(LETTERS[i] for i, text in enumerate(options) if self._option(text).correct)

    def listing(self, options: list[str]) -> str:
        """The options as the prompt shows them: ``- **A.** text``."""
        return "\n".join(f"- **{LETTERS[i]}.** {text}" for i, text in enumerate(options))

    def solution_cell(self, params: Mapping[str, Any]) -> str:
        asked = f"the letters of the right options among {LETTERS[:self.n_options]}"
        return answer_cell(self.variable, asked, repr(self.right_letters(params["options"])))

    def credit(self, chosen: str, options: list[str]) -> int:
        """The scheme's credit of ``chosen`` letters, in steps: 0 … :attr:`steps`."""
        right = set(self.right_letters(options))
        picked = set(chosen)
        if self.scheme == ALL_OR_NOTHING:
            return int(picked == right)
        if self.scheme == NET_CORRECT:
            return max(0, len(picked & right) - len(picked - right))
        return sum((letter in picked) == (letter in right) for letter in LETTERS[:len(options)])

    def explain(self, chosen: str, options: list[str]) -> str:
        """Feedback after grading: why each wrong choice is wrong, which right ones were missed."""
        right = self.right_letters(options)
        lines = [f"{letter}: {self._option(options[LETTERS.index(letter)]).explanation}"
                 for letter in chosen if letter not in right]
        missed = [letter for letter in right if letter not in chosen]
        if missed:
            lines.append(f"Missed {', '.join(missed)}: " + " ".join(
                self._option(options[LETTERS.index(letter)]).explanation for letter in missed))
        return " ".join(lines + [f"The right option{'s are' if len(right) > 1 else ' is'} {', '.join(right)}."])

    def record(self, chosen: str, options: list[str]) -> tuple[dict, ...]:
        """The answer as plain data for the class report: each option shown, whether it was picked and
        whether it is right (bank texts, so picks are counted by option across students)."""
        return tuple({"text": text, "picked": LETTERS[i] in chosen, "right": self._option(text).correct}
                     for i, text in enumerate(options))

    def credit_checks(self, points: float, hint: str) -> tuple[Callable[..., None], ...]:
        """The :attr:`steps` hidden checks, ``points / steps`` each: check i passes when the credit is
        at least i steps, so the scheme's credit is earned exactly (``hint``: shown when no answer).
        The first one also notes the answer (:meth:`record`) in the ``record`` fixture."""
        def make(step: int) -> Callable[..., None]:
            def check_choice(student: Any, params: Mapping[str, Any], record: list) -> None:
                options = params["options"]
                chosen = expect_letters(student.value(self.variable), self.variable, len(options))
                earned = self.credit(chosen, options)
                if step == 1:
                    record.extend(self.record(chosen, options))
                if earned < step:
                    wrong = [options[LETTERS.index(letter)] for letter in chosen
                             if letter not in self.right_letters(options)]
                    raise CheckFailed(f"`{self.variable}` = {chosen!r}: credit {earned}/{self.steps} ({self.scheme}).",
                                      self.explain(chosen, options),
                                      mistake=" ".join(self._option(text).explanation for text in wrong))
            check_choice.__doc__ = f"Does `{self.variable}` earn at least {step}/{self.steps} of the credit?"
            return pytest.mark.points(points / self.steps)(pytest.mark.hidden(hint=hint)(check_choice))
        return tuple(make(step) for step in range(1, self.steps + 1))

