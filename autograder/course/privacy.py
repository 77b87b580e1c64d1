"""Trust invariant 6: the worker sees nothing of the course, in every mode.

A course folder holds what a student must never read while their code runs:
source notebooks with solutions and hidden checks, the gradebook, the secret
file when it is kept there, other students' hand-ins and results. Under bwrap
the worker's file system does not contain the course at all. In plain mode the
worker runs under a private uid (when the grader is root): it can read any
file that others may read, so the course folder itself must deny others.

Enforced here, at the start of every grading of a course
(:func:`autograder.course.autograde.grade_and_record` and ``grade ci``):
:func:`make_course_private` removes every permission of "others" from the
course folder, which closes everything below it (a folder without ``x`` for
others cannot be walked through), and says so when it had to. Group
permissions stay: the worker's uid has no group of the grader's (its groups are
dropped). Files the grader writes later are created private besides (results
with mode 0600).

Out of scope: a grader that is not root runs plain-mode workers as its own
user, who can read the course whatever its modes: only bwrap protects there.
The project's own installed sources (``reference/``) are not the course; in
plain mode they stay readable (documented in :mod:`autograder.sandbox.handle`).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


def make_course_private(root: Path) -> str | None:
    """Take every permission of "others" off the course folder ``root``; a note when it changed.

    Raises PermissionError (with what to do) when the folder's modes cannot be changed.
    """
    root = Path(root)
    mode = stat.S_IMODE(os.stat(root).st_mode)
    if not mode & stat.S_IRWXO:
        return None
    try:
        os.chmod(root, mode & ~stat.S_IRWXO)
    except PermissionError as err:
        raise PermissionError(f"the course folder {root} is readable by other users, so student code in "
                              "the plain sandbox could read solutions and the gradebook, and its modes "
                              f"cannot be changed ({err}): run `chmod o-rwx {root}` as its owner, or grade "
                              "with bubblewrap") from None
    return (f"the course folder {root} was open to other users (mode {mode:o}): made it private "
            f"(mode {mode & ~stat.S_IRWXO:o}) so that student code cannot read it")
