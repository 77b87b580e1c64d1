"""The same mistake costs the same on every variant (issue 12, item 2).

Each exercise's catalogued mistakes (``MISTAKE_CODE``, wrong versions of its model answer) and, for a2,
the audit's mutants are judged against the checks on many variants, in this process (instructor
code on both sides, as the audit's equivalence judgement does): the points each one loses must not
depend on the variant.
"""
from __future__ import annotations

import inspect

import pytest

from autograder.course.audit import _mutants_by_exercise, audit_variants, judge_in_process, mutant_cells
from exercises.model import library_exercises
from exercises.verify import solution_cells
from tests.exercises import SECRET, STUDENTS, exercises_of, variant

LIBRARY = library_exercises()
WITH_MISTAKES = sorted(key for key, e in LIBRARY.items() if getattr(e.module, "MISTAKE_CODE", None))
VARIANTS = STUDENTS[:50]


def assignment_of(key: str) -> tuple[str, ...]:
    """Every bundled exercise of ``key``'s assignment (one exercise may call another's functions)."""
    return tuple(sorted(k for k, e in LIBRARY.items() if e.assignment == LIBRARY[key].assignment))


def on_variants(check) -> bool:
    """Does the check read the variant? One that does not judges the same inputs on every variant."""
    return "params" in inspect.signature(check.function).parameters


def points_lost(key: str, code: str, student: str, *, first: bool) -> float:
    """What the model answers with ``code`` run after them lose in ``key``'s checks on ``student``'s
    variant: every check on the ``first`` variant, afterwards only the checks that read the variant
    (the others lose the same on every variant: only instructor code and fixed inputs)."""
    keys = assignment_of(key)
    params = variant(keys, student)
    cells = solution_cells(exercises_of(keys), params)
    exercise = LIBRARY[key]
    checks = exercise.checks if first else [c for c in exercise.checks if on_variants(c)]
    judged = judge_in_process(exercise, cells, cells + [code], params[key], checks=checks)
    assert judged is not None, f"{key}: judging took too long on {student}"
    return judged.points_lost


def test_there_are_catalogued_mistakes_to_judge():
    """Do the a2 exercises with functions to get wrong declare their catalogued mistakes as code?"""
    assert {"a2.sigmoid", "a2.sigmoid_neuron", "a2.error", "a2.gradients", "a2.gradient_descent",
            "a2.grid_search"} <= set(WITH_MISTAKES)


@pytest.mark.parametrize("key", WITH_MISTAKES)
def test_each_catalogued_mistake_costs_the_same_on_every_variant(key):
    """Does every catalogued mistake of the exercise lose points, and the same points on each of 50 variants?"""
    unfair = {}
    for description, code in LIBRARY[key].module.MISTAKE_CODE.items():
        fixed = points_lost(key, code, VARIANTS[0], first=True) - points_lost(key, code, VARIANTS[0], first=False)
        lost = {fixed + points_lost(key, code, student, first=False) for student in VARIANTS}
        if len(lost) != 1 or 0.0 in lost:
            unfair[description] = sorted(lost)
    assert not unfair, f"{key}: points lost over {len(VARIANTS)} variants (must be one value, above 0): {unfair}"


@pytest.mark.parametrize("key", sorted(k for k in LIBRARY if k.startswith("a2.")))
def test_each_audit_mutant_of_a2_costs_the_same_on_every_variant(key):
    """Does every mutant the audit makes of an a2 model answer lose the same points on each of 8 variants?"""
    exercises = exercises_of(assignment_of(key))
    position = [e.key for e in exercises].index(key)
    notebooks = audit_variants(exercises, SECRET, 8)
    unfair = {}
    for mutant in _mutants_by_exercise(exercises, notebooks[0])[position]:
        lost = set()
        for notebook in notebooks:
            cells = mutant_cells(notebook.cells, position + 1, mutant)
            judged = cells and judge_in_process(exercises[position], notebook.cells, cells, notebook.params[key])
            lost.add(judged.points_lost if judged else 0.0)
        if len(lost) != 1:
            unfair[mutant.id] = sorted(lost)
    assert not unfair, f"{key}: points lost over 8 variants: {unfair}"
