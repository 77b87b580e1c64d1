"""The class view of one assignment: scores, pass rates, common mistakes, lateness.

:func:`class_report` condenses the graded results into a frozen
:class:`ClassReport`; :func:`report_html` renders it as one self-contained page
(``<course>/reports/<assignment>/report.html``, plots embedded) and
:func:`report_terminal` as a rich summary for the terminal.

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

import dataclasses
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.course.config import ROSTER_FILE, Course, read_roster
from autograder.reports.feedback import (display_name, esc, html_page, lateness, load_results, no_plot,
                                 png_img, points_text)
from autograder.reports.escape import plot_text, rich_text
from autograder.reports.pick_rates import ChoicePicks, pick_rates
from autograder.reports.plots import NoPlot, histogram_png, pass_rate_png
from autograder.reports.similarity import SIMILARITY_PAGE
from autograder.grading.results import NEEDS_GRADING, SubmissionResult, score_text

REPORTS_DIR = "reports"
REPORT_PAGE = "report.html"
MAX_BINS = 20
TOP_MISTAKES = 10


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


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------
def _number(value: float, digits: int = 3) -> str:
    return "–" if not math.isfinite(value) else f"{value:.{digits}g}"


def _rate(rate: float, detail: str) -> str:
    if not math.isfinite(rate):
        return "<td class=\"num\">n/a</td>"
    return (f"<td class=\"num\"><span class=\"bar\" aria-hidden=\"true\"><span style=\"width:{rate:.0%}\">"
            f"</span></span>{rate:.0%} <small>({esc(detail)})</small></td>")


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plots(report: ClassReport) -> str:
    parts = []
    try:
        parts.append(png_img(histogram_png(report.histogram_edges, report.histogram_counts,
                                           report.max_points, report.mean),
                             f"Histogram of the scores of {report.n_students} students out of "
                             f"{report.max_points:g} points; mean {_number(report.mean)}."))
    except NoPlot as reason:
        parts.append(no_plot("Score histogram", str(reason)))
    try:
        labels = [plot_text(_short(e.title or e.key)) for e in report.exercises]
        parts.append(png_img(pass_rate_png(labels, [e.pass_rate for e in report.exercises]),
                             "Bar chart of the share of students passing every check, per exercise: "
                             + "; ".join(f"{e.title}: {_number(100 * e.pass_rate, 3)} %"
                                         for e in report.exercises) + "."))
    except NoPlot as reason:
        parts.append(no_plot("Pass rates", str(reason)))
    return "".join(parts)


def _table(headers: Sequence[str], rows: Sequence[str]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _choices_html(report: ClassReport) -> str:
    """Per choice question: every bank option shown, right or distractor, picked by how many of the
    students shown it; the distractor that caught the most students named above the table."""
    if not report.choices:
        return ""
    parts = ["<h2>Choice questions: what the class picked</h2>",
             "<p class=\"note\">Options differ per student: each is counted over the students who were "
             "shown it and answered.</p>"]
    for question in report.choices:
        top = question.top_distractor
        caught = (f"Distractor that caught the most students: <q>{esc(top.text)}</q> "
                  f"({top.picked} of {top.shown} shown it)." if top else "No distractor was picked.")
        parts.append(f"<h3>{esc(question.title)} <small>({esc(question.exercise)}, {question.answered} "
                     f"answered)</small></h3><p>{caught}</p>")
        parts.append(_table(["Option", "Kind", "Picked"], [
            f"<tr><td>{esc(o.text)}</td><td>{'<b>right</b>' if o.right else 'distractor'}</td>"
            f"{_rate(o.rate, f'{o.picked}/{o.shown}')}</tr>" for o in question.options]))
    return "".join(parts)


def _needs_grading_html(report: ClassReport) -> str:
    """The hand-ins whose written answers wait for a grader (formgrader), with their points."""
    parts = []
    if report.needs_grading:
        rows = [f"<tr><td>{esc(s)}</td><td class=\"num\">{p:g}</td></tr>" for s, p in report.needs_grading]
        parts.append("<h2>Written answers that need grading</h2><p class=\"note\">These points are in no "
                     "score above yet (neither earned nor lost): grade them in nbgrader's formgrader, then run "
                     "this report again.</p>" + _table(["Student", "Points to grade"], rows))
    if report.comments:
        parts.append("<h2>Graders' comments</h2>" + _table(["Student", "Exercise", "Comment"], [
            f"<tr><td>{esc(s)}</td><td>{esc(k)}</td><td><span class=\"msg\">{esc(c)}</span></td></tr>"
            for s, k, c in report.comments]))
    return "".join(parts)


def report_html(report: ClassReport) -> str:
    """The class report as one self-contained HTML page with its plots embedded."""
    heading = f"{report.assignment}: {report.title}" if report.title else report.assignment
    cards = [("Students", f"{report.n_students}", f"{report.n_graded} graded"),
             ("Mean", _number(report.mean), f"of {report.max_points:g} points, {over(report)}"),
             ("Median", _number(report.median), f"of {report.max_points:g} points, {over(report)}"),
             ("Best", _number(report.max), f"of {report.max_points:g} points")]
    parts = [f"<h1>Class report: {esc(heading)}</h1>",
             f"<p class=\"sub\">{esc(report.course)}</p>" if report.course else "",
             "<div class=\"summary\">" + "".join(
                 f"<div class=\"card\">{esc(name)}<span class=\"big\">{esc(value)}</span>{esc(note)}</div>"
                 for name, value, note in cards) + "</div>",
             "<h2>Scores and pass rates</h2>", f"<p class=\"note\">Scores, means and pass rates {over(report)}.</p>",
             _plots(report), "<h2>Exercises</h2>",
             _table(["Exercise", "Mean points", "Passed every check"], [
                 f"<tr><td>{esc(e.title)} <small>({esc(e.key)})</small></td>"
                 f"<td class=\"num\">{_number(e.mean_points)} / {e.max_points:g}"
                 + (f"<br><small>{e.needs_grading} {NEEDS_GRADING}</small>" if e.needs_grading else "") + "</td>"
                 f"{_rate(e.pass_rate, f'{e.full_marks}/{e.students}')}</tr>" for e in report.exercises]),
             _needs_grading_html(report),
             "<h2>Checks</h2>",
             _table(["Exercise", "Check", "Passed"], [
                 f"<tr><td>{esc(c.exercise)}</td><td><code>{esc(display_name(c.check))}</code>"
                 + ("" if c.public else "<span class=\"badge\">hidden</span>")
                 + f"</td>{_rate(c.pass_rate, f'{c.passed}/{c.students}')}</tr>" for c in report.checks]),
             "<h2>Most common mistakes</h2>"]
    if report.mistakes:
        parts.append(f"<p class=\"note\">Shares of the {report.n_graded} graded notebooks.</p>")
        parts.append(_table(["Students", "Mistake", "Where"], [
            f"<tr><td class=\"num\">{m.share:.0%} <small>({m.students}/{report.n_graded})</small></td>"
            f"<td>{esc(m.text)}</td><td>{esc(m.exercise)} / <code>{esc(display_name(m.check))}"
            "</code></td></tr>" for m in report.mistakes[:TOP_MISTAKES]]))
    else:
        parts.append("<p class=\"note\">No failed check with a named mistake.</p>")
    parts.append(_choices_html(report))
    parts.append("<h2>Late submissions</h2>")
    if report.late is None:
        parts.append("<p class=\"note\">Lateness unknown: no submission times or no course policy.</p>")
    elif report.late:
        parts.append(_table(["Student", "Submitted", "Days late", "Penalty"], [
            f"<tr><td>{esc(s.student)}</td><td>{esc(s.submitted_at)}</td><td class=\"num\">{s.days_late}"
            f"</td><td>{esc(s.reason)}</td></tr>" for s in report.late]))
    else:
        parts.append("<p>Every submission with a known time was on time.</p>")
    if report.unknown_times and report.late is not None:
        parts.append(f"<p class=\"note\">Submission time unknown for: {esc(', '.join(report.unknown_times))}.</p>")
    parts.append("<h2>Notebooks that could not be graded</h2>")
    parts.append(_table(["Student", "Error"], [
        f"<tr><td>{esc(u.student)}</td><td><span class=\"msg\">{esc(u.error)}</span></td></tr>"
        for u in report.ungradeable]) if report.ungradeable else "<p>None.</p>")
    parts.append("<h2>Notebooks released for another student</h2>")
    parts.append(_table(["Student", "Notebook released for"], [
        f"<tr><td>{esc(s)}</td><td><code>{esc(owner)}</code></td></tr>" for s, owner in report.foreign])
        if report.foreign else "<p>None: every graded notebook was released for the student who handed it in.</p>")
    parts.append("<h2>Code similarity</h2>")
    parts.append(f"<p><a href=\"{esc(report.similarity_page)}\">Pairs of solutions that look alike</a> "
                 "(a reason to look, not a verdict).</p>" if report.similarity_page else
                 f"<p class=\"note\">Not computed: run <code>grade similarity {esc(report.assignment)}</code>, "
                 f"then <code>grade report {esc(report.assignment)}</code> again to link it here.</p>")
    parts.append("<h2>No hand-in</h2>")
    if report.missing is None:
        parts.append("<p class=\"note\">No roster: students without a hand-in are not known.</p>")
    else:
        parts.append(f"<p>{esc(', '.join(report.missing))}</p>" if report.missing
                     else "<p>Everyone on the roster handed in.</p>")
    pending = dict(report.needs_grading)
    parts.append("<details><summary>Every student's score</summary>" + _table(["Student", "Points"], [
        f"<tr><td>{esc(s)}</td><td class=\"num\">{esc(score_text(p, report.max_points, pending.get(s, 0.0)))}</td></tr>"
        for s, p in report.scores]) + "</details>")
    return html_page(f"Class report {report.assignment}", "\n".join(p for p in parts if p))


# --------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------
def report_terminal(report: ClassReport, console: Console) -> None:
    """A rich summary: the numbers, one row per exercise, the top mistakes, late and ungradeable.

    Text that may come from students (titles, mistakes, ids, errors) is passed to rich as
    :func:`~autograder.reports.escape.rich_text`, never as markup.
    """
    console.print(Text.assemble(rich_text(report.assignment, "bold"), " ", rich_text(report.title)))
    console.print(f"{report.n_students} students, {report.n_graded} graded; mean {_number(report.mean)}, "
                  f"median {_number(report.median)}, best {_number(report.max)} of {report.max_points:g} points "
                  f"{over(report)}", highlight=False)
    table = Table(title="Exercises")
    table.add_column("exercise")
    table.add_column("mean points", justify="right")
    table.add_column("passed every check", justify="right")
    for e in report.exercises:
        rate = "n/a" if not math.isfinite(e.pass_rate) else f"{e.pass_rate:.0%} ({e.full_marks}/{e.students})"
        table.add_row(rich_text(e.title or e.key), f"{_number(e.mean_points)} / {e.max_points:g}", rate)
    console.print(table)
    if report.needs_grading:
        console.print(f"{len(report.needs_grading)} hand-in(s) with written answers that need grading "
                      f"({sum(p for _, p in report.needs_grading):g} points, in no score yet)", highlight=False)
    if report.mistakes:
        mistakes = Table(title="Most common mistakes")
        mistakes.add_column("students", justify="right")
        mistakes.add_column("mistake", overflow="fold")
        mistakes.add_column("check", overflow="fold")
        for m in report.mistakes[:5]:
            mistakes.add_row(f"{m.share:.0%}", rich_text(m.text), rich_text(f"{m.exercise}/{display_name(m.check)}"))
        console.print(mistakes)
    for question in report.choices:
        top = question.top_distractor
        console.print(Text.assemble(rich_text(question.title or question.exercise, "bold"), ": top distractor ",
                                    rich_text(f"{top.text} ({top.picked}/{top.shown})" if top else "none")),
                      highlight=False)
    if report.late is None:
        console.print("lateness unknown (no submission times)")
    else:
        names = ", ".join(f"{s.student} ({s.days_late} d)" for s in report.late) or "none"
        console.print(Text("late: ").append_text(rich_text(names)), highlight=False)
    for u in report.ungradeable:
        console.print(Text.assemble(("could not grade", "red"), " ", rich_text(u.student), ": ",
                                    rich_text(u.error)), highlight=False)
    for student, owner in report.foreign:
        console.print(Text.assemble(("released for another student", "yellow"), " ", rich_text(student), ": ",
                                    rich_text(f"notebook released for {owner}")), highlight=False)
    if report.missing:
        console.print(Text("no hand-in: ").append_text(rich_text(", ".join(report.missing))), highlight=False)


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------
def roster_ids(course: Course) -> tuple[str, ...] | None:
    """The ids on the course's roster.csv, or None when the course has none (a bad one raises CourseError)."""
    path = Path(course.root) / ROSTER_FILE
    return tuple(s.id for s in read_roster(path)) if path.is_file() else None


def build_report(course: Course, assignment: str) -> ClassReport:
    """The class report from ``<course>/autograded/*/<assignment>/results.json`` and the roster."""
    loaded = load_results(course, assignment)
    return class_report(loaded.results, course, assignment, unreadable=loaded.unreadable,
                        roster=roster_ids(course))


def report_path(course: Course, assignment: str) -> Path:
    """``<course>/reports/<assignment>/report.html``."""
    return course.root / REPORTS_DIR / assignment / REPORT_PAGE


def save_report(course: Course, report: ClassReport) -> Path:
    """Write the report's page; returns its path."""
    path = report_path(course, report.assignment)
    if (path.parent / SIMILARITY_PAGE).is_file():
        report = dataclasses.replace(report, similarity_page=SIMILARITY_PAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_html(report), encoding="utf-8")
    return path


def write_report(course: Course, assignment: str) -> Path:
    """Build the class report of ``assignment`` and write ``<course>/reports/<assignment>/report.html``."""
    return save_report(course, build_report(course, assignment))
