"""Collecting hand-ins: nbgrader's layout, a folder named by student, LMS zips, unsafe zips."""
from __future__ import annotations

import json
import os
import stat
import struct
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from autograder.course.collect import CollectError, collect, match_student
from autograder.course.config import Course, Student, load_course

NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
STUDENTS = (Student("alice", "Alice", "Smith", "", "12345"), Student("bob", "Bob", "Jones", "", "23456"),
            Student("ada01", "Ada", "Lovelace", "", "lms-1"))


@pytest.fixture()
def course(tiny_course: Path) -> Course:
    return load_course(tiny_course)


def _stamp(course: Course, student: str) -> str:
    return (course.root / "submitted" / student / "a2" / "timestamp.txt").read_text().strip()


def _file(folder: Path, name: str, text: str = NOTEBOOK, when: str = "2026-03-06T12:00:00+00:00") -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    moment = datetime.fromisoformat(when).timestamp()
    os.utime(path, (moment, moment))


@pytest.mark.parametrize("name, student", [
    ("alice.ipynb", "alice"), ("alice_a2.ipynb", "alice"), ("a2-alice.ipynb", "alice"),
    ("Alice.IPYNB", "alice"), ("smith_alice_12345_67890_a2.ipynb", "alice"),
    ("jonesbob_LATE_23456_99999_a2.ipynb", "bob"), ("Bob Jones_23456_assignsubmission_file_/a2.ipynb", "bob"),
    ("12345/a2.ipynb", "alice"), ("lms-1_a2.ipynb", "ada01"),
])
def test_names_accepted(name: str, student: str) -> None:
    """Is each documented naming pattern matched to the right student?"""
    assert [s.id for s in match_student(name, STUDENTS)] == [student]


@pytest.mark.parametrize("name", ["alicesmith.ipynb", "bobby.ipynb", "a2.ipynb", "123456_a2.ipynb"])
def test_names_not_accepted(name: str) -> None:
    """Is a name that only contains an id inside a longer word matched to nobody?"""
    assert match_student(name, STUDENTS) == []


def test_folder_of_notebooks(course: Course, tmp_path: Path) -> None:
    """Are notebooks copied to submitted/<student>/a2/a2.ipynb with their mtime in UTC, and every
    other file reported with its reason?"""
    source = tmp_path / "handins"
    _file(source, "alice.ipynb", when="2026-03-06T23:30:00+01:00")
    _file(source, "bob_a2.ipynb", when="2026-03-07T01:00:00+00:00")
    _file(source, "carol.ipynb")
    _file(source, "ada01.ipynb", text="{broken")
    _file(source, "alice_notes.txt", text="hello")
    _file(source, ".ipynb_checkpoints/alice-checkpoint.ipynb")
    report = collect(course, "a2", source, students=STUDENTS)
    assert [c.student for c in report.collected] == ["alice", "bob"]
    assert _stamp(course, "alice") == "2026-03-06T22:30:00+00:00"
    assert _stamp(course, "bob") == "2026-03-07T01:00:00+00:00"
    assert (course.root / "submitted" / "alice" / "a2" / "a2.ipynb").read_text() == NOTEBOOK
    reasons = {Path(p.source).name: p.reason for p in report.problems}
    assert set(reasons) == {"carol.ipynb", "ada01.ipynb", "alice_notes.txt"}
    assert "no student" in reasons["carol.ipynb"] and "not JSON" in reasons["ada01.ipynb"]
    assert "not a notebook" in reasons["alice_notes.txt"]


def test_newer_hand_in_wins_and_older_is_reported(course: Course, tmp_path: Path) -> None:
    """With two notebooks of one student, is the newer one collected and the older reported?"""
    source = tmp_path / "handins"
    _file(source, "alice_v1.ipynb", text=NOTEBOOK.replace("{}", '{"v": 1}'), when="2026-03-05T10:00:00+00:00")
    _file(source, "alice_v2.ipynb", text=NOTEBOOK.replace("{}", '{"v": 2}'), when="2026-03-06T10:00:00+00:00")
    report = collect(course, "a2", source, students=STUDENTS)
    assert [c.source for c in report.collected] == [str(source / "alice_v2.ipynb")]
    assert '"v": 2' in (course.root / "submitted" / "alice" / "a2" / "a2.ipynb").read_text()
    assert len(report.problems) == 1 and "superseded" in report.problems[0].reason


