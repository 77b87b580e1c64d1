"""The `grade` command line: build, release, check and demo, and the errors a person sees."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli.main import main
from exercises.dlcheck import from_jsonable
from exercises.model import get_exercise, strip_markers
from tests.autograder.course import embedded_public_checks
from tests.conftest import TINY_ROSTER


def sigmoid_params(notebook: Path):
    """The a2.sigmoid variant carried in a released notebook."""
    data = embedded_public_checks(nbformat.read(notebook, as_version=4))
    return from_jsonable(data["exercises"]["a2.sigmoid"]["params"])


@pytest.fixture
def runner(monkeypatch, tmp_path) -> CliRunner:
    """A CliRunner working in an empty folder of its own (click 8.2+ deprecates isolated_filesystem)."""
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return CliRunner()


@pytest.fixture
def make_course(tiny_course):
    """``make_course(folder, roster=None)``: a copy of the tiny course (a2: the sigmoid; 3 students)."""
    def make(folder: Path, roster: str | None = None) -> Path:
        shutil.copytree(tiny_course, folder, dirs_exist_ok=True)
        if roster is not None:
            (folder / "roster.csv").write_text(roster, encoding="utf-8")
        return folder
    return make


def test_help_lists_the_commands(runner):
    """Does `grade --help` work and list build, release, check and demo?"""
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "release", "check", "demo", "--course"):
        assert command in result.output
    assert "grade build a2" in runner.invoke(main, ["build", "--help"]).output


def test_build_and_release_from_inside_the_course_folder(runner, make_course):
    """From a course folder, do `grade build a2` and `grade release a2` write the source and 3 student folders?"""
    make_course(Path("."))
    built = runner.invoke(main, ["build", "a2"])
    assert built.exit_code == 0, built.output
    assert "a2: source/a2/a2.ipynb (1 exercise, 5 points)" in built.output
    assert "using the DEMO secret: set DLGRADE_SECRET for a real course" in built.output
    assert Path("source/a2/a2.ipynb").is_file()
    released = runner.invoke(main, ["release", "a2", "--roster", "roster.csv"])
    assert released.exit_code == 0, released.output
    assert "released to 3 students in release/a2/" in released.output
    assert sorted(p.name for p in Path("release/a2").iterdir()) == ["ada01", "alan02", "grace03"]


def test_commands_find_the_course_from_a_subfolder_or_course_option(runner, make_course, monkeypatch):
    """Do the commands find the course from a folder below it, and from anywhere with --course?"""
    course = make_course(Path("my-course")).resolve()
    (course / "notes").mkdir()
    monkeypatch.chdir(course / "notes")
    below = runner.invoke(main, ["build", "a2"])
    assert below.exit_code == 0, below.output
    assert (course / "source" / "a2" / "a2.ipynb").is_file()
    monkeypatch.chdir(course.parent)
    elsewhere = runner.invoke(main, ["--course", str(course), "release", "a2"])
    assert elsewhere.exit_code == 0, elsewhere.output
    assert (course / "release" / "a2" / "ada01" / "a2.ipynb").is_file()


def test_the_secret_from_the_environment_changes_the_numbers_and_silences_the_warning(runner, make_course):
    """With DLGRADE_SECRET set, is there no demo warning, and does a student get other numbers?"""
    make_course(Path("."))
    runner.invoke(main, ["release", "a2"])
    demo = sigmoid_params(Path("release/a2/ada01/a2.ipynb"))
    result = runner.invoke(main, ["release", "a2"], env={"DLGRADE_SECRET": "a-real-secret"})
    assert result.exit_code == 0 and "DEMO" not in result.output
    assert sigmoid_params(Path("release/a2/ada01/a2.ipynb")) != demo


@pytest.mark.parametrize("args, expected", [
    (["build", "a2"], "no course.toml in"),
    (["release", "a2"], "run from a course folder or pass --course PATH"),
])
def test_no_course_toml_says_how_to_find_one(runner, args, expected):
    """Outside a course folder, do the commands fail with a message that says what to do?"""
    result = runner.invoke(main, args)
    assert result.exit_code != 0 and expected in result.output
    assert "Traceback" not in result.output


def test_unknown_assignment_is_a_bad_parameter(runner, make_course):
    """Does an unknown assignment fail with a usage error that lists the known ones?"""
    make_course(Path("."))
    result = runner.invoke(main, ["build", "a9"])
    assert result.exit_code == 2
    assert "Invalid value for ASSIGNMENT: no assignment 'a9'" in result.output and "(known: a2)" in result.output


@pytest.mark.parametrize("roster, expected", [
    (TINY_ROSTER + "bad id,Bo,B,bo@example.edu,lms-4\n", "line 5: student id 'bad id'"),
    (TINY_ROSTER.replace("ada01,", "alan02,"), "line 3: student id 'alan02' already appears on line 2"),
    ("name,email\nAda,ada@example.edu\n", "line 1: the header lacks id"),
])
def test_bad_roster_is_reported_with_its_line(runner, make_course, roster, expected):
    """Does a bad roster fail the release with the line number, and write nothing?"""
    make_course(Path("."), roster=roster)
    result = runner.invoke(main, ["release", "a2"])
    assert result.exit_code == 2 and "Invalid value for --roster" in result.output
    assert expected in result.output
    assert not Path("release").exists()


def test_missing_exercise_module_is_reported_when_built(runner, make_course):
    """Does an assignment listing a module that does not exist fail with the module's name?"""
    make_course(Path("."))
    toml = Path("course.toml")
    toml.write_text(toml.read_text().replace('["sigmoid"]', '["sigmoid", "not_written_yet"]'))
    result = runner.invoke(main, ["build", "a2"])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "do not exist: not_written_yet (no module " in output and "exercises/a2_not_written_yet.py" in output


