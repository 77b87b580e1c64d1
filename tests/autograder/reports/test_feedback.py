"""Tests of autograder.reports.feedback: one self-contained, escaped HTML page per student."""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.course.config import CourseError, load_course
from autograder.reports.feedback import NoResultsError, feedback_page, load_results, write_feedback
from autograder.grading.results import write_result
from tests.autograder.reports.sample_results import (CHECKS, HIDDEN_SECRET, MISTAKE, SCRIPT, Page, class_results,
                                             colour_pixels, decoded_png, graded_course, non_white_share,
                                             screenshot)


@pytest.fixture
def results():
    return {r.student: r for r in class_results()}


@pytest.fixture
def course(tiny_course):
    return load_course(tiny_course)


def test_score_and_every_check_are_on_the_page(results, course):
    """Does alice's page name her, the assignment and her score, and list every check with its points?"""
    page = Page(feedback_page(results["alice"], course))
    assert "alice" in page.text and "The sigmoid neuron and gradient descent" in page.text
    assert "10 / 10" in page.text
    for name, (_, points, _, _) in CHECKS.items():
        row = page.row(name.removeprefix("test_"))
        assert "passed" in row[1] and row[2] == f"{points:g} / {points:g}"


def test_statuses_carry_words_not_only_colour(results, course):
    """Does every status show as an icon and a word (passed, failed, error, timed out)?"""
    page = Page(feedback_page(results["carol"], course))
    assert page.row("sigmoid_values")[1] == "✔ passed"
    assert page.row("sigmoid_prime")[1] == "✘ failed"
    assert page.row("descent_step")[1] == "⚠ error"
    assert page.row("descent_learning_rate")[1] == "◷ timed out"
    assert page.row("sigmoid_prime")[2] == "0 / 2"
    assert "ZeroDivisionError: division by zero" in page.row("descent_step")[3]


def test_public_checks_show_message_hint_and_output(results, course):
    """Does a failed public check show its message, its hint and what the student's code printed?"""
    page = Page(feedback_page(results["bob"], course))
    details = page.row("sigmoid_prime")[3]
    assert "sigmoid_prime(0.0) returned 0.5, expected 0.25." in details
    assert f"Hint: {MISTAKE}" in details
    assert f"debug {SCRIPT}" in details


def test_hidden_checks_show_only_name_and_hint(results, course):
    """Does a hidden check show its name, status, points and hint, and never its message or output?"""
    html = feedback_page(results["bob"], course)
    assert HIDDEN_SECRET not in html
    assert "This hidden check failed" not in html
    row = Page(html).row("sigmoid_large_inputs")
    assert row[:3] == ["sigmoid_large_inputs hidden", "✘ failed", "0 / 1"]
    assert row[3] == ("Hint: Avoid overflow for large |z|: use np.exp(-abs(z)). "
                      "Hidden check: its inputs and expected values are not shown.")


def test_student_text_is_escaped(results, course):
    """Is the student's <script> shown as text, never as a tag, in their output and in cell problems?"""
    for student in ("bob", "carol", "dave"):
        html = feedback_page(results[student], course)
        page = Page(html)
        assert "script" not in page.tags and "i" not in page.tags  # the page itself uses neither
        assert "<script" not in html.lower()
    bob = Page(feedback_page(results["bob"], course))
    assert f"{SCRIPT} <b>bold?</b> & done" in bob.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in feedback_page(results["bob"], course)
    assert "Cell 3: NameError: name '<b>np</b>' is not defined" in Page(feedback_page(results["carol"])).text


