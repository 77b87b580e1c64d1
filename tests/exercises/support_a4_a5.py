"""Helpers of the a4 and a5 exercise tests: variants, wrong answers as code, public checks as shipped."""
from __future__ import annotations

import json

import numpy as np

from exercises import dlcheck
from exercises.dlcheck import PASSED, LocalStudent, ReplayRef, run_check
from exercises.model import Exercise, reference_namespace, variant_params
from exercises.verify import record_public_checks, run_checks_locally

SECRET = b"course secret for the exercise tests"
OTHER_SECRETS = (b"another course", b"a third course")
STUDENTS = [f"student{i:03d}" for i in range(50)]


def params_of(exercise: Exercise, student: str = "student000", secret: bytes = SECRET) -> dict:
    return variant_params(exercise, secret, student)


def outcomes(exercises: list[Exercise], target: Exercise, wrong_code: str, params: dict) -> dict:
    """Outcome of every check of ``target`` when ``wrong_code`` replaces part of the model answer.

    ``exercises`` are the cells the wrong answer needs (the target's own and its
    dependencies'); ``params`` maps their keys to variants.
    """
    cells = [e.solution_cell(params[e.key]) for e in exercises]
    ref = reference_namespace(cells)
    wrong = reference_namespace(cells + [wrong_code])
    results = run_checks_locally([target], wrong, ref, params)
    marker_hints = {check.name: check.hint for check in target.checks}
    # the grader shows a failing check's own hint, or the hidden marker's when it has none
    return {r.check: (r.status, r.hint or marker_hints[r.check]) for r in results}


def failing(results: dict) -> set[str]:
    return {name for name, (status, _) in results.items() if status != PASSED}


def run_public_checks_sandboxed(exercise: Exercise, params: dict, namespace: dict) -> list[str]:
    """Run the recorded public checks as a student's notebook does: only np and the dlcheck API.

    Returns the names of the checks that did not pass on ``namespace``.
    """
    recorded = json.loads(json.dumps(record_public_checks(exercise, params, namespace)))
    failed = []
    for spec in recorded:
        scope = {"np": np, **{name: getattr(dlcheck, name) for name in dlcheck._CHECK_API}}
        exec(compile(spec["source"], spec["name"], "exec"), scope)
        fixtures = {"student": LocalStudent(namespace), "ref": ReplayRef(spec["calls"]), "params": params}
        outcome = run_check(scope[spec["name"]], fixtures)
        if outcome.status != PASSED:
            failed.append(f"{spec['name']}: {outcome.message}")
    return failed


def assert_full_marks_and_stub_zero(key: str, students: list[str] = STUDENTS) -> None:
    """The model answer earns every point and the stub none, for ``students`` and two other secrets."""
    from exercises.model import get_exercise
    from exercises.verify import verify_variant
    exercise = get_exercise(key)
    runs = [(SECRET, s) for s in students] + [(secret, s) for secret in OTHER_SECRETS for s in students[:2]]
    for secret, student in runs:
        assert verify_variant([exercise], {key: params_of(exercise, student, secret)}) == [], (secret, student)


def assert_variants_deterministic_and_spread(key: str, count: int = 200, min_distinct: int = 45) -> list[dict]:
    """Variants repeat for one student, differ between students; returns the ``count`` variants.

    ``min_distinct`` of the first 50 students' variants must differ (less for small variant spaces).
    """
    from exercises.model import get_exercise
    exercise = get_exercise(key)
    variants = [params_of(exercise, f"student{i:03d}") for i in range(count)]
    assert variants[:5] == [params_of(exercise, f"student{i:03d}") for i in range(5)]
    distinct = {json.dumps(v, sort_keys=True) for v in variants[:50]}
    assert len(distinct) >= min_distinct, f"only {len(distinct)} distinct variants among 50 students"
    assert params_of(exercise, "student000", OTHER_SECRETS[0]) != variants[0]
    return variants


def assert_public_checks_self_contained(key: str, students: int = 3) -> None:
    """Public checks pass on the model answer with nothing but np and the dlcheck API in scope."""
    from exercises.model import get_exercise
    exercise = get_exercise(key)
    for i in range(students):
        params = params_of(exercise, f"student{i:03d}")
        namespace = reference_namespace([exercise.solution_cell(params)])
        assert run_public_checks_sandboxed(exercise, params, namespace) == []


def verify_with_dependencies(key: str, dependencies: list[str], student: str) -> list[str]:
    """verify_variant for one exercise whose model answer needs earlier cells of its assignment.

    The model answer (all cells) must earn every point of ``key``; the notebook where only
    ``key``'s cell is cleared (its dependencies answered) must earn none.
    """
    from exercises.model import clear_solutions, get_exercise
    exercises = [get_exercise(k) for k in dependencies + [key]]
    params = {e.key: params_of(e, student) for e in exercises}
    cells = [e.solution_cell(params[e.key]) for e in exercises]
    ref = reference_namespace(cells)
    stub = reference_namespace(cells[:-1] + [clear_solutions(cells[-1])])
    target = exercises[-1]
    problems = [f"{r.check} fails on the model answer: {r.message}"
                for r in run_checks_locally([target], reference_namespace(cells), ref, params) if r.status != PASSED]
    problems += [f"{r.check} passes on the stub" for r in run_checks_locally([target], stub, ref, params)
                 if r.status == PASSED]
    return problems
