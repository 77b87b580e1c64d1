"""The numbers of the class view of one assignment: scores, pass rates, common mistakes, lateness.

:func:`class_report` condenses the graded results into a frozen :class:`ClassReport`
(rendered by :mod:`.class_report_html` and :mod:`.class_report_terminal`; written by
:mod:`.class_report`).

Who counts where (every number on the page states its denominator):

- score statistics (mean, median, best, histogram), exercise means and pass
  rates cover the same students: every hand-in whose result could be read, an
  ungradeable notebook counting with the 0 it earned and passing nothing (as
  in the gradebook), so the exercise means add up to the mean;
- mistakes cover the *graded* notebooks only (``error`` empty): a notebook
  that never ran shows no mistake;
- roster students without a hand-in (no result at all) are listed, not counted;
- a mistake is the text of a failed check's named mistake
  (``CheckResult.mistake``); a failure without one (a missing answer, "not
  filled in yet", or no mistake recognised) is no mistake; its share is the
  fraction of graded students who made it;
- choice questions' pick rates cover the graded students who answered the
  question, each option over those who were shown it (:mod:`.pick_rates`).
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from autograder.course.config import Course
from autograder.grading.results import SubmissionResult
from autograder.reports.feedback import lateness
from autograder.reports.pick_rates import ChoicePicks, pick_rates

MAX_BINS = 20


@dataclass(frozen=True)
class ExerciseStat:
    """How the graded class did on one exercise."""

    key: str
    title: str
    max_points: float
    mean_points: float
    """Mean over the hand-ins with a result, ungradeable ones at 0 (NaN when there are none)."""
    full_marks: int
    """Students who passed every check of the exercise."""
    students: int
    """Hand-ins with a result (the report's ``n_students``), less those whose written answer needs grading."""
    needs_grading: int = 0
    """Hand-ins whose answer to this exercise (a written answer) no grader has scored yet: left out of
    the mean and the pass rate, never counted as 0."""

    @property
    def pass_rate(self) -> float:
        """Share of ``students`` who passed every check (NaN when there are none)."""
        return self.full_marks / self.students if self.students else math.nan


@dataclass(frozen=True)
class CheckStat:
    """How many graded students passed one check."""

    exercise: str
    check: str
    public: bool
    passed: int
    students: int
    """Hand-ins with a result, as for the exercise pass rates."""

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else math.nan


@dataclass(frozen=True)
class Mistake:
    """A named mistake the checks recognised, counted over students."""

    exercise: str
    check: str
    text: str
    """The named mistake (``CheckResult.mistake``)."""
    students: int
    """Graded students whose check failed with this mistake."""
    share: float
    """``students`` over the graded students."""


@dataclass(frozen=True)
class LateSubmission:
    """A hand-in after the deadline and the grace period."""

    student: str
    submitted_at: str
    days_late: int
    fraction: float
    """Share of the points taken away by the late policy."""
    reason: str


@dataclass(frozen=True)
class Ungradeable:
    """A notebook the grader could not run, or a results.json it could not read."""

    student: str
    error: str


@dataclass(frozen=True)
class ClassReport:
    """Everything the class view shows about one assignment."""

    course: str
    assignment: str
    title: str
    n_students: int
    """Results that could be read (graded or not)."""
    n_graded: int
    """Results whose notebook ran (``error`` empty)."""
    max_points: float
    mean: float
    """Mean score over the ``n_students`` (NaN when there are none); likewise median and max."""
    median: float
    max: float
    scores: tuple[tuple[str, float], ...]
    """``(student, points)`` before any late penalty, by student id."""
    histogram_edges: tuple[float, ...]
    histogram_counts: tuple[int, ...]
    exercises: tuple[ExerciseStat, ...]
    checks: tuple[CheckStat, ...]
    mistakes: tuple[Mistake, ...]
    """Most common first."""
    late: tuple[LateSubmission, ...] | None
    """Late hand-ins; None when lateness is unknown (no course or no submission times)."""
    unknown_times: tuple[str, ...]
    """Students whose submission time is missing or unreadable."""
    ungradeable: tuple[Ungradeable, ...]
    missing: tuple[str, ...] | None = None
    """Roster students with no hand-in (no result, readable or not); None when no roster was given."""
    foreign: tuple[tuple[str, str], ...] = ()
    """``(student, released for)`` of hand-ins whose notebook was released for another student."""
    similarity_page: str = ""
    """The code-similarity page beside the report (a relative link) when ``grade similarity`` wrote one."""
    choices: tuple[ChoicePicks, ...] = ()
    """Per-option pick counts of the choice questions, over the graded notebooks that answered them."""
    needs_grading: tuple[tuple[str, float], ...] = ()
    """``(student, points)`` of hand-ins with written answers no grader has scored yet: those points are
    in no score yet (neither earned nor lost)."""
    comments: tuple[tuple[str, str, str], ...] = ()
    """``(student, exercise key, comment)`` for every comment a grader gave (formgrader)."""




# --------------------------------------------------------------------------
# Computing the report
# --------------------------------------------------------------------------
def histogram(scores: Sequence[float], max_points: float) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Bin edges and counts over ``[0, max_points]``: one bin per point up to 20 points, else 20 bins."""
    top = max([max_points, *scores, 0.0])
    if top <= 0:
        top = 1.0
    bins = min(MAX_BINS, max(1, math.ceil(top)))
    counts, edges = np.histogram(np.asarray(scores, dtype=float), bins=bins, range=(0.0, top))
    return tuple(float(e) for e in edges), tuple(int(c) for c in counts)


def _exercise_stats(graded: Sequence[SubmissionResult]) -> tuple[tuple[ExerciseStat, ...],
                                                                  tuple[CheckStat, ...]]:
    exercises: dict[str, list] = {}
    checks: dict[tuple[str, str], list] = {}
    waiting: Counter[str] = Counter()
    for result in graded:
        for exercise in result.exercises:
            entry = exercises.setdefault(exercise.key, [exercise.title, exercise.max_points, [], 0])
            if exercise.pending_points:  # needs grading: neither a 0 in the mean nor a failure
                waiting[exercise.key] += 1
                continue
            entry[2].append(exercise.points)
            entry[3] += (all(c.status == "passed" for c in exercise.checks) if exercise.manual_score is None
                         else exercise.manual_score >= exercise.max_points)
            for check in exercise.checks:
                stat = checks.setdefault((exercise.key, check.name), [check.public, 0, 0])
                stat[1] += check.status == "passed"
                stat[2] += 1
    return (tuple(ExerciseStat(key, title, top, statistics.fmean(points) if points else math.nan, full,
                               len(points), waiting[key])
                  for key, (title, top, points, full) in exercises.items()),
            tuple(CheckStat(key, name, public, passed, n)
                  for (key, name), (public, passed, n) in checks.items()))


def _mistakes(graded: Sequence[SubmissionResult]) -> tuple[Mistake, ...]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for result in graded:
        counts.update({(e.key, c.name, c.mistake) for e, c in result.checks()
                       if c.status == "failed" and c.mistake})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Mistake(key, name, text, n, n / len(graded)) for (key, name, text), n in ranked)


def _lateness(results: Sequence[SubmissionResult], course: Course | None
              ) -> tuple[tuple[LateSubmission, ...] | None, tuple[str, ...]]:
    if course is None:
        return None, ()
    late, unknown, known = [], [], 0
    for result in results:
        penalty = lateness(result, course)
        if penalty is None:
            unknown.append(result.student)
            continue
        known += 1
        if penalty.days_late > 0:
            late.append(LateSubmission(result.student, result.submitted_at or "", penalty.days_late,
                                       penalty.fraction, penalty.reason))
    return (tuple(late) if known else None), tuple(unknown)


def class_report(results: Sequence[SubmissionResult], course: Course | None, assignment: str, *,
                 unreadable: Sequence[tuple[str, str]] = (),
                 roster: Sequence[str] | None = None) -> ClassReport:
    """The class view of ``assignment`` from its results (see the module docstring for who counts where).

    ``unreadable`` lists ``(student, error)`` for results that could not be read;
    they appear among the ungradeable notebooks. ``roster`` (student ids) gives
    the students without a hand-in.
    """
    strays = sorted({r.student for r in results if r.assignment != assignment})
    if strays:
        raise ValueError(f"results of {', '.join(strays)} are not for assignment {assignment}: "
                         "pass only that assignment's results")
    ordered = sorted(results, key=lambda r: r.student)
    graded = [r for r in ordered if not r.error]
    points = [r.points for r in ordered]
    max_points = max((r.max_points for r in ordered), default=0.0)
    edges, counts = histogram(points, max_points)
    exercises, checks = _exercise_stats(ordered)
    late, unknown = _lateness(ordered, course)
    title = ""
    if course is not None:
        title = next((a.title for a in course.assignments if a.id == assignment), "")
    return ClassReport(
        course=course.name if course is not None else "", assignment=assignment, title=title,
        n_students=len(ordered), n_graded=len(graded), max_points=max_points,
        mean=statistics.fmean(points) if points else math.nan,
        median=statistics.median(points) if points else math.nan,
        max=max(points) if points else math.nan,
        scores=tuple((r.student, r.points) for r in ordered),
        histogram_edges=edges, histogram_counts=counts, exercises=exercises, checks=checks,
        mistakes=_mistakes(graded) if graded else (), late=late, unknown_times=unknown,
        ungradeable=tuple([Ungradeable(r.student, r.error) for r in ordered if r.error]
                          + [Ungradeable(s, e) for s, e in unreadable]),
        missing=None if roster is None else tuple(sorted(
            set(roster) - {r.student for r in ordered} - {s for s, _ in unreadable})),
        foreign=tuple((r.student, r.released_for) for r in ordered if r.foreign),
        choices=pick_rates(graded),
        needs_grading=tuple((r.student, r.pending_points) for r in ordered if r.pending_points),
        comments=tuple((r.student, e.key, e.comment) for r in ordered for e in r.exercises if e.comment))


def over(report: ClassReport) -> str:
    """The denominator of the scores, means and pass rates, in words."""
    zeros = sum(1 for u in report.ungradeable if u.student in dict(report.scores))
    return (f"over {report.n_students} hand-in{'' if report.n_students == 1 else 's'}"
            + (f" ({zeros} not gradeable, counted as 0)" if zeros else ""))


def number_text(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, or "–" when it is NaN or infinite (no students)."""
    return "–" if not math.isfinite(value) else f"{value:.{digits}g}"