def _extended_time(unix: int) -> bytes:
    """A zip "extended timestamp" extra field (0x5455) holding a UTC modification time."""
    return struct.pack("<HHBi", 0x5455, 5, 1, unix)


def test_lms_zip_with_entry_times(course: Course, tmp_path: Path) -> None:
    """From a Canvas/Moodle zip, are students matched by lms_id and the entry time used: the UTC
    extended timestamp when present, else the DOS time in the deadline's offset (+01:00)?"""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        dos = zipfile.ZipInfo("smithalice_12345_67890_a2.ipynb", date_time=(2026, 3, 7, 0, 30, 0))
        zf.writestr(dos, NOTEBOOK)
        utc = zipfile.ZipInfo("Bob Jones_23456_assignsubmission_file_/a2.ipynb", date_time=(2020, 1, 1, 0, 0, 0))
        utc.extra = _extended_time(int(datetime(2026, 3, 8, 9, 15, tzinfo=timezone.utc).timestamp()))
        zf.writestr(utc, NOTEBOOK)
        zf.writestr("__MACOSX/._smithalice_12345_67890_a2.ipynb", "junk")
        zf.writestr("someone_99999_1_a2.ipynb", NOTEBOOK)
    report = collect(course, "a2", archive, students=STUDENTS)
    assert [c.student for c in report.collected] == ["alice", "bob"]
    assert _stamp(course, "alice") == "2026-03-06T23:30:00+00:00"
    assert _stamp(course, "bob") == "2026-03-08T09:15:00+00:00"
    assert [p.source for p in report.problems] == ["export.zip:someone_99999_1_a2.ipynb"]


@pytest.mark.parametrize("name, kind", [("../evil.ipynb", "'..'"), ("alice/../../evil.ipynb", "'..'"),
                                        ("/etc/alice.ipynb", "absolute"), ("C:\\alice.ipynb", "absolute")])
def test_zip_with_traversal_is_refused(course: Course, tmp_path: Path, name: str, kind: str) -> None:
    """Is a zip with a path escaping the folder refused whole, with nothing written?"""
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice.ipynb", NOTEBOOK)
        zf.writestr(zipfile.ZipInfo(name), NOTEBOOK)
    with pytest.raises(CollectError, match=kind):
        collect(course, "a2", archive, students=STUDENTS)
    assert not (course.root / "submitted").exists()
    assert not (tmp_path / "evil.ipynb").exists()


def test_zip_with_symlink_is_refused(course: Course, tmp_path: Path) -> None:
    """Is a zip holding a symbolic link refused?"""
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("alice.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(CollectError, match="symbolic link"):
        collect(course, "a2", archive, students=STUDENTS)


def test_not_a_zip(course: Course, tmp_path: Path) -> None:
    """Does a file that is not a zip say so?"""
    bogus = tmp_path / "export.zip"
    bogus.write_text("hello")
    with pytest.raises(CollectError, match="cannot read the zip"):
        collect(course, "a2", bogus, students=STUDENTS)


def test_nbgrader_layout_is_listed_in_place(course: Course) -> None:
    """With nbgrader's submitted/ layout in place, are hand-ins listed (not copied), unknown students
    and empty folders reported?"""
    for student, stamp in (("alice", "2026-03-06 22:00:00.000000 UTC"), ("mallory", None)):
        folder = course.root / "submitted" / student / "a2"
        folder.mkdir(parents=True)
        (folder / "whatever.ipynb").write_text(NOTEBOOK)
        if stamp:
            (folder / "timestamp.txt").write_text(stamp)
    (course.root / "submitted" / "bob" / "a2").mkdir(parents=True)
    report = collect(course, "a2", students=STUDENTS)
    assert [(c.student, c.submitted_at) for c in report.collected] == [
        ("alice", "2026-03-06 22:00:00.000000 UTC"), ("mallory", None)]
    assert not (course.root / "submitted" / "alice" / "a2" / "a2.ipynb").exists()
    reasons = sorted(p.reason for p in report.problems)
    assert "holds no notebook" in reasons[0] and "not in roster.csv" in reasons[1]


# ------------------------------------------------------------------ hostile folders and zips
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autograder.grading.handin import ZipLimits  # noqa: E402
from tests.autograder.grading.test_handin import make_hostile  # noqa: E402

FOLDER_ATTACKS = ("symlink to a file outside", "symlink to a directory", "hard link", "FIFO",
                  "character device", "socket", "oversized", "deep JSON")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attacks=st.lists(st.sampled_from(FOLDER_ATTACKS), min_size=1, max_size=4))
