"""CPU seconds of a bench process and of everything it starts, for figures that survive a shared machine.

Wall time on a machine shared with other jobs says little; the CPU time the
grading took does. ``getrusage(RUSAGE_CHILDREN)`` misses most of it: pool
processes, zygotes and their workers are reaped by processes other than the
bench (a forkserver, a zygote). So :class:`TreeCpu` moves the bench process,
before it starts anything, into a cgroup v1 ``cpuacct`` group of its own:
every process started afterwards stays in it (dlgrade's worker groups use the
memory, pids and cpu controllers, never cpuacct), and the group's
``cpuacct.usage`` counts them all. Where no such group can be made (no cgroup
v1 cpuacct, not root) it falls back to this process and its reaped children,
and says so in :attr:`TreeCpu.source`.
"""
from __future__ import annotations

import os
import resource
from pathlib import Path

CPUACCT = Path("/sys/fs/cgroup/cpuacct")


class TreeCpu:
    """The CPU seconds of this process and its descendants since it was made (make it first)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.parent = CPUACCT
        remove_stale_groups()
        try:
            self.parent = CPUACCT / own_cpuacct_path().lstrip("/")
            folder = self.parent / f"dlgrade-bench-{os.getpid()}"  # nested: a bench run by a bench counts too
            folder.mkdir()
            (folder / "cgroup.procs").write_text(str(os.getpid()))
            self.folder = folder
            self.source = "cpuacct cgroup: this process and every descendant"
        except OSError:
            self.source = "getrusage: this process and its reaped children only (no cpuacct group here)"
        self._start = self._now()

    def _now(self) -> float:
        if self.folder is not None:
            return int((self.folder / "cpuacct.usage").read_text()) / 1e9
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def seconds(self) -> float:
        """CPU seconds (user + system) used since this object was made."""
        return self._now() - self._start

    def close(self) -> None:
        """Move this process back to the root group and remove its group if it is empty (else the
        next bench removes it, see :func:`remove_stale_groups`)."""
        if self.folder is None:
            return
        try:
            (self.parent / "cgroup.procs").write_text(str(os.getpid()))
            self.folder.rmdir()
        except OSError:
            pass  # descendants still running in it (a forkserver ends with this process)
        self.folder = None


def own_cpuacct_path() -> str:
    """This process's group in the cpuacct hierarchy (raises OSError where there is none)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(","):
            return path
    raise OSError("no cgroup v1 cpuacct hierarchy here")


def remove_stale_groups() -> None:
    """Remove the empty groups of bench processes that have ended (at any depth)."""
    try:
        folders = sorted(CPUACCT.glob("**/dlgrade-bench-*"), key=lambda f: -len(f.parts))
    except OSError:
        return
    for folder in folders:
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            try:
                folder.rmdir()
            except OSError:
                pass
