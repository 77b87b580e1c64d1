"""The grader's handle on a worker process that runs one student's code.

:class:`StudentWorker` starts ``autograder/sandbox/worker.py`` in a private temporary
directory, talks to it over its own channel with :mod:`autograder.sandbox.protocol` (a
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
    * On timeout or crash the worker's process group is killed (and, when the
      worker runs under its own uid, every process of that uid; a cold bwrap
      worker's whole PID namespace; a forked one's namespace is swept by its
      zygote), never the zygote, and the next operation starts a fresh worker
      and replays the cells that ran (their time counts against the budget).
    * ``close()`` leaves no process behind but this grading process's zygotes
      (:func:`zygote_pids`, ended by :func:`shutdown_zygotes` and at exit) and
      removes the private directory.

Starting a worker
    Each start forks a fresh worker from this grading process's zygote for the
    mode when it can (:mod:`autograder.sandbox.zygote`, which states what it guarantees
    and what is weaker than a cold start); when the zygote is in use or fails,
    the worker starts cold. ``StudentWorker(zygote=False)`` always starts cold.

``sandbox="bwrap"`` (used by ``"auto"`` when bubblewrap works here)
    The worker sees read-only /usr, /lib*, /bin, a few /etc files, the Python
    prefix, the site-packages holding numpy at /opt/site (this project's
    packages, dist-info and editable hooks masked), and its directory at /tmp/student
    (/tmp/student/<name> for a worker forked from the zygote); / and
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

import logging
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from autograder.sandbox import protocol
from autograder.sandbox.protocol import Code, ProtocolError
from autograder.sandbox.launch import (CHANNEL, NOBODY, SANDBOX_HOME, SANDBOX_SITE, STARTUP_TIMEOUT, _bwrap_args,
                                       _copy_code, _environment, _json, _private_uid, _processes_of_uid, _python,
                                       _remove_tree, _signal)
from autograder.sandbox.launch import bwrap_problem  # noqa: F401  (re-exported: imported from here)
from autograder.sandbox.zygote import ZygoteError, _retire, _Zygote, _zygote_for
from autograder.sandbox.zygote import shutdown_zygotes, zygote_pids  # noqa: F401  (re-exported: imported from here)
from exercises.dlcheck import BudgetExhausted, MissingName, StudentRaised, StudentTimeout, WorkerCrashed

log = logging.getLogger(__name__)

ZYGOTE_START_TIMEOUT = 5.0
"""Seconds for a fork and the child's connection; beyond that the zygote counts as broken."""
TRUNCATED = "…[truncated]"


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



