"""Comparison rules for numeric answers, as PrairieLearn's number input defines them.

A rule says whether a submitted number ``s`` counts as the true value ``t``:

``RelAbs(rtol, atol)``
    .. math:: |s - t| \\le atol + rtol\\,|t|
``SigFigs(digits)``
    .. math:: n = digits - 1 - \\lfloor \\log_{10}|t| \\rfloor,\\quad \\varepsilon = 0.51 \\cdot 10^{-n},
              \\quad t - \\varepsilon < s < t + \\varepsilon
    (``n = digits - 1`` when ``t = 0``);
``DecimalPlaces(digits)``
    .. math:: \\varepsilon = 0.51 \\cdot 10^{-digits},\\quad t - \\varepsilon < s < t + \\varepsilon

and every rule accepts an infinite or NaN true value only as exactly that value (``inf`` is
``inf``, ``-inf`` is ``-inf``, ``nan`` is ``nan``).

Numbers are compared as the **decimals they are written as** (a float as its shortest
``repr``, a string as typed), in exact decimal arithmetic: an answer exactly ε away is
wrong, as the strict bounds say, and not right or wrong by a float rounding of ``t - ε``.
Standard library and numpy only, like :mod:`exercises.dlcheck`.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

Number = Union[int, float, str, Decimal]
_CONTEXT = decimal.Context(prec=60, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
"""Exact for typed decimals; any exponent a string can hold (1e999999999) neither overflows nor traps."""
_HALF_STEP = Decimal("0.51")


class NotANumber(ValueError):
    """The answer cannot be read as a number; the message says what it was."""


def as_decimal(value: Number) -> Decimal:
    """``value`` as the decimal it is written as: a float by its shortest repr, a string as typed.

    Raises :class:`NotANumber` for a bool, None, or a string that is no number.
    """
    if isinstance(value, bool) or value is None:
        raise NotANumber(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        return as_decimal(value.item())
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace("_", ""))
        except decimal.InvalidOperation:
            raise NotANumber(f"{value[:40]!r} is not a number (write it as e.g. 0.0123 or 1.2e-3)") from None
    raise NotANumber(f"a {type(value).__name__} is not a number")


def significant_digits(value: Number) -> int:
    """How many significant digits ``value`` is written with: leading zeros do not count, trailing
    ones do (``"0.0120"`` has 3, ``"1200"`` 4, the float ``0.012`` 2); 0 for zero, inf and nan."""
    number = as_decimal(value)
    if not number.is_finite() or number.is_zero():
        return 0
    digits = number.as_tuple().digits
    return len(digits) - next(i for i, digit in enumerate(digits) if digit)


def decimal_places(value: Number) -> int:
    """How many digits ``value`` is written with after the decimal point (``"2.50"`` has 2)."""
    number = as_decimal(value)
    return max(0, -number.as_tuple().exponent) if number.is_finite() else 0


def _special(submitted: Decimal, true: Decimal) -> bool | None:
    """The verdict when ``true`` is infinite or NaN (exact match only), else None."""
    if true.is_nan():
        return submitted.is_nan()
    if true.is_infinite():
        return submitted == true
    return False if not submitted.is_finite() else None


def _coarse(submitted: Number, typed: int, required: int, unit: str) -> str:
    """The insufficient-precision message when ``typed`` < ``required`` digits, else ``""`` (it never
    repeats the answer: what a student typed is theirs, the message is the grader's)."""
    if typed >= required or not as_decimal(submitted).is_finite():  # inf and nan have no digits to blame
        return ""
    return (f"Insufficient precision: your answer has {typed} {unit}{'' if typed == 1 else 's'}, "
            f"{required} are required. Carry full precision and round only the final answer to "
            f"{required} {unit}s.")


@dataclass(frozen=True)
class RelAbs:
    """Relative and absolute tolerance: ``|s - t| <= atol + rtol·|t|`` (bounds included)."""

    rtol: float = 1e-2
    atol: float = 0.0

    def half_width(self, true: Decimal) -> Decimal:
        return _CONTEXT.add(as_decimal(self.atol), _CONTEXT.multiply(as_decimal(self.rtol), _CONTEXT.abs(true)))

    def inside(self, distance: Decimal, half_width: Decimal) -> bool:
        return distance <= half_width

    def describe(self) -> str:
        if not self.rtol and not self.atol:
            return "the exact value"
        parts = [f"within {self.rtol:g} relative" if self.rtol else "",
                 f"{self.atol:g} absolute" if self.atol else ""]
        return " + ".join(p for p in parts if p) + " tolerance"

    def too_coarse(self, submitted: Number) -> str:
        return ""


@dataclass(frozen=True)
class SigFigs:
    """``digits`` significant figures: strictly within 0.51 units of the last required digit."""

    digits: int = 3

    def __post_init__(self) -> None:
        if self.digits < 1:
            raise ValueError(f"SigFigs(digits={self.digits}): ask for at least 1 significant figure")

    def half_width(self, true: Decimal) -> Decimal:
        n = self.digits - 1 - (0 if true.is_zero() else true.adjusted())  # adjusted() = ⌊log10|t|⌋
        return _CONTEXT.multiply(_HALF_STEP, Decimal(1).scaleb(-n))

    def inside(self, distance: Decimal, half_width: Decimal) -> bool:
        return distance < half_width

    def describe(self) -> str:
        return f"{self.digits} significant figure" + ("" if self.digits == 1 else "s")

    def too_coarse(self, submitted: Number) -> str:
        return _coarse(submitted, significant_digits(submitted), self.digits, "significant figure")


@dataclass(frozen=True)
class DecimalPlaces:
    """``digits`` decimal places: strictly within 0.51 units of the last required decimal."""

    digits: int = 2

    def half_width(self, true: Decimal) -> Decimal:
        return _CONTEXT.multiply(_HALF_STEP, Decimal(1).scaleb(-self.digits))

    def inside(self, distance: Decimal, half_width: Decimal) -> bool:
        return distance < half_width

    def describe(self) -> str:
        return f"{self.digits} decimal place" + ("" if self.digits == 1 else "s")

    def too_coarse(self, submitted: Number) -> str:
        return _coarse(submitted, decimal_places(submitted), self.digits, "decimal place")


Rule = Union[RelAbs, SigFigs, DecimalPlaces]


def accepts(rule: Rule, submitted: Number, true: Number) -> bool:
    """Does ``rule`` accept ``submitted`` for the true value ``true``? (Module docstring: the formulas.)"""
    s, t = as_decimal(submitted), as_decimal(true)
    special = _special(s, t)
    if special is not None:
        return special
    return rule.inside(_CONTEXT.abs(_CONTEXT.subtract(s, t)), rule.half_width(t))


def accepted_range(rule: Rule, true: Number) -> str:
    """The accepted range, for feedback after grading: ``"strictly between 1.183 and 1.285"``."""
    t = as_decimal(true)
    if not t.is_finite():
        return f"exactly {t}"
    half = rule.half_width(t)
    if half.is_zero():
        return f"exactly {t.normalize():f}"
    # Shown to three digits of the half-width (its leading digit and two more): the true value's
    # full float precision (-0.009934896439012472) says nothing more to a student.
    shown = Decimal(1).scaleb(half.adjusted() - 2)
    low, high = (_CONTEXT.quantize(bound, shown).normalize()
                 for bound in (_CONTEXT.subtract(t, half), _CONTEXT.add(t, half)))
    return (f"from {low:f} to {high:f}" if isinstance(rule, RelAbs)
            else f"strictly between {low:f} and {high:f}")


@dataclass(frozen=True)
class Verdict:
    """What a rule concluded on one answer."""

    correct: bool
    expected: str
    """The true value as written for feedback (rounded to the rule's digits where it has some)."""
    accepted: str
    """The accepted range, e.g. ``"strictly between 1.183 and 1.285"``."""
    precision: str = ""
    """The insufficient-precision message when a wrong answer was written too coarsely, else ``""``."""


def expected_text(rule: Rule, true: Number) -> str:
    """The true value as a student would write it under ``rule`` (3 s.f.: ``0.0123``)."""
    t = as_decimal(true)
    if not t.is_finite() or isinstance(rule, RelAbs):
        return f"{t.normalize() if t.is_finite() else t}"
    places = rule.digits if isinstance(rule, DecimalPlaces) else rule.digits - 1 - (0 if t.is_zero() else t.adjusted())
    return f"{t.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_EVEN, context=_CONTEXT):f}"


def judge(rule: Rule, submitted: Number, true: Number) -> Verdict:
    """Judge one answer: correct or not, what was expected, the accepted range, and whether a wrong
    answer lacks precision (fewer significant figures or decimals than ``rule`` requires)."""
    correct = accepts(rule, submitted, true)
    return Verdict(correct=correct, expected=expected_text(rule, true), accepted=accepted_range(rule, true),
                   precision="" if correct else rule.too_coarse(submitted))
