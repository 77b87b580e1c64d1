"""The course: ``course.toml`` read into frozen dataclasses, the roster, the secret.

A course folder holds ``course.toml`` beside nbgrader's layout (``source/``,
``release/``, ``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db``)
and ``nbgrader_config.py``. The ``grade`` commands find it from the current
directory upwards, as nbgrader's do, or take it from ``--course PATH``.

``course.toml``::

    [course]
    name = "Neural networks: a first course"
    id = "dl101"                       # nbgrader's course_id
    secret_file = "~/.dlgrade/dl101"   # or $DLGRADE_SECRET; never inside the course folder
    demo_secret = "..."                # sample courses only: used when nothing else is set

    [late_policy]
    grace_minutes = 15
    penalty_per_day = 0.10             # fraction of the points, per started day late
    max_days = 5                       # later than this: zero

    [[assignments]]
    id = "a2"
    title = "The sigmoid neuron and gradient descent"
    due = "2026-03-06T23:59:00+01:00"
    exercises = ["sigmoid", "gradients"]   # notebook order; empty or missing: all a2_* modules

An assignment lists its exercises by module name. A name ``n`` of assignment
``A`` is looked up as ``<course>/exercises/n.py``, then
``<course>/exercises/A_n.py``, then the bundled library's ``exercises/n.py``
and ``exercises/A_n.py`` (a key ``a2.sigmoid`` is accepted too): a course can
mix library exercises with its own, override one, and use any assignment id
(``hw1``, ``midterm``, ``week-03``).
"""
from __future__ import annotations

import csv
import io
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from exercises.model import Exercise, all_exercises
from exercises.course_modules import COURSE_FILE, EXERCISES_DIR, is_course_module

ROSTER_FILE = "roster.csv"
SECRET_ENV = "DLGRADE_SECRET"
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "lms_id")
"""The roster's columns: ``id`` is required, the others are optional."""
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
"""Student and assignment ids name folders and nbgrader records: no spaces, no slashes."""


class CourseError(Exception):
    """The course folder, course.toml or roster is wrong; the message says where and what to do."""


# --------------------------------------------------------------------------
# The course
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class LatePolicy:
    """How a late hand-in is penalised."""

    grace_minutes: int = 0
    """Minutes after the deadline that still count as on time."""
    penalty_per_day: float = 0.0
    """Fraction of the points lost per started day late (after the grace period)."""
    max_days: int = 0
    """Days late after which the hand-in earns zero (autograder/course/late.py applies the policy)."""


@dataclass(frozen=True)
class Assignment:
    """One assignment: one notebook."""

    id: str
    """Names the notebook and its folders: letters, digits, _ . - (``a2``, ``hw1``, ``week-03``)."""
    title: str
    due: datetime
    """The deadline, with its UTC offset."""
    exercises: tuple[str, ...] = ()
    """Exercise module names in notebook order (``"sigmoid"``, ``"a2_sigmoid"`` or the key
    ``"a2.sigmoid"``); empty: every exercise whose ``ASSIGNMENT`` is this id, in name order."""
    course_root: Path | None = None
    """The course folder whose ``exercises/`` is searched before the library (set by load_course)."""
    follow_through: bool = True
    """Follow-through marking (``follow_through = false`` in the assignment's table turns it off): a
    check of a later exercise runs with the model answer's function where the student's own, from
    an earlier exercise, failed its checks, so one mistake is charged once."""


@dataclass(frozen=True)
class Course:
    """A course folder and what its course.toml says."""

    root: Path
    """The course folder (holds course.toml)."""
    name: str
    id: str
    """nbgrader's course_id."""
    assignments: tuple[Assignment, ...]
    late_policy: LatePolicy
    secret_file: Path | None = None
    demo_secret: str | None = None

    def assignment(self, assignment_id: str) -> Assignment:
        """The assignment ``assignment_id``; the error lists the known ones."""
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        known = ", ".join(a.id for a in self.assignments) or "none"
        raise CourseError(f"no assignment {assignment_id!r} in {self.root / COURSE_FILE} "
                          f"(known: {known}); add an [[assignments]] entry or check the spelling")

    def source_dir(self, assignment_id: str) -> Path:
        """``source/<assignment>/``: the instructor's notebook (nbgrader's layout)."""
        return self.root / "source" / assignment_id

    def release_dir(self, assignment_id: str) -> Path:
        """``release/<assignment>/``: one folder per student below it."""
        return self.root / "release" / assignment_id


