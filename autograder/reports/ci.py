"""Grading one notebook in CI and writing what the CI system reads (``grade ci``'s library;
the click command is :mod:`autograder.cli.ci`).

One run grades one notebook and writes the requested formats
(:mod:`autograder.reports.ci_formats` renders them):

``github``
    ``result=<base64>`` appended to the file named by ``$GITHUB_OUTPUT`` (the
    step output the classroom grading reporter reads) and a markdown summary
    appended to ``$GITHUB_STEP_SUMMARY`` when that is set;
``gradescope``
    the notebook is taken from ``<root>/submission/`` and the results written
    to ``<root>/results/results.json`` (``root`` is ``/autograder`` on Gradescope);
``junit``
    ``<out>/junit.xml``.

The exit code is :data:`EXIT_GRADED` (0) whenever the notebook was graded,
whatever the score, and :data:`EXIT_NOT_GRADED` (1) only when grading could not
run (no notebook, an unreadable notebook, a course that does not load); the
outputs are written in both cases and say what went wrong.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import autograder
from autograder.reports.escape import json_text, terminal_text
from autograder.reports.ci_formats import (GRADESCOPE_VISIBILITIES, github_classroom_output, gradescope_results,
                                   junit_xml, summary_markdown, summary_text)
from autograder.grading.handin import HandinError, read_handin
from autograder.grading.results import SubmissionResult
from autograder.grading.submission import MAX_NOTEBOOK_BYTES

FORMATS = ("github", "gradescope", "junit")
GRADESCOPE_ROOT = Path("/autograder")
EXIT_GRADED, EXIT_NOT_GRADED = 0, 1


class NotGradable(Exception):
    """Grading cannot start; the message says what is missing and what to do."""


# --------------------------------------------------------------------------- inputs

def gradescope_notebook(root: Path, assignment: str) -> Path:
    """The single ``.ipynb`` in ``<root>/submission/`` (searched recursively, checkpoints ignored).

    When several are there and exactly one has the assignment id in its
    name, that one is taken; otherwise :class:`NotGradable` names them all.
    """
    folder = Path(root) / "submission"
    if not folder.is_dir():
        raise NotGradable(f"no submission folder {folder}: is this running inside Gradescope's "
                          "autograder (or is --gradescope-root wrong)?")
    found = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if len(found) > 1:
        named = [p for p in found if assignment.lower() in p.name.lower()]
        found = named if len(named) == 1 else found
    if not found:
        raise NotGradable(f"no .ipynb notebook in the submission ({folder}): "
                          f"upload your {assignment} notebook file (.ipynb), not a PDF or a zip of it")
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in found)
        raise NotGradable(f"{len(found)} notebooks in the submission ({names}): "
                          f"submit only your {assignment} notebook")
    return found[0]


def gradescope_submitter(root: Path) -> dict[str, str]:
    """The first submitter's ``email`` and ``id`` from ``<root>/submission_metadata.json`` ({} if none)."""
    path = Path(root) / "submission_metadata.json"
    try:
        users = json.loads(path.read_text(encoding="utf-8")).get("users") or []
    except (OSError, ValueError, AttributeError):
        return {}
    first = users[0] if users and isinstance(users[0], dict) else {}
    return {key: str(first[key]) for key in ("email", "id") if first.get(key) not in (None, "")}


def roster_student(course: Any, submitter: Mapping[str, str]) -> str | None:
    """The roster id of a Gradescope submitter: the roster row with their email (or lms_id = their id).

    Variants are drawn for roster ids, so this is the id to grade as; without
    a roster (or a match) it is the submitter's email, else their Gradescope id.
    """
    from autograder.course.config import ROSTER_FILE, CourseError, read_roster

    roster_path = Path(getattr(course, "root", ".")) / ROSTER_FILE
    if submitter and roster_path.is_file():
        email, gradescope_id = submitter.get("email", "").casefold(), submitter.get("id")
        try:
            roster = read_roster(roster_path)
        except CourseError as err:
            raise NotGradable(f"{err} (the instructor must fix the roster shipped with the course)") from err
        for row in roster:
            if (email and row.email.casefold() == email) or (gradescope_id and row.lms_id == gradescope_id):
                return row.id
    return submitter.get("email") or submitter.get("id")


