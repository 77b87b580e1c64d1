"""The audit's terminal table and HTML page (autograder/reports/audit_report.py)."""
from rich.console import Console

from autograder.course.audit import AuditReport, ExerciseAudit, MutantAudit
from autograder.reports.audit_report import audit_html, audit_terminal

DIFF = "-    return a[b] < c\n+    return [bold red]a[/bold red] <script>alert(1)</script>\n"


def report() -> AuditReport:
    mutants = (MutantAudit(id="f:swap_args:0", function="f", operator="swap_args", description="swapped",
                           diff=DIFF, status="survived", points_lost=(0.0, 0.0)),
               MutantAudit(id="f:flip_sign:0", function="f", operator="flip_sign", description="sign",
                           diff="", status="killed", points_lost=(1.0, 3.0), named=True))
    return AuditReport(assignment="hw1", variants=2,
                       exercises=(ExerciseAudit(key="hw1.f", title="F <&>", max_points=3.0, mutants=mutants),))


def test_page_escapes_mutant_source_and_titles():
    """Does the page show a mutant's code and an exercise title as text, never as markup?"""
    page = audit_html(report(), min_kill=0.8)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "F &lt;&amp;&gt;" in page
    assert "50%" in page  # kill rate: 1 killed, 1 survivor


def test_terminal_keeps_rich_markup_in_mutant_source_literal():
    """Is `[bold red]` in a survivor's diff printed as written, not taken as rich markup?"""
    console = Console(record=True, width=200)
    audit_terminal(report(), console, min_kill=0.8)
    text = console.export_text()
    assert "[bold red]a[/bold red]" in text
    assert "survivor hw1.f f:swap_args:0" in text and "kill rate 50% (minimum 80%)" in text
    assert "1-3" in text  # points lost by the killed mutant over the variants, and its spread 2
