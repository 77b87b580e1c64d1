"""Student-controlled text is data everywhere it is shown: generated hostile strings through every
field of a result into every output (HTML, terminal, CSV, JSON, XML, markdown)."""
from __future__ import annotations

import base64
import csv
import html
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from autograder.course.config import Student, load_course
from autograder.course.gradebook import open_gradebook, record_assignment, record_students
from autograder.grading.results import STATUSES, CellProblem, CheckResult, ExerciseResult, SubmissionResult
from autograder.reports.ci import write_outputs
from autograder.reports.ci_formats import github_classroom_output, junit_xml, summary_markdown
from autograder.reports.class_report import class_report, report_html, report_terminal
from autograder.reports.escape import (FORMULA_PREFIXES, csv_cell, html_text, markdown_cell, plot_text, terminal_text,
                                       xml_text)
from autograder.reports.export import COLUMNS, export_grades
from autograder.reports.feedback import feedback_page
from tests.autograder.reports.sample_results import Page

FRAGMENTS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</td></tr></table><h1>x", "<!--", "-->",
    "]]>", "<![CDATA[", "&amp;", "&#x27;", "'", '"', "`", "```", "|", "\\", "\n", "\t", "\r",
    "\x1b[31m", "\x1b[2J", "\x1b]0;pwned\x07", "\x1bP+q\x1b\\", "\x9b1m", "\x07", "\x00", "\x0b", "\x7f", "\x85",
    "\u202e", "\u2066", "[bold red]", "[/]", "[link=https://example.org]x[/link]", "[/bold red]",
    '=HYPERLINK("http://x","y")', "+1+1", "-1", "@SUM(1)", "=1+2", "\ud800", "\udfff", "\ufffe", "\U0010ffff",
    "::warning::x", "é", "σ′", "😀", "*x*", "_x_", "[x](http://x)",
)
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
HOSTILE = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHARACTER, max_size=4)), max_size=6).map("".join),
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(5_000, 60_000)).map(lambda t: t[0] + "A" * t[1] + t[0]),
)
FIELDS = ("student", "assignment", "key", "title", "check", "message", "hint", "output", "mistake",
          "cell_error", "locked", "submitted_at", "sandbox", "sha", "error")
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HOSTILE_FIELDS = st.fixed_dictionaries({name: HOSTILE for name in FIELDS})


def results_of(f: dict[str, str]) -> list[SubmissionResult]:
    """A graded result with a check of every status (public and hidden) and an ungradeable one,
    every text field taken from ``f``."""
    checks = tuple(CheckResult(name=f"{f['check']}{i}", status=status, points=float(status == "passed"),
                               max_points=1.0, public=public, message=f["message"], hint=f["hint"],
                               output=f["output"], mistake=f["mistake"] if i % 2 else "")
                   for i, (status, public) in enumerate(itertools.product(STATUSES, (True, False))))
    exercise = ExerciseResult(f["key"], f["title"], checks)
    common = dict(assignment=f["assignment"], sandbox=f["sandbox"], notebook_sha256=f["sha"],
                  submitted_at=f["submitted_at"], output=f["output"])
    graded = SubmissionResult(f["student"], exercises=(exercise,), cell_problems=(CellProblem(0, f["cell_error"]),),
                              edited_locked_cells=(f["locked"],), **common)
    broken = SubmissionResult(f["student"] + "-2", exercises=(exercise,), error=f["error"] or "x", **common)
    return [graded, broken]


def benign(f: dict[str, str]) -> dict[str, str]:
    """The same fields with every distinct string replaced by harmless text: what the layout depends
    on is kept (equal strings stay equal, empty stays empty, lines and tabs stay), nothing else."""
    tokens: dict[str, str] = {}

    def harmless(value: str) -> str:
        index = tokens.setdefault(value, str(len(tokens)))
        # rich styles each line, and each run between tabs, as its own segment
        return "\n".join(re.sub("[^\t]+", f"t{index}", line) for line in terminal_text(value).split("\n"))
    return {k: harmless(v) for k, v in f.items()}


