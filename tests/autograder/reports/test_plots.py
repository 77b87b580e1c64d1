"""Tests of autograder.reports.plots: figures and class charts drawn to PNG, never crashing on bad data."""
from __future__ import annotations

import io
import math

import matplotlib.image
import numpy as np
import pytest

from autograder.reports import figures, plots
from autograder.reports.plots import NoPlot
from tests.autograder.reports.sample_results import colour_pixels, sigmoid_figure, surface_figure

VERMILLION, BLUE = "#D55E00", "#0072B2"


def pixels(png: bytes) -> np.ndarray:
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise AssertionError("not PNG bytes")
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def test_lines_is_a_small_png_with_both_curves():
    """Is a "lines" figure a 600 × 400 PNG showing the student's vermillion and the reference's blue curve?"""
    image = pixels(plots.figure_png(sigmoid_figure()))
    assert image.shape[:2] == (400, 600)
    assert colour_pixels(image, VERMILLION) > 200
    assert colour_pixels(image, BLUE) > 100


def test_lines_without_reference_has_no_blue_curve():
    """Does the blue come from the reference series (so the colours really mark who is who)?"""
    spec = sigmoid_figure()
    spec["series"] = [s for s in spec["series"] if s["style"] == "student"]
    image = pixels(plots.lines_png(spec))
    assert colour_pixels(image, BLUE) < 20
    assert colour_pixels(image, VERMILLION) > 200


def test_lines_survive_none_and_nan():
    """Are None and NaN points gaps, not crashes, and is a figure with no finite point skipped with a reason?"""
    gappy = {"kind": "lines", "series": [{"label": "yours", "style": "student",
                                          "x": [0, 1, 2, 3, 4], "y": [0, None, float("nan"), 1, 2]}]}
    assert pixels(plots.figure_png(gappy)).shape[:2] == (400, 600)
    for series in ([], [{"x": [1, 2], "y": [None, None]}], [{"x": [1, 2, 3], "y": [1, 2]}],
                   [{"x": None, "y": None}]):
        with pytest.raises(NoPlot, match="no curve"):
            plots.figure_png({"kind": "lines", "title": "t", "series": series})


def test_surface_draws_the_path_over_the_contours():
    """Does a "surface" figure show viridis contours and the vermillion path with its start and end?"""
    image = pixels(plots.figure_png(surface_figure()))
    assert image.shape[:2] == (400, 600)
    assert colour_pixels(image, VERMILLION) > 150
    assert colour_pixels(image, "#440154", 0.1) > 0 or colour_pixels(image, "#fde725", 0.1) > 0


@pytest.mark.parametrize("spec, reason", [
    ({"x": [0, 1], "y": [0, 1], "z": [[1, 2, 3], [4, 5, 6]]}, "row 0 has 3 values"),
    ({"x": [0, 1, 2], "y": [0, 1], "z": [[1, 2, 3]]}, "grid is 1 × 3"),
    ({"x": [0], "y": [0], "z": [[1]]}, "at least 2 × 2"),
    ({"x": [0, 1], "y": [0, 1], "z": [[None, None], [float("nan"), None]]}, "no finite values"),
    ({"x": None, "y": None, "z": None}, "at least 2 × 2"),
])
def test_unusable_surfaces_are_skipped_with_a_reason(spec, reason):
    """Is a wrong-shaped, too small or all-NaN surface a NoPlot saying why?"""
    with pytest.raises(NoPlot, match=reason):
        plots.figure_png({"kind": "surface", "paths": [], **spec})


def test_surface_with_holes_flat_values_and_bad_paths_still_draws():
    """Do a partly-NaN grid, a flat grid and a path of NaNs still give a picture?"""
    holes = figures.surface("e", "holes", "w", "b", [0, 1, 2], [0, 1], [[1, None, 3], [4, 5, float("inf")]],
                            [{"label": "p", "x": [0, 2], "y": [0, 1]}])
    flat = {"kind": "surface", "x": [0, 1], "y": [0, 1], "z": [[2, 2], [2, 2]],
            "paths": [{"label": "nan", "x": [None], "y": [None]}, {"x": [0, 1], "y": [1]}]}
    for spec in (holes, flat):
        assert pixels(plots.figure_png(spec)).shape[:2] == (400, 600)


def test_unknown_or_malformed_figures_are_noplot():
    """Is anything that is not a known figure a NoPlot rather than an exception of another kind?"""
    for spec in ({"kind": "pie"}, {}, {"kind": "surface", "x": "abc", "y": 3, "z": 7},
                 {"kind": "lines", "series": "nonsense"}):
        with pytest.raises(NoPlot):
            plots.figure_png(spec)


def test_histogram_marks_full_marks():
    """Does the score histogram draw its bars and the vermillion full-marks line, and refuse empty data?"""
    image = pixels(plots.histogram_png([0, 1, 2, 3, 4], [1, 0, 3, 2], 4.0, mean=2.5))
    assert colour_pixels(image, "#56B4E9") > 1000
    assert colour_pixels(image, VERMILLION) > 100
    with pytest.raises(NoPlot):
        plots.histogram_png([0], [], 4.0)
    with pytest.raises(NoPlot):
        plots.histogram_png([0, 1], [1, 2], 4.0)


def test_pass_rates_grow_with_the_rate():
    """Is a bar for 100 % longer (more green) than one for 20 %, and does NaN draw as n/a?"""
    green = "#009E73"
    full = colour_pixels(pixels(plots.pass_rate_png(["a"], [1.0])), green)
    fifth = colour_pixels(pixels(plots.pass_rate_png(["a"], [0.2])), green)
    assert full > 3 * fifth > 0
    assert pixels(plots.pass_rate_png(["a", "b"], [math.nan, 0.5])).shape[1] == 600
    with pytest.raises(NoPlot):
        plots.pass_rate_png([], [])


def test_alt_text_names_the_curves_and_paths():
    """Does the alt text say what kind of plot it is and name its curves or paths?"""
    assert "your sigmoid_prime" in plots.alt_text(sigmoid_figure())
    assert "reference" in plots.alt_text(sigmoid_figure())
    text = plots.alt_text(surface_figure())
    assert text.startswith("Contour plot") and "your path" in text
