"""The quiz exercises (numeric and choice questions in a1-a5): every variant, every catalogued mistake."""
from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from autograder.course.config import Assignment
from autograder.course.notebooks import build_notebook, notebook_bytes, student_version
from exercises.answers import expected_text, significant_digits
from exercises.dlcheck import PASSED
from exercises.model import get_exercise
from exercises.questions import ALL_OR_NOTHING, LETTERS, ChoiceQuestion, NumericQuestion, questions_of
from exercises.verify import run_checks_locally
from tests.exercises.support_a4_a5 import (STUDENTS, assert_full_marks_and_stub_zero,
                                           assert_public_checks_self_contained, params_of)

NUMERIC = ["a1.quiz_threshold", "a4.quiz_err6", "a4.quiz_backprop_table", "a4.quiz_vanishing_product",
           "a5.quiz_updates", "a5.quiz_early_stop"]
CHOICE = ["a1.quiz_perceptron_functions", "a3.quiz_robust_loss", "a3.quiz_regression_output",
          "a3.quiz_output_layer", "a3.quiz_loss_properties", "a4.quiz_vanishing_why", "a5.quiz_batches"]


def test_at_least_six_numeric_and_six_choice_questions_across_a1_to_a5():
    """Does the library hold at least 6 numeric and 6 choice questions, in a1, a3, a4 and a5 each?"""
    numeric = [q for key in NUMERIC for q in questions_of(get_exercise(key).module)]
    assert len(numeric) >= 6 and all(isinstance(q, NumericQuestion) for q in numeric)
    choice = [q for key in CHOICE for q in questions_of(get_exercise(key).module)]
    assert len(choice) >= 6 and all(isinstance(q, ChoiceQuestion) for q in choice)
    assert {key[:2] for key in NUMERIC + CHOICE} == {"a1", "a3", "a4", "a5"}


def earned(key: str, params: dict, answer, variable: str | None = None) -> tuple[float, list]:
    """Points earned by ``answer`` assigned to ``variable`` (default: the one question's), every other
    question of the exercise answered right, and the failed checks' outcomes."""
    exercise = get_exercise(key)
    questions = questions_of(exercise.module)
    namespace = {q.variable: q.model_answer(params) for q in questions if isinstance(q, NumericQuestion)}
    namespace[variable or exercise.module.QUESTION.variable] = answer
    results = run_checks_locally([exercise], namespace, {}, {key: params})
    points = {c.name: c.points for c in exercise.checks}
    return (sum(points[r.check] for r in results if r.status == PASSED),
            [r for r in results if r.status != PASSED])


@pytest.mark.parametrize("key", NUMERIC + CHOICE)
def test_model_answer_full_marks_stub_zero(key):
    """Does the model answer earn every point and the untouched stub none, for 50 students and other secrets?"""
    assert_full_marks_and_stub_zero(key)


@pytest.mark.parametrize("key", NUMERIC + CHOICE)
def test_public_checks_run_in_the_notebook(key):
    """Do the public form checks pass on the model answer with only numpy and the dlcheck API?"""
    assert_public_checks_self_contained(key)


@pytest.mark.parametrize("key", NUMERIC)
def test_each_wrong_number_loses_exactly_its_points(key):
    """On every variant, does each catalogued wrong answer (written as asked) lose exactly the value
    check's points, with its hint, the expected value and the accepted range shown after grading?"""
    exercise = get_exercise(key)
    for question in questions_of(exercise.module):
        value_check = next(c for c in exercise.hidden_checks if c.name == f"test_{question.variable}")
        for student in STUDENTS:
            params = params_of(exercise, student)
            for wrong in question.wrong_answers:
                answer = float(expected_text(question.rule, wrong.value(params)))
                points, failed = earned(key, params, answer, question.variable)
                assert points == exercise.points - value_check.points, (student, wrong.hint)
                assert [r.check for r in failed] == [value_check.name]
                assert failed[0].hint.startswith(wrong.hint), (student, failed[0].hint)
                assert f"Expected {question.model_answer(params)} ({question.asked}): accepted " in failed[0].hint


def test_a_coarse_wrong_number_is_told_it_lacks_precision():
    """Is an Err6 typed with one significant figure, and wrong, told that 3 are required?"""
    exercise = get_exercise("a4.quiz_err6")
    params = params_of(exercise, "student001")
    true = exercise.module.QUESTION.expected(params)
    _, failed = earned("a4.quiz_err6", params, float(f"{true * 1.5:.0e}"))
    assert "Insufficient precision" in failed[0].hint and "3 are required" in failed[0].hint


@pytest.mark.parametrize("key", CHOICE)
def test_each_wrong_choice_loses_exactly_its_points(key):
    """On every variant, does choosing one distractor too, or leaving one right option out, lose exactly
    the scheme's share (all of it for all-or-nothing, one step otherwise), with the explanation shown?"""
    exercise = get_exercise(key)
    question = exercise.module.QUESTION
    step = exercise.points if question.scheme == ALL_OR_NOTHING else exercise.points / question.steps
    for student in STUDENTS:
        params = params_of(exercise, student)
        options = params["options"]
        right = question.right_letters(options)
        assert earned(key, params, right)[0] == exercise.points
        for letter in LETTERS[:len(options)]:
            answer = right.replace(letter, "") if letter in right else right + letter
            points, failed = earned(key, params, answer)
            assert points == pytest.approx(exercise.points - step), (student, answer)
            explanation = question._option(options[LETTERS.index(letter)]).explanation
            assert all(explanation in r.hint for r in failed), (student, answer)


