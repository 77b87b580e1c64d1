"""`grade collect`, `grade autograde`, `grade export` through click's CliRunner, with real grading
of the a2.sigmoid exercise, and a batch killed half-way then resumed."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli.main import CliState
from autograder.cli.grading import autograde_command, collect_command, export_command
from autograder.course.config import load_course
from autograder.course.gradebook import open_gradebook, recorded_scores
from exercises.model import get_exercise

ROOT = Path(__file__).resolve().parents[3]
CORRECT = """\
import numpy as np

def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"""
NAIVE = """\
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))
"""
EMPTY = "def sigmoid(z):\n    raise NotImplementedError\n"


def build_group() -> click.Group:
    """A `grade` group like autograder.cli.main's, with the three commands registered."""
    @click.group()
    @click.option("--course", "course_path", type=click.Path(path_type=Path), default=None)
    @click.pass_context
    def grade(ctx: click.Context, course_path: Path | None) -> None:
        ctx.obj = CliState(course_path)
    for command in (collect_command, autograde_command, export_command):
        grade.add_command(command)
    return grade


GROUP_SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from tests.autograder.cli.test_cli_grading import build_group
build_group()(sys.argv[1:])
"""


def notebook(code: str) -> str:
    """A student notebook with one solution cell (nbgrader schema v3 metadata)."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                 "grade_id": "a2_sigmoid_solution", "schema_version": 3}
    nb.cells = [cell]
    return nbformat.writes(nb)


def hand_in(course: Path, student: str, code: str, when: str) -> None:
    folder = course / "submitted" / student / "a2"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a2.ipynb").write_text(notebook(code))
    (folder / "timestamp.txt").write_text(when + "\n")


def run(course: Path, *args: str) -> "click.testing.Result":
    return CliRunner().invoke(build_group(), ["--course", str(course), *args], catch_exceptions=False)


@pytest.fixture()
def env_without_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DLGRADE_SECRET", raising=False)


@pytest.mark.parametrize("command", ["collect", "autograde", "export"])
def test_help_has_an_example(tiny_course: Path, command: str) -> None:
    """Does every command's --help show an example?"""
    result = run(tiny_course, command, "--help")
    assert result.exit_code == 0 and "Example" in result.output and f"grade {command}" in result.output


def test_collect_folder_reports_problems(tiny_course: Path, tmp_path: Path) -> None:
    """Does `grade collect a2 FOLDER` copy what matches, list what does not, and exit 1 for it?"""
    source = tmp_path / "handins"
    source.mkdir()
    (source / "ada01.ipynb").write_text(notebook(CORRECT))
    (source / "nobody.ipynb").write_text(notebook(CORRECT))
    result = run(tiny_course, "collect", "a2", str(source))
    assert result.exit_code == 1
    assert "ada01" in result.output and "nobody.ipynb" in result.output and "no student" in result.output
    assert (tiny_course / "submitted" / "ada01" / "a2" / "a2.ipynb").is_file()
    (source / "nobody.ipynb").unlink()
    assert run(tiny_course, "collect", "a2", str(source)).exit_code == 0


def test_collect_in_place_with_nothing_says_how(tiny_course: Path) -> None:
    """With nothing in submitted/, does `grade collect a2` say where it looked and how to collect?"""
    result = run(tiny_course, "collect", "a2")
    assert result.exit_code == 1 and "submitted" in result.output and "grade collect a2 FOLDER_OR_ZIP" in result.output


def test_autograde_without_submissions(tiny_course: Path) -> None:
    """Does autograde with no hand-ins name the folder it searched and the collect command?"""
    result = run(tiny_course, "autograde", "a2")
    assert result.exit_code == 1
    assert str(tiny_course / "submitted") in result.output and "grade collect a2" in result.output


def test_unknown_assignment_lists_known(tiny_course: Path) -> None:
    """Does an unknown assignment list the known ones?"""
    result = run(tiny_course, "autograde", "a9")
    assert result.exit_code == 2 and "a2" in result.output


def test_bad_database_url(tiny_course: Path, env_without_secret: None) -> None:
    """Does a database that cannot be opened give the URL and the reason?"""
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T10:00:00+00:00")
    result = run(tiny_course, "autograde", "a2", "--db", "sqlite:////no/such/folder/gb.db")
    assert result.exit_code == 1
    assert "sqlite:////no/such/folder/gb.db" in result.output and "unable to open" in result.output


