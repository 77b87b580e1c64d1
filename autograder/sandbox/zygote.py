"""The zygote: a long-lived worker template per grading process (a fork server).

Python + numpy start-up dominates grading, so each grading process keeps
one *zygote* per sandbox mode, started lazily in exactly a cold worker's
isolation (same bwrap arguments with its directory as /tmp/student, same
environment from scratch, ``python -I -S -B``, the import hook, numpy,
numpy.random (numpy 2 imports it lazily; each child's reseeding needs it)
and protocol imported). It never runs student code, reads nothing from its
children and is not dumpable (no ptrace, no /proc/<pid>/mem). Per start it
forks one fresh child, never reused: the child closes every descriptor
but its new channel (the zygote's control socket first), connects (as the
grader's uid, same peer check), starts a new session, takes a fresh
environment (HOME = its own 0700 directory /tmp/student/<name>, removed on
close), reseeds numpy's global generator (``random`` reseeds itself), then
does what a cold worker does: limits, private uid, fds to /dev/null, and
it dies with the zygote. After a kill the zygote reaps the child and, under
bwrap, sweeps its PID namespace and reports System V IPC objects or
/dev/shm files left behind; those, a file left in the zygote's directory,
a child that does not end, a dead, silent
(``autograder.sandbox.handle.ZYGOTE_START_TIMEOUT``) or malformed zygote all
*retire* it (warning logged): that worker starts cold
and the next start gets a new zygote. One child at a time per zygote: a
second StudentWorker open at once starts cold. POSIX message queues are
refused (RLIMIT_MSGQUEUE = 0). The zygote dies with the grader (bwrap's
--die-with-parent, or PR_SET_PDEATHSIG in "none" mode; it also exits when
its control socket closes). ``StudentWorker(zygote=False)`` always starts cold.

What is weaker than a cold start (stated, not hidden):
* Under bwrap a worker no longer has its namespaces to itself: the PID,
  IPC, network and UTS namespaces and the /tmp and /dev tmpfs are shared
  with the zygote, and with the earlier children of the same grading
  process (one at a time). ``kill(-1)`` reaches the zygote: as root it is
  refused (other uid); not as root the child shares the zygote's uid in
  the user namespace and can kill or stop it (then: cold start and a new
  zygote), not read or trace it. State that could outlive a child in the
  shared namespaces is checked after each child as said above.
* Not as root, consecutive children share uid 65534 (bwrap) or the
  grader's uid ("none"), as cold workers did; a process that left the
  child's session is killed by the bwrap sweep, not in "none" mode (as
  before).
* Children of one zygote share its hash randomisation seed and address
  space layout (ASLR is not redone per worker): string hashes and set
  orders repeat from one submission to the next in a grading process.
* PR_SET_PDEATHSIG follows the *thread* that started the zygote: if the
  first worker is started from a short-lived thread, the zygote ends with
  that thread and is replaced (with a warning) at the next start.

Used by :class:`autograder.sandbox.handle.StudentWorker` (through ``_zygote_for`` and
``_retire``); :func:`shutdown_zygotes` and :func:`zygote_pids` are also
importable from :mod:`autograder.sandbox.handle`.
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from autograder.sandbox import protocol
from autograder.sandbox.protocol import ProtocolError
from autograder.sandbox.launch import (CHANNEL, SANDBOX_HOME, SANDBOX_SITE, STARTUP_TIMEOUT, _bwrap_args,
                                       _copy_code, _environment, _json, _python, _remove_tree, _signal,
                                       work_root)

log = logging.getLogger("autograder.sandbox.handle")  # the logger these warnings have always used

ZYGOTE_REAP_TIMEOUT = 15.0
CONTROL_FRAME = 1024**2
ZYGOTE_PREFIX = "dlgrade-zygote-"


class ZygoteError(Exception):
    """The zygote could not give a worker (dead, slow, malformed reply, state left behind)."""


def _frame_exchange(fd: int, message: dict | None, request_id: int, deadline: float) -> dict:
    if message is not None:
        protocol.write_frame(fd, dict(message, id=request_id), CONTROL_FRAME, deadline)
    reply = protocol.read_frame(fd, CONTROL_FRAME, deadline)
    if reply.get("id") != request_id or type(reply.get("id")) is not int:
        raise ProtocolError(f"reply for request {reply.get('id')!r} while waiting for {request_id}")
    return reply


class _Zygote:
    """A pristine worker template that forks one fresh worker per start (see the module docstring).

    Started like a cold worker (same bwrap arguments, environment, ``python
    -I -S -B``, import hook, numpy and protocol imported), with this grading
    process's directory ``base`` (mode 0711; the code in ``base/code``, each
    child's private directory beside it) as its ``/tmp/student``. It never
    runs student code and reads nothing a child sends.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.owner = os.getpid()
        self.busy = False
        self.proc: subprocess.Popen | None = None
        self.inside_pid = 0
        self._next_id = 1
        _remove_stale_bases()
        self.base = tempfile.mkdtemp(prefix=f"{ZYGOTE_PREFIX}{self.owner}-", dir=work_root())
        os.chmod(self.base, 0o711)
        os.mkdir(os.path.join(self.base, "code"), 0o755)
        _copy_code(os.path.join(self.base, "code"))
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.log = tempfile.TemporaryFile()
        python = _python()
        if mode == "bwrap":
            self.home, site, prefix = SANDBOX_HOME, SANDBOX_SITE, _bwrap_args(self.base)
        else:
            self.home, site, prefix = self.base, python.site, []
        config = {"zygote": True, "control_fd": theirs.fileno(), "site": [site], "max_frame": CONTROL_FRAME,
                  "sweep": mode == "bwrap", "parent_pid": None if mode == "bwrap" else os.getpid()}
        command = prefix + [python.executable, "-I", "-S", "-B", f"{self.home}/code/worker.py", _json(config)]
        try:
            self.proc = subprocess.Popen(
                command, cwd=self.base, env=_environment(self.home), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True, pass_fds=(theirs.fileno(),))
            theirs.close()
            ready = _frame_exchange(self.control.fileno(), None, 0, time.monotonic() + STARTUP_TIMEOUT)
            if ready.get("ready") is not True or type(ready.get("pid")) is not int:
                raise ProtocolError("no ready message")
            self.inside_pid = ready["pid"]
        except (OSError, TimeoutError, ProtocolError) as err:
            theirs.close()
            details = self.log_tail()
            self.shutdown()
            raise ZygoteError(f"it did not start ({err}){': ' + details if details else ''}") from None

    def inside(self, workdir: str) -> str:
        """The path of ``workdir`` (a directory in ``base``) as the zygote sees it."""
        return f"{self.home}/{os.path.basename(workdir)}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def request(self, message: dict, timeout: float) -> dict:
        """One request/reply on the control socket; any failure is a ZygoteError."""
        request_id, self._next_id = self._next_id, self._next_id + 1
        try:
            reply = _frame_exchange(self.control.fileno(), message, request_id, time.monotonic() + timeout)
        except (OSError, TimeoutError, ProtocolError) as err:
            raise ZygoteError(f"no valid answer to {message.get('op')!r}: {err or type(err).__name__}") from None
        if "error" in reply:
            raise ZygoteError(str(reply["error"])[:300])
        return reply

    def fork(self, workdir: str, config: dict, timeout: float) -> int:
        """Fork a child that will connect to ``workdir``'s channel; its pid in the zygote's namespace.
        No answer within ``timeout`` (``autograder.sandbox.handle.ZYGOTE_START_TIMEOUT``) is a ZygoteError."""
        home = self.inside(workdir)
        reply = self.request({"op": "fork", "home": home, "channel": f"{home}/{CHANNEL}",
                              "env": _environment(home), "config": config}, timeout)
        if type(reply.get("pid")) is not int or reply["pid"] <= 0:
            raise ZygoteError("a malformed fork reply")
        self.busy = True
        return reply["pid"]

    def reap(self, inside_pid: int) -> None:
        """Wait for a killed child (sweeping the bwrap namespace) and check nothing was left behind."""
        reply = self.request({"op": "reap", "pid": inside_pid}, ZYGOTE_REAP_TIMEOUT)
        if reply.get("reaped") is not True:
            raise ZygoteError(f"its child {inside_pid} did not end")
        stray = sorted(set(os.listdir(self.base)) - {"code"}) + [str(item) for item in reply.get("leftovers", [])]
        if stray:
            raise ZygoteError(f"a worker left state for the next one: {', '.join(stray)[:300]}")
        self.busy = False

    def pids(self) -> set[int]:
        """Host pids of the zygote itself (and its bwrap wrappers), not of its children."""
        if not self.alive():
            return set()
        found, frontier = {self.proc.pid}, [self.proc.pid]
        table = _process_table() if self.mode == "bwrap" else {}
        while frontier:  # bwrap -> its init (pid 1 inside) -> the zygote
            parent = frontier.pop()
            for pid, (ppid, nspid) in table.items():
                if ppid == parent and len(nspid) > 1 and nspid[-1] in (1, self.inside_pid):
                    found.add(pid)
                    frontier.append(pid)
        return found

    def log_tail(self) -> str:
        try:
            self.log.seek(0)
            return self.log.read().decode(errors="replace")[-1500:]
        except (OSError, ValueError):
            return ""

    def shutdown(self) -> None:
        """End the zygote (its children with it) and remove its directory; idempotent. Returns once
        the zygote's processes are gone (bounded): killing bwrap ends its PID namespace asynchronously."""
        inside = {pid: _start_time(pid) for pid in self.pids()} if self.proc is not None else {}
        self.control.close()  # the zygote exits at end of file
        if self.proc is not None:
            try:
                self.proc.wait(1.0)
            except subprocess.TimeoutExpired:
                _signal(-self.proc.pid, signal.SIGKILL)
                _signal(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self.proc = None
        end = time.monotonic() + ZYGOTE_REAP_TIMEOUT
        while any(_start_time(pid) == start for pid, start in inside.items()) and time.monotonic() < end:
            time.sleep(0.01)
        self.log.close()
        if os.path.isdir(self.base):
            _remove_tree(self.base)


def _start_time(pid: int) -> int | None:
    """The start time of a live (not zombie) process ``pid``; None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else int(fields[19])


def _process_table() -> dict[int, tuple[int, tuple[int, ...]]]:
    """pid -> (parent pid, NSpid: the pid in each nested PID namespace) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = dict(line.split(":", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines()
                              if ":" in line)
                table[int(entry)] = (int(status["PPid"]), tuple(int(p) for p in status["NSpid"].split()))
            except (OSError, KeyError, ValueError):
                continue
    return table


def _remove_stale_bases() -> None:
    """Remove zygote directories whose grading process is gone (killed, so no atexit ran).

    Pool processes start their zygotes at the same moment and all see the same
    stale folders: each folder is first claimed by an atomic rename, so exactly
    one process removes it and the others skip it. A claimed folder keeps the
    dead owner's prefix, so one whose removal was itself interrupted is found
    again next time."""
    roots = {Path(tempfile.gettempdir()), Path(work_root())}
    for path in (p for root in roots for p in root.glob(f"{ZYGOTE_PREFIX}*-*")):
        owner = path.name[len(ZYGOTE_PREFIX):].split("-")[0]
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}") and path.is_dir() and not path.is_symlink():
            claimed = path.with_name(f"{path.name.split('.')[0]}.removed-by-{os.getpid()}")
            try:
                os.rename(path, claimed)
            except OSError:  # another process claimed it first (or removed it already)
                continue
            _remove_tree(str(claimed))


_zygotes: dict[str, _Zygote] = {}
_zygote_lock = threading.RLock()


def _zygote_for(mode: str) -> _Zygote | None:
    """This grading process's zygote for ``mode`` (started on first use); None while its
    one child is in use (the caller starts cold). Raises ZygoteError if it cannot start."""
    with _zygote_lock:
        zygote = _zygotes.get(mode)
        if zygote is not None and zygote.owner != os.getpid():  # inherited through a fork: the parent's
            del _zygotes[mode]
            zygote = None
        if zygote is not None and not zygote.alive():  # this start goes cold, the next one gets a new zygote
            _retire(zygote, f"it exited with status {zygote.proc.poll() if zygote.proc else None}")
            return None
        if zygote is None:
            if not _zygotes:  # pool processes end without atexit; multiprocessing runs its finalizers
                from multiprocessing import util

                util.Finalize(None, shutdown_zygotes, exitpriority=0)
            zygote = _zygotes[mode] = _Zygote(mode)
        return None if zygote.busy else zygote


def _retire(zygote: _Zygote, why: str) -> None:
    """Shut a failed zygote down; the next worker start begins a new one."""
    log.warning("worker zygote (%s) retired, this worker starts cold: %s", zygote.mode, why)
    with _zygote_lock:
        if _zygotes.get(zygote.mode) is zygote:
            del _zygotes[zygote.mode]
    zygote.shutdown()


def shutdown_zygotes() -> None:
    """End every zygote this process started (run at exit; tests call it to count processes)."""
    with _zygote_lock:
        mine = [z for z in _zygotes.values() if z.owner == os.getpid()]
        _zygotes.clear()
    for zygote in mine:
        zygote.shutdown()


def zygote_pids() -> set[int]:
    """Host pids of this process's zygotes (with their bwrap wrappers, without their children):
    the processes besides the workers that a grading process may have running."""
    with _zygote_lock:
        return set().union(*(z.pids() for z in _zygotes.values() if z.owner == os.getpid()))


atexit.register(shutdown_zygotes)
