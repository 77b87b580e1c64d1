"""One running worker process: its start (cold or forked), channel, private folder and end.

:class:`_Process` is what :class:`autograder.sandbox.handle.StudentWorker`
holds while a worker runs: it starts ``worker.py`` cold (inside bwrap in that
mode) or forks it from the zygote, accepts its one connection (only from a
process still running as the grader's uid), and kills everything the worker
started when it ends. :class:`Limits` are the limits it applies. The
guarantees are stated in :mod:`autograder.sandbox.handle`.
"""
from __future__ import annotations

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
from typing import Any, Callable

from autograder.sandbox import protocol
from autograder.sandbox.cgroup import WorkerGroup, worker_group
from autograder.sandbox.launch import (CHANNEL, NOBODY, SANDBOX_HOME, SANDBOX_SITE, _bwrap_args, _copy_code,
                                       _environment, _json, _private_uid, _processes_of_uid, _python,
                                       _remove_files_of_uid, _remove_tree, _signal, _uid_emptied, work_root)
from autograder.sandbox.protocol import ProtocolError
from autograder.sandbox.zygote import ZygoteError, _retire, _Zygote


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

FRAME_GRACE = 5.0
"""Seconds past a deadline that reading a frame already begun, or writing a request or a call-back's
answer, may take."""


class RequestNotTaken(TimeoutError):
    """The worker did not read a request's whole frame within FRAME_GRACE past its deadline: the
    channel is out of step, so nothing can give the call more time (its message completes "did not
    finish within N s")."""
EXIT_WAIT = 1.0
"""Seconds a kill waits for the killed worker to end before it looks for what the worker left."""


@dataclass(frozen=True)
class Limits:
    """Time and resource limits for one submission's worker."""

    call_timeout: float = 5.0
    """Seconds one call/get/has may take, unless ``StudentWorker.call_timeout`` says otherwise (the
    grader sets it per exercise from the model answer's cost: :mod:`autograder.grading.call_limits`)."""
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
    """Processes of the worker's user (RLIMIT_NPROC); with a control group, processes and threads
    of the whole submission together (pids.max)."""
    submission_memory_bytes: int = 2 * 1024**3
    """Memory of all the submission's processes together, where a control group can be made
    (:mod:`autograder.sandbox.cgroup`); otherwise each process has ``memory_bytes``."""
    submission_cpus: float = 1.0
    """Cores' worth of CPU time for all the submission's processes together (control group only)."""
    output_chars: int = 20_000
    """Captured student output kept per operation."""
    message_bytes: int = 64 * 1024**2
    """Largest protocol frame, either way."""


