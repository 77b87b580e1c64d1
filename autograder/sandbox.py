"""The grader's handle on a worker process that runs one student's code.

:class:`StudentWorker` starts ``autograder/worker.py`` in a private temporary
directory, talks to it over its own channel with :mod:`autograder.protocol` (a
Unix socket in that directory, accepted once, only from a process running as
the grader's uid, i.e. the worker before it drops privileges; then unlinked),
and turns its replies into values or into the exceptions of
``exercises.dlcheck`` (StudentRaised, MissingName, StudentTimeout,
WorkerCrashed, BudgetExhausted).

Guaranteed in every mode
    * The worker is ``python -I -S -B``: no user site, no ``.pth`` files, so the
      editable installs of ``reference``/``exercises``/``autograder`` are not on
      its path, and a meta-path hook refuses those names besides.
    * Its environment is built from scratch (PATH, HOME = its directory, LANG,
      MPLBACKEND=Agg, one BLAS thread ...): no variable of the grader leaks.
    * Resource limits (:class:`Limits`) on memory, CPU, file size, open files,
      processes; every operation has a deadline and the submission a budget.
    * Nothing from the worker is unpickled or evaluated; a reply is accepted
      only for the request id just sent; garbage, an oversized frame, an
      unsolicited frame or a dead process count as a crash.
    * On timeout or crash the process group is killed (and, when the worker
      runs under its own uid, every process of that uid, or the whole bwrap
      PID namespace), and the next operation starts a fresh worker and replays
      the cells that ran (their time counts against the budget).
    * ``close()`` leaves no process behind and removes the private directory.

``sandbox="bwrap"`` (used by ``"auto"`` when bubblewrap works here)
    The worker sees read-only /usr, /lib*, /bin, a few /etc files, the Python
    prefix, the site-packages holding numpy at /opt/site (this project's
    packages, dist-info and editable hooks masked), and its directory at /tmp/student; / and
    /tmp are read-only, the repository is absent. Network, PID, IPC and UTS
    namespaces are unshared (no network; it cannot see or signal the grader),
    it runs in a new session and dies with its parent. As root, bwrap runs
    without a user namespace and the worker drops to a private uid as in
    "none" mode: a user namespace would map the sandbox user to root outside,
    and root is exempt from RLIMIT_NPROC (a fork bomb would not be stopped).
    Not as root: a user namespace in which the worker is uid 65534.

``sandbox="none"``: best effort
    If the grader is root, the worker drops to its own unprivileged uid/gid
    (one of ``UID_BASE`` + grader pid x 256 + a counter that no process is
    using, or 65534, shared, if this user namespace cannot map that range):
    it cannot signal the grader or other workers, RLIMIT_NPROC counts only its
    processes, and it cannot read files that are not world-readable or write
    outside world-writable places (its directory, /tmp). World-readable files,
    the repository's sources included, remain readable. If the grader is not
    root, the worker runs as the grader's user: it could signal the grader and
    read its files; only the path isolation above holds.
"""
from __future__ import annotations

import functools
import itertools
import logging
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from autograder import protocol
from autograder.protocol import Code, ProtocolError
from exercises.dlcheck import BudgetExhausted, MissingName, StudentRaised, StudentTimeout, WorkerCrashed

log = logging.getLogger(__name__)

UID_BASE = 0x40000000
UID_SLOTS = 256
NOBODY = 65534
STARTUP_TIMEOUT = 30.0
SANDBOX_HOME = "/tmp/student"
SANDBOX_SITE = "/opt/site"
TRUNCATED = "…[truncated]"
CHANNEL = "channel.sock"
PROJECT_PACKAGES = ("reference", "exercises", "autograder")
ETC_FILES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime",
             "passwd", "group", "nsswitch.conf", "mime.types", "fonts")