def _structure(page: str) -> list[tuple[str, tuple[str, ...]]]:
    """The elements of an HTML page and their attribute names, in order."""
    parsed = Page(page)
    return [(tag, tuple(sorted(attrs))) for tag, attrs in parsed.attributes]


def _no_forbidden_characters(text: str) -> None:
    text.encode("utf-8")  # no lone surrogate: the page can be written
    assert not re.search("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]", text)


@SETTINGS
@given(fields=HOSTILE_FIELDS)
def test_pages_hold_no_element_the_student_injected(fields: dict[str, str]) -> None:
    """Do the feedback pages and the class report, parsed back, have exactly the elements of the
    same pages built from harmless text, and no character HTML forbids?"""
    hostile, harmless = results_of(fields), results_of(benign(fields))
    for made, expected in zip(hostile, harmless):
        page = feedback_page(made)
        _no_forbidden_characters(page)
        assert _structure(page) == _structure(feedback_page(expected))
    report = report_html(class_report(hostile, None, fields["assignment"]))
    _no_forbidden_characters(report)
    assert _structure(report) == _structure(report_html(class_report(harmless, None, benign(fields)["assignment"])))


def _terminal(results: list[SubmissionResult], assignment: str, colour: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, width=1_000_000, color_system="standard" if colour else None,
                      force_terminal=colour, legacy_windows=False)
    report_terminal(class_report(results, None, assignment), console)
    return out.getvalue()


SGR = re.compile(r"\x1b\[[0-9;]*m")


@SETTINGS
@given(fields=HOSTILE_FIELDS)
def test_terminal_summary_shows_student_text_as_text(fields: dict[str, str]) -> None:
    """Is the class summary free of any escape or control character from the student, and does
    student rich markup ([bold red]) style nothing: the same styling as harmless text?"""
    hostile = _terminal(results_of(fields), fields["assignment"], colour=True)
    harmless = _terminal(results_of(benign(fields)), benign(fields)["assignment"], colour=True)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", SGR.sub("", hostile))
    assert SGR.findall(hostile) == SGR.findall(harmless)
    plain = _terminal(results_of(fields), fields["assignment"], colour=False)
    assert "\x1b" not in plain


def _text_values(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _text_values(k) + _text_values(v)]
    if isinstance(value, list):
        return [s for v in value for s in _text_values(v)]
    return []


@SETTINGS
@given(fields=HOSTILE_FIELDS)
def test_ci_formats_parse_for_any_student_text(fields: dict[str, str], tmp_path: Path) -> None:
    """Do the Gradescope and Classroom JSON parse with ``json`` (ASCII, no lone surrogate) and the
    JUnit XML with ElementTree, holding only the elements we write, for any student text?"""
    for result in results_of(fields):
        classroom = base64.b64decode(github_classroom_output(result)).decode("ascii")
        for text in _text_values(json.loads(classroom)):
            text.encode("utf-8")
        write_outputs(result, ["gradescope", "junit"], out_dir=tmp_path, gradescope_root=tmp_path, env={})
        raw = (tmp_path / "results" / "results.json").read_bytes()
        data = json.loads(raw.decode("ascii"))
        for text in _text_values(data):
            text.encode("utf-8")
        assert data["extra_data"]["student"] == re.sub("[\ud800-\udfff]", "\ufffd", result.student)
        root = ET.fromstring((tmp_path / "junit.xml").read_bytes())
        assert {e.tag for e in root.iter()} <= {"testsuites", "testsuite", "properties", "property",
                                                "testcase", "failure", "error", "system-out"}
        students = [p.get("value") for p in root.iter("property") if p.get("name") == "student"]
        assert students == [xml_text(result.student)]
        assert root.find("testsuite").get("name") == xml_text(f"{result.assignment}:{result.student}")


