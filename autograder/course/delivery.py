"""Getting each student's own released notebook to that student.

``grade release`` writes ``release/<a>/<student>/<a>.ipynb``; this module
hands those files on, one student at a time, never one shared copy:

- :func:`deliver_to_folders` copies each notebook to a folder built from a
  pattern such as ``/home/{student}/dl101/{assignment}`` (folders 0700, the
  file 0600; run as root, owned by the user named like the student id);
- :func:`write_zips` writes ``DIR/<student>.zip`` holding ``<a>.ipynb`` only,
  ready for an LMS bulk upload of per-student feedback files.

nbgrader's exchange is not a channel: :data:`EXCHANGE_REFUSAL` says why.

Guarantees: a student id must be a plain folder name (no ``/``, no ``..``), so a
pattern's ``{student}`` part never leaves its parent; from the first folder
that holds a placeholder on, no symbolic link is followed (a student who owns
``/home/alice`` cannot point ``dl101`` at ``/etc``); nothing is written for
anyone before every student's path and (as root) user are known.
"""
from __future__ import annotations

import os
import re
import string
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Callable, Sequence

PLACEHOLDERS = ("student", "assignment")
"""The names a delivery pattern may use, as ``{student}`` and ``{assignment}``."""
FOLDER_MODE = 0o700
FILE_MODE = 0o600
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")

EXCHANGE_REFUSAL = (
    "refusing to release into nbgrader's exchange: `nbgrader release_assignment` publishes ONE folder "
    "(release/./<assignment>/) as exchange/<course>/outbound/<assignment>/, readable by every user, and "
    "`nbgrader fetch_assignment` copies that whole folder to every student who fetches it; nbgrader's "
    "default exchange has no per-student outbound. dlgrade notebooks are "
    "per-student variants, so a shared release would hand every student every variant (their classmates' "
    "numbers, and the roster with them). Use a per-student channel instead: "
    "`grade release A --to '/home/{student}/<course>/{assignment}'` (on a shared JupyterHub), "
    "`grade release A --zip-dir DIR` (one zip per student for an LMS), or `grade serve` (personal links); "
    "hand-ins may still go through the exchange (`nbgrader submit`, then `nbgrader collect` fills "
    "submitted/<student>/<assignment>/, where `grade autograde` reads them).")
"""Why ``grade release A --exchange`` writes nothing, and what to use instead."""


class DeliveryError(Exception):
    """A notebook cannot be delivered; the message names the student or the pattern and what to do."""


@dataclass(frozen=True)
class Delivered:
    """Where one student's notebook was delivered."""

    student: str
    path: Path
    """The delivered file (a notebook in the student's folder, or the student's zip)."""
    owner: int | None = None
    """The uid the folder and file were given (None when not run as root)."""


