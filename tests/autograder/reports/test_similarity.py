"""`grade similarity`: copied solutions are flagged, honest different ones and untouched stubs are not,
and the page shows student code escaped, side by side."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
from click.testing import CliRunner

from autograder.cli.main import main
from autograder.course.config import Student, load_course
from autograder.course.release import release_assignment
from autograder.reports.class_report import class_report, save_report
from autograder.reports.similarity import (VERDICT_NOTE, build_similarity, highlighted, similarity_html,
                                           similarity_path, write_similarity)
from tests.autograder.reports.sample_results import Page

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"
ORIGINAL = """\
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"""
COPIED = """\
    values = np.asarray(z, dtype=float)
    # my own idea
    expo = np.exp(-np.abs( values ))
    return np.where(values >= 0,
                    1.0 / (1.0 + expo), expo / (1.0 + expo))"""
HONEST = {
    "grace03": "    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))",
    "dora04": """\
    x = np.array(z, float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1 + ex)
    return out""",
    "eve05": """\
    arr = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -arr))""",
}
HOSTILE_CODE = "</pre><script>alert(1)</script>"
CLASS = {"ada01": ORIGINAL, "alan02": COPIED, **HONEST, "fay06": None, "gus07": None}
"""Student: the body of their sigmoid (None: the stub left as released)."""


def hand_in(course_root: Path, release, student: str, body: str | None) -> None:
    """Write submitted/<student>/a2/a2.ipynb: the released notebook with the body filled in."""
    released = next(r for r in release.students if r.student == student)
    notebook = nbformat.read(released.notebook, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("dlgrade", {}).get("role") == "solution" and body is not None:
            assert STUB in cell.source
            cell.source = cell.source.replace(STUB, body)
    folder = course_root / "submitted" / student / "a2"
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / "a2.ipynb")


@pytest.fixture
def course(tiny_course):
    """The tiny course released to seven students who handed in CLASS."""
    course = load_course(tiny_course)
    release = release_assignment(course, "a2", [Student(id=s) for s in CLASS])
    for student, body in CLASS.items():
        hand_in(course.root, release, student, body)
    return course


def test_the_copied_pair_is_flagged_and_nothing_else(course):
    """Is the copy with renamed variables the only pair over the threshold (honest solutions and two
    untouched stubs are not)?"""
    report = build_similarity(course, "a2")
    assert [(p.first, p.second) for p in report.pairs] == [("ada01", "alan02")]
    assert report.pairs[0].score > 0.9
    assert report.compared == (("a2.sigmoid", 5),)  # the two untouched stubs are not compared


def test_honest_solutions_score_low_even_with_a_low_threshold(course):
    """With the threshold lowered to 20 %, do the honest solutions and the stubs still stay off the list?"""
    pairs = build_similarity(course, "a2", threshold=0.2).pairs
    flagged = {frozenset((p.first, p.second)) for p in pairs}
    assert flagged == {frozenset(("ada01", "alan02"))}, [(p.first, p.second, p.score) for p in pairs]


def test_without_the_stub_as_boilerplate_the_stubs_would_match(course):
    """Does leaving the released stub out of the boilerplate make two untouched stubs a pair (so the
    boilerplate is what keeps them off the list)?"""
    from autograder.reports.similarity import class_code, compare_exercise, released_stubs
    code, _ = class_code(course, "a2")
    untouched = {s: code[s]["a2.sigmoid"] for s in ("fay06", "gus07")}
    assert compare_exercise("a2.sigmoid", untouched, [], threshold=0.5)
    assert not compare_exercise("a2.sigmoid", untouched, released_stubs(course, "a2")["a2.sigmoid"], threshold=0.5)


def test_the_page_shows_both_codes_escaped_with_matches_marked(course):
    """Does the page say a score is no verdict, show both codes side by side with <mark>ed matches, and
    escape student code?"""
    hostile = course.root / "submitted" / "alan02" / "a2" / "a2.ipynb"
    notebook = nbformat.read(hostile, as_version=4)
    solution = next(c for c in notebook.cells if c.metadata.get("dlgrade", {}).get("role") == "solution")
    solution.source += f"\n# {HOSTILE_CODE}\n"
    nbformat.write(notebook, hostile)
    html = similarity_html(build_similarity(course, "a2"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<mark>") >= 2 and "class=\"pair\"" in html
    assert VERDICT_NOTE in Page(html).text
    assert Page(html).rows[1][1:] == ["a2.sigmoid", "ada01", "alan02"]


def test_highlighting_escapes_inside_and_outside_matches():
    """Are the code inside and outside a match both escaped, and the match wrapped in one <mark>?"""
    assert highlighted("<a>&<b>", [(3, 4)]) == "&lt;a&gt;<mark>&amp;</mark>&lt;b&gt;"


def test_class_report_links_the_page(course):
    """Once the similarity page exists, does the class report link it (and say how to make it before)?"""
    from tests.autograder.reports.sample_results import class_results
    report = class_report(class_results(), course, "a2")
    before = save_report(course, report).read_text()
    assert "grade similarity a2" in before and "similarity.html" not in before
    write_similarity(course, build_similarity(course, "a2"))
    after = save_report(course, report).read_text()
    assert "href=\"similarity.html\"" in after


def test_grade_similarity_command(course, monkeypatch):
    """Does `grade similarity a2` write the page and print the flagged pair, and refuse a bad threshold?"""
    monkeypatch.chdir(course.root)
    result = CliRunner().invoke(main, ["similarity", "a2"])
    assert result.exit_code == 0, result.output
    assert "1 pair(s) with a score of at least 50%" in result.output
    assert "a2.sigmoid  ada01 ~ alan02" in result.output
    assert similarity_path(course, "a2").is_file()
    bad = CliRunner().invoke(main, ["similarity", "a2", "--threshold", "0"])
    assert bad.exit_code == 2


def test_without_a_release_it_says_to_release(course, monkeypatch):
    """With release/ gone, does the command say the stubs are needed and to run grade release?"""
    shutil.rmtree(course.release_dir("a2"))
    monkeypatch.chdir(course.root)
    result = CliRunner().invoke(main, ["similarity", "a2"])
    assert result.exit_code == 1 and "grade release a2" in result.output


def test_rendered_page_marks_matches_in_both_columns(course, tmp_path):
    """Rendered by headless Chromium, are highlighted (yellow) matches drawn in both the left and the right
    code column?"""
    from tests.autograder.reports.sample_results import screenshot
    page = write_similarity(course, build_similarity(course, "a2"))
    pixels = screenshot(page, tmp_path / "similarity.png", height=1600)[..., :3]
    yellow = np.all(np.abs(pixels - np.array([0xff, 0xd5, 0x4f]) / 255) < 0.08, axis=-1)
    columns = np.nonzero(yellow.any(axis=0))[0]
    assert yellow.sum() > 2000
    assert columns.min() < pixels.shape[1] * 0.45 and columns.max() > pixels.shape[1] * 0.55
