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
      processes; every operation has a deadline (checked between frames: a frame
      already begun, or a call-back's answer, completes within 5 s more) and the
      submission a budget.
      Where the machine lets the grader make control groups, the submission's
      memory, processes and CPU rate are bounded as a whole besides
      (:mod:`autograder.sandbox.cgroup`, trust invariant 9); elsewhere the bound
      is ``processes`` x ``memory_bytes``. A worker's own directory is on a
      tmpfs when the machine has one (:func:`autograder.sandbox.launch.work_root`),
      so what it writes there is memory of its group, bounded with the rest and
      never on the host's disk; elsewhere each file is at most ``file_size_bytes``.
      A call's deadline is ``Limits.call_timeout`` (5 s) unless the grader sets
      ``call_timeout`` (seconds or a :class:`CallDeadline`) for the calls that
      follow: it sets, per exercise, ``min(60 s, max(0.25 s, factor × the model
      answer's slowest call))`` with factor 50 (exercises that train declare
      more), the model answer measured on this machine during grading, the
      first time a call of the exercise runs past 0.25 s (margins:
      :mod:`autograder.grading.call_limits`: a correct plain-Python answer is cut
      only past 50 times the model's slowest call, and the floor leaves the
      slowest one a library check means to pass, a naive recursive
      ``fibonacci(30)``, a margin of 3; an endless loop ends at its exercise's
      limit, 0.25 s of CPU for a cheap function). The limit counts the worker's CPU
      time (the kernel's accounting of its process, ``/proc/<pid>/stat``), so
      neither a loaded machine nor the grader's follow-through answers are
      charged to the student; a call that waits without computing ends at
      ``WALL_FACTOR`` (5) × its limit of wall time, and every call at the end of
      the submission's budget (wall time).
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
    the repository's sources included, remain readable. Before the drop it
    unshares a network namespace (no network at all, not even the host's
    loopback) and a System V IPC namespace, when the kernel allows it (root
    with CAP_SYS_ADMIN, as in CI). If the grader is not root, the worker runs
    as the grader's user: it could signal the grader, read its files and use
    the network; only the path isolation above holds.

Nothing outlives a submission (trust invariant 8)
    When a worker ends, every process of its private uid is killed, its
    directory removed, and (plain mode) whatever that uid created in /tmp,
    /var/tmp and /dev/shm or in a world-writable folder below them removed
    (:func:`autograder.sandbox.launch._remove_files_of_uid`); its System V IPC
    objects and POSIX message queues die with its IPC namespace (RLIMIT_MSGQUEUE
    is 0 besides). Under bwrap /tmp is a read-only tmpfs of its own and /dev a
    private one. Tested by ``tests/autograder/sandbox/test_leftovers.py`` (one
    worker plants everything, the next one and the host look) and the network
    by ``test_network.py`` (a live listener on the host's loopback).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from autograder.sandbox import protocol
from autograder.sandbox.protocol import Code, ProtocolError
from autograder.sandbox.launch import STARTUP_TIMEOUT
from autograder.sandbox.launch import bwrap_problem  # noqa: F401  (re-exported: imported from here)
from autograder.sandbox.process import Limits, RequestNotTaken, _Process  # noqa: F401  (Limits re-exported: imported from here)
from autograder.sandbox.zygote import ZygoteError, _retire, _zygote_for
from autograder.sandbox.zygote import shutdown_zygotes, zygote_pids  # noqa: F401  (re-exported: imported from here)
from exercises.dlcheck import BudgetExhausted, MissingName, StudentRaised, StudentTimeout, WorkerCrashed

log = logging.getLogger(__name__)

WALL_FACTOR = 5.0
"""A call's wall-time backstop, in multiples of its CPU time limit (a call that waits without computing)."""
CPU_TICK = 0.02
"""CPU time left below which a call counts as having used its limit (the kernel counts in 10 ms ticks)."""
ZYGOTE_START_TIMEOUT = 5.0
"""Seconds for a fork and the child's connection; beyond that the zygote counts as broken."""
TRUNCATED = "…[truncated]"


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


@dataclass(frozen=True)
class CallDeadline:
    """A call's time limit decided in two steps: ``first`` seconds; when a call is still running
    then, ``then()`` gives the seconds it may take in all (computed only for such a call, while it
    keeps running: the grader measures the model answer's cost only when it matters)."""

    first: float
    then: Callable[[], float] | None = None


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

    def __init__(self, limits: Limits = Limits(), *, sandbox: str = "auto", zygote: bool = True,
                 follow_through: bool = False) -> None:
        self.limits = limits
        self.follow_through = follow_through
        """True only for a worker started for follow-through marking: it alone may ask the grader for
        a model answer's values (call-backs); any other worker asking is a protocol violation."""
        self.callbacks: dict[str, Callable[..., Any]] = {}
        """The model answer's functions that call-backs may reach now (set by :meth:`rebind`)."""
        self.called_back: set[str] = set()
        """Names the student's code called back to since this was last cleared."""
        self._rebound: list[str] = []
        self.sandbox_mode = _resolve_mode(sandbox)
        self.use_zygote = zygote
        self.last_output = ""
        self.call_timeout: float | CallDeadline | None = None
        """Seconds each call/get/has that follows may take; None: ``limits.call_timeout``. The grader sets
        it per exercise, scaled to the model answer's cost (:mod:`autograder.grading.call_limits`)."""
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

    def rebind(self, models: dict[str, Callable[..., Any]]) -> None:
        """Follow-through marking: the student's functions named in ``models`` are replaced, in the
        worker, by call-backs that the grader answers with the model answer's value at the inputs the
        student's code passes; every other name is the student's own again. Only a worker started
        with ``follow_through=True`` may do this (the guarantee is stated in the module docstring)."""
        if not self.follow_through:
            raise RuntimeError("call-backs are only for a worker started with follow_through=True")
        self.callbacks = dict(models)
        self._rebound = sorted(models)
        self._operation({"op": "rebind", "names": self._rebound}, "replacing functions by the model's")

    def _answer_callback(self, frame: dict) -> dict:
        """The grader's side of a call-back: the model's value at the student's inputs, as data."""
        name = frame.get("callback")
        function = self.callbacks.get(name) if type(name) is str else None
        if function is None:
            return {"raised": f"no model answer of {str(name)[:80]!r} is open to call-backs now"}
        self.called_back.add(name)
        try:
            args = protocol.decode_value(frame.get("args", []))
            kwargs = protocol.decode_value(frame.get("kwargs", {"$": "dict", "v": []}))
            if type(args) is not list or type(kwargs) is not dict:
                return {"raised": "malformed arguments"}
            with np.errstate(all="ignore"):
                value = function(*args, **kwargs)
            return {"value": protocol.encode_value(value, strict=True)}
        except Exception as err:  # the student's arguments may be anything: the model's error is theirs
            return {"raised": f"{type(err).__name__}: {str(err)[:200]}"}

    def get(self, name: str) -> Any:
        """Return the value of the student's global variable ``name``."""
        return self._value(self._operation({"op": "get", "name": name}, f"reading `{name}`"), name)

    def has(self, name: str) -> bool:
        """Is ``name`` defined in the student's namespace?"""
        reply = self._operation({"op": "has", "name": name}, f"looking up `{name}`")
        if type(reply.get("value")) is not bool:
            self._crash("looking up a name", ProtocolError("a non-boolean answer to has()"))
        return reply["value"]

    def renew_budget(self) -> None:
        """Give the operations that follow the whole ``limits.submission_budget`` again: the grader's
        next phase in this worker (its hidden checks after the public ones) gets what a fresh worker
        would have had."""
        self._budget_left = float(self.limits.submission_budget)

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
        if timeout is None:
            timeout = self.limits.call_timeout if self.call_timeout is None else self.call_timeout
        reply = self._timed(message, what, timeout)
        output = reply.get("output", "")
        if type(output) is not str:
            self._crash(what, ProtocolError("non-text output"))
        self.last_output = self._cap(output)
        return reply

    def _timed(self, message: dict, what: str, timeout: float | CallDeadline) -> dict:
        if self._budget_left <= 0:
            raise BudgetExhausted(f"the submission's {self.limits.submission_budget:g} s budget is used up; "
                                  f"{what} was not run")
        deadline = timeout if isinstance(timeout, CallDeadline) else CallDeadline(timeout)
        timeout = deadline.first
        message = dict(message, id=self._next_id)
        self._next_id += 1
        start, cpu_start = time.monotonic(), self._process.cpu_seconds()
        budget_end = start + self._budget_left
        try:
            try:
                reply = self._process.exchange(message, min(start + timeout, budget_end), self._callback_answerer())
            except RequestNotTaken:
                raise  # the worker holds part of a frame: no reply can come
            except TimeoutError:
                if time.monotonic() >= budget_end or (deadline.then is None and cpu_start is None):
                    raise  # nothing can give the call more time
                if deadline.then is not None:  # the call kept running meanwhile: the rest of its time
                    timeout = max(deadline.then(), timeout)
                reply = self._wait_on_cpu(message["id"], start, cpu_start, timeout, budget_end)
        except TimeoutError as err:
            ended = time.monotonic()
            self._budget_left -= ended - start
            self._kill()
            if ended >= budget_end:
                raise BudgetExhausted(f"{what} ran into the end of the submission's "
                                      f"{self.limits.submission_budget:g} s budget") from None
            raise StudentTimeout(f"{what} did not finish within {timeout:g} s{err}") from None
        except (ProtocolError, OSError) as err:
            self._budget_left -= time.monotonic() - start
            self._crash(what, err)
        self._budget_left -= time.monotonic() - start
        return reply

    def _wait_on_cpu(self, request_id: int, start: float, cpu_start: float | None,
                     timeout: float, budget_end: float) -> dict:
        """Wait for the reply to ``request_id`` until the worker has used ``timeout`` seconds of CPU.

        A call's time limit counts the CPU time the worker spends (kernel accounting, see
        :meth:`_Process.cpu_seconds`), not the wall time that a loaded machine or the grader's
        follow-through answers add: a correct call is not cut because other processes held the
        cores. An endless loop uses CPU as fast as it can and ends at ``timeout``; a call that
        waits without computing (sleeps, blocks) ends at ``WALL_FACTOR × timeout`` of wall time.
        Both end at the submission's budget (``budget_end``). Where the CPU time cannot be read,
        the limit is ``timeout`` of wall time. A TimeoutError's message completes "did not finish
        within N s".
        """
        wall_end = min(start + WALL_FACTOR * timeout, budget_end)
        while True:
            now = time.monotonic()
            cpu_now = self._process.cpu_seconds()
            if cpu_start is None or cpu_now is None:
                if now >= min(start + timeout, budget_end):
                    raise TimeoutError("")
                cpu_left = start + timeout - now
            else:
                cpu_left = timeout - (cpu_now - cpu_start)
                if cpu_left <= CPU_TICK:
                    raise TimeoutError(" of CPU time")
                if now >= wall_end:
                    raise TimeoutError(f" ({WALL_FACTOR * timeout:g} s of waiting, "
                                       f"{cpu_now - cpu_start:.2g} s of it computing)")
            try:  # the CPU time left cannot be used in less wall time than itself: look again then
                return self._process.receive(request_id, min(now + cpu_left, wall_end), self._callback_answerer())
            except TimeoutError:
                continue

    def _callback_answerer(self) -> Callable[[dict], dict] | None:
        return self._answer_callback if self.follow_through else None

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
        if self._rebound:  # a restarted follow-through worker gets its call-backs again
            self._timed({"op": "rebind", "names": self._rebound}, "replacing functions by the model's",
                        self.limits.call_timeout)

    def _start_process(self) -> _Process:
        """A connected, ready worker: forked from the zygote when possible, else cold."""
        if self.use_zygote:
            zygote = None
            try:
                zygote = _zygote_for(self.sandbox_mode)
                if zygote is not None:
                    return self._started(_Process(self.limits, self.sandbox_mode, zygote, ZYGOTE_START_TIMEOUT), ZYGOTE_START_TIMEOUT)
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
