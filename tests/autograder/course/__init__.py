"""Tests of autograder.course; helpers shared by its test modules."""
from __future__ import annotations

import sys
from types import ModuleType
from typing import Any, Iterator

import nbformat


def module_defined_by(source: str) -> ModuleType:
    """The module ``dlcheck`` that a dlcheck cell's ``source`` defines (run with ``sys.modules`` restored
    afterwards, so the test process keeps no ``dlcheck`` module)."""
    saved = sys.modules.pop("dlcheck", None)
    try:
        exec(compile(source, "dlcheck cell", "exec"), {})
        return sys.modules["dlcheck"]
    finally:
        sys.modules.pop("dlcheck", None)
        if saved is not None:
            sys.modules["dlcheck"] = saved


def embedded_public_checks(notebook: nbformat.NotebookNode) -> dict:
    """The public checks that a notebook's dlcheck cell defines."""
    (cell,) = [c for c in notebook.cells if c.metadata.get("dlgrade", {}).get("role") == "dlcheck"]
    return module_defined_by(cell.source).PUBLIC_CHECKS


def strings_in(data: Any) -> Iterator[str]:
    """Every string (key or value) in decoded JSON data, unescaped, for grepping."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)