# ----------------------------------------------------------------- process
class _Process:
    """One running worker: its channel, private directory and kill-everything logic.

    Cold (``zygote`` None): ``python worker.py`` started here, ``proc`` its Popen.
    Forked: a child of ``zygote``; ``pid`` is its host pid (from the channel's
    peer credentials), watched through a pidfd.
    """

    def __init__(self, limits: Limits, mode: str, zygote: _Zygote | None = None) -> None:
        self.limits = limits
        self.zygote = zygote
        self.workdir = tempfile.mkdtemp(prefix="dlgrade-worker-", dir=zygote.base if zygote else None)
        self.kill_uid: int | None = None
        self.proc: subprocess.Popen | None = None
        self.pid: int | None = None
        """Host pid of the top of the worker's tree (bwrap or python when cold, the forked child)."""
        self.inside_pid: int | None = None
        self.pidfd: int | None = None
        self.channel: socket.socket | None = None
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(os.path.join(self.workdir, CHANNEL))
        self.listener.listen(1)
        self.log_path = os.path.join(self.workdir, "startup.log")
        try:
            config = self._config(mode)
            if zygote is not None:
                config["parent_pid"] = zygote.inside_pid
                self.inside_pid = zygote.fork(self.workdir, config, ZYGOTE_START_TIMEOUT)
                if mode == "none":  # same PID namespace: the child's pid is its host pid
                    self.pid = self.inside_pid
            else:
                self._spawn(mode, config)
        except BaseException:
            self.kill()
            raise

    def _config(self, mode: str) -> dict[str, Any]:
        limits = self.limits
        config: dict[str, Any] = {
            "max_frame": limits.message_bytes,
            "output_chars": limits.output_chars,
            "limits": {"memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds,
                       "file_size_bytes": limits.file_size_bytes, "open_files": limits.open_files,
                       "processes": limits.processes, "core": 0, "msgqueue": 0}}
        if os.geteuid() == 0:
            uid = _private_uid()
            config["drop"] = {"uid": uid, "gid": uid}
            self.kill_uid = uid if uid != NOBODY else None
        elif mode == "none":
            config["limits"]["processes"] = limits.processes + len(_processes_of_uid(os.getuid()))
        return config

    def _spawn(self, mode: str, config: dict[str, Any]) -> None:
        """A cold start: ``python -I -S -B worker.py`` (inside bwrap in that mode)."""
        python = _python()
        _copy_code(self.workdir)
        if mode == "bwrap":
            home, config["site"], prefix = SANDBOX_HOME, [SANDBOX_SITE], _bwrap_args(self.workdir)
        else:
            home, config["site"], prefix = self.workdir, [python.site], []
        config["channel"] = f"{home}/{CHANNEL}"
        command = prefix + [python.executable, "-I", "-S", "-B", f"{home}/worker.py", _json(config)]
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(
                command, cwd=self.workdir, env=_environment(home), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True, close_fds=True)
        self.pid = self.proc.pid

    def connect(self, deadline: float) -> None:
        """Accept the worker's connection: one, from a process still running as us."""
        while not select.select([self.listener], [], [], 0.05)[0]:
            if time.monotonic() >= deadline:
                raise TimeoutError("the worker did not connect")
            if not self.alive():
                raise protocol.ChannelClosed(f"the worker exited ({self.exit_status()})")
        channel, _ = self.listener.accept()
        self.listener.close()
        os.unlink(os.path.join(self.workdir, CHANNEL))
        pid, uid, _gid = struct.unpack("3i", channel.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if uid != os.geteuid():
            channel.close()
            raise ProtocolError(f"the channel was opened by uid {uid}, not by the worker")
        if self.zygote is not None:
            self.pid = pid
            self.pidfd = os.pidfd_open(pid)
        self.channel = channel
        self.fd = channel.fileno()

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        if self.pidfd is not None:
            return not select.select([self.pidfd], [], [], 0)[0]
        return self.zygote is not None and self.zygote.alive()

    def exit_status(self) -> str:
        return f"status {self.proc.poll()}" if self.proc is not None else "the forked worker ended"

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
                raise protocol.ChannelClosed(f"the worker exited ({self.exit_status()})")
        reply = protocol.read_frame(self.fd, self.limits.message_bytes, deadline)
        if reply.get("id") != request_id or type(reply.get("id")) is not int:
            raise ProtocolError(f"reply for request {reply.get('id')!r} while waiting for {request_id}")
        return reply

    def startup_log(self) -> str:
        if self.zygote is not None:
            return self.zygote.log_tail()
        try:
            return Path(self.log_path).read_text(errors="replace")[-1500:]
        except OSError:
            return ""

    def kill(self) -> None:
        """Kill the worker and everything it started (never the zygote); close the channel;
        remove its directory. A zygote that cannot confirm a clean end is retired."""
        if self.pid is not None:
            for _ in range(100):
                victims = _processes_of_uid(self.kill_uid) if self.kill_uid is not None else []
                for pid in victims:
                    _signal(pid, signal.SIGKILL)
                _signal(-self.pid, signal.SIGKILL)
                if self.zygote is not None:
                    _signal(self.pid, signal.SIGKILL)  # before its setsid() it is in the zygote's group
                if not victims:
                    break
            self.pid = None
        if self.proc is not None:
            self.proc.wait()
            self.proc = None
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        for sock in (self.listener, self.channel):
            if sock is not None:
                sock.close()
        self.channel = None
        if os.path.isdir(self.workdir):
            _remove_tree(self.workdir)
        zygote, self.zygote = self.zygote, None
        if zygote is not None and self.inside_pid is not None:
            try:
                zygote.reap(self.inside_pid)
            except ZygoteError as err:
                _retire(zygote, str(err))



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
    zygote : bool
        Fork each worker from this process's zygote for the mode (default),
        falling back to a cold start when it is in use or fails; False: always
        start cold.

    Examples
    --------
    >>> with StudentWorker(Limits(call_timeout=1.0)) as student:   # doctest: +SKIP
    ...     student.run_cells(["def double(x):\\n    return 2 * x"])
    ...     student.call("double", np.arange(3))
    array([0, 2, 4])
    """

    def __init__(self, limits: Limits = Limits(), *, sandbox: str = "auto", zygote: bool = True) -> None:
        self.limits = limits
        self.sandbox_mode = _resolve_mode(sandbox)
        self.use_zygote = zygote
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
        process = self._process = self._start_process()
        replay_end = time.monotonic() + self.limits.cells_timeout
        for index in self._replayable:
            self._timed({"op": "run_cells", "cells": [self._cells[index]], "first_index": index},
                        f"replaying cell {index}", replay_end - time.monotonic())

    def _start_process(self) -> _Process:
        """A connected, ready worker: forked from the zygote when possible, else cold."""
        if self.use_zygote:
            zygote = None
            try:
                zygote = _zygote_for(self.sandbox_mode)
                if zygote is not None:
                    return self._started(_Process(self.limits, self.sandbox_mode, zygote), ZYGOTE_START_TIMEOUT)
            except (ZygoteError, WorkerCrashed) as err:
                if zygote is None:
                    log.warning("no worker zygote (%s), this worker starts cold: %s", self.sandbox_mode, err)
                else:
                    _retire(zygote, str(err))
        return self._started(_Process(self.limits, self.sandbox_mode), STARTUP_TIMEOUT)

    def _started(self, process: _Process, timeout: float) -> _Process:
        try:
            deadline = time.monotonic() + timeout
            process.connect(deadline)
            ready = process.receive(0, deadline)
            if ready.get("ready") is not True:
                raise ProtocolError("no ready message")
        except (TimeoutError, ProtocolError, OSError) as err:
            details = process.startup_log()
            process.kill()
            raise WorkerCrashed(f"the worker could not start ({err}){': ' + details if details else ''}") from None
        return process

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
