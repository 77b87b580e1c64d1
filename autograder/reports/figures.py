"""Plot data that exercises collect while grading, for the feedback pages.

An exercise module may define ``figures(student, ref, params) -> list[dict]``;
the engine calls it after the checks (student calls go through the worker as
usual) and stores the returned plain data in ``results.json``. A figure is one
of these shapes (lists of floats only, so it is JSON):

``{"kind": "lines", "exercise": key, "title": str, "xlabel": str, "ylabel": str,
   "series": [{"label": str, "x": [...], "y": [...], "style": "student" | "reference"}]}``
    curves side by side, e.g. the student's activation next to the reference,
    or the student's loss curve of gradient descent;

``{"kind": "surface", "exercise": key, "title": str, "xlabel": str, "ylabel": str,
   "x": [...], "y": [...], "z": [[...]], "paths": [{"label": str, "x": [...], "y": [...]}]}``
    a contour plot (z[i][j] at x[j], y[i]) with paths drawn over it, e.g. the
    error surface L(w, b) with the student's gradient-descent path.

Figures are for illustration only: a figure that fails to collect is left out,
never a reason to lose a point.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

MAX_POINTS_PER_SERIES = 2_000


def as_list(values: Any) -> list[float] | None:
    """Finite floats as a list (None when the values are unusable), capped in length."""
    try:
        array = np.asarray(values, dtype=float).ravel()[:MAX_POINTS_PER_SERIES]
    except (TypeError, ValueError):
        return None
    return [v if math.isfinite(v) else None for v in array.tolist()]


def usable_curves(curves: list[dict]) -> list[dict]:
    """The curves whose x and y read as numbers of equal length, as lists; the others are dropped."""
    kept = []
    for curve in curves:
        x, y = as_list(curve["x"]), as_list(curve["y"])
        if x is not None and y is not None and len(x) == len(y):
            kept.append({**curve, "x": x, "y": y})
    return kept


def lines(exercise: str, title: str, xlabel: str, ylabel: str, series: list[dict]) -> dict:
    """A "lines" figure; series with unusable values are dropped."""
    return {"kind": "lines", "exercise": exercise, "title": title, "xlabel": xlabel,
            "ylabel": ylabel, "series": usable_curves(series)}


def surface(exercise: str, title: str, xlabel: str, ylabel: str, x: Any, y: Any, z: Any,
            paths: list[dict]) -> dict:
    """A "surface" figure with paths over it."""
    grid = np.asarray(z, dtype=float)
    return {"kind": "surface", "exercise": exercise, "title": title, "xlabel": xlabel,
            "ylabel": ylabel, "x": as_list(x), "y": as_list(y),
            "z": [as_list(row) for row in grid], "paths": usable_curves(paths)}
