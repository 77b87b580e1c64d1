"""The CLI's rich tables show student-controlled text (file names, ids, errors) as text: no escape
sequence reaches the terminal and no rich markup is interpreted."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograder.cli.grading import _print_summary
from autograder.course.autograde import GradedRow
from autograder.course.config import load_course
from autograder.reports.escape import terminal_text
from tests.autograder.cli.test_cli_grading import build_group

FRAGMENTS = ("\x1b[31m", "\x1b]0;pwned\x07", "\x1b[2J", "\x9b1m", "\x07", "\r", "\x0b", "\x7f", "\u202e",
             "[bold red]", "[/]", "[link=https://example.org]x[/link]", "\\", "[red]x[/red]", "<b>", "é")
ONE_LINE = st.lists(st.one_of(st.sampled_from(FRAGMENTS),
                              st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\t/\0"),
                                      max_size=5)), min_size=1, max_size=5).map("".join).filter(str.strip)
WIDE = {"COLUMNS": "100000"}  # nothing wraps or is cut: each text is on one line of the output
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(student=ONE_LINE, error=ONE_LINE, late_error=ONE_LINE)
@example(student="s", error=" 0", late_error="x")  # a traceback's last line keeps its leading space
def test_autograde_summary_shows_student_text_as_text(tiny_course: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch, student: str, error: str,
                                                       late_error: str) -> None:
    """Does the autograde table show a hostile student id, notebook error and grader error literally
    (markup kept, escapes shown as text) with no ESC character in the output?"""
    for name, value in WIDE.items():
        monkeypatch.setenv(name, value)
    rows = [GradedRow(student, "graded", 1.0, 2.0, late_error=late_error, error=error),
            GradedRow(student + "2", "failed", 0.0, 0.0, error=f"Traceback\n{error}", failed=True)]
    capsys.readouterr()
    _print_summary("a2", rows, load_course(tiny_course))
    out = capsys.readouterr().out
    assert "\x1b" not in out
    # the lines the table shows: the first line of the notebook error, the last of the grader's traceback
    first, last = error.splitlines()[0], f"Traceback\n{error}".strip().splitlines()[-1]
    for shown in (student, f"{student}2", f"(notebook: {first})", f"FAILED: {last}", f"? ({late_error})"):
        assert terminal_text(shown).strip() in out


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(names=st.lists(ONE_LINE.map(lambda s: s.replace(".", "_").replace("/", "|")[:40]), min_size=1, max_size=3,
                     unique=True))
def test_collect_table_shows_file_names_as_text(tiny_course: Path, tmp_path_factory: pytest.TempPathFactory,
                                                names: list[str]) -> None:
    """Are hostile hand-in file names (collected or not) printed literally by `grade collect`, with
    no ESC character and no markup interpreted?"""
    source = tmp_path_factory.mktemp("handins")
    notebook = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    files = [f"{name}_ada01.ipynb" for name in names[:1]] + [f"{name}.ipynb" for name in names[1:]]
    for file in files:
        (source / file).write_text(notebook)
    result = CliRunner(env=WIDE).invoke(build_group(), ["--course", str(tiny_course), "collect", "a2",
                                                        str(source)])
    assert "\x1b" not in result.output
    for file in files:
        assert terminal_text(str(source / file)) in result.output, (file, result.output)
