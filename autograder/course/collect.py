"""Collecting hand-ins into nbgrader's layout: ``submitted/<student>/<assignment>/``.

Each collected notebook is copied to
``submitted/<student>/<assignment>/<assignment>.ipynb`` with a
``timestamp.txt`` beside it (ISO 8601, UTC) for the late policy. Sources:

1. **nbgrader's layout already in place** (``source`` omitted, or the course's
   ``submitted/`` folder): nothing is copied, the hand-ins are listed.
2. **A folder of notebooks** named by student; the time is the file's mtime.
3. **An LMS zip export**; the time is the entry's (its UTC extended
   timestamp when the zip has one, else its local time read in the
   assignment deadline's UTC offset).

A notebook belongs to the student whose roster ``id`` or ``lms_id`` appears in
its path (file name or, in a zip, its folders) as a whole part, delimited by
the start or end of the name or by ``_``, ``-``, space, ``.`` or ``/``
(case-insensitive). Accepted, for student ``alice`` (lms_id ``12345``)::

    alice.ipynb                     a folder of notebooks named by student
    alice_a1.ipynb, a1-alice.ipynb  ... with the assignment in the name
    alice_12345_67890_a1.ipynb      Canvas: <name>_<user id>_<submission id>_<file>
    alice_LATE_12345_67890_a1.ipynb Canvas, late
    Alice Smith_12345_assignsubmission_file_/a1.ipynb   Moodle: one folder per participant
    12345/a1.ipynb                  a folder per LMS id

Nothing is dropped silently: a file that matches no student, or several, or
is not a readable notebook, or is superseded by a newer notebook of the same
student, is reported in :attr:`CollectReport.problems`; so is a symbolic
link, FIFO, device, hard-linked or oversized file in a folder, and a zip entry
that is too large or inflates like a bomb (:mod:`autograder.grading.handin`
reads every hand-in). A zip with an absolute path, a ``..`` part or a symbolic
link in it is refused as a whole, and so is one that inflates beyond its total cap.
"""
from __future__ import annotations

import json
import re
import shutil
import stat
import struct
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from autograder.grading.batch import find_submissions
from autograder.grading.handin import HandinError, ZipLimits, open_handin, open_zip, read_handin, read_zip_entries
from autograder.grading.submission import MAX_NOTEBOOK_BYTES
from autograder.course.config import ROSTER_FILE, Course, Student, read_roster

TIMESTAMP_FILE = "timestamp.txt"
IGNORED = re.compile(r"(^|/)(__MACOSX|\.ipynb_checkpoints)(/|$)|(^|/)\.")
"""Zip and folder entries that are never hand-ins: macOS resource forks, checkpoints, dot files."""


class CollectError(Exception):
    """The source cannot be collected at all (missing, not a zip, unsafe zip); the message says why."""


@dataclass(frozen=True)
class Collected:
    """One hand-in now in ``submitted/``."""

    student: str
    source: str
    """Where it came from (a path, or ``zip:entry``)."""
    notebook: Path
    """``submitted/<student>/<assignment>/<assignment>.ipynb``."""
    submitted_at: str | None
    """ISO 8601 UTC, as written to timestamp.txt (None: unknown)."""


