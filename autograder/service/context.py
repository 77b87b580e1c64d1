"""What every route module of ``grade serve`` shares: the :class:`Service`, the templates, the upload cap.

Also the two lookups every page needs: :func:`find_assignment` answers only an id that is
one of the course's assignments (so no path or query is ever built from request data
alone), and :func:`with_nav` puts a link back into the service on a page made by
``reports``, escaping the link's text and address.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from starlette.templating import Jinja2Templates

from autograder.course.config import Course
from autograder.course.policy import ServePolicy
from autograder.service.store import Store

MAX_UPLOAD_BYTES = 8 * 1024**2
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


@dataclass(frozen=True)
class Service:
    """What the routes need: the course, the store, the session key and how to wake the grader."""

    course: Course
    store: Store
    key: bytes
    """Signs session cookies and CSRF tokens (kept in the service folder, mode 0600)."""
    poke: Callable[[], None]
    released_notebook: Callable[[str, str], Path]
    """(assignment, student) -> the student's released notebook."""
    policy: ServePolicy = field(default_factory=ServePolicy)
    """course.toml's ``[serve]``: attempts, cool-down, late hand-ins, when hidden results show."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch (tests move it)."""


def find_assignment(service: Service, assignment_id: str):
    """The course's assignment with id ``assignment_id``, or None (never one the course does not list)."""
    for assignment in service.course.assignments:
        if assignment.id == assignment_id:
            return assignment
    return None


def with_nav(page: str, href: str, text: str) -> str:
    """A page made by ``reports`` (feedback, class report) with a link back into the service on top."""
    from markupsafe import escape

    return page.replace("<body>\n", f'<body>\n<nav><a href="{escape(href)}">{escape(text)}</a></nav>\n', 1)
