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
MUTANTS_FAIR = sorted([k for k in LIBRARY if k.startswith("a2.")]
                      + ["a1.boolean_network", "a1.mp_thresholds", "a1.or_weights", "a1.perceptron", "a1.xor_network"]
                      + ["a1.perceptron_train", "a3.classification_losses", "a3.metrics", "a4.backprop_step",
                         "a4.forward_backward", "a4.vanishing", "a5.batching", "a5.diagnose_fit", "a5.preprocessing",
                         "a5.train"])
"""The exercises whose every audit mutant must cost the same on every variant (issue 12, item 2). Not a1.mp_neuron:
its model answer's input check mutated to reject inhibitory index 0 (no student is asked to write that check) costs
points only on the variants whose inhibitory inputs include 0."""
TRAINING_MUTANTS = {"a5.train": (
    "activation:flip_sign:1", "activation:flip_sign:2", "activation:mul_to_div:0", "activation:double_constant:0",
    "activation:double_constant:6", "activation:zero_constant:3", "activation:zero_constant:4",
    "activation:zero_constant:5", "backward:mul_to_div:1", "backward:double_constant:4", "backward:double_constant:6",
    "backward:double_constant:14", "backward:double_constant:15", "backward:zero_constant:6",
    "backward:zero_constant:7", "backward:zero_constant:15", "backward:zero_constant:16",
    "backward:double_constant:17", "mean_loss:double_constant:0", "train:mul_to_div:2", "train:swap_args:7")}
"""Exercises whose checks train networks: every mutant on 8 variants is half an hour of training, so only these
are judged, the mutants `grade audit a5 --variants 5` found costing different points on different variants
(an activation's slip charged only where the variant drew it, a slower or diverging run passing a threshold
on some data): each must now cost the same on every variant."""


def assignment_of(key: str) -> tuple[str, ...]:
    """Every bundled exercise of ``key``'s assignment (one exercise may call another's functions)."""
    return tuple(sorted(k for k, e in LIBRARY.items() if e.assignment == LIBRARY[key].assignment))


def on_variants(check) -> bool:
    """Does the check read the variant? One that does not judges the same inputs on every variant."""
    return "params" in inspect.signature(check.function).parameters


def points_lost(key: str, code: str, student: str, checks) -> float:
    """What the model answers with ``code`` run after them lose in ``checks`` of ``key`` on ``student``'s variant."""
    keys = assignment_of(key)
    params = variant(keys, student)
    cells = solution_cells(exercises_of(keys), params)
    judged = judge_in_process(LIBRARY[key], cells, cells + [code], params[key], checks=checks)
    assert judged is not None, f"{key}: judging took too long on {student}"
    return judged.points_lost


def lost_per_variant(key: str, code: str, checks) -> set[float]:
    """The points ``code`` loses in ``checks`` over the 50 variants. A check that does not read the variant
    judges the same inputs with the same instructor code on every variant: it is judged on the first only."""
    fixed = [c for c in checks if not on_variants(c)]
    drawn = [c for c in checks if on_variants(c)]
    once = points_lost(key, code, VARIANTS[0], fixed)
    return {once + points_lost(key, code, student, drawn) for student in VARIANTS}


def test_there_are_catalogued_mistakes_to_judge():
    """Do the a2 exercises with functions to get wrong declare their catalogued mistakes as code?"""
    assert {"a2.sigmoid", "a2.sigmoid_neuron", "a2.error", "a2.gradients", "a2.gradient_descent",
            "a2.grid_search", "a1.perceptron_train", "a3.classification_losses",
            "a3.metrics", "a5.diagnose_fit", "a4.vanishing", "a4.backprop_step",
            "a5.batching", "a1.mp_neuron"} <= set(WITH_MISTAKES)


@pytest.mark.parametrize("key", WITH_MISTAKES)
def test_each_catalogued_mistake_costs_the_same_on_every_variant(key):
    """Does every catalogued mistake of the exercise lose points, and the same points on each of 50 variants?"""
    unfair = {}
    for description, code in LIBRARY[key].module.MISTAKE_CODE.items():
        lost = lost_per_variant(key, code, LIBRARY[key].checks)
        if len(lost) != 1 or 0.0 in lost:
            unfair[description] = sorted(lost)
    assert not unfair, f"{key}: points lost over {len(VARIANTS)} variants (must be one value, above 0): {unfair}"


@pytest.mark.parametrize("key", MUTANTS_FAIR)
def test_each_audit_mutant_costs_the_same_on_every_variant(key):
    """Does every mutant the audit makes of the model answer lose the same points on each of 8 variants?"""
    exercises = exercises_of(assignment_of(key))
    position = [e.key for e in exercises].index(key)
    notebooks = audit_variants(exercises, SECRET, 8)
    unfair = {}
    for mutant in _mutants_by_exercise(exercises, notebooks[0])[position]:
        if key in TRAINING_MUTANTS and mutant.id not in TRAINING_MUTANTS[key]:
            continue
        lost = set()
        for notebook in notebooks:
            cells = mutant_cells(notebook.cells, position + 1, mutant)
            judged = cells and judge_in_process(exercises[position], notebook.cells, cells, notebook.params[key])
            lost.add(judged.points_lost if judged else 0.0)
        if len(lost) != 1:
            unfair[mutant.id] = sorted(lost)
    assert not unfair, f"{key}: points lost over 8 variants: {unfair}"


@pytest.mark.parametrize("key", WITH_MISTAKES)
def test_public_checks_catch_each_catalogued_mistake_on_every_variant(key):
    """Does every catalogued mistake the public checks test (all but HIDDEN_ONLY) fail a public check on
    each of 50 variants, with no coincidence in the public data (two points, a symmetric input) letting it pass?"""
    exercise = LIBRARY[key]
    hidden_only = getattr(exercise.module, "HIDDEN_ONLY", {})
    assert set(hidden_only) <= set(exercise.module.MISTAKE_CODE), f"{key}: HIDDEN_ONLY names unknown mistakes"
    passed = {}
    for description, code in exercise.module.MISTAKE_CODE.items():
        if description not in hidden_only and 0.0 in lost_per_variant(key, code, exercise.public_checks):
            passed[description] = "passes every public check on some variant"
    assert not passed, f"{key}: catalogued mistakes the public checks let through: {passed}"
