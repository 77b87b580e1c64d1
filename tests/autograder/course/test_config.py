"""course.toml, the course folder, the secret and the roster."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from autograder.course.config import (Assignment, CourseError, assignment_exercises, find_course, load_course,
                               read_roster, resolve_secret)
from exercises.model import all_exercises

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "course"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def course_toml(*, course: str = 'name = "C"\nid = "c1"\ndemo_secret = "d"',
                assignments: str = '[[assignments]]\nid = "a2"\ntitle = "T"\n'
                                   'due = "2026-03-06T23:59:00+01:00"\n',
                late: str = "") -> str:
    return f"[course]\n{course}\n\n{late}\n\n{assignments}"


# --------------------------------------------------------------------------
# The sample course
# --------------------------------------------------------------------------
def test_sample_course_lists_the_five_assignments():
    """Does the sample course.toml load, with a1..a5 due at times that carry their UTC offset?"""
    course = load_course(SAMPLE)
    assert [a.id for a in course.assignments] == ["a1", "a2", "a3", "a4", "a5"]
    assert course.id == "dl101"
    a2 = course.assignment("a2")
    assert a2.due.utcoffset() == timedelta(hours=1)
    assert a2.due == datetime.fromisoformat("2026-03-06T22:59:00+00:00")
    assert all(a.due.tzinfo is not None for a in course.assignments)
    assert course.late_policy.grace_minutes == 15
    assert course.late_policy.penalty_per_day == pytest.approx(0.10)
    assert course.late_policy.max_days == 5


def test_sample_course_a2_starts_with_the_sigmoid():
    """Is a2.sigmoid an exercise of the sample course's a2?"""
    course = load_course(SAMPLE)
    assert "a2.sigmoid" in [e.key for e in assignment_exercises(course.assignment("a2"))]


def test_sample_course_lists_every_exercise_module_once():
    """Does every exercise module appear in exactly one notebook of the sample course (none forgotten)?"""
    course = load_course(SAMPLE)
    listed = [e.key for a in course.assignments for e in assignment_exercises(a)]
    assert sorted(listed) == sorted(all_exercises())


def test_sample_course_uses_a_flagged_demo_secret(monkeypatch):
    """Without $DLGRADE_SECRET, is the sample course's secret the demo one, flagged as such?"""
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    secret = resolve_secret(load_course(SAMPLE))
    assert secret.is_demo and secret.source == "demo_secret"
    assert b"DEMO" in secret.value


def test_sample_roster_has_six_to_eight_unique_students():
    """Does the sample roster hold 6-8 students with unique ids and an email each?"""
    students = read_roster(SAMPLE / "roster.csv")
    assert 6 <= len(students) <= 8
    assert len({s.id for s in students}) == len(students)
    assert all("@" in s.email and s.lms_id for s in students)


# --------------------------------------------------------------------------
# Finding the course folder
# --------------------------------------------------------------------------
def test_find_course_walks_up_from_a_subfolder(tmp_path):
    """Is the course found from a folder below it, as nbgrader's commands do?"""
    write(tmp_path / "c", "course.toml", course_toml())
    deep = tmp_path / "c" / "release" / "a2" / "ada01"
    deep.mkdir(parents=True)
    assert find_course(start=deep) == (tmp_path / "c").resolve()


def test_find_course_without_course_toml_says_what_to_do(tmp_path):
    """Is the error for a folder without course.toml the one that tells to pass --course?"""
    with pytest.raises(CourseError, match=r"no course\.toml in .*: run from a course folder or pass --course PATH"):
        find_course(start=tmp_path)
    with pytest.raises(CourseError, match="no course.toml in"):
        find_course(explicit=tmp_path)


def test_find_course_points_at_a_course_subfolder(tmp_path):
    """From a repository root, does the error name the course/ folder below?"""
    write(tmp_path / "course", "course.toml", course_toml())
    with pytest.raises(CourseError, match="the sample course is"):
        find_course(start=tmp_path)


