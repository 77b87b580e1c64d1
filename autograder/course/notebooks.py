"""Assignment notebooks in nbgrader's format: the instructor's source and the student's version.

The source notebook of an assignment, for one set of variants, is::

    intro        markdown, locked       title, deadline, points, how to work
    dlcheck      code, locked (Jupyter  defines the module ``dlcheck`` from the library's source
                 metadata only)         and the public checks of this variant (a JSON literal):
                                        nothing beside the notebook is needed, nothing is written
    setup        code, unmarked         `import numpy as np` (the grader runs it too)
    per exercise, in course.toml order:
      <ex>_prompt    markdown, locked   exercise.prompt(params): concept, formula, the ask
      <ex>_solution  code, solution     ### BEGIN SOLUTION ... ### END SOLUTION
      <ex>_plot      code, locked       exercise.plot_cell() (optional; never graded)
      <ex>_check     code, grade, locked, points = exercise.points, tag raises-exception:
                         from dlcheck import check
                         check("<key>", globals());
                         ### BEGIN HIDDEN TESTS
                         import dlcheck
                         from autograder.grading.inkernel import run_hidden_checks
                         run_hidden_checks("<key>", globals(), dlcheck.PUBLIC_CHECKS)
                         ### END HIDDEN TESTS
    a written answer (:mod:`exercises.written`) has, after its prompt, instead of the
    solution and check cells:
      <ex>_answer    markdown, solution + grade, points: the model answer (the
                     student's version: YOUR ANSWER HERE); graded by hand

The check cell prints its report and raises AssertionError when a public
check fails, so Run All and ``nbgrader validate`` show the failure (the tag
lets Run All go on to the next exercise).
The dlcheck cell has no nbgrader metadata, so nbgrader's autograde keeps the
student's copy (their variant) instead of the source's; dlgrade's grader skips
it by its role (:data:`autograder.grading.submission.CHECK_LIBRARY_ROLE`).

(``<ex>`` is the exercise key with ``.`` → ``_``, e.g. ``a2_sigmoid``.) Cell
metadata follows nbgrader's schema v3, plus ``metadata.dlgrade = {role,
exercise}`` so dlgrade's grader knows every cell's job without parsing source.
The hidden-tests region is for nbgrader's own autograde (the benchmark
baseline); dlgrade's grader never runs check cells. The student's version is
the source with nbgrader's ClearSolutions, ClearHiddenTests, LockCells and
ComputeChecksums applied, as ``nbgrader generate_assignment`` does.

Same inputs give identical bytes: keys sorted, no timestamps, cell ids = grade ids.

``grade serve`` with ``[serve] submit_cell = true`` appends one more locked cell
to the notebook it hands out, ``<a>_submit`` (:func:`submit_cell`): it POSTs the
saved notebook to the service with the student's token. The grader never runs
it (locked, neither a solution nor an added cell).
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

import nbformat
from nbformat import NotebookNode

from autograder.course.config import Assignment
from autograder.grading.submission import CHECK_LIBRARY_ROLE
from exercises import dlcheck
from exercises.model import Exercise, reference_namespace
from exercises.verify import record_public_checks, solution_cells
from exercises.written import ANSWER_ROLE

FORMAT = 1
"""Version of the dlgrade notebook layout (``metadata.dlgrade.format``)."""
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKERS = (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
SETUP_CODE = "import math\n\nimport numpy as np"
INSTRUCTOR = "instructor"
"""The pseudo-student whose variant the source notebook shows."""
PUBLIC_CHECKS_FORMAT = 1
RAISES = "raises-exception"
"""Cell tag: Jupyter's Run All (and nbclient) go on past an error in this cell."""


class NotebookError(Exception):
    """A notebook cannot be built or cleared; the message names the cell."""


def cell_id(exercise_key: str, role: str) -> str:
    """The grade_id (and cell id) of an exercise's cell: ``a2.sigmoid``, ``check`` → ``a2_sigmoid_check``."""
    return f"{exercise_key.replace('.', '_')}_{role}"


