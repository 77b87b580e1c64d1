"""Trust invariant 9: one submission's resources are bounded as a whole.

A submission that forks could otherwise hold ``processes x memory_bytes`` and
every core. Where control groups can be made (autograder.sandbox.cgroup), the
submission's memory, process count and CPU rate are bounded together; the tests
of the fallback (per-process rlimits) live in test_hostile_code.py. Each test
runs in both modes (bwrap skipped when it cannot run here).
"""
from __future__ import annotations

import os
import time

import pytest

from autograder.sandbox.cgroup import cgroup_problem, worker_group
from autograder.sandbox.handle import Limits, StudentWorker
from exercises.dlcheck import StudentError
from tests.autograder.sandbox.test_sandbox import MODES

needs_cgroups = pytest.mark.skipif(cgroup_problem() is not None, reason=f"{cgroup_problem()}")
MIB = 1024**2

HOARD = '''
import os, time
def hoard(children, mib):
    """Fork ``children`` processes that each touch ``mib`` MiB and hold it; how many got there."""
    read, write = os.pipe()
    for _ in range(children):
        if os.fork() == 0:
            os.close(read)
            block = bytearray(mib * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
            os.write(write, b"x")
            time.sleep(30)
            os._exit(0)
    os.close(write)
    os.set_blocking(read, False)
    got, end = b"", time.monotonic() + 4.0
    while time.monotonic() < end:
        try:
            chunk = os.read(read, 64)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        if not chunk:
            break
        got += chunk
    return len(got)
'''

SPAWN = '''
import os, time
def spawn(n):
    """Start up to ``n`` sleeping processes; how many started."""
    started = 0
    for _ in range(n):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            started += 1
        except OSError:
            break
    return started
'''

SPIN = '''
import os, time
def spin(seconds):
    """Two processes busy for ``seconds`` of wall time; the CPU seconds they got together."""
    start = time.monotonic()
    pids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            while time.monotonic() - start < seconds:
                pass
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    usage = os.times()
    return usage.children_user + usage.children_system
'''


@needs_cgroups
@pytest.mark.parametrize("mode", MODES)
def test_memory_is_bounded_for_the_submission_as_a_whole(mode: str) -> None:
    """With 400 MiB for the whole submission and 1 GiB per process, do at most 400 MiB of
    children (one child of 300 MiB) get to hold their memory at once?"""
    limits = Limits(call_timeout=10.0, cells_timeout=10.0, submission_budget=60.0, memory_bytes=1024 * MIB,
                    submission_memory_bytes=400 * MIB)
    with StudentWorker(limits, sandbox=mode) as student:
        assert all(o.ok for o in student.run_cells([HOARD]))
        try:
            held = student.call("hoard", 4, 300)
        except StudentError:  # the OOM killer chose the worker itself: the bound held too
            held = 0
    assert held <= 1


@needs_cgroups
@pytest.mark.parametrize("mode", MODES)
def test_processes_are_bounded_for_the_submission_as_a_whole(mode: str) -> None:
    """With 12 processes for the submission, does a fork loop start fewer than 12 children? (pids.max;
    as root the private uid's RLIMIT_NPROC holds it too, the group is what holds it for a shared uid)"""
    limits = Limits(call_timeout=10.0, cells_timeout=10.0, submission_budget=60.0, processes=12)
    with StudentWorker(limits, sandbox=mode) as student:
        assert all(o.ok for o in student.run_cells([SPAWN]))
        assert student.call("spawn", 40) < 12


@needs_cgroups
@pytest.mark.parametrize("mode", MODES)
def test_cpu_is_bounded_for_the_submission_as_a_whole(mode: str) -> None:
    """With half a core for the submission, do two busy processes get well under the 2 x 1.5 s
    of CPU they would get on two free cores? (A ratio, one-sided: a loaded machine only lowers it.)"""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs two cores to tell the bound from the machine's own limit")
    limits = Limits(call_timeout=10.0, cells_timeout=10.0, submission_budget=60.0, submission_cpus=0.5)
    with StudentWorker(limits, sandbox=mode) as student:
        assert all(o.ok for o in student.run_cells([SPIN]))
        used = student.call("spin", 1.5)
    assert used < 0.5 * 1.5 * 1.6  # half a core for 1.5 s, with room for scheduling slack


@needs_cgroups
def test_a_worker_group_is_removed_with_what_ran_in_it() -> None:
    """Is a worker's group gone, and every process in it killed, when the worker ends?"""
    group = worker_group(Limits())
    assert group is not None
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    group.add(pid)
    assert group.pids() == {pid}
    group.remove()
    assert os.waitpid(pid, 0)[0] == pid
    assert not any(folder.exists() for folder in group.folders)


@needs_cgroups
def test_groups_left_by_a_killed_grader_are_removed() -> None:
    """When a grader was killed with its groups made, does the next grader remove them?"""
    import subprocess
    import sys

    from autograder.sandbox import cgroup
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [parent / f"dlgrade-{dead.pid}-0" for parent in cgroup._parents()]
    for folder in stale:
        folder.mkdir()
    script = "from autograder.sandbox.cgroup import cgroup_problem; print(cgroup_problem())"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "None", done.stderr
    assert [folder for folder in stale if folder.exists()] == []


WRITE = '''
import os
def write_files(count, mib):
    """Write ``count`` files of ``mib`` MiB into the worker's own folder; the MiB that got written."""
    block, written = b"x" * (1024 * 1024), 0
    for n in range(count):
        try:
            with open(f"scratch-{n}", "wb") as f:
                for _ in range(mib):
                    f.write(block)
                    written += 1
        except OSError:
            break
    return written
'''


@needs_cgroups
@pytest.mark.parametrize("mode", MODES)
def test_what_a_submission_writes_is_bounded_with_its_memory(mode: str) -> None:
    """With 300 MiB for the submission, does writing 40 files of 15 MiB (600 MiB) into the worker's
    own folder stop near 300 MiB (its folder is on a tmpfs charged to its group), and is nothing of
    it on the host's disk?"""
    from autograder.sandbox.launch import MEMORY_FS, work_root
    if work_root() != MEMORY_FS:
        pytest.skip(f"{MEMORY_FS} is no usable tmpfs here: workers' folders are on the disk")
    limits = Limits(call_timeout=20.0, cells_timeout=10.0, submission_budget=60.0,
                    submission_memory_bytes=300 * MIB, memory_bytes=1024 * MIB)
    with StudentWorker(limits, sandbox=mode) as student:
        assert all(o.ok for o in student.run_cells([WRITE]))
        assert student._process.workdir.startswith(MEMORY_FS)  # the test looks inside on purpose
        try:
            written = student.call("write_files", 40, 15)
        except StudentError:  # the writer was killed at the bound: it held too
            written = 0
    assert written <= 300