@dataclass(frozen=True)
class Limits:
    """Time and resource limits for one submission's worker."""

    call_timeout: float = 5.0
    """Seconds one call/get/has may take."""
    cells_timeout: float = 30.0
    """Seconds for running all the notebook's cells (and for each replay)."""
    submission_budget: float = 120.0
    """Total seconds of student code (cells, replays, calls) per submission."""
    memory_bytes: int = 2 * 1024**3
    """Address-space limit of the worker (RLIMIT_AS)."""
    cpu_seconds: int = 120
    """CPU seconds of the worker process (RLIMIT_CPU)."""
    file_size_bytes: int = 16 * 1024**2
    """Largest file the worker may write (RLIMIT_FSIZE)."""
    open_files: int = 256
    """Open file descriptors (RLIMIT_NOFILE)."""
    processes: int = 64
    """Processes of the worker's user (RLIMIT_NPROC)."""
    output_chars: int = 20_000
    """Captured student output kept per operation."""
    message_bytes: int = 64 * 1024**2
    """Largest protocol frame, either way."""


@dataclass(frozen=True)
class CellOutcome:
    """What happened when one notebook cell ran in the worker."""

    index: int
    """Position of the cell among all cells given to this worker."""
    ok: bool
    """True when the cell ran to the end without an exception."""
    error_type: str
    """Exception class name ("" when ok), or StudentTimeout/WorkerCrashed/BudgetExhausted."""
    error_message: str
    """The exception's message ("" when ok)."""
    traceback: str
    """Short traceback through the student's cells only."""
    output: str
    """Captured stdout/stderr of the cell (capped), with notes on refused syntax."""


# ------------------------------------------------------------------ layout
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


def _resolve_mode(sandbox: str) -> str:
    if sandbox not in ("auto", "bwrap", "none"):
        raise ValueError(f"sandbox={sandbox!r}: use 'auto', 'bwrap' or 'none'")
    if sandbox == "none":
        return "none"
    problem = bwrap_problem()
    if problem is None:
        return "bwrap"
    if sandbox == "bwrap":
        raise RuntimeError(f"sandbox='bwrap' was requested but {problem}; install bubblewrap "
                           "or allow user namespaces, or pass sandbox='auto'")
    log.warning("running student code without bwrap: %s", problem)
    return "none"


_uid_counter = itertools.count()


def _private_uid() -> int:
    """An unused uid for one worker: UID_BASE + (grader pid, counter) when this
    user namespace maps that range, else 65534 (shared by all workers)."""
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
        if not _processes_of_uid(uid):
            return uid
    return NOBODY


