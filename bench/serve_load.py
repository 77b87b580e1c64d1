"""Load on ``grade serve``: a burst of hand-ins over loopback, then a kill in the middle of one.

    .venv/bin/python bench/serve_load.py [--students 100] [--per-student 2] [--jobs 2]

A tiny course (assignment a2: the sigmoid) is released to ``--students``
students, then ``grade serve`` runs as a subprocess on a free loopback port.

1. Burst: every student hands in ``--per-student`` notebooks at once (an
   asyncio httpx client, at most ``--concurrency`` requests in flight). Each
   must be accepted (202), stored and graded; printed: the time to accept
   them all, the time until all are graded, and the median and p95 time from
   the upload to the result (polled every 0.25 s, so up to that much late).
2. Kill: a second burst; once ``--kill-after`` hand-ins are accepted, the
   server's process group (server, grading pool, sandboxes) gets SIGKILL
   while more are in flight. A new server starts on the
   same folder; every hand-in that was answered 202 must be in its store and
   graded by it (the restart grades what was queued or being graded).

Bounded: every request has a timeout and each phase ``--limit`` seconds; the
script exits non-zero if anything accepted is lost or not graded in time.
Not a test: timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.course.config import load_course, read_roster  # noqa: E402
from autograder.course.release import release_assignment  # noqa: E402
from autograder.service.store import Store  # noqa: E402
from tests.autograder.cli.test_cli_grading import CORRECT, NAIVE, notebook  # noqa: E402

COURSE_TOML = """\
[course]
name = "Load course"
id = "load101"
demo_secret = "load-course-demo-secret"