@dataclass(frozen=True)
class Problem:
    """A file that was not collected, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class CollectReport:
    """What :func:`collect` did."""

    assignment: str
    collected: tuple[Collected, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _Candidate:
    source: str
    path: str
    """The path used to match a student (a zip entry name or a file name)."""
    data: bytes
    submitted_at: datetime


# --------------------------------------------------------------------------
# Matching names to students
# --------------------------------------------------------------------------
def _pattern(token: str) -> re.Pattern[str]:
    return re.compile(r"(?:^|[_\-\s./])" + re.escape(token.lower()) + r"(?:$|[_\-\s./])")


def match_student(path: str, students: Sequence[Student]) -> list[Student]:
    """The students whose id or lms_id is a delimited part of ``path`` (extension ignored)."""
    stem = str(PurePosixPath(path).with_suffix("")).lower()
    found = []
    for student in students:
        tokens = [t for t in (student.id, student.lms_id) if t]
        if any(_pattern(t).search(stem) for t in tokens):
            found.append(student)
    return found


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------
def _zip_time(info: zipfile.ZipInfo, local: timezone) -> datetime:
    """The entry's modification time: the UTC "extended timestamp" (0x5455) if present, else
    its DOS local time read in ``local``."""
    extra = info.extra
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        body = extra[4:4 + size]
        if kind == 0x5455 and size >= 5 and body[0] & 1:
            return datetime.fromtimestamp(struct.unpack("<i", body[1:5])[0], timezone.utc)
        extra = extra[4 + size:]
    return datetime(*info.date_time, tzinfo=local)


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in parts:
        return "a '..' part"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    return None


def _from_zip(path: Path, local: timezone, limits: ZipLimits) -> Iterable[_Candidate | Problem]:
    try:
        archive = open_zip(path)
    except HandinError as err:
        raise CollectError(str(err)) from None
    with archive:
        entries = archive.infolist()
        for info in entries:
            reason = _unsafe(info)
            if reason:
                raise CollectError(f"refusing {path}: entry {info.filename!r} has {reason}; "
                                   "a genuine LMS export never does — unpack and inspect it by hand")
        notebooks = []
        for info in entries:
            name = info.filename.replace("\\", "/")
            if info.is_dir() or IGNORED.search(name):
                continue
            if not name.lower().endswith(".ipynb"):
                yield Problem(f"{path.name}:{name}", "not a notebook (.ipynb): not collected")
                continue
            notebooks.append(info)
        try:
            for entry in read_zip_entries(archive, notebooks, label=path.name, limits=limits):
                name = entry.info.filename.replace("\\", "/")
                if entry.data is None:
                    yield Problem(f"{path.name}:{name}", str(entry.refused))
                else:
                    yield _Candidate(f"{path.name}:{name}", name, entry.data, _zip_time(entry.info, local))
        except HandinError as err:
            raise CollectError(str(err)) from None


def _from_folder(folder: Path) -> Iterable[_Candidate | Problem]:
    """Every file under ``folder``; links and special files are named and refused, never followed."""
    for file in sorted(folder.rglob("*")):  # rglob does not descend into linked folders
        relative = file.relative_to(folder).as_posix()
        if IGNORED.search(relative):
            continue
        try:
            mode = file.lstat().st_mode
        except OSError as err:  # gone since the folder was listed
            yield Problem(str(file), f"cannot be read: {err.strerror or err}")
            continue
        if stat.S_ISDIR(mode):
            continue
        if stat.S_ISREG(mode) and file.suffix.lower() != ".ipynb":
            yield Problem(str(file), "not a notebook (.ipynb): not collected")
            continue
        try:
            data = read_handin(file, max_bytes=MAX_NOTEBOOK_BYTES)
        except HandinError as err:
            yield Problem(str(file), str(err))
            continue
        yield _Candidate(str(file), relative, data, datetime.fromtimestamp(file.lstat().st_mtime, timezone.utc))


def _readable(data: bytes) -> str | None:
    """Why the bytes are not a notebook, or None."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"not a readable notebook (not JSON: {err}); ask the student to hand it in again"
    except RecursionError:
        return "not a readable notebook (JSON nested too deeply); ask the student to hand it in again"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return "not a Jupyter notebook (no cells); ask the student to hand it in again"
    return None


def iso_utc(moment: datetime) -> str:
    """``2026-03-06T22:59:00+00:00``: what timestamp.txt holds."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------
# Collecting
# --------------------------------------------------------------------------
def submitted_dir(course: Course) -> Path:
    """nbgrader's ``submitted/`` folder of the course."""
    return Path(course.root) / "submitted"


