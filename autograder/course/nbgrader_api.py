"""nbgrader's gradebook API (``nbgrader.api``) without nbgrader's Jupyter server extensions.

Why: ``import nbgrader.api`` first runs ``nbgrader/__init__.py``, which imports
all four of nbgrader's server extensions (tornado handlers, the exchange, every
nbgrader app and preprocessor, nbconvert): about twice the cost of the gradebook
API itself, paid by every ``grade autograde`` that writes one score. The
gradebook needs none of it.

How: when nothing has imported ``nbgrader`` yet, its package module is created
from its spec and entered in ``sys.modules`` *without* running its ``__init__``
(its ``__path__`` is set, so its submodules import as usual), then
``nbgrader.api`` is imported. The package module gets a module ``__getattr__``
that runs the real ``__init__`` the first time anyone asks it for an attribute it
does not have yet (``nbgrader.__version__``, ``_jupyter_server_extension_points``,
``nbgrader.server_extensions``...).

What it guarantees:

* importing this module imports no ``nbgrader.server_extensions``, no
  ``nbgrader.apps`` or ``nbgrader.exchange`` and no nbconvert on nbgrader's
  behalf (``nbgrader.api`` still imports SQLAlchemy, nbformat and traitlets: it needs them);
* any later user of ``nbgrader`` gets the whole package: ``import nbgrader`` then
  any attribute the real ``__init__`` defines runs it once, in the same module
  object (so ``nbgrader.api`` is the same module everywhere);
* when ``nbgrader`` was imported before this module, it is used as it is;
* the names below are ``nbgrader.api``'s own classes, not copies.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

PACKAGE = "nbgrader"
_LOCK = threading.RLock()
_LIGHT_IMPORT = threading.local()
"""Set while this module imports ``nbgrader.api``: nbgrader's own ``from . import utils`` then
imports just that submodule instead of running the package ``__init__``."""


def _is_submodule(module: ModuleType, name: str) -> bool:
    return importlib.util.find_spec(f"{module.__name__}.{name}") is not None


def _run_real_init(module: ModuleType) -> None:
    """Run the package's own ``__init__`` in ``module`` (once; later calls do nothing)."""
    with _LOCK:
        if module.__dict__.pop("__getattr__", None) is None:
            return  # done already (by another thread)
        try:
            module.__spec__.loader.exec_module(module)  # type: ignore[union-attr]
        except BaseException:
            module.__getattr__ = _deferred_getattr(module)  # type: ignore[attr-defined]
            raise


def _deferred_getattr(module: ModuleType) -> Any:
    def __getattr__(name: str) -> Any:
        if getattr(_LIGHT_IMPORT, "active", False) and _is_submodule(module, name):
            return importlib.import_module(f"{module.__name__}.{name}")
        _run_real_init(module)
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}") from None
    return __getattr__


def _package_without_init() -> None:
    """Enter ``nbgrader`` in ``sys.modules`` with its ``__init__`` deferred (unless it is there already)."""
    with _LOCK:
        if PACKAGE in sys.modules:
            return
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            raise ImportError(f"nbgrader is not installed as a package (found {spec!r}): "
                              "install dlgrade's dependencies (pip install -e .)")
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _deferred_getattr(module)  # type: ignore[attr-defined]
        sys.modules[PACKAGE] = module


def load_api() -> ModuleType:
    """``nbgrader.api``, imported without nbgrader's server extensions when nbgrader is not loaded yet."""
    if f"{PACKAGE}.api" in sys.modules:
        return sys.modules[f"{PACKAGE}.api"]
    _package_without_init()
    _LIGHT_IMPORT.active = True
    try:
        return importlib.import_module(f"{PACKAGE}.api")
    finally:
        _LIGHT_IMPORT.active = False


if TYPE_CHECKING:  # the same classes, as static tools should see them
    from nbgrader.api import (Assignment, Comment, Grade, GradeCell, Gradebook, MissingEntry, Notebook,
                              SolutionCell, SourceCell, Student, SubmittedAssignment, SubmittedNotebook)
else:
    _api = load_api()
    Assignment, Comment, Grade, GradeCell = _api.Assignment, _api.Comment, _api.Grade, _api.GradeCell
    Gradebook, MissingEntry, Notebook = _api.Gradebook, _api.MissingEntry, _api.Notebook
    SolutionCell, SourceCell, Student = _api.SolutionCell, _api.SourceCell, _api.Student
    SubmittedAssignment, SubmittedNotebook = _api.SubmittedAssignment, _api.SubmittedNotebook

__all__ = ["Assignment", "Comment", "Grade", "GradeCell", "Gradebook", "MissingEntry", "Notebook", "SolutionCell",
           "SourceCell", "Student", "SubmittedAssignment", "SubmittedNotebook", "load_api"]