def test_demo_builds_and_releases_into_the_given_course(runner, make_course, tmp_path):
    """Does `grade --course X demo` build and release every assignment with exercises and say where?"""
    course = make_course(tmp_path / "demo-course")
    toml = course / "course.toml"
    toml.write_text(toml.read_text() + '\n[[assignments]]\nid = "a9"\ntitle = "Later"\n'
                                       'due = "2026-06-01T12:00:00Z"\n')
    result = runner.invoke(main, ["--course", str(course), "demo"])
    assert result.exit_code == 0, result.output
    assert "a2: 1 exercise, 5 points" in result.output
    assert "a9: skipped (assignment a9 has no exercises yet" in result.output
    assert (course / "source" / "a2" / "a2.ipynb").is_file()
    assert len(list((course / "release" / "a2").iterdir())) == 3


@pytest.mark.slow
def test_check_runs_the_students_notebook_and_reports(runner, make_course, tmp_path):
    """Does `grade check` run a notebook with the model answer pasted in and report every public check passed?"""
    course = make_course(tmp_path / "c")
    assert runner.invoke(main, ["--course", str(course), "release", "a2"]).exit_code == 0
    folder = course / "release" / "a2" / "ada01"
    params = sigmoid_params(folder / "a2.ipynb")
    notebook = nbformat.read(folder / "a2.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata["dlgrade"]["role"] == "solution":
            cell.source = strip_markers(get_exercise("a2.sigmoid").solution_cell(params))
    nbformat.write(notebook, folder / "a2.ipynb")
    solved = runner.invoke(main, ["check", str(folder / "a2.ipynb")])
    assert solved.exit_code == 0, solved.output
    assert "The sigmoid function: public checks 3/3 points" in solved.output
    assert "exercises passing all their public checks: 1 of 1" in solved.output


def test_check_of_a_missing_notebook_is_a_usage_error(runner):
    """Does `grade check` on a path that does not exist fail before starting a kernel?"""
    result = runner.invoke(main, ["check", "nope.ipynb"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_release_delivers_per_student_folders_and_zips(runner, make_course, monkeypatch):
    """Does `grade release a2 --to PATTERN --zip-dir DIR` copy each student's own notebook and zip it?"""
    import zipfile

    monkeypatch.setattr("autograder.course.delivery.os.geteuid", lambda: 1000)  # not root: no chown
    make_course(Path("."))
    result = runner.invoke(main, ["release", "a2", "--to", "homes/{student}/dl101/{assignment}",
                                  "--zip-dir", "lms"])
    assert result.exit_code == 0, result.output
    assert "copied to 3 student folders" in result.output and "3 zips in lms/" in result.output
    for student in ("ada01", "alan02", "grace03"):
        released = Path("release/a2", student, "a2.ipynb").read_bytes()
        assert Path("homes", student, "dl101", "a2", "a2.ipynb").read_bytes() == released
        with zipfile.ZipFile(Path("lms", f"{student}.zip")) as archive:
            assert archive.namelist() == ["a2.ipynb"] and archive.read("a2.ipynb") == released


def test_release_as_root_without_student_users_is_refused(runner, make_course, monkeypatch):
    """Run as root, is --to refused with a message when no user is named like a student id?"""
    monkeypatch.setattr("autograder.course.delivery.os.geteuid", lambda: 0)
    make_course(Path("."))
    result = runner.invoke(main, ["release", "a2", "--to", "homes/{student}/{assignment}"])
    assert result.exit_code == 1
    assert "no user named 'ada01'" in result.output and not Path("homes").exists()


def test_release_refuses_a_bad_pattern_and_the_exchange_before_releasing(runner, make_course):
    """Are a --to pattern with an unknown placeholder and --exchange refused, saying why, before anything is written?"""
    make_course(Path("."))
    bad = runner.invoke(main, ["release", "a2", "--to", "/srv/{student}/{course}"])
    assert bad.exit_code == 2 and "only {student} and {assignment}" in bad.output
    exchange = runner.invoke(main, ["release", "a2", "--exchange"])
    assert exchange.exit_code == 2
    assert "every student every variant" in " ".join(exchange.output.split())
    assert not Path("release").exists()
