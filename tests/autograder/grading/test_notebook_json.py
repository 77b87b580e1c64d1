"""Reading a hand-in's JSON without nbformat: the same cells as nbformat, bounded, and clear errors."""
from __future__ import annotations

import json
from datetime import datetime

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbgrader.utils import compute_checksum

from autograder.course.config import Assignment
from autograder.course.notebooks import build_notebook, student_version
from autograder.grading.notebook_json import (MAX_DEPTH, Cell, NotebookFormatError, nbgrader_checksum,
                                              nesting_depth, parse_notebook)
from exercises.model import get_exercise

A2 = Assignment("a2", "The sigmoid neuron and gradient descent",
                datetime.fromisoformat("2026-03-06T23:59:00+01:00"), ("sigmoid",))
PARAMS = {"a2.sigmoid": {"z": [1.25, -3.5, 0.75]}}


@pytest.fixture(scope="module")
def released() -> nbformat.NotebookNode:
    """A student's released a2 notebook, as nbformat writes it."""
    source = build_notebook("Test course", A2, [get_exercise("a2.sigmoid")], PARAMS)
    return student_version(source, "ada01", PARAMS)


def notebook_json(cells: list, **top) -> bytes:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top}).encode()


def depth_of(value) -> int:
    """The reference: nesting depth of a parsed JSON value, recursively."""
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


def test_cells_are_those_nbformat_reads(released):
    """Are the cells, sources and metadata of a released notebook what nbformat reads from the same bytes?"""
    raw = nbformat.writes(released).encode()
    ours = parse_notebook(raw)
    theirs = nbformat.reads(raw.decode(), as_version=4)
    assert [(c.cell_type, c.source, c.metadata) for c in ours.cells] == \
           [(c.cell_type, c.source, dict(c.metadata)) for c in theirs.cells]
    assert ours.metadata == theirs.metadata


def test_checksums_of_a_released_notebook_match_nbgrader(released):
    """Is every locked cell's checksum the one nbgrader computed when the notebook was released?"""
    cells = parse_notebook(nbformat.writes(released).encode()).cells
    checked = [c for c in cells if "checksum" in c.nbgrader]
    assert checked, "the released notebook should have checksummed cells"
    assert all(nbgrader_checksum(c) == c.nbgrader["checksum"] for c in checked)


@settings(max_examples=200, deadline=None)
@given(source=st.text(), cell_type=st.sampled_from(["code", "markdown"]), grade=st.booleans(),
       solution=st.booleans(), locked=st.booleans(), grade_id=st.text(min_size=1),
       points=st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False)))
def test_checksum_is_nbgraders(source, cell_type, grade, solution, locked, grade_id, points):
    """For any source, flags, grade_id and points, is the checksum nbgrader.utils.compute_checksum's?"""
    meta = {"nbgrader": {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
                         "points": points}}
    node = nbformat.from_dict({"cell_type": cell_type, "source": source, "metadata": meta})
    assert nbgrader_checksum(Cell(1, cell_type, source, meta)) == compute_checksum(node)


def test_a_cell_without_grade_id_has_no_checksum():
    """Does a locked cell with no grade_id give None (counted as edited), not a KeyError?"""
    assert nbgrader_checksum(Cell(1, "code", "x", {"nbgrader": {"locked": True}})) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='[]{}"\\k'), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_nesting_depth_counts_like_the_parsed_value(value):
    """Is the depth counted on the bytes (strings full of brackets and escapes included) the parsed value's?"""
    assert nesting_depth(json.dumps(value).encode()) == depth_of(value)


def test_deep_json_is_refused_before_parsing():
    """Is JSON nested 100,000 deep refused with a clear error, not a RecursionError?"""
    raw = b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(NotebookFormatError, match=f"nests deeper than {MAX_DEPTH} levels"):
        parse_notebook(raw, "deep.ipynb")


def test_nesting_up_to_the_limit_is_read():
    """Is a notebook whose metadata nests exactly to the limit still read?"""
    nested: dict = {}
    for _ in range(MAX_DEPTH - 2):  # the top-level object and metadata are two levels
        nested = {"k": nested}
    raw = notebook_json([], metadata=nested)
    assert nesting_depth(raw) == MAX_DEPTH
    assert parse_notebook(raw).cells == ()


@pytest.mark.parametrize("raw, message", [
    (b"\xff\xfe", "not a valid notebook file (not JSON"),
    (b"[1, 2]", "not a Jupyter notebook (no 'cells' list)"),
    (b'{"cells": {}}', "not a Jupyter notebook (no 'cells' list)"),
    (notebook_json([], nbformat=5), "not a Jupyter notebook of format 4 ('nbformat' is 5)"),
    (notebook_json([], metadata=[]), "its metadata is not a JSON object"),
    (notebook_json([{"cell_type": "code", "source": "x", "metadata": {}}, 3]), "cell 2 is not a JSON object"),
    (notebook_json([{"cell_type": "code", "metadata": {}}]), "cell 1 has no source"),
    (notebook_json([{"cell_type": "code", "source": ["a", 1], "metadata": {}}]), "cell 1 has no source"),
    (notebook_json([{"cell_type": "python", "source": "", "metadata": {}}]), "cell 1 has no cell_type"),
    (notebook_json([{"cell_type": "code", "source": "", "metadata": "x"}]), "cell 1's metadata is not a JSON"),
    (notebook_json([{"cell_type": "code", "source": "", "metadata": {"nbgrader": 7}}]),
     "cell 1's nbgrader metadata is not a JSON object"),
])
def test_malformed_notebooks_are_named(raw, message):
    """Does each malformed notebook get an error naming the file and what is wrong with it?"""
    with pytest.raises(NotebookFormatError) as caught:
        parse_notebook(raw, "hw.ipynb")
    assert str(caught.value).startswith("hw.ipynb ") and message in str(caught.value)


def test_sources_stored_as_lines_are_joined():
    """Is a source stored as a list of lines joined into one text, as nbformat does?"""
    raw = notebook_json([{"cell_type": "code", "source": ["a = 1\n", "b = 2"], "metadata": {}}])
    assert parse_notebook(raw).cells[0].source == "a = 1\nb = 2"


def test_a_format_3_notebook_is_still_read():
    """Is an old format 3 notebook (worksheets) converted, with its code and nbgrader metadata?"""
    from nbformat import v3
    cell = v3.new_code_cell(input="def f():\n    return 1", metadata={"nbgrader": {"solution": True}})
    raw = v3.writes_json(v3.new_notebook(worksheets=[v3.new_worksheet(cells=[cell])])).encode()
    (read,) = parse_notebook(raw).cells
    assert (read.cell_type, read.source, read.nbgrader) == ("code", "def f():\n    return 1", {"solution": True})


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.builds(lambda v: json.dumps(v).encode(), json_values),
                 st.builds(lambda cells: notebook_json(cells), st.lists(json_values, max_size=3))))
def test_any_bytes_give_a_notebook_or_a_format_error(raw):
    """Do any bytes give either a notebook or a NotebookFormatError, never another exception?"""
    try:
        parse_notebook(raw)
    except NotebookFormatError:
        pass