def test_autograde_records_resumes_and_exports(tiny_course: Path, env_without_secret: None) -> None:
    """Are hand-ins graded for real, recorded with late penalties, skipped on a re-run, and exported?"""
    full = get_exercise("a2.sigmoid").points
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")   # on time
    hand_in(tiny_course, "alan02", CORRECT, "2026-03-07T23:30:00+00:00")  # 1 d 0 h 31 − 10 min grace → 2 days
    hand_in(tiny_course, "grace03", EMPTY, "2026-03-06T20:00:00+00:00")
    first = run(tiny_course, "autograde", "a2", "--jobs", "2", "--sandbox", "none")
    assert first.exit_code == 0, first.output
    assert "graded 3, unchanged 0, failed 0" in first.output
    assert "2 d, −40%" in first.output  # the tiny course: 20 % per day
    alan_row = next(line for line in first.output.splitlines() if "alan02" in line and "│" in line)
    cells = [cell.strip() for cell in alan_row.split("│")]
    assert f"{full:g}/{full:g}" in cells and f"{0.6 * full:g}" in cells  # raw, and after the penalty
    course = load_course(tiny_course)
    with open_gradebook(course) as gb:
        assert recorded_scores(gb, "a2", "ada01") == {"a2_sigmoid_check": full}
        assert recorded_scores(gb, "a2", "grace03") == {"a2_sigmoid_check": 0.0}
        alan = gb.find_submission("a2", "alan02")
        assert alan.score == full and alan.late_submission_penalty == pytest.approx(0.4 * full)
    results = tiny_course / "autograded" / "ada01" / "a2" / "results.json"
    before = results.stat().st_mtime_ns
    second = run(tiny_course, "autograde", "a2", "--sandbox", "none")
    assert second.exit_code == 0 and "graded 0, unchanged 3" in second.output
    assert results.stat().st_mtime_ns == before
    forced = run(tiny_course, "autograde", "a2", "--student", "ada01", "--force", "--sandbox", "none")
    assert forced.exit_code == 0 and "graded 1" in forced.output
    exported = run(tiny_course, "export", "--output", "-")
    assert exported.exit_code == 0
    lines = {line.split(",")[3]: line.split(",") for line in exported.output.splitlines()[1:]}
    assert lines["alan02"][7:11] == [f"{full:.1f}", f"{0.4 * full:.1f}", f"{0.6 * full:.1f}", f"{full:.1f}"]
    assert run(tiny_course, "export").exit_code == 0 and (tiny_course / "grades.csv").is_file()


def test_killed_batch_resumes(tiny_course: Path, env_without_secret: None) -> None:
    """When a batch is killed half-way, is every recorded submission whole and every finished one
    recorded after a re-run that grades only the rest?"""
    students = ["ada01", "alan02", "grace03", "kim04", "lee05", "max06"]
    for student in students:
        hand_in(tiny_course, student, CORRECT if len(student) % 2 else NAIVE, "2026-03-06T20:00:00+00:00")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-c", GROUP_SCRIPT, "--course", str(tiny_course),
                                "autograde", "a2", "--jobs", "1", "--sandbox", "none"],
                               env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    results = [tiny_course / "autograded" / s / "a2" / "results.json" for s in students]
    try:
        deadline = time.monotonic() + 300
        while sum(r.is_file() for r in results) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = {r.parent.parent.name: r.stat().st_mtime_ns for r in results if r.is_file()}
    assert 2 <= len(finished) < len(students), "the batch was not caught half-way"
    course = load_course(tiny_course)

    def expected(student: str) -> dict[str, float]:
        data = json.loads((tiny_course / "autograded" / student / "a2" / "results.json").read_text())
        return {"a2_sigmoid_check": data["exercises"][0]["points"]}
    with open_gradebook(course) as gb:
        for student in students:
            scores = recorded_scores(gb, "a2", student)
            if scores:  # recorded: whole, and equal to its results.json
                assert student in finished and scores == expected(student)
    rerun = run(tiny_course, "autograde", "a2", "--jobs", "2", "--sandbox", "none")
    assert rerun.exit_code == 0, rerun.output
    assert f"graded {len(students) - len(finished)}, unchanged {len(finished)}" in rerun.output
    for student, mtime in finished.items():
        assert (tiny_course / "autograded" / student / "a2" / "results.json").stat().st_mtime_ns == mtime
    with open_gradebook(course) as gb:
        for student in students:
            assert recorded_scores(gb, "a2", student) == expected(student)


