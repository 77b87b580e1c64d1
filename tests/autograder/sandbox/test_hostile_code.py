"""Hostile submissions: does the grader survive each, with the exact outcome, in every mode?

Every test asserts the exception class the grader sees, that a later call still
works (on a fresh worker when the old one was killed), and, where processes were
started, that none is left once the worker is closed.

What is asserted per mode (the grader runs as root here and in CI):
* both modes: the worker runs under a private uid, so it cannot signal the
  grader nor read a file that is not world-readable;
* bwrap only: the repository is absent from its file system, and / and /tmp are
  read-only (in "none" mode world-readable files and /tmp stay reachable; the
  sandbox module docstring states this best-effort guarantee).
"""
from __future__ import annotations

import os
import signal
import stat
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from autograder.sandbox.protocol import Opaque
from autograder.sandbox.handle import Limits, StudentWorker, zygote_pids
from exercises.dlcheck import StudentRaised, StudentTimeout, WorkerCrashed
from tests.autograder.sandbox.test_sandbox import MODES, still_running, worker_processes

REPO = Path(__file__).resolve().parents[3]
AS_ROOT = os.geteuid() == 0
HOSTILE = r'''
import ctypes, json, os, signal, struct, subprocess, sys, time
import numpy as np

def ok():
    return 42

def spin():
    while True:
        pass

def nap():
    time.sleep(100)

def hoard():
    kept = []
    while True:
        kept.append(np.empty(10**7))

def huge():
    return np.ones(10**11)

def fork_bomb():
    while True:
        os.fork()

def spawn():
    return [subprocess.Popen(["sleep", "100"], start_new_session=True).pid for _ in range(500)]

def spawn_then_spin():
    subprocess.Popen(["sleep", "100"], start_new_session=True)
    spin()

def recurse(n=0):
    return recurse(n + 1)

def recurse_through_c(n=0):
    return list(map(recurse_through_c, [n + 1]))

def recurse_unbounded():
    sys.setrecursionlimit(10**7)
    return recurse_through_c()

def leave():
    sys.exit(0)

def hard_exit():
    os._exit(3)

def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    return "sent"

def kill_everyone():
    os.kill(-1, signal.SIGKILL)
    return "sent"

def segfault():
    return ctypes.string_at(0)

def shout():
    print("x" * 5_000_000)
    return 1

def forge(value):
    for request_id in range(64):
        payload = json.dumps({"id": request_id, "value": value}).encode()
        frame = b"DLG1" + struct.pack(">I", len(payload)) + payload
        for fd in range(256):
            try:
                os.write(fd, frame + b"garbage")
            except OSError:
                pass
    return value

class AlwaysEqual:
    def __eq__(self, other):
        return True

class NoArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")

def generator():
    return (i for i in range(3))

def liar():
    return AlwaysEqual()

def no_array():
    return NoArray()

def object_array():
    return np.array([AlwaysEqual(), 1], dtype=object)

def specials():
    return [float("nan"), float("inf"), -float("inf")], (1, [2, 3])

def read(path):
    with open(path) as handle:
        return handle.read()

def write(path):
    with open(path, "w") as handle:
        handle.write("pwned")
    return "written"
'''


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def start(mode: str, **limits: float) -> StudentWorker:
    student = StudentWorker(Limits(**{"call_timeout": 1.0, "cells_timeout": 10.0, **limits}), sandbox=mode)
    (outcome,) = student.run_cells([HOSTILE])
    assert outcome.ok, outcome
    return student


@pytest.fixture
def student(mode: str) -> Iterator[StudentWorker]:
    worker = start(mode)
    yield worker
    worker.close()


@pytest.fixture
def impatient(mode: str) -> Iterator[StudentWorker]:
    """A worker with a 0.5 s call timeout, for the tests that time out on purpose."""
    worker = start(mode, call_timeout=0.5)
    yield worker
    worker.close()


def assert_recovers(student: StudentWorker) -> None:
    """The next call answers (on a fresh worker if the last one was killed)."""
    assert student.call("ok") == 42


# ---------------------------------------------------------------- time
def test_infinite_loop_times_out_and_others_still_answer(impatient: StudentWorker) -> None:
    """Does a looping function give StudentTimeout while the other functions still answer?"""
    with pytest.raises(StudentTimeout):
        impatient.call("spin")
    assert_recovers(impatient)


