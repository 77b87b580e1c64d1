"""Where a class's jobs run: the seam between the batch loop and the machines.

An executor is a context manager with ``submit(function, job) -> future`` and
``as_completed(futures)``; :func:`autograder.grading.batch.grade_class` runs the
same loop on every one of them:

    InProcess      jobs run in the calling process, one after another (``jobs=1``)
    LocalPool      a forkserver process pool on this machine (the default)
    DaskCluster    a Dask cluster (:mod:`autograder.grading.dask_cluster`; optional
                   ``distributed``), for grading beyond one machine

Every job is data (:class:`autograder.grading.job.GradingJob`) and every reply
too, so an executor only moves values; what a future's ``result()`` raises is
a failure of the executor (a lost worker, a broken pool), never of a hand-in.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, Callable, Iterable, Iterator, Protocol


class ExecutorError(RuntimeError):
    """An executor cannot start (a missing optional package, an unreachable scheduler); the message says what to do."""


class Executor(Protocol):
    """The seam: submit jobs, receive their futures as they complete."""

    def __enter__(self) -> "Executor": ...

    def __exit__(self, *exc_info: Any) -> None: ...

    def submit(self, function: Callable[[Any], Any], job: Any) -> Any: ...

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]: ...


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

    def submit(self, function: Callable[[Any], Any], job: Any) -> _Deferred:
        return _Deferred(function, job)

    def as_completed(self, futures: Iterable[_Deferred]) -> Iterator[_Deferred]:
        return iter(list(futures))


class LocalPool:
    """``processes`` forkserver processes on this machine, each forked from a server that imported the grader.

    A fork server, not plain fork: the calling process may run threads (a progress bar).
    """

    def __init__(self, processes: int) -> None:
        if processes < 1:
            raise ValueError(f"jobs must be at least 1, got {processes}")
        self.processes = processes
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

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        return as_completed(list(futures))