class _Process:
    """One running worker: its channel, private directory and kill-everything logic.

    Cold (``zygote`` None): ``python worker.py`` started here, ``proc`` its Popen.
    Forked: a child of ``zygote``; ``pid`` is its host pid (from the channel's
    peer credentials), watched through a pidfd.
    """

    def __init__(self, limits: Limits, mode: str, zygote: _Zygote | None = None,
                 fork_timeout: float = 5.0) -> None:
        self.limits = limits
        self.mode = mode
        self.zygote = zygote
        self.workdir = tempfile.mkdtemp(prefix="dlgrade-worker-", dir=zygote.base if zygote else work_root())
        self.kill_uid: int | None = None
        self.worker_pid: int | None = None
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
        self.group: WorkerGroup | None = None
        try:
            config = self._config(mode)
            if zygote is not None:
                config["parent_pid"] = zygote.inside_pid
                self.inside_pid = zygote.fork(self.workdir, config, fork_timeout)
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
        self._join_group(pid)
        self.worker_pid = pid  # the worker itself (host pid): whose CPU time a call's deadline counts
        if self.zygote is not None:
            self.pid = pid
            self.pidfd = os.pidfd_open(pid)
        self.channel = channel
        self.fd = channel.fileno()

    def _join_group(self, pid: int) -> None:
        """Put the worker (not yet running student code) into a control group of its own."""
        self.group = worker_group(self.limits)
        if self.group is not None:
            try:
                self.group.add(pid)
            except OSError:  # it cannot be moved (it ended already): no group, the rlimits hold
                self.group.remove()
                self.group = None

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        if self.pidfd is not None:
            return not select.select([self.pidfd], [], [], 0)[0]
        return self.zygote is not None and self.zygote.alive()

    def exit_status(self) -> str:
        return f"status {self.proc.poll()}" if self.proc is not None else "the forked worker ended"

    def cpu_seconds(self) -> float | None:
        """CPU seconds the worker process has used (its threads and reaped children included), read
        from the kernel's accounting (``/proc/<pid>/stat``), which student code cannot change; None
        when it cannot be read (no worker yet, or it ended)."""
        if self.worker_pid is None:
            return None
        try:
            with open(f"/proc/{self.worker_pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        # after "pid (comm)": fields[11:15] are utime, stime, cutime, cstime in clock ticks
        return sum(int(tick) for tick in fields[11:15]) / _CLOCK_TICKS

    def has_unsolicited_data(self) -> bool:
        return bool(select.select([self.fd], [], [], 0)[0])

    def exchange(self, message: dict, deadline: float,
                 on_callback: Callable[[dict], dict] | None = None) -> dict:
        """Send ``message`` and return the reply with the same id.

        The request is sent whole even past ``deadline`` (within FRAME_GRACE more), as a reply is
        read: a large argument still being written at a call's first deadline would otherwise leave
        the worker waiting for the rest of the frame, computing nothing, until the call timed out.
        A worker that does not take the frame within the grace raises :class:`RequestNotTaken`."""
        try:
            protocol.write_frame(self.fd, message, self.limits.message_bytes, self._grace(deadline))
        except TimeoutError:
            raise RequestNotTaken(f" ({FRAME_GRACE:g} s more did not get the request to the worker)") from None
        return self.receive(message["id"], deadline, on_callback)

    def receive(self, request_id: int, deadline: float,
                on_callback: Callable[[dict], dict] | None = None) -> dict:
        """The reply to ``request_id``. Call-back requests that come first are answered by
        ``on_callback``; without one, a call-back request is a protocol violation (a crash)."""
        while True:
            while not select.select([self.fd], [], [], max(0.0, min(0.1, deadline - time.monotonic())))[0]:
                if time.monotonic() >= deadline:
                    raise TimeoutError("no reply before the deadline")
                if not self.alive():
                    raise protocol.ChannelClosed(f"the worker exited ({self.exit_status()})")
            # A frame has begun: it is read whole, and a call-back answered whole, even past ``deadline``
            # (within FRAME_GRACE more), so a deadline only ever falls between frames. Cut mid-frame, the
            # channel would be out of step; with a call-back left unanswered, the worker would wait for
            # ever and a call that a later, longer deadline allows would time out anyway.
            reply = protocol.read_frame(self.fd, self.limits.message_bytes, self._grace(deadline))
            if "callback" in reply and "id" not in reply:
                if on_callback is None:
                    raise ProtocolError("a call-back request from a worker that may not make any")
                answer = on_callback(reply)
                protocol.write_frame(self.fd, answer, self.limits.message_bytes, self._grace(deadline))
                continue
            if reply.get("id") != request_id or type(reply.get("id")) is not int:
                raise ProtocolError(f"reply for request {reply.get('id')!r} while waiting for {request_id}")
            return reply

    def _wait_gone(self, seconds: float) -> None:
        """Wait at most ``seconds`` for the top of the worker's tree to end (after it was killed)."""
        if self.pidfd is not None:
            select.select([self.pidfd], [], [], seconds)
        elif self.proc is not None:
            try:
                self.proc.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                pass

    @staticmethod
    def _grace(deadline: float) -> float:
        return max(deadline, time.monotonic() + FRAME_GRACE)

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
            # The top of the tree first, and wait (bounded) until it is gone: the scan below then usually
            # finds nothing, once, instead of finding the dying worker and scanning again.
            _signal(-self.pid, signal.SIGKILL)
            if self.zygote is not None:
                _signal(self.pid, signal.SIGKILL)  # before its setsid() it is in the zygote's group
            self._wait_gone(EXIT_WAIT)
            for _ in range(100):
                victims = _processes_of_uid(self.kill_uid) if self.kill_uid is not None else []
                for pid in victims:
                    _signal(pid, signal.SIGKILL)
                _signal(-self.pid, signal.SIGKILL)
                if self.zygote is not None:
                    _signal(self.pid, signal.SIGKILL)
                if not victims:
                    if self.kill_uid is not None:
                        _uid_emptied(self.kill_uid)
                    break
            self.pid = None
        self.worker_pid = None  # a pid may be reused once the worker has ended
        if self.group is not None:  # whatever is left in its control group, whoever it runs as
            self.group.remove()
            self.group = None
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
        if self.kill_uid is not None and self.mode == "none":
            # its private uid: nothing it left in /tmp, /var/tmp, /dev/shm stays. Under bwrap it can write
            # nothing of the host's but its own directory (/tmp read-only, /dev its own): no walk needed.
            _remove_files_of_uid(self.kill_uid)
        zygote, self.zygote = self.zygote, None
        if zygote is not None and self.inside_pid is not None:
            try:
                zygote.reap(self.inside_pid)
            except ZygoteError as err:
                _retire(zygote, str(err))