def test_sleep_times_out(impatient: StudentWorker) -> None:
    """Does time.sleep(100) give StudentTimeout after call_timeout, not after 100 s?"""
    with pytest.raises(StudentTimeout):
        impatient.call("nap")
    assert_recovers(impatient)


def test_timeout_kills_escaped_children(impatient: StudentWorker) -> None:
    """Is a child started in its own session killed with the worker after a timeout?"""
    uid = impatient._process.kill_uid
    with pytest.raises(StudentTimeout):
        impatient.call("spawn_then_spin")
    if uid is not None:
        from autograder.sandbox.launch import _processes_of_uid

        assert _processes_of_uid(uid) == []
    assert_recovers(impatient)


# ------------------------------------------------------------- resources
def test_memory_bomb(mode: str) -> None:
    """Does filling memory (or one 800 GB array) end in MemoryError, the worker still serving?"""
    with start(mode, memory_bytes=768 * 1024**2) as student:
        for name in ("hoard", "huge"):
            with pytest.raises(StudentRaised) as caught:
                student.call(name)
            assert caught.value.type_name in ("MemoryError", "_ArrayMemoryError")  # numpy's subclass
        assert_recovers(student)


@pytest.mark.parametrize("name, sleepers", [("fork_bomb", 0), ("spawn", 10)])
def test_process_bombs(student: StudentWorker, name: str, sleepers: int) -> None:
    """Are an os.fork() loop and 500 spawned sleepers stopped by the process limit
    (BlockingIOError), and is every process they left killed by close()?"""
    with pytest.raises(StudentRaised) as caught:
        student.call(name)
    assert caught.value.type_name == "BlockingIOError"
    processes = worker_processes(student)
    assert len(still_running(processes)) > sleepers  # the worker, and the sleepers until close()
    assert_recovers(student)
    student.close()
    assert still_running(processes) == []


def test_deep_recursion(student: StudentWorker) -> None:
    """Is runaway recursion a RecursionError, and with the limit lifted (C stack overflow) a crash?"""
    with pytest.raises(StudentRaised) as caught:
        student.call("recurse")
    assert caught.value.type_name == "RecursionError"
    with pytest.raises(WorkerCrashed):
        student.call("recurse_unbounded")
    assert_recovers(student)


# ---------------------------------------------------------------- exits
@pytest.mark.parametrize("name", ["leave", "hard_exit", "segfault"])
def test_exits_and_crashes(student: StudentWorker, name: str) -> None:
    """Do sys.exit(0), os._exit(3) and a segfault give WorkerCrashed and a fresh worker?"""
    with pytest.raises(WorkerCrashed):
        student.call(name)
    assert_recovers(student)


@pytest.mark.skipif(not AS_ROOT, reason="without root the worker shares the grader's uid and could signal it")
def test_cannot_kill_the_grader(student: StudentWorker) -> None:
    """Is os.kill(getppid(), SIGKILL) refused, and does kill(-1) reach no process but its own,
    neither the grader nor the zygote the worker was forked from?"""
    zygotes = zygote_pids()
    with pytest.raises(StudentRaised) as caught:
        student.call("kill_parent")
    assert caught.value.type_name == "PermissionError"
    if student.sandbox_mode == "bwrap" and student._process.zygote is None:  # a cold worker is alone in its
        with pytest.raises(StudentRaised) as caught:                           # PID namespace
            student.call("kill_everyone")
        assert caught.value.type_name == "ProcessLookupError"
    else:  # Linux reports success when every other process (grader, zygote) refused the signal
        assert student.call("kill_everyone") == "sent"
    assert zygote_pids() == zygotes
    assert student.has("ok")  # the same worker is still alive: nothing was killed


# --------------------------------------------------------------- output
def test_printing_megabytes(student: StudentWorker) -> None:
    """Is 5 MB of printing capped to output_chars plus a note, the call still answering?"""
    assert student.call("shout") == 1
    assert student.last_output == "x" * 20_000 + "…[truncated]"
    assert_recovers(student)


def test_forged_frames_on_every_fd(student: StudentWorker) -> None:
    """Are frames forged onto every descriptor treated as a crash, never as the reply?"""
    with pytest.raises(WorkerCrashed):
        student.call("forge", 7)
    assert_recovers(student)