def test_hostile_folder_is_refused_file_by_file(course: Course, tmp_path_factory: pytest.TempPathFactory,
                                                attacks: list[str]) -> None:
    """In a folder of hand-ins, is every link, special, oversized or too-deep file reported by name
    (never followed, nothing copied from it) while the genuine notebook beside it is collected?"""
    root = tmp_path_factory.mktemp("hostile")
    outside = root / "secret.ipynb"
    outside.write_text(NOTEBOOK.replace("{}", '{"secret": "hidden answers"}'))
    source = root / "handins"
    _file(source, "alice.ipynb")
    names = [f"bob_{i}.ipynb" for i in range(len(attacks))]
    for name, attack in zip(names, attacks):
        if attack == "deep JSON":
            (source / name).write_text("[" * 100_000 + "]" * 100_000)
        else:
            make_hostile(attack, source / name, outside, cap=20 * 2**20)
    report = collect(course, "a2", source, students=STUDENTS)
    assert [c.student for c in report.collected] == ["alice"]
    assert sorted(Path(p.source).name for p in report.problems) == sorted(names)
    for problem in report.problems:
        assert "refusing" in problem.reason or "not a readable notebook" in problem.reason
    assert not (course.root / "submitted" / "bob").exists()


def test_zip_reached_through_a_link_is_refused(course: Course, tmp_path: Path) -> None:
    """Is an LMS export that is a symbolic link refused rather than followed?"""
    real = tmp_path / "real.zip"
    with zipfile.ZipFile(real, "w") as zf:
        zf.writestr("alice.ipynb", NOTEBOOK)
    (tmp_path / "export.zip").symlink_to(real)
    with pytest.raises(CollectError, match="export.zip.*symbolic link"):
        collect(course, "a2", tmp_path / "export.zip", students=STUDENTS)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bomb_size=st.integers(min_value=2**20, max_value=8 * 2**20), oversized=st.booleans())
def test_zip_bomb_entries_are_refused_and_the_rest_collected(course: Course, tmp_path_factory: pytest.TempPathFactory,
                                                            bomb_size: int, oversized: bool) -> None:
    """Is a zip bomb entry (built here: megabytes of zeros) or an entry over the notebook cap refused
    by name while the other students in the export are collected?"""
    archive = tmp_path_factory.mktemp("bomb") / "export.zip"
    limits = ZipLimits(max_entry_bytes=4 * 2**20, max_ratio=100, ratio_floor=64 * 1024)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("alice_a2.ipynb", NOTEBOOK)
        zf.writestr("bob_a2.ipynb", os.urandom(bomb_size) if oversized else b"\0" * bomb_size)
    report = collect(course, "a2", archive, students=STUDENTS, zip_limits=limits)
    assert [c.student for c in report.collected] == ["alice"]
    (problem,) = report.problems
    assert problem.source == "export.zip:bob_a2.ipynb"
    expected = "larger than" if bomb_size > limits.max_entry_bytes else "not JSON" if oversized else "zip bomb"
    assert expected in problem.reason


@pytest.mark.parametrize("attack", ["symlink to a file outside", "FIFO", "hard link"])
def test_nbgrader_layout_in_place_names_links_and_special_files(course: Course, tmp_path: Path, attack: str) -> None:
    """With submitted/ in place, is a notebook that is a link or a FIFO named as a problem (it would
    be graded as an error) while the other hand-ins are listed as usual?"""
    outside = tmp_path / "reference.ipynb"
    outside.write_text(NOTEBOOK)
    for student in ("alice", "bob"):
        (course.root / "submitted" / student / "a2").mkdir(parents=True)
    (course.root / "submitted" / "alice" / "a2" / "a2.ipynb").write_text(NOTEBOOK)
    hostile = course.root / "submitted" / "bob" / "a2" / "a2.ipynb"
    make_hostile(attack, hostile, outside, cap=0)
    report = collect(course, "a2", students=STUDENTS)
    assert [c.student for c in report.collected] == ["alice", "bob"]
    (problem,) = report.problems
    assert problem.source == str(hostile) and "refusing" in problem.reason