def find_course(explicit: Path | None = None, start: Path | None = None) -> Path:
    """The course folder: ``explicit`` if given, else the first of ``start`` (cwd) and its parents
    holding a course.toml."""
    if explicit is not None:
        folder = Path(explicit).expanduser().resolve()
        if not (folder / COURSE_FILE).is_file():
            raise CourseError(f"no {COURSE_FILE} in {folder}: pass the course folder to --course "
                              "(the folder holding course.toml)")
        return folder
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / COURSE_FILE).is_file():
            return folder
    tip = ""
    if (here / "course" / COURSE_FILE).is_file():
        tip = f" (the sample course is {here / 'course'})"
    raise CourseError(f"no {COURSE_FILE} in {here}: run from a course folder or pass --course PATH{tip}")


def typed_value(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str,
                default: Any = ...) -> Any:
    """``table[key]`` checked to be of ``kind`` (a bool is never taken for an int); ``default`` when
    the key is missing, or a :class:`CourseError` naming ``where`` and the key when there is none."""
    if key not in table:
        if default is not ...:
            return default
        raise CourseError(f"{where}: missing key {key!r}; add it")
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise CourseError(f"{where}: {key} = {value!r} must be a {names}")
    return value


def _due(text: str, where: str) -> datetime:
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        raise CourseError(f"{where}: due = {text!r} is not an ISO 8601 time; "
                          "write e.g. \"2026-03-06T23:59:00+01:00\"") from None
    if due.tzinfo is None:
        raise CourseError(f"{where}: due = {text!r} has no UTC offset; add one, "
                          "e.g. \"2026-03-06T23:59:00+01:00\"")
    return due


def _assignment(table: Mapping[str, Any], where: str, course_root: Path) -> Assignment:
    assignment_id = typed_value(table, "id", str, where)
    if not _ID.fullmatch(assignment_id):
        raise CourseError(f"{where}: id = {assignment_id!r} may hold only letters, digits, _ . -")
    where = f"{where} (id {assignment_id})"
    exercises = typed_value(table, "exercises", list, where, [])
    if not all(isinstance(e, str) and e for e in exercises):
        raise CourseError(f"{where}: exercises must be a list of exercise ids such as \"sigmoid\"")
    return Assignment(id=assignment_id, title=typed_value(table, "title", str, where),
                      due=_due(typed_value(table, "due", str, where), where), exercises=tuple(exercises),
                      course_root=course_root, follow_through=typed_value(table, "follow_through", bool, where, True))


def load_course(folder: Path) -> Course:
    """Read and check ``folder/course.toml``."""
    folder = Path(folder).resolve()
    path = folder / COURSE_FILE
    if not path.is_file():
        raise CourseError(f"no {COURSE_FILE} in {folder}: run from a course folder or pass --course PATH")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise CourseError(f"{path} is not valid TOML: {err}") from None
    course = typed_value(data, "course", dict, str(path))
    where = f"{path} [course]"
    policy = typed_value(data, "late_policy", dict, str(path), {})
    late_where = f"{path} [late_policy]"
    late = LatePolicy(grace_minutes=typed_value(policy, "grace_minutes", int, late_where, 0),
                      penalty_per_day=float(typed_value(policy, "penalty_per_day", (int, float), late_where, 0.0)),
                      max_days=typed_value(policy, "max_days", int, late_where, 0))
    if not 0.0 <= late.penalty_per_day <= 1.0:
        raise CourseError(f"{late_where}: penalty_per_day = {late.penalty_per_day} must be a fraction "
                          "between 0 and 1 (0.1 = 10 % per day)")
    if late.grace_minutes < 0 or late.max_days < 0:
        raise CourseError(f"{late_where}: grace_minutes and max_days must not be negative")
    entries = typed_value(data, "assignments", list, str(path))
    if not all(isinstance(entry, dict) for entry in entries):
        raise CourseError(f"{path}: assignments must be [[assignments]] tables with id, title and due")
    assignments = tuple(_assignment(entry, f"{path} [[assignments]] #{n}", folder)
                        for n, entry in enumerate(entries, start=1))
    seen: set[str] = set()
    for assignment in assignments:
        if assignment.id in seen:
            raise CourseError(f"{path}: assignment {assignment.id!r} is listed twice; "
                              "give each [[assignments]] entry its own id")
        seen.add(assignment.id)
    secret_file = typed_value(course, "secret_file", str, where, None)
    return Course(root=folder, name=typed_value(course, "name", str, where),
                  id=typed_value(course, "id", str, where), assignments=assignments, late_policy=late,
                  secret_file=Path(secret_file) if secret_file else None,
                  demo_secret=typed_value(course, "demo_secret", str, where, None))


