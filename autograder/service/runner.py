"""The grading queue's consumer: hand-ins graded in a process pool, never in the event loop.

A daemon thread takes the oldest queued attempt (:meth:`Store.claim_next`),
grades its stored bytes in a pool process (the batch grader's own function
:func:`autograder.grading.engine.grade_notebook`, each in its own sandboxed
worker) and records the result. A grader failure (the pool process died, the
grader raised) puts the attempt back in the queue, up to ``MAX_TRIES``; then
it is ``failed`` with the reason, and the student's page says so. Every
``HEARTBEAT_SECONDS`` the runner tells the database its server is alive and
takes back what a dead server left ``grading`` (several servers can share one
PostgreSQL queue).

Results are recorded by the runner thread alone (pool callbacks only hand the
finished future over): the store's row first, then ``on_graded`` (the
gradebook), so the gradebook has one writer; ``on_stop`` runs on that thread
too when the runner stops.
"""
from __future__ import annotations

import json
import multiprocessing
import queue
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Callable

from autograder.service.store import Attempt, Store

if TYPE_CHECKING:
    from autograder.service.on_dask import DaskGrader

MAX_TRIES = 3
DRAIN_SECONDS = 120.0
"""How long :meth:`Runner.stop` waits for Dask gradings in flight (the rest is requeued at the next start)."""
HEARTBEAT_SECONDS = 10.0
"""How often the runner says its server is alive and takes back what dead servers left ``grading``."""


def grade_stored(job: dict[str, Any]) -> dict[str, Any]:
    """Grade one stored hand-in (runs in a pool process); the result as JSON data."""
    from pathlib import Path

    import dataclasses

    from autograder.grading.engine import grade_notebook
    from exercises.model import get_exercises

    stored = Path(job["path"])
    result = grade_notebook(stored, assignment=job["assignment"], student=job["student"],
                            exercises=get_exercises(job["exercise_keys"], course=job["course"]),
                            secret=job["secret"],
                            sandbox=job["sandbox"], submitted_at=job["submitted_at"])
    # The student handed in their notebook, not the store's file name (<ms>-<sha>.ipynb): name it so.
    result = dataclasses.replace(result, notebook_file=f"{job['assignment']}.ipynb")
    return result.to_dict()


