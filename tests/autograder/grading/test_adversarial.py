"""The adversarial corpus: hostile and broken submissions, each with the exact score it must get.

Every case is a notebook graded by the real engine (sandboxed worker, checks in
the grader) on the two-function exercise in ``zz_pair.py``: ``double`` and
``square`` are worth 2 points each, so the score says exactly which function
was accepted. None may earn a point it did not earn by a correct
implementation; the grader must survive every one and leave no process behind.
"""
from __future__ import annotations

import base64
import json
import re
import textwrap
import os
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

import reference
from autograder.grading.batch import Submission, grade_class
from autograder.grading.engine import grade_notebook
from autograder.sandbox.handle import Limits, bwrap_problem, zygote_pids
from exercises.model import load_exercise
from tests.autograder.grading import zz_pair

EXERCISE = load_exercise(zz_pair)
LIMITS = Limits(call_timeout=1.0, cells_timeout=3.0, submission_budget=30.0)
SECRET = b"adversarial-secret"
PLANTED = "planted-grader-secret-" + uuid.uuid4().hex
REPOSITORY_FILE = Path(reference.__file__).with_name("neurons.py")
MODES = ["none"] + ([] if bwrap_problem() else ["bwrap"])

IMPORT = "import numpy as np"
DOUBLE = "def double(x):\n    return 2 * np.asarray(x, dtype=float)\n"
SQUARE = "def square(x):\n    return np.asarray(x, dtype=float) ** 2\n"


def square_that(body: str, prelude: str = "") -> list[str]:
    """A notebook with a correct double and a square whose body is ``body``."""
    return [IMPORT, DOUBLE, prelude + "def square(x):\n" + "\n".join("    " + line for line in body.splitlines())]


SOLUTION_META = {"nbgrader": {"solution": True, "grade": False, "locked": False,
                              "grade_id": "answer", "schema_version": 3}}
CHECK_META = {"nbgrader": {"solution": False, "grade": True, "locked": True, "points": 4,
                           "grade_id": "checks", "schema_version": 3}}


def write_notebook(path: Path, cells: list[str], check_source: str = "check('zz.pair', globals())") -> Path:
    """A notebook in the released layout: one solution cell per entry, then a locked check cell."""
    notebook = nbformat.v4.new_notebook(metadata={"dlgrade": {"assignment": "zz"}})
    notebook.cells = [nbformat.v4.new_markdown_cell("Double and square")]
    for index, source in enumerate(cells):
        meta = json.loads(json.dumps(SOLUTION_META))
        meta["nbgrader"]["grade_id"] = f"answer{index}"
        notebook.cells.append(nbformat.v4.new_code_cell(source, metadata=meta))
    notebook.cells.append(nbformat.v4.new_code_cell(check_source, metadata=CHECK_META))
    nbformat.write(notebook, path)
    return path


def grade(tmp_path: Path, cells: list[str], sandbox: str, **notebook_options):
    notebook = write_notebook(tmp_path / "submission.ipynb", cells, **notebook_options)
    return grade_notebook(notebook, assignment="zz", student="mallory", exercises=[EXERCISE],
                          secret=SECRET, limits=LIMITS, sandbox=sandbox)


