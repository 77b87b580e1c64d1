"""The named mistakes an exercise's checks can report: its catalogue, read from the checks' source.

A check names a mistake when a wrong answer matches one of the values in its
``expect_close(..., mistakes={hint: wrong value})`` or ``expect_equal(..., mistakes={...})`` dict (any
call's ``mistakes=`` keyword: written in the call, or returned as a dict literal by a module function
the call names: ``mistakes=gradient_mistakes(...)``), or one of the generic
diagnoses of :func:`exercises.dlcheck.diagnose` (sign flipped, factor 2, ...) and
:func:`exercises.dlcheck.diagnose_pattern` (all zero, reciprocal, right on some values only, ...).
Any other failure carries only the check's own hint. ``grade audit`` uses the
catalogue to tell a mutant the feedback names from one it only flags.

The hints are read from the source (string literals, module constants, and
f-strings as patterns whose ``{...}`` parts match anything), never by running
a check.
"""
from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from exercises import dlcheck
from exercises.model import Exercise


@dataclass(frozen=True)
class Catalogue:
    """An exercise's named mistakes, and the generic diagnoses every check can give."""

    mistakes: tuple[str, ...]
    """The ``mistakes=`` hints of its checks, as written (f-strings with their ``{...}`` parts)."""
    patterns: tuple[re.Pattern[str], ...]
    """One full-match pattern per hint of ``mistakes`` and per generic diagnosis."""

    def names(self, hint: str) -> bool:
        """Whether a failing check's hint is a named mistake (not just the check's own hint)."""
        return bool(hint) and any(p.fullmatch(hint) for p in self.patterns)

    def entry_of(self, hint: str) -> str:
        """The ``mistakes`` entry ``hint`` matches, or "" (a generic diagnosis or no named mistake)."""
        for text, pattern in zip(self.mistakes, self.patterns):
            if pattern.fullmatch(hint):
                return text
        return ""


def _pattern(node: ast.AST, module: ModuleType | None) -> tuple[str, str] | None:
    """(text, regex) of a string expression: a literal, a module constant or an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, re.escape(node.value)
    if isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
        value = getattr(module, node.id)
        return value, re.escape(value)
    if isinstance(node, ast.JoinedStr):
        parts = [(v.value, re.escape(v.value)) if isinstance(v, ast.Constant) else ("{…}", ".*?")
                 for v in node.values]
        return "".join(p[0] for p in parts), "".join(p[1] for p in parts)
    return None


def _strings(function: Callable[..., Any], module: ModuleType | None,
             where: Callable[[ast.AST], list[ast.AST]]) -> list[tuple[str, str]]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = []
    for node in ast.walk(tree):
        for expression in where(node):
            pattern = _pattern(expression, module)
            if pattern is not None and pattern not in found:
                found.append(pattern)
    return found


def _mistake_keys(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.keyword) and node.arg == "mistakes" and isinstance(node.value, ast.Dict):
        return [key for key in node.value.keys if key is not None]
    return []


def _dict_keys(node: ast.AST) -> list[ast.AST]:
    return [key for key in node.keys if key is not None] if isinstance(node, ast.Dict) else []


def _helpers(function: Callable[..., Any], module: ModuleType | None) -> list[Callable[..., Any]]:
    """The module's functions a check calls to build its ``mistakes=`` (``mistakes=helper(...)``)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "mistakes" and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and callable(getattr(module, node.value.func.id, None)):
            found.append(getattr(module, node.value.func.id))
    return found


def _returned(node: ast.AST) -> list[ast.AST]:
    return [node.value] if isinstance(node, ast.Return) and node.value is not None else []


def catalogue_of(exercise: Exercise) -> Catalogue:
    """The named mistakes of ``exercise``'s checks and the generic diagnoses."""
    mistakes: list[tuple[str, str]] = []
    for check in exercise.checks:
        sources = [(check.function, _mistake_keys)] + [(helper, _dict_keys)
                                                       for helper in _helpers(check.function, exercise.module)]
        for function, where in sources:
            for found in _strings(function, exercise.module, where):
                if found not in mistakes:
                    mistakes.append(found)
    generic = [(text, regex) for function in (dlcheck.diagnose, dlcheck.diagnose_pattern)
               for text, regex in _strings(function, dlcheck, _returned) if text]
    generic.append((dlcheck.NON_FINITE, re.escape(dlcheck.NON_FINITE)))
    return Catalogue(mistakes=tuple(text for text, _ in mistakes),
                     patterns=tuple(re.compile(regex, re.S) for _, regex in mistakes + generic))
