"""Launching a worker process: the pieces a cold start and the zygote share.

Where this Python and numpy live (and which site-packages entries of this
project to mask), the environment a worker gets (built from scratch), the
arguments of bubblewrap and whether it works here (:func:`bwrap_problem`), the
private uid of a worker run as root, the /proc scan that finds a uid's
processes, and the signals and directory removal that end a worker.
:mod:`autograder.sandbox.handle` (cold workers) and :mod:`autograder.sandbox.zygote` (forked
workers) use them; this module imports neither.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

UID_BASE = 0x40000000
UID_SLOTS = 256
NOBODY = 65534
STARTUP_TIMEOUT = 30.0
SANDBOX_HOME = "/tmp/student"
SANDBOX_SITE = "/opt/site"
CHANNEL = "channel.sock"
PROJECT_PACKAGES = ("reference", "exercises", "autograder")
ETC_FILES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime",
             "passwd", "group", "nsswitch.conf", "mime.types", "fonts")


@dataclass(frozen=True)
class _Python:
    executable: str
    prefixes: tuple[str, ...]
    site: str
    hidden_entries: tuple[str, ...]
    """site-packages entries of this project (packages, dist-info, editable hooks, .pth)."""


@functools.lru_cache(maxsize=1)
def _python() -> _Python:
    executable = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    site = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))
    hidden = tuple(sorted(
        name for name in os.listdir(site)
        if name.endswith((".pth", ".egg-link")) or name.startswith("__editable__")
        or name.split("-")[0].split(".")[0] in PROJECT_PACKAGES + ("dlgrade",)))
    prefixes = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.base_exec_prefix)}
    return _Python(executable, tuple(sorted(prefixes)), site, hidden)


def _environment(home: str) -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": home,
            "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.matplotlib",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _bwrap_args(workdir: str) -> list[str]:
    """bwrap's arguments. As root: no user namespace (root is exempt from
    RLIMIT_NPROC even inside one), the worker drops to its own uid itself;
    otherwise: a user namespace in which the worker is uid 65534."""
    python = _python()
    if os.geteuid() == 0:
        args = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                "--cap-add", "CAP_CHOWN"]
    else:
        args = ["bwrap", "--unshare-all", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    args += ["--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for prefix in python.prefixes:
        if not prefix.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
    args += ["--ro-bind", python.site, SANDBOX_SITE]
    for name in python.hidden_entries:
        hidden = os.path.join(python.site, name)
        args += ["--tmpfs", f"{SANDBOX_SITE}/{name}"] if os.path.isdir(hidden) else \
                ["--ro-bind", "/dev/null", f"{SANDBOX_SITE}/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
             "--bind", workdir, SANDBOX_HOME, "--remount-ro", "/tmp", "--remount-ro", "/",
             "--chdir", SANDBOX_HOME]
    return args


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """Why bwrap cannot be used here (None when it works); probed once."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (Debian package bubblewrap)"
    workdir = tempfile.mkdtemp(prefix="dlgrade-probe-")
    try:
        command = _bwrap_args(workdir) + [_python().executable, "-I", "-S", "-c", "import os; print(os.getuid())"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=_environment(SANDBOX_HOME))
    except (OSError, subprocess.SubprocessError) as err:
        return f"bwrap could not be run: {err}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if done.returncode != 0 or done.stdout.strip() != str(0 if os.geteuid() == 0 else NOBODY):
        return f"bwrap is refused here (exit {done.returncode}): {done.stderr.strip()[:300]}"
    return None


_uid_counter = itertools.count()
_emptied: set[int] = set()
"""Private uids of this process whose every process a kill ended and saw gone: unused until handed out again
(only this process's workers take a uid of its range), so they are free without a scan of /proc."""


def _uid_emptied(uid: int) -> None:
    """Note that no process of ``uid`` is left (a kill just looked) and none can appear but by this process."""
    _emptied.add(uid)


