"""The class report as a rich summary for the terminal (``grade report``)."""
from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.reports.class_stats import ClassReport, number_text, over
from autograder.reports.escape import rich_text
from autograder.reports.feedback import display_name


def report_terminal(report: ClassReport, console: Console) -> None:
    """A rich summary: the numbers, one row per exercise, the top mistakes, late and ungradeable.

    Text that may come from students (titles, mistakes, ids, errors) is passed to rich as
    :func:`~autograder.reports.escape.rich_text`, never as markup.
    """
    console.print(Text.assemble(rich_text(report.assignment, "bold"), " ", rich_text(report.title)))
    console.print(f"{report.n_students} students, {report.n_graded} graded; mean {number_text(report.mean)}, "
                  f"median {number_text(report.median)}, best {number_text(report.max)} of {report.max_points:g} points "
                  f"{over(report)}", highlight=False)
    table = Table(title="Exercises")
    table.add_column("exercise")
    table.add_column("mean points", justify="right")
    table.add_column("passed every check", justify="right")
    for e in report.exercises:
        rate = "n/a" if not math.isfinite(e.pass_rate) else f"{e.pass_rate:.0%} ({e.full_marks}/{e.students})"
        table.add_row(rich_text(e.title or e.key), f"{number_text(e.mean_points)} / {e.max_points:g}", rate)
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
