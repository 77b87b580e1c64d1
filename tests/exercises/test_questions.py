"""Question types beyond code (exercises/questions.py): numeric answers and choices, and their form checks."""
import pytest

from exercises.answers import SigFigs
from exercises.dlcheck import PASSED, CheckFailed, LocalStudent, NotAnswered, expect_letters, expect_number, run_check
from exercises.model import RedrawVariant
from exercises.questions import (ALL_OR_NOTHING, EACH_ANSWER, NET_CORRECT, ChoiceQuestion, NumericQuestion, Option,
                                 WrongAnswer)

BANK = (Option("right 1", True, "why right 1"), Option("right 2", True, "why right 2"),
        Option("right 3", True, "why right 3"), Option("wrong 1", False, "why wrong 1"),
        Option("wrong 2", False, "why wrong 2"), Option("wrong 3", False, "why wrong 3"))
OPTIONS = ["right 1", "wrong 1", "right 2", "wrong 2"]  # A, C right; B, D wrong


def question(scheme: str) -> ChoiceQuestion:
    return ChoiceQuestion("answer", BANK, n_correct=2, n_distractors=2, scheme=scheme)


# PrairieLearn's schemes by hand, on options A (right), B (wrong), C (right), D (wrong):
# all-or-nothing: 1 only for exactly AC; net-correct (PC): max(0, right chosen − wrong chosen) / 2;
# each-answer (EDC): options decided correctly / 4.
@pytest.mark.parametrize("chosen, all_or_nothing, net_correct, each_answer", [
    ("AC", 1, 2, 4), ("A", 0, 1, 3), ("ACB", 0, 1, 3), ("AB", 0, 0, 2), ("B", 0, 0, 1), ("BD", 0, 0, 0),
    ("", 0, 0, 2), ("ABCD", 0, 0, 2)])
def test_credit_of_each_scheme(chosen, all_or_nothing, net_correct, each_answer):
    """Does each partial-credit scheme give PrairieLearn's credit, in steps?"""
    got = [question(s).credit("".join(sorted(chosen)), OPTIONS) for s in (ALL_OR_NOTHING, NET_CORRECT, EACH_ANSWER)]
    assert got == [all_or_nothing, net_correct, each_answer]


def earned(checks, namespace: dict, params: dict) -> tuple[float, list]:
    outcomes = [(run_check(c, {"student": LocalStudent(namespace), "params": params}), c) for c in checks]
    return (sum(c.pytestmark[-1].args[0] for o, c in outcomes if o.status == PASSED),
            [o for o, _ in outcomes])


@pytest.mark.parametrize("scheme, chosen, points", [
    (ALL_OR_NOTHING, "AC", 3.0), (ALL_OR_NOTHING, "A", 0.0), (NET_CORRECT, "A", 1.5), (NET_CORRECT, "ABC", 1.5),
    (EACH_ANSWER, "A", 2.25), (EACH_ANSWER, "D", 0.75), (EACH_ANSWER, "AC", 3.0)])
def test_credit_checks_share_the_points(scheme, chosen, points):
    """Do the hidden credit checks earn exactly the scheme's share of the question's points?"""
    checks = question(scheme).credit_checks(3, hint="h")
    assert sum(c.pytestmark[-1].args[0] for c in checks) == 3
    assert earned(checks, {"answer": chosen}, {"options": OPTIONS})[0] == points


def test_choice_feedback_explains_after_grading():
    """Does a wrong choice's feedback give the distractor's explanation, the missed option and the right letters?"""
    _, outcomes = earned(question(ALL_OR_NOTHING).credit_checks(1, hint="h"), {"answer": "ab"}, {"options": OPTIONS})
    assert "B: why wrong 1" in outcomes[0].hint and "Missed C: why right 2" in outcomes[0].hint
    assert "The right options are A, C." in outcomes[0].hint


def test_draw_is_a_seeded_shuffled_subset():
    """Is a draw n_correct right and n_distractors wrong options, the same for the same seed?"""
    import numpy as np
    drawn = question(NET_CORRECT).draw(np.random.default_rng(7))
    assert drawn == question(NET_CORRECT).draw(np.random.default_rng(7))
    assert sorted(t.split()[0] for t in drawn) == ["right", "right", "wrong", "wrong"] and len(set(drawn)) == 4


def test_a_bank_too_small_is_refused():
    """Is a question that draws more options than its bank holds refused with a message?"""
    with pytest.raises(ValueError, match="3 right options and 3 distractors"):
        ChoiceQuestion("answer", BANK, n_correct=4)
    with pytest.raises(ValueError, match="unknown scheme"):
        ChoiceQuestion("answer", BANK, scheme="coverage")