def check_cell_source(exercise_key: str) -> str:
    """The check cell: public checks from dlcheck, then the hidden region for nbgrader's autograde."""
    key = json.dumps(exercise_key)
    return "\n".join([
        "from dlcheck import check",
        f"check({key}, globals());",
        BEGIN_HIDDEN,
        "# nbgrader's autograde only: every check of the exercise, run in this kernel",
        "import dlcheck",
        "from autograder.grading.inkernel import run_hidden_checks",
        f"run_hidden_checks({key}, globals(), dlcheck.PUBLIC_CHECKS)",
        END_HIDDEN,
    ])


def check_library_source(public_checks: Mapping[str, Any]) -> str:
    """The dlcheck cell: defines the module ``dlcheck`` (the library's own source) holding ``public_checks``.

    No name is left in the notebook's globals (the grader does not run this
    cell, so an answer must not come to depend on one) and nothing is written
    to disk: the module lives in ``sys.modules`` only. ``public_checks`` is
    what the public check cells replay: the variant, the public checks'
    source and the reference values they compare with, never a hidden check.
    """
    library = Path(dlcheck.__file__).read_text(encoding="utf-8")
    # Carried as a raw triple-quoted literal, so a student reads the library as it is written.
    if "'''" in library or library.endswith(("\\", "'")):
        raise NotebookError(f"{dlcheck.__file__} cannot be carried in a raw '''-string: it holds ''' "
                            "or ends with a backslash or a quote; use \"\"\" for its strings")
    # JSON in a raw string too; an apostrophe (only ever inside a JSON string) as its \\u0027 escape,
    # so the data can hold no ''' nor end the literal early.
    data = json.dumps(public_checks, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("'", "\\u0027")
    return "\n".join([
        "# The check library (dlcheck) and your public checks, so that the check cells need nothing",
        "# beside this notebook (numpy only). Run this cell first (Run All does); do not edit it.",
        "def _define_dlcheck(library, public_checks):",
        "    import json, sys, types",
        "    module = types.ModuleType(\"dlcheck\")",
        "    sys.modules[\"dlcheck\"] = module",
        "    exec(compile(library, \"dlcheck.py\", \"exec\"), module.__dict__)",
        "    module.PUBLIC_CHECKS = json.loads(public_checks)",
        "",
        "",
        f"_define_dlcheck(r'''{library}''', r'''{data}''')",
        "del _define_dlcheck",
    ])


def _cell(kind: str, source: str, grade_id: str, role: str, exercise: str | None = None, *,
          grade: bool = False, solution: bool = False, locked: bool = False,
          points: float | None = None, nbgrader: bool = True) -> NotebookNode:
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source.rstrip("\n"))
    cell.id = grade_id
    cell.metadata["dlgrade"] = {"role": role, **({"exercise": exercise} if exercise else {})}
    if nbgrader:
        meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                "solution": solution, "task": False}
        if grade:
            meta["points"] = int(points) if float(points).is_integer() else float(points)
        cell.metadata["nbgrader"] = meta
    return cell


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def intro_markdown(course_name: str, assignment: Assignment, exercises: Sequence[Exercise]) -> str:
    """The title cell: what the assignment is, when it is due and how to work in the notebook."""
    total = sum(e.points for e in exercises)
    listing = "\n".join(f"{n}. {e.title} ({_points(e.points)})" for n, e in enumerate(exercises, 1))
    return f"""\
# {assignment.id} · {assignment.title}

{course_name} · due {assignment.due.isoformat(sep=" ", timespec="minutes")} · {_points(total)}

{listing}

**How to work.** Each exercise explains a concept and asks for one thing. Write your
answer in the cell marked `# YOUR CODE HERE` (replace `raise NotImplementedError()`),
run it, then run the check cell below it: it runs the public checks on your answer and
says what to fix. Hidden checks (other inputs, edge cases) run when you hand in.
The first code cell holds the checks: run it first (Run All does). A check cell that
finds a mistake ends in an AssertionError; keep the names of the functions and
variables you are asked for."""