@SETTINGS
@given(fields=HOSTILE_FIELDS)
def test_step_summary_markdown_has_no_student_markup(fields: dict[str, str]) -> None:
    """Outside its code fences, does the markdown summary hold no '<' but our own details/summary
    tags, and one table row per exercise (with the header and its rule)?"""
    for result in results_of(fields):
        markdown = summary_markdown(result)
        fence, outside = None, []
        for line in markdown.split("\n"):
            if fence is None and re.match("^`{3,}", line):
                fence = re.match("^`+", line).group()
            elif fence is not None and line == fence:
                fence = None
            elif fence is None:
                outside.append(line)
        text = "\n".join(outside)
        assert not re.sub("</?(details|summary)>", "", text).count("<")
        assert sum(line.startswith("| ") for line in outside) == 2 + len(result.exercises)  # header, rule


ROSTER_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
                      max_size=12)
FORMULA = st.tuples(st.sampled_from(FORMULA_PREFIXES), ROSTER_TEXT).map("".join)
ROSTER_FIELD = st.one_of(FORMULA, ROSTER_TEXT, st.sampled_from(FRAGMENTS).filter(lambda s: "\0" not in s
                                                                                    and "\ud800" not in s
                                                                                    and "\udfff" not in s))


_EXAMPLE = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(("",) + FORMULA_PREFIXES), ROSTER_FIELD, ROSTER_FIELD,
                               ROSTER_FIELD, ROSTER_FIELD), min_size=1, max_size=4))
def test_csv_export_neutralises_formulas(tiny_course: Path, rows: list[tuple[str, str, str, str, str]]) -> None:
    """Parsed back with ``csv``, does no cell of the grades export begin with a formula prefix, whatever
    the roster's ids, names, emails and LMS ids, while each row keeps its text (after the leading ')
    and no CR or LF in a name splits a row?"""
    course = load_course(tiny_course)  # one gradebook for every example (creating one is slow)
    example = next(_EXAMPLE)
    students = [Student(f"{prefix}s{example}-{i}", first, last, email, lms)
                for i, (prefix, first, last, email, lms) in enumerate(rows)]
    with open_gradebook(course) as gb:
        record_students(gb, students)
        record_assignment(gb, course, "a2", [("a2.sigmoid", 5.0)])
        text = export_grades(course, gb)
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert all(len(row) == len(COLUMNS) and None not in row for row in parsed)
    for row in parsed:
        for column in COLUMNS:
            assert not row[column].startswith(FORMULA_PREFIXES), (column, row[column])
    by_id = {row["student_id"]: row for row in parsed}
    for student in students:
        row = by_id[csv_cell(student.id)]
        assert (row["first_name"], row["last_name"], row["email"], row["lms_id"]) == tuple(
            csv_cell(v) for v in (student.first_name, student.last_name, student.email, student.lms_id))


# ------------------------------------------------------------------ the helpers themselves

@settings(max_examples=200)
@given(text=st.text(ANY_CHARACTER))
def test_helpers_hold_their_guarantees(text: str) -> None:
    """For any text: is html_text free of markup and of characters HTML forbids, terminal_text free of
    controls but newline and tab, xml_text parseable as XML, markdown_cell one line without '<' or '|'
    unescaped, and csv_cell never a formula?"""
    escaped = html_text(text)
    assert not re.search("[<>\"']", escaped) and html_unescape_roundtrip(text, escaped)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]", terminal_text(text))
    assert ET.fromstring(f"<a b='{html_text(xml_text(text))}'>{html_text(xml_text(text))}</a>") is not None
    cell = markdown_cell(text)
    assert "\n" not in cell and "<" not in cell and not re.search(r"(?<!\\)\|", cell)
    assert not csv_cell(text).startswith(FORMULA_PREFIXES)


def html_unescape_roundtrip(text: str, escaped: str) -> bool:
    """Unescaping gives back the text, with forbidden characters replaced (so nothing else changed)."""
    restored = html.unescape(escaped)
    return len(restored) == len(text) and all(a == b or b == "\ufffd" for a, b in zip(text, restored))


@settings(max_examples=200)
@given(text=st.text(ANY_CHARACTER))
def test_plot_text_is_drawn_literally(text: str) -> None:
    """Does plot_text leave no unescaped '$' (mathtext), no control and no lone surrogate?"""
    label = plot_text(text)
    assert not re.search(r"(?<!\\)\$", label)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", label)