class Runner:
    """Grades the store's queue with ``jobs`` pool processes (or on ``remote``, a Dask cluster, as many
    at once as it has worker threads, at least ``jobs``) until :meth:`stop`."""

    def __init__(self, store: Store, *, course_root: str, exercise_keys: Callable[[str], list[str]],
                 secret: bytes, jobs: int = 2, sandbox: str = "auto",
                 on_graded: Callable[[Attempt, dict], None] | None = None,
                 on_stop: Callable[[], None] | None = None, remote: DaskGrader | None = None) -> None:
        self.store = store
        self.course_root = course_root
        """The course folder, sent as data: pool processes find the course's own exercises there."""
        self.exercise_keys = exercise_keys
        self.secret = secret
        self.sandbox = sandbox
        self.on_graded = on_graded
        """Called on the runner thread after each graded attempt is stored (e.g. the gradebook)."""
        self.on_stop = on_stop
        self.finished: queue.SimpleQueue[tuple[Attempt, Any]] = queue.SimpleQueue()
        self.remote = remote
        """Where jobs go instead of the pool (closed by :meth:`stop`)."""
        self.jobs = max(jobs, remote.slots) if remote is not None else jobs
        self.pool = self._new_pool() if remote is None else None
        self.in_flight = 0
        """Jobs submitted and not yet recorded (the runner thread alone counts)."""
        self.slots = threading.Semaphore(self.jobs)
        self.wake = threading.Event()
        self.closing = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="dlgrade-runner", daemon=True)

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.grading.engine", "autograder.sandbox.handle", "exercises.model"])
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)

    def start(self) -> None:
        self.store.requeue_interrupted()
        self.thread.start()

    def stop(self) -> None:
        """Take nothing new, let the running gradings finish, record them, then end the thread."""
        self.closing.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        else:
            end = time.monotonic() + DRAIN_SECONDS
            while self.in_flight and self.thread.is_alive() and time.monotonic() < end:
                time.sleep(0.1)
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout=30)
        if self.remote is not None:
            self.remote.close()

    def poke(self) -> None:
        """Something was queued: look now rather than at the next tick."""
        self.wake.set()

    def _loop(self) -> None:
        beat = time.monotonic()
        try:
            while not self.stopping.is_set():
                self._record_finished()
                if time.monotonic() - beat > HEARTBEAT_SECONDS:
                    beat = time.monotonic()
                    self._beat()
                if not self.closing.is_set() and self.slots.acquire(blocking=False):
                    attempt = self.store.claim_next()
                    if attempt is not None:
                        self._submit(attempt)
                        continue
                    self.slots.release()
                self.wake.wait(0.5)
                self.wake.clear()
        finally:
            self._record_finished()
            if self.on_stop is not None:
                self.on_stop()

    def _beat(self) -> None:
        try:
            if self.store.requeue_interrupted():
                self.wake.set()
        except Exception:  # the database is away for a moment: the next beat tries again
            traceback.print_exc()

    def _record_finished(self) -> None:
        while True:
            try:
                attempt, future = self.finished.get_nowait()
            except queue.Empty:
                return
            self._done(attempt, future)

    def _submit(self, attempt: Attempt) -> None:
        try:
            future = self._send(attempt)
        except Exception:  # the pool is broken or shut down, the scheduler is away: back to the queue
            self._failed(attempt, traceback.format_exc(limit=3))
            self.slots.release()
            return
        self.in_flight += 1
        future.add_done_callback(lambda done: self._hand_over(attempt, done))

    def _send(self, attempt: Attempt) -> Any:
        """The attempt's grading, started in the pool or on the Dask cluster; its future."""
        stored, keys = self.store.folder / attempt.path, self.exercise_keys(attempt.assignment)
        submitted_at = _iso(attempt.received)
        if self.remote is not None:
            return self.remote.submit(stored, attempt, keys, submitted_at)
        job = {"path": str(stored), "assignment": attempt.assignment, "student": attempt.student,
               "exercise_keys": keys, "course": self.course_root, "secret": self.secret,
               "sandbox": self.sandbox, "submitted_at": submitted_at}
        return self.pool.submit(grade_stored, job)

    def _hand_over(self, attempt: Attempt, future: Any) -> None:
        """The pool's callback: the runner thread records the result."""
        self.finished.put((attempt, future))
        self.wake.set()

    def _done(self, attempt: Attempt, future: Any) -> None:
        self.in_flight -= 1
        try:
            data = self.remote.result(future) if self.remote is not None else future.result()
        except BrokenProcessPool:  # a pool process died (killed, out of memory): a new pool, a retry
            self._failed(attempt, traceback.format_exc(limit=3))
            self.pool = self._new_pool()
        except Exception:
            self._failed(attempt, traceback.format_exc(limit=3))
        else:
            self.store.finish(attempt.id, status="graded", points=_total(data, "points"),
                              max_points=_total(data, "max_points"), error=data.get("error", ""),
                              result_json=json.dumps(data))
            if self.on_graded is not None:
                try:
                    self.on_graded(attempt, data)
                except Exception:  # recording elsewhere must not lose the graded attempt
                    traceback.print_exc()
        finally:
            self.slots.release()

    def _failed(self, attempt: Attempt, why: str) -> None:
        current = self.store.attempt(attempt.id)
        if current is not None and current.tries < MAX_TRIES:
            self.store.finish(attempt.id, status="queued", error=why)
        else:
            self.store.finish(attempt.id, status="failed", error=why)


def _total(data: dict, field: str) -> float:
    return float(sum(check[field] for exercise in data.get("exercises", []) for check in exercise["checks"]))


def _iso(seconds: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()
