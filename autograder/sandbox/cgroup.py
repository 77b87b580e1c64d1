"""A control group per worker: one submission's processes bounded as a whole (trust invariant 9).

Per-process rlimits (:class:`autograder.sandbox.process.Limits`) bound each
process, not their sum: a submission that forks could hold ``processes x
memory_bytes`` and use every core. Where the machine lets the grader create
control groups (cgroup v1 controllers ``memory``, ``pids``, ``cpu`` under
``/sys/fs/cgroup``, or the unified v2 hierarchy), each worker and everything it
starts run in a group of their own, created below the grader's own group:

    memory   ``submission_memory_bytes`` for all its processes together (swap
             included where the kernel accounts it); beyond it the kernel's OOM
             killer ends a process of the group, which the grader sees as a crash
    pids     ``processes`` processes and threads together
    cpu      ``submission_cpus`` cores' worth of time (a rate, e.g. 1.0 = one core)

The grader moves the worker into its group as soon as the worker connects,
before any student code runs; children inherit it. When the worker ends, every
process still in the group is killed and the group removed.

Where no group can be made (no cgroup file system, no permission, a v2
hierarchy whose controllers are not delegated), :func:`worker_group` returns
None and the bounds are the per-process rlimits: at most ``processes``
processes (RLIMIT_NPROC, per private uid) of at most ``memory_bytes`` each
(RLIMIT_AS) and ``cpu_seconds`` each (RLIMIT_CPU). ``grade`` says which holds
through :func:`cgroup_problem`.
"""
from __future__ import annotations

import functools
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000
_counter = itertools.count()


@dataclass(frozen=True)
class WorkerGroup:
    """The control group(s) of one worker: one folder per v1 controller, or one v2 folder."""

    folders: tuple[Path, ...]

    def add(self, pid: int) -> None:
        """Move process ``pid`` (and so everything it starts later) into the group."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders:
            try:
                found |= {int(line) for line in (folder / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                continue
        return found

    def remove(self) -> None:
        """Kill every process left in the group, then remove the group's folders."""
        for _ in range(100):
            left = self.pids()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)
        for folder in self.folders:
            for _ in range(50):  # the kernel empties a group a moment after its last process died
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


def _own_paths() -> dict[str, str]:
    """This process's group path per v1 controller, and under ``""`` its v2 path."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _write(folder: Path, name: str, value: str) -> None:
    (folder / name).write_text(value)


def _make_v1(limits, name: str) -> WorkerGroup:
    own = _own_paths()
    made: list[Path] = []
    try:
        for controller in V1_CONTROLLERS:
            folder = CGROUP_ROOT / controller / own[controller].lstrip("/") / name
            folder.mkdir()
            made.append(folder)
            if controller == "memory":
                _write(folder, "memory.limit_in_bytes", str(limits.submission_memory_bytes))
                if (folder / "memory.memsw.limit_in_bytes").exists():  # swap counts too
                    _write(folder, "memory.memsw.limit_in_bytes", str(limits.submission_memory_bytes))
            elif controller == "pids":
                _write(folder, "pids.max", str(limits.processes))
            else:
                _write(folder, "cpu.cfs_period_us", str(CPU_PERIOD_US))
                _write(folder, "cpu.cfs_quota_us", str(int(limits.submission_cpus * CPU_PERIOD_US)))
    except (OSError, KeyError):
        WorkerGroup(tuple(made)).remove()
        raise
    return WorkerGroup(tuple(made))


def _make_v2(limits, name: str) -> WorkerGroup:
    folder = CGROUP_ROOT / _own_paths()[""].lstrip("/") / name
    folder.mkdir()
    try:
        _write(folder, "memory.max", str(limits.submission_memory_bytes))
        if (folder / "memory.swap.max").exists():
            _write(folder, "memory.swap.max", "0")
        _write(folder, "pids.max", str(limits.processes))
        _write(folder, "cpu.max", f"{int(limits.submission_cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
    except OSError:
        WorkerGroup((folder,)).remove()
        raise
    return WorkerGroup((folder,))


def _make(limits, name: str) -> WorkerGroup:
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return _make_v2(limits, name)
    return _make_v1(limits, name)


def worker_group(limits) -> WorkerGroup | None:
    """A new, empty group with ``limits``' submission bounds; None where groups cannot be made here."""
    if cgroup_problem() is not None:
        return None
    try:
        return _make(limits, f"dlgrade-{os.getpid()}-{next(_counter)}")
    except (OSError, KeyError):
        return None


def _parents() -> list[Path]:
    """The folders this process's worker groups are made in."""
    own = _own_paths()
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return [CGROUP_ROOT / own[""].lstrip("/")]
    return [CGROUP_ROOT / c / own[c].lstrip("/") for c in V1_CONTROLLERS if c in own]


def remove_stale_groups() -> None:
    """Remove the groups of graders that are gone (killed: they could not remove their own)."""
    try:
        parents = _parents()
    except OSError:
        return
    for parent in parents:
        try:
            names = [entry.name for entry in os.scandir(parent) if entry.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for name in names:
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "dlgrade" and parts[1].isdigit() and \
                    not os.path.exists(f"/proc/{parts[1]}"):
                WorkerGroup((parent / name,)).remove()


@functools.lru_cache(maxsize=1)
def cgroup_problem() -> str | None:
    """Why per-worker control groups cannot be used here (None when they can); probed once
    (and the groups that killed graders left behind are removed then)."""
    small = SimpleNamespace(submission_memory_bytes=256 * 1024**2, processes=8, submission_cpus=1.0)
    try:
        probe = _make(small, f"dlgrade-{os.getpid()}-probe")
    except (OSError, KeyError) as err:
        return f"no control group can be created here ({type(err).__name__}: {err})"
    probe.remove()
    remove_stale_groups()
    return None