def test_page_is_self_contained(results, course):
    """Does the page load nothing from elsewhere: data: images only, in-page links only, no scripts?"""
    page = Page(feedback_page(results["alice"], course))
    assert all(src.startswith("data:image/png;base64,") or src.startswith("#")
               for src in page.resources())
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    assert "style" in page.tags
    policy = [a for t, a in page.attributes if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert policy and "default-src 'none'" in policy[0]["content"]


def test_figures_are_embedded_pngs_with_alt_text(results, course):
    """Are both figures embedded as PNGs that decode, each with alt text naming what it shows?"""
    images = Page(feedback_page(results["alice"], course)).images
    assert len(images) == 2
    for image in images:
        assert decoded_png(image["src"]).shape[:2] == (400, 600)
    assert "Line plot" in images[0]["alt"] and "Contour plot" in images[1]["alt"]


def test_unplottable_figure_leaves_a_note(results, course):
    """Does a figure with nothing to draw leave a note instead of an image?"""
    page = Page(feedback_page(results["carol"], course))
    assert page.images == []
    assert "all NaN: plot left out (no curve has a finite point to draw)." in page.text


def test_late_penalty_and_grace(results, course):
    """Is bob's 2-days-late hand-in shown with −40 % (5 → 3 points), carol's 4 minutes within the grace?"""
    bob = Page(feedback_page(results["bob"], course)).text
    assert "2 days late: −40% of the points" in bob and "Score after the penalty: 3 / 10" in bob
    carol = Page(feedback_page(results["carol"], course)).text
    assert "on time" in carol and "within the 10-minute grace period" in carol
    assert "Late penalty" not in Page(feedback_page(results["alice"], course)).text


def test_without_course_time_is_shown_not_judged(results):
    """Without a course, is the submission time shown and the lateness left out?"""
    text = Page(feedback_page(results["bob"])).text
    assert "2026-03-08T10:00:00+01:00" in text and "lateness not computed" in text


def test_broken_notebook_says_why(results, course):
    """Does an ungradeable notebook's page show the reason once, escaped, and every check at zero?"""
    page = Page(feedback_page(results["dave"], course))
    assert "Your notebook could not be graded: notebook is not valid JSON <i>line 3</i>" in page.text
    assert "0 / 10" in page.text
    assert page.row("sigmoid_values")[3] == "Not run: the notebook could not be graded (see above)."


def test_write_feedback_writes_one_page_per_student(tiny_course):
    """Are the pages written to feedback/<student>/<assignment>/feedback.html, one per result or one student's?"""
    course = graded_course(tiny_course, class_results())
    written = write_feedback(course, "a2")
    assert sorted(p.relative_to(tiny_course).as_posix() for p in written) == [
        f"feedback/{s}/a2/feedback.html" for s in ("alice", "bob", "carol", "dave")]
    assert "bob" in Page(written[1].read_text(encoding="utf-8")).text
    assert [p.parent.parent.name for p in write_feedback(course, "a2", student="carol")] == ["carol"]


def test_nothing_graded_says_to_autograde(tiny_course):
    """Without results, does the error say to run grade autograde; with an unknown assignment, name it?"""
    course = load_course(tiny_course)
    with pytest.raises(NoResultsError, match="run `grade autograde a2` first"):
        write_feedback(course, "a2")
    with pytest.raises(NoResultsError, match="--student zed"):
        write_feedback(graded_course(tiny_course, class_results()), "a2", student="zed")
    with pytest.raises(CourseError, match="no assignment 'a9'"):
        write_feedback(course, "a9")


def test_unreadable_results_are_listed_not_fatal(tiny_course):
    """Is a corrupt results.json reported with its student while the others still load?"""
    course = graded_course(tiny_course, class_results()[:1])
    broken = Path(tiny_course, "autograded", "zed", "a2", "results.json")
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    loaded = load_results(course, "a2")
    assert [r.student for r in loaded.results] == ["alice"]
    assert loaded.unreadable[0][0] == "zed" and "re-grade" in loaded.unreadable[0][1]


def test_page_survives_a_results_json_round_trip(tiny_course, results):
    """Does a page written from results.json (figures as plain JSON) still embed both figures?"""
    course = load_course(tiny_course)
    write_result(results["alice"], tiny_course / "autograded" / "alice" / "a2" / "results.json")
    page = Page(write_feedback(course, "a2")[0].read_text(encoding="utf-8"))
    assert len(page.images) == 2


def test_rendered_pages_show_plots(tiny_course, tmp_path):
    """Rendered by headless Chromium, are the pages not blank and do alice's show her vermillion curves?"""
    course = graded_course(tiny_course, class_results())
    pages = {p.parent.parent.name: p for p in write_feedback(course, "a2")}
    alice = screenshot(pages["alice"], tmp_path / "alice.png")
    assert non_white_share(alice) > 0.05
    assert colour_pixels(alice, "#D55E00", 0.08) > 300  # the student's curve and path (all checks passed)
    dave = screenshot(pages["dave"], tmp_path / "dave.png")
    assert non_white_share(dave) > 0.01


def test_a_follow_through_note_is_shown_on_its_check(results, course):
    """Does a check graded with the model's function say so on the page, escaped?"""
    import dataclasses

    from autograder.grading.engine import FOLLOW_THROUGH_NOTE
    result = results["alice"] if isinstance(results, dict) else results[0]
    exercise = result.exercises[0]
    noted = dataclasses.replace(exercise.checks[0], note=FOLLOW_THROUGH_NOTE.format(names="`sigmoid<b>`"))
    result = dataclasses.replace(result, exercises=(dataclasses.replace(
        exercise, checks=(noted,) + exercise.checks[1:]),) + result.exercises[1:])
    page = feedback_page(result, course)
    assert "Checked with the model `sigmoid&lt;b&gt;` because yours did not pass its checks." in page


def test_an_exercise_not_attempted_is_one_line(results, course):
    """Is an exercise none of whose checks found anything written shown as one "not attempted yet"
    line with its hint once, instead of the same hint on every check?"""
    import dataclasses

    result = results["alice"] if isinstance(results, dict) else results[0]
    exercise = result.exercises[0]
    stub = "Replace `raise NotImplementedError()` in the solution cell with your code."
    untouched = dataclasses.replace(exercise, checks=tuple(
        dataclasses.replace(c, status="error", points=0.0, hint=stub, attempted=False) for c in exercise.checks))
    page = feedback_page(dataclasses.replace(result, exercises=(untouched,) + result.exercises[1:]), course)
    section = page.split(f'<section id="{exercise.key}">')[1].split("</section>")[0]
    assert "Not attempted yet." in section and section.count("NotImplementedError") == 1
    assert section.count("<tr>") == 2  # the header and the one line
