"""A course folder of its own: ``grade init`` and ``grade new-exercise``.

:func:`init_course` writes a new course folder (course.toml, roster.csv,
nbgrader_config.py, exercises/ with one example, .gitignore, README.md and the
CI files) and the course secret *outside* it; :func:`new_exercise` writes a
commented exercise skeleton into a course's exercises/ and lists it in its
assignment in course.toml.

Both check everything first and write only then: an error leaves the disk as
it was (files are written in a staging folder that is renamed into place).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Mapping

from autograder.course import templates
from autograder.course.config import (COURSE_FILE, ROSTER_FILE, SECRET_ENV, Assignment, Course, CourseError,
                                      assignment_exercises, load_course)
from exercises.course_modules import EXERCISES_DIR, module_files
from exercises.model import all_exercises

SAMPLE_COURSE = Path(__file__).resolve().parents[2] / "course"
"""The sample course bundled with the repository (``--from-sample`` copies it)."""
FIRST_ASSIGNMENT = "hw1"
EXAMPLE_EXERCISE = "weighted_sum"
_EXERCISE_ID = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class InitializedCourse:
    """What ``grade init`` wrote."""

    root: Path
    """The new course folder."""
    files: tuple[Path, ...]
    """Every file written inside it, relative to it."""
    secret_file: Path
    """Where the secret is (outside the course folder)."""
    secret_created: bool
    """False when the secret file existed already (it is never overwritten)."""


def secret_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/dlgrade`` (default ``~/.config/dlgrade``): where course secrets live."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".config")
    return Path(base) / "dlgrade"


def course_id_from(folder: Path) -> str:
    """A course id from a folder name: lower case, letters, digits and ``-`` (``"DL 101"`` -> ``"dl-101"``)."""
    text = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-")
    return text or "course"


def _toml_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _assignment_toml(assignment: Assignment) -> str:
    return templates.fill(templates.ASSIGNMENT_TOML, id=assignment.id, title=_toml_string(assignment.title),
                          due=assignment.due.isoformat(),
                          exercises=", ".join(f'"{name}"' for name in assignment.exercises))


def _first_assignment() -> Assignment:
    """hw1, due in four weeks at 23:59 UTC, with the example exercise."""
    due = (datetime.now(timezone.utc) + timedelta(weeks=4)).replace(hour=23, minute=59, second=0, microsecond=0)
    return Assignment(FIRST_ASSIGNMENT, "Homework 1", due, (EXAMPLE_EXERCISE,))


def _nbgrader_config(course_id: str) -> str:
    text = (SAMPLE_COURSE / "nbgrader_config.py").read_text(encoding="utf-8")
    text = text.replace("for the sample course", "for this course")
    return re.sub(r'(c\.CourseDirectory\.course_id = )"[^"]*"', rf'\1"{course_id}"', text)


def _course_files(name: str, course_id: str, secret_file: Path, from_sample: bool) -> dict[str, str]:
    """Every text file of a new course, by path relative to the course folder."""
    if from_sample:
        sample = load_course(SAMPLE_COURSE)
        assignments = sample.assignments
        roster = (SAMPLE_COURSE / ROSTER_FILE).read_text(encoding="utf-8")
    else:
        assignments = (_first_assignment(),)
        roster = templates.ROSTER_CSV
    files = {
        COURSE_FILE: templates.fill(templates.COURSE_TOML, name=_toml_string(name), id=course_id,
                                    secret_file=_toml_string(_home_relative(secret_file)),
                                    assignments="".join(_assignment_toml(a) for a in assignments)),
        ROSTER_FILE: roster,
        "ROSTER.md": templates.ROSTER_HELP,
        "nbgrader_config.py": _nbgrader_config(course_id),
        ".gitignore": templates.GITIGNORE,
        "README.md": templates.fill(templates.README, name=name),
    }
    if not from_sample:
        files[f"{EXERCISES_DIR}/{EXAMPLE_EXERCISE}.py"] = templates.fill(templates.EXAMPLE_EXERCISE,
                                                                        assignment=FIRST_ASSIGNMENT)
    for path in sorted((SAMPLE_COURSE / "ci").rglob("*")):
        if path.is_file():
            files[str(path.relative_to(SAMPLE_COURSE))] = path.read_text(encoding="utf-8")
    return files


def _home_relative(path: Path) -> str:
    """``~/...`` when ``path`` is in the home folder (course.toml then works for every staff member)."""
    home = Path.home().resolve()
    return f"~/{path.relative_to(home)}" if home in path.parents else str(path)


def _write_secret(path: Path) -> bool:
    """Create the secret file (mode 0600, its folder 0700) unless it exists; True when created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return True


def init_course(folder: Path, *, from_sample: bool = False, name: str | None = None,
                course_id: str | None = None, secrets_folder: Path | None = None) -> InitializedCourse:
    """Create a course folder at ``folder`` (which must not exist or be empty).

    ``from_sample`` copies the bundled sample course (its assignments list
    library exercises) instead of one assignment ``hw1`` with an example
    exercise. The secret goes to ``<secrets_folder>/<course id>.secret``
    (default :func:`secret_dir`), outside the course, mode 0600; an existing one
    is kept. Raises :class:`CourseError` and writes nothing when ``folder``
    already holds anything.
    """
    folder = Path(folder).expanduser().resolve()
    if (folder / COURSE_FILE).exists():
        raise CourseError(f"{folder} is a course already ({COURSE_FILE} exists): nothing was written; "
                          "choose a new folder, or edit that course")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CourseError(f"{folder} exists and is not an empty folder: nothing was written; "
                          "give a new or empty folder")
    course_id = course_id or course_id_from(folder)
    name = name or folder.name
    secret_file = (Path(secrets_folder) if secrets_folder else secret_dir()).expanduser().resolve() \
        / f"{course_id}.secret"
    if secret_file.parent == folder or folder in secret_file.parents:
        raise CourseError(f"the secret {secret_file} would be inside the course folder {folder}: "
                          f"choose another place for it (or set ${SECRET_ENV})")
    files = _course_files(name, course_id, secret_file, from_sample)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            if relative.startswith("ci/") and (SAMPLE_COURSE / relative).stat().st_mode & 0o111:
                target.chmod(0o755)
        (staging / EXERCISES_DIR).mkdir(exist_ok=True)
        staging.chmod(0o755)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    created = _write_secret(secret_file)
    return InitializedCourse(root=folder, files=tuple(Path(p) for p in sorted(files)),
                             secret_file=secret_file, secret_created=created)


