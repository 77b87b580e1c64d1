"""Where a class's jobs run: the seam between the batch loop and the machines.

An executor is a context manager with ``submit(function, job) -> future``,
``first_completed(futures)`` (those done, at least one, waiting if need be)
and ``slots`` (jobs it runs at once); :func:`in_completion_order` is the one
submit/as-completed loop, run by :func:`autograder.grading.batch.grade_class` on
every one of them:

    InProcess      jobs run in the calling process, one after another (``jobs=1``)
    LocalPool      a forkserver process pool on this machine (the default)
    DaskCluster    a Dask cluster (:mod:`autograder.grading.dask_cluster`; optional
                   ``distributed``), for grading beyond one machine

Every job is data (:class:`autograder.grading.job.GradingJob`) and every reply
too, so an executor only moves values; what a future's ``result()`` raises is
a failure of the executor (a lost worker, a broken pool), never of a hand-in.
A job holds a hand-in's bytes, so the loop keeps a bounded window of jobs in
flight (:func:`window`) and makes the next job only when one finishes.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence, TypeVar

Item = TypeVar("Item")
MIN_WINDOW = 64
"""Jobs in flight at least (each holds one hand-in's bytes); more when the executor has many slots."""


class ExecutorError(RuntimeError):
    """An executor cannot start (a missing optional package, an unreachable scheduler); the message says what to do."""


class Executor(Protocol):
    """The seam: submit jobs, receive their futures as they complete."""

    def __enter__(self) -> "Executor": ...

    def __exit__(self, *exc_info: Any) -> None: ...

    slots: int

    def submit(self, function: Callable[[Any], Any], job: Any) -> Any: ...

    def first_completed(self, futures: Sequence[Any]) -> Iterable[Any]: ...


def window(executor: Executor) -> int:
    """How many jobs to keep in flight: enough to keep every slot busy, never the whole class."""
    return max(MIN_WINDOW, 4 * executor.slots)


def in_completion_order(executor: Executor, function: Callable[[Any], Any], items: Iterable[Item],
                        make_job: Callable[[Item], Any]) -> Iterator[tuple[Item, Any]]:
    """Submit ``function(make_job(item))`` for every item, at most :func:`window` at a time, and yield
    ``(item, future)`` as each finishes; a job is made (its hand-in read) only when it is submitted."""
    pending, in_flight, limit = iter(items), {}, window(executor)

    def fill() -> None:
        for item in pending:
            in_flight[executor.submit(function, make_job(item))] = item
            if len(in_flight) >= limit:
                return
    fill()
    while in_flight:
        for future in executor.first_completed(list(in_flight)):
            yield in_flight.pop(future), future
        fill()


class _Deferred:
    """A job that runs in this process when its result is asked for (once)."""

    def __init__(self, function: Callable[[Any], Any], job: Any) -> None:
        self._function, self._job = function, job

    def result(self) -> Any:
        return self._function(self._job)


class InProcess:
    """Runs the jobs in this process, one after another, each when the loop reaches it (no pool to
    start: one job, or ``jobs=1``); a result is written before the next job starts, as with a pool."""

    def __enter__(self) -> "InProcess":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    slots = 1

    def submit(self, function: Callable[[Any], Any], job: Any) -> _Deferred:
        return _Deferred(function, job)

    def first_completed(self, futures: Sequence[_Deferred]) -> Iterable[_Deferred]:
        return futures[:1]  # the oldest: jobs run in the order they were submitted


class LocalPool:
    """``processes`` forkserver processes on this machine, each forked from a server that imported the grader.

    A fork server, not plain fork: the calling process may run threads (a progress bar).
    """

    def __init__(self, processes: int) -> None:
        if processes < 1:
            raise ValueError(f"jobs must be at least 1, got {processes}")
        self.processes = processes
        self.slots = processes
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "LocalPool":
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.grading.engine", "autograder.sandbox.handle",
                                        "exercises.model"])
        self._pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=context)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def submit(self, function: Callable[[Any], Any], job: Any) -> Future:
        if self._pool is None:
            raise RuntimeError("LocalPool.submit outside `with LocalPool(...)`: enter it first")
        return self._pool.submit(function, job)

    def first_completed(self, futures: Sequence[Future]) -> Iterable[Future]:
        return wait(futures, return_when=FIRST_COMPLETED).done
