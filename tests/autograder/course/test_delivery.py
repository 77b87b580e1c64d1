"""Per-student delivery: folders from a pattern, one zip per student, the exchange refused."""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from autograder.course.delivery import (EXCHANGE_REFUSAL, DeliveryError, deliver_to_folders, delivery_folder,
                                        write_zips)


@pytest.fixture
def released(tmp_path) -> list[tuple[str, Path]]:
    """Two released notebooks, each holding its student's name (so a swap would show)."""
    pairs = []
    for student in ("ada01", "bo.b-2"):
        notebook = tmp_path / "release" / "a2" / student / "a2.ipynb"
        notebook.parent.mkdir(parents=True)
        notebook.write_text(f'{{"for": "{student}"}}', encoding="utf-8")
        pairs.append((student, notebook))
    return pairs


def test_pattern_names_each_students_folder():
    """Does the pattern put the student id and the assignment where their placeholders are?"""
    assert delivery_folder("/home/{student}/dl101/{assignment}", student="ada01", assignment="a2") \
        == Path("/home/ada01/dl101/a2")


@pytest.mark.parametrize("student", ["..", "../eve", "a/../../etc", "/etc", ".hidden", "", "a b", "é"])
def test_ids_that_could_escape_are_refused(student):
    """Is a student id that is not a plain folder name refused before any path is built?"""
    with pytest.raises(DeliveryError, match="cannot name a folder"):
        delivery_folder("/srv/{student}/{assignment}", student=student, assignment="a2")


@pytest.mark.parametrize("pattern, problem", [
    ("/srv/{student}/{course}", "only {student} and {assignment}"),
    ("/srv/{student!r}", "only {student} and {assignment}"),
    ("/srv/{student:>20}", "only {student} and {assignment}"),
    ("/srv/{0}", "only {student} and {assignment}"),
    ("/srv/{assignment}", "has no {student}"),
    ("/srv/{student}/../{assignment}", "'..'"),
    ("/srv/{student", "not a valid pattern"),
])
def test_bad_patterns_are_refused(pattern, problem):
    """Is a pattern with another placeholder, a format spec, no {student} or a '..' refused, saying why?"""
    with pytest.raises(DeliveryError) as caught:
        delivery_folder(pattern, student="ada01", assignment="a2")
    assert problem in str(caught.value)


def test_each_student_gets_their_own_notebook_private(released, tmp_path):
    """Does each student's folder get their own notebook, folders 0700 and the file 0600?"""
    pattern = str(tmp_path / "home" / "{student}" / "dl101" / "{assignment}")
    delivered = deliver_to_folders(released, pattern, assignment="a2", as_root=False)
    assert [d.student for d in delivered] == ["ada01", "bo.b-2"]
    for student, _ in released:
        target = tmp_path / "home" / student / "dl101" / "a2" / "a2.ipynb"
        assert target.read_text(encoding="utf-8") == f'{{"for": "{student}"}}'
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        for folder in (target.parent, target.parent.parent, target.parent.parent.parent):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        assert sorted(p.name for p in target.parent.iterdir()) == ["a2.ipynb"]


def test_a_redelivery_replaces_the_file(released, tmp_path):
    """Does delivering again overwrite the notebook rather than fail or leave a temporary file?"""
    pattern = str(tmp_path / "home" / "{student}" / "{assignment}")
    deliver_to_folders(released, pattern, assignment="a2", as_root=False)
    released[0][1].write_text("new", encoding="utf-8")
    deliver_to_folders(released, pattern, assignment="a2", as_root=False)
    folder = tmp_path / "home" / "ada01" / "a2"
    assert [p.name for p in folder.iterdir()] == ["a2.ipynb"]
    assert (folder / "a2.ipynb").read_text(encoding="utf-8") == "new"


