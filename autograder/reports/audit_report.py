"""The audit of an assignment's checks (:mod:`autograder.course.audit`) as a terminal table and an HTML page.

Mutant source comes from model answers, not from students, but it is code full
of brackets: in the terminal it is a ``rich.text.Text`` (never parsed as
markup), on the page it goes through :func:`autograder.reports.escape.html_text`
like every other value.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.course.audit import AuditReport, ExerciseAudit, MutantAudit
from autograder.reports.escape import html_text, rich_text


def rate(value: float | None) -> str:
    """``87%``; ``-`` when there was nothing to kill."""
    return "-" if value is None else f"{value:.0%}"


def lost_range(exercise: ExerciseAudit) -> str:
    """``min-max`` points a killed mutant lost on a variant."""
    found = exercise.lost_range
    return "-" if found is None else f"{found[0]:g}-{found[1]:g}"


def _crashes(exercise: ExerciseAudit) -> str:
    return f"{sum(m.crashed for m in exercise.mutants)} / {sum(m.timed_out for m in exercise.mutants)}"


def _named(exercise: ExerciseAudit) -> str:
    killed = [m for m in exercise.mutants if m.status == "killed"]
    return f"{sum(m.named for m in killed)}/{len(killed)}" if killed else "-"


def _located(exercise: ExerciseAudit) -> str:
    killed = [m for m in exercise.mutants if m.status == "killed"]
    return f"{sum(m.located and not m.named for m in killed)}/{len(killed)}" if killed else "-"


COLUMNS = ("exercise", "mutants", "killed", "survived", "equiv.", "kill rate", "lost", "spread", "named",
           "line shown", "crash/timeout")
"""``lost``: fewest-most points a killed mutant lost on a variant; ``spread``: the largest difference
over the variants for one mutant (fairness); ``named``: killed mutants whose feedback names a mistake;
``line shown``: killed mutants not named whose crash a public check located at the changed line."""


def _row(exercise: ExerciseAudit) -> tuple[str, ...]:
    return (exercise.key, str(len(exercise.mutants)), str(exercise.count("killed")), str(exercise.count("survived")),
            str(exercise.count("equivalent")), rate(exercise.kill_rate), lost_range(exercise),
            f"{exercise.spread:g}", _named(exercise), _located(exercise), _crashes(exercise))


def _survivors(report: AuditReport) -> list[tuple[ExerciseAudit, MutantAudit]]:
    return [(e, m) for e in report.exercises for m in e.mutants if m.status == "survived"]


def audit_terminal(report: AuditReport, console: Any, *, min_kill: float) -> None:
    """Print the per-exercise table, the survivors with their diffs, and the verdict against ``min_kill``."""
    from rich.table import Table

    table = Table(title=f"Audit of {report.assignment}'s checks: {report.variants} variant(s)")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "exercise" else "right", no_wrap=column == "exercise")
    for exercise in report.exercises:
        table.add_row(*(rich_text(cell) for cell in _row(exercise)))
    console.print(table)
    for exercise, mutant in _survivors(report):
        console.print(rich_text(f"survivor {exercise.key} {mutant.id}: {mutant.description}", "bold yellow"))
        console.print(rich_text(mutant.diff))
    for exercise in report.exercises:
        for note in exercise.notes:
            console.print(rich_text(f"{exercise.key}: {note}", "dim"))
    verdict = rate(report.kill_rate)
    good = report.kill_rate is None or report.kill_rate >= min_kill
    console.print(rich_text(f"kill rate {verdict} (minimum {min_kill:.0%})", "bold green" if good else "bold red"))


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto}.survived{color:#a60}.bad{color:#b00}.good{color:#070}"""


def _mutant_html(mutant: MutantAudit) -> str:
    lost = ", ".join(f"{p:g}" for p in mutant.points_lost) or "-"
    flags = [name for name, on in (("crashed", mutant.crashed), ("timed out", mutant.timed_out),
                                   ("named in the feedback", mutant.named),
                                   ("raised on the changed line, shown", mutant.located)) if on]
    hints = "".join(f"<li>{html_text(h)}</li>" for h in mutant.mistakes)
    return (f"<details><summary class=\"{html_text(mutant.status)}\">{html_text(mutant.id)}: "
            f"{html_text(mutant.status)} — {html_text(mutant.description)}; points lost per variant: "
            f"{html_text(lost)} {html_text('; '.join(flags))}</summary>"
            f"<pre>{html_text(mutant.diff)}</pre>{f'<ul>{hints}</ul>' if hints else ''}</details>")


def _exercise_html(exercise: ExerciseAudit) -> str:
    parts = [f"<h2>{html_text(exercise.key)} · {html_text(exercise.title)}</h2>"]
    parts += [f"<p>{html_text(note)}</p>" for note in exercise.notes]
    if exercise.catalogue_unmatched:
        items = "".join(f"<li>{html_text(m)}</li>" for m in exercise.catalogue_unmatched)
        parts.append(f"<p>Catalogued mistakes no mutant made the checks report:</p><ul>{items}</ul>")
    order = {"survived": 0, "killed": 1, "equivalent": 2}
    parts += [_mutant_html(m) for m in sorted(exercise.mutants, key=lambda m: order[m.status])]
    return "\n".join(parts)


def audit_html(report: AuditReport, *, min_kill: float) -> str:
    """The audit as one self-contained HTML page."""
    head = "".join(f"<th>{html_text(c)}</th>" for c in COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{html_text(cell)}</td>" for cell in _row(e)) + "</tr>"
                   for e in report.exercises)
    good = report.kill_rate is None or report.kill_rate >= min_kill
    title = f"Audit of {report.assignment}'s checks"
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html_text(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{html_text(title)}</h1>"
            f"<p>{html_text(report.variants)} variant(s); kill rate "
            f"<b class=\"{'good' if good else 'bad'}\">{html_text(rate(report.kill_rate))}</b> "
            f"(minimum {html_text(f'{min_kill:.0%}')}). A mutant is killed when it loses at least one point on "
            f"some variant; equivalent mutants return the model answer's values on every check input.</p>"
            f"<table><tr>{head}</tr>{rows}</table>"
            + "\n".join(_exercise_html(e) for e in report.exercises) + "</body></html>\n")


def write_audit_html(report: AuditReport, path: Path, *, min_kill: float) -> Path:
    """Write :func:`audit_html` to ``path`` (its folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(audit_html(report, min_kill=min_kill), encoding="utf-8")
    return path
