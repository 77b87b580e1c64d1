r"""The chain rule on a graph: sum over paths of the product of local derivatives.

COURSE_NOTES.md section 6, 003's "chain of derivation": the derivative of a
variable with respect to another is the sum, over every path between them, of
the product of the local derivatives along the path.

``path_derivative`` is an exercise's model answer (stdlib only).
"""

from __future__ import annotations

from typing import Hashable, Mapping

Edges = Mapping[tuple[Hashable, Hashable], float]


def path_derivative(edges: "Edges", source: "Hashable", target: "Hashable") -> float:
    r"""Total derivative of ``target`` with respect to ``source`` on a DAG.

    .. math::

        \frac{\partial\, \text{target}}{\partial\, \text{source}}
        = \sum_{p \,\in\, \text{paths}(\text{source} \to \text{target})}
          \ \prod_{(u, v) \in p} \frac{\partial v}{\partial u}

    Computed in topological order: :math:`D(\text{source}) = 1` and
    :math:`D(v) = \sum_{(u, v)} D(u)\, \partial v / \partial u`, which equals the
    sum over paths without listing them.

    Parameters
    ----------
    edges : mapping {(u, v): float}
        One entry per edge ``u → v`` ("v depends directly on u") with the local
        derivative :math:`\partial v / \partial u` at the point of interest.
    source, target : hashable
        Nodes of the graph (each must appear in some edge).

    Returns
    -------
    float
        The sum over all paths; 0.0 when there is no path, 1.0 when
        ``source == target``.

    Raises
    ------
    ValueError
        If an edge key is not a pair, a node is unknown, or the graph has a cycle.
    """
    successors = {}  # node -> [(successor, local derivative)]
    indegree = {}  # node -> number of incoming edges
    for edge, local in edges.items():
        if not (isinstance(edge, tuple) and len(edge) == 2):
            raise ValueError(f"edge keys must be pairs (u, v), got {edge!r}")
        u, v = edge
        successors.setdefault(u, []).append((v, float(local)))
        successors.setdefault(v, [])
        indegree[v] = indegree.get(v, 0) + 1
        indegree.setdefault(u, 0)
    for name, node in (("source", source), ("target", target)):
        if node not in successors:
            raise ValueError(f"{name} {node!r} is not a node of the graph; nodes: {sorted(map(repr, successors))}")
    # Kahn's algorithm: the topological order, or a cycle if some node is never freed
    order = [node for node, d in indegree.items() if d == 0]
    for node in order:
        for v, _ in successors[node]:
            indegree[v] -= 1
            if indegree[v] == 0:
                order.append(v)
    if len(order) != len(successors):
        cyclic = sorted(repr(node) for node, d in indegree.items() if d > 0)
        raise ValueError(f"the graph has a cycle through {cyclic}; the chain rule needs a DAG")
    total = {node: 0.0 for node in successors}
    total[source] = 1.0
    for node in order:
        for v, local in successors[node]:
            total[v] += total[node] * local
    return total[target]


def notes_example(t: float) -> "Edges":
    r"""003's example graph at the point ``t``: ``t → u → z`` and ``t → y → z``.

    With the concrete choices :math:`u = t^2`, :math:`y = 3t`, :math:`z = u y`:

    .. math::

        \frac{\partial z}{\partial t} = \frac{\partial z}{\partial u}\frac{\partial u}{\partial t}
        + \frac{\partial z}{\partial y}\frac{\partial y}{\partial t}
        = (3t)(2t) + (t^2)(3) = 9t^2 = \frac{d}{dt}\, 3t^3

    Parameters
    ----------
    t : float
        The point at which the local derivatives are evaluated.

    Returns
    -------
    dict {(u, v): float}
        Edges ``("t", "u")``, ``("t", "y")``, ``("u", "z")``, ``("y", "z")``.
    """
    u, y = t**2, 3.0 * t
    return {("t", "u"): 2.0 * t, ("t", "y"): 3.0, ("u", "z"): y, ("y", "z"): u}