# --------------------------------------------------------------------------
# A new exercise
# --------------------------------------------------------------------------
def _insert_into_assignment(text: str, assignment_id: str, module: str, where: Path) -> str:
    """course.toml's text with ``module`` appended to the ``exercises`` list of ``assignment_id``.

    Edits only that list (comments and layout elsewhere stay), or adds an
    ``exercises`` line after the assignment's ``id`` when it has none.
    """
    for table in re.finditer(r"^\[\[assignments\]\][ \t]*$", text, re.M):
        following = re.search(r"^\[", text[table.end():], re.M)  # the next table ends this one
        end = table.end() + following.start() if following else len(text)
        body = text[table.end():end]
        if not re.search(rf'^\s*id\s*=\s*"{re.escape(assignment_id)}"\s*(#.*)?$', body, re.M):
            continue
        listing = re.search(r"^(\s*exercises\s*=\s*\[)(.*?)(\])", body, re.M | re.S)
        if listing:
            inner = listing[2].rstrip()
            separator = "" if not inner.strip() else ("" if inner.endswith(",") else ", ")
            body = body[:listing.start(2)] + inner + separator + f'"{module}"' + body[listing.end(2):]
        else:
            id_line = re.search(r'^\s*id\s*=.*$', body, re.M)
            body = body[:id_line.end()] + f'\nexercises = ["{module}"]' + body[id_line.end():]
        return text[:table.end()] + body + text[end:]
    raise CourseError(f"{where}: no [[assignments]] table with id = \"{assignment_id}\" found to edit")


def _listed(text: str, assignment_id: str) -> list[str] | None:
    """The exercises list of ``assignment_id`` in course.toml's text (None: not valid TOML or no such list)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    tables = [t for t in data.get("assignments", []) if isinstance(t, dict) and t.get("id") == assignment_id]
    return list(tables[0].get("exercises", [])) if len(tables) == 1 else None


def add_to_assignment(text: str, assignment_id: str, modules: list[str], where: Path) -> str:
    """course.toml's ``text`` with ``modules`` appended to the exercises of ``assignment_id``.

    Only that list changes; the result is checked by reading it back as TOML,
    and an edit that does not give exactly the old list plus ``modules`` is a
    :class:`CourseError` saying to add them by hand.
    """
    before = _listed(text, assignment_id) or []
    edited = text
    for module in modules:
        edited = _insert_into_assignment(edited, assignment_id, module, where)
    if _listed(edited, assignment_id) != before + modules:
        names = ", ".join(f'"{m}"' for m in modules)
        raise CourseError(f"{where}: could not add {names} to the exercises of {assignment_id} automatically "
                          f"(an unusual layout of that [[assignments]] table); add them to its exercises "
                          "list by hand; nothing was written")
    return edited


def new_exercise(course: Course, exercise_id: str, assignment_id: str, *, title: str | None = None) -> Path:
    """Write ``<course>/exercises/<exercise_id>.py`` (a commented skeleton) and list it in the
    assignment in course.toml; returns the module's path.

    Raises :class:`CourseError` and writes nothing when the id is not a lower-case Python name, the
    assignment does not exist, or a module of that name (in the course or the library) exists.
    """
    if not _EXERCISE_ID.fullmatch(exercise_id) or exercise_id in ("test", "params", "prompt"):
        raise CourseError(f"exercise id {exercise_id!r} must be a lower-case Python name (letters, digits, _; "
                          "a letter first), e.g. relu or softmax_rows: it names the module and the function")
    assignment = course.assignment(assignment_id)
    folder = course.root / EXERCISES_DIR
    target = folder / f"{exercise_id}.py"
    if target.exists():
        raise CourseError(f"{target} exists already: nothing was written; choose another id or edit it")
    taken = [p.name for p in module_files(folder) if p.stem in (exercise_id, f"{assignment_id}_{exercise_id}")]
    key = f"{assignment_id}.{exercise_id}"
    if taken or key in all_exercises(course.root):
        raise CourseError(f"exercise {key} exists already ({', '.join(taken) or 'in the bundled library'}): "
                          "nothing was written; choose another id")
    course_file = course.root / COURSE_FILE
    text = course_file.read_text(encoding="utf-8")
    if not assignment.exercises:
        # an empty list means "every exercise of the assignment": list those first so the meaning holds
        listed = [e.module.__name__.rsplit(".", 1)[-1] for e in _current(assignment)]
    else:
        listed = []
    text = add_to_assignment(text, assignment_id, listed + [exercise_id], course_file)
    skeleton = templates.fill(templates.EXERCISE_SKELETON, id=exercise_id, assignment=assignment_id,
                              title=title or exercise_id.replace("_", " ").capitalize())
    folder.mkdir(exist_ok=True)
    target.write_text(skeleton, encoding="utf-8")
    _replace_text(course_file, text)
    return target


def _current(assignment: Assignment) -> list:
    try:
        return assignment_exercises(assignment)
    except CourseError:
        return []


def _replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file renamed over it)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
