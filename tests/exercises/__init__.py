"""Helpers shared by the exercise tests: variants, verification, wrong answers, public checks."""
from __future__ import annotations

import functools
import textwrap
from typing import Any

import numpy as np

from exercises import dlcheck
from exercises.model import Exercise, get_exercise, reference_namespace, variant_params
from exercises.verify import check_by_name, record_public_checks, solution_cells, verify_variant

SECRET = b"tests-exercises-secret"
STUDENTS = [f"s{i:03d}" for i in range(50)] + ["alice@example.org", "Ünïcødé 学生"]
MANY_STUDENTS = [f"m{i:04d}" for i in range(200)]
OTHER_SECRETS = (b"another course", b"demo-secret-2026")


def exercises_of(keys: tuple[str, ...]) -> list[Exercise]:
    """The exercises ``keys``, in notebook order."""
    return [get_exercise(key) for key in keys]


@functools.cache
def variant_of(key: str, student: str) -> dict:
    """A student's variant of exercise ``key``."""
    return variant_params(get_exercise(key), SECRET, student)


def variant(keys: tuple[str, ...], student: str) -> dict[str, dict]:
    """A student's variants of every exercise in ``keys``."""
    return {key: variant_of(key, student) for key in keys}


@functools.cache
def problems(keys: tuple[str, ...], student: str) -> tuple[str, ...]:
    """verify_variant over the whole assignment for one student (cached: each test reads its part)."""
    return tuple(verify_variant(exercises_of(keys), variant(keys, student)))


def problems_of(keys: tuple[str, ...], key: str, student: str) -> list[str]:
    """The problems verify_variant found in exercise ``key``."""
    return [p for p in problems(keys, student) if p.startswith(key + "::")]


@functools.cache
def model_namespace(keys: tuple[str, ...], student: str) -> dict[str, Any]:
    """The model answer of the assignment for one student (the ``ref`` of the checks)."""
    return reference_namespace(solution_cells(exercises_of(keys), variant(keys, student)))


def run_wrong(keys: tuple[str, ...], key: str, check: str, wrong_code: str,
              student: str = "s000") -> dlcheck.Outcome:
    """Run one check of ``key`` on the model answer with ``wrong_code`` pasted after it."""
    exercises = exercises_of(keys)
    params = variant(keys, student)
    cells = solution_cells(exercises, params)
    namespace = reference_namespace(cells + [textwrap.dedent(wrong_code)])
    fixtures = {"student": dlcheck.LocalStudent(namespace),
                "ref": dlcheck.RecordingRef(model_namespace(keys, student)), "params": params[key]}
    return dlcheck.run_check(check_by_name(get_exercise(key), check).function, fixtures)


def failing_checks(keys: tuple[str, ...], key: str, wrong_code: str,
                   student: str = "s000") -> dict[str, str]:
    """{check name: hint} for every check of ``key`` that ``wrong_code`` fails."""
    failed = {}
    for check in get_exercise(key).checks:
        outcome = run_wrong(keys, key, check.name, wrong_code, student)
        if outcome.status != dlcheck.PASSED:
            failed[check.name] = outcome.hint
    return failed


def run_public_checks_as_shipped(keys: tuple[str, ...], key: str, student: str) -> list[str]:
    """Run the public check sources of ``key`` as the notebook does; return the failures.

    Each source is executed in a namespace holding only ``np`` and the dlcheck
    check API, with ``ref`` replaying the recorded reference values.
    """
    exercise = get_exercise(key)
    params = variant(keys, student)[key]
    namespace = model_namespace(keys, student)
    failures = []
    for spec in record_public_checks(exercise, params, namespace):
        scope: dict[str, Any] = {"np": np}
        scope.update({name: getattr(dlcheck, name) for name in dlcheck._CHECK_API})
        exec(compile(spec["source"], f"<check {spec['name']}>", "exec"), scope)
        outcome = dlcheck.run_check(scope[spec["name"]], {
            "student": dlcheck.LocalStudent(namespace), "ref": dlcheck.ReplayRef(spec["calls"]),
            "params": dlcheck.from_jsonable(dlcheck.to_jsonable(params))})
        if outcome.status != dlcheck.PASSED:
            failures.append(f"{spec['name']}: {outcome.status} {outcome.message} {outcome.hint}")
    return failures


def assert_well_formed(key: str) -> None:
    """The exercise has public and hidden checks of 1–2 points, and every hidden one has a hint."""
    exercise = get_exercise(key)
    assert exercise.public_checks and exercise.hidden_checks
    assert all(1 <= c.points <= 2 for c in exercise.checks)
    assert all(c.hint for c in exercise.hidden_checks)


def assert_fails_with(keys: tuple[str, ...], key: str, code: str, expected: dict[str, str],
                      passes: tuple[str, ...] = (), student: str = "s000") -> None:
    """``code`` fails each check in ``expected`` with a hint containing its text, and passes ``passes``."""
    failed = failing_checks(keys, key, code, student)
    for check, hint in expected.items():
        assert check in failed, f"{check} should fail; failed: {failed}"
        assert hint in failed[check], f"{check}: hint {failed[check]!r} lacks {hint!r}"
    for check in passes:
        assert check not in failed, f"{check} should pass: {failed[check]}"


def problems_under_secret(keys: tuple[str, ...], student: str, secret: bytes) -> tuple[list[str], dict]:
    """verify_variant for one student of a course with another secret, and that student's variants."""
    exercises = exercises_of(keys)
    params = {e.key: variant_params(e, secret, student) for e in exercises}
    return verify_variant(exercises, params), params