def _check_library_cell(public_checks: Mapping[str, Any]) -> NotebookNode:
    cell = _cell("code", check_library_source(public_checks), "dlcheck", CHECK_LIBRARY_ROLE, nbgrader=False)
    # Locked for Jupyter only: nbgrader metadata would make its autograde put the source's
    # (the instructor's) variant in place of the student's. Collapsed: students need not read it.
    cell.metadata.update({"editable": False, "deletable": False, "jupyter": {"source_hidden": True}})
    return cell


def public_checks(assignment_id: str, exercises: Sequence[Exercise], params: Mapping[str, dict],
                  student: str) -> dict:
    """The public checks of one student's notebook: each exercise's title, variant and public checks
    with the reference results they replay (recorded by running the model answer)."""
    with contextlib.redirect_stdout(io.StringIO()):  # what the model answers print stays off the terminal
        ref = reference_namespace(solution_cells(exercises, params))
        recorded = {e.key: record_public_checks(e, params[e.key], ref) for e in exercises}
    return {
        "format": PUBLIC_CHECKS_FORMAT,
        "assignment": assignment_id,
        "student": student,
        "exercises": {e.key: {"title": e.title, "params": dlcheck.to_jsonable(params[e.key]),
                              "checks": recorded[e.key]}
                      for e in exercises},
    }


def build_notebook(course_name: str, assignment: Assignment, exercises: Sequence[Exercise],
                   params: Mapping[str, dict], *, student: str = INSTRUCTOR) -> NotebookNode:
    """The source notebook of ``assignment`` for one set of variants (``params`` by exercise key).

    Its dlcheck cell carries :func:`public_checks` for ``student`` and ``params``.
    """
    cells = [_cell("markdown", intro_markdown(course_name, assignment, exercises), "intro", "intro",
                   locked=True),
             _check_library_cell(public_checks(assignment.id, exercises, params, student)),
             _cell("code", SETUP_CODE, "setup", "setup", nbgrader=False)]
    for number, exercise in enumerate(exercises, start=1):
        key, variant = exercise.key, params[exercise.key]
        heading = f"## {number} · {exercise.title} ({_points(exercise.points)})\n\n"
        cells.append(_cell("markdown", heading + exercise.prompt(variant), cell_id(key, "prompt"),
                           "prompt", key, locked=True))
        if exercise.written:
            cells.append(_cell("markdown", exercise.written.model_answer, cell_id(key, ANSWER_ROLE),
                               ANSWER_ROLE, key, grade=True, solution=True, points=exercise.points))
            continue
        cells.append(_cell("code", exercise.solution_cell(variant), cell_id(key, "solution"),
                           "solution", key, solution=True))
        plot = exercise.plot_cell()
        if plot:
            cells.append(_cell("code", plot, cell_id(key, "plot"), "plot", key, locked=True))
        check = _cell("code", check_cell_source(key), cell_id(key, "check"), "check", key,
                      grade=True, locked=True, points=exercise.points)
        check.metadata["tags"] = [RAISES]  # it fails loudly; Run All goes on to the next exercise
        cells.append(check)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = nbformat.from_dict({
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "dlgrade": {"assignment": assignment.id, "format": FORMAT,
                    "exercises": [e.key for e in exercises]},
    })
    return notebook


