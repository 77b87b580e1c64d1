"""The exercise model: what one exercise module declares, read into an :class:`Exercise`.

An exercise family is one module, bundled (``exercises/<assignment>_<id>.py``)
or a course's own (``<course>/exercises/<id>.py`` or ``<assignment>_<id>.py``,
imported by :mod:`exercises.course_modules`), that declares, side by side:

``ASSIGNMENT``, ``TITLE``, ``CONCEPT``
    where it belongs and what it teaches;
``SOLUTION``
    the reference functions whose source is the model answer (one source of
    truth: the student sees their signatures and docstrings, the body is the
    solution region);
``params(rng) -> dict`` (optional)
    the student's variant, JSON-serialisable; raise :class:`RedrawVariant` to
    reject a degenerate draw;
``prompt(params) -> str``
    the markdown the student reads, with the variant's numbers;
``solution_cell(params) -> str`` (optional)
    the solution cell with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers,
    when the default built from ``SOLUTION`` does not fit (numeric answers);
``QUESTION`` (optional)
    a :class:`exercises.questions.NumericQuestion` or ``ChoiceQuestion``: a question
    answered by assigning a variable, whose ``solution_cell(params)`` is the default
    solution cell (see ``docs/authoring.md``); or a
    :class:`exercises.written.WrittenQuestion`: an answer in words, in a markdown cell,
    graded by hand (such a module declares no checks: its points are the question's);
``PLOT`` (optional)
    code of a plot cell shown after the solution;
``CALL_TIME_FACTOR`` (optional)
    how many times the model answer's slowest call a student's call may take
    (default 50; exercises whose calls train declare more, e.g. 500): see
    ``autograder/grading/call_limits.py``;
``MISTAKE_CODE`` (optional)
    the catalogued mistakes as code: a description -> the source of wrong versions of
    ``SOLUTION`` functions, run after the model answers (instructor code: only ever run in the
    grader's process). Each must cost the same points on every variant
    (``tests/exercises/test_fairness.py``);
``HIDDEN_ONLY`` (optional)
    the ``MISTAKE_CODE`` entries the public checks do not test, each with the reason; every other
    catalogued mistake must fail a public check on every variant (no coincidence lets it pass);
``test_*(student, ref, params, record)``
    the checks, pytest functions marked ``@pytest.mark.points(n)`` and, for the
    ones students never see, ``@pytest.mark.hidden(hint="...")``; ``record`` (optional) is a
    list where a hidden check notes the answer as plain data for the class report (a choice
    question's options shown and picked: ``CheckResult.choices``).

Public checks are shipped to students as source and run in their notebook with
only numpy and :mod:`exercises.dlcheck`, so they may use nothing else; hidden
checks run only in the grader and may use anything.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import hmac
import importlib
import inspect
import json
import pkgutil
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from exercises.written import WrittenQuestion

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
LIBRARY_FOLDER = Path(__file__).resolve().parent
"""The bundled exercise library (read from here, not from ``exercises.__path__``: run from a course
folder, ``python -m`` puts the course's own ``exercises/`` on that path)."""
MAX_REDRAWS = 100


class RedrawVariant(Exception):
    """Raised by ``params(rng)`` when a draw is degenerate (a tie, a saturated sigmoid...)."""


class ExerciseDefinitionError(Exception):
    """An exercise module does not follow the model; the message names the module."""


@dataclass(frozen=True)
class Check:
    """One check of an exercise."""

    name: str
    """The function's name, ``test_...``; shown to students without the prefix."""
    function: Callable[..., Any] = field(repr=False)
    """The pytest function taking ``student``, ``ref`` and/or ``params``."""
    points: float
    """Points earned when it passes."""
    public: bool
    """Public checks run in the student's notebook too; hidden ones only in the grader."""
    hint: str = ""
    """What a failing hidden check tells the student (never inputs or expected values)."""

    def source(self) -> str:
        """The check's source without decorators, as shipped to students (public checks only)."""
        if not self.public:
            raise ValueError(f"{self.name} is hidden: its source is never shipped")
        source = textwrap.dedent(inspect.getsource(self.function))
        definition = ast.parse(source).body[0]
        return "\n".join(source.splitlines()[definition.lineno - 1:]) + "\n"


@dataclass(frozen=True)
class Exercise:
    """An exercise family read from its module."""

    key: str
    """``"<assignment>.<id>"``, e.g. ``"a2.sigmoid"``."""
    assignment: str
    title: str
    concept: str
    module: ModuleType = field(repr=False)
    checks: tuple[Check, ...] = field(repr=False)

    @property
    def id(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def written(self) -> WrittenQuestion | None:
        """The written question when the exercise is answered in words and graded by hand."""
        question = getattr(self.module, "QUESTION", None)
        return question if isinstance(question, WrittenQuestion) else None

    @property
    def manual_points(self) -> float:
        """Points a grader gives by hand (a written answer's), 0 for an exercise graded by its checks."""
        return float(self.written.points) if self.written else 0.0

    @property
    def points(self) -> float:
        """Every point of the exercise: its checks' and, for a written answer, the grader's."""
        return sum(c.points for c in self.checks) + self.manual_points

    @property
    def public_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.public)

    @property
    def hidden_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.public)

    def params(self, rng: np.random.Generator) -> dict:
        make = getattr(self.module, "params", None)
        return make(rng) if make else {}

    def prompt(self, params: Mapping[str, Any]) -> str:
        return self.module.prompt(params)

    def solution_cell(self, params: Mapping[str, Any]) -> str:
        """The code solution cell with its markers; empty for a written answer (whose answer is a
        markdown cell, :attr:`written`), so that every model-answer namespace can still run it."""
        if self.written:
            return ""
        custom = getattr(self.module, "solution_cell", None) or getattr(
            getattr(self.module, "QUESTION", None), "solution_cell", None)
        if custom:
            return custom(params)
        return "\n\n".join(mark_solution(source_of(f)) for f in self.module.SOLUTION)

    def plot_cell(self) -> str | None:
        return getattr(self.module, "PLOT", None)