# --------------------------------------------------------------------------
# The secret
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Secret:
    """The course secret that seeds every student's variant."""

    value: bytes = b""
    source: str = ""
    """Where it came from: ``$DLGRADE_SECRET``, the secret file's path, or ``demo_secret``."""
    is_demo: bool = False
    """True for the sample course's published secret: never use it for a real course."""

    def __repr__(self) -> str:  # keep the value out of logs and tracebacks
        return f"Secret(source={self.source!r}, is_demo={self.is_demo})"


def resolve_secret(course: Course, environ: Mapping[str, str] | None = None) -> Secret:
    """The course secret: ``$DLGRADE_SECRET``, else ``secret_file``, else the demo secret."""
    environ = os.environ if environ is None else environ
    if environ.get(SECRET_ENV):
        return Secret(environ[SECRET_ENV].encode(), f"${SECRET_ENV}")
    if course.secret_file is not None:
        path = course.secret_file.expanduser()
        path = path if path.is_absolute() else (course.root / path)
        path = path.resolve()
        if path == course.root or course.root in path.parents:
            raise CourseError(f"{course.root / COURSE_FILE}: secret_file {path} is inside the course folder; "
                              "move it outside (it must never be committed or released)")
        if not path.is_file():
            raise CourseError(f"{course.root / COURSE_FILE}: secret_file {path} does not exist; "
                              f"create it (e.g. `python -c 'import secrets; print(secrets.token_hex(32))' > {path}`) "
                              f"or set ${SECRET_ENV}")
        value = path.read_bytes().strip()
        if not value:
            raise CourseError(f"secret_file {path} is empty: write a long random string into it")
        return Secret(value, str(path))
    if course.demo_secret:
        return Secret(course.demo_secret.encode(), "demo_secret", is_demo=True)
    raise CourseError(f"no course secret: set ${SECRET_ENV} or add secret_file = \"PATH\" to "
                      f"[course] in {course.root / COURSE_FILE}")


DEMO_SECRET_WARNING = f"using the DEMO secret: set {SECRET_ENV} for a real course"


# --------------------------------------------------------------------------
# The roster
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Student:
    """One row of the roster."""

    id: str
    """Names the student's folders and seeds their variants: letters, digits, _ . -"""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_id: str = ""


