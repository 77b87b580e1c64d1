"""Starting the service for a course: the store, the grading runner, the app, uvicorn.

:func:`open_service` builds everything from a course folder (the library
behind ``grade serve``); :func:`personal_links` writes the students' links.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Iterable, TextIO

from autograder.course.config import Course, Student, assignment_exercises
from autograder.course.policy import load_serve_policy
from autograder.service.app import Service, build_app, service_key
from autograder.service.gradebook_writer import GradebookWriter
from autograder.service.on_dask import DaskGrader
from autograder.service.runner import Runner
from autograder.service.store import Store

SERVICE_DIR = "service"


@dataclass
class RunningService:
    store: Store
    runner: Runner
    app: object

    def close(self) -> None:
        self.runner.stop()
        self.store.close()


def service_store(course: Course, db_url: str | None = None) -> Store:
    """The course's service store: on ``db_url`` (any SQLAlchemy URL) or ``<course>/service/service.db``."""
    return Store(course.root / SERVICE_DIR, db_url)


def open_service(course: Course, *, secret: bytes, jobs: int = 2, sandbox: str = "auto",
                 db_url: str | None = None, scheduler: str | None = None) -> RunningService:
    """The store, a started grading runner and the app for ``course``. With ``db_url`` the service's
    tables and the gradebook both live in that database (default: SQLite files in the course folder);
    with ``scheduler`` (``tcp://HOST:8786``) hand-ins are graded on that Dask cluster, not in local
    processes (raises :class:`autograder.grading.executors.ExecutorError` when it cannot be reached)."""
    store = service_store(course, db_url)
    try:
        remote = DaskGrader(scheduler, course_root=str(course.root), secret=secret,
                            sandbox=sandbox) if scheduler else None
    except BaseException:
        store.close()
        raise
    keys = {a.id: [e.key for e in assignment_exercises(a)] for a in course.assignments}
    gradebook = GradebookWriter(course, db_url)
    runner = Runner(store, course_root=str(course.root), exercise_keys=keys.__getitem__, secret=secret,
                    jobs=jobs, sandbox=sandbox, on_graded=gradebook.record, on_stop=gradebook.close,
                    remote=remote)
    service = Service(course=course, store=store, key=service_key(store.folder), poke=runner.poke,
                      released_notebook=lambda a, s: course.release_dir(a) / s / f"{a}.ipynb",
                      policy=load_serve_policy(course))
    app = build_app(service)
    runner.start()
    return RunningService(store, runner, app)


def personal_links(store: Store, students: Iterable[Student], base_url: str, out: TextIO) -> int:
    """Write ``student,url`` for each student (a new token each); how many links were written.

    The token is the URL's last path segment; only its SHA-256 is stored.
    """
    writer = csv.writer(out)
    writer.writerow(["student", "url"])
    written = 0
    for student in students:
        token = store.new_token(student.id)
        writer.writerow([student.id, f"{base_url.rstrip('/')}/login/{token}"])
        written += 1
    return written
