"""Workers forked from the zygote: as fresh and as isolated as cold-started ones?

Every worker of a grading process is a fresh fork of that process's pristine
zygote (one per sandbox mode). These tests check what that must not change:
nothing passes from one worker to the next, a hostile worker cannot hurt the
zygote, the zygote dies with the grader, and a broken zygote only costs a cold
start. Each test runs in both modes (bwrap skipped when it cannot run here).
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from autograder.sandbox import handle as sandbox
from autograder.sandbox.handle import Limits, StudentWorker, shutdown_zygotes, zygote_pids
from exercises.dlcheck import StudentRaised, WorkerCrashed
from tests.autograder.sandbox.test_sandbox import MODES, still_running, worker_processes

REPO = Path(__file__).resolve().parents[3]
FAST = Limits(call_timeout=2.0, cells_timeout=10.0, submission_budget=60.0)
AS_ROOT = os.geteuid() == 0


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> Iterator[str]:
    shutdown_zygotes()  # each test starts from no zygote and leaves none behind
    yield request.param
    shutdown_zygotes()


def forked(mode: str, cells: list[str] | None = None) -> StudentWorker:
    """A started worker that must have come from the zygote."""
    worker = StudentWorker(FAST, sandbox=mode)
    outcomes = worker.run_cells(cells or ["import numpy as np"])
    assert all(o.ok for o in outcomes), outcomes
    assert worker._process.zygote is not None, "the worker was not forked from the zygote"
    return worker


def wait_until_gone(processes: set[tuple[int, int]], seconds: float = 20.0) -> list[int]:
    """The pids still running after waiting at most ``seconds`` (a bound, not a timing check)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and still_running(processes):
        time.sleep(0.05)
    return still_running(processes)


def start_times(pids: set[int]) -> set[tuple[int, int]]:
    found = set()
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        found.add((pid, int(stat[stat.rindex(")") + 2:].split()[19])))
    return found


# ------------------------------------------------------------------ isolation
POLLUTE = """
import decimal, os, sys
import numpy as np
import numpy.testing
secret_answer = 42
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
decimal.getcontext().prec = 3
sys.modules["planted_module"] = type(sys)("planted_module")
os.environ["PLANTED"] = "from the first student"
open("notes.txt", "w").write("my answers")
home = os.getcwd()
draw = float(np.random.rand())
"""

INSPECT = """
import decimal, os, sys
import numpy as np
import numpy.testing
allclose_honest = not np.allclose(1.0, 2.0)
testing_honest = True
try:
    np.testing.assert_allclose(1.0, 2.0)
    testing_honest = False
except AssertionError:
    pass
decimal_precision = decimal.getcontext().prec
planted_module = "planted_module" in sys.modules
planted_env = "PLANTED" in os.environ
home = os.getcwd()
own_files = sorted(os.listdir("."))
draw = float(np.random.rand())
"""


def test_consecutive_workers_share_nothing(mode: str) -> None:
    """After a student patched numpy, decimal's context and sys.modules, set a variable and an environment
    variable and wrote a file, does the next worker from the same zygote see none of it?"""
    first = forked(mode, [POLLUTE])
    zygote = first._process.zygote
    first_home, first_draw = first.get("home"), first.get("draw")
    first.close()
    second = forked(mode, [INSPECT])
    try:
        assert second._process.zygote is zygote  # the same template, a new child
        assert not second.has("secret_answer")
        assert second.get("allclose_honest") and second.get("testing_honest")
        assert second.get("decimal_precision") == 28  # the default, not the 3 set by the first student
        assert not second.get("planted_module") and not second.get("planted_env")
        assert second.get("home") != first_home and second.get("own_files") == []
        assert second.get("draw") != first_draw  # numpy's global generator is reseeded per child
    finally:
        second.close()


def test_earlier_worker_directory_is_gone(mode: str) -> None:
    """Is the first worker's private directory removed on close, its file unreachable by path?"""
    first = forked(mode, [POLLUTE])
    home = first.get("home")
    first.close()
    second = forked(mode, ["import os\ndef exists(path):\n    return os.path.exists(path)"])
    try:
        assert second.call("exists", home) is False
        assert second.call("exists", home + "/notes.txt") is False
    finally:
        second.close()


def test_the_zygote_channel_is_closed_in_the_child(mode: str) -> None:
    """Does a worker hold no descriptor but 0-2 and its own channel (none leading to the zygote)?"""
    worker = forked(mode, ["import os, stat\n"
                           "def sockets():\n"
                           "    found = []\n"
                           "    for fd in map(int, os.listdir('/proc/self/fd')):\n"
                           "        try:\n"
                           "            found += [fd] if stat.S_ISSOCK(os.fstat(fd).st_mode) else []\n"
                           "        except OSError:\n"
                           "            pass\n"
                           "    return found"])
    try:
        assert len(worker.call("sockets")) == 1  # the grader's channel, nothing else
    finally:
        worker.close()