def _processes_of_uid(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real uid is ``uid``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = dict(line.split(":", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines()
                              if ":" in line)
            except OSError:
                continue
            if int(status["Uid"].split()[0]) == uid and not status["State"].strip().startswith(("Z", "X")):
                pids.append(int(entry))
    return pids


def _remove_tree(path: str) -> None:
    def retry(function: Any, target: str, _info: Any) -> None:
        os.chmod(os.path.dirname(target), 0o700)
        if os.path.isdir(target) and not os.path.islink(target):
            os.chmod(target, 0o700)
            shutil.rmtree(target, ignore_errors=True)
        else:
            function(target)

    shutil.rmtree(path, onerror=retry)


# ----------------------------------------------------------------- process
class _Process:
    """One running worker: its channel, private directory and kill-everything logic."""

    def __init__(self, limits: Limits, mode: str) -> None:
        self.limits = limits
        self.workdir = tempfile.mkdtemp(prefix="dlgrade-worker-")
        self.kill_uid: int | None = None
        self.proc: subprocess.Popen | None = None
        here = Path(__file__).parent
        for name in ("worker.py", "protocol.py"):
            shutil.copyfile(here / name, os.path.join(self.workdir, name))
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(os.path.join(self.workdir, CHANNEL))
        self.listener.listen(1)
        self.channel: socket.socket | None = None
        config: dict[str, Any] = {
            "max_frame": limits.message_bytes,
            "output_chars": limits.output_chars,
            "limits": {"memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds,
                       "file_size_bytes": limits.file_size_bytes, "open_files": limits.open_files,
                       "processes": limits.processes, "core": 0}}
        python = _python()
        if mode == "bwrap":
            home, config["site"], prefix = SANDBOX_HOME, [SANDBOX_SITE], _bwrap_args(self.workdir)
        else:
            home, config["site"], prefix = self.workdir, [python.site], []
        if os.geteuid() == 0:
            uid = _private_uid()
            config["drop"] = {"uid": uid, "gid": uid}
            self.kill_uid = uid if uid != NOBODY else None
        elif mode == "none":
            config["limits"]["processes"] = limits.processes + len(_processes_of_uid(os.getuid()))
        config["channel"] = f"{home}/{CHANNEL}"
        command = prefix + [python.executable, "-I", "-S", "-B", f"{home}/worker.py", _json(config)]
        self.log_path = os.path.join(self.workdir, "startup.log")
        try:
            with open(self.log_path, "wb") as log_file:
                self.proc = subprocess.Popen(
                    command, cwd=self.workdir, env=_environment(home), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True, close_fds=True)
        except OSError:
            self.kill()
            raise

    def connect(self, deadline: float) -> None:
        """Accept the worker's connection: one, from a process still running as us."""
        while not select.select([self.listener], [], [], 0.1)[0]:
            if time.monotonic() >= deadline:
                raise TimeoutError("the worker did not connect")
            if not self.alive():
                raise protocol.ChannelClosed(f"the worker exited with status {self.proc.poll()}")
        channel, _ = self.listener.accept()
        self.listener.close()
        os.unlink(os.path.join(self.workdir, CHANNEL))
        _pid, uid, _gid = struct.unpack("3i", channel.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if uid != os.geteuid():
            channel.close()
            raise ProtocolError(f"the channel was opened by uid {uid}, not by the worker")
        self.channel = channel
        self.fd = channel.fileno()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def has_unsolicited_data(self) -> bool:
        return bool(select.select([self.fd], [], [], 0)[0])

    def exchange(self, message: dict, deadline: float) -> dict:
        """Send ``message`` and return the reply with the same id."""
        protocol.write_frame(self.fd, message, self.limits.message_bytes, deadline)
        return self.receive(message["id"], deadline)

    def receive(self, request_id: int, deadline: float) -> dict:
        while not select.select([self.fd], [], [], max(0.0, min(0.1, deadline - time.monotonic())))[0]:
            if time.monotonic() >= deadline:
                raise TimeoutError("no reply before the deadline")
            if not self.alive():
                raise protocol.ChannelClosed(f"the worker exited with status {self.proc.poll()}")
        reply = protocol.read_frame(self.fd, self.limits.message_bytes, deadline)
        if reply.get("id") != request_id or type(reply.get("id")) is not int:
            raise ProtocolError(f"reply for request {reply.get('id')!r} while waiting for {request_id}")
        return reply

    def startup_log(self) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-1500:]
        except OSError:
            return ""

    def kill(self) -> None:
        """Kill the worker and everything it started; close the channel; remove its directory."""
        if self.proc is not None:
            for _ in range(100):
                victims = _processes_of_uid(self.kill_uid) if self.kill_uid is not None else []
                for pid in victims:
                    _signal(pid, signal.SIGKILL)
                _signal(-self.proc.pid, signal.SIGKILL)
                if not victims:
                    break
            self.proc.wait()
            self.proc = None
        for sock in (self.listener, self.channel):
            if sock is not None:
                sock.close()
        self.channel = None
        _remove_tree(self.workdir)


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


# ------------------------------------------------------------------ handle
class StudentWorker:
    """A proxy to one submission's code running in a sandboxed worker process.

    Parameters
    ----------
    limits : Limits
        Time and resource limits (per call, for the cells, per submission).
    sandbox : {"auto", "bwrap", "none"}
        ``"auto"`` uses bwrap when it works here, else ``"none"`` with a logged
        reason; ``"bwrap"`` raises RuntimeError when bwrap cannot be used.

    Examples
    --------
    >>> with StudentWorker(Limits(call_timeout=1.0)) as student:   # doctest: +SKIP
    ...     student.run_cells(["def double(x):\\n    return 2 * x"])
    ...     student.call("double", np.arange(3))
    array([0, 2, 4])
    """

    def __init__(self, limits: Limits = Limits(), *, sandbox: str = "auto") -> None:
        self.limits = limits
        self.sandbox_mode = _resolve_mode(sandbox)
        self.last_output = ""
        self._process: _Process | None = None
        self._cells: list[str] = []
        self._replayable: list[int] = []
        self._budget_left = float(limits.submission_budget)
        self._next_id = 1
        self._closed = False

    # ----------------------------------------------------------- public
    def run_cells(self, cells: Sequence[str]) -> list[CellOutcome]:
        """Run ``cells`` in order (after any earlier ones) and say how each went.

        A cell that raises is recorded and the next still runs. A cell that
        exceeds what is left of ``cells_timeout`` or crashes the worker is
        recorded as StudentTimeout / WorkerCrashed and is left out of replays;
        the worker is restarted for the next cell.
        """
        if self._closed:
            raise RuntimeError("this StudentWorker is closed; create a new one")
        self._ensure_worker()  # start-up and replay do not eat into this window
        window_end = time.monotonic() + self.limits.cells_timeout
        outcomes, outputs = [], []
        for source in cells:
            if not isinstance(source, str):
                raise TypeError(f"cells must be strings of code, got {type(source).__name__}")
            index = len(self._cells)
            self._cells.append(source)
            outcome = self._run_one_cell(index, source, window_end)
            outcomes.append(outcome)
            outputs.append(outcome.output)
        self.last_output = self._cap("".join(outputs))
        return outcomes

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's global ``name(*args, **kwargs)`` and return its value.

        Arguments cross by value (arrays are copied, a Generator's state is
        copied; ``Code("lambda x: ...")`` is evaluated in the worker). A value the
        worker cannot send as data comes back as :class:`protocol.Opaque`.
        """
        for value in list(args) + list(kwargs.values()):
            if isinstance(value, Code):
                compile(value.source, "<Code>", "eval")  # a SyntaxError here is the check's bug
        message = {"op": "call", "name": name,
                   "args": protocol.encode_value(list(args), strict=True),
                   "kwargs": protocol.encode_value(dict(kwargs), strict=True)}
        return self._value(self._operation(message, f"`{name}(...)`"), name)

    def get(self, name: str) -> Any:
        """Return the value of the student's global variable ``name``."""
        return self._value(self._operation({"op": "get", "name": name}, f"reading `{name}`"), name)

    def has(self, name: str) -> bool:
        """Is ``name`` defined in the student's namespace?"""
        reply = self._operation({"op": "has", "name": name}, f"looking up `{name}`")
        if type(reply.get("value")) is not bool:
            self._crash("looking up a name", ProtocolError("a non-boolean answer to has()"))
        return reply["value"]

    def close(self) -> None:
        """Kill the worker's whole process tree and remove its directory (idempotent)."""
        self._closed = True
        self._kill()

    def __enter__(self) -> StudentWorker:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self._kill()
        except Exception:
            pass

    # ---------------------------------------------------------- internals
    def _run_one_cell(self, index: int, source: str, window_end: float) -> CellOutcome:
        timeout = window_end - time.monotonic()
        failure = None
        if timeout <= 0:
            failure = ("StudentTimeout", f"not run: the {self.limits.cells_timeout:g} s for the cells were used up")
        else:
            try:
                reply = self._operation({"op": "run_cells", "cells": [source], "first_index": index},
                                        f"cell {index}", timeout=timeout)
                outcome = self._cell_outcome(index, reply)
                self._replayable.append(index)
                return outcome
            except (StudentTimeout, WorkerCrashed, BudgetExhausted) as err:
                failure = (type(err).__name__, str(err))
        return CellOutcome(index, False, failure[0], failure[1], "", self.last_output)

    def _cell_outcome(self, index: int, reply: dict) -> CellOutcome:
        cells = reply.get("cells")
        if not (isinstance(cells, list) and len(cells) == 1 and isinstance(cells[0], dict)):
            self._crash(f"cell {index}", ProtocolError("a malformed cell result"))
        cell = cells[0]
        fields = [cell.get(key) for key in ("error_type", "error_message", "traceback", "output")]
        if type(cell.get("ok")) is not bool or not all(type(field) is str for field in fields):
            self._crash(f"cell {index}", ProtocolError("a malformed cell result"))
        error_type, message, trace, output = fields[0][:200], fields[1][:4000], fields[2][:4000], self._cap(fields[3])
        self.last_output = output
        return CellOutcome(index, cell["ok"], error_type, message, trace, output)

    def _value(self, reply: dict, name: str) -> Any:
        if "missing" in reply:
            raise MissingName(name)
        if "raised" in reply:
            raised = reply["raised"]
            if not isinstance(raised, dict) or not all(type(raised.get(k)) is str for k in ("type", "message", "traceback")):
                self._crash(f"`{name}`", ProtocolError("a malformed exception report"))
            raise StudentRaised(raised["type"][:200], raised["message"][:4000], raised["traceback"][:4000])
        if "value" not in reply:
            self._crash(f"`{name}`", ProtocolError(f"an unexpected reply: {str(reply.get('error', ''))[:300]}"))
        try:
            return protocol.decode_value(reply["value"])
        except ProtocolError as err:
            self._crash(f"`{name}`", err)

    def _operation(self, message: dict, what: str, timeout: float | None = None) -> dict:
        """Send one request to a live worker (starting it if needed) and return the reply."""
        if self._closed:
            raise RuntimeError("this StudentWorker is closed; create a new one")
        self._ensure_worker()
        reply = self._timed(message, what, self.limits.call_timeout if timeout is None else timeout)
        output = reply.get("output", "")
        if type(output) is not str:
            self._crash(what, ProtocolError("non-text output"))
        self.last_output = self._cap(output)
        return reply

    def _timed(self, message: dict, what: str, timeout: float) -> dict:
        if self._budget_left <= 0:
            raise BudgetExhausted(f"the submission's {self.limits.submission_budget:g} s budget is used up; "
                                  f"{what} was not run")
        limit = min(timeout, self._budget_left)
        message = dict(message, id=self._next_id)
        self._next_id += 1
        start = time.monotonic()
        try:
            reply = self._process.exchange(message, start + limit)
        except TimeoutError:
            self._budget_left -= time.monotonic() - start
            self._kill()
            if limit < timeout:
                raise BudgetExhausted(f"{what} ran into the end of the submission's "
                                      f"{self.limits.submission_budget:g} s budget") from None
            raise StudentTimeout(f"{what} did not finish within {timeout:g} s") from None
        except (ProtocolError, OSError) as err:
            self._budget_left -= time.monotonic() - start
            self._crash(what, err)
        self._budget_left -= time.monotonic() - start
        return reply

    def _ensure_worker(self) -> None:
        process = self._process
        if process is not None and process.alive() and not process.has_unsolicited_data():
            return
        self._kill()
        process = self._process = _Process(self.limits, self.sandbox_mode)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            process.connect(deadline)
            ready = process.receive(0, deadline)
        except (TimeoutError, ProtocolError, OSError) as err:
            details = process.startup_log()
            self._kill()
            raise WorkerCrashed(f"the worker could not start ({err}){': ' + details if details else ''}") from None
        if ready.get("ready") is not True:
            self._crash("starting the worker", ProtocolError("no ready message"))
        replay_end = time.monotonic() + self.limits.cells_timeout
        for index in self._replayable:
            self._timed({"op": "run_cells", "cells": [self._cells[index]], "first_index": index},
                        f"replaying cell {index}", replay_end - time.monotonic())

    def _crash(self, what: str, err: BaseException) -> None:
        self._kill()
        reason = "exited" if isinstance(err, protocol.ChannelClosed) else "sent malformed data"
        raise WorkerCrashed(f"the worker running the student's code {reason} during {what}: {err}") from None

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()

    def _cap(self, text: str) -> str:
        cap = self.limits.output_chars
        return text if len(text) <= cap + len(TRUNCATED) else text[:cap] + TRUNCATED