NUMERIC = NumericQuestion("x", SigFigs(3), expected=lambda p: p["t"],
                          wrong_answers=(WrongAnswer("The sign is flipped.", lambda p: -p["t"]),))


@pytest.mark.parametrize("answer", [0.0123, "0.0123", "0.01230", 0.01234, 12.3e-3])
def test_numeric_answers_accepted(answer):
    """Is a number (or numeric string) within 3 significant figures of the true value accepted?"""
    NUMERIC.grade(answer, {"t": 0.012345})


def test_numeric_feedback_after_grading():
    """Does a wrong number's feedback name the mistake, the expected value and the accepted range?"""
    with pytest.raises(CheckFailed) as failed:
        NUMERIC.grade(-0.0123, {"t": 0.012345})
    assert failed.value.hint.startswith("The sign is flipped.")
    assert "Expected 0.0123 (3 significant figures): accepted strictly between 0.012294 and 0.012396." in failed.value.hint
    with pytest.raises(CheckFailed, match="wrong value") as coarse:
        NUMERIC.grade("0.01", {"t": 0.012345})
    assert "Insufficient precision" in coarse.value.hint


def test_numeric_question_redraws_a_variant_where_a_mistake_is_right():
    """Is a variant refused when a catalogued wrong answer would be accepted (t = 0: -t = t)?"""
    with pytest.raises(RedrawVariant):
        NUMERIC.distinct({"t": 0.0})
    assert NUMERIC.distinct({"t": 2.5}) == {"t": 2.5}


def test_forms_of_answers():
    """Do the public form checks read numbers and letters, and fail on None as not answered?"""
    assert expect_number("0.0120", "x", "3 significant figures") == 0.012
    assert expect_letters(["c", "A"], "x", 4) == "AC" and expect_letters("b, a", "x", 4) == "AB"
    with pytest.raises(NotAnswered):
        expect_number(None, "x", "3 significant figures")
    with pytest.raises(CheckFailed, match="3 significant figures expected"):
        expect_number("about 2", "x", "3 significant figures")
    with pytest.raises(CheckFailed, match="names E: the options are A, B, C, D"):
        expect_letters("AE", "x", 4)
    with pytest.raises(CheckFailed, match="not option letters"):
        expect_letters(2, "x", 4)


def test_a_long_or_odd_answer_is_judged_without_echoing_it():
    """Is a 100 000-digit answer string judged (wrong) without an error, and never repeated in the hint?"""
    typed = "0." + "9" * 100_000
    with pytest.raises(CheckFailed) as failed:
        NUMERIC.grade(typed, {"t": 0.012345})
    assert "999999" not in failed.value.hint and "Expected 0.0123" in failed.value.hint
    with pytest.raises(CheckFailed) as coarse:
        NUMERIC.grade("0.01", {"t": 0.012345})
    assert "0.01 " not in coarse.value.hint and "has 1 significant figure" in coarse.value.hint


@pytest.mark.parametrize("answer", ["1e999999999", "-1e-999999999", "nan", "-inf", float("inf"), 10**400, "1e400"])
def test_extreme_answers_are_judged_wrong_not_errors(answer):
    """Is an extreme number (huge exponent, inf, nan, a 400-digit int) judged wrong, with no precision blame
    for inf and nan, rather than crashing the check?"""
    with pytest.raises(CheckFailed) as failed:
        NUMERIC.grade(answer, {"t": 0.012345})
    assert "Expected 0.0123" in failed.value.hint
    if answer in ("nan", "-inf") or answer == float("inf"):
        assert "Insufficient precision" not in failed.value.hint


def test_the_class_report_counts_mistakes_not_numbers():
    """Is the named mistake of a failure the recognised mistake alone (the same for every student), and
    none for an unrecognised number, while the hint also carries the expected value?"""
    flipped = run_check(NUMERIC.check(1, hint="h"), {"student": LocalStudent({"x": -0.0123}), "params": {"t": 0.012345}})
    assert flipped.mistake == "The sign is flipped." and "Expected 0.0123" in flipped.hint
    unknown = run_check(NUMERIC.check(1, hint="h"), {"student": LocalStudent({"x": 5.0}), "params": {"t": 0.012345}})
    assert unknown.status == "failed" and unknown.mistake == ""
    _, outcomes = earned(question(ALL_OR_NOTHING).credit_checks(1, hint="h"), {"answer": "ab"}, {"options": OPTIONS})
    assert outcomes[0].mistake == "why wrong 1"