def released_for(notebook: Path) -> str | None:
    """The student id a released notebook records in ``metadata.dlgrade.student`` (None if unreadable)."""
    try:
        raw = read_handin(Path(notebook), max_bytes=MAX_NOTEBOOK_BYTES)
        value = json.loads(raw.decode("utf-8"))["metadata"]["dlgrade"]["student"]
    except (HandinError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def load_course_from(course: Any) -> Any:
    """``course`` itself, or the course loaded from its folder; :class:`NotGradable` when it does not load."""
    if not isinstance(course, (str, os.PathLike)):
        return course
    from autograder.course.config import CourseError, load_course

    try:
        return load_course(Path(course))
    except CourseError as err:
        raise NotGradable(f"cannot load the course ({err}); the instructor must fix the course "
                          "or the --course option") from err


def grade_submission(notebook: Path, *, course: Any, assignment: str, student: str,
                     env: Mapping[str, str], echo: Callable[[str], None] = print) -> SubmissionResult:
    """Grade on the student's variant with :func:`autograder.grading.engine.grade_notebook`.

    The exercises come from the course's assignment, the secret from
    ``$DLGRADE_SECRET`` (or the course's secret file). The engine is imported
    here, so tests can replace ``autograder.grading.engine.grade_notebook``.
    """
    from autograder.grading import engine
    from autograder.course.config import DEMO_SECRET_WARNING, CourseError, assignment_exercises, resolve_secret
    from autograder.course.privacy import make_course_private

    try:
        chosen = course.assignment(assignment)
        exercises = assignment_exercises(chosen)
        secret = resolve_secret(course, env)
    except CourseError as err:
        raise NotGradable(f"{err} (the instructor must fix the course or the CI secret)") from err
    if secret.is_demo:
        echo(f"warning: {DEMO_SECRET_WARNING}")
    try:
        note = make_course_private(course.root)  # before any student code runs (trust invariant 6)
    except PermissionError as err:
        raise NotGradable(str(err)) from None
    if note:
        echo(f"note: {note}")
    return engine.grade_notebook(notebook, assignment=assignment, student=student,
                                 exercises=exercises, secret=secret.value,
                                 follow_through=chosen.follow_through)


# --------------------------------------------------------------------------- outputs

def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(text)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_outputs(result: SubmissionResult, formats: Sequence[str], *, out_dir: Path,
                  gradescope_root: Path, env: Mapping[str, str],
                  hidden_visibility: str = "after_due_date") -> list[str]:
    """Write every requested format; returns one line per file written, for the log."""
    written = []
    if "github" in formats:
        output = env.get("GITHUB_OUTPUT")
        target = Path(output) if output else Path(out_dir) / "github-output.txt"
        _append(target, f"result={github_classroom_output(result)}\n")
        written.append(f"GitHub Classroom result -> {target}"
                       + ("" if output else " ($GITHUB_OUTPUT is not set: not running in GitHub Actions?)"))
        if env.get("GITHUB_STEP_SUMMARY"):
            _append(Path(env["GITHUB_STEP_SUMMARY"]), summary_markdown(result) + "\n")
            written.append(f"step summary -> {env['GITHUB_STEP_SUMMARY']}")
    if "gradescope" in formats:
        target = Path(gradescope_root) / "results" / "results.json"
        data = gradescope_results(result, hidden_visibility=hidden_visibility)
        _write_atomically(target, json_text(data, indent=2) + "\n")
        written.append(f"Gradescope results -> {target}")
    if "junit" in formats:
        target = Path(out_dir) / "junit.xml"
        _write_atomically(target, junit_xml(result))
        written.append(f"JUnit XML -> {target}")
    return written


# --------------------------------------------------------------------------- the run

def not_graded(student: str | None, assignment: str, reason: str) -> SubmissionResult:
    """A result with no checks that says why grading could not run (every format shows the reason)."""
    return SubmissionResult(student=student or "unknown", assignment=assignment, exercises=(),
                            error=reason, grader_version=autograder.__version__)


def run_ci(notebook: Path | None, *, course: Any, assignment: str, student: str | None,
           formats: Sequence[str], out_dir: Path = Path("."), gradescope_root: Path = GRADESCOPE_ROOT,
           env: Mapping[str, str] = os.environ, hidden_visibility: str = "after_due_date",
           echo: Callable[[str], None] = print) -> int:
    """Grade ``notebook`` and write ``formats``; returns the process exit code.

    Parameters
    ----------
    notebook : Path or None
        The student's notebook; ``None`` in Gradescope mode takes the single
        notebook in ``<gradescope_root>/submission/``.
    course : Course or path
        The course, or its folder (the one holding course.toml), loaded with
        :func:`autograder.course.config.load_course`.
    student : str or None
        The student id the variant was drawn for; ``None`` in Gradescope mode
        takes the submitter from ``submission_metadata.json``.
    formats : sequence of {"github", "gradescope", "junit"}

    Returns
    -------
    int
        :data:`EXIT_GRADED` when graded (any score), else :data:`EXIT_NOT_GRADED`.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown CI format(s) {', '.join(unknown)}: choose from {', '.join(FORMATS)}")
    if hidden_visibility not in GRADESCOPE_VISIBILITIES:
        raise ValueError(f"hidden visibility {hidden_visibility!r} is not one of "
                         f"{', '.join(GRADESCOPE_VISIBILITIES)}")
    gradescope = "gradescope" in formats
    try:
        loaded = load_course_from(course)
        if student is None and gradescope:
            student = roster_student(loaded, gradescope_submitter(gradescope_root))
        if student is None:
            raise NotGradable("no student id: pass --student (in Gradescope it is read from "
                              "submission_metadata.json, which was not found or names nobody)")
        if notebook is None:
            if not gradescope:
                raise NotGradable("no notebook given: pass the notebook's path")
            notebook = gradescope_notebook(gradescope_root, assignment)
        if not Path(notebook).is_file():
            raise NotGradable(f"no notebook at {notebook}: commit your {assignment} notebook "
                              "under this name (or fix the path in the workflow)")
        try:  # a link (to the autograder's files?), a special or an oversized file is not graded at all
            read_handin(Path(notebook), max_bytes=MAX_NOTEBOOK_BYTES)
        except HandinError as err:
            raise NotGradable(str(err)) from None
        owner = released_for(Path(notebook))
        if owner is not None and owner != student:
            echo(terminal_text(f"warning: this notebook was released for {owner!r} but is graded as "
                               f"{student!r}'s variant: its answers will not match unless --student is "
                               "the roster id"))
        result = grade_submission(Path(notebook), course=loaded, assignment=assignment,
                                  student=student, env=env, echo=echo)
    except NotGradable as err:
        result = not_graded(student, assignment, str(err))
    except Exception as err:  # a grader failure must still leave results the CI system can show
        traceback.print_exc(file=sys.stderr)
        result = not_graded(student, assignment, f"the grader failed ({type(err).__name__}: {err}); "
                                                 "this is not your fault: tell your instructor")
    for line in write_outputs(result, formats, out_dir=Path(out_dir), gradescope_root=Path(gradescope_root),
                              env=env, hidden_visibility=hidden_visibility):
        echo(terminal_text(line))
    echo(terminal_text(summary_text(result).rstrip("\n")))
    return EXIT_NOT_GRADED if result.error else EXIT_GRADED
