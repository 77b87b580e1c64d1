"""The comparison rules of numeric answers (exercises/answers.py), against hand-computed cases."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises.answers import (DecimalPlaces, NotANumber, RelAbs, SigFigs, accepted_range, accepts,
                               as_decimal, decimal_places, judge, significant_digits)

# (rule, submitted, true, accepted), each computed by hand from the module docstring's formulas.
CASES = [
    # SigFigs(2), t = 1.234: n = 2 - 1 - ⌊log10 1.234⌋ = 1, ε = 0.51·10⁻¹ = 0.051, so the strict
    # bounds 1.234 ± 0.051 accept exactly the s with 1.183 < s < 1.285.
    (SigFigs(2), "1.2", "1.234", True),
    (SigFigs(2), "1.1831", "1.234", True),
    (SigFigs(2), "1.2849", "1.234", True),
    (SigFigs(2), "1.183", "1.234", False),   # exactly ε below: wrong (strict bound)
    (SigFigs(2), "1.285", "1.234", False),   # exactly ε above: wrong
    (SigFigs(2), 1.183, 1.234, False),       # the same as floats: their repr is the decimal
    (SigFigs(3), "0.0123", "0.012345", True),  # n = 3 - 1 - (-2) = 4, ε = 0.000051
    (SigFigs(3), "0.0124", "0.012345", False),  # 0.000055 away
    (SigFigs(3), "-0.0123", "0.012345", False),  # the sign
    (SigFigs(1), "0.005", "0", True),        # t = 0: n = digits - 1 = 0, ε = 0.51
    (SigFigs(1), "0.51", "0", False),
    (SigFigs(3), "1230", "1234", True),      # n = 3 - 1 - 3 = -1, ε = 5.1
    (SigFigs(3), "1239.1", "1234", False),
    # DecimalPlaces(2): ε = 0.51·10⁻² = 0.0051 whatever t.
    (DecimalPlaces(2), "3.14", "3.14159", True),
    (DecimalPlaces(2), "3.1467", "3.1416", False),  # exactly 0.0051 away
    (DecimalPlaces(2), "3.1466", "3.1416", True),
    (DecimalPlaces(0), "6", "6.4", True),
    # RelAbs: |s - t| <= atol + rtol·|t|, bounds included.
    (RelAbs(rtol=0.01), "101", "100", True),  # exactly 1 away: accepted (<=)
    (RelAbs(rtol=0.01), "101.01", "100", False),
    (RelAbs(rtol=0, atol=0.5), "-0.5", "0", True),
    (RelAbs(rtol=0, atol=0.5), "0.6", "0", False),
    # inf and nan: exact match only, under every rule.
    (SigFigs(3), "inf", "inf", True),
    (SigFigs(3), "-inf", "inf", False),
    (SigFigs(3), "1e308", "inf", False),
    (DecimalPlaces(2), "nan", "nan", True),
    (DecimalPlaces(2), "0", "nan", False),
    (RelAbs(rtol=1.0), "inf", "1", False),
    (RelAbs(rtol=1.0), float("nan"), 1.0, False),
]


@pytest.mark.parametrize("rule, submitted, true, expected", CASES)
def test_hand_computed_cases(rule, submitted, true, expected):
    """Does each rule accept exactly the answers its formula accepts, boundaries included?"""
    assert accepts(rule, submitted, true) is expected


def test_the_accepted_range_of_two_significant_figures():
    """Is 1.234 at 2 significant figures accepted strictly between 1.183 and 1.285, and said so?"""
    assert accepted_range(SigFigs(2), 1.234) == "strictly between 1.183 and 1.285"
    assert accepted_range(RelAbs(rtol=0.01), 100) == "from 99 to 101"
    assert accepted_range(RelAbs(rtol=0, atol=0), 132) == "exactly 132"


@pytest.mark.parametrize("written, digits, places", [
    ("0.0120", 3, 4), ("1200", 4, 0), (0.012, 2, 3), ("1.2e-3", 2, 4), (5, 1, 0), ("0", 0, 0), ("2.50", 3, 2),
    ("1" * 5000, 5000, 0)])
def test_digits_as_written(written, digits, places):
    """Are significant figures and decimal places counted as the number is written (leading zeros not)?"""
    assert (significant_digits(written), decimal_places(written)) == (digits, places)


@pytest.mark.parametrize("bad", [None, True, "twelve", [1.0], "1,5"])
def test_not_a_number(bad):
    """Is an answer that is no number refused with a message naming it?"""
    with pytest.raises(NotANumber, match="not a number"):
        as_decimal(bad)


def test_insufficient_precision_message():
    """Does a wrong answer written with too few significant figures say so, and only then?"""
    wrong_and_coarse = judge(SigFigs(3), "0.01", "0.012345")
    assert not wrong_and_coarse.correct
    assert "Insufficient precision: your answer has 1 significant figure," in wrong_and_coarse.precision
    assert "3 are required" in wrong_and_coarse.precision
    assert judge(SigFigs(3), "0.0125", "0.012345").precision == ""   # wrong, but precise enough
    assert judge(SigFigs(2), "1.2", "1.234").precision == ""        # right
    assert "0 decimal places" in judge(DecimalPlaces(2), "3", "3.1416").precision


def test_feedback_names_expected_value_and_range():
    """Does the verdict give the expected value rounded as asked and the accepted range?"""
    verdict = judge(SigFigs(3), 0.5, 0.012345)
    assert (verdict.expected, verdict.accepted) == ("0.0123", "strictly between 0.012294 and 0.012396")
    assert judge(DecimalPlaces(2), 1, 3.14159).expected == "3.14"


mantissas = st.integers(min_value=-10**6, max_value=10**6).filter(lambda m: m != 0)


@given(true=mantissas, submitted=st.integers(-10**6, 10**6), scale=st.integers(-12, 12),
       digits=st.integers(1, 6))
def test_significant_figures_are_scale_invariant(true, submitted, scale, digits):
    """Does multiplying both numbers by a power of ten leave the significant-figure verdict unchanged?"""
    t, s = Decimal(true).scaleb(-3), Decimal(submitted).scaleb(-3)
    assert accepts(SigFigs(digits), s, t) == accepts(SigFigs(digits), s.scaleb(scale), t.scaleb(scale))


@given(true=mantissas, offset=st.integers(0, 10**5), digits=st.integers(1, 6),
       rule_kind=st.sampled_from(["sig", "dec", "relabs"]))
def test_rules_are_symmetric(true, offset, digits, rule_kind):
    """Is t + d accepted exactly when t - d is (the bounds are symmetric about the true value)?"""
    rule = {"sig": SigFigs(digits), "dec": DecimalPlaces(digits), "relabs": RelAbs(rtol=0.01, atol=1e-3)}[rule_kind]
    t, d = Decimal(true).scaleb(-4), Decimal(offset).scaleb(-6)
    assert accepts(rule, t + d, t) == accepts(rule, t - d, t)


@given(true=mantissas, digits=st.integers(1, 6))
def test_the_true_value_rounded_as_asked_is_accepted(true, digits):
    """Is the true value, written to the required significant figures, always accepted?"""
    from exercises.answers import expected_text
    t = Decimal(true).scaleb(-5)
    assert accepts(SigFigs(digits), expected_text(SigFigs(digits), t), t)


def test_the_accepted_range_is_written_to_three_digits_of_its_half_width() -> None:
    """Does feedback show a float's accepted range readably (not -0.009934896439012472) and still
    at a precision finer than the rule's last digit?"""
    assert accepted_range(SigFigs(3), -0.009929796439012472) == "strictly between -0.0099349 and -0.0099247"
    assert accepted_range(RelAbs(rtol=1e-3), 2.0) == "from 1.998 to 2.002"
