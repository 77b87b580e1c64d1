"""A course's own exercise modules: ``<course>/exercises/*.py``, imported by file path.

Each course folder gets a private package, ``_dlgrade_course_<digest>``
(the digest is of the folder's path), whose modules are the folder's files: a
course module never clashes with a bundled ``exercises.*`` module of the same
name, two courses never clash with each other, and a course module may import
its siblings relatively (``from .my_reference import relu``).

Everything a process needs is the course folder, passed as data: a pool
process that is handed the folder imports the modules itself. The modules are
read again when a file of the folder changes (size or modification time), and
never from bytecode caches, so an edit is seen at once and no ``__pycache__``
is written into the course.

An error while importing a course module is an :class:`CourseModuleError`
naming the file and the line.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Sequence

from exercises.model import ExerciseDefinitionError

EXERCISES_DIR = "exercises"
"""The folder of a course that holds its own exercise modules."""
COURSE_FILE = "course.toml"
"""The file that makes a folder a course."""
_PACKAGE_PREFIX = "_dlgrade_course_"
_folders: dict[str, Path] = {}
"""Private package name -> the folder its modules are read from."""
_fingerprints: dict[str, tuple] = {}
"""Private package name -> the folder's state when its modules were last imported."""


class CourseModuleError(ExerciseDefinitionError):
    """A course's exercise module cannot be imported; the message names the file and the line."""


class _NoBytecodeLoader(importlib.machinery.SourceFileLoader):
    """Reads the source every time: no stale ``.pyc``, none written into the course folder."""

    def get_code(self, fullname: str):  # type: ignore[override]
        return compile(self.get_data(self.path), self.path, "exec", dont_inherit=True)


class _CourseFinder(importlib.abc.MetaPathFinder):
    """Finds ``_dlgrade_course_<digest>.<name>`` as ``<folder>/<name>.py``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None):
        package, _, name = fullname.rpartition(".")
        folder = _folders.get(package)
        if folder is None:
            return None
        file = folder / f"{name}.py"
        if not file.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, file,
                                                      loader=_NoBytecodeLoader(fullname, str(file)))


_FINDER = _CourseFinder()


def exercises_folder(course: Path) -> Path:
    """``<course>/exercises``, resolved."""
    return (Path(course) / EXERCISES_DIR).resolve()


def package_name(folder: Path) -> str:
    """The private package of a course's exercises folder (stable for a path, distinct per path)."""
    digest = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return _PACKAGE_PREFIX + digest


def module_files(folder: Path) -> list[Path]:
    """The modules of a course's exercises folder, by name: ``*.py`` not starting with ``_``."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith(("_", ".")) and p.is_file())


def _fingerprint(folder: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.py")))


def _package(folder: Path) -> str:
    """Register the folder's private package (again, when a file changed since the last import)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    name = package_name(folder)
    fingerprint = _fingerprint(folder)
    if _folders.get(name) == folder and _fingerprints.get(name) == fingerprint:
        return name
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]  # a file changed: every module of the folder is read afresh
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [str(folder)]
    package = importlib.util.module_from_spec(spec)
    package.__path__ = [str(folder)]
    sys.modules[name] = package
    _folders[name] = folder
    _fingerprints[name] = fingerprint
    return name


def _where(err: BaseException, folder: Path) -> str:
    """``file, line n`` of the deepest frame of the error inside ``folder`` (syntax errors: their own)."""
    if isinstance(err, SyntaxError) and err.filename:
        return f"{err.filename}, line {err.lineno}"
    inside = [frame for frame in traceback.extract_tb(err.__traceback__)
              if Path(frame.filename).parent == folder]
    if inside:
        return f"{inside[-1].filename}, line {inside[-1].lineno}"
    return str(folder)


def import_course_module(path: Path) -> ModuleType:
    """Import one module of a course's exercises folder by its file path.

    Raises :class:`CourseModuleError` naming the file and line when the module
    has a syntax error or raises while it is imported.
    """
    path = Path(path).resolve()
    folder = path.parent
    name = f"{_package(folder)}.{path.stem}"
    if not path.stem.isidentifier():
        raise CourseModuleError(f"{path}: {path.stem!r} is not a Python module name; "
                                "rename the file (letters, digits and _, not starting with a digit)")
    try:
        return importlib.import_module(name)
    except Exception as err:
        sys.modules.pop(name, None)
        detail = f"{type(err).__name__}: {err.msg if isinstance(err, SyntaxError) else err}"
        raise CourseModuleError(f"{_where(err, folder)}: {detail}; fix the exercise module") from err


def course_modules(course: Path) -> list[ModuleType]:
    """Every module of ``<course>/exercises/`` (helpers included), in file-name order."""
    folder = exercises_folder(course)
    return [import_course_module(path) for path in module_files(folder)]


def course_of_file(path: Path) -> Path | None:
    """The course folder when ``path`` is ``<course>/exercises/<name>.py`` of a course (course.toml
    beside exercises/), else None."""
    folder = Path(path).resolve().parent
    if folder.name == EXERCISES_DIR and (folder.parent / COURSE_FILE).is_file():
        return folder.parent
    return None


def course_containing(path: Path) -> Path | None:
    """The first of ``path`` and its parents that holds a course.toml (None: not inside a course)."""
    here = Path(path).resolve()
    return next((folder for folder in (here, *here.parents) if (folder / COURSE_FILE).is_file()), None)


def course_of_module(module: ModuleType) -> Path | None:
    """The course folder a course module was imported from (None for any other module)."""
    return course_of_file(Path(module.__file__)) if is_course_module(module) and module.__file__ else None


def is_course_module(module: ModuleType) -> bool:
    """Was ``module`` imported from a course's exercises folder (by :func:`import_course_module`)?"""
    return module.__name__.startswith(_PACKAGE_PREFIX)


def module_file(module: ModuleType) -> str:
    """The file a module was read from, for messages (its name when it has no file)."""
    return getattr(module, "__file__", None) or module.__name__
