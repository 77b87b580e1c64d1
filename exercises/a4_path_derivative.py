"""a4 · The chain rule on a graph: the sum over paths of the products of local derivatives."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close
from exercises.model import RedrawVariant
from reference import chain_rule

ASSIGNMENT = "a4"
TITLE = "The chain rule as a sum over paths"
CONCEPT = "multivariate chain rule, computational graphs, topological order"
SOLUTION = [chain_rule.path_derivative]

MISTAKE_CODE = {
    "local derivatives divided": "_right_path_derivative = path_derivative\n\n\n"
        "def path_derivative(edges, source, target):\n"
        "    return _right_path_derivative({e: 1 / d for e, d in edges.items()}, source, target)\n",
    "every node starts at 1": """def path_derivative(edges, source, target):
    memo = {}

    def D(v):
        if v not in memo:
            memo[v] = 1.0 + sum(D(u) * d for (u, w), d in edges.items() if w == v)
        return memo[v]
    return D(target)
""",
}
"""Classic mistakes of the accumulation D(v) = Σ D(u)·∂v/∂u, as code (judged on every variant by test_fairness)."""


def draw_graph(rng: np.random.Generator) -> list:
    """A layered DAG x → {a, b} → {c, d} → y with a skip edge, as [[u, v, ∂v/∂u], ...].

    Local derivatives have one decimal, |value| in [0.3, 2]; each graph has 3 to 7 paths.
    """
    edges = [["x", "a"], ["x", "b"]]
    edges += [[u, v] for u in "ab" for v in "cd" if rng.random() < 0.75]
    edges += [["c", "y"], ["d", "y"]]
    edges.append([["x", "c"], ["a", "y"], ["b", "d"]][int(rng.integers(3))])
    edges = [list(e) for e in {tuple(e) for e in edges}]  # the skip edge may repeat one
    edges.sort(key=lambda e: "xabcdy".index(e[0]) * 6 + "xabcdy".index(e[1]))
    for edge in edges:
        edge.append(float(np.round(rng.uniform(0.3, 2.0), 1) * rng.choice([-1, 1])))
    paths = _paths({(u, v): d for u, v, d in edges}, "x", "y")
    total = sum(np.prod(p) for p in paths)
    if not 3 <= len(paths) <= 7 or abs(total) < 0.1 or any(abs(total - np.prod(p)) < 0.05 for p in paths):
        raise RedrawVariant("too few paths, or the total is near 0 or equals one path's product")
    return edges


def params(rng: np.random.Generator) -> dict:
    return {"edges": draw_graph(rng)}


def _paths(edges: dict, source, target) -> list:
    """Every path from source to target, as the list of its local derivatives."""
    if source == target:
        return [[]]
    return [[d] + rest for (u, v), d in edges.items() if u == source for rest in _paths(edges, v, target)]


def prompt(params: dict) -> str:
    listing = ",\n".join(f"    ({u!r}, {v!r}): {d}" for u, v, d in params["edges"])
    return f"""\
In a computational graph every node depends directly on a few others. The **chain rule**
says how a change at one node reaches another: multiply the local derivatives along a path,
and **add over all paths**

$$\\frac{{\\partial\\, \\text{{target}}}}{{\\partial\\, \\text{{source}}}} = \\sum_{{\\text{{paths}}}} \\ \\prod_{{(u, v) \\in \\text{{path}}}} \\frac{{\\partial v}}{{\\partial u}}$$

Example from the notes: $u = t^2$, $y = 3t$, $z = u\\,y$. Two paths lead from t to z, so
$\\partial z/\\partial t = \\frac{{\\partial z}}{{\\partial u}}\\frac{{\\partial u}}{{\\partial t}} + \\frac{{\\partial z}}{{\\partial y}}\\frac{{\\partial y}}{{\\partial t}}
= (3t)(2t) + (t^2)(3) = 9t^2$.