@pytest.mark.parametrize("key", CHOICE)
def test_options_are_a_permutation_per_student(key):
    """Does every student get distinct options, the right number of them right, in an order of their own?"""
    exercise = get_exercise(key)
    question = exercise.module.QUESTION
    draws = [params_of(exercise, student)["options"] for student in STUDENTS]
    for options in draws:
        assert len(set(options)) == question.n_options
        assert len(question.right_letters(options)) == question.n_correct
    assert len({question.right_letters(o) for o in draws}) > 1  # the right letters move
    assert len({tuple(o) for o in draws}) > len(STUDENTS) // 2  # orders and subsets differ


def released(key: str, student: str, variant: dict) -> str:
    """A student's released notebook of the one-exercise assignment ``key``, on ``variant``."""
    exercise = get_exercise(key)
    assignment = Assignment(exercise.assignment, "Quiz", datetime(2026, 3, 1, tzinfo=timezone.utc), (exercise.id,))
    params = {key: variant}
    source = build_notebook("course", assignment, [exercise], params, student=student)
    return notebook_bytes(student_version(source, student, params)).decode()


@pytest.mark.parametrize("key", NUMERIC + CHOICE)
def test_the_released_notebook_is_the_same_whatever_the_answer(key, monkeypatch):
    """With the same variant, is the released notebook byte for byte the same when the right options
    (or the expected number) are others: so it cannot tell which ones are right?"""
    exercise = get_exercise(key)

    def other(question):
        if key in NUMERIC:
            return replace(question, expected=lambda params: 12345.0)
        return replace(question, bank=tuple(replace(o, correct=not o.correct) for o in question.bank),
                       n_correct=question.n_distractors, n_distractors=question.n_correct)
    variant = params_of(exercise, "student003")
    before = released(key, "student003", variant)
    if hasattr(exercise.module, "QUESTIONS"):
        monkeypatch.setattr(exercise.module, "QUESTIONS", tuple(other(q) for q in exercise.module.QUESTIONS))
    else:
        monkeypatch.setattr(exercise.module, "QUESTION", other(exercise.module.QUESTION))
    assert released(key, "student003", variant) == before


@pytest.mark.parametrize("key", NUMERIC + CHOICE)
def test_the_released_notebook_does_not_reveal_the_answer(key):
    """Does a student's released notebook hold no model answer, no explanation and no reference value?"""
    exercise = get_exercise(key)
    for student in STUDENTS[:5]:
        variant = params_of(exercise, student)
        notebook = released(key, student, variant)
        for question in questions_of(exercise.module):
            model = question.solution_cell(variant).split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            assert f"{question.variable} = " in model and model.strip() not in notebook
            if getattr(question, "rule", None) is not None and significant_digits(question.model_answer(variant)) >= 3:
                assert question.model_answer(variant) not in notebook  # the expected number, as written
            for option in getattr(question, "bank", ()):
                assert json.dumps(option.explanation)[1:-1] not in notebook
        recorded = [c["calls"] for c in _public_data(notebook)["exercises"][key]["checks"]]
        assert recorded == [[]] * len(exercise.public_checks)  # no reference value travels


def _public_data(released: str) -> dict:
    """The public-check data the released notebook carries in its dlcheck cell."""
    notebook = json.loads(released)
    source = "".join(notebook["cells"][1]["source"])
    data = source.rsplit("r'''", 1)[1].split("'''", 1)[0]
    return json.loads(data.replace("\\u0027", "'"))


@pytest.mark.parametrize("key, answer", [("a4.quiz_err6", "-{model}"), ("a3.quiz_robust_loss", "wrong")])
def test_feedback_after_grading_shows_the_expected_answer(key, answer, tmp_path):
    """Graded by the real engine from a handed-in notebook, does the feedback page show the expected
    value and accepted range (numeric) or the explanation and right option (choice)?"""
    from autograder.grading.engine import grade_notebook
    from autograder.reports.feedback import feedback_page
    exercise = get_exercise(key)
    question = exercise.module.QUESTION
    secret = b"feedback secret"
    variant = params_of(exercise, "ada01", secret)
    if answer == "wrong":
        right = question.right_letters(variant["options"])
        chosen = next(letter for letter in LETTERS if letter not in right)
        value = repr(chosen)
        shown = [question._option(variant["options"][LETTERS.index(chosen)]).explanation,
                 f"The right option is {right}."]
    else:
        value = answer.format(model=question.model_answer(variant))
        shown = [f"Expected {question.model_answer(variant)} (3 significant figures): accepted strictly between"]
    notebook = json.loads(released(key, "ada01", variant))
    for cell in notebook["cells"]:
        if cell["metadata"].get("dlgrade", {}).get("role") == "solution":
            cell["source"] = f"{question.variable} = {value}\n"
    path = tmp_path / f"{exercise.assignment}.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    result = grade_notebook(path, assignment=exercise.assignment, student="ada01", exercises=[exercise],
                            secret=secret, sandbox="none")
    assert result.points == 0
    page = feedback_page(result)
    for text in shown:
        assert html.escape(text, quote=True) in page or text in page, text