# --------------------------------------------------------------------------
# Errors in course.toml
# --------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (course_toml(course='id = "c1"'), r"\[course\]: missing key 'name'"),
    (course_toml(assignments='[[assignments]]\nid = "a2"\ndue = "2026-03-06T23:59:00+01:00"'),
     r"\[\[assignments\]\] #1 \(id a2\): missing key 'title'"),
    (course_toml(assignments='[[assignments]]\nid = "a2"\ntitle = "T"\ndue = "2026-03-06T23:59:00"'),
     "has no UTC offset"),
    (course_toml(assignments='[[assignments]]\nid = "a2"\ntitle = "T"\ndue = "next friday"'),
     "is not an ISO 8601 time"),
    (course_toml(assignments='[[assignments]]\nid = "a2"\ntitle = 3\ndue = "2026-03-06T23:59:00Z"'),
     "title = 3 must be a str"),
    (course_toml(assignments='[[assignments]]\nid = "a 2"\ntitle = "T"\ndue = "2026-03-06T23:59:00Z"'),
     "may hold only letters"),
    (course_toml(assignments='[[assignments]]\nid = "a2"\ntitle = "T"\ndue = "2026-03-06T23:59:00Z"\n'
                             '[[assignments]]\nid = "a2"\ntitle = "U"\ndue = "2026-03-07T23:59:00Z"'),
     "'a2' is listed twice"),
    (course_toml(late="[late_policy]\npenalty_per_day = 10"), "must be a fraction between 0 and 1"),
    (course_toml(late="[late_policy]\nmax_days = -1"), "must not be negative"),
    (course_toml() + "\n[[assignments]\n", "is not valid TOML"),
    (course_toml(assignments=""), "missing key 'assignments'"),
])
def test_bad_course_toml_names_the_file_and_the_key(tmp_path, text, expected):
    """Does each mistake in course.toml give an error naming the file and what is wrong?"""
    path = write(tmp_path, "course.toml", text)
    with pytest.raises(CourseError, match=expected) as raised:
        load_course(tmp_path)
    assert str(path) in str(raised.value)


def test_unknown_assignment_lists_the_known_ones(tmp_path):
    """Does asking for an assignment the course lacks list the ones it has?"""
    write(tmp_path, "course.toml", course_toml())
    with pytest.raises(CourseError, match=r"no assignment 'a9' .*\(known: a2\)"):
        load_course(tmp_path).assignment("a9")


# --------------------------------------------------------------------------
# The secret
# --------------------------------------------------------------------------
def test_secret_from_the_environment_wins(tmp_path):
    """Does $DLGRADE_SECRET take precedence over secret_file and the demo secret?"""
    outside = write(tmp_path, "secret.txt", "from-file\n")
    write(tmp_path / "c", "course.toml", course_toml(
        course=f'name = "C"\nid = "c1"\ndemo_secret = "d"\nsecret_file = "{outside}"'))
    course = load_course(tmp_path / "c")
    secret = resolve_secret(course, {"DLGRADE_SECRET": "from-env"})
    assert (secret.value, secret.is_demo) == (b"from-env", False)
    from_file = resolve_secret(course, {})
    assert (from_file.value, from_file.source, from_file.is_demo) == (b"from-file", str(outside), False)
    assert "from-file" not in repr(from_file)


def test_secret_file_inside_the_course_is_refused(tmp_path):
    """Is a secret file inside the course folder (where it could be committed) refused?"""
    write(tmp_path, "course.toml", course_toml(course='name = "C"\nid = "c1"\nsecret_file = "secret.txt"'))
    write(tmp_path, "secret.txt", "s")
    with pytest.raises(CourseError, match="inside the course folder; move it outside"):
        resolve_secret(load_course(tmp_path), {})


def test_missing_secret_says_how_to_set_one(tmp_path):
    """Without any secret, does the error name $DLGRADE_SECRET and secret_file?"""
    write(tmp_path / "c", "course.toml", course_toml(course='name = "C"\nid = "c1"'))
    with pytest.raises(CourseError, match=r"set \$DLGRADE_SECRET or add secret_file"):
        resolve_secret(load_course(tmp_path / "c"), {})
    write(tmp_path / "c", "course.toml",
          course_toml(course=f'name = "C"\nid = "c1"\nsecret_file = "{tmp_path / "nope"}"'))
    with pytest.raises(CourseError, match="does not exist"):
        resolve_secret(load_course(tmp_path / "c"), {})


# --------------------------------------------------------------------------
# The roster
# --------------------------------------------------------------------------
HEADER = "id,first_name,last_name,email,lms_id\n"


@pytest.mark.parametrize("text, expected", [
    ("", "is empty"),
    ("first_name,email\nAda,ada@x.org\n", "line 1: the header lacks id"),
    ("id,first_name,section\nada,Ada,B\n", "line 1: unknown column 'section'; the columns are id \\(required\\)"),
    ("id,email,email\nada,a@x.org,a@x.org\n", "line 1: column 'email' appears twice"),
    (HEADER + "ada,Ada,L,ada@x.org,1\n,Bob,B,bob@x.org,2\n", "line 3: the id is empty"),
    ("id\nada\nzoë01\n", "line 3: student id 'zoë01' has non-ASCII characters \\(ë\\)"),
    (HEADER + "ada,Ada,L,ada@x.org,1\nbob,Bob,B,bob@x.org\n", "line 3: 4 fields, the header has 5"),
    (HEADER + "ada,Ada,L,ada@x.org,1\n\nbob smith,Bob,B,bob@x.org,2\n", "line 4: student id 'bob smith'"),
    (HEADER + "ada,Ada,L,ada@x.org,1\nada,Ada,M,adam@x.org,2\n", "line 3: student id 'ada' already appears on line 2"),
    (HEADER + "../x,Ada,L,ada@x.org,1\n", "line 2: student id '../x'"),
    (HEADER + "ada,Ada,L,not-an-address,1\n", "line 2: email 'not-an-address'"),
    (HEADER, "lists no students"),
])
def test_bad_roster_gives_the_line_and_the_fix(tmp_path, text, expected):
    """Does each mistake in a roster CSV give its line number and what is wrong?"""
    path = write(tmp_path, "roster.csv", text)
    with pytest.raises(CourseError, match=expected) as raised:
        read_roster(path)
    assert str(path) in str(raised.value)


