"""The class report as one self-contained HTML page, plots embedded
(``<course>/reports/<assignment>/report.html``).

Every piece of text that may come from students (titles, mistakes, ids, errors,
comments) goes through :func:`~autograder.reports.feedback.esc`; plot labels
through :func:`~autograder.reports.escape.plot_text`.
"""
from __future__ import annotations

import math
from typing import Sequence

from autograder.grading.results import NEEDS_GRADING, score_text
from autograder.reports.class_stats import ClassReport, number_text, over
from autograder.reports.escape import plot_text
from autograder.reports.feedback import display_name, esc, html_page, no_plot, png_img
from autograder.reports.plots import NoPlot, histogram_png, pass_rate_png

TOP_MISTAKES = 10
"""Rows of the page's most-common-mistakes table."""


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
                             f"{report.max_points:g} points; mean {number_text(report.mean)}."))
    except NoPlot as reason:
        parts.append(no_plot("Score histogram", str(reason)))
    try:
        labels = [plot_text(_short(e.title or e.key)) for e in report.exercises]
        parts.append(png_img(pass_rate_png(labels, [e.pass_rate for e in report.exercises]),
                             "Bar chart of the share of students passing every check, per exercise: "
                             + "; ".join(f"{e.title}: {number_text(100 * e.pass_rate, 3)} %"
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
             ("Mean", number_text(report.mean), f"of {report.max_points:g} points, {over(report)}"),
             ("Median", number_text(report.median), f"of {report.max_points:g} points, {over(report)}"),
             ("Best", number_text(report.max), f"of {report.max_points:g} points")]
    parts = [f"<h1>Class report: {esc(heading)}</h1>",
             f"<p class=\"sub\">{esc(report.course)}</p>" if report.course else "",
             "<div class=\"summary\">" + "".join(
                 f"<div class=\"card\">{esc(name)}<span class=\"big\">{esc(value)}</span>{esc(note)}</div>"
                 for name, value, note in cards) + "</div>",
             "<h2>Scores and pass rates</h2>", f"<p class=\"note\">Scores, means and pass rates {over(report)}.</p>",
             _plots(report), "<h2>Exercises</h2>",
             _table(["Exercise", "Mean points", "Passed every check"], [
                 f"<tr><td>{esc(e.title)} <small>({esc(e.key)})</small></td>"
                 f"<td class=\"num\">{number_text(e.mean_points)} / {e.max_points:g}"
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
