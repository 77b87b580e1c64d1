"""Per-option pick rates of choice questions in the class report (autograder/reports/pick_rates.py)."""
from __future__ import annotations

import json

from rich.console import Console

from autograder.grading.results import CheckResult, ExerciseResult, SubmissionResult, read_result, write_result
from autograder.reports.class_report import class_report, report_html, report_terminal
from autograder.reports.pick_rates import pick_rates
from exercises.model import get_exercise
from exercises.questions import LETTERS
from tests.autograder.reports.sample_results import SCRIPT, colour_pixels, screenshot
from tests.exercises.support_a4_a5 import params_of

KEY = "a3.quiz_output_layer"
RIGHT, TRAP, RARE, NEVER = "the right pairing", f"a tempting pairing {SCRIPT}", "a rare pairing", "an ignored one"


def choice_result(student: str, shown: list[str], picked: str, right: str = RIGHT) -> SubmissionResult:
    """A graded a3 notebook whose choice question showed ``shown`` (in that order) and got ``picked``."""
    choices = tuple({"text": t, "picked": t == picked, "right": t == right} for t in shown)
    ok = picked == right
    check = CheckResult("test_output_layer", "passed" if ok else "failed", 2.0 if ok else 0.0, 2.0, False,
                        choices=choices)
    return SubmissionResult(student, "a3", (ExerciseResult(KEY, "Quiz: an output layer", (check,)),))


def small_class() -> list[SubmissionResult]:
    """Four students, each with their own order: the trap caught two, the rare one one, NEVER none."""
    return [choice_result("s1", [RIGHT, TRAP, RARE, NEVER], RIGHT),
            choice_result("s2", [TRAP, NEVER, RIGHT, RARE], TRAP),
            choice_result("s3", [RARE, RIGHT, NEVER, TRAP], TRAP),
            choice_result("s4", [NEVER, RARE, RIGHT], RARE)]


def test_picks_are_counted_by_bank_option_not_by_letter():
    """With options in a different order per student, are picks counted per bank option over the students
    shown it, right options first and the top distractor named?"""
    (question,) = pick_rates(small_class())
    assert question.exercise == KEY and question.answered == 4
    counts = {o.text: (o.right, o.picked, o.shown) for o in question.options}
    assert counts == {RIGHT: (True, 1, 4), TRAP: (False, 2, 3), RARE: (False, 1, 4), NEVER: (False, 0, 4)}
    assert question.options[0].text == RIGHT
    assert question.top_distractor.text == TRAP


def test_the_report_shows_pick_rates_with_student_visible_text_escaped():
    """Do the HTML page and the terminal show each option's picks and name the top distractor, escaping text?"""
    report = class_report(small_class(), None, "a3")
    page = report_html(report)
    assert "what the class picked" in page and "2/3" in page and "1/4" in page
    assert SCRIPT not in page and "a tempting pairing &lt;script&gt;" in page
    assert "Distractor that caught the most students: <q>a tempting pairing &lt;script&gt;" in page
    console = Console(record=True, width=200)
    report_terminal(report, console)
    assert "top distractor a tempting pairing <script>alert(1)</script> (2/3)" in console.export_text()


def test_pick_rate_bars_are_drawn_in_proportion(tmp_path):
    """Rendered by Chromium, does the pick-rate table draw a green bar for a picked option and none for an
    option nobody picked?"""
    def green(results, name):
        page = tmp_path / f"{name}.html"
        page.write_text(report_html(class_report(results, None, "a3")), encoding="utf-8")
        return colour_pixels(screenshot(page, tmp_path / f"{name}.png", height=1400), "#009E73", 0.08)
    nobody = green([choice_result(r.student, [o["text"] for o in r.exercises[0].checks[0].choices], "none")
                    for r in small_class()], "nobody")
    assert green(small_class(), "picked") > 1000 and nobody < 50


def test_no_choice_question_no_section():
    """Without a recorded choice question, is the section left out?"""
    result = SubmissionResult("s1", "a3", (ExerciseResult("a3.x", "X", (CheckResult("test_x", "passed", 1, 1, True),)),))
    assert "what the class picked" not in report_html(class_report([result], None, "a3"))


def test_choices_survive_results_json(tmp_path):
    """Does results.json keep the recorded choices, read back to an equal result?"""
    result = small_class()[1]
    write_result(result, tmp_path / "results.json")
    assert read_result(tmp_path / "results.json") == result


def test_the_grader_records_the_bank_options_the_student_picked(tmp_path):
    """Graded by the real engine, does the first credit check record the student's options (bank texts, in
    their order), the one picked and the right one, and no other check record anything?"""
    from autograder.grading.engine import grade_notebook
    from tests.exercises.test_quizzes import released
    exercise = get_exercise("a5.quiz_batches")  # each-answer: four credit checks
    question = exercise.module.QUESTION
    secret = b"pick secret"
    for student in ("ada01", "bob02"):
        variant = params_of(exercise, student, secret)
        options = variant["options"]
        wrong = next(letter for letter in LETTERS[:4] if letter not in question.right_letters(options))
        notebook = json.loads(released(exercise.key, student, variant))
        for cell in notebook["cells"]:
            if cell["metadata"].get("dlgrade", {}).get("role") == "solution":
                cell["source"] = f"true_statements = {wrong.lower()!r}\n"
        path = tmp_path / student / "a5.ipynb"
        path.parent.mkdir()
        path.write_text(json.dumps(notebook), encoding="utf-8")
        result = grade_notebook(path, assignment="a5", student=student, exercises=[exercise], secret=secret,
                                sandbox="none")
        recorded = {c.name: c.choices for c in result.exercises[0].checks}
        assert recorded.pop("test_true_statements_credit_1") == tuple(
            {"text": t, "picked": LETTERS[i] == wrong, "right": question._option(t).correct}
            for i, t in enumerate(options))
        assert set(recorded.values()) == {()}