def _roster_text(path: Path) -> str:
    """The roster's text (UTF-8, a BOM allowed); an error names the first line that is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise CourseError(f"{path} line {line} is not UTF-8 (byte 0x{data[err.start]:02x}): save the roster "
                          "as UTF-8 (in a spreadsheet: CSV UTF-8); names may use any letters") from None


def _roster_header(path: Path, row: list[str]) -> list[str]:
    header = [h.strip() for h in row]
    columns = f"id (required), {', '.join(ROSTER_COLUMNS[1:])} (optional)"
    if "id" not in header:
        raise CourseError(f"{path} line 1: the header lacks id; the columns are {columns}")
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if unknown:
        raise CourseError(f"{path} line 1: unknown column {', '.join(map(repr, unknown))}; the columns are "
                          f"{columns}: remove or rename it")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise CourseError(f"{path} line 1: column {', '.join(map(repr, repeated))} appears twice; keep one")
    return header


def _student_id(path: Path, line: int, student_id: str) -> str:
    if not student_id:
        raise CourseError(f"{path} line {line}: the id is empty; every student needs an id "
                          "(it names their folders and seeds their variant)")
    foreign = sorted({c for c in student_id if not c.isascii()})
    if foreign:
        raise CourseError(f"{path} line {line}: student id {student_id!r} has non-ASCII characters "
                          f"({''.join(foreign)}); ids name folders: use ASCII letters, digits, _ . - "
                          "(names may use any letters)")
    if not _ID.fullmatch(student_id):
        raise CourseError(f"{path} line {line}: student id {student_id!r} must start with a letter or "
                          "digit and hold only letters, digits, _ . - (it names a folder)")
    return student_id


def read_roster(path: Path) -> tuple[Student, ...]:
    """Read a roster CSV: the header names ``id`` and any of ``first_name,last_name,email,lms_id``.

    Only ``id`` is required; names may use any letters (UTF-8). An unknown or
    repeated column, an empty, repeated or non-ASCII id, or a line with the
    wrong number of fields is an error naming the file, the line and the fix;
    the whole file is checked before anything is returned.
    """
    path = Path(path)
    if not path.is_file():
        raise CourseError(f"no roster at {path}: pass --roster PATH (a CSV with the column id and "
                          f"optionally {','.join(ROSTER_COLUMNS[1:])})")
    rows = list(csv.reader(io.StringIO(_roster_text(path), newline="")))
    if not rows:
        raise CourseError(f"{path} is empty: the first line must be the header, e.g. {','.join(ROSTER_COLUMNS)}")
    header = _roster_header(path, rows[0])
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CourseError(f"{path} line {line}: {len(row)} fields, the header has {len(header)}; "
                              "quote fields that contain commas")
        record = {h: cell.strip() for h, cell in zip(header, row)}
        student_id = _student_id(path, line, record["id"])
        if student_id in seen:
            raise CourseError(f"{path} line {line}: student id {student_id!r} already appears on line "
                              f"{seen[student_id]}; ids must be unique")
        if record.get("email") and "@" not in record["email"]:
            raise CourseError(f"{path} line {line}: email {record['email']!r} is not an address")
        seen[student_id] = line
        students.append(Student(**record))
    if not students:
        raise CourseError(f"{path} lists no students: add one line per student below the header")
    return tuple(students)


# --------------------------------------------------------------------------
# An assignment's exercises
# --------------------------------------------------------------------------
def _short_name(exercise: Exercise) -> str:
    return exercise.module.__name__.rsplit(".", 1)[-1]


def _resolve(name: str, assignment_id: str, known: Mapping[str, Exercise]) -> str | None:
    """The key of the exercise course.toml calls ``name`` in ``assignment_id`` (None: no such module).

    Course modules first, then the library; the module ``name``, then ``<assignment>_<name>``.
    """
    if "." in name:
        return name if name in known else None
    candidates = (name, f"{assignment_id}_{name}")
    for own in (True, False):
        by_name = {_short_name(e): key for key, e in known.items() if is_course_module(e.module) == own}
        for candidate in candidates:
            if candidate in by_name:
                return by_name[candidate]
    return None


def assignment_exercises(assignment: Assignment,
                         known: Mapping[str, Exercise] | None = None) -> list[Exercise]:
    """The exercises of ``assignment`` in notebook order.

    ``known`` defaults to the library and the course's own ``exercises/``
    (:func:`exercises.model.all_exercises`). An empty list in course.toml means
    every exercise whose ``ASSIGNMENT`` is the assignment's id, in key order.
    """
    known = all_exercises(assignment.course_root) if known is None else known
    own = sorted(key for key, e in known.items() if e.assignment == assignment.id)
    folder = (f"{assignment.course_root / EXERCISES_DIR}/" if assignment.course_root else "exercises/")
    if not assignment.exercises:
        if not own:
            raise CourseError(f"assignment {assignment.id} has no exercises yet: write "
                              f"{folder}{assignment.id}_<id>.py modules or list them in course.toml "
                              f"(`grade new-exercise ID --assignment {assignment.id}` writes one)")
        return [known[key] for key in own]
    keys = [_resolve(name, assignment.id, known) for name in assignment.exercises]
    missing = [name for name, key in zip(assignment.exercises, keys) if key is None]
    if missing:
        first = missing[0]
        raise CourseError(f"assignment {assignment.id} lists exercises that do not exist: "
                          f"{', '.join(missing)} (no module {folder}{first}.py or "
                          f"{folder}{assignment.id}_{first}.py, nor one in the bundled library); "
                          f"existing: {', '.join(own) or 'none'}; fix exercises = [...] in course.toml")
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise CourseError(f"assignment {assignment.id} lists {', '.join(duplicates)} twice")
    return [known[key] for key in keys]