# --------------------------------------------------------------------------
# Solution regions
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def source_of(function: Callable[..., Any]) -> str:
    """The dedented source of a reference function (cached: inspect reads and tokenizes files)."""
    return textwrap.dedent(inspect.getsource(function)).rstrip() + "\n"


def mark_solution(function_source: str) -> str:
    """Wrap a function's body (after its docstring) in solution markers.

    The student keeps the signature and the docstring; the body becomes the
    region nbgrader replaces with ``raise NotImplementedError()``.
    """
    tree = ast.parse(function_source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise ExerciseDefinitionError("mark_solution takes the source of exactly one function")
    body = tree.body[0].body
    has_docstring = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                     and isinstance(body[0].value.value, str))
    if has_docstring and len(body) == 1:
        raise ExerciseDefinitionError(f"{tree.body[0].name} has a docstring but no body")
    first = body[1] if has_docstring else body[0]
    lines = function_source.rstrip("\n").split("\n")
    indent = " " * first.col_offset
    start = first.lineno - 1
    return "\n".join(lines[:start] + [indent + BEGIN_SOLUTION] + lines[start:]
                     + [indent + END_SOLUTION]) + "\n"


_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[ \t]*\n.*?^[ \t]*### END SOLUTION[ \t]*(\n|$)",
                     re.M | re.S)


