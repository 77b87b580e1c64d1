"""PNG pictures for the feedback pages and the class report.

Draws the plot data of :mod:`autograder.reports.figures` ("lines" and "surface") and
the class report's two charts (score histogram, per-exercise pass rates) with
matplotlib's Agg canvas, set explicitly: no pyplot, no display, no global
backend state, so it is safe in worker pools and on headless machines.

Every picture is small (6 × 4 in at 100 dpi unless it needs more rows) and
uses the Okabe–Ito colour-blind-safe palette, with line styles and markers
that tell the series apart without colour. A figure whose data cannot be
drawn (empty, all NaN, mismatched shapes) raises :class:`NoPlot` with the
reason; callers show that note instead of the picture.
"""
from __future__ import annotations

import io
import math
from typing import Any, Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SIZE = (6.0, 4.0)
"""Inches; at :data:`DPI` a 600 × 400 pixel picture."""
DPI = 100
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
"""Okabe & Ito's palette, distinguishable with every common colour-vision deficiency."""
STUDENT_STYLE = {"color": "#D55E00", "linestyle": "-", "linewidth": 2.2, "marker": "o",
                 "markersize": 3.5, "markevery": 0.08}
REFERENCE_STYLE = {"color": "#0072B2", "linestyle": "--", "linewidth": 1.8}
SURFACE_COLORMAP = "viridis"
"""Perceptually uniform and colour-blind safe; paths are drawn in white-edged vermillion over it."""


class NoPlot(Exception):
    """A figure's data cannot be drawn; the message says why (shown in place of the picture)."""


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _floats(values: Any) -> np.ndarray:
    """A 1-D float array with None and non-numbers as NaN (never raises)."""
    if values is None:
        return np.array([], dtype=float)
    out = []
    for value in np.ravel(np.asarray(values, dtype=object)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        out.append(number)
    return np.asarray(out, dtype=float)


def _canvas(size: tuple[float, float] = SIZE) -> tuple[Figure, Any]:
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _label(axes: Any, spec: dict, default_title: str) -> None:
    axes.set_title(str(spec.get("title") or default_title), fontsize=11)
    axes.set_xlabel(str(spec.get("xlabel") or ""))
    axes.set_ylabel(str(spec.get("ylabel") or ""))


# --------------------------------------------------------------------------
# Figures collected while grading
# --------------------------------------------------------------------------
def lines_png(spec: dict) -> bytes:
    """The student's curve(s) against the reference's: a "lines" figure as PNG bytes.

    Series with ``"style": "student"`` are solid vermillion with dots, the
    reference's dashed blue; other series take the next palette colour. Non-finite
    points leave gaps. Raises :class:`NoPlot` when no series has a finite point.
    """
    figure, axes = _canvas()
    drawn = 0
    others = iter(OKABE_ITO[2:])
    for series in spec.get("series") or ():
        x, y = _floats(series.get("x")), _floats(series.get("y"))
        if len(x) != len(y) or not np.any(np.isfinite(x) & np.isfinite(y)):
            continue
        style = series.get("style")
        look = (STUDENT_STYLE if style == "student" else REFERENCE_STYLE if style == "reference"
                else {"color": next(others, "#000000"), "linestyle": ":", "linewidth": 1.8})
        default = {"student": "your answer", "reference": "reference"}.get(style, "series")
        axes.plot(x, y, label=str(series.get("label") or default), **look)
        drawn += 1
    if not drawn:
        raise NoPlot("no curve has a finite point to draw")
    _label(axes, spec, "Your answer and the reference")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=9, framealpha=0.9)
    return _png(figure)


def surface_png(spec: dict) -> bytes:
    r"""The error surface :math:`L(x, y)` as filled contours with the paths over it.

    ``z[i][j]`` is the value at ``(x[j], y[i])``, so ``z`` has shape
    ``(len(y), len(x))``. Each path starts at a circle and ends at a cross. Raises
    :class:`NoPlot` when the grid is smaller than 2 × 2, has the wrong shape or
    holds no finite value.
    """
    x, y = _floats(spec.get("x")), _floats(spec.get("y"))
    rows = spec.get("z") or []
    grid = np.full((len(rows), len(x)), np.nan)
    for i, row in enumerate(rows):
        values = _floats(row)
        if len(values) != len(x):
            raise NoPlot(f"surface row {i} has {len(values)} values for {len(x)} x positions")
        grid[i] = values
    if len(x) < 2 or len(y) < 2 or grid.shape != (len(y), len(x)):
        raise NoPlot(f"surface grid is {grid.shape[0]} × {grid.shape[1]} for {len(y)} × {len(x)} "
                     "positions (needs matching shapes, at least 2 × 2)")
    finite = np.isfinite(grid)
    if not finite.any() or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise NoPlot("the surface has no finite values to draw")
    figure, axes = _canvas()
    masked = np.ma.masked_invalid(grid)
    low, high = float(masked.min()), float(masked.max())
    if high > low:
        filled = axes.contourf(x, y, masked, levels=20, cmap=SURFACE_COLORMAP)
        axes.contour(x, y, masked, levels=10, colors="white", linewidths=0.5, alpha=0.6)
        figure.colorbar(filled, ax=axes, label=str(spec.get("zlabel") or "value"))
    else:
        axes.set_facecolor("#e8e8e8")
        axes.text(0.5, 0.97, f"flat surface: {low:.4g} everywhere", transform=axes.transAxes,
                  ha="center", va="top", fontsize=9)
    outline = [patheffects.withStroke(linewidth=3.5, foreground="white")]
    colours = iter(("#D55E00", "#CC79A7", "#E69F00", "#000000"))
    for path in spec.get("paths") or ():
        px, py = _floats(path.get("x")), _floats(path.get("y"))
        keep = np.isfinite(px) & np.isfinite(py) if len(px) == len(py) else np.zeros(0, bool)
        if not keep.any():
            continue
        px, py = px[keep], py[keep]
        colour = next(colours, "#000000")
        label = str(path.get("label") or "path")
        axes.plot(px, py, color=colour, linewidth=2, marker=".", markersize=4,
                  path_effects=outline, label=label)
        axes.plot(px[0], py[0], "o", color=colour, markersize=9, markeredgecolor="white",
                  markeredgewidth=1.5, label=f"{label}: start")
        axes.plot(px[-1], py[-1], "X", color=colour, markersize=11, markeredgecolor="white",
                  markeredgewidth=1.5, label=f"{label}: end")
    axes.set_xlim(float(x.min()), float(x.max()))
    axes.set_ylim(float(y.min()), float(y.max()))
    _label(axes, spec, "Error surface")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return _png(figure)