def _private_uid() -> int:
    """An unused uid for one worker: UID_BASE + (grader pid, counter) when this
    user namespace maps that range, else 65534 (shared by all workers). A uid
    is unused when no process has it: known without a scan of /proc for one
    this process emptied (:func:`_uid_emptied`), else looked for."""
    top = UID_BASE + (1 << 22) * UID_SLOTS
    try:
        ranges = [tuple(map(int, line.split())) for line in Path("/proc/self/uid_map").read_text().splitlines()]
    except (OSError, ValueError):
        ranges = []
    if not any(inside <= UID_BASE and top <= inside + count for inside, _, count in ranges):
        return NOBODY
    base = UID_BASE + (os.getpid() % (1 << 22)) * UID_SLOTS
    for _ in range(UID_SLOTS):
        uid = base + next(_uid_counter) % UID_SLOTS
        if uid in _emptied or not _processes_of_uid(uid):
            _emptied.discard(uid)
            return uid
    return NOBODY


def _processes_of_uid(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real uid is ``uid``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:  # State and Uid are in the first lines of status: read only those, unbuffered (per worker)
                descriptor = os.open(f"/proc/{entry}/status", os.O_RDONLY | os.O_CLOEXEC)
                try:
                    head = os.read(descriptor, 2048)
                finally:
                    os.close(descriptor)
                state = head.split(b"\nState:", 1)[1].split(None, 1)[0]
                real_uid = int(head.split(b"\nUid:", 1)[1].split(None, 1)[0])
            except (OSError, IndexError, ValueError):
                continue
            if real_uid == uid and state not in (b"Z", b"X"):
                pids.append(int(entry))
    return pids


def _remove_tree(path: str) -> None:
    """Remove ``path`` and everything in it, making folders a worker left unwritable writable.

    Entries that vanish meanwhile are not an error (a worker's own clean-up, or
    another grading process removing the same stale folder)."""
    def retry(function: Any, target: str, info: Any) -> None:
        if isinstance(info[1], FileNotFoundError):
            return
        try:
            os.chmod(os.path.dirname(target), 0o700)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, 0o700)
                shutil.rmtree(target, ignore_errors=True)
            elif function in (os.unlink, os.rmdir, os.remove):
                function(target)
            else:  # os.open, os.lstat, os.scandir ... on a file: unlinking it is what was meant
                os.unlink(target)
        except FileNotFoundError:
            pass

    shutil.rmtree(path, onerror=retry)


MEMORY_FS = "/dev/shm"
MIN_MEMORY_FS_BYTES = 1024**3


@functools.lru_cache(maxsize=1)
def work_root() -> str:
    """Where workers' private folders (and zygote bases) are made: a tmpfs when there is one.

    On a tmpfs (``/dev/shm``, at least 1 GiB free) what a worker writes in its
    folder is memory charged to its control group, so the submission's memory
    bound (:mod:`autograder.sandbox.cgroup`) bounds its writes too, and nothing
    reaches the host's disk. Elsewhere: the temporary folder (each file capped
    at ``file_size_bytes``, the total not bounded)."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
        usage = os.statvfs(MEMORY_FS)
    except OSError:
        return tempfile.gettempdir()
    on_tmpfs = any(line.split()[1:3] == [MEMORY_FS, "tmpfs"] for line in mounts if len(line.split()) > 2)
    if on_tmpfs and usage.f_bavail * usage.f_frsize >= MIN_MEMORY_FS_BYTES and os.access(MEMORY_FS, os.W_OK):
        return MEMORY_FS
    return tempfile.gettempdir()


SHARED_WRITABLE_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")
"""Where a worker in plain mode can create files outside its own directory (world-writable)."""


def _remove_files_of_uid(uid: int, roots: tuple[str, ...] = SHARED_WRITABLE_ROOTS) -> list[str]:
    """Remove what ``uid`` created under ``roots``; the paths removed.

    A uid can only create entries in folders it may write: world-writable ones
    (``/tmp`` and any sticky, world-writable folder in it) and its own, which go
    whole. So the walk descends only into world-writable folders owned by others;
    links are never followed."""
    removed, folders = [], [root for root in roots if os.path.isdir(root) and not os.path.islink(root)]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid == uid:
                if stat.S_ISDIR(info.st_mode):
                    _remove_tree(entry.path)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                removed.append(entry.path)
            elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH:
                folders.append(entry.path)
    return removed


def _copy_code(directory: str) -> None:
    here = Path(__file__).parent
    for name in ("worker.py", "protocol.py"):
        shutil.copyfile(here / name, os.path.join(directory, name))
        os.chmod(os.path.join(directory, name), 0o644)


def _signal(pid: int, sig: int) -> None:
    try:
        if pid < 0:
            os.killpg(-pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))
