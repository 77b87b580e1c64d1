"""Plot data collected while grading: plain JSON, unusable student data dropped, never a crash."""
import json

import numpy as np

from autograder.reports.figures import MAX_POINTS_PER_SERIES, as_list, lines, surface


def test_unusable_curves_are_dropped_and_the_rest_kept_as_lists():
    """Are curves with unreadable or mismatched x/y dropped, and the usable ones kept as plain lists?"""
    figure = lines("a3.activations", "relu", "z", "value", [
        {"label": "reference", "x": np.array([0.0, 1.0]), "y": np.array([0.0, 1.0]), "style": "reference"},
        {"label": "yours: wrong length", "x": [0.0, 1.0], "y": [0.0]},
        {"label": "yours: text", "x": ["a", "b"], "y": [0.0, 1.0]},
    ])
    assert [c["label"] for c in figure["series"]] == ["reference"]
    assert figure["series"][0]["x"] == [0.0, 1.0] and figure["series"][0]["style"] == "reference"
    assert json.loads(json.dumps(figure)) == figure


def test_non_finite_values_become_gaps_and_long_series_are_capped():
    """Do NaN and inf become None (a gap in the plot) and is a huge series cut to the cap?"""
    assert as_list([1.0, np.nan, np.inf]) == [1.0, None, None]
    assert len(as_list(np.zeros(MAX_POINTS_PER_SERIES + 10))) == MAX_POINTS_PER_SERIES


def test_surface_keeps_the_grid_and_the_usable_paths():
    """Does a surface keep z row by row and drop a path whose w and b differ in length?"""
    figure = surface("a2.gradient_descent", "L", "w", "b", [0.0, 1.0], [0.0, 1.0, 2.0],
                     np.arange(6.0).reshape(3, 2),
                     [{"label": "yours", "x": [0.0, 0.5], "y": [1.0, 0.5]}, {"label": "broken", "x": [0.0], "y": []}])
    assert figure["z"] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert [p["label"] for p in figure["paths"]] == ["yours"]
