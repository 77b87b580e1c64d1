"""The worker: runs a student's notebook cells and answers the grader's calls.

Started by :mod:`autograder.sandbox.handle` as ``python -I -S -B worker.py CONFIG`` in a
private directory that holds a copy of this file and of ``protocol.py``; it
imports nothing else from the repository (stdlib, numpy and ``protocol`` only).

Start-up (trusted: no student code has run yet)
    1. ``sys.path`` = the interpreter's stdlib + the site directory given in
       CONFIG (the one holding numpy) + this directory. A meta-path hook
       refuses the grader's packages (``reference``, ``exercises``,
       ``autograder``) and editable-install finders.
    2. Resource limits (address space, CPU, file size, open files, processes,
       no core files, no POSIX message queues), hard limit = soft limit so
       they cannot be raised.
    3. If CONFIG asks for it (grader running as root): the private directory
       is given to an unprivileged uid/gid and the process drops to it. Stdlib/site directories the new uid cannot traverse (a Python under
       /root, say) stay importable through ``/proc/self/fd/N`` handles opened
       before the drop; they grant nothing beyond those directories.
    4. fds 1 and 2 go to /dev/null; ``sys.stdout``/``sys.stderr`` become one
       capped capture buffer, emptied at each operation.
    5. A ``ready`` frame is sent on the channel: a Unix socket (path in
       CONFIG) connected right after step 1, still as the grader's uid,
       which is how the grader knows the connection is the worker's.

Zygote mode (CONFIG has ``zygote``; see :mod:`autograder.sandbox.zygote`)
    After step 1 the process does not become a worker: it serves ``fork`` and
    ``reap`` requests on an inherited control socket and never runs student
    code. Each ``fork`` child closes the control socket and every other
    descriptor, connects its channel, calls ``setsid``, takes the environment
    and directory given in the request, reseeds numpy's global generator and
    continues at step 2 (and dies with the zygote, PR_SET_PDEATHSIG).

Operations (one request frame -> one reply frame with the same ``id``)
    ``run_cells``  execute cells in order in one ``__main__`` namespace;
                   IPython line/cell magics are dropped (``%time stmt`` runs
                   ``stmt``), shell escapes (``!cmd``, ``%%bash``...) are
                   refused with a note; an exception (SystemExit and
                   KeyboardInterrupt included, as in Jupyter) is recorded and
                   the next cell still runs.
    ``call``       call a global with decoded arguments (``Code`` values are
                   evaluated here, with ``np``); an ``Exception`` is reported
                   as ``raised``; ``SystemExit``/``KeyboardInterrupt`` end the
                   process (the grader sees a crash).
    ``get``/``has`` read / test a global.
Every reply carries the captured output (at most ``output_chars`` characters
plus a ``…[truncated]`` note). A process forked by student code that returns
into this loop exits silently instead of replying.

What is *not* guaranteed here: student code runs in this process, so it can
read the request id, write frames of its own on the reply fd, or patch this
module. The grader therefore treats this process as untrusted: it accepts a
reply only for the current request id, treats any malformed or unsolicited
frame as a crash, and judges every value itself, so a forged reply can at most
carry a value the student's own function could have returned.
"""
from __future__ import annotations

import builtins
import json
import linecache
import os
import re
import resource
import signal
import socket
import sys
import time
import traceback
import types
import warnings
from typing import Any, Callable

TRUNCATED = "…[truncated]"
SHELL_CELL_MAGICS = {"bash", "sh", "script", "system", "perl", "ruby", "sx", "writefile"}
BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
BLOCKED_TOP_LEVEL = ("reference", "exercises", "autograder")