# --------------------------------------------------------- hostile children
HOSTILE = """
import ctypes, json, os, signal, struct

def segfault():
    return ctypes.string_at(0)

def fork_bomb():
    while True:
        os.fork()

def hard_exit():
    os._exit(3)

def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)

def forge():
    payload = json.dumps({"id": 1, "op": "fork", "home": "/", "channel": "/x", "env": {}, "config": {}}).encode()
    for fd in range(256):
        try:
            os.write(fd, b"DLG1" + struct.pack(">I", len(payload)) + payload)
        except OSError:
            pass
    return "forged"

def stop_everyone():
    os.kill(-1, signal.SIGSTOP)
    return "sent"
"""


@pytest.mark.parametrize("name, outcome", [("segfault", WorkerCrashed), ("fork_bomb", StudentRaised),
                                           ("hard_exit", WorkerCrashed), ("forge", WorkerCrashed),
                                           ("kill_parent", StudentRaised), ("stop_everyone", None)])
def test_a_hostile_child_does_not_hurt_the_zygote(mode: str, name: str, outcome: type | None) -> None:
    """After a child segfaults, fork-bombs, exits, forges frames or signals its parent and every
    process, is the zygote still the same process and the next worker a healthy fork of it?"""
    if name in ("kill_parent", "stop_everyone") and not AS_ROOT:
        pytest.skip("without root the children share the zygote's uid: it may be killed (then replaced)")
    worker = forked(mode, [HOSTILE])
    zygotes = start_times(zygote_pids())
    processes = worker_processes(worker)
    if outcome is None:
        worker.call(name)
    else:
        with pytest.raises(outcome):
            worker.call(name)
    worker.close()
    assert still_running(processes) == []
    assert start_times(zygote_pids()) == zygotes and zygotes
    following = forked(mode, ["def double(x):\n    return 2 * x"])
    try:
        assert following.call("double", np.arange(3)).tolist() == [0, 2, 4]
    finally:
        following.close()


def test_one_child_at_a_time(mode: str) -> None:
    """While a forked worker is open, does a second worker start cold, and both answer?"""
    first = forked(mode, ["a = 1"])
    with StudentWorker(FAST, sandbox=mode) as second:
        second.run_cells(["a = 2"])
        assert second._process.zygote is None
        assert (first.get("a"), second.get("a")) == (1, 2)
    first.close()


def test_posix_message_queues_are_refused(mode: str) -> None:
    """Can a worker not create a POSIX message queue (RLIMIT_MSGQUEUE = 0), which could
    otherwise carry data to the next worker through a shared IPC namespace?"""
    worker = forked(mode, ["import ctypes, os\n"
                           "def make_queue():\n"
                           "    rt = ctypes.CDLL('librt.so.1', use_errno=True)\n"
                           "    rt.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]\n"
                           "    fd = rt.mq_open(f'/dlgrade-{os.getpid()}'.encode(), os.O_CREAT | os.O_RDWR, 0o666, None)\n"
                           "    return fd, ctypes.get_errno()"])
    try:
        fd, errno = worker.call("make_queue")
        assert fd == -1 and errno != 0
    finally:
        worker.close()


@pytest.mark.skipif(not MODES or sandbox.bwrap_problem() is not None, reason="bwrap unavailable")
def test_shared_memory_left_behind_retires_the_zygote(caplog: pytest.LogCaptureFixture) -> None:
    """Under bwrap, is a System V segment left by one worker out of the next worker's sight: as root
    each worker has an IPC namespace of its own (the segment ends with it, the zygote stays); otherwise
    the segment retires the zygote, so the next worker comes from a new zygote whose IPC namespace
    does not hold it?"""
    shutdown_zygotes()
    try:
        worker = forked("bwrap", ["import ctypes\nlibc = ctypes.CDLL(None)\n"
                                  "segment = libc.shmget(0, 4096, 0o1000 | 0o666)"])
        assert worker.get("segment") >= 0
        old = start_times(zygote_pids())
        with caplog.at_level(logging.WARNING, logger="autograder.sandbox.handle"):
            worker.close()
        following = forked("bwrap", ["rows = open('/proc/sysvipc/shm').read().splitlines()[1:]"])
        assert following.get("rows") == []
        if AS_ROOT:  # the worker's own IPC namespace took the segment with it
            assert "retired" not in caplog.text and start_times(zygote_pids()) == old
        else:
            assert "System V shm" in caplog.text and "retired" in caplog.text
            assert start_times(zygote_pids()).isdisjoint(old)
        following.close()
    finally:
        shutdown_zygotes()