def test_a_link_planted_in_the_students_folder_is_not_followed(released, tmp_path):
    """When a student made the delivery folder a link elsewhere, is the delivery refused and nothing written there?"""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "home" / "ada01").mkdir(parents=True)
    (tmp_path / "home" / "ada01" / "dl101").symlink_to(elsewhere)
    with pytest.raises(DeliveryError, match="a link or a file"):
        deliver_to_folders(released, str(tmp_path / "home" / "{student}" / "dl101" / "{assignment}"),
                           assignment="a2", as_root=False)
    assert list(elsewhere.iterdir()) == []


def test_as_root_a_student_without_a_user_is_refused_before_anything_is_written(released, tmp_path):
    """As root, is a student with no user of that name refused with a message, and nobody's folder written?"""
    users = {"ada01": (4242, 4242)}
    with pytest.raises(DeliveryError, match="no user named 'bo.b-2'"):
        deliver_to_folders(released, str(tmp_path / "home" / "{student}"), assignment="a2", as_root=True,
                           lookup_user=lambda name: users[name])
    assert not (tmp_path / "home").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another uid needs root")
def test_as_root_the_folder_and_file_belong_to_the_student(released, tmp_path):
    """As root, do the created folders and the notebook belong to the student's uid and gid?"""
    users = {"ada01": (4242, 4343), "bo.b-2": (4244, 4245)}
    pattern = str(tmp_path / "home" / "{student}" / "dl101" / "{assignment}")
    delivered = deliver_to_folders(released, pattern, assignment="a2", as_root=True,
                                   lookup_user=lambda name: users[name])
    assert [d.owner for d in delivered] == [4242, 4244]
    target = tmp_path / "home" / "ada01" / "dl101" / "a2" / "a2.ipynb"
    for path in (target, target.parent, target.parent.parent):
        assert (path.stat().st_uid, path.stat().st_gid) == (4242, 4343), path


def test_each_zip_holds_exactly_the_students_notebook(released, tmp_path):
    """Does --zip-dir write one zip per student holding exactly one entry, <assignment>.ipynb, their own?"""
    zips = write_zips(released, tmp_path / "lms", assignment="a2")
    assert sorted(p.name for p in (tmp_path / "lms").iterdir()) == ["ada01.zip", "bo.b-2.zip"]
    for delivered in zips:
        with zipfile.ZipFile(delivered.path) as archive:
            assert archive.namelist() == ["a2.ipynb"]
            assert archive.read("a2.ipynb").decode() == f'{{"for": "{delivered.student}"}}'


def test_a_zip_for_an_unsafe_id_is_refused(tmp_path):
    """Is a student id that would put a zip outside DIR refused?"""
    notebook = tmp_path / "n.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    with pytest.raises(DeliveryError, match="cannot name a folder"):
        write_zips([("../evil", notebook)], tmp_path / "lms", assignment="a2")
    assert not (tmp_path / "evil.zip").exists()


def test_the_exchange_refusal_says_why_and_what_instead():
    """Does the exchange refusal explain that every student would get every variant and name the other channels?"""
    for part in ("outbound", "every student every variant", "--to", "--zip-dir", "grade serve"):
        assert part in EXCHANGE_REFUSAL


def test_as_root_a_student_id_naming_root_is_refused(released, tmp_path):
    """As root, is a student id whose user is root (uid 0) refused rather than given a root-owned folder?"""
    with pytest.raises(DeliveryError, match="is root"):
        deliver_to_folders(released[:1], str(tmp_path / "{student}"), assignment="a2", as_root=True,
                           lookup_user=lambda name: (0, 0))
    assert not (tmp_path / "ada01").exists()


def test_a_relative_pattern_starting_with_the_student(released, tmp_path, monkeypatch):
    """Does a relative pattern whose first folder is {student} deliver below the current folder?"""
    monkeypatch.chdir(tmp_path)
    delivered = deliver_to_folders(released, "{student}/{assignment}", assignment="a2", as_root=False)
    assert [d.path for d in delivered] == [Path("ada01/a2/a2.ipynb"), Path("bo.b-2/a2/a2.ipynb")]
    assert (tmp_path / "bo.b-2" / "a2" / "a2.ipynb").read_text(encoding="utf-8") == '{"for": "bo.b-2"}'