[[assignments]]
id = "a2"
title = "The sigmoid neuron"
due = "2099-01-01T00:00:00+00:00"
exercises = ["sigmoid"]
"""
POLL_SECONDS = 0.25


def make_course(folder: Path, students: int) -> dict[str, str]:
    """The course folder, released to ``students`` students; their API tokens."""
    folder.mkdir()
    (folder / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    rows = ["id,first_name,last_name,email,lms_id"] + [f"s{n:03d},S,{n},s{n}@example.edu,l{n}"
                                                      for n in range(students)]
    (folder / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "nbgrader_config.py").write_bytes((REPO / "course" / "nbgrader_config.py").read_bytes())
    course = load_course(folder)
    roster = read_roster(folder / "roster.csv")
    release_assignment(course, "a2", roster)
    store = Store(folder / "service")
    try:
        return {s.id: store.new_token(s.id) for s in roster}
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(folder: Path, port: int, jobs: int) -> subprocess.Popen:
    command = [sys.executable, "-c", "from autograder.cli.main import main; main()", "--course", str(folder),
               "serve", "--port", str(port), "--jobs", str(jobs)]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start: {server.stderr.read().decode()[-2000:]}")
    raise SystemExit("the server did not answer within 60 s")


async def hand_in(client: httpx.AsyncClient, gate: asyncio.Semaphore, token: str, body: bytes) -> tuple[int, float]:
    async with gate:
        answer = await client.post("/api/assignments/a2/submissions", content=body,
                                   headers={"Authorization": f"Bearer {token}"})
    if answer.status_code != 202:
        raise RuntimeError(f"hand-in refused: {answer.status_code} {answer.text[:200]}")
    return answer.json()["id"], time.monotonic()


async def wait_graded(client: httpx.AsyncClient, admin: str, ids: list[int], limit: float) -> dict[int, float]:
    """When each attempt was first seen graded (monotonic seconds); raises if one is not in ``limit``."""
    seen: dict[int, float] = {}
    end = time.monotonic() + limit
    while len(seen) < len(ids):
        if time.monotonic() > end:
            raise SystemExit(f"{len(ids) - len(seen)} hand-in(s) not graded within {limit:.0f} s")
        for attempt in [i for i in ids if i not in seen]:
            status = (await client.get(f"/api/submissions/{attempt}",
                                       headers={"Authorization": f"Bearer {admin}"})).json()
            if status.get("status") == "failed":
                raise SystemExit(f"hand-in {attempt} failed to grade")
            if status.get("status") == "graded":
                seen[attempt] = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)
    return seen


def admin_token(folder: Path) -> str:
    store = Store(folder / "service")
    try:
        return store.new_token("admin", role="admin")
    finally:
        store.close()


async def burst(url: str, tokens: dict[str, str], per_student: int, concurrency: int, admin: str,
                limit: float) -> None:
    bodies = [notebook(CORRECT).encode(), notebook(NAIVE).encode()]
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        start = time.monotonic()
        jobs = [hand_in(client, gate, token, bodies[n % 2]) for n in range(per_student) for token in tokens.values()]
        accepted = await asyncio.wait_for(asyncio.gather(*jobs), timeout=limit)
        took_accept = time.monotonic() - start
        graded = await wait_graded(client, admin, [a for a, _ in accepted], limit)
        took_all = time.monotonic() - start
    latencies = sorted(graded[a] - at for a, at in accepted)
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    print(f"burst: {len(accepted)} hand-ins from {len(tokens)} students accepted in {took_accept:.1f} s, "
          f"all graded after {took_all:.1f} s ({len(accepted) / took_all:.2f} hand-ins/s); upload to result: "
          f"median {statistics.median(latencies):.1f} s, p95 {p95:.1f} s, max {latencies[-1]:.1f} s")


async def killed_burst(folder: Path, port: int, server: subprocess.Popen, tokens: dict[str, str], *,
                       kill_after: int, concurrency: int, jobs: int, limit: float) -> subprocess.Popen:
    body = notebook(CORRECT).encode()
    gate = asyncio.Semaphore(concurrency)
    accepted: list[int] = []
    refused = 0
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        async def one(token: str) -> None:
            nonlocal refused
            try:
                attempt, _ = await hand_in(client, gate, token, body)
                accepted.append(attempt)
                if len(accepted) == kill_after:
                    os.killpg(server.pid, signal.SIGKILL)  # the server, its grading pool and sandboxes
            except (httpx.HTTPError, RuntimeError):
                refused += 1  # in flight when the server died: never acknowledged, so not promised
        await asyncio.wait_for(asyncio.gather(*(one(t) for t in tokens.values())), timeout=limit)
    server.wait(timeout=30)
    store = Store(folder / "service")
    try:
        stored = {a.id: a.status for a in store.attempts()}
    finally:
        store.close()
    lost = [a for a in accepted if a not in stored]
    print(f"kill: SIGKILL after {kill_after} accepted; {len(accepted)} answered 202, {refused} cut off; "
          f"at the kill: {sum(s == 'graded' for s in stored.values())} graded, "
          f"{sum(s in ('queued', 'grading') for s in stored.values())} queued or grading; lost: {len(lost)}")
    if lost:
        raise SystemExit(f"accepted hand-ins lost: {lost}")
    restarted = start_server(folder, port, jobs)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        start = time.monotonic()
        await wait_graded(client, admin_token(folder), accepted, limit)
    print(f"restart: every one of the {len(accepted)} accepted hand-ins graded {time.monotonic() - start:.1f} s "
          "after the restart")
    return restarted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--per-student", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kill-after", type=int, default=30)
    parser.add_argument("--limit", type=float, default=900, help="seconds each phase may take")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlgrade-load-") as tmp:
        folder = Path(tmp) / "course"
        tokens = make_course(folder, options.students)
        port = free_port()
        server = start_server(folder, port, options.jobs)
        try:
            asyncio.run(burst(f"http://127.0.0.1:{port}", tokens, options.per_student, options.concurrency,
                              admin_token(folder), options.limit))
            server = asyncio.run(killed_burst(folder, port, server, tokens, kill_after=options.kill_after,
                                              concurrency=options.concurrency, jobs=options.jobs,
                                              limit=options.limit))
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=60)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)  # what the server's pool left, if anything


if __name__ == "__main__":
    main()
