"""Tests of autograder.sandbox.handle.StudentWorker on well-behaved student code, in every mode.

Each test runs with ``sandbox="none"`` and ``sandbox="bwrap"`` (skipped, with the
reason, only when bubblewrap cannot run here). The helpers at the top are also
used by ``test_hostile_code.py``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from autograder.sandbox.protocol import Code, Opaque
from autograder.sandbox.handle import WALL_FACTOR, CellOutcome, Limits, StudentWorker, bwrap_problem
from exercises.dlcheck import BudgetExhausted, MissingName, StudentRaised, StudentTimeout, WorkerCrashed

MODES = ["none", pytest.param("bwrap", marks=pytest.mark.skipif(
    bwrap_problem() is not None, reason=f"bwrap unavailable: {bwrap_problem()}"))]
FAST = Limits(call_timeout=1.0, cells_timeout=5.0, submission_budget=30.0)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def student(mode: str) -> Iterator[StudentWorker]:
    with StudentWorker(FAST, sandbox=mode) as worker:
        yield worker


def _stat(pid: int) -> tuple[int, str, int, int] | None:
    """(ppid, state, start time, real uid) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        uid = int(Path(f"/proc/{pid}/status").read_text().split("\nUid:")[1].split()[0])
    except (OSError, IndexError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), fields[0], int(fields[19]), uid


def worker_processes(student: StudentWorker) -> set[tuple[int, int]]:
    """(pid, start time) of every process of the worker: its tree and its private uid's processes."""
    process = student._process  # the test looks inside on purpose
    assert process is not None and process.pid is not None
    table = {pid: info for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
             if (info := _stat(pid)) is not None}
    members, frontier = {process.pid}, [process.pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, info in table.items() if info[0] == parent and pid not in members]
        members.update(children)
        frontier.extend(children)
    if process.kill_uid is not None:
        members.update(pid for pid, info in table.items() if info[3] == process.kill_uid)
    return {(pid, table[pid][2]) for pid in members if pid in table}


def still_running(processes: set[tuple[int, int]]) -> list[int]:
    """The pids among ``processes`` that are still running (not gone, not zombies)."""
    alive = []
    for pid, start in processes:
        info = _stat(pid)
        if info is not None and info[2] == start and info[1] not in ("Z", "X"):
            alive.append(pid)
    return alive


# --------------------------------------------------------------------- cells
def test_cells_run_in_order_and_failures_are_recorded(student: StudentWorker) -> None:
    """Are magics dropped, shell escapes refused, errors recorded and later cells still run?"""
    outcomes = student.run_cells([
        "%matplotlib inline\nimport numpy as np\nx = 3",
        "1 / 0",
        "print('hello')\n!pip install numpy\ny = x + 1",
        "%%bash\necho hi",
        "import sys\nsys.exit(3)",
        "%time z = __name__",
    ])
    assert [o.index for o in outcomes] == list(range(6))
    assert [o.ok for o in outcomes] == [True, False, True, False, False, True]
    assert outcomes[1].error_type == "ZeroDivisionError" and "<cell 1>" in outcomes[1].traceback
    assert "hello" in outcomes[2].output and "shell escape refused: !pip install numpy" in outcomes[2].output
    assert outcomes[3].error_type == "ShellEscapeRefused"
    assert outcomes[4].error_type == "SystemExit"
    assert isinstance(outcomes[0], CellOutcome)
    assert student.get("y") == 4 and student.get("z") == "__main__"


def test_sandbox_mode_is_the_one_asked_for(mode: str) -> None:
    """Is the mode actually used the one requested when it is available?"""
    with StudentWorker(FAST, sandbox=mode) as worker:
        assert worker.sandbox_mode == mode


def test_unknown_sandbox_is_refused() -> None:
    """Is a misspelt sandbox mode refused with the valid choices named?"""
    with pytest.raises(ValueError, match="'auto', 'bwrap' or 'none'"):
        StudentWorker(FAST, sandbox="docker")


# --------------------------------------------------------------------- calls
FUNCTIONS = """
import numpy as np

def affine(W, x, b=0.0):
    return W @ x + b

def mixed():
    return (np.float64(1.5), {4: 0.1}, [float("nan"), float("-inf")], np.arange(3))

def minibatches(X, y, size, rng):
    order = rng.permutation(len(X))
    return [(X[order[i:i + size]], y[order[i:i + size]]) for i in range(0, len(X), size)]

def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad

def fails(x):
    if x < 0:
        raise ValueError("x must be non-negative")
    return x

def chatty(n):
    print("ab" * n)
    return n

def counter():
    return (i for i in range(3))
"""


def test_call_returns_values(student: StudentWorker) -> None:
    """Do arrays, keyword arguments and mixed return values cross as the hand-computed data?"""
    student.run_cells([FUNCTIONS])
    W, x = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0])
    assert student.call("affine", W, x).tolist() == [3.0, 7.0]
    assert student.call("affine", W, x, b=0.5).tolist() == [3.5, 7.5]
    scalar, table, floats, array = student.call("mixed")
    assert type(scalar) is float and scalar == 1.5 and table == {4: 0.1}
    assert np.isnan(floats[0]) and floats[1] == -np.inf and array.tolist() == [0, 1, 2]
    assert type(student.call("counter")) is Opaque


def test_generator_argument(student: StudentWorker) -> None:
    """Does minibatches(X, y, 3, rng) use the same permutation a fresh rng with that seed gives?"""
    student.run_cells([FUNCTIONS])
    X, y = np.arange(14.0).reshape(7, 2), np.arange(7)
    batches = student.call("minibatches", X, y, 3, np.random.default_rng(0))
    order = np.random.default_rng(0).permutation(7)
    assert [b[1].tolist() for b in batches] == [order[:3].tolist(), order[3:6].tolist(), order[6:].tolist()]