# ------------------------------------------------------------ life and death
GRADER = """
import sys, time
sys.path.insert(0, {repo!r})
from autograder.sandbox.handle import Limits, StudentWorker, zygote_pids
worker = StudentWorker(Limits(), sandbox={mode!r})
worker.run_cells(["x = 1"])
print(" ".join(map(str, sorted(zygote_pids() | {{worker._process.pid}}))), flush=True)
time.sleep(600)
"""


def test_the_zygote_dies_with_the_grader(mode: str) -> None:
    """When a grading process is killed (no atexit), do its zygote and its worker end too?"""
    grader = subprocess.Popen([sys.executable, "-c", GRADER.format(repo=str(REPO), mode=mode)],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = grader.stdout.readline()
        pids = {int(pid) for pid in line.split()}
        assert len(pids) >= 2, f"the grader printed {line!r}"
        processes = start_times(pids)
        assert len(processes) == len(pids)
    finally:
        grader.kill()
        grader.wait()
    assert wait_until_gone(processes) == []


def test_a_killed_zygote_means_a_cold_start(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    """If the zygote was killed, does the next worker start cold (with the reason logged), still
    grade, and the one after come from a new zygote?"""
    forked(mode).close()
    for pid in zygote_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # under bwrap, killing the wrapper may already have ended the zygote
            pass
    time.sleep(0.2)
    with caplog.at_level(logging.WARNING, logger="autograder.sandbox.handle"):
        with StudentWorker(FAST, sandbox=mode) as cold:
            cold.run_cells(["def double(x):\n    return 2 * x"])
            assert cold._process.zygote is None and cold.call("double", 4) == 8
    assert "retired" in caplog.text and "starts cold" in caplog.text
    forked(mode).close()


def test_a_stuck_zygote_means_a_cold_start(mode: str, caplog: pytest.LogCaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """If the zygote stops answering (SIGSTOP), does the worker start cold after the short
    zygote deadline instead of waiting for it?"""
    monkeypatch.setattr(sandbox, "ZYGOTE_START_TIMEOUT", 0.5)
    forked(mode).close()
    zygotes = zygote_pids()
    for pid in zygotes:
        os.kill(pid, signal.SIGSTOP)
    with caplog.at_level(logging.WARNING, logger="autograder.sandbox.handle"):
        with StudentWorker(FAST, sandbox=mode) as cold:
            cold.run_cells(["y = 3"])
            assert cold._process.zygote is None and cold.get("y") == 3
    assert "retired" in caplog.text
    assert wait_until_gone(start_times(zygotes)) == []


def test_shutdown_leaves_no_process(mode: str) -> None:
    """Does shutdown_zygotes() end every zygote process and remove its directory?"""
    worker = forked(mode)
    base = worker._process.zygote.base
    worker.close()
    processes = start_times(zygote_pids())
    assert processes and os.path.isdir(base)
    shutdown_zygotes()
    assert still_running(processes) == [] and zygote_pids() == set() and not os.path.exists(base)


STALE_REMOVER = """
import sys
sys.path.insert(0, {repo!r})
from autograder.sandbox.zygote import _remove_stale_bases
_remove_stale_bases()
print("ok")
"""


def test_grading_processes_remove_a_stale_zygote_folder_together(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """When several pool processes start at once after a killed run, do they remove its zygote
    folder without tripping over each other (the folder removed once, no process failing)?"""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that is no process now: the killed grader
    for round_ in range(5):
        stale = tmp_path / f"dlgrade-zygote-{dead.pid}-round{round_}"
        for i in range(60):  # a tree deep and wide enough for the removals to overlap
            folder = stale / f"dlgrade-worker-{i}" / "sub"
            folder.mkdir(parents=True)
            for j in range(20):
                (folder / f"f{j}").write_bytes(b"x")
        removers = [subprocess.Popen([sys.executable, "-c", STALE_REMOVER.format(repo=str(REPO))],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outcomes = [process.communicate(timeout=60) for process in removers]
        assert all(process.returncode == 0 for process in removers), outcomes
        assert list(tmp_path.glob("dlgrade-zygote-*")) == []


def test_the_zygote_holds_numpy_random_before_its_children(mode: str) -> None:
    """Has the zygote imported numpy.random (numpy 2 imports it lazily) before it forks, so that no
    child pays that import when it reseeds its generator (a start costs milliseconds, not tens)?"""
    forked(mode).close()
    maps = []
    for pid in zygote_pids():
        try:
            maps.append(Path(f"/proc/{pid}/maps").read_text())
        except OSError:
            continue
    assert any(f"numpy{os.sep}random{os.sep}" in text for text in maps), "no zygote mapped numpy.random"
