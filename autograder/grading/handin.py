"""Reading a hand-in: the one place where a student's file becomes bytes.

Invariant (trust invariant 1 of DESIGN.md): **a hand-in is bytes, never a path.**
A student controls every byte of a hand-in and, where inbound folders are
shared, what sits at its path. So every hand-in — a notebook in a folder, the
one in Gradescope's submission folder, an entry of an LMS zip — is read here
and nowhere else, with these guarantees:

* the file is opened with ``O_NOFOLLOW | O_NONBLOCK | O_NOCTTY``, then the
  opened descriptor is ``fstat``-ed (no race between checking and opening): a
  symbolic link, FIFO, device, socket or directory is refused without reading
  a byte or blocking, and so is a regular file with another hard link
  (``st_nlink > 1``), which a student could have made to a file they do not own;
* at most ``max_bytes + 1`` bytes are ever read (the cap holds while reading,
  not after: a sparse 1 GB file or one that grows costs one buffer);
* a zip entry is streamed (nothing is extracted first) under a per-entry cap,
  a cap on the total for the archive and a compression-ratio limit (zip bombs);
* every refusal is one exception type, :class:`HandinError`, whose message
  names the file and says what to do.

Out of scope: symbolic links in the *folders above* the hand-in (the course's
own folders, chosen by the instructor; ``O_NOFOLLOW`` guards the last part);
what the bytes mean (a notebook, JSON nesting): that is for the readers of the
bytes; zip entry names (checked by the collector, which knows what is safe).
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

CHUNK = 1 << 20
"""Bytes read at a time: a cap is never overshot by more than this (and never past cap + 1)."""

_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


class HandinError(Exception):
    """A hand-in was refused; the message names the file and says what to do."""


@dataclass(frozen=True)
class ZipLimits:
    """Caps on what one zip of hand-ins may inflate to."""

    max_entry_bytes: int = 20 * 1024 * 1024
    """An entry larger than this (declared or actual) is refused (the notebook cap)."""
    max_total_bytes: int = 1024 ** 3
    """The whole archive may inflate to at most this; beyond it the archive is refused."""
    max_ratio: float = 100.0
    """Inflated / compressed size; an entry above it is refused once it passes :attr:`ratio_floor`."""
    ratio_floor: int = 1024 * 1024
    """Entries smaller than this are not judged by ratio (a small file cannot be a bomb,
    and a tiny notebook of repeated text legitimately compresses well)."""


def kind_refused(mode: int) -> str | None:
    """What a file of ``mode`` is when it is not a regular file ("a FIFO (named pipe)" ...), else None."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def _refusal(path: Path, what: str) -> HandinError:
    return HandinError(f"refusing {path}: it is {what}, not a notebook file; hand-ins must be plain "
                       "files: copy the notebook itself (not a link to it) into place and collect again")


def open_handin(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file with one link, else raise :class:`HandinError`.

    The link, the file type and the link count are judged on the opened
    descriptor, so what is read is what was judged.
    """
    path = Path(path)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as err:  # ELOOP from O_NOFOLLOW on a link, ENXIO on a socket, ...
        try:
            refused = kind_refused(os.lstat(path).st_mode)
        except OSError:
            refused = None
        if refused:
            raise _refusal(path, refused) from None
        raise HandinError(f"cannot open {path}: {err.strerror or err}; check that the hand-in is "
                          "there and readable, then collect again") from None
    try:
        info = os.fstat(descriptor)
        refused = kind_refused(info.st_mode)
        if refused:
            raise _refusal(path, refused)
        if info.st_nlink > 1:
            raise HandinError(f"refusing {path}: it has {info.st_nlink} hard links, so it may be "
                              "another file than the student's own; copy it (cp, not ln) and collect again")
        os.set_blocking(descriptor, True)  # regular files never block; reads may now be plain reads
        return os.fdopen(descriptor, "rb", buffering=0)
    except BaseException:
        os.close(descriptor)
        raise


def read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of ``stream``: one byte more than allowed says "too large"."""
    parts, left = [], max_bytes + 1
    while left > 0:
        part = stream.read(min(CHUNK, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _too_large(where: str, max_bytes: int) -> HandinError:
    return HandinError(f"refusing {where}: it is larger than {_size(max_bytes)}; clear the notebook's "
                       "outputs (Kernel → Restart & Clear Output) and hand it in again")


def _size(count: int) -> str:
    return f"{count / 2**20:g} MiB" if count >= 2**20 else f"{count} bytes"


def read_handin(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of the hand-in at ``path`` (see the module doc), or :class:`HandinError`.

    Never reads more than ``max_bytes + 1`` bytes, never follows a link and
    never blocks on a FIFO or device.
    """
    with open_handin(path) as stream:
        data = read_capped(stream, max_bytes)
    if len(data) > max_bytes:
        raise _too_large(str(path), max_bytes)
    return data


@dataclass(frozen=True)
class ZipEntry:
    """One file of a zip: its bytes, or why they were refused (the rest of the zip still counts)."""

    info: zipfile.ZipInfo
    data: bytes | None
    refused: HandinError | None = None


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip at ``path``, opened with :func:`open_handin`'s checks, or :class:`HandinError`."""
    stream = open_handin(path)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        stream.close()
        raise HandinError(f"cannot read the zip {path}: {err}; is it the LMS's complete download?") from None


def read_zip_entries(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], *, label: str,
                     limits: ZipLimits = ZipLimits()) -> Iterator[ZipEntry]:
    """Stream each of ``entries`` of ``archive`` (called ``label`` in messages) under ``limits``.

    An entry over the per-entry cap or the ratio limit, or damaged, comes back
    refused; going over the archive's total raises :class:`HandinError` for the
    whole zip.
    """
    total = 0
    for info in entries:
        where = f"{label}:{info.filename}"
        if info.file_size > limits.max_entry_bytes:  # declared: refused before inflating a byte
            yield ZipEntry(info, None, _too_large(where, limits.max_entry_bytes))
            continue
        try:
            data, inflated = _inflate(archive, info, limits)
        except Exception as err:  # BadZipFile, zlib.error, EOFError, RuntimeError (encrypted), ...
            yield ZipEntry(info, None, HandinError(f"cannot read {where} ({type(err).__name__}: {err}); "
                                                   "download the export again"))
            continue
        total += inflated
        if total > limits.max_total_bytes:
            raise HandinError(f"refusing {label}: it inflates to more than {_size(limits.max_total_bytes)}; "
                              "a genuine LMS export of notebooks never does — unpack and inspect it by hand")
        if data is None:
            yield ZipEntry(info, None, HandinError(
                f"refusing {where}: it inflates more than {limits.max_ratio:g} times its compressed size "
                "(a zip bomb?); ask the student to hand in the notebook itself"))
        elif len(data) > limits.max_entry_bytes:
            yield ZipEntry(info, None, _too_large(where, limits.max_entry_bytes))
        else:
            yield ZipEntry(info, data)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits) -> tuple[bytes | None, int]:
    """(bytes, how many were inflated): None past the ratio limit; never more than a cap + 1 bytes.

    The declared sizes in a zip can lie, so both limits are applied to the bytes
    actually inflated; ``compress_size`` bounds what the stream can consume.
    """
    allowed = int(max(limits.ratio_floor, limits.max_ratio * max(info.compress_size, 1)))
    with archive.open(info) as stream:
        data = read_capped(stream, min(limits.max_entry_bytes, allowed))
    return (None if len(data) > allowed else data), len(data)
