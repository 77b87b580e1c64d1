"""Run an assignment's checks in the grader's own process on trusted code.

Used before release: the model answer must earn every point on each student's
variant, and the untouched stub none. Only trusted code runs here (our
solutions and the stubs, which raise NotImplementedError); student submissions
never do: they go through the sandboxed worker.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from exercises.dlcheck import PASSED, LocalStudent, RecordingRef, run_check
from exercises.model import Check, Exercise, clear_solutions, reference_namespace


@dataclass(frozen=True)
class LocalCheckResult:
    """The outcome of one check on trusted code."""

    exercise: str
    check: str
    status: str
    message: str
    hint: str


def solution_cells(exercises: Sequence[Exercise], params: Mapping[str, dict]) -> list[str]:
    """The solution cells (with markers) of an assignment for one student's variants."""
    return [e.solution_cell(params[e.key]) for e in exercises]


def run_checks_locally(exercises: Sequence[Exercise], namespace: Mapping[str, Any],
                       ref: Mapping[str, Any], params: Mapping[str, dict]) -> list[LocalCheckResult]:
    """Every check of ``exercises`` with ``student`` calling into ``namespace``."""
    results = []
    for exercise in exercises:
        for check in exercise.checks:
            fixtures = {"student": LocalStudent(namespace), "ref": RecordingRef(ref),
                        "params": params[exercise.key]}
            outcome = run_check(check.function, fixtures)
            results.append(LocalCheckResult(exercise.key, check.name, outcome.status,
                                            outcome.message, outcome.hint))
    return results


def verify_variant(exercises: Sequence[Exercise], params: Mapping[str, dict]) -> list[str]:
    """Problems found: solution checks that fail and stub checks that pass (empty list: all good)."""
    cells = solution_cells(exercises, params)
    ref = reference_namespace(cells)
    stub = reference_namespace([clear_solutions(c) for c in cells], tolerant=True)
    problems = [f"{r.exercise}::{r.check} fails on the model answer: {r.message} {r.hint}".strip()
                for r in run_checks_locally(exercises, reference_namespace(cells), ref, params)
                if r.status != PASSED]
    problems += [f"{r.exercise}::{r.check} passes on the untouched stub"
                 for r in run_checks_locally(exercises, stub, ref, params) if r.status == PASSED]
    return problems


def record_public_checks(exercise: Exercise, params: dict, ref: Mapping[str, Any]) -> list[dict]:
    """Run the public checks on the model answer, recording the reference values they use.

    The result is what the student's notebook replays: source, points and the
    recorded reference results of each public check.
    """
    recorded = []
    for check in exercise.public_checks:
        recorder = RecordingRef(ref)
        outcome = run_check(check.function, {"student": LocalStudent(ref), "ref": recorder,
                                             "params": params})
        if outcome.status != PASSED:
            raise RuntimeError(f"{exercise.key}::{check.name} fails on the model answer: "
                               f"{outcome.message}")
        recorded.append({"name": check.name, "points": check.points, "source": check.source(),
                         "calls": recorder.calls})
    return recorded


def check_by_name(exercise: Exercise, name: str) -> Check:
    """The check ``name`` of ``exercise``."""
    for check in exercise.checks:
        if check.name == name:
            return check
    raise KeyError(f"{exercise.key} has no check {name}")
