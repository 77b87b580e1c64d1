"""Trust invariant 7: no network in the sandbox, proven against a live socket.

The test listens on the host's loopback (TCP and UDP) and has the student's code
try to reach it and to resolve names. Under bwrap the worker has a network
namespace of its own; in plain mode as root (CI) it unshares one before dropping
to its private uid. In plain mode as an ordinary user nothing can take the
network away (documented in autograder.sandbox.handle): that case is skipped.
"""
from __future__ import annotations

import os
import socket
import subprocess
import threading
from typing import Iterator

import pytest

from autograder.sandbox.handle import StudentWorker
from tests.autograder.sandbox.test_sandbox import FAST, MODES

REACH = '''
import socket
def try_network(port):
    tried = {}
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
        tried["tcp"] = "connected"
    except OSError as err:
        tried["tcp"] = type(err).__name__
    try:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.sendto(b"leak", ("127.0.0.1", port))
        tried["udp"] = "sent"
    except OSError as err:
        tried["udp"] = type(err).__name__
    for name in ("example.org", "no-such-host.invalid"):
        try:
            socket.getaddrinfo(name, 443)
            tried[name] = "resolved"
        except OSError as err:
            tried[name] = type(err).__name__
    return tried
'''


def can_unshare_network() -> bool:
    return os.geteuid() == 0 and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP and a UDP socket on the same loopback port that record whatever reaches them."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    reached: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        tcp.settimeout(0.1)
        udp.settimeout(0.1)
        while not stop.is_set():
            for sock, kind in ((tcp, "tcp"), (udp, "udp")):
                try:
                    got = sock.accept() if kind == "tcp" else sock.recvfrom(64)
                    reached.append(kind)
                    if kind == "tcp":
                        got[0].close()
                except OSError:
                    pass

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield port, reached
    stop.set()
    thread.join()
    tcp.close()
    udp.close()


def test_the_listener_sees_a_process_of_the_host(listener: tuple[int, list[str]]) -> None:
    """Does the listener record a connection from an unsandboxed process (so silence below means something)?"""
    port, reached = listener
    namespace: dict = {}
    exec(REACH, namespace)
    namespace["try_network"](port)
    for _ in range(50):
        if {"tcp", "udp"} <= set(reached):
            break
        threading.Event().wait(0.05)
    assert {"tcp", "udp"} <= set(reached)


@pytest.mark.parametrize("mode", MODES)
def test_the_worker_reaches_no_socket_and_resolves_no_name(mode: str, listener: tuple[int, list[str]]) -> None:
    """Can student code neither connect to nor send to a live socket on the host's loopback, nor
    resolve a name, in bwrap mode and in plain mode as root?"""
    if mode == "none" and not can_unshare_network():
        pytest.skip("plain mode as an ordinary user (or without CAP_SYS_ADMIN) keeps the host's network: "
                    "documented best effort")
    port, reached = listener
    with StudentWorker(FAST, sandbox=mode) as student:
        assert all(o.ok for o in student.run_cells([REACH]))
        tried = student.call("try_network", port)
    threading.Event().wait(0.3)  # anything sent would have arrived by now
    assert reached == []
    assert tried["tcp"] != "connected" and tried["example.org"] != "resolved", tried
    assert tried["no-such-host.invalid"] != "resolved"