CORPUS = {
    # name: (cells, points)
    "correct": ([IMPORT, DOUBLE, SQUARE], 4),
    "infinite loop in one function": (square_that("while True:\n    pass"), 2),
    "time.sleep": (square_that("time.sleep(100)", "import time\n"), 2),
    "memory bomb": (square_that("block = bytearray(64 * 2**30)\nreturn x"), 2),
    "growing memory bomb": (square_that("blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))"), 2),
    "fork bomb": (square_that("while True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                              "import os\n"), 2),
    "deep recursion": (square_that("return square(x)"), 2),
    "sys.exit": (square_that("sys.exit(0)", "import sys\n"), 2),
    "os._exit": (square_that("os._exit(3)", "import os\n"), 2),
    "segfault via ctypes": (square_that("ctypes.string_at(0)", "import ctypes\n"), 2),
    "prints megabytes": ([IMPORT, "def double(x):\n    print('x' * 5_000_000)\n    return 2 * np.asarray(x, dtype=float)",
                          SQUARE], 4),
    "forged protocol frames on every descriptor": (square_that(
        "frame = b'{\"id\": 1, \"value\": 1.0}'\n"
        "for fd in range(256):\n"
        "    for data in (len(frame).to_bytes(4, 'big') + frame, len(frame).to_bytes(8, 'big') + frame):\n"
        "        try:\n            os.write(fd, data)\n        except OSError:\n            pass\n"
        "return 'forged'", "import os\n"), 2),
    "numpy.allclose and numpy.testing monkeypatched": (
        [IMPORT, "import numpy.testing\nnp.allclose = lambda *a, **k: True\n"
                 "np.testing.assert_allclose = lambda *a, **k: None\nnp.array_equal = lambda *a, **k: True",
         DOUBLE, "def square(x):\n    return x"], 2),
    "__eq__ always true": (square_that("return Liar()", "class Liar:\n    def __eq__(self, other):\n"
                                       "        return True\n    __hash__ = object.__hash__\n"), 2),
    "__array__ raises": (square_that("return Bad()", "class Bad:\n    def __array__(self, *a, **k):\n"
                                     "        raise RuntimeError('no')\n"), 2),
    "float subclass that lies": (square_that("return [Liar(v) for v in x]",
                                             "class Liar(float):\n    def __eq__(self, other):\n        return True\n"
                                             "    __hash__ = float.__hash__\n"), 2),
    "returns a list of the right numbers": ([IMPORT, "def double(x):\n    return [2 * v for v in x]", SQUARE], 4),
    "returns a tuple of the right numbers": ([IMPORT, "def double(x):\n    return tuple(2 * v for v in x)", SQUARE], 4),
    "returns NaN": (square_that("return np.full(len(x), np.nan)"), 2),
    "returns inf": (square_that("return np.full(len(x), np.inf)"), 2),
    "wrong shape": (square_that("return (np.asarray(x, dtype=float) ** 2).reshape(-1, 1)"), 2),
    "strings that look like numbers": (square_that("return (np.asarray(x, dtype=float) ** 2).astype(str)"), 2),
    "a generator": (square_that("return (v * v for v in x)"), 2),
    "import reference": (square_that("import reference.neurons\nreturn np.asarray(x, dtype=float) ** 2"), 2),
    "import exercises and autograder": (square_that("import exercises.dlcheck\nimport autograder.grading.engine\n"
                                                    "return np.asarray(x, dtype=float) ** 2"), 2),
    "reads the grader's environment": (square_that("return os.environ.get('DLGRADE_SECRET', 'none')",
                                                   "import os\n"), 2),
    "writes into the repository": (square_that(
        f"open({str(REPOSITORY_FILE.parent / 'pwned.py')!r}, 'w').write('x = 1')\n"
        "return np.asarray(x, dtype=float) ** 2"), 2),
    "a cell that raises, later cells fine": ([IMPORT, "raise ValueError('oops')", DOUBLE, SQUARE], 4),
    "shell escapes refused, later cells fine": ([IMPORT, "!rm -rf ~", DOUBLE, SQUARE], 4),
    "crash while the cells run, later cells fine": ([IMPORT, "import os\nos._exit(1)", DOUBLE, SQUARE], 4),
    "endless loop at top level": ([IMPORT, "while True:\n    pass", DOUBLE, SQUARE], 0),
    "wrong answers": ([IMPORT, "def double(x):\n    return x", "def square(x):\n    return x"], 0),
}


def own_descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.fixture(autouse=True)
def planted_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLGRADE_SECRET", PLANTED)


# The whole corpus in the strongest mode available here, the cases where the modes
# differ most (processes, privileges, files, environment) in the other mode too.
ACROSS_MODES = ("correct", "fork bomb", "os._exit", "reads the grader's environment",
                "import reference", "writes into the repository", "memory bomb")
CASES = [(case, MODES[-1]) for case in CORPUS] + [(case, mode) for mode in MODES[:-1] for case in ACROSS_MODES]


@pytest.mark.parametrize("case, sandbox", CASES)
def test_hostile_submission_earns_exactly_its_points(tmp_path: Path, case: str, sandbox: str) -> None:
    """Does each hostile or broken submission get exactly the points of its correct functions?"""
    before = own_descendants()
    cells, points = CORPUS[case]
    result = grade(tmp_path, cells, sandbox)
    assert result.error == ""
    assert result.points == points, [(c.name, c.status, c.message) for _, c in result.checks()]
    assert result.max_points == 4
    assert PLANTED not in json.dumps(result.to_dict())
    assert len(result.output) < 50_000 and all(len(c.output) < 50_000 for _, c in result.checks())
    assert not (REPOSITORY_FILE.parent / "pwned.py").exists()
    assert own_descendants() - zygote_pids() <= before, "the worker left processes behind"


@pytest.mark.skipif(bool(bwrap_problem()), reason=f"bubblewrap unavailable: {bwrap_problem()}")
def test_reading_the_reference_source_fails_in_the_sandbox(tmp_path: Path) -> None:
    """Can a submission read the reference's source file from disk inside bwrap? (It must not.)"""
    cells = square_that(f"open({str(REPOSITORY_FILE)!r}).read()\nreturn np.asarray(x, dtype=float) ** 2")
    assert grade(tmp_path, cells, "bwrap").points == 2


@pytest.mark.skipif(bool(bwrap_problem()), reason=f"bubblewrap unavailable: {bwrap_problem()}")
def test_writing_to_tmp_stays_inside_the_sandbox(tmp_path: Path) -> None:
    """Does a file the submission writes to /tmp stay out of the grader's /tmp?"""
    target = f"/tmp/dlgrade-pwned-{uuid.uuid4().hex}"
    cells = square_that(f"try:\n    open({target!r}, 'w').write('x')\nexcept OSError:\n    pass\n"
                        "return np.asarray(x, dtype=float) ** 2")
    grade(tmp_path, cells, "bwrap")
    assert not Path(target).exists()


def test_signalling_the_grader_does_not_kill_it(tmp_path: Path) -> None:
    """Does a submission that sends SIGKILL to its parent and to the grader leave the grader alive?"""
    cells = square_that(f"for pid in (os.getppid(), {os.getpid()}):\n    try:\n"
                        "        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\n"
                        "return np.asarray(x, dtype=float) ** 2", "import os, signal\n")
    for sandbox in MODES:
        result = grade(tmp_path, cells, sandbox)
        assert result.points == 4  # it only earned points for a correct square: the kill did nothing
    assert psutil.pid_exists(os.getpid())


def test_edited_check_cells_are_ignored(tmp_path: Path) -> None:
    """Does a notebook whose check cells were edited to `pass` still get its real (zero) score?"""
    wrong = [IMPORT, "def double(x):\n    return x", "def square(x):\n    return x"]
    result = grade(tmp_path, wrong, "auto", check_source="pass")
    assert result.points == 0


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "not a valid notebook file"),
    (b"", "not a valid notebook file"),
    (b'{"a": 1}', "not a Jupyter notebook"),
    (json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(), "no cells"),
])
def test_broken_notebooks_get_a_clear_error_not_a_crash(tmp_path: Path, content: bytes, reason: str) -> None:
    """Does a broken notebook get zero points and an error that says what is wrong?"""
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    result = grade_notebook(path, assignment="zz", student="mallory", exercises=[EXERCISE],
                            secret=SECRET, limits=LIMITS)
    assert reason in result.error
    assert result.points == 0 and result.max_points == 4