def test_roster_accepts_a_bom_and_any_subset_of_the_optional_columns(tmp_path):
    """Are a UTF-8 BOM, columns in any order and a roster of ids only accepted?"""
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufefflms_id,last_name,id\n7,Lovelace,ada\n".encode("utf-8"))
    (student,) = read_roster(path)
    assert (student.id, student.last_name, student.lms_id, student.email) == ("ada", "Lovelace", "7", "")
    path.write_text("id\nada\nbob\n", encoding="utf-8")
    assert [(s.id, s.first_name, s.lms_id) for s in read_roster(path)] == [("ada", "", ""), ("bob", "", "")]


def test_roster_names_may_use_any_letters(tmp_path):
    """Are non-ASCII first and last names (UTF-8) read as written?"""
    path = tmp_path / "roster.csv"
    path.write_text("id,first_name,last_name\nzoe01,Zoë,Ødegård\nli02,丽,李\n", encoding="utf-8")
    assert [(s.first_name, s.last_name) for s in read_roster(path)] == [("Zoë", "Ødegård"), ("丽", "李")]


def test_a_roster_that_is_not_utf8_names_the_line(tmp_path):
    """Does a roster saved as Latin-1 say which line is not UTF-8 and how to save it?"""
    path = tmp_path / "roster.csv"
    path.write_bytes("id,first_name\nada,Ada\nzoe01,Zoë\n".encode("latin-1"))
    with pytest.raises(CourseError, match=r"line 3 is not UTF-8 \(byte 0xeb\): save the roster as UTF-8"):
        read_roster(path)


# --------------------------------------------------------------------------
# An assignment's exercises
# --------------------------------------------------------------------------
DUE = datetime.fromisoformat("2026-03-06T23:59:00+01:00")


def test_listed_exercises_resolve_in_the_listed_order():
    """Are short ids and full keys both accepted, in the order course.toml gives?"""
    known = all_exercises()
    assert [e.key for e in assignment_exercises(Assignment("a2", "T", DUE, ("sigmoid",)), known)] == ["a2.sigmoid"]
    assert [e.key for e in assignment_exercises(Assignment("a2", "T", DUE, ("a2.sigmoid",)), known)] == ["a2.sigmoid"]


def test_empty_exercise_list_means_all_modules_in_name_order():
    """Does an empty list take every module of the assignment, sorted by name?"""
    sigmoid = all_exercises()["a2.sigmoid"]
    fakes = {key: replace(sigmoid, key=key, assignment=key.split(".")[0])
             for key in ("a2.zeta", "a2.alpha", "a1.other", "a2.mid")}
    found = assignment_exercises(Assignment("a2", "T", DUE), fakes)
    assert [e.key for e in found] == ["a2.alpha", "a2.mid", "a2.zeta"]


@pytest.mark.parametrize("listed, expected", [
    (("sigmoid", "no_such_thing"),
     r"do not exist: no_such_thing \(no module exercises/no_such_thing\.py or exercises/a2_no_such_thing\.py"),
    (("sigmoid", "a2.sigmoid"), "lists a2.sigmoid twice"),
    (("sigmoid", "a2_sigmoid"), "lists a2.sigmoid twice"),
])
def test_wrong_exercise_lists_are_explained(listed, expected):
    """Does a list naming a missing or repeated exercise say which and what to fix?"""
    with pytest.raises(CourseError, match=expected):
        assignment_exercises(Assignment("a2", "T", DUE, listed))


def test_an_assignment_may_list_exercises_of_other_assignments_by_module_name():
    """Can any assignment id (hw1) list library exercises by module name or key, in its own order?"""
    listed = ("a2_sigmoid", "a1.perceptron", "a1_or_weights")
    found = assignment_exercises(Assignment("hw1", "T", DUE, listed))
    assert [e.key for e in found] == ["a2.sigmoid", "a1.perceptron", "a1.or_weights"]


def test_assignment_without_modules_says_so():
    """Does an assignment with no modules yet give a clear error (only when its exercises are asked for)?"""
    with pytest.raises(CourseError, match="has no exercises yet: write exercises/a9_<id>.py"):
        assignment_exercises(Assignment("a9", "T", DUE), all_exercises())
