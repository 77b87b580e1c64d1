"""Trust invariant 8: nothing a submission creates outlives it.

One worker plants everything it can outside its own folder - files in /tmp,
/var/tmp and /dev/shm (and in a world-writable folder inside /tmp), System V
shared memory, semaphores and message queues, a POSIX message queue, a process
that escapes into its own session - and the next worker (another uid), then the
host, look for any of it. Each runs in both modes (bwrap skipped when it cannot
run here); in plain mode the private uid exists only when the grader is root.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from autograder.sandbox.handle import Limits, StudentWorker
from autograder.sandbox.launch import _processes_of_uid
from tests.autograder.sandbox.test_sandbox import MODES

LIMITS = Limits(call_timeout=3.0, cells_timeout=10.0, submission_budget=60.0)
PLANT = '''
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
TAG = {tag!r}
planted = {{}}
for folder in ("/tmp", "/var/tmp", "/dev/shm", "/tmp/{tag}-shared"):
    try:
        with open(os.path.join(folder, TAG + "-file"), "w") as f:
            f.write("left behind")
        planted[folder] = True
    except OSError as err:
        planted[folder] = type(err).__name__
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
planted["shm"] = libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o666)
planted["sem"] = libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o666)
planted["msg"] = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o666)
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
    planted["mq"] = rt.mq_open(("/" + TAG).encode(), os.O_CREAT | os.O_RDWR, 0o666, None)
except OSError:
    planted["mq"] = -1
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(3600)
    os._exit(0)
'''
LOOK = '''
import os
def look(tag):
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/tmp/" + tag + "-shared", "/dev/mqueue"):
        try:
            found += [os.path.join(folder, n) for n in os.listdir(folder) if n in (tag + "-file", tag)]
        except OSError:
            pass
    for kind in ("shm", "sem", "msg"):
        try:
            with open("/proc/sysvipc/" + kind) as table:
                found += [kind + ":" + line.split()[1] for line in table.read().splitlines()[1:]]
        except OSError:
            pass
    return found
'''


def sysv_objects() -> list[str]:
    found = []
    for kind in ("shm", "sem", "msg"):
        lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        found += [f"{kind}:{line.split()[1]}" for line in lines]
    return found


@pytest.mark.parametrize("mode", MODES)
def test_nothing_a_submission_plants_outlives_it(mode: str, tmp_path: Path) -> None:
    """After a worker planted files in every shared writable folder, IPC objects and an escaped
    process, is none of it left for the next worker (another uid) or on the host?"""
    tag = f"dlgrade-plant-{uuid.uuid4().hex[:8]}"
    shared = Path(f"/tmp/{tag}-shared")
    shared.mkdir(mode=0o1777)
    shared.chmod(0o1777)  # like /tmp: world-writable, sticky
    ipc_before = set(sysv_objects())
    try:
        with StudentWorker(LIMITS, sandbox=mode) as first:
            outcomes = first.run_cells([PLANT.format(tag=tag)])
            assert all(o.ok for o in outcomes), outcomes
            planter_uid = first._process.kill_uid  # the test looks inside on purpose
        if planter_uid is not None:
            assert _processes_of_uid(planter_uid) == []
        with StudentWorker(LIMITS, sandbox=mode) as second:
            assert all(o.ok for o in second.run_cells([LOOK]))
            seen_by_next = second.call("look", tag)
        assert [item for item in seen_by_next if tag in item] == []
        host_files = [str(p) for root in ("/tmp", "/var/tmp", "/dev/shm", str(shared))
                      for p in Path(root).glob(f"{tag}-file")]
        assert host_files == []
        assert set(sysv_objects()) - ipc_before == set()
        assert not Path(f"/dev/mqueue/{tag}").exists()
    finally:
        for item in shared.iterdir():
            item.unlink()
        shared.rmdir()


@pytest.mark.parametrize("mode", MODES)
def test_the_shared_folders_are_walked_only_where_a_worker_could_write_them(
        mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Is the walk of /tmp, /var/tmp and /dev/shm for the private uid's files made when a plain-mode
    worker ends, and skipped under bwrap (read-only /tmp, a /dev of its own: the test above shows
    nothing lands there), where it cost a class a walk of the host's /tmp per worker?"""
    from autograder.sandbox import process

    walked: list[int] = []
    monkeypatch.setattr(process, "_remove_files_of_uid", lambda uid: walked.append(uid) or [])
    with StudentWorker(LIMITS, sandbox=mode) as worker:
        worker.run_cells(["x = 1"])
        uid = worker._process.kill_uid  # the test looks inside on purpose
    assert walked == ([uid] if mode == "none" and uid is not None else [])


@pytest.mark.parametrize("mode", MODES)
def test_ending_a_worker_that_started_nothing_scans_proc_once(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """When a worker that started no process of its own ends, is /proc scanned for its uid's processes
    once (its end is awaited first, so the scan does not find it dying and look again), and none left?"""
    from autograder.sandbox import process

    scans: list[int] = []
    real = process._processes_of_uid

    def counted(uid: int) -> list[int]:
        scans.append(uid)
        return real(uid)
    with StudentWorker(LIMITS, sandbox=mode) as worker:
        worker.run_cells(["x = 1"])
        uid = worker._process.kill_uid  # the test looks inside on purpose
        if uid is None:
            pytest.skip("no private uid here (not root): nothing is scanned")
        monkeypatch.setattr(process, "_processes_of_uid", counted)
    assert scans == [uid] and real(uid) == []


def test_a_uid_this_process_emptied_is_taken_again_without_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Is a private uid whose processes this grader's kill saw gone handed out again without scanning
    /proc, while any other uid of its range is still looked for first?"""
    import itertools

    from autograder.sandbox import launch

    with StudentWorker(LIMITS, sandbox="none") as worker:
        worker.run_cells(["x = 1"])
        uid = worker._process.kill_uid  # the test looks inside on purpose
    if uid is None:
        pytest.skip("no private uid here (not root)")
    assert uid in launch._emptied
    monkeypatch.setattr(launch, "_emptied", {uid})  # uids emptied by earlier tests are not this test's
    scanned: list[int] = []
    monkeypatch.setattr(launch, "_processes_of_uid", lambda u: scanned.append(u) or [])
    slot = uid - (launch.UID_BASE + (os.getpid() % (1 << 22)) * launch.UID_SLOTS)
    monkeypatch.setattr(launch, "_uid_counter", itertools.count(slot))
    assert (launch._private_uid(), scanned) == (uid, [])
    assert (launch._private_uid(), scanned) == (uid + 1, [uid + 1]) or slot == launch.UID_SLOTS - 1