def variant_digest(params: Mapping[str, dict]) -> str:
    """A short hash of a student's variants (shown in the released notebook, reveals nothing)."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------
# The student's version
# --------------------------------------------------------------------------
def check_markers(cell: NotebookNode) -> None:
    """Raise :class:`NotebookError` naming the cell when a BEGIN/END region is unbalanced or nested."""
    name = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id", "?")
    for begin, end in MARKERS:
        open_line = 0
        for number, line in enumerate(cell.source.split("\n"), start=1):
            if begin in line:
                if open_line:
                    raise NotebookError(f"cell {name!r} line {number}: {begin} inside the region opened "
                                        f"on line {open_line}; close it with ### {end} first")
                open_line = number
            elif end in line:
                if not open_line:
                    raise NotebookError(f"cell {name!r} line {number}: ### {end} without a ### {begin} "
                                        "before it")
                open_line = 0
        if open_line:
            raise NotebookError(f"cell {name!r} line {open_line}: ### {begin} is never closed; "
                                f"add ### {end}")


def _nbgrader_preprocessors() -> list[Any]:
    # nbgrader takes ~2 s to import: only here, when a notebook is cleared.
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, ComputeChecksums, LockCells
    stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    return [LockCells(), ClearSolutions(code_stub=stub), ClearHiddenTests(), ComputeChecksums()]


def student_version(source: NotebookNode, student: str, params: Mapping[str, dict]) -> NotebookNode:
    """The notebook a student receives: solutions and hidden tests removed, cells locked.

    Applies nbgrader's LockCells, ClearSolutions, ClearHiddenTests and
    ComputeChecksums (the order of ``nbgrader generate_assignment``) to a copy
    of ``source``, after checking every cell's markers, and records the student
    and a hash of their variant in ``metadata.dlgrade``.
    """
    notebook = copy.deepcopy(source)
    for cell in notebook.cells:
        check_markers(cell)
    resources: dict[str, Any] = {"language": notebook.metadata.kernelspec.language}
    for preprocessor in _nbgrader_preprocessors():
        for index, cell in enumerate(notebook.cells):
            try:
                preprocessor.preprocess_cell(cell, resources, index)
            except RuntimeError as err:
                raise NotebookError(f"cell {cell.get('id', index)!r}: {err}") from None
    for cell in notebook.cells:
        role = cell.metadata.get("dlgrade", {}).get("role")
        # A stubbed top-level answer raises, and a plot of an unfinished function fails:
        # neither should stop Run All before the check cells.
        stub_raises = role == "solution" and "\nraise NotImplementedError()" in "\n" + cell.source
        if stub_raises or role == "plot":
            cell.metadata["tags"] = [RAISES]
        leftover = [m for pair in MARKERS for m in pair if m in cell.source]
        if leftover:
            raise NotebookError(f"cell {cell.id!r} still holds {leftover[0]!r} after clearing")
    notebook.metadata.dlgrade["student"] = student
    notebook.metadata.dlgrade["variant"] = variant_digest(params)
    return notebook


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def notebook_bytes(notebook: NotebookNode) -> bytes:
    """The notebook as the bytes of an .ipynb file (validated; sorted keys, so deterministic)."""
    nbformat.validate(notebook)
    return nbformat.writes(notebook, version=4).encode("utf-8") + b"\n"


def write_notebook(notebook: NotebookNode, path: Path) -> Path:
    """Write ``notebook`` to ``path`` (creating folders); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(notebook_bytes(notebook))
    return path