def collect(course: Course, assignment: str, source: Path | None = None, *,
            students: Sequence[Student] | None = None, zip_limits: ZipLimits = ZipLimits()) -> CollectReport:
    """Bring the hand-ins of ``assignment`` from ``source`` into ``submitted/`` (see the module doc).

    ``students`` defaults to the course's roster.csv. Returns what was collected
    and every file that was not, with the reason. Files are read with
    :mod:`autograder.grading.handin` (no links, no special files, capped;
    zips streamed under ``zip_limits``).
    """
    assignment_id = course.assignment(assignment).id
    due = course.assignment(assignment).due
    if students is None:
        students = read_roster(Path(course.root) / ROSTER_FILE)
    target_root = submitted_dir(course)
    if source is None or Path(source).resolve() == target_root.resolve():
        return _list_in_place(target_root, assignment_id, students)
    source = Path(source)
    if not source.exists():
        raise CollectError(f"{source} does not exist: give a folder of notebooks or an LMS zip export")
    local = due.tzinfo if isinstance(due.tzinfo, timezone) else timezone(due.utcoffset())
    items = list(_from_zip(source, local, zip_limits) if source.is_file() else _from_folder(source))
    problems = [item for item in items if isinstance(item, Problem)]
    chosen: dict[str, tuple[Student, _Candidate]] = {}
    for candidate in (item for item in items if isinstance(item, _Candidate)):
        matches = match_student(candidate.path, students)
        if not matches:
            problems.append(Problem(candidate.source, "matches no student in the roster (by id or "
                                    "lms_id): rename it after the student or add them to roster.csv"))
            continue
        if len(matches) > 1:
            problems.append(Problem(candidate.source, "matches several students ("
                                    + ", ".join(s.id for s in matches) + "): rename it after one"))
            continue
        reason = _readable(candidate.data)
        if reason:
            problems.append(Problem(candidate.source, reason))
            continue
        student = matches[0]
        earlier = chosen.get(student.id)
        if earlier is not None:
            older, newer = sorted((earlier[1], candidate), key=lambda c: (c.submitted_at, c.source))
            problems.append(Problem(older.source, f"superseded by {newer.source} (newer hand-in of "
                                    f"{student.id}): not collected"))
            candidate = newer
        chosen[student.id] = (student, candidate)
    collected = [_write(target_root, assignment_id, student, candidate)
                 for student, candidate in (chosen[k] for k in sorted(chosen))]
    return CollectReport(assignment_id, tuple(collected), tuple(problems))


def _write(root: Path, assignment: str, student: Student, candidate: _Candidate) -> Collected:
    folder = root / student.id / assignment
    if folder.exists():
        shutil.rmtree(folder)  # a re-collect replaces the earlier hand-in entirely
    folder.mkdir(parents=True)
    notebook = folder / f"{assignment}.ipynb"
    notebook.write_bytes(candidate.data)
    stamp = iso_utc(candidate.submitted_at)
    (folder / TIMESTAMP_FILE).write_text(stamp + "\n", encoding="utf-8")
    return Collected(student.id, candidate.source, notebook, stamp)


def _list_in_place(root: Path, assignment: str, students: Sequence[Student]) -> CollectReport:
    known = {s.id for s in students}
    collected, problems = [], []
    for submission in find_submissions(root, assignment):
        if submission.problem:  # several notebooks, none named like the assignment: named here
            problems.append(Problem(str(submission.notebook), submission.problem))
        else:
            try:  # listed, and graded as an error result; named here so that it can be fixed first
                open_handin(submission.notebook).close()
            except HandinError as err:
                problems.append(Problem(str(submission.notebook), str(err)))
        if submission.student not in known:
            problems.append(Problem(str(submission.notebook), f"student {submission.student!r} is not "
                                    "in roster.csv: add them (it will still be graded)"))
        collected.append(Collected(submission.student, str(submission.notebook), submission.notebook,
                                   submission.submitted_at))
    for folder in sorted(root.glob(f"*/{assignment}")):
        if folder.is_dir() and not any(folder.glob("*.ipynb")):
            problems.append(Problem(str(folder), "holds no notebook (.ipynb): nothing to grade"))
    return CollectReport(assignment, tuple(collected), tuple(problems))

