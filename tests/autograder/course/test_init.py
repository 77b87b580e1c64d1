"""A course folder of its own: what `grade init` writes and how `grade new-exercise` edits a course."""
from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from autograder.course.config import (CourseError, assignment_exercises, load_course, read_roster,
                                      resolve_secret)
from autograder.course.init import SAMPLE_COURSE, add_to_assignment, init_course, new_exercise
from exercises.model import get_exercise, variant_params
from exercises.verify import verify_variant

GENERATED = ("source/", "release/", "submitted/", "autograded/", "feedback/", "reports/", "gradebook.db",
             "exports/")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    return tmp_path / "home"


def test_init_writes_a_course_that_loads_and_verifies(tmp_path: Path, home: Path) -> None:
    """Does init write course.toml, roster, nbgrader config, .gitignore, README, CI files and an
    example exercise whose model answer earns every point?"""
    made = init_course(tmp_path / "Deep Learning 2027")
    course = load_course(made.root)
    assert (course.id, course.name, [a.id for a in course.assignments]) == ("deep-learning-2027",
                                                                             "Deep Learning 2027", ["hw1"])
    assert [s.id for s in read_roster(made.root / "roster.csv")] == ["student01"]
    ignored = (made.root / ".gitignore").read_text().splitlines()
    assert all(entry in ignored for entry in GENERATED)
    assert 'course_id = "deep-learning-2027"' in (made.root / "nbgrader_config.py").read_text()
    for name in ("README.md", "ROSTER.md", "ci/github-classroom.yml", "ci/gradescope/setup.sh"):
        assert (made.root / name).is_file(), name
    assert (made.root / "ci/gradescope/run_autograder").stat().st_mode & stat.S_IXUSR
    assert "grade build hw1" in (made.root / "README.md").read_text()
    (example,) = assignment_exercises(course.assignment("hw1"))
    assert example.key == "hw1.weighted_sum"
    assert verify_variant([example], {example.key: variant_params(example, b"k", "ada")}) == []


def test_the_secret_is_written_outside_the_course_once(tmp_path: Path, home: Path) -> None:
    """Is the secret a 0600 file under ~/.config/dlgrade named after the course id, referred to as
    ~/..., read by resolve_secret, and kept when another course of that id is made?"""
    made = init_course(tmp_path / "c", course_id="dl9")
    secret_file = home / ".config" / "dlgrade" / "dl9.secret"
    assert made.secret_file == secret_file.resolve() and made.secret_created
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert tomllib.loads((made.root / "course.toml").read_text())["course"]["secret_file"] == "~/.config/dlgrade/dl9.secret"
    secret = resolve_secret(load_course(made.root), {})
    assert secret.value == secret_file.read_bytes().strip() and not secret.is_demo
    assert not any(secret.value in p.read_bytes() for p in made.root.rglob("*") if p.is_file())
    again = init_course(tmp_path / "c-copy", course_id="dl9")
    assert not again.secret_created and resolve_secret(load_course(again.root), {}).value == secret.value


def test_init_never_puts_the_secret_inside_the_course(tmp_path: Path, home: Path) -> None:
    """Is a secret folder inside the new course refused before anything is written?"""
    with pytest.raises(CourseError, match="would be inside the course folder"):
        init_course(tmp_path / "c", secrets_folder=tmp_path / "c" / "secrets")
    assert not (tmp_path / "c").exists()


def test_from_sample_copies_the_sample_course_with_library_exercises(tmp_path: Path, home: Path) -> None:
    """Does --from-sample give the sample's assignments, exercises and roster, with a real secret?"""
    made = init_course(tmp_path / "copy", from_sample=True)
    copy, sample = load_course(made.root), load_course(SAMPLE_COURSE)
    assert [(a.id, a.title, a.due, a.exercises) for a in copy.assignments] == \
        [(a.id, a.title, a.due, a.exercises) for a in sample.assignments]
    for mine, theirs in zip(copy.assignments, sample.assignments):
        assert [e.key for e in assignment_exercises(mine)] == [e.key for e in assignment_exercises(theirs)]
    assert read_roster(made.root / "roster.csv") == read_roster(SAMPLE_COURSE / "roster.csv")
    assert copy.demo_secret is None and not resolve_secret(copy, {}).is_demo


def test_new_exercise_writes_a_skeleton_and_lists_it(tmp_path: Path, home: Path) -> None:
    """Does new-exercise write exercises/<id>.py (an exercise of the assignment whose stub-like model
    answer is refused until written) and append it to the assignment's list, comments kept?"""
    made = init_course(tmp_path / "c")
    before = (made.root / "course.toml").read_text()
    path = new_exercise(load_course(made.root), "leaky_relu", "hw1")
    after = (made.root / "course.toml").read_text()
    assert after == before.replace('exercises = ["weighted_sum"]', 'exercises = ["weighted_sum", "leaky_relu"]')
    course = load_course(made.root)
    assert [e.key for e in assignment_exercises(course.assignment("hw1"))] == ["hw1.weighted_sum", "hw1.leaky_relu"]
    exercise = get_exercise("hw1.leaky_relu", course=made.root)
    assert path == made.root / "exercises" / "leaky_relu.py"
    assert (exercise.title, len(exercise.public_checks), len(exercise.hidden_checks)) == ("Leaky relu", 1, 1)
    assert exercise.hidden_checks[0].hint
    problems = verify_variant([exercise], {exercise.key: variant_params(exercise, b"k", "ada")})
    assert any("fails on the model answer" in p for p in problems)
    path.write_text(path.read_text().replace('raise NotImplementedError("write the model answer of leaky_relu here")',
                                             "return np.where(x > 0, x, 0.1 * x)"))
    exercise = get_exercise("hw1.leaky_relu", course=made.root)
    assert verify_variant([exercise], {exercise.key: variant_params(exercise, b"k", "ada")}) == []


