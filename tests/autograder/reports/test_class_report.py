"""Tests of autograder.reports.class_report: the class view computed by hand from the sample class."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from rich.console import Console

from autograder.course.config import load_course
from autograder.reports.class_report import class_report, histogram, report_html, report_terminal, write_report
from autograder.grading.results import SubmissionResult
from tests.autograder.reports.sample_results import (MISTAKE, Page, check, class_results, colour_pixels,
                                             decoded_png, exercises_of, graded_course, non_white_share,
                                             screenshot)


@pytest.fixture
def course(tiny_course):
    return load_course(tiny_course)


@pytest.fixture
def report(course):
    return class_report(class_results(), course, "a2", unreadable=[("zed", "cannot read results.json")])


def test_score_statistics(report):
    """Are n, mean, median and best right for scores 10, 5, 2 and 0 (dave's broken notebook counts as 0)?"""
    assert (report.n_students, report.n_graded, report.max_points) == (4, 3, 10.0)
    assert report.mean == pytest.approx(17 / 4)
    assert report.median == pytest.approx(3.5)
    assert report.max == 10.0
    assert report.scores == (("alice", 10.0), ("bob", 5.0), ("carol", 2.0), ("dave", 0.0))


def test_histogram_has_one_bin_per_point(report):
    """Are the 10 points split into 10 one-point bins holding 0, 2, 5 and 10 (the top bin closed)?"""
    assert report.histogram_edges == tuple(float(e) for e in range(11))
    assert report.histogram_counts == (1, 0, 1, 0, 0, 1, 0, 0, 0, 1)
    edges, counts = histogram([0, 37.5, 100], 100)
    assert len(counts) == 20 and edges[1] == 5.0 and counts[7] == 1 and counts[-1] == 1


def test_exercise_and_check_pass_rates_have_the_denominator_of_the_mean(report):
    """Does only alice pass every check of each exercise (1 of the 4 hand-ins: dave's ungradeable notebook
    counts, as in the mean), and do the exercise means (dave at 0) add up to the class mean?"""
    sigmoid, descent = report.exercises
    assert (sigmoid.key, sigmoid.full_marks, sigmoid.students) == ("a2.sigmoid", 1, 4)
    assert sigmoid.pass_rate == pytest.approx(1 / 4)
    assert sigmoid.mean_points == pytest.approx((5 + 2 + 2 + 0) / 4)
    assert descent.mean_points == pytest.approx((5 + 3 + 0 + 0) / 4)
    assert sigmoid.mean_points + descent.mean_points == pytest.approx(report.mean)
    rates = {c.check: (c.passed, c.students, c.public) for c in report.checks}
    assert rates["test_sigmoid_values"] == (3, 4, True)
    assert rates["test_sigmoid_prime"] == (1, 4, True)
    assert rates["test_sigmoid_large_inputs"] == (1, 4, False)
    assert rates["test_descent_step"] == (2, 4, True)
    assert rates["test_descent_learning_rate"] == (2, 4, True)


def test_roster_students_without_a_hand_in_are_listed(course):
    """Are roster students with no result (readable or not) listed as without a hand-in, on the page and the
    terminal, and is 'not known' said when there is no roster?"""
    report = class_report(class_results(), course, "a2", unreadable=[("zed", "cannot read results.json")],
                          roster=["alice", "bob", "carol", "dave", "zed", "erin", "frank"])
    assert report.missing == ("erin", "frank")
    assert "erin, frank" in Page(report_html(report)).text
    console = Console(record=True, width=160, color_system=None)
    report_terminal(report, console)
    assert "no hand-in: erin, frank" in console.export_text()
    assert class_report(class_results(), course, "a2", roster=["alice", "bob", "carol", "dave"]).missing == ()
    unknown = class_report(class_results(), course, "a2")
    assert unknown.missing is None and "students without a hand-in are not known" in Page(report_html(unknown)).text


def test_common_mistakes_count_named_mistakes_only(report):
    """Is s(1−z) counted for bob and carol (2 of 3), and only it: not a hidden check's own hint (no mistake
    named), an error, or a missing answer ("not filled in yet")?"""
    (first,) = report.mistakes
    assert (first.text, first.students) == (MISTAKE, 2)
    assert first.share == pytest.approx(2 / 3)
    unset = check("test_descent_step", "failed", message="w_next is not filled in yet.",
                  hint="Assign w_next in the answer cell.")
    erin = SubmissionResult("erin", "a2", exercises_of({"test_descent_step": unset}))
    assert class_report([erin], None, "a2").mistakes == ()


def test_late_and_ungradeable(report):
    """Is bob the only late one (2 days, −40 %), dave's time unknown, dave and zed ungradeable?"""
    assert [(s.student, s.days_late, s.fraction) for s in report.late] == [("bob", 2, pytest.approx(0.4))]
    assert report.unknown_times == ("dave",)
    assert [u.student for u in report.ungradeable] == ["dave", "zed"]
    assert "not valid JSON" in report.ungradeable[0].error


def test_without_course_lateness_is_unknown():
    """Without a course, is lateness unknown (None) rather than 'nobody was late'?"""
    assert class_report(class_results(), None, "a2").late is None


def test_empty_and_foreign_results():
    """Does an empty class give NaN statistics and a page, and are another assignment's results refused?"""
    empty = class_report([], None, "a2")
    assert empty.n_students == 0 and math.isnan(empty.mean) and empty.mistakes == ()
    assert "Class report: a2" in Page(report_html(empty)).text
    with pytest.raises(ValueError, match="not for assignment a3"):
        class_report(class_results(), None, "a3")


def test_html_shows_numbers_plots_and_mistakes(report):
    """Does the page show the statistics, both plots as PNGs, the mistake share, the late and ungradeable students?"""
    page = Page(report_html(report))
    text = page.text
    assert "Mean 4.25 of 10 points, over 4 hand-ins (1 not gradeable, counted as 0)" in text
    assert "Median 3.5" in text and "Shares of the 3 graded notebooks" in text
    assert len(page.images) == 2
    for image in page.images:
        assert decoded_png(image["src"]).shape[1] == 600 and image["alt"]
    assert page.row("67%")[1] == MISTAKE
    assert [r[2] for r in page.rows if r[:2] == ["a2.sigmoid", "sigmoid_prime"]] == ["25% (1/4)"]
    assert [r[2] for r in page.rows if r[:2] == ["a2.sigmoid", "sigmoid_large_inputs hidden"]] == ["25% (1/4)"]
    assert page.row("bob")[2:] == ["2", "2 days late: −40% of the points"]
    assert "notebook is not valid JSON <i>line 3</i>" in page.row("dave")[1]
    assert "i" not in page.tags and "script" not in page.tags
    assert all(src.startswith(("data:image/png;base64,", "#")) for src in page.resources())


def test_terminal_summary(report):
    """Does the terminal summary give the mean, the exercises, the top mistake, the late and ungradeable students?"""
    console = Console(record=True, width=160, color_system=None)
    report_terminal(report, console)
    text = console.export_text()
    assert "mean 4.25, median 3.5, best 10 of 10 points over 4 hand-ins (1 not gradeable, counted as 0)" in text
    assert "The sigmoid and its derivative" in text and "25% (1/4)" in text
    assert MISTAKE in text and "late: bob (2 d)" in text
    assert "could not grade zed" in text


def test_write_report_and_render(tiny_course, tmp_path):
    """Is report.html written under reports/a2/, and rendered by Chromium does it show the histogram's bars?"""
    path = write_report(graded_course(tiny_course, class_results()), "a2")
    assert path == Path(tiny_course, "reports", "a2", "report.html")
    pixels = screenshot(path, tmp_path / "report.png", height=2600)
    assert non_white_share(pixels) > 0.05
    assert colour_pixels(pixels, "#56B4E9", 0.08) > 1000  # the histogram's bars
    assert colour_pixels(pixels, "#009E73", 0.08) > 1000  # the pass-rate bars