# --------------------------------------------------------------------------
# The submit cell (grade serve, [serve] submit_cell = true)
# --------------------------------------------------------------------------
SUBMIT_ROLE = "submit"
SUBMIT_CODE = '''\
# Hand in this notebook to the course's grading service. SAVE THE NOTEBOOK FIRST (Ctrl-S, or File > Save):
# what is sent is the .ipynb file as saved on disk, not what you see on screen. This cell is never graded.
SERVICE = {service!r}
ASSIGNMENT = {assignment!r}
TOKEN = {token!r}  # your personal token: whoever has it (or this notebook) can hand in as you


def _hand_in():
    import getpass, glob, json, os, time, urllib.error, urllib.request

    token = TOKEN or getpass.getpass("Your personal token (the last part of your personal link): ").strip()
    names = [os.environ.get("JPY_SESSION_NAME", ""), str(globals().get("__session__", "")), ASSIGNMENT + ".ipynb"]
    path = next((name for name in names if name.endswith(".ipynb") and os.path.isfile(name)), None)
    if path is None:  # renamed: the newest notebook of this assignment in the working folder
        mine = []
        for name in glob.glob("*.ipynb"):
            try:
                with open(name, encoding="utf-8") as handle:
                    meta = json.load(handle).get("metadata", {{}}).get("dlgrade", {{}})
            except (OSError, ValueError, AttributeError):
                continue
            if isinstance(meta, dict) and meta.get("assignment") == ASSIGNMENT:
                mine.append(name)
        path = max(mine, key=os.path.getmtime, default=None)
    if path is None:
        print(f"Not handed in: no {{ASSIGNMENT}} notebook in {{os.getcwd()}}. Save it, then run this cell again.")
        return
    with open(path, "rb") as handle:
        data = handle.read()
    saved = time.strftime("%H:%M:%S", time.localtime(os.path.getmtime(path)))
    print(f"Handing in {{path}} as saved at {{saved}} ({{len(data)}} bytes)...")

    def call(url, body=None):
        request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST", headers={{
            "Authorization": "Bearer " + token, "Content-Type": "application/json"}})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)

    def why(err):
        if isinstance(err, urllib.error.HTTPError):
            try:
                return f"the service answered {{err.code}}: {{json.load(err).get('error', err.reason)}}"
            except ValueError:
                return f"the service answered {{err.code}} {{err.reason}}"
        return f"cannot reach {{SERVICE}} ({{err}}); try again in a moment"

    try:
        submission = call(f"{{SERVICE}}/api/assignments/{{ASSIGNMENT}}/submissions", data)
    except (OSError, ValueError) as err:
        print("Not handed in: " + why(err))
        return
    print(f"Handed in: hand-in #{{submission['id']}} is stored and queued for grading.")
    status = {{"status": submission.get("status", "queued"), "feedback_url": f"/attempts/{{submission['id']}}"}}
    try:
        for _ in range(120):
            status = call(f"{{SERVICE}}/api/submissions/{{submission['id']}}")
            if status["status"] in ("graded", "failed"):
                break
            time.sleep(1)
    except (OSError, ValueError) as err:
        print("The status could not be read: " + why(err))
    points = f": {{status['points']:g}} / {{status['max_points']:g}} points" if status.get("points") is not None else ""
    print(f"Status: {{status['status']}}{{points}}")
    print(f"Feedback: {{SERVICE}}{{status['feedback_url']}} (sign in with your personal link first)")


_hand_in()
'''


def submit_cell(assignment_id: str, service_url: str, token: str = "") -> NotebookNode:
    """The locked cell that hands the saved notebook in to ``service_url`` (stdlib ``urllib`` only).

    With ``token`` empty, the cell asks for it when run. The values are written as Python literals
    (``repr``), so no text given here can become code. Like every locked cell it carries nbgrader's
    checksum, and the grader never runs it (it is neither a solution nor an added cell).
    """
    from nbgrader.utils import compute_checksum

    if not service_url.startswith(("http://", "https://")):
        raise ValueError(f"the service URL {service_url!r} must start with http:// or https://")
    source = SUBMIT_CODE.format(service=service_url.rstrip("/"), assignment=assignment_id, token=token)
    cell = _cell("code", source, cell_id(assignment_id, SUBMIT_ROLE), SUBMIT_ROLE, locked=True)
    cell.metadata.update({"editable": False, "deletable": False})
    cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
    return cell


def with_submit_cell(data: bytes, assignment_id: str, service_url: str, token: str = "") -> bytes:
    """A released notebook's bytes with :func:`submit_cell` appended (as the notebook's last cell)."""
    notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    notebook.cells.append(submit_cell(assignment_id, service_url, token))
    return notebook_bytes(notebook)
