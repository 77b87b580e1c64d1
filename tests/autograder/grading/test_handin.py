"""A hand-in is bytes, never a path: links, special files, oversized files and zip bombs are refused."""
from __future__ import annotations

import io
import os
import socket
import stat
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.grading.handin import CHUNK, HandinError, ZipLimits, read_handin, read_zip_entries

HOSTILE = ("symlink to a file outside", "symlink to a directory", "dangling symlink", "hard link",
           "FIFO", "character device", "socket", "directory", "oversized")
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_- .", min_size=1, max_size=30).map(
    lambda s: s.strip(" .") or "x").map(lambda s: s + ".ipynb")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def make_hostile(kind: str, path: Path, outside: Path, cap: int) -> None:
    """Put a hostile file of ``kind`` at ``path``; ``outside`` is a secret file elsewhere."""
    if kind == "symlink to a file outside":
        path.symlink_to(outside)
    elif kind == "symlink to a directory":
        path.symlink_to(outside.parent, target_is_directory=True)
    elif kind == "dangling symlink":
        path.symlink_to(outside.parent / "nothing-here")
    elif kind == "hard link":
        os.link(outside, path)
    elif kind == "FIFO":
        os.mkfifo(path)  # opening it for reading without O_NONBLOCK would block the test forever
    elif kind == "character device":
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers (we are root)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    elif kind == "directory":
        path.mkdir()
    elif kind == "oversized":
        with open(path, "wb") as stream:
            stream.truncate(cap + 1)  # sparse: no disk used
    else:  # pragma: no cover
        raise ValueError(kind)


@SETTINGS
@given(kind=st.sampled_from(HOSTILE), name=NAMES, cap=st.integers(min_value=1, max_value=4096))
def test_hostile_files_are_refused_with_their_name(kind: str, name: str, cap: int) -> None:
    """Is every link, special file and oversized file refused with an error naming it, without
    reading the secret it may point at (and without blocking on a FIFO)?"""
    with tempfile.TemporaryDirectory() as folder:
        outside = Path(folder) / "secret" / "answers.txt"
        outside.parent.mkdir()
        outside.write_text("the hidden answers")
        inbox = Path(folder) / "inbox"
        inbox.mkdir()
        make_hostile(kind, inbox / name, outside, cap)
        with pytest.raises(HandinError) as raised:
            read_handin(inbox / name, max_bytes=cap)
        message = str(raised.value)
        assert str(inbox / name) in message and "hidden answers" not in message


@SETTINGS
@given(data=st.binary(max_size=3000), cap=st.integers(min_value=0, max_value=3000))
def test_regular_files_are_read_exactly_up_to_the_cap(data: bytes, cap: int) -> None:
    """Is a plain file returned byte for byte when it fits the cap, and refused (named) when it does not?"""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "alice.ipynb"
        path.write_bytes(data)
        if len(data) <= cap:
            assert read_handin(path, max_bytes=cap) == data
        else:
            with pytest.raises(HandinError, match="larger than"):
                read_handin(path, max_bytes=cap)


def test_a_sparse_gigabyte_is_refused_reading_only_the_cap(tmp_path: Path) -> None:
    """Is a 1 GB (sparse) hand-in refused after reading no more than the cap and one chunk?"""
    path = tmp_path / "alice.ipynb"
    with open(path, "wb") as stream:
        stream.truncate(2**30)
    cap = 2 * 2**20
    tracemalloc.start()
    try:
        with pytest.raises(HandinError, match="alice.ipynb"):
            read_handin(path, max_bytes=cap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * (cap + CHUNK)  # the parts and their join; a full read would be 1 GB


# ------------------------------------------------------------------------------------------ zips

def _zip(entries: list[tuple[str, bytes]]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


LIMITS = ZipLimits(max_entry_bytes=64 * 1024, max_total_bytes=10**9, max_ratio=100, ratio_floor=4096)
ENTRY = st.one_of(
    st.tuples(st.just("fits"), st.binary(min_size=0, max_size=2000)),
    st.tuples(st.just("bomb"), st.integers(min_value=LIMITS.ratio_floor * 2, max_value=LIMITS.max_entry_bytes)
              .map(lambda n: b"\0" * n)),
    st.tuples(st.just("oversized"), st.integers(min_value=LIMITS.max_entry_bytes + 1, max_value=4 * 2**20)
              .map(os.urandom)),
)


@settings(max_examples=30, deadline=None)
@given(entries=st.lists(ENTRY, min_size=1, max_size=6))
def test_zip_entries_stream_under_caps(entries: list[tuple[str, bytes]]) -> None:
    """Is every zip entry either returned whole (it fits) or refused with its name (a bomb: ratio over
    the limit; oversized: over the entry cap), without stopping the others?"""
    archive = _zip([(f"student{i}.ipynb", data) for i, (_, data) in enumerate(entries)])
    read = list(read_zip_entries(archive, archive.infolist(), label="export.zip", limits=LIMITS))
    assert len(read) == len(entries)
    for i, ((kind, data), entry) in enumerate(zip(entries, read)):
        if kind == "fits":
            assert entry.data == data
        else:
            assert entry.data is None and f"export.zip:student{i}.ipynb" in str(entry.refused)
            assert ("zip bomb" if kind == "bomb" else "larger than") in str(entry.refused)


def test_zip_entry_that_lies_about_its_size_is_capped() -> None:
    """Is an entry whose header claims a small size but inflates beyond the cap refused, not read whole?"""
    archive = _zip([("alice.ipynb", os.urandom(200_000))])
    info = archive.infolist()[0]
    info.file_size = 10  # the central directory lies; the inflated stream is what counts
    limits = ZipLimits(max_entry_bytes=1000, max_total_bytes=10**9)
    (entry,) = read_zip_entries(archive, [info], label="export.zip", limits=limits)
    assert entry.data is None and "alice.ipynb" in str(entry.refused)


def test_zip_total_cap_refuses_the_archive() -> None:
    """Does an archive whose entries together inflate past the total cap get refused as a whole?"""
    archive = _zip([(f"s{i}.ipynb", os.urandom(1000)) for i in range(5)])
    limits = ZipLimits(max_entry_bytes=2000, max_total_bytes=3500)
    with pytest.raises(HandinError, match="export.zip.*inflates to more than"):
        list(read_zip_entries(archive, archive.infolist(), label="export.zip", limits=limits))


@pytest.mark.parametrize("kind", ["symlink to a file outside", "hard link"])
def test_submission_reader_refuses_links(tmp_path: Path, kind: str) -> None:
    """Does the grader's notebook reader refuse a linked hand-in, naming it, instead of grading the target?"""
    from autograder.grading.submission import SubmissionError, notebook_sha256, read_submission

    outside = tmp_path / "reference.ipynb"
    outside.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    handin = tmp_path / "alice.ipynb"
    make_hostile(kind, handin, outside, cap=0)
    with pytest.raises(SubmissionError, match="alice.ipynb.*(symbolic link|hard links)"):
        read_submission(handin, "a2")
    assert notebook_sha256(handin) == ""