def figure_png(spec: dict) -> bytes:
    """Any figure of :mod:`autograder.reports.figures` as PNG bytes; :class:`NoPlot` if it cannot be drawn."""
    kind = spec.get("kind") if isinstance(spec, dict) else None
    draw = {"lines": lines_png, "surface": surface_png}.get(kind)  # type: ignore[arg-type]
    if draw is None:
        raise NoPlot(f"unknown figure kind {kind!r}")
    try:
        return draw(spec)
    except NoPlot:
        raise
    except Exception as err:  # illustration only: a bad figure never breaks a page
        raise NoPlot(f"the figure could not be drawn ({type(err).__name__}: {err})") from err


def alt_text(spec: dict) -> str:
    """A sentence describing a figure for screen readers and when images are off."""
    title = str(spec.get("title") or "figure")
    axes = f"{spec.get('ylabel') or 'y'} against {spec.get('xlabel') or 'x'}"
    if spec.get("kind") == "lines":
        names = ", ".join(str(s.get("label") or s.get("style") or "series")
                          for s in spec.get("series") or ())
        return f"Line plot “{title}”: {axes}; curves: {names or 'none'}."
    if spec.get("kind") == "surface":
        names = ", ".join(str(p.get("label") or "path") for p in spec.get("paths") or ())
        return (f"Contour plot “{title}” over {spec.get('xlabel') or 'x'} and "
                f"{spec.get('ylabel') or 'y'}; paths drawn over it, start circled, end crossed: "
                f"{names or 'none'}.")
    return f"Figure “{title}”."


# --------------------------------------------------------------------------
# Class report
# --------------------------------------------------------------------------
def histogram_png(edges: Sequence[float], counts: Sequence[int], max_points: float,
                  mean: float | None = None) -> bytes:
    """Bars of ``counts`` between ``edges`` (``len(edges) == len(counts) + 1``), full marks and mean marked."""
    edges_array, counts_array = _floats(edges), _floats(counts)
    if len(counts_array) == 0 or len(edges_array) != len(counts_array) + 1 \
            or not np.isfinite(edges_array).all():
        raise NoPlot("no scores to draw")
    figure, axes = _canvas()
    axes.bar(edges_array[:-1], np.nan_to_num(counts_array), width=np.diff(edges_array), align="edge",
             color="#56B4E9", edgecolor="#0072B2", linewidth=1)
    if math.isfinite(max_points):
        axes.axvline(max_points, color="#D55E00", linestyle="--", linewidth=2,
                     label=f"max points: {max_points:g}")
    if mean is not None and math.isfinite(mean):
        axes.axvline(mean, color="#000000", linestyle=":", linewidth=2, label=f"mean: {mean:.3g}")
    right = max(float(edges_array[-1]), max_points if math.isfinite(max_points) else 0.0)
    axes.set_xlim(float(edges_array[0]) - 0.02 * right, right * 1.04 + 1e-9)
    axes.set_title("Scores", fontsize=11)
    axes.set_xlabel("points")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(True, axis="y", alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=9, frameon=False)
    return _png(figure)


def pass_rate_png(labels: Sequence[str], rates: Sequence[float],
                  title: str = "Pass rate per exercise") -> bytes:
    """Horizontal bars of pass rates (fractions 0–1) with the percentage written at each bar."""
    values = _floats(rates)
    if len(values) == 0 or len(values) != len(labels):
        raise NoPlot("no pass rates to draw")
    height = max(2.4, 1.3 + 0.45 * len(values))
    figure, axes = _canvas((SIZE[0], height))
    positions = np.arange(len(values))[::-1]
    shown = np.nan_to_num(values) * 100
    axes.barh(positions, shown, color="#009E73", edgecolor="#000000", linewidth=0.6, height=0.6)
    for position, value, raw in zip(positions, shown, values):
        text = "n/a" if not math.isfinite(raw) else f"{value:.0f} %"
        axes.text(min(value, 100) + 1.5, position, text, va="center", fontsize=9)
    axes.set_yticks(positions, [str(label) for label in labels], fontsize=9)
    axes.set_xlim(0, 112)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("students passing every check (%)")
    axes.set_title(title, fontsize=11)
    axes.grid(True, axis="x", alpha=0.3)
    return _png(figure)
