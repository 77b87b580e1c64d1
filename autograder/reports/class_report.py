"""The class view of one assignment: scores, pass rates, common mistakes, lateness.

:func:`class_report` condenses the graded results into a frozen
:class:`ClassReport`; :func:`report_html` renders it as one self-contained page
(``<course>/reports/<assignment>/report.html``, plots embedded) and
:func:`report_terminal` as a rich summary for the terminal.

The numbers and who counts where are in :mod:`.class_stats`, the page in
:mod:`.class_report_html`, the terminal summary in :mod:`.class_report_terminal`;
this module reads the results and writes the page.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from autograder.course.config import ROSTER_FILE, Course, read_roster
from autograder.reports.class_report_html import report_html
from autograder.reports.class_report_terminal import report_terminal
from autograder.reports.class_stats import ClassReport, class_report, histogram
from autograder.reports.feedback import load_results
from autograder.reports.similarity import SIMILARITY_PAGE

__all__ = ["ClassReport", "build_report", "class_report", "histogram", "report_html", "report_path",
           "report_terminal", "roster_ids", "save_report", "write_report"]

REPORTS_DIR = "reports"
REPORT_PAGE = "report.html"


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
