"""Grading on a Dask cluster: the executor for ``grade autograde --scheduler tcp://HOST:8786``.

Optional: it needs ``distributed`` (``pip install 'dlgrade[dask]'``), imported only
when a scheduler is named. Each job is submitted with ``retries``: a task whose
worker dies mid-run is rescheduled by Dask on another worker, so no submission
is lost; what still fails comes back as a failed future (a grader failure, not a
student's zero). Every worker must have this project installed (the task is
:func:`autograder.grading.job.grade_job`, sent by reference) and, when the
coordinator asks for ``bwrap``, bubblewrap: a worker without it refuses the job
(:func:`autograder.grading.job.sandbox_refusal`).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from autograder.grading.executors import ExecutorError

DASK_INSTALL = "pip install dask distributed (or the project's `dask` extra)"
RETRIES = 2
"""How many times Dask re-runs a task that raised (a lost worker is rescheduled besides)."""


class DaskCluster:
    """Jobs sent to the Dask scheduler at ``address`` (``tcp://HOST:8786``); results come back as data."""

    def __init__(self, address: str, *, retries: int = RETRIES, connect_timeout: str = "30s") -> None:
        self.address = address
        self.retries = retries
        self.connect_timeout = connect_timeout
        self._client: Any = None
        self.slots = 1
        """Worker threads when connected (the window of jobs in flight follows it)."""

    def __enter__(self) -> "DaskCluster":
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError(f"grading on a Dask scheduler ({self.address}) needs the `distributed` "
                               f"package, which is not installed: {DASK_INSTALL}") from None
        try:
            self._client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise ExecutorError(f"cannot reach the Dask scheduler at {self.address} ({err}); start it "
                               "with `dask scheduler` and check the address and the port") from None
        self.slots = max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def submit(self, function: Callable[[Any], Any], job: Any) -> Any:
        if self._client is None:
            raise RuntimeError("DaskCluster.submit outside `with DaskCluster(...)`: enter it first")
        return self._client.submit(function, job, retries=self.retries, pure=False)

    def first_completed(self, futures: Sequence[Any]) -> Iterable[Any]:
        from distributed import wait

        with self._client.as_current():  # this client, not a process-wide default
            return wait(list(futures), return_when="FIRST_COMPLETED").done
