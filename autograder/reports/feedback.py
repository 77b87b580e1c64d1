"""One self-contained HTML feedback page per student and assignment.

``<course>/feedback/<student>/<assignment>/feedback.html`` (nbgrader's layout)
holds the score, the late penalty when the course's policy applies, a table
per exercise with every check's status, points, message and hint, the
student's printed output, the cell problems, and the figures collected while
grading as embedded PNGs. A page needs no server and loads nothing: inline
CSS, ``data:`` images, no scripts, and a Content-Security-Policy that forbids
anything else, so a page opened from disk or mailed to a student shows the same.

Everything that can come from a student (printed output, error messages,
their id) goes through :func:`esc`, that is
:func:`autograder.reports.escape.html_text`. Hidden checks show their name, status, points and
hint only: their messages and output are never rendered, even if present.

A written answer waiting for a grader shows "needs grading" (never 0), and the
score says how many points still need grading; once a grader scored it in the
gradebook (formgrader), :func:`load_results` puts that score and the grader's
comment in (:func:`autograder.grading.results.with_manual_scores`), for this
page and the class report alike.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import autograder
from autograder.grading.batch import results_path
from autograder.course.config import Course, CourseError
from autograder.course.late import LatePenalty, late_penalty
from autograder.reports.escape import html_text
from autograder.reports.plots import NoPlot, alt_text, figure_png
from autograder.grading.results import (GRADED_BY_HAND, NEEDS_GRADING, PENDING, WRITTEN_CHECK, CheckResult, ExerciseResult,
                                       SubmissionResult, read_result, score_text, with_manual_scores)

AUTOGRADED_DIR = "autograded"
FEEDBACK_DIR = "feedback"
FEEDBACK_PAGE = "feedback.html"
STATUS_LABELS = {"passed": ("✔", "passed"), "failed": ("✘", "failed"), "error": ("⚠", "error"),
                 "timeout": ("◷", "timed out"), PENDING: ("…", NEEDS_GRADING),
                 GRADED_BY_HAND: ("✎", "graded by hand")}
"""Icon and word per check status: the status never rests on colour alone."""


class NoResultsError(Exception):
    """There is nothing graded to show; the message says which command to run first."""


# --------------------------------------------------------------------------
# Reading the graded results
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class GradedResults:
    """The results of one assignment found in ``<course>/autograded/``."""

    results: tuple[SubmissionResult, ...]
    """Readable results, ordered by student id."""
    unreadable: tuple[tuple[str, str], ...] = ()
    """``(student, error)`` for every results.json that could not be read."""


def load_results(course: Course, assignment: str, student: str | None = None) -> GradedResults:
    """Every ``autograded/<student>/<assignment>/results.json`` of the course (or one student's).

    Raises :class:`NoResultsError` when there is none, saying to run autograde first.
    """
    course.assignment(assignment)  # unknown assignment: CourseError naming the known ones
    root = course.root / AUTOGRADED_DIR
    if student is not None:
        paths = [results_path(root, assignment, student)]
        paths = [p for p in paths if p.is_file()]
    else:
        paths = sorted(root.glob(f"*/{assignment}/results.json"))
    if not paths:
        whom = f" for student {student}" if student else ""
        flag = f" --student {student}" if student else ""
        raise NoResultsError(f"no graded results for {assignment}{whom} in {root}: "
                             f"run `grade autograde {assignment}{flag}` first")
    results, unreadable = [], []
    for path in paths:
        try:
            results.append(read_result(path))
        except ValueError as err:
            unreadable.append((path.parent.parent.name, str(err)))
    return GradedResults(tuple(graded_by_hand(course, results)), tuple(unreadable))


def graded_by_hand(course: Course, results: Sequence[SubmissionResult]) -> list[SubmissionResult]:
    """``results`` with the scores and comments graders gave in the course's gradebook
    (``gradebook.db``, formgrader) put in; unchanged when there is no gradebook file."""
    from autograder.course.gradebook import GRADEBOOK_FILE, manual_grades, open_gradebook  # nbgrader: only here
    if not (course.root / GRADEBOOK_FILE).is_file() or not results:
        return list(results)
    with open_gradebook(course) as gb:
        return [with_manual_scores(r, manual_grades(gb, r.assignment, r.student, [e.key for e in r.exercises]))
                for r in results]


# --------------------------------------------------------------------------
# Lateness
# --------------------------------------------------------------------------
def lateness(result: SubmissionResult, course: Course | None) -> LatePenalty | None:
    """The late penalty of ``result`` under ``course``'s policy (:mod:`autograder.course.late`).

    None when it cannot be known: no course, no submission time, a time that
    cannot be read, or an assignment missing from course.toml.
    """
    if course is None or not result.submitted_at:
        return None
    try:
        due = course.assignment(result.assignment).due
        return late_penalty(course.late_policy, due, result.submitted_at)
    except (CourseError, ValueError):
        return None


# --------------------------------------------------------------------------
# HTML pieces shared with the class report
# --------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
  background:#fff;max-width:1040px;margin:0 auto;padding:1.5rem;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;
  border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
.sub{color:#444;margin:.1rem 0}.summary{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.card{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;background:#f7f7f7;min-width:9rem}
.card .big{font-size:1.5rem;font-weight:700;display:block}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}table.overview{width:auto;min-width:55%}td.num,th.num{text-align:right;white-space:nowrap}
.status{display:inline-block;padding:.05rem .45rem;border-radius:4px;font-weight:600;white-space:nowrap}
.passed{background:#e3f4ec;color:#00573d;border:1px solid #009E73}
.failed{background:#fbe6dc;color:#8a3000;border:1px solid #D55E00}
.error{background:#fff1cf;color:#634700;border:1px solid #E69F00}
.timeout{background:#e2ecf8;color:#003b6e;border:1px solid #0072B2}
.pending,.graded{background:#f0e6f5;color:#4a1f63;border:1px solid #CC79A7}
.badge{font-size:.75rem;background:#444;color:#fff;border-radius:3px;padding:0 .3rem;margin-left:.3rem}
.msg{white-space:pre-wrap;margin:0 0 .3rem}.hint{margin:.2rem 0}.hint b{color:#0b4f8a}
pre{background:#f4f4f4;border:1px solid #ddd;padding:.6rem;overflow-x:auto;white-space:pre-wrap;
  word-break:break-word;font-size:.85rem}
.alert{border:2px solid #D55E00;background:#fdf0ea;padding:.6rem 1rem;border-radius:6px;margin:1rem 0}
.note{color:#555;font-style:italic}
figure{margin:.6rem 0 1.2rem;display:inline-block;max-width:100%}
figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.85rem;color:#444}
details{margin:.3rem 0}summary{cursor:pointer;font-weight:600}
.bar{background:#e6e6e6;height:.7rem;width:8rem;display:inline-block;vertical-align:middle;margin-right:.4rem}
.bar span{background:#009E73;height:100%;display:block}
footer{margin-top:2rem;color:#666;font-size:.8rem}
"""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def esc(value: object) -> str:
    """HTML text for anything: :func:`autograder.reports.escape.html_text` (safe in quoted attributes)."""
    return html_text(value)


def html_page(title: str, body: str) -> str:
    """A complete, self-contained page: inline CSS, no scripts, nothing loaded from elsewhere."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
            f"<footer>dlgrade {esc(autograder.__version__)}</footer>\n</body>\n</html>\n")


def png_img(png: bytes, alt: str, caption: str = "") -> str:
    """A PNG embedded as a ``data:`` URI inside a <figure> with alt text and an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{esc(alt)}\">{cap}</figure>"


def no_plot(what: str, reason: str) -> str:
    return f"<p class=\"note\">{esc(what)}: plot left out ({esc(reason)}).</p>"


def points_text(points: float, max_points: float) -> str:
    return f"{points:g} / {max_points:g}"


def status_html(status: str) -> str:
    icon, word = STATUS_LABELS.get(status, ("?", status))
    return f"<span class=\"status {esc(status)}\"><span aria-hidden=\"true\">{icon}</span> {esc(word)}</span>"


def collapsible(summary: str, text: str) -> str:
    return f"<details><summary>{esc(summary)}</summary><pre>{esc(text)}</pre></details>"


# --------------------------------------------------------------------------
# The student's page
# --------------------------------------------------------------------------
def display_name(name: str) -> str:
    """A check's name as people see it: the function name without ``test_``."""
    return name.removeprefix("test_")


def _check_row(check: CheckResult, notebook_error: str = "") -> str:
    details = []
    if check.public:
        if check.message == notebook_error and notebook_error:
            details.append("<p class=\"note\">Not run: the notebook could not be graded (see above).</p>")
        elif check.message:
            details.append(f"<p class=\"msg\">{esc(check.message)}</p>")
        if check.hint:
            details.append(f"<p class=\"hint\"><b>Hint:</b> {esc(check.hint)}</p>")
        if check.output:
            what = "Your answer" if check.name == WRITTEN_CHECK else "What your code printed in this check"
            details.append(collapsible(what, check.output))
    else:  # hidden: the hint only, never a message or output
        if check.hint and check.status != "passed":
            details.append(f"<p class=\"hint\"><b>Hint:</b> {esc(check.hint)}</p>")
        details.append("<p class=\"note\">Hidden check: its inputs and expected values are not shown.</p>")
    if check.note:  # follow-through marking: what was checked with the model's functions
        details.append(f"<p class=\"note\">{esc(check.note[0].upper() + check.note[1:])}.</p>")
    badge = "" if check.public else "<span class=\"badge\">hidden</span>"
    return (f"<tr><td><code>{esc(display_name(check.name))}</code>{badge}</td><td>{status_html(check.status)}</td>"
            f"<td class=\"num\">{_check_points(check)}</td>"
            f"<td>{''.join(details)}</td></tr>")


def _check_points(check: CheckResult) -> str:
    return f"{NEEDS_GRADING} ({check.max_points:g})" if check.pending else points_text(check.points, check.max_points)


def exercise_points_text(exercise: ExerciseResult) -> str:
    """An exercise's points: ``3 / 4``, or ``needs grading (2 points)`` for a written answer no grader
    has scored (see :func:`autograder.grading.results.score_text`)."""
    if exercise.pending_points and exercise.pending_points == exercise.max_points:
        return f"{NEEDS_GRADING} ({exercise.max_points:g} points)"
    if exercise.pending_points:
        return score_text(exercise.points, exercise.max_points, exercise.pending_points)
    return points_text(exercise.points, exercise.max_points)


def _graders_note(exercise: ExerciseResult) -> str:
    """What a grader gave the exercise in the gradebook: the score (when it replaces the checks') and
    the comment (grader text, escaped)."""
    parts = []
    if exercise.manual_score is not None:
        replaced = "" if exercise.written else f" (the checks gave {exercise.auto_points:g})"
        parts.append(f"<p class=\"note\">Score given by a grader: <b>{exercise.manual_score:g} / "
                     f"{exercise.max_points:g}</b>{replaced}.</p>")
    if exercise.comment:
        parts.append(f"<div class=\"card\"><b>Grader's comment</b><p class=\"msg\">{esc(exercise.comment)}</p></div>")
    return "".join(parts)


def figure_html(spec: dict) -> str:
    """One figure as an embedded PNG, or a note saying why it was left out."""
    title = str(spec.get("title") or "figure") if isinstance(spec, dict) else "figure"
    try:
        return png_img(figure_png(spec), alt_text(spec))
    except NoPlot as reason:
        return no_plot(title, str(reason))


def _not_attempted_row(exercise: ExerciseResult) -> str:
    """One line for an exercise nothing of which is written yet, not the same hint on every check."""
    hint = next((c.hint for c in exercise.checks if c.hint), "")
    return (f"<tr><td>{len(exercise.checks)} checks</td><td>{status_html('error')}</td>"
            f"<td class=\"num\">{exercise_points_text(exercise)}</td>"
            f"<td><p class=\"msg\">Not attempted yet.</p>"
            + (f"<p class=\"hint\"><b>Hint:</b> {esc(hint)}</p>" if hint else "") + "</td></tr>")


def _exercise_section(exercise: ExerciseResult, figures: Iterable[dict], notebook_error: str) -> str:
    if exercise.checks and not any(c.attempted for c in exercise.checks):
        rows = _not_attempted_row(exercise)
    else:
        rows = "".join(_check_row(c, notebook_error) for c in exercise.checks)
    pictures = "".join(figure_html(f) for f in figures)
    return (f"<section id=\"{esc(exercise.key)}\"><h2>{esc(exercise.title)} <small>({esc(exercise.key)}): "
            f"{exercise_points_text(exercise)}{'' if exercise.pending_points else ' points'}</small></h2>"
            f"{_graders_note(exercise)}<table><thead><tr><th>Check</th><th>Result</th><th class=\"num\">Points</th>"
            f"<th>Message and hint</th></tr></thead><tbody>{rows}</tbody></table>{pictures}</section>")


def _overview(result: SubmissionResult) -> str:
    rows = "".join(
        f"<tr><td><a href=\"#{esc(e.key)}\">{esc(e.title)}</a></td><td class=\"num\">"
        f"{sum(c.status == 'passed' for c in e.checks)} / {len(e.checks)}</td>"
        f"<td class=\"num\">{exercise_points_text(e)}</td></tr>" for e in result.exercises)
    return ("<table class=\"overview\"><thead><tr><th>Exercise</th><th class=\"num\">Checks passed</th>"
            f"<th class=\"num\">Points</th></tr></thead><tbody>{rows}</tbody></table>")


def _late_card(result: SubmissionResult, course: Course | None) -> str:
    when = esc(result.submitted_at or "")
    late = lateness(result, course)
    if late is None:
        if not result.submitted_at:
            return ""
        return (f"<div class=\"card\">Submitted<span class=\"big\">{when}</span>"
                "lateness not computed</div>")
    if late.fraction == 0:
        reason = "" if late.reason == "on time" else f"<br>{esc(late.reason)}"
        return f"<div class=\"card\">Submitted<span class=\"big\">on time</span>{when}{reason}</div>"
    final = result.points - late.points(result.points)
    return (f"<div class=\"card\">Late penalty<span class=\"big\">−{late.points(result.points):g} points"
            f"</span>{esc(late.reason)} (submitted {when})<br>Score after the penalty: "
            f"<b>{points_text(round(final, 4), result.max_points)}</b></div>")


def feedback_page(result: SubmissionResult, course: Course | None = None, *, notice: str = "") -> str:
    """The feedback page of one graded submission, as a complete HTML document.

    ``notice`` (plain text, escaped) is shown under the score, e.g. that hidden results come later."""
    title = result.assignment
    if course is not None:
        try:
            title = f"{result.assignment}: {course.assignment(result.assignment).title}"
        except CourseError:
            pass
    share = result.points / result.max_points if result.max_points else 0.0
    parts = [f"<h1>Feedback: {esc(title)}</h1>",
             f"<p class=\"sub\">Student: <b>{esc(result.student)}</b>"
             + (f" · {esc(course.name)}" if course is not None else "")
             + (f" · graded notebook: <code>{esc(result.notebook_file)}</code>" if result.notebook_file else "")
             + "</p>",
             "<div class=\"summary\"><div class=\"card\">Score<span class=\"big\">"
             f"{points_text(result.points, result.max_points)}</span>{share:.0%} of the points"
             + (f"<br><b>{esc(result.score_text())}</b>: the written answers are graded by hand"
                if result.pending_points else "") + "</div>"
             f"{_late_card(result, course)}</div>", _overview(result)]
    if notice:
        parts.append(f"<div class=\"alert\">{esc(notice)}</div>")
    if result.error:
        parts.append(f"<div class=\"alert\"><b>Your notebook could not be graded:</b> "
                     f"<span class=\"msg\">{esc(result.error)}</span><br>Every check scores 0; fix the "
                     "notebook and hand it in again.</div>")
    if result.cell_problems:
        items = "".join(f"<li>Cell {p.index + 1}: <code>{esc(p.error)}</code></li>"
                        for p in result.cell_problems)
        parts.append("<h2>Cells that raised an error</h2><p>When your notebook ran top to bottom, "
                     f"these of your cells failed (counting only the cells that ran):</p><ul>{items}</ul>")
    if result.foreign:
        parts.append(f"<div class=\"alert\"><b>This notebook was released for another student</b> "
                     f"(<code>{esc(result.released_for)}</code>), not for <code>{esc(result.student)}</code>. "
                     "It was graded on your own numbers, so its answers may not match them: hand in the "
                     "notebook released to you. Your instructor sees this note too.</div>")
    if result.edited_locked_cells:
        names = ", ".join(f"<code>{esc(name)}</code>" for name in result.edited_locked_cells)
        parts.append(f"<div class=\"alert\"><b>You changed locked cells</b> ({names}). The grader "
                     "ignored those changes: it grades only your solution cells and cells you added, "
                     "with its own checks.</div>")
    keys = {e.key for e in result.exercises}
    for exercise in result.exercises:
        parts.append(_exercise_section(exercise, (f for f in result.figures
                                                  if isinstance(f, dict) and f.get("exercise") == exercise.key),
                                       result.error))
    loose = [f for f in result.figures if not isinstance(f, dict) or f.get("exercise") not in keys]
    if loose:
        parts.append("<h2>Figures</h2>" + "".join(figure_html(f) for f in loose))
    parts.append("<h2>Your notebook's output</h2>")
    parts.append(collapsible("What your notebook printed when it ran", result.output) if result.output
                 else "<p class=\"note\">Your notebook printed nothing.</p>")
    return html_page(f"Feedback {result.assignment} — {result.student}", "\n".join(parts))


def feedback_path(course: Course, assignment: str, student: str) -> Path:
    """``<course>/feedback/<student>/<assignment>/feedback.html``."""
    return course.root / FEEDBACK_DIR / student / assignment / FEEDBACK_PAGE


def write_pages(course: Course, results: Iterable[SubmissionResult]) -> list[Path]:
    """Write the page of each result; returns the paths written."""
    written = []
    for result in results:
        path = feedback_path(course, result.assignment, result.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_page(result, course), encoding="utf-8")
        written.append(path)
    return written


def write_feedback(course: Course, assignment: str, student: str | None = None) -> list[Path]:
    """Write ``feedback.html`` for every graded result of ``assignment`` (or one student's).

    Results that cannot be read are skipped (:func:`load_results` lists them);
    raises :class:`NoResultsError` when nothing is graded yet.
    """
    return write_pages(course, load_results(course, assignment, student).results)