def test_new_exercise_edits_multi_line_and_missing_lists(tmp_path: Path, home: Path) -> None:
    """In the sample's multi-line lists, and in an assignment without an exercises line (which meant
    'all of its modules'), does the new exercise land last and the others stay?"""
    made = init_course(tmp_path / "c", from_sample=True)
    new_exercise(load_course(made.root), "relu", "a2")
    a2 = load_course(made.root).assignment("a2")
    assert a2.exercises[-2:] == ("loss_table", "relu")
    toml = made.root / "course.toml"
    toml.write_text(toml.read_text() + '\n[[assignments]]\nid = "quiz"\ntitle = "Q"\n'
                                       'due = "2026-05-01T12:00:00+02:00"\n')
    (made.root / "exercises" / "quiz_first.py").write_text(
        (made.root / "exercises" / "relu.py").read_text().replace('ASSIGNMENT = "a2"', 'ASSIGNMENT = "quiz"'))
    new_exercise(load_course(made.root), "second", "quiz")
    assert load_course(made.root).assignment("quiz").exercises == ("quiz_first", "second")


def test_the_nbgrader_check_cells_find_the_course_exercises(tmp_path: Path, home: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """In the built source folder, do the in-kernel checks (nbgrader's autograde path) find a course's
    own exercise, passing its model answer and failing its stub?"""
    from autograder.course.release import build_assignment
    from autograder.grading.inkernel import run_hidden_checks
    from exercises.dlcheck import from_jsonable
    from exercises.model import clear_solutions, reference_namespace
    from tests.autograder.course.test_release import notebook_checks
    made = init_course(tmp_path / "c")
    built = build_assignment(load_course(made.root), "hw1")
    monkeypatch.chdir(built.notebook.parent)  # where nbgrader's kernel runs: inside the course
    checks = notebook_checks(built.notebook)
    data = checks["exercises"]["hw1.weighted_sum"]
    cell = get_exercise("hw1.weighted_sum", course=made.root).solution_cell(from_jsonable(data["params"]))
    run_hidden_checks("hw1.weighted_sum", reference_namespace([cell]), checks)
    with pytest.raises(AssertionError, match="2 of 2 checks failed"):
        run_hidden_checks("hw1.weighted_sum", reference_namespace([clear_solutions(cell)]), checks)


# --------------------------------------------------------------------------
# Editing course.toml: generated layouts
# --------------------------------------------------------------------------
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
IDS = st.from_regex(r"[a-z][a-z0-9\-]{0,5}", fullmatch=True)


def _list_text(names: list[str], layout: str) -> str:
    quoted = [f'"{n}"' for n in names]
    if layout == "missing":
        return ""
    if layout == "one line":
        return f"exercises = [{', '.join(quoted)}]\n"
    return "exercises = [\n" + "".join(f"    {q},\n" for q in quoted) + "]\n"  # multi-line, trailing comma


@st.composite
def course_tomls(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """course.toml text with 1-4 assignments in assorted layouts, one of them the target, and its list."""
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    target = draw(st.sampled_from(ids))
    text = '[course]\nname = "C"\nid = "c"  # the course id\n'
    listed = []
    for assignment_id in ids:
        names = draw(st.lists(NAMES, max_size=4, unique=True))
        layout = draw(st.sampled_from(["missing", "one line", "multi line"]))
        comment = draw(st.sampled_from(["", "# a comment [with brackets]\n"]))
        text += (f'\n{comment}[[assignments]]\nid = "{assignment_id}"\ntitle = "T [x]"\n'
                 f'due = "2026-03-06T23:59:00+01:00"\n' + _list_text(names, layout))
        if assignment_id == target:
            listed = names if layout != "missing" else []
    return text, target, listed


@settings(max_examples=150, deadline=None)
@given(course_tomls(), st.lists(NAMES, min_size=1, max_size=2, unique=True))
def test_adding_exercises_edits_only_the_assignments_list(toml_and_target, new) -> None:
    """For generated course.toml layouts, does the edit append exactly the new modules to the target
    assignment's list and leave every other value as it was?"""
    text, target, listed = toml_and_target
    new = [n for n in new if n not in listed] or ["zz_new"]
    edited = add_to_assignment(text, target, new, Path("course.toml"))
    before, after = tomllib.loads(text), tomllib.loads(edited)
    for old, now in zip(before["assignments"], after["assignments"]):
        if old["id"] == target:
            assert now.pop("exercises") == listed + new
            old.pop("exercises", None)
        assert now == old
    assert after["course"] == before["course"] and len(after["assignments"]) == len(before["assignments"])