def check_pattern(pattern: str) -> None:
    """Raise :class:`DeliveryError` unless ``pattern`` uses only ``{student}`` and ``{assignment}``
    (no format specs, no other names) and holds no ``..`` part."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(pattern)
                  if name is not None]
    except ValueError as err:
        raise DeliveryError(f"delivery pattern {pattern!r} is not a valid pattern ({err}); "
                            "write {student} and {assignment}, and {{ }} for literal braces") from None
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS or spec or conversion:
            raise DeliveryError(f"delivery pattern {pattern!r} uses {{{name}{'!' + conversion if conversion else ''}"
                                f"{':' + spec if spec else ''}}}; only {{student}} and {{assignment}} are allowed")
    if "student" not in [name for name, _, _ in fields]:
        raise DeliveryError(f"delivery pattern {pattern!r} has no {{student}}: every student would get the "
                            "same folder; put {student} in it, e.g. '/home/{student}/dl101/{assignment}'")
    if ".." in PurePath(pattern).parts:
        raise DeliveryError(f"delivery pattern {pattern!r} holds '..'; write the folder without it")


def check_student_id(student: str) -> str:
    """``student`` when it is a plain folder name (ASCII letters, digits, ``_ . -``, not starting with a
    dot); else :class:`DeliveryError`."""
    if not isinstance(student, str) or not _PLAIN_ID.fullmatch(student):
        raise DeliveryError(f"student id {student!r} cannot name a folder (it must start with a letter or "
                            "digit and hold only letters, digits, _ . -): fix it in the roster")
    return student


def delivery_folder(pattern: str, *, student: str, assignment: str) -> Path:
    """The folder ``pattern`` names for ``student`` (checked: see :func:`check_pattern`)."""
    check_pattern(pattern)
    return Path(pattern.format(student=check_student_id(student), assignment=check_student_id(assignment)))


def _fixed_prefix(pattern: str) -> Path:
    """The leading folders of ``pattern`` that hold no placeholder (links there are the system's own)."""
    prefix = []
    for part in PurePath(pattern).parts:
        if "{" in part:
            break
        prefix.append(part)
    return Path(*prefix) if prefix else Path(".")


def _uid_of(student: str, lookup: Callable[[str], tuple[int, int]] | None) -> tuple[int, int]:
    import pwd
    try:
        if lookup is not None:
            uid, gid = lookup(student)
        else:
            entry = pwd.getpwnam(student)
            uid, gid = entry.pw_uid, entry.pw_gid
    except KeyError:
        raise DeliveryError(f"no user named {student!r} on this machine: as root, a delivered folder is "
                            "given to the user named like the student id; create the user, fix the roster "
                            "id, or deliver without root (e.g. --zip-dir)") from None
    if uid == 0:
        raise DeliveryError(f"the user named {student!r} is root: a student's folder is never given to root; "
                            "fix the roster id")
    return uid, gid


def _open_folders(fixed: Path, rest: Sequence[str], owner: tuple[int, int] | None) -> int:
    """A descriptor of ``fixed/rest...``, creating missing folders (mode 0700, given to ``owner``);
    no part of ``rest`` may be a symbolic link."""
    fixed.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(fixed, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in rest:
            try:
                os.mkdir(part, FOLDER_MODE, dir_fd=descriptor)
                created = True
            except FileExistsError:
                created = False
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor)
            except OSError as err:
                raise DeliveryError(f"cannot enter {part!r} under {fixed}: {err.strerror} (a link or a "
                                    "file where a folder should be? remove it and deliver again)") from None
            os.close(descriptor)
            descriptor = inner
            if created and owner is not None:
                os.fchown(descriptor, *owner)
        os.fchmod(descriptor, FOLDER_MODE)
        if owner is not None:
            os.fchown(descriptor, *owner)
        return descriptor
    except BaseException:
        os.close(descriptor)
        raise


def _write_into(folder: int, name: str, data: bytes, owner: tuple[int, int] | None) -> None:
    """Write ``name`` in the open folder atomically (temporary file, then rename), mode 0600."""
    temporary = f".{name}.dlgrade-tmp"
    try:
        os.unlink(temporary, dir_fd=folder)
    except FileNotFoundError:
        pass
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE, dir_fd=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            os.fchmod(stream.fileno(), FILE_MODE)
            if owner is not None:
                os.fchown(stream.fileno(), *owner)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=folder)
        except FileNotFoundError:
            pass
        raise


def deliver_to_folders(notebooks: Sequence[tuple[str, Path]], pattern: str, *, assignment: str,
                       as_root: bool | None = None,
                       lookup_user: Callable[[str], tuple[int, int]] | None = None) -> tuple[Delivered, ...]:
    """Copy each ``(student, released notebook)`` to ``<pattern's folder>/<assignment>.ipynb``.

    ``as_root`` defaults to whether this process runs as uid 0; then every folder
    created and the file belong to the user named like the student id
    (``lookup_user(student) -> (uid, gid)``, default the system's user database),
    and a student without such a user stops the delivery before anything is written.
    """
    check_pattern(pattern)
    as_root = os.geteuid() == 0 if as_root is None else as_root
    plan = []
    for student, notebook in notebooks:
        folder = delivery_folder(pattern, student=student, assignment=assignment)
        owner = _uid_of(student, lookup_user) if as_root else None
        plan.append((student, Path(notebook), folder, owner))
    fixed = _fixed_prefix(pattern)
    delivered = []
    for student, notebook, folder, owner in plan:
        rest = folder.parts[len(fixed.parts):]  # Path(".").parts is (): a pattern starting with {student}
        descriptor = _open_folders(fixed, rest, owner)
        try:
            _write_into(descriptor, f"{assignment}.ipynb", notebook.read_bytes(), owner)
        finally:
            os.close(descriptor)
        delivered.append(Delivered(student=student, path=folder / f"{assignment}.ipynb",
                                   owner=owner[0] if owner else None))
    return tuple(delivered)


def write_zips(notebooks: Sequence[tuple[str, Path]], zip_dir: Path, *, assignment: str) -> tuple[Delivered, ...]:
    """Write ``zip_dir/<student>.zip`` for each ``(student, released notebook)``, holding exactly one
    entry, ``<assignment>.ipynb`` (written whole or not at all)."""
    checked = [(check_student_id(student), Path(notebook)) for student, notebook in notebooks]
    check_student_id(assignment)
    zip_dir = Path(zip_dir)
    zip_dir.mkdir(parents=True, exist_ok=True)
    delivered = []
    for student, notebook in checked:
        target = zip_dir / f"{student}.zip"
        temporary = zip_dir / f".{student}.zip.dlgrade-tmp"
        try:
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(f"{assignment}.ipynb", notebook.read_bytes())
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        delivered.append(Delivered(student=student, path=target))
    return tuple(delivered)