def strip_markers(cell: str) -> str:
    """The model answer: the cell with the marker lines removed."""
    return "".join(line for line in cell.splitlines(keepends=True)
                   if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def clear_solutions(cell: str) -> str:
    """What the student sees: each solution region replaced as nbgrader's ClearSolutions does."""
    return _REGION.sub(lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError(){m[2]}",
                       cell)


# --------------------------------------------------------------------------
# Variants
# --------------------------------------------------------------------------
def variant_rng(secret: bytes, assignment: str, exercise_id: str, student: str,
                attempt: int) -> np.random.Generator:
    """The generator of a student's variant: seeded by an HMAC of the course secret.

    .. math:: seed = HMAC_{SHA256}(secret,\\ assignment \\| exercise \\| student \\| attempt)

    A re-grade reproduces it; one student's numbers say nothing about another's.
    """
    message = "\0".join([assignment, exercise_id, student, str(attempt)]).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def variant_params(exercise: Exercise, secret: bytes, student: str) -> dict:
    """The student's variant of ``exercise``, redrawing degenerate draws."""
    for attempt in range(MAX_REDRAWS):
        rng = variant_rng(secret, exercise.assignment, exercise.id, student, attempt)
        try:
            params = exercise.params(rng)
        except RedrawVariant:
            continue
        if json.loads(json.dumps(params)) != params:
            raise ExerciseDefinitionError(
                f"{exercise.key}: params(rng) must return JSON data (floats, ints, lists, "
                f"strings), got {params!r}; convert arrays with .tolist() and numpy scalars with float()")
        return params
    raise ExerciseDefinitionError(f"{exercise.key}: {MAX_REDRAWS} draws in a row were degenerate")


# --------------------------------------------------------------------------
# Reading exercise modules
# --------------------------------------------------------------------------
def _marks(function: Callable[..., Any]) -> dict[str, Any]:
    return {mark.name: mark for mark in getattr(function, "pytestmark", [])}


def _where(module: ModuleType) -> str:
    """How messages name a module: its file for a course module, else its name."""
    from exercises.course_modules import is_course_module, module_file
    return module_file(module) if is_course_module(module) else module.__name__.rsplit(".", 1)[-1]


def load_exercise(module: ModuleType) -> Exercise:
    """Read an exercise module into an :class:`Exercise`, checking it follows the model.

    The key is ``<ASSIGNMENT>.<id>``: the id is the module's name without the
    ``<ASSIGNMENT>_`` prefix. Bundled modules must carry the prefix; a course's
    own modules may (``hw1_relu.py``) or may not (``relu.py``).
    """
    name = module.__name__.rsplit(".", 1)[-1]
    where = _where(module)
    for required in ("ASSIGNMENT", "TITLE", "CONCEPT", "prompt"):
        if not hasattr(module, required):
            raise ExerciseDefinitionError(f"exercise module {where} does not define {required}")
    if not any(hasattr(module, name) for name in ("SOLUTION", "solution_cell", "QUESTION")):
        raise ExerciseDefinitionError(f"exercise module {where} defines neither SOLUTION (the list of model "
                                      "answer functions) nor solution_cell(params) nor QUESTION; add one")
    prefix = module.ASSIGNMENT + "_"
    if module.__name__.startswith("exercises.") and not name.startswith(prefix):
        raise ExerciseDefinitionError(f"exercise module {name} must be named {prefix}<id>.py")
    exercise_id = name[len(prefix):] if name.startswith(prefix) else name
    checks = []
    for attr, function in vars(module).items():
        if not (attr.startswith("test_") and callable(function)):
            continue
        marks = _marks(function)
        if "points" not in marks:
            raise ExerciseDefinitionError(f"{where}: {attr} has no @pytest.mark.points(n)")
        hidden = marks.get("hidden")
        checks.append(Check(
            name=attr, function=function, points=float(marks["points"].args[0]),
            public=hidden is None,
            hint=(hidden.kwargs.get("hint", "") if hidden else ""),
        ))
    written = isinstance(getattr(module, "QUESTION", None), WrittenQuestion)
    if written and checks:
        raise ExerciseDefinitionError(f"exercise module {where} is a written answer graded by hand "
                                      "(QUESTION = WrittenQuestion(...)) and must not define test_* checks; "
                                      "put the checks in an exercise of their own")
    if not checks and not written:
        raise ExerciseDefinitionError(f"exercise module {where} has no test_* checks")
    return Exercise(key=f"{module.ASSIGNMENT}.{exercise_id}", assignment=module.ASSIGNMENT,
                    title=module.TITLE, concept=module.CONCEPT, module=module, checks=tuple(checks))


def library_exercises() -> dict[str, Exercise]:
    """Every exercise bundled in the ``exercises`` package (``a<n>_<id>.py``), by key."""
    found = {}
    for info in pkgutil.iter_modules([str(LIBRARY_FOLDER)]):
        if re.fullmatch(r"a\d+_\w+", info.name):
            exercise = load_exercise(importlib.import_module(f"exercises.{info.name}"))
            found[exercise.key] = exercise
    return found


def course_exercises(course: str | Path) -> dict[str, Exercise]:
    """The exercises of ``<course>/exercises/*.py``, by key: the modules that define ``ASSIGNMENT``
    (the others are helpers, e.g. a course-local reference module).

    Two modules giving the same key are an error naming both files.
    """
    from exercises.course_modules import course_modules, exercises_folder
    if exercises_folder(Path(course)) == LIBRARY_FOLDER:
        return {}  # the bundled package itself: already the library
    found: dict[str, Exercise] = {}
    for module in course_modules(Path(course)):
        if not hasattr(module, "ASSIGNMENT"):
            continue
        exercise = load_exercise(module)
        if exercise.key in found:
            raise ExerciseDefinitionError(
                f"{module.__file__} and {found[exercise.key].module.__file__} both define exercise "
                f"{exercise.key!r}; rename one of the files or change its ASSIGNMENT")
        found[exercise.key] = exercise
    return found


def all_exercises(course: str | Path | None = None) -> dict[str, Exercise]:
    """Every exercise by key: the bundled library and, when ``course`` (a course folder) is given,
    the course's own ``exercises/`` modules, which take precedence over library ones with the same key."""
    found = library_exercises()
    if course is not None:
        found.update(course_exercises(course))
    return found


def get_exercises(keys: Sequence[str], course: str | Path | None = None) -> list[Exercise]:
    """The exercises ``"<assignment>.<id>"`` in the order given, from one scan of the library (and of
    ``course``'s own exercises, see :func:`all_exercises`); the error names the unknown keys and lists
    the known ones."""
    known = all_exercises(course)
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise KeyError(f"unknown exercise {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
    return [known[key] for key in keys]


def get_exercise(key: str, course: str | Path | None = None) -> Exercise:
    """The exercise ``"<assignment>.<id>"``; the error lists the known ones."""
    return get_exercises([key], course)[0]


def reference_namespace(cells: list[str], *, tolerant: bool = False) -> dict[str, Any]:
    """Run model-answer cells (markers stripped) in one namespace: the ``ref`` of the checks.

    With ``tolerant=True`` a cell that raises is skipped and the next one runs,
    as in a notebook: that is how a stub (``raise NotImplementedError()`` in a
    numeric-answer cell) is run for the pre-release check.
    """
    namespace: dict[str, Any] = {"np": np, "__name__": "reference_solution"}
    exec("import numpy as np\nimport math\n", namespace)
    for cell in cells:
        try:
            exec(compile(strip_markers(cell), "<solution>", "exec"), namespace)
        except Exception:
            if not tolerant:
                raise
    return namespace
