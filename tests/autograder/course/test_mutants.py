"""The mutation operators of ``grade audit`` (autograder/course/mutants.py)."""
import numpy as np
import pytest

from autograder.course.mutants import OPERATOR_NAMES, apply, mutants_of, operator_named

CASES = [
    # operator, function body (after the def line), the site's expected mutation (body after)
    ("flip_sign", "return -x", "return x"),
    ("flip_sign", "return x + 1", "return -(x + 1)"),
    ("add_to_sub", "return x + y", "return x - y"),
    ("sub_to_add", "return x - y", "return x + y"),
    ("mul_to_div", "return x * y", "return x / y"),
    ("div_to_mul", "return x / y", "return x * y"),
    ("sum_mean", "return np.sum(x)", "return np.mean(x)"),
    ("sum_mean", "return x.mean()", "return x.sum()"),
    ("double_constant", "return 0.5 * x", "return 1.0 * x"),
    ("drop_constant", "return 3 * x", "return 1 * x"),
    ("zero_constant", "return x + 2", "return x + 0"),
    ("change_axis", "return np.sum(x, axis=0)", "return np.sum(x, axis=1)"),
    ("change_axis", "return np.sum(x, axis=1)", "return np.sum(x, axis=0)"),
    ("remove_transpose", "return x.T @ y", "return x @ y"),
    ("add_transpose", "return x @ y", "return x.T @ y"),
    ("add_transpose", "return np.dot(x, y)", "return np.dot(x.T, y)"),
    ("bound_plus_one", "return [i for i in range(y)]", "return [i for i in range(y + 1)]"),
    ("bound_minus_one", "return x[1:y]", "return x[1:y - 1]"),
    ("swap_args", "return np.dot(x, y)", "return np.dot(y, x)"),
    ("remove_clip", "return np.clip(x, 0, 1)", "return x"),
    ("remove_clip", "return np.maximum(x, 0)", "return x"),
    ("remove_max_subtraction", "return np.exp(x - x.max())", "return np.exp(x)"),
    ("remove_max_subtraction", "return np.exp(x - np.max(x, axis=1))", "return np.exp(x)"),
]


@pytest.mark.parametrize("operator, body, expected", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_operator_makes_the_expected_change(operator, body, expected):
    """Does each operator turn its first site in a small function into the expected mistake?"""
    source = f'def f(x, y=2):\n    """Doc 2."""\n    {body}\n'
    assert apply(source, operator_named(operator), 0) == f'def f(x, y=2):\n    """Doc 2."""\n    {expected}'


def test_every_operator_has_a_case():
    """Is every operator of the catalogue covered by a case above?"""
    assert set(OPERATOR_NAMES) == {case[0] for case in CASES}


def test_docstring_is_never_mutated():
    """Are constants in the docstring (a number written in it) left alone?"""
    assert apply('def f(x):\n    """2"""\n    return x\n', operator_named("double_constant"), 0) is None


def test_mutants_are_distinct_runnable_and_differ_from_the_model():
    """Are the mutants of a function distinct, different from it, and valid Python that behaves differently?"""
    source = "def mean_square(x):\n    return np.mean(np.asarray(x) ** 2, axis=0)\n"
    found = mutants_of(source)
    assert len({m.source for m in found}) == len(found) > 5
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    model: dict = {"np": np}
    exec(source, model)
    behaving_differently = 0
    for mutant in found:
        namespace: dict = {"np": np}
        exec(mutant.source, namespace)
        assert mutant.diff.startswith("--- mean_square (model answer)")
        try:
            got = namespace["mean_square"](x)
        except Exception:
            behaving_differently += 1
            continue
        behaving_differently += not (np.shape(got) == np.shape(model["mean_square"](x))
                                     and np.allclose(got, model["mean_square"](x)))
    assert behaving_differently >= len(found) - 1


def test_unknown_operator_names_the_known_ones():
    """Does asking for an unknown operator list the known ones?"""
    with pytest.raises(KeyError, match="swap_args"):
        operator_named("nope")
