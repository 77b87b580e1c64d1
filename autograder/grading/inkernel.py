"""Every check of an exercise, run inside the notebook's own kernel: the nbgrader-compatible path.

The hidden-tests region of a source notebook's check cell calls
:func:`run_hidden_checks`, so that nbgrader's own ``autograde`` (the baseline
dlgrade is benchmarked against) grades our notebooks: the cell raises
:class:`AssertionError` when any check fails, and nbgrader then gives the cell
zero (its grade cells are all or nothing).

NOT tamper-proof: the checks run in the same interpreter as the student's
code, which can patch numpy, the checks or this module, and the variant is read
from the public checks the notebook's dlcheck cell defines, which the student
hands in. dlgrade's own grader never uses this path: it runs the student's code in a
sandboxed worker and the checks in the grader process (autograder/grading/engine.py).
"""
from __future__ import annotations

from typing import Any, Mapping

from pathlib import Path

from exercises.course_modules import course_containing
from exercises.dlcheck import PASSED, LocalStudent, RecordingRef, from_jsonable, run_check
from exercises.model import get_exercises, reference_namespace


def run_hidden_checks(key: str, namespace: Mapping[str, Any], public_checks: Mapping[str, Any]) -> None:
    """Run every check (hidden and public) of exercise ``key`` on the functions in ``namespace``.

    The variants of the assignment's exercises come from ``public_checks``
    (``dlcheck.PUBLIC_CHECKS``, set by the notebook's dlcheck cell); the model
    answer is built for them from the exercise modules (the library's, and the
    course's own when the kernel runs inside a course folder, as nbgrader's
    autograde does). Raises AssertionError listing the failed checks: hidden
    ones by name and hint only, public ones with their message.
    """
    variants = {k: from_jsonable(v["params"]) for k, v in public_checks["exercises"].items()}
    if key not in variants:
        raise KeyError(f"the notebook's public checks have no exercise {key!r}: "
                       "its dlcheck cell belongs to another assignment")
    # a course's own exercises are found from the kernel's folder (autograded/ of the course)
    exercises = get_exercises(list(variants), course=course_containing(Path.cwd()))
    ref = reference_namespace([e.solution_cell(variants[e.key]) for e in exercises])
    failures = []
    exercise = exercises[list(variants).index(key)]
    for check in exercise.checks:
        fixtures = {"student": LocalStudent(namespace), "ref": RecordingRef(ref),
                    "params": variants[key]}
        outcome = run_check(check.function, fixtures)
        if outcome.status == PASSED:
            continue
        name = check.name.removeprefix("test_").replace("_", " ")
        detail = outcome.message if check.public else "(hidden check)"
        hint = outcome.hint if check.public else check.hint
        failures.append(f"  ✘ {name} ({check.points:g} pt): {detail}" + (f"\n      hint: {hint}" if hint else ""))
    if failures:
        raise AssertionError(f"{exercise.title}: {len(failures)} of {len(exercise.checks)} checks failed\n"
                             + "\n".join(failures))