def test_code_argument(student: StudentWorker) -> None:
    """Is a Code lambda evaluated in the worker: the gradient of sum(x^2) is 2x?"""
    student.run_cells([FUNCTIONS])
    grad = student.call("numerical_gradient", Code("lambda x: np.sum(x**2)"), np.array([1.0, -2.0, 3.0]))
    assert np.allclose(grad, [2.0, -4.0, 6.0], atol=1e-6)


def test_student_exception_is_reported(student: StudentWorker) -> None:
    """Does a raising function give StudentRaised with its type, message and cell traceback?"""
    student.run_cells([FUNCTIONS])
    with pytest.raises(StudentRaised) as caught:
        student.call("fails", -1)
    assert caught.value.type_name == "ValueError"
    assert caught.value.message == "x must be non-negative"
    assert "<cell 0>" in caught.value.traceback and "raise ValueError" in caught.value.traceback
    assert student.call("fails", 2) == 2


def test_missing_names(student: StudentWorker) -> None:
    """Do call/get of an undefined name raise MissingName, and has() answer False?"""
    student.run_cells([FUNCTIONS])
    with pytest.raises(MissingName):
        student.call("sigmoid", 0.0)
    with pytest.raises(MissingName):
        student.get("weights")
    assert student.has("affine") and not student.has("weights")


def test_output_is_captured_and_capped(mode: str) -> None:
    """Is printed output returned as last_output, cut at output_chars with a note?"""
    with StudentWorker(Limits(call_timeout=1.0, output_chars=100), sandbox=mode) as student:
        student.run_cells([FUNCTIONS])
        assert student.call("chatty", 3) == 3 and student.last_output == "ababab\n"
        assert student.call("chatty", 1000) == 1000
        assert student.last_output == "ab" * 50 + "…[truncated]"


def test_environment_is_built_from_scratch(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Does the worker see none of the grader's variables, and HOME = its own directory?"""
    monkeypatch.setenv("DLGRADE_SECRET", "s3cret-value")
    with StudentWorker(FAST, sandbox=mode) as student:
        student.run_cells(["import os\nenv = dict(os.environ)\ncwd = os.getcwd()"])
        env = student.get("env")
        assert "DLGRADE_SECRET" not in env and "s3cret-value" not in env.values()
        assert env["HOME"] == student.get("cwd") and env["MPLBACKEND"] == "Agg"


def test_close_removes_the_directory_and_processes(student: StudentWorker) -> None:
    """Does close() remove the private directory and end every worker process, twice safely?"""
    student.run_cells([FUNCTIONS])
    workdir = student._process.workdir
    processes = worker_processes(student)
    assert os.path.isdir(workdir) and still_running(processes)
    student.close()
    student.close()
    assert not os.path.exists(workdir) and still_running(processes) == []


# ------------------------------------------------------------ restarts, budget
def test_crash_restarts_and_replays_cells(student: StudentWorker) -> None:
    """After a crash, does the next call run on a fresh worker with the cells replayed?"""
    student.run_cells(["state = [0]\ndef bump():\n    state[0] += 1\n    return state[0]",
                       "def die():\n    import os\n    os._exit(1)"])
    assert [student.call("bump"), student.call("bump")] == [1, 2]
    with pytest.raises(WorkerCrashed):
        student.call("die")
    assert student.call("bump") == 1


def test_budget_is_shared_by_all_calls(mode: str) -> None:
    """Once the submission budget is spent, are further calls refused with BudgetExhausted?"""
    limits = Limits(call_timeout=0.3, submission_budget=0.8)
    with StudentWorker(limits, sandbox=mode) as student:
        student.run_cells(["def spin():\n    while True:\n        pass\ndef ok():\n    return 1"])
        endings = []
        for _ in range(5):  # a call's limit is CPU time: on a loaded machine one spin may take the budget
            with pytest.raises((StudentTimeout, BudgetExhausted)) as ended:
                student.call("spin")
            endings.append(ended.type)
            if ended.type is BudgetExhausted:
                break
        assert endings[-1] is BudgetExhausted and len(endings) <= 4
        with pytest.raises(BudgetExhausted):
            student.call("ok")


def test_a_call_is_limited_by_its_cpu_time_with_a_wall_backstop(mode: str) -> None:
    """Is a call's limit counted in the worker's CPU time (a call that waits longer than its limit
    without computing still returns; an endless loop is cut with "of CPU time"), and is a call that
    only waits cut at WALL_FACTOR times its limit?"""
    with StudentWorker(Limits(call_timeout=0.3, submission_budget=30.0), sandbox=mode) as student:
        student.run_cells(["import time\ndef nap(s):\n    time.sleep(s)\n    return 1\n"
                           "def spin():\n    while True:\n        pass\n"])
        assert student.call("nap", 0.6) == 1  # twice its limit in wall time, almost no CPU time
        with pytest.raises(StudentTimeout, match="of CPU time"):
            student.call("spin")
        with pytest.raises(StudentTimeout, match=f"{WALL_FACTOR * 0.3:g} s of waiting"):
            student.call("nap", 60)


def test_cell_timeout_is_recorded_and_not_replayed(mode: str) -> None:
    """Is a looping cell recorded as StudentTimeout, and left out when the worker restarts?"""
    with StudentWorker(Limits(call_timeout=1.0, cells_timeout=0.5), sandbox=mode) as student:
        outcomes = student.run_cells(["a = 1", "while True:\n    pass", "b = 2"])
        assert [o.error_type for o in outcomes] == ["", "StudentTimeout", "StudentTimeout"]
        assert "not run" in outcomes[2].error_message
        assert student.get("a") == 1 and not student.has("b")