def test_a_notebook_from_another_assignment_is_refused(tmp_path: Path) -> None:
    """Is a notebook released for another assignment refused with a message naming both?"""
    path = write_notebook(tmp_path / "other.ipynb", [IMPORT, DOUBLE, SQUARE])
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["dlgrade"]["assignment"] = "a1"
    nbformat.write(notebook, path)
    result = grade_notebook(path, assignment="zz", student="mallory", exercises=[EXERCISE],
                            secret=SECRET, limits=LIMITS)
    assert "assignment a1, not zz" in result.error and result.points == 0


def test_hostile_submissions_do_not_change_other_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In one batch with hostile classmates, do the correct submissions still get full marks?"""
    monkeypatch.setattr("exercises.model.get_exercises", lambda keys, course=None: [EXERCISE for _ in keys])
    cases = ["correct", "fork bomb", "os._exit", "forged protocol frames on every descriptor",
             "memory bomb", "infinite loop in one function"]
    submissions = []
    for index, case in enumerate(cases + ["correct"]):
        folder = tmp_path / f"student{index}"
        folder.mkdir()
        submissions.append(Submission(f"student{index}", write_notebook(folder / "zz.ipynb", CORPUS[case][0])))
    before = own_descendants()
    outcomes = grade_class(submissions, assignment="zz", exercise_keys=["zz.pair"], secret=SECRET,
                           out_root=tmp_path / "autograded", jobs=1, limits=LIMITS)
    assert [o.points for o in outcomes] == [CORPUS[c][0] and CORPUS[c][1] for c in cases + ["correct"]]
    assert own_descendants() - zygote_pids() <= before


SIGMOIDS = {  # name -> (code, right at large |z|)
    "stable": ("def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    e = np.exp(-np.abs(z))\n"
               "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n", True),
    "warns, values right": ("def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n", True),
    "nan at large z": ("def sigmoid(z):\n    e = np.exp(np.asarray(z, dtype=float))\n    return e / (1 + e)\n",
                       False),
}
FORGERIES = {  # what the student's process does to its printed output and warnings
    "nothing": "",
    "silences numpy and warnings": "np.seterr(all='ignore')\nwarnings.simplefilter('ignore')\n",
    "prints fake warnings on every call": ("import builtins\n_real = sigmoid\n"
                                           "def sigmoid(z):\n    print('RuntimeWarning: overflow encountered in exp')\n"
                                           "    warnings.warn('overflow encountered in exp', RuntimeWarning)\n"
                                           "    return _real(z)\n"),
}


@pytest.mark.parametrize("sigmoid", sorted(SIGMOIDS))
def test_points_never_depend_on_what_the_students_process_prints(tmp_path: Path, sigmoid: str) -> None:
    """Does a sigmoid earn the same points whether its process stays silent, silences numpy's warnings
    or prints fake overflow warnings on every call (trust invariant 4: printed output and warnings are
    the student's, only returned values decide)? And do values that overflow still lose the stability
    point?"""
    from exercises.model import get_exercise
    exercise = get_exercise("a2.sigmoid")
    code, right = SIGMOIDS[sigmoid]
    points = {}
    for forgery, extra in FORGERIES.items():
        cell = "import numpy as np, warnings\n" + code + extra
        notebook = write_notebook(tmp_path / f"{len(points)}.ipynb", [cell])
        notebook_data = nbformat.read(notebook, as_version=4)
        notebook_data.metadata["dlgrade"]["assignment"] = "a2"
        nbformat.write(notebook_data, notebook)
        result = grade_notebook(notebook, assignment="a2", student="mallory", exercises=[exercise],
                                secret=SECRET, limits=LIMITS)
        points[forgery] = result.points
        failed = [c.name for _, c in result.checks() if c.status != "passed"]
        assert failed == ([] if right else ["test_sigmoid_is_stable_for_large_inputs"]), (forgery, failed)
    assert set(points.values()) == {exercise.points if right else exercise.points - 1}, points


def test_edited_locked_cells_are_named_in_the_result_and_on_the_feedback_page(tmp_path: Path) -> None:
    """Is a released notebook whose locked check cell was edited graded as usual, with the edit named?"""
    from autograder.reports.feedback import feedback_page
    from nbgrader.utils import compute_checksum

    path = write_notebook(tmp_path / "edited.ipynb", [IMPORT, DOUBLE, SQUARE])
    notebook = nbformat.read(path, as_version=4)
    check = notebook.cells[-1]
    check.metadata["nbgrader"]["checksum"] = compute_checksum(check)  # as released
    check.source = "pass  # the student's edit"
    nbformat.write(notebook, path)
    result = grade_notebook(path, assignment="zz", student="mallory", exercises=[EXERCISE],
                            secret=SECRET, limits=LIMITS)
    assert result.points == 4 and result.edited_locked_cells == ("checks",)
    assert "You changed locked cells" in feedback_page(result) and "checks" in feedback_page(result)


def test_a_check_cannot_read_what_the_students_process_printed() -> None:
    """Does the `student` a check holds refuse to give the printed output (so no check can decide on it),
    while the engine still keeps that output for the feedback page?"""
    from autograder.grading.engine import WorkerStudent

    class FakeWorker:
        last_output = "RuntimeWarning: overflow encountered in exp\n"

        def call(self, name, *args, **kwargs):
            return 0.5

    seen: list[str] = []
    student = WorkerStudent(FakeWorker(), on_output=seen.append)
    for name in ("last_output", "printed", "output"):
        with pytest.raises(AttributeError, match="cannot read what the student's process printed"):
            getattr(student, name)
    assert student.sigmoid(0.0) == 0.5 and seen == [FakeWorker.last_output]


def test_no_exercise_check_reads_printed_output() -> None:
    """Does no check of any bundled exercise refer to what the student's process printed?"""
    import ast
    import inspect

    from exercises.model import all_exercises
    readers = []
    for exercise in all_exercises().values():
        for check in exercise.checks:
            tree = ast.parse(textwrap.dedent(inspect.getsource(check.function)))
            if any(isinstance(node, ast.Attribute) and node.attr in ("last_output", "printed")
                   for node in ast.walk(tree)):
                readers.append(f"{exercise.key}::{check.name}")
    assert readers == []


LEAK_CHANNELS = {  # how triple's public check could show what double recorded in its hidden check
    "print": "print(SEEN)",
    "stderr": "import sys; sys.stderr.write(repr(SEEN))",
    "warning": "import warnings; warnings.warn(repr(SEEN))",
    "exception": "raise ValueError(repr(SEEN))",
    "return value": "return np.array([v for row in SEEN for v in row] or [0.0])",
    "return text": "return repr(SEEN)",
    "slow down": "import time; time.sleep(min(sum(v for row in SEEN for v in row) / 1e5, 0.9))",
}
RECORDER = """import numpy as np
SEEN = []
def double(x):
    SEEN.append(np.asarray(x, dtype=float).ravel().tolist())
    {before}
    return 2 * np.asarray(x, dtype=float)
def triple(x):
    {channel}
    return 3 * np.asarray(x, dtype=float)
"""


@pytest.mark.parametrize("channel", sorted(LEAK_CHANNELS))
@pytest.mark.parametrize("in_double", [False, True], ids=["leak in triple", "leak in double too"])
def test_hidden_inputs_never_come_back_to_the_student(tmp_path: Path, channel: str, in_double: bool) -> None:
    """When a student's function records every input it gets and shows it back through printing,
    stderr, a warning, an exception, a return value or its own slowness, does no hidden input
    (the sentinels of zz_leak) appear anywhere in the result or the CI outputs (trust invariant 5)?"""
    from autograder.grading import engine
    from autograder.reports import ci_formats
    from tests.autograder.grading import zz_leak

    leak = textwrap.indent(LEAK_CHANNELS[channel], "    ").strip()
    code = RECORDER.format(channel=leak, before=leak if in_double and channel != "exception" else "pass")
    exercise = load_exercise(zz_leak)
    notebook = write_notebook(tmp_path / "leak.ipynb", [code], check_source="check('zz.leak', globals())")
    result = engine.grade_notebook(notebook, assignment="zz", student="mallory", exercises=[exercise],
                                   secret=SECRET, limits=LIMITS)
    classroom = base64.b64decode(ci_formats.github_classroom_output(result)).decode()
    shown = json.dumps(result.to_dict()) + json.dumps(ci_formats.gradescope_results(result)) + \
        ci_formats.junit_xml(result) + classroom
    shown = re.sub(r"[0-9a-f]{64}", "<sha256>", shown)  # a digest may hold '7777' by chance
    for sentinel in zz_leak.SENTINELS:
        for text in (repr(sentinel), str(int(sentinel))):
            assert text not in shown, (channel, text)
    hidden = [c for _, c in result.checks() if not c.public]
    assert all(c.duration == 0.0 and c.output == "" for c in hidden)


def _without_timings(result_file: Path) -> dict:
    """A results.json with its measured times taken out (they differ between any two runs)."""
    data = json.loads(result_file.read_text())
    data.pop("duration", None)
    for exercise in data["exercises"]:
        for check in exercise["checks"]:
            check.pop("duration", None)
    return data


def test_honest_results_are_the_same_beside_every_hostile_classmate(tmp_path: Path, monkeypatch) -> None:
    """Graded in one class with every hostile case of the corpus between them, are
    the honest students' results identical, apart from measured times, to a class of honest
    students alone, and is no honest result file touched by a classmate?"""
    monkeypatch.setattr("exercises.model.get_exercises", lambda keys, course=None: [EXERCISE for _ in keys])
    honest = {"honest-a": CORPUS["correct"][0], "honest-b": [IMPORT, DOUBLE, square_that("return x")[-1]],
              "honest-c": CORPUS["wrong answers"][0]}
    hostile = {f"hostile-{n:02d}": cells for n, (case, (cells, _)) in enumerate(sorted(CORPUS.items()))
               if case not in ("correct", "wrong answers")}

    notebooks: dict[str, bytes] = {}  # the same bytes for a student in both runs

    def grade(run: str, students: dict[str, list[str]]) -> Path:
        submissions = []
        for student, cells in students.items():
            folder = tmp_path / run / "submitted" / student
            folder.mkdir(parents=True)
            if student not in notebooks:
                notebooks[student] = write_notebook(folder / "zz.ipynb", cells).read_bytes()
            (folder / "zz.ipynb").write_bytes(notebooks[student])
            submissions.append(Submission(student, folder / "zz.ipynb"))
        out = tmp_path / run / "autograded"
        outcomes = grade_class(submissions, assignment="zz", exercise_keys=["zz.pair"], secret=SECRET,
                               out_root=out, jobs=1, limits=LIMITS)  # one process: the patched catalogue
        assert all(o.status == "graded" for o in outcomes), [(o.student, o.error) for o in outcomes if o.error]
        return out

    mixed = dict(honest)
    for (name, cells), slot in zip(hostile.items(), range(len(hostile))):
        mixed[name] = cells
        if slot % 2:  # honest students sit between hostile ones
            mixed[f"honest-{slot}"] = CORPUS["correct"][0]
    alone = grade("alone", honest)
    together = grade("together", mixed)
    for student in honest:
        assert _without_timings(together / student / "zz" / "results.json") == \
            _without_timings(alone / student / "zz" / "results.json"), student
    for student in (s for s in mixed if s.startswith("honest-") and s not in honest):
        assert json.loads((together / student / "zz" / "results.json").read_text())["exercises"][0]["checks"]
