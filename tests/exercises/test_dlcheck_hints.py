"""The hint a failing comparison gives: a recognised mistake, a pattern of the wrong values, or what was tested."""
import numpy as np
import pytest

from exercises.dlcheck import CheckFailed, diagnose, diagnose_pattern, expect_close, expect_equal

EXPECTED = np.array([0.2, 0.5, 0.7, 0.9])


@pytest.mark.parametrize("got, says", [
    (np.zeros(4), "Every value you returned is 0"),
    (1 - EXPECTED, "1 minus the expected value"),
    (1 / EXPECTED, "reciprocals"),
    (3 * EXPECTED, "constant factor of 3"),
    (EXPECTED + 0.25, "same amount (+0.25)"),
    (np.where(EXPECTED > 0.6, EXPECTED, 0.3), "Right for 2 of 4 values"),
])
def test_a_pattern_of_the_wrong_values_is_named(got, says):
    """Does a wrong result that relates to the expected one in a simple way get that relation as its hint?"""
    assert says in diagnose(got, EXPECTED)


def test_no_pattern_is_claimed_when_there_is_none():
    """Do unrelated values, a single number or non-finite values get no pattern (the check's own hint then)?"""
    assert diagnose_pattern(np.array([0.9, 0.1, 0.4, 0.33]), EXPECTED, 1e-6, 1e-8) == ""
    assert diagnose_pattern(np.array(0.7), np.array(0.2), 1e-6, 1e-8) == ""  # any number is a factor of another
    assert diagnose_pattern(np.array([np.inf, 0.5, 0.7, 0.9]), EXPECTED, 1e-6, 1e-8) == ""


def test_a_catalogued_mistake_comes_before_a_pattern():
    """When a catalogued mistake's value matches, is its hint given rather than the generic pattern?"""
    with pytest.raises(CheckFailed) as failed:
        expect_close(np.zeros(4), EXPECTED, what="f", mistakes={"You forgot to return the sum.": np.zeros(4)})
    assert failed.value.hint == "You forgot to return the sum."


def test_unrecognised_values_get_the_checks_own_hint():
    """Does a wrong value that matches nothing fall back to the hint describing what the check tested?"""
    with pytest.raises(CheckFailed) as failed:
        expect_close(np.array([0.9, 0.1, 0.4, 0.33]), EXPECTED, what="f", hint="f on four inputs in (0, 1).")
    assert failed.value.hint == "f on four inputs in (0, 1)."


@pytest.mark.parametrize("got, expected, wrong", [
    (4, 5, 4),                                   # an int: n // b for ⌈n / b⌉
    ("overfit", "good", "overfit"),              # a label
    (np.array([1, 2]), np.array([1, 3]), [1, 2]),  # an integer array
])
def test_an_exact_comparison_names_the_mistake_whose_value_it_got(got, expected, wrong):
    """Does expect_equal name the catalogued mistake whose value the wrong answer equals exactly, and count
    it as the mistake, not only as the hint?"""
    with pytest.raises(CheckFailed) as failed:
        expect_equal(got, expected, what="f", hint="What f returns.",
                     mistakes={"Another mistake.": 7, "The mistake made.": wrong})
    assert (failed.value.hint, failed.value.mistake) == ("The mistake made.", "The mistake made.")


def test_an_exact_comparison_names_no_mistake_that_was_not_made():
    """Does expect_equal keep the check's own hint when no catalogued value equals the answer exactly (a
    float near it, a label in another case, a "mistake" whose value is the right one, a value two mistakes give),
    and pass right answers?"""
    for got, expected, mistakes in ((4.000001, 5, {"n // b": 4}), ("Overfit", "good", {"A label.": "overfit"}),
                                    (3, 5, {"Looks wrong, is right.": 5}),
                                    (4, 5, {"n // b": 4, "round(n / b)": 4})):  # two mistakes give 4: neither is named
        with pytest.raises(CheckFailed) as failed:
            expect_equal(got, expected, what="f", hint="What f returns.", mistakes=mistakes)
        assert failed.value.hint == failed.value.mistake == "What f returns."
    expect_equal(5, 5, what="f", mistakes={"Looks wrong, is right.": 5})
    expect_equal("good", "good", what="f", mistakes={"A label.": "overfit"})