Implement `path_derivative(edges, source, target)`. `edges` is a dict `{{(u, v): ∂v/∂u}}`, one entry
per edge u → v, holding the local derivative at the point of interest; the edges come in any
order. Return the total derivative as a float: 1.0 when `source == target`, 0.0 when no path
joins them. Backpropagation computes the same sum without listing the paths: visit the nodes
in topological order and accumulate $D(v) = \\sum_{{(u, v)}} D(u)\\, \\partial v/\\partial u$ from $D(\\text{{source}}) = 1$.

**Your graph** (the derivative of `"y"` with respect to `"x"`):

```
edges = {{
{listing},
}}
```
"""


@pytest.mark.points(1)
def test_the_notes_example(student):
    t = 2.0
    edges = {("t", "u"): 2 * t, ("t", "y"): 3.0, ("u", "z"): 3 * t, ("y", "z"): t**2}
    expect_close(student.path_derivative(edges, "t", "z"), 9 * t**2, what="∂z/∂t for z = t²·3t at t = 2",
                 mistakes={"Only one path is counted: add the products of every path.": (3 * t) * (2 * t)})


@pytest.mark.points(2)
def test_your_graph(student, ref, params):
    edges = {(u, v): d for u, v, d in params["edges"]}
    expect_close(student.path_derivative(edges, "x", "y"), ref.path_derivative(edges, "x", "y"),
                 what="∂y/∂x on your graph",
                 hint="Multiply the local derivatives along each path from x to y, then add the paths' products.")


def _accumulated(edges: dict, source, target, *, every_node_starts_at_one: bool = False,
                 divided: bool = False) -> float:
    """D(target) of the accumulation D(v) = start(v) + Σ_(u, v) D(u)·∂v/∂u written otherwise: every node
    starting at 1 (not the source only), or each local derivative divided instead of multiplied."""
    memo: dict = {}

    def D(v) -> float:
        if v not in memo:
            start = 1.0 if every_node_starts_at_one or v == source else 0.0
            memo[v] = start + sum(D(u) / d if divided else D(u) * d for (u, w), d in edges.items() if w == v)
        return memo[v]
    return D(target)


def path_mistakes(edges: dict, source, target) -> dict:
    """Hint -> the derivative each known mistake gives on this graph (instructor code)."""
    paths = _paths(edges, source, target)
    return {"Only one path is counted: add the products of every path.": np.prod(max(paths, key=len)),
            "Along a path multiply the local derivatives; add only across paths.": sum(np.sum(p) for p in paths),
            "The local derivatives are divided along a path: D(v) += D(u)·∂v/∂u multiplies them.":
                _accumulated(edges, source, target, divided=True),
            "Every node's sum starts at 1: only D(source) = 1, the other nodes start at 0.":
                _accumulated(edges, source, target, every_node_starts_at_one=True)}


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Visit the nodes in topological order (not in the order of the edges), "
                         "or sum the products over every path.")
def test_another_graph_in_scrambled_order(student, params):
    rng = np.random.default_rng(len(params["edges"]) * 1000 + int(abs(params["edges"][0][2]) * 10))
    for _ in range(100):
        try:
            drawn = draw_graph(rng)
            break
        except RedrawVariant:
            continue
    order = rng.permutation(len(drawn))[::-1]
    edges = {(drawn[i][0], drawn[i][1]): drawn[i][2] for i in order}
    expect_close(student.path_derivative(edges, "x", "y"), chain_rule.path_derivative(edges, "x", "y"),
                 what="the derivative on another graph", mistakes=path_mistakes(edges, "x", "y"))


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Any hashable node names work; a node's derivative with respect to itself is 1, "
                         "and 0 when no path joins the two nodes.")
def test_edge_cases(student):
    chain = {(3, 2): 0.5, (1, 2): -3.0, (0, 1): 2.0, (0, 3): 4.0, (2, 4): 1.5}
    expect_close(student.path_derivative(chain, 0, 4), chain_rule.path_derivative(chain, 0, 4),
                 what="the derivative on a graph of numbered nodes", mistakes=path_mistakes(chain, 0, 4))
    expect_close(student.path_derivative(chain, 2, 2), 1.0, what="the derivative of a node with respect to itself")
    expect_close(student.path_derivative(chain, 1, 3), 0.0, what="the derivative between unconnected nodes")
