"""Tests for reference.chain_rule: the sum-over-paths chain rule."""

from __future__ import annotations

import inspect
import math

import pytest

from reference.chain_rule import notes_example, path_derivative


@pytest.mark.parametrize("t", [-1.5, 0.3, 2.0])
def test_notes_example_matches_the_derivative_of_3t_cubed(t):
    """Does the two-path graph of 003 give dz/dt = 9t², the derivative of z = 3t³?"""
    assert path_derivative(notes_example(t), "t", "z") == pytest.approx(9 * t**2)


def test_graph_of_a_composite_function_matches_a_finite_difference():
    """Does the sum over three paths equal a finite difference of f(x) = sin(x)·x² + eˣ?"""
    x = 0.7
    a, b, c = math.sin(x), x**2, math.exp(x)  # f = a·b + c
    edges = {("x", "a"): math.cos(x), ("x", "b"): 2 * x, ("x", "c"): c,
             ("a", "f"): b, ("b", "f"): a, ("c", "f"): 1.0}
    f = lambda s: math.sin(s) * s**2 + math.exp(s)  # noqa: E731
    h = 1e-6
    assert path_derivative(edges, "x", "f") == pytest.approx((f(x + h) - f(x - h)) / (2 * h), rel=1e-8)


def test_paths_are_multiplied_and_summed():
    """Is a diamond with a shortcut 2·3 + 5·7 + 11 = 52?"""
    edges = {("s", "p"): 2.0, ("p", "t"): 3.0, ("s", "q"): 5.0, ("q", "t"): 7.0, ("s", "t"): 11.0}
    assert path_derivative(edges, "s", "t") == pytest.approx(52.0)


def test_no_path_is_zero_and_self_is_one():
    """Is the derivative 0 without a path and 1 of a node with respect to itself?"""
    edges = {("a", "b"): 2.0, ("c", "b"): 3.0}
    assert path_derivative(edges, "a", "c") == 0.0
    assert path_derivative(edges, "b", "b") == 1.0


@pytest.mark.parametrize(
    "edges, source, target",
    [
        ({("a", "b"): 1.0, ("b", "a"): 1.0}, "a", "b"),
        ({("a", "b"): 1.0}, "a", "z"),
        ({("a",): 1.0}, "a", "a"),
    ],
)
def test_bad_graphs_raise_value_error(edges, source, target):
    """Are a cycle, an unknown node and a malformed edge rejected with ValueError?"""
    with pytest.raises(ValueError):
        path_derivative(edges, source, target)


def test_solution_runs_from_its_source_alone():
    """Does path_derivative work when its source is copied into an empty namespace?"""
    namespace: dict = {}
    exec(inspect.getsource(path_derivative), namespace)
    assert namespace["path_derivative"](notes_example(2.0), "t", "z") == pytest.approx(36.0)
