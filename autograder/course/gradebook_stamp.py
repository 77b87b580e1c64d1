"""Does the gradebook already hold what recording an unchanged hand-in would write? A stamp per hand-in.

``grade autograde`` records unchanged (skipped) hand-ins again, so the gradebook
always matches ``results.json``. Opening the gradebook costs nbgrader's API and
SQLAlchemy (about 0.4 s), more than all the rest of a re-run of one unchanged
hand-in. So after a hand-in is recorded, a stamp beside its ``results.json``
(:data:`STAMP_FILE`) keeps two digests:

* **inputs**: everything that recording depended on — the database file, the
  course id, the assignment id and due time, its exercises (points, written or
  not), the source notebook's bytes, the roster, ``results.json``'s bytes, the
  late penalty, and the versions of dlgrade and nbgrader;
* **rows**: the rows the recording left in the database, read back with the
  standard library's sqlite3 — the roster's and this student's ``student`` rows,
  the ``course`` and ``alembic_version`` rows, the assignment, its notebooks and
  every cell row of them, and this student's submission with its grades and comments.

A later run skips recording the hand-in only when both digests are the same
again: recording is idempotent, so the same inputs on the rows it left would
write exactly the rows that are there. Anything else — another roster, a manual
grade in formgrader, a deleted database, a new nbgrader — opens the gradebook and
records as before. Only a SQLite file database is stamped; any other URL is always opened.
The stamp lives in the course's private ``autograded/`` folder, never where students write.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import autograder
from autograder.course.config import Assignment, Course, Student
from autograder.course.late import LatePenalty
from autograder.grading.results import write_atomically
from exercises.model import Exercise

GRADEBOOK_FILE = "gradebook.db"
"""The course's gradebook file, in the course folder (``sqlite:///<course>/gradebook.db``)."""
STAMP_FILE = ".gradebook.json"
"""The stamp's name, beside ``results.json``."""
STAMP_VERSION = 2


def sqlite_file(db_url: str | None, course: Course) -> Path | None:
    """The database file of ``db_url`` (None: the course's gradebook.db) when it is a plain SQLite file
    URL (``sqlite:///path``, no query), else None."""
    if db_url is None:
        return Path(course.root) / GRADEBOOK_FILE
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or "?" in db_url or db_url[len(prefix):] in ("", ":memory:"):
        return None
    return Path(db_url[len(prefix):])


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _nbgrader_version() -> str:
    try:
        return version("nbgrader")
    except PackageNotFoundError:
        return "unknown"


def course_digest(*, db_file: Path, course: Course, assignment: Assignment, exercises: Sequence[Exercise],
                  roster: Mapping[str, Student], source_notebook: Path) -> str:
    """The digest of what recording any hand-in of ``assignment`` (with :func:`prepare_gradebook
    <autograder.course.autograde.prepare_gradebook>`) depends on: the same for the whole class, so it
    is computed once per run (the source notebook read once, not once per student)."""
    try:
        source = hashlib.sha256(source_notebook.read_bytes()).hexdigest()
    except OSError:
        source = None
    return _digest({
        "stamp": STAMP_VERSION, "dlgrade": autograder.__version__, "nbgrader": _nbgrader_version(),
        "db": str(db_file.resolve()), "course": course.id, "assignment": assignment.id, "due": str(assignment.due),
        "exercises": [(e.key, float(e.points), bool(e.written)) for e in exercises],
        "source": source, "roster": sorted((s.id, s.first_name, s.last_name, s.email, s.lms_id) for s in roster.values())})


def inputs_digest(course_part: str, results: bytes, penalty: LatePenalty | None) -> str:
    """The digest of everything recording one hand-in depends on: the class's ``course_part``
    (:func:`course_digest`), the hand-in's results.json bytes and its late penalty."""
    return _digest({"course": course_part, "results": hashlib.sha256(results).hexdigest(),
                    "penalty": None if penalty is None else asdict(penalty)})


def _rows(connection: sqlite3.Connection, query: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    return sorted(connection.execute(query, tuple(args)).fetchall(), key=repr)


def _in(values: Sequence[Any]) -> str:
    return "(" + ",".join("?" * len(values)) + ")"


def rows_digest(db_file: Path, assignment: str, student: str, students: Iterable[str]) -> str | None:
    """The digest of the rows recording ``student``'s ``assignment`` leaves (see the module doc); None
    when the database file is missing or cannot be read as nbgrader's gradebook."""
    if not db_file.is_file():
        return None
    people = sorted({student, *students})
    try:
        connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return None
    try:
        rows: dict[str, Any] = {
            "student": _rows(connection, f"SELECT * FROM student WHERE id IN {_in(people)}", people),
            "course": _rows(connection, "SELECT * FROM course"),
            "alembic": _rows(connection, "SELECT * FROM alembic_version"),
            "assignment": _rows(connection, "SELECT * FROM assignment WHERE name = ?", [assignment])}
        assignment_ids = [r[0] for r in rows["assignment"]]
        rows["notebook"] = _rows(connection, f"SELECT * FROM notebook WHERE assignment_id IN {_in(assignment_ids)}",
                                 assignment_ids)
        notebooks = [r[0] for r in rows["notebook"]]
        rows["base_cell"] = _rows(connection, f"SELECT * FROM base_cell WHERE notebook_id IN {_in(notebooks)}",
                                  notebooks)
        cells = [r[0] for r in rows["base_cell"]]
        for table in ("grade_cells", "solution_cells", "task_cells"):
            rows[table] = _rows(connection, f"SELECT * FROM {table} WHERE id IN {_in(cells)}", cells)
        rows["source_cell"] = _rows(connection, f"SELECT * FROM source_cell WHERE notebook_id IN {_in(notebooks)}",
                                    notebooks)
        rows["submitted_assignment"] = _rows(
            connection, f"SELECT * FROM submitted_assignment WHERE student_id = ? AND assignment_id IN "
                        f"{_in(assignment_ids)}", [student, *assignment_ids])
        submissions = [r[0] for r in rows["submitted_assignment"]]
        rows["submitted_notebook"] = _rows(
            connection, f"SELECT * FROM submitted_notebook WHERE assignment_id IN {_in(submissions)}", submissions)
        submitted = [r[0] for r in rows["submitted_notebook"]]
        for table in ("grade", "comment"):
            rows[table] = _rows(connection, f"SELECT * FROM {table} WHERE notebook_id IN {_in(submitted)}", submitted)
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if not rows["assignment"] or not rows["submitted_notebook"]:
        return None
    return _digest(rows)


def stamp_path(results_path: Path) -> Path:
    """The stamp beside a ``results.json``."""
    return Path(results_path).with_name(STAMP_FILE)


def write_stamp(results_path: Path, inputs: str, rows: str | None) -> None:
    """Keep the digests of a recording just committed (a missing rows digest removes the stamp)."""
    path = stamp_path(results_path)
    if rows is None:
        path.unlink(missing_ok=True)
        return
    write_atomically(json.dumps({"inputs": inputs, "rows": rows}).encode("utf-8"), path, prefix=".gradebook-")


def is_current(results_path: Path, inputs: str, rows: str | None) -> bool:
    """True when the stamp beside ``results_path`` holds these inputs and these rows (a missing or
    unreadable stamp, or no rows, is never current)."""
    if rows is None:
        return False
    try:
        stamp = json.loads(stamp_path(results_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("inputs") == inputs and stamp.get("rows") == rows