def test_the_notebook_named_like_the_assignment_is_graded_and_named(tiny_course: Path,
                                                                     env_without_secret: None) -> None:
    """With a2.ipynb beside Untitled.ipynb, is a2.ipynb graded, and named in the table, results.json and the
    feedback page; with two notebooks of which none is a2.ipynb, is that hand-in an error naming both
    files (zero points) while the rest of the class is graded?"""
    from autograder.grading.results import read_result
    from autograder.reports.feedback import feedback_page
    full = get_exercise("a2.sigmoid").points
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")
    (tiny_course / "submitted" / "ada01" / "a2" / "Untitled.ipynb").write_text(notebook(EMPTY))
    hand_in(tiny_course, "alan02", CORRECT, "2026-03-06T20:00:00+00:00")
    alan = tiny_course / "submitted" / "alan02" / "a2"
    (alan / "a2.ipynb").rename(alan / "Untitled.ipynb")
    (alan / "notes.ipynb").write_text(notebook(EMPTY))
    result = run(tiny_course, "autograde", "a2", "--sandbox", "none")
    assert result.exit_code == 0, result.output
    assert "graded 2, unchanged 0, failed 0" in result.output
    ada_row = next(line for line in result.output.splitlines() if "ada01" in line and "│" in line)
    assert "a2.ipynb" in ada_row and f"{full:g}/{full:g}" in ada_row
    graded = read_result(tiny_course / "autograded" / "ada01" / "a2" / "results.json")
    assert (graded.notebook_file, graded.points) == ("a2.ipynb", full)
    assert "graded notebook: <code>a2.ipynb</code>" in feedback_page(graded, load_course(tiny_course))
    refused = read_result(tiny_course / "autograded" / "alan02" / "a2" / "results.json")
    assert refused.points == 0 and refused.notebook_file == ""
    assert "(Untitled.ipynb, notes.ipynb) and none is named a2.ipynb" in refused.error
    with open_gradebook(load_course(tiny_course)) as gb:
        assert recorded_scores(gb, "a2", "ada01") == {"a2_sigmoid_check": full}
        assert recorded_scores(gb, "a2", "alan02") == {"a2_sigmoid_check": 0.0}


HOSTILE_HAND_INS = {
    "deep01": lambda p: p.write_bytes(b'{"cells": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"),
    "garbage02": lambda p: p.write_bytes(bytes(range(256)) * 64),
    "surrogate03": lambda p: p.write_bytes(b'{"cells": [], "metadata": {"dlgrade": {"assignment": "\\ud800"}}}'),
    "link04": lambda p: p.symlink_to("/etc/passwd"),
    "fifo05": lambda p: os.mkfifo(p),
    "odd06": lambda p: p.write_text('{"cells": [{"cell_type": "code", "source": 7, "metadata": {"nbgrader": []}}],'
                                    ' "metadata": [], "nbformat": 4, "nbformat_minor": 5}'),
}


def test_a_class_of_hostile_hand_ins_exits_0_and_grades_everyone(tiny_course: Path, env_without_secret: None) -> None:
    """With hand-ins that are deep JSON, binary garbage, lone surrogates, a link, a FIFO and odd
    types beside an honest one, does `grade autograde` exit 0, give the honest student full marks and
    every hostile one a result with an error and zero points (trust invariant 3)?"""
    hand_in(tiny_course, "ada01", CORRECT, "2026-03-06T20:00:00+00:00")
    for student, make in HOSTILE_HAND_INS.items():
        folder = tiny_course / "submitted" / student / "a2"
        folder.mkdir(parents=True)
        make(folder / "a2.ipynb")
    graded = run(tiny_course, "autograde", "a2", "--jobs", "2", "--sandbox", "none")
    assert graded.exit_code == 0, graded.output
    results = {p.parent.parent.name: json.loads(p.read_text())
               for p in (tiny_course / "autograded").glob("*/a2/results.json")}
    assert sorted(results) == sorted(["ada01", *HOSTILE_HAND_INS])
    assert results["ada01"]["error"] == "" and \
        sum(c["points"] for e in results["ada01"]["exercises"] for c in e["checks"]) == 5
    for student in HOSTILE_HAND_INS:
        assert results[student]["error"], student
        assert sum(c["points"] for e in results[student]["exercises"] for c in e["checks"]) == 0, student


def test_a_notebook_released_for_another_student_is_flagged_end_to_end(tiny_course: Path,
                                                                        env_without_secret: None) -> None:
    """When alan02 hands in a notebook released for ada01, do the autograde table, results.json and the
    export say so, and ada01's own hand-in not?"""
    for student in ("ada01", "alan02"):
        hand_in(tiny_course, student, CORRECT, "2026-03-06T20:00:00+00:00")
        path = tiny_course / "submitted" / student / "a2" / "a2.ipynb"
        nb = nbformat.reads(path.read_text(), as_version=4)
        nb.metadata["dlgrade"] = {"assignment": "a2", "student": "ada01"}
        path.write_text(nbformat.writes(nb))
    graded = CliRunner(env={"COLUMNS": "300"}).invoke(
        build_group(), ["--course", str(tiny_course), "autograde", "a2", "--sandbox", "none"],
        catch_exceptions=False)
    assert graded.exit_code == 0, graded.output
    flagged = [line for line in graded.output.splitlines() if "RELEASED FOR" in line]
    assert len(flagged) == 1 and "alan02" in flagged[0] and "RELEASED FOR ada01" in flagged[0]
    result = json.loads((tiny_course / "autograded" / "alan02" / "a2" / "results.json").read_text())
    assert result["released_for"] == "ada01"
    exported = run(tiny_course, "export", "--output", "-")
    rows = {row["student_id"]: row for row in csv.DictReader(io.StringIO(exported.output))}
    assert (rows["alan02"]["released_for"], rows["ada01"]["released_for"]) == ("ada01", "")