class CappedText:
    """A write-only text stream keeping the first ``cap`` characters."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False
        self.encoding = "utf-8"
        self.errors = "strict"

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.cap - self.size
        if len(text) > room:
            self.truncated = True
            text = text[:max(room, 0)]
        self.parts.append(text)
        self.size += len(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def take(self) -> str:
        """Return what was written since the last take, and empty the buffer."""
        text = "".join(self.parts) + (TRUNCATED if self.truncated else "")
        self.parts, self.size, self.truncated = [], 0, False
        return text


class _BlockGraderPackages:
    """Meta-path hook: ``import reference`` & co. fail even if a path would find them."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        top = name.partition(".")[0]
        if top in BLOCKED_TOP_LEVEL or top.startswith("__editable__"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


# ------------------------------------------------------------------ start-up
def _set_limits(limits: dict) -> None:
    table = {"memory_bytes": resource.RLIMIT_AS, "cpu_seconds": resource.RLIMIT_CPU,
             "file_size_bytes": resource.RLIMIT_FSIZE, "open_files": resource.RLIMIT_NOFILE,
             "processes": resource.RLIMIT_NPROC, "core": resource.RLIMIT_CORE,
             "msgqueue": resource.RLIMIT_MSGQUEUE}  # 0: no POSIX message queue outlives a worker
    for key, which in table.items():
        value = int(limits.get(key, 0))
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def _anchor_paths() -> None:
    """Replace each sys.path directory, and the __path__ of packages already
    imported from it, by a /proc/self/fd handle opened now."""
    handles: dict[str, str] = {}
    for entry in sys.path:
        if os.path.isdir(entry):
            handles[entry] = f"/proc/self/fd/{os.open(entry, os.O_PATH | os.O_DIRECTORY)}"
    sys.path[:] = [handles.get(entry, entry) for entry in sys.path]

    def anchored(path: str) -> str:
        for real, handle in handles.items():
            if path.startswith(real + os.sep):
                return handle + path[len(real):]
        return path

    for module in list(sys.modules.values()):
        package_path = getattr(module, "__path__", None)
        if type(package_path) is list:
            package_path[:] = [anchored(p) for p in package_path]


CLONE_NEWNET, CLONE_NEWIPC = 0x40000000, 0x08000000


def _isolate_network_and_ipc() -> bool:
    """As root, before the privilege drop: a network namespace of its own (nothing in it, not even
    an up loopback: no socket of the host or the internet is reachable) and a System V IPC namespace
    of its own (its IPC objects and message queues end with it). Under bwrap both are unshared
    already; in plain mode this is what keeps the network out. Best effort: False when the kernel
    refuses (no CAP_SYS_ADMIN), and the worker goes on with the host's network."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0


def _drop_privileges(uid: int, gid: int, workdir: str) -> None:
    _isolate_network_and_ipc()
    os.chmod(workdir, 0o700)
    os.chown(workdir, uid, gid)
    _anchor_paths()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise RuntimeError("privilege drop failed")


def _silence_fds() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


# ------------------------------------------------------------------- cells
def to_python(source: str) -> tuple[str | None, list[str]]:
    """Strip IPython syntax from a cell: return (python source or None, notes)."""
    try:
        compile(source, "<cell>", "exec")
        return source, []
    except SyntaxError:
        pass
    notes: list[str] = []
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = (first[2:].split() or [""])[0]
        if magic in SHELL_CELL_MAGICS:
            return None, [f"shell cell magic %%{magic} refused"]
        if magic not in BODY_CELL_MAGICS:
            return "", [f"cell magic %%{magic} ignored"]
        lines[0] = ""
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("!") or re.match(r"^[\w\s,.()\[\]]+=\s*!", stripped):
            notes.append(f"shell escape refused: {stripped[:200]}")
            lines[number] = f"{indent}pass"
        elif stripped.startswith("%"):
            magic, _, rest = stripped[1:].partition(" ")
            if magic in ("time", "timeit") and rest.strip():
                rest = re.sub(r"^(-\S+\s+(\d+\s+)?)*", "", rest.strip())
                lines[number] = f"{indent}{rest}"
            else:
                lines[number] = f"{indent}pass"
        elif stripped.endswith("?") and not stripped.startswith("#"):
            lines[number] = f"{indent}pass"
    return "\n".join(lines), notes


def _describe(exc: BaseException) -> dict:
    def safe(produce: Callable[[], Any], fallback: str) -> str:
        try:
            text = produce()
            return text if type(text) is str else fallback
        except BaseException:  # a student __str__ may raise anything
            return fallback

    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if frame.filename.startswith("<cell")]
    short = "".join(traceback.format_list(frames[-10:]))
    return {"type": safe(lambda: type(exc).__qualname__, "Exception"),
            "message": safe(lambda: str(exc), "<unprintable exception>")[:2000],
            "traceback": short[-4000:]}


class Worker:
    """The student's namespace and the operations the grader may ask for."""

    def __init__(self, np: Any, protocol: Any, capture: CappedText) -> None:
        self.np = np
        self.protocol = protocol
        self.capture = capture
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = module
        self.namespace = module.__dict__
        self.fd, self.max_frame = -1, 0  # the channel, set by serve()
        self.originals: dict = {}  # the student's own functions while call-back stubs stand in for them

    def run_cells(self, cells: list, first_index: int) -> dict:
        outcomes = []
        for offset, source in enumerate(cells):
            index = first_index + offset
            self.capture.take()
            outcome = {"ok": True, "error_type": "", "error_message": "", "traceback": ""}
            code, notes = to_python(str(source))
            if code is None:
                outcome.update(ok=False, error_type="ShellEscapeRefused", error_message="; ".join(notes))
            else:
                filename = f"<cell {index}>"
                linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
                try:
                    exec(compile(code, filename, "exec"), self.namespace)
                except (Exception, SystemExit, KeyboardInterrupt) as exc:
                    info = _describe(exc)
                    outcome.update(ok=False, error_type=info["type"], error_message=info["message"],
                                   traceback=info["traceback"])
            note = "".join(f"[dlgrade] {line}\n" for line in notes)
            outcome["output"] = note + self.capture.take()
            outcomes.append(outcome)
        return {"cells": outcomes}

    def eval_code(self, source: str) -> Any:
        return eval(compile(source, "<grader code>", "eval"),
                    {"np": self.np, "numpy": self.np, "__builtins__": builtins})

    def rebind(self, names: list) -> dict:
        """Follow-through marking: each of ``names`` becomes a call-back to the grader's model answer;
        every other name is the student's own again. The grader answers call-backs only in a worker
        it started for that, and only for the names it opened (see :mod:`autograder.sandbox.handle`)."""
        for name, original in self.originals.items():
            self.namespace[name] = original
        self.originals = {}
        for name in names:
            name = str(name)
            if name in self.namespace:
                self.originals[name] = self.namespace[name]
            self.namespace[name] = self._call_back(name)
        return {"value": True}

    def _call_back(self, name: str) -> Callable[..., Any]:
        worker = self

        def model_answer(*args: Any, **kwargs: Any) -> Any:
            protocol = worker.protocol
            frame = {"callback": name, "args": protocol.encode_value(list(args), strict=False),
                     "kwargs": protocol.encode_value(dict(kwargs), strict=False)}
            protocol.write_frame(worker.fd, frame, worker.max_frame)
            reply = protocol.read_frame(worker.fd, worker.max_frame)
            if "value" not in reply:
                raise RuntimeError(f"the model answer's {name} could not be used: {reply.get('raised', '?')}")
            return protocol.decode_value(reply["value"])

        model_answer.__name__ = model_answer.__qualname__ = name
        return model_answer

    def answer(self, request: dict) -> dict:
        op = request.get("op")
        if op == "run_cells":
            return self.run_cells(list(request["cells"]), int(request.get("first_index", 0)))
        if op == "rebind":
            return self.rebind(list(request.get("names", [])))
        name = str(request.get("name"))
        if op == "has":
            return {"value": name in self.namespace}
        if name not in self.namespace:
            return {"missing": name}
        if op == "get":
            return {"value": self.encode(self.namespace[name])}
        if op == "call":
            decode = self.protocol.decode_value
            args = decode(request.get("args", []), eval_code=self.eval_code)
            kwargs = decode(request.get("kwargs", {"$": "dict", "v": []}), eval_code=self.eval_code)
            try:
                # Every call reports its warnings (overflow ...), even if an earlier
                # call or the student's own cells silenced or already showed them.
                with warnings.catch_warnings(), self.np.errstate(
                        over="warn", invalid="warn", divide="warn", under="ignore"):
                    warnings.simplefilter("always")
                    value = self.namespace[name](*args, **kwargs)
            except Exception as exc:
                return {"raised": _describe(exc)}
            return {"value": self.encode(value)}
        return {"error": f"unknown operation {op!r}"}

    def encode(self, value: Any) -> Any:
        try:
            return self.protocol.encode_value(value, strict=False)
        except Exception as exc:  # e.g. a value whose conversion fails half way
            return {"$": "opaque", "type": "object", "summary": f"could not be encoded: {type(exc).__name__}"}


def serve(fd: int, max_frame: int, worker: Worker) -> None:
    protocol = worker.protocol
    worker.fd, worker.max_frame = fd, max_frame
    main_pid = os.getpid()
    while True:
        try:
            request = protocol.read_frame(fd, max_frame)
        except protocol.ChannelClosed:
            os._exit(0)
        sys.stdout = sys.stderr = worker.capture
        worker.capture.take()
        try:
            reply = worker.answer(request)
        except Exception as exc:  # a malformed request or argument
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        if os.getpid() != main_pid:  # a child forked by student code
            os._exit(0)
        reply["id"] = request.get("id")
        reply["output"] = reply.get("output", "") + worker.capture.take()
        try:
            protocol.write_frame(fd, reply, max_frame)
        except protocol.ProtocolError:
            too_big = {"id": request.get("id"), "output": reply["output"],
                       "value": {"$": "opaque", "type": "object", "summary": "too large to send"}}
            protocol.write_frame(fd, too_big, max_frame)


def _load(config: dict) -> tuple[Any, Any]:
    """Start-up step 1: the restricted import path and hook, then numpy and protocol."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p] + list(config["site"]) + [here]
    sys.meta_path.insert(0, _BlockGraderPackages)
    sys.argv = ["student"]
    import numpy as np
    import protocol

    return np, protocol


def _become_worker(config: dict, np: Any, protocol: Any, channel: socket.socket | None = None) -> None:
    """Start-up steps 2-5 (connect first unless already connected), then serve until the channel closes."""
    if channel is None:
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # before any privilege drop
        channel.connect(config["channel"])
    fd = channel.detach()
    _set_limits(config["limits"])
    drop = config.get("drop")
    if drop:
        _drop_privileges(int(drop["uid"]), int(drop["gid"]), os.getcwd())
    if config.get("parent_pid"):  # a zygote child: die with the zygote (set after the uid change clears it)
        _die_with_parent(int(config["parent_pid"]))
    _silence_fds()
    capture = CappedText(int(config["output_chars"]))
    sys.stdout = sys.stderr = capture
    worker = Worker(np, protocol, capture)
    protocol.write_frame(fd, {"id": 0, "ready": True}, int(config["max_frame"]))
    serve(fd, int(config["max_frame"]), worker)


# -------------------------------------------------------------------- zygote
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
REAP_SECONDS = 10.0


def _prctl(option: int, value: int) -> None:
    import ctypes

    if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _die_with_parent(parent_pid: int) -> None:
    """SIGKILL this process when its parent dies (and now, if it already has)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def _sweep_namespace() -> None:
    """Kill every process of this PID namespace except init, this zygote and its parent
    (only called when no child should exist, i.e. after the grader killed the last one)."""
    keep = {1, os.getpid(), os.getppid()}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in keep:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass


def _leftovers() -> list[str]:
    """State a child could have left for the next one in the namespaces they share."""
    found = []
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                rows = table.read().splitlines()[1:]
        except OSError:
            continue
        found += [f"System V {kind} object" for row in rows if row.strip()]
    try:
        found += [f"/dev/shm/{name}" for name in os.listdir("/dev/shm")]
    except OSError:
        pass
    return found


def _reap(pid: int, seconds: float) -> bool:
    """Wait (bounded) for the child ``pid`` to end; True when it was reaped."""
    end = time.monotonic() + seconds
    while True:
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done == pid:
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.005)