# --------------------------------------------------------------- values
def test_returned_objects_are_never_live(student: StudentWorker) -> None:
    """Do a generator, an always-equal object, a raising __array__ and an object array arrive as Opaque?"""
    for name, type_name in [("generator", "generator"), ("liar", "__main__.AlwaysEqual"),
                            ("no_array", "__main__.NoArray"), ("object_array", "numpy.ndarray")]:
        value = student.call(name)
        assert type(value) is Opaque and value.type_name == type_name, name
        assert value != 42 and not (value == Opaque("x", "y"))


def test_special_values_are_plain_data(student: StudentWorker) -> None:
    """Do nan/inf and nested lists/tuples arrive as the same plain Python data?"""
    floats, nested = student.call("specials")
    assert np.isnan(floats[0]) and floats[1:] == [np.inf, -np.inf]
    assert nested == (1, [2, 3]) and type(nested) is tuple and type(nested[1]) is list


# ------------------------------------------------------------- isolation
def test_grader_packages_cannot_be_imported(student: StudentWorker) -> None:
    """Do `import reference`, `import exercises` and `import autograder` fail in the worker?"""
    outcomes = student.run_cells(["import reference", "import exercises", "import autograder.sandbox.handle"])
    assert [o.error_type for o in outcomes] == ["ModuleNotFoundError"] * 3


def test_repository_is_absent_under_bwrap(mode: str) -> None:
    """Under bwrap, is the reference source unreadable by path, even with the import hook removed?"""
    if mode != "bwrap":
        pytest.skip("in 'none' mode world-readable repository files stay readable (documented best effort)")
    with start(mode) as student:
        with pytest.raises(StudentRaised) as caught:
            student.call("read", str(REPO / "reference" / "__init__.py"))
        assert caught.value.type_name == "FileNotFoundError"
        (outcome,) = student.run_cells([f"import sys\nsys.meta_path.pop(0)\nsys.path.append({str(REPO)!r})\n"
                                        "import reference"])
        assert outcome.error_type == "ModuleNotFoundError"


@pytest.mark.skipif(not AS_ROOT, reason="the privilege drop needs a root grader")
def test_private_files_are_unreadable(mode: str) -> None:
    """Is a file readable only by the grader's user (mode 0600) unreadable from the worker?"""
    folder = tempfile.mkdtemp(prefix="dlgrade-secret-")
    try:
        os.chmod(folder, 0o755)
        secret = Path(folder, "expected.txt")
        secret.write_text("hidden expected values")
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
        with start(mode) as student:
            with pytest.raises(StudentRaised) as caught:
                student.call("read", str(secret))
            assert caught.value.type_name == ("PermissionError" if mode == "none" else "FileNotFoundError")
    finally:
        secret.unlink()
        os.rmdir(folder)


@pytest.mark.skipif(not AS_ROOT, reason="the privilege drop needs a root grader")
def test_grader_environment_is_unreadable(student: StudentWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Can the worker neither see DLGRADE_SECRET nor read its parent's /proc environ?"""
    monkeypatch.setenv("DLGRADE_SECRET", "s3cret")
    student.close()
    with start(student.sandbox_mode) as fresh:
        fresh.run_cells(["import os\nsecret = os.environ.get('DLGRADE_SECRET')\nparent = os.getppid()"])
        assert fresh.get("secret") is None
        with pytest.raises(StudentRaised) as caught:
            fresh.call("read", f"/proc/{fresh.get('parent')}/environ")
        assert caught.value.type_name == "PermissionError"


def test_writing_outside_its_directory_fails(mode: str) -> None:
    """Does writing into the repository fail (and /tmp too under bwrap), leaving no file behind?"""
    targets = [REPO / f"pwned-{os.getpid()}"]
    if mode == "bwrap":
        targets.append(Path(tempfile.gettempdir()) / f"dlgrade-pwned-{os.getpid()}")
    if not AS_ROOT and mode == "none":
        pytest.skip("without root the worker may write wherever the grader's user may")
    with start(mode) as student:
        for target in targets:
            with pytest.raises(StudentRaised) as caught:
                student.call("write", str(target))
            assert caught.value.type_name in ("PermissionError", "OSError", "FileNotFoundError"), caught.value
            assert not target.exists()
        assert student.call("write", "inside.txt") == "written"
