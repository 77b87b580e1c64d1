r"""Han & Kamber's worked backpropagation example: a 3-2-1 sigmoid network.

Units 1, 2, 3 are the inputs, 4 and 5 the hidden sigmoid units, 6 the sigmoid
output (COURSE_NOTES.md, section 6; 004's slides). Weights are named ``w{i}{j}``
for the connection from unit ``i`` to unit ``j`` and biases ``theta{j}``:

.. math::

    I_j = \sum_i w_{ij} O_i + \theta_j, \qquad O_j = \frac{1}{1 + e^{-I_j}}

    Err_6 = O_6 (1 - O_6)(T - O_6), \qquad
    Err_j = O_j (1 - O_j) \sum_k Err_k w_{jk}

    w_{ij} \leftarrow w_{ij} + l\, Err_j O_i, \qquad \theta_j \leftarrow \theta_j + l\, Err_j

All errors are computed with the old weights before any weight changes. ``Err_j``
is :math:`-\partial L / \partial I_j` for :math:`L = \tfrac12 (T - O_6)^2`, so the
update is one gradient-descent step with learning rate ``l``.

``backprop_step`` is an exercise's model answer; it uses only the stdlib and
:func:`textbook_forward` from this module.
"""

from __future__ import annotations

import math
from typing import Sequence

TEXTBOOK_EXAMPLE: dict = {
    "x": (1.0, 0.0, 1.0),
    "target": 1.0,
    "lr": 0.9,
    "params": {
        "w14": 0.2, "w15": -0.3, "w24": 0.4, "w25": 0.1, "w34": -0.5, "w35": 0.2,
        "w46": -0.3, "w56": -0.2, "theta4": -0.4, "theta5": 0.2, "theta6": 0.1,
    },
}
"""The slides' data: inputs x = (1, 0, 1), target T = 1, learning rate l = 0.9."""


def textbook_forward(x: "Sequence[float]", params: dict[str, float]) -> dict[str, float]:
    r"""Net inputs and outputs of units 4, 5 and 6.

    .. math::

        I_j = \sum_{i} w_{ij} O_i + \theta_j \ (O_i = x_i \text{ for } i = 1, 2, 3), \qquad
        O_j = \sigma(I_j) = \frac{1}{1 + e^{-I_j}}

    Parameters
    ----------
    x : sequence of 3 floats
        The inputs :math:`x_1, x_2, x_3` (outputs :math:`O_1, O_2, O_3`).
    params : dict
        The 11 weights and biases ``w14 w15 w24 w25 w34 w35 w46 w56 theta4 theta5 theta6``.

    Returns
    -------
    dict
        Keys ``"I4" "I5" "I6" "O4" "O5" "O6"`` to floats.
    """
    if len(x) != 3:
        raise ValueError(f"x must hold the 3 inputs x1, x2, x3, got {len(x)} values")
    names = ("w14", "w15", "w24", "w25", "w34", "w35", "w46", "w56", "theta4", "theta5", "theta6")
    missing = [name for name in names if name not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; it needs all of {list(names)}")
    O = {1: float(x[0]), 2: float(x[1]), 3: float(x[2])}
    I = {}
    for j, inputs in ((4, (1, 2, 3)), (5, (1, 2, 3)), (6, (4, 5))):
        I[j] = sum(params[f"w{i}{j}"] * O[i] for i in inputs) + params[f"theta{j}"]
        O[j] = 1.0 / (1.0 + math.exp(-I[j]))
    return {f"{kind}{j}": float(values[j]) for kind, values in (("I", I), ("O", O)) for j in (4, 5, 6)}


def backprop_step(
    x: "Sequence[float]", target: float, params: dict[str, float], lr: float
) -> tuple[dict[str, float], dict[int, float]]:
    r"""One backpropagation update of the 3-2-1 sigmoid network (Han & Kamber).

    .. math::

        Err_6 = O_6(1 - O_6)(T - O_6), \qquad
        Err_j = O_j(1 - O_j)\, Err_6\, w_{j6} \ (j = 4, 5)

        w_{ij} \leftarrow w_{ij} + l\, Err_j O_i, \qquad
        \theta_j \leftarrow \theta_j + l\, Err_j

    Every error uses the old weights (all errors first, then all updates).

    Parameters
    ----------
    x : sequence of 3 floats
        Inputs :math:`x_1, x_2, x_3`.
    target : float
        The target :math:`T` of the output unit 6.
    params : dict
        ``w14 w15 w24 w25 w34 w35 w46 w56 theta4 theta5 theta6`` to floats;
        not modified.
    lr : float
        The learning rate :math:`l`, > 0.

    Returns
    -------
    new_params : dict
        The updated weights and biases, same keys as ``params``.
    errors : dict
        ``{4: Err_4, 5: Err_5, 6: Err_6}``.
    """
    if not lr > 0:
        raise ValueError(f"the learning rate lr must be positive, got {lr}")
    values = textbook_forward(x, params)
    O = {1: float(x[0]), 2: float(x[1]), 3: float(x[2]), 4: values["O4"], 5: values["O5"], 6: values["O6"]}
    errors = {6: O[6] * (1 - O[6]) * (target - O[6])}
    for j in (4, 5):
        errors[j] = O[j] * (1 - O[j]) * errors[6] * params[f"w{j}6"]
    new_params = dict(params)
    for i, j in ((1, 4), (1, 5), (2, 4), (2, 5), (3, 4), (3, 5), (4, 6), (5, 6)):
        new_params[f"w{i}{j}"] = params[f"w{i}{j}"] + lr * errors[j] * O[i]
    for j in (4, 5, 6):
        new_params[f"theta{j}"] = params[f"theta{j}"] + lr * errors[j]
    return new_params, {j: errors[j] for j in (4, 5, 6)}


def textbook_table(
    x: "Sequence[float]", target: float, params: dict[str, float], lr: float
) -> dict[str, float]:
    r"""Every number of the worked example's three tables, for a numeric-answer exercise.

    .. math::

        I_j,\ O_j \ (j = 4, 5, 6), \qquad Err_j \ (j = 4, 5, 6), \qquad
        w_{ij} + l\, Err_j O_i, \qquad \theta_j + l\, Err_j

    Parameters
    ----------
    x, target, params, lr
        As for :func:`backprop_step`.

    Returns
    -------
    dict
        Keys ``I4 I5 I6 O4 O5 O6 Err4 Err5 Err6`` and the new values of
        ``w14 w15 w24 w25 w34 w35 w46 w56 theta4 theta5 theta6``, unrounded.
    """
    table = textbook_forward(x, params)
    new_params, errors = backprop_step(x, target, params, lr)
    table.update({f"Err{j}": errors[j] for j in (4, 5, 6)})
    table.update(new_params)
    return table
