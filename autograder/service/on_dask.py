"""The service's hand-ins graded on a Dask cluster: ``grade serve --scheduler tcp://HOST:8786``.

The same executor and job as ``grade autograde --scheduler``
(:class:`autograder.grading.dask_cluster.DaskCluster`,
:func:`autograder.grading.job.grade_job`): each job carries the stored
hand-in's bytes (read through :func:`autograder.grading.handin.read_handin` by
:func:`autograder.grading.job.make_job`), the course's own exercise sources and
the sandbox this machine would use (a worker that cannot give it refuses, and
the attempt is retried, then marked failed-to-grade: never graded weaker).
Only the :class:`~autograder.service.runner.Runner` thread submits and reads
results; the web process's event loop never grades.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

from autograder.grading.dask_cluster import DaskCluster
from autograder.grading.job import course_sources, grade_job, make_job, remote_sandbox
from autograder.service.store import Attempt


class GraderFailed(Exception):
    """The grading host could not grade (refused the sandbox, the grader raised): retry, never a zero."""


class DaskGrader:
    """Connected to the scheduler at ``address`` from construction until :meth:`close`."""

    def __init__(self, address: str, *, course_root: str, secret: bytes, sandbox: str = "auto") -> None:
        self.course_root = Path(course_root)
        self.secret = secret
        self.sandbox = remote_sandbox(sandbox)
        self.cluster = DaskCluster(address).__enter__()  # raises ExecutorError, saying what to do

    @property
    def slots(self) -> int:
        """Worker threads when it connected."""
        return self.cluster.slots

    def submit(self, stored: Path, attempt: Attempt, exercise_keys: Sequence[str], submitted_at: str) -> Any:
        """Send the attempt whose bytes are at ``stored``; a Dask future of a ``JobReply``."""
        job = make_job(stored, student=attempt.student, assignment=attempt.assignment,
                       exercise_keys=tuple(exercise_keys), secret=self.secret, submitted_at=submitted_at,
                       sandbox=self.sandbox, course=None, course_sources=course_sources(self.course_root))
        # The student handed in their notebook, not the store's file name (<ms>-<sha>.ipynb): name it so.
        return self.cluster.submit(grade_job, dataclasses.replace(job, notebook_name=f"{attempt.assignment}.ipynb"))

    @staticmethod
    def result(future: Any) -> dict:
        """The graded result as JSON data; :class:`GraderFailed` when the host could not grade."""
        reply = future.result()
        if reply.status != "graded" or reply.result is None:
            raise GraderFailed(reply.error or "the grading host sent no result")
        return dict(reply.result)

    def close(self) -> None:
        self.cluster.__exit__(None, None, None)