def _reap_any() -> None:
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def _zygote_child(request: dict, control_fd: int, np: Any, protocol: Any) -> None:
    """In a fresh fork: leave the zygote's descriptors and session behind, then become a worker."""
    try:
        os.close(control_fd)  # student code must never reach the zygote's channel
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.connect(request["channel"])  # first, still as the grader's uid
        os.closerange(3, channel.fileno())
        os.closerange(channel.fileno() + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        os.setsid()
        os.chdir(request["home"])
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        np.random.seed()  # fresh entropy as in a cold start (`random` reseeds itself after fork)
        _become_worker(request["config"], np, protocol, channel)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(1)


def run_zygote(config: dict, np: Any, protocol: Any) -> None:
    """Serve the grader's ``fork`` and ``reap`` requests on the inherited control socket.

    Never runs student code. ``fork`` answers the new child's pid (in this PID
    namespace); ``reap`` waits for a child the grader killed, sweeps the PID
    namespace when asked (bwrap), and lists any shared state left behind.
    End of file on the control socket (the grader closed it or died) ends it.
    """
    import select

    if config.get("parent_pid"):
        _die_with_parent(int(config["parent_pid"]))
    _prctl(PR_SET_DUMPABLE, 0)  # no ptrace or /proc/<pid>/mem by a same-uid child
    control = int(config["control_fd"])
    max_frame = int(config["max_frame"])
    protocol.write_frame(control, {"id": 0, "ready": True, "pid": os.getpid()}, max_frame)
    while True:
        if not select.select([control], [], [], 0.5)[0]:
            _reap_any()
            continue
        try:
            request = protocol.read_frame(control, max_frame)
        except protocol.ChannelClosed:
            os._exit(0)
        reply: dict = {"id": request.get("id")}
        if request.get("op") == "fork":
            pid = os.fork()
            if pid == 0:
                _zygote_child(request, control, np, protocol)
            reply["pid"] = pid
        elif request.get("op") == "reap":
            if config.get("sweep"):
                _sweep_namespace()
            reply["reaped"] = _reap(int(request["pid"]), REAP_SECONDS)
            _reap_any()
            reply["leftovers"] = _leftovers() if config.get("sweep") else []
        else:
            reply["error"] = f"unknown operation {request.get('op')!r}"
        protocol.write_frame(control, reply, max_frame)


def main(argv: list[str]) -> None:
    config = json.loads(argv[1])
    np, protocol = _load(config)
    if config.get("zygote"):
        import numpy.random  # noqa: F401  (numpy 2 imports it lazily: once here, not in every child's reseeding)
        run_zygote(config, np, protocol)
    else:
        _become_worker(config, np, protocol)


if __name__ == "__main__":
    main(sys.argv)
