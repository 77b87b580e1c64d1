"""``grade ci``: simulated GitHub Actions and Gradescope runs, exit codes, and the shipped CI files.

The engine is replaced by a fake that records what it was asked and returns a
hand-built result (2 of 3 points), except in the end-to-end tests marked slow.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.grading import engine
from autograder.cli.ci import ci_command
from autograder.reports.ci import EXIT_GRADED, EXIT_NOT_GRADED, run_ci
from autograder.grading.results import CheckResult, ExerciseResult, SubmissionResult

REPO = Path(__file__).resolve().parents[3]
CI_FILES = REPO / "course" / "ci"
COURSE_TOML = """\
[course]
name = "CI test course"
id = "ci101"
demo_secret = "ci101-demo"

[[assignments]]
id = "a2"
title = "The sigmoid neuron"
due = "2026-03-06T23:59:00+01:00"
exercises = ["sigmoid"]
"""
ROSTER = "id,first_name,last_name,email,lms_id\nada01,Ada,Lovelace,Ada.Lovelace@example.edu,lms-1001\n"


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "instructor-course"
    folder.mkdir()
    (folder / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return folder


def notebook_file(path: Path, released_for: str | None = None) -> Path:
    metadata = {"dlgrade": {"assignment": "a2", "student": released_for}} if released_for else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}))
    return path


class FakeEngine:
    """Stands in for ``autograder.grading.engine.grade_notebook``: records calls, returns 2 of 3 points."""

    def __init__(self, points: float = 2.0, raises: Exception | None = None) -> None:
        self.calls: list[dict] = []
        self.points, self.raises = points, raises

    def __call__(self, notebook: Path, **kwargs) -> SubmissionResult:
        self.calls.append({"notebook": Path(notebook), **kwargs})
        if self.raises:
            raise self.raises
        checks = (CheckResult("test_values", "passed" if self.points else "failed", min(self.points, 2.0), 2.0,
                              True, message="" if self.points else "returned 0.1, expected 0.62"),
                  CheckResult("test_batch", "failed", 0.0, 1.0, False, message="EXPECTED-SECRET",
                              hint="Does it work on arrays?"))
        return SubmissionResult(kwargs["student"], kwargs["assignment"],
                                (ExerciseResult("a2.sigmoid", "The sigmoid neuron", checks),), duration=0.5)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(engine, "grade_notebook", fake)
    return fake


def actions_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    output, summary = tmp_path / "gh" / "output", tmp_path / "gh" / "summary.md"
    output.parent.mkdir(exist_ok=True)
    output.write_text("earlier=1\n")
    summary.write_text("")
    return {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), **extra}


def classroom_from_output(path: Path) -> dict:
    lines = Path(path).read_text().splitlines()
    results = [line.split("=", 1)[1] for line in lines if line.startswith("result=")]
    assert len(results) == 1, lines
    return json.loads(base64.b64decode(results[0], validate=True))


def gradescope_layout(root: Path, *notebooks: str, email: str | None = None) -> Path:
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "submission").mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        notebook_file(root / "submission" / name)
    if email is not None:
        metadata = {"id": 9, "users": [{"email": email, "id": 1001, "name": "Ada Lovelace"}]}
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def gradescope_json(root: Path) -> dict:
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- GitHub Actions

def test_github_actions_run_writes_the_result_output_and_summary(tmp_path, course_dir, fake_engine):
    """In a simulated Actions job, is `result=<base64>` appended to $GITHUB_OUTPUT and a summary written?"""
    env = actions_env(tmp_path, DLGRADE_SECRET="the-ci-secret")
    notebook = notebook_file(tmp_path / "repo" / "a2.ipynb")
    lines: list[str] = []
    code = run_ci(notebook, course=course_dir, assignment="a2", student="ada01", formats=["github"],
                  out_dir=tmp_path / "out", env=env, echo=lines.append)
    assert code == EXIT_GRADED
    assert Path(env["GITHUB_OUTPUT"]).read_text().startswith("earlier=1\nresult=")
    data = classroom_from_output(Path(env["GITHUB_OUTPUT"]))
    assert (sum(t["score"] for t in data["tests"]), data["max_score"]) == (2, 3)
    assert "### dlgrade a2: 2 / 3 points" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "dlgrade a2, student ada01: 2/3 points" in "\n".join(lines)


def test_github_run_grades_with_the_ci_secret_and_the_course_exercises(tmp_path, course_dir, fake_engine):
    """Does the engine get the course's exercises for a2 and the secret from $DLGRADE_SECRET, not the demo one?"""
    run_ci(notebook_file(tmp_path / "a2.ipynb"), course=course_dir, assignment="a2", student="ada01",
           formats=["github"], out_dir=tmp_path, env=actions_env(tmp_path, DLGRADE_SECRET="the-ci-secret"),
           echo=lambda line: None)
    (call,) = fake_engine.calls
    assert [e.key for e in call["exercises"]] == ["a2.sigmoid"]
    assert call["secret"] == b"the-ci-secret"
    assert (call["student"], call["assignment"]) == ("ada01", "a2")


def test_demo_secret_is_announced(tmp_path, course_dir, fake_engine):
    """Without $DLGRADE_SECRET, is the demo secret used and a warning printed?"""
    lines: list[str] = []
    run_ci(notebook_file(tmp_path / "a2.ipynb"), course=course_dir, assignment="a2", student="ada01",
           formats=[], env={}, echo=lines.append)
    assert fake_engine.calls[0]["secret"] == b"ci101-demo"
    assert any("DEMO secret" in line for line in lines)


def test_zero_points_still_exit_zero(tmp_path, course_dir, monkeypatch):
    """Is a graded notebook with no points a success for CI (exit 0), with status "fail" for the reporter?"""
    monkeypatch.setattr(engine, "grade_notebook", FakeEngine(points=0.0))
    env = actions_env(tmp_path)
    code = run_ci(notebook_file(tmp_path / "a2.ipynb"), course=course_dir, assignment="a2", student="ada01",
                  formats=["github"], env=env, echo=lambda line: None)
    assert code == EXIT_GRADED
    data = classroom_from_output(Path(env["GITHUB_OUTPUT"]))
    assert data["status"] == "fail" and sum(t["score"] for t in data["tests"]) == 0


def test_missing_notebook_exits_non_zero_and_still_reports(tmp_path, course_dir, fake_engine):
    """Does a missing notebook exit 1 with a message that says what to do, and still write the result output?"""
    env = actions_env(tmp_path)
    lines: list[str] = []
    code = run_ci(tmp_path / "repo" / "a2.ipynb", course=course_dir, assignment="a2", student="ada01",
                  formats=["github", "junit"], out_dir=tmp_path / "out", env=env, echo=lines.append)
    assert code == EXIT_NOT_GRADED
    assert fake_engine.calls == []
    assert "no notebook at" in "\n".join(lines) and "commit your a2 notebook" in "\n".join(lines)
    assert classroom_from_output(Path(env["GITHUB_OUTPUT"]))["status"] == "error"
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("errors")) == ("1", "1")


def test_outside_actions_the_github_result_goes_to_the_out_folder(tmp_path, course_dir, fake_engine):
    """Without $GITHUB_OUTPUT, is the result line written to <out>/github-output.txt and the reason said?"""
    lines: list[str] = []
    run_ci(notebook_file(tmp_path / "a2.ipynb"), course=course_dir, assignment="a2", student="ada01",
           formats=["github"], out_dir=tmp_path / "out", env={}, echo=lines.append)
    assert classroom_from_output(tmp_path / "out" / "github-output.txt")["max_score"] == 3
    assert any("$GITHUB_OUTPUT is not set" in line for line in lines)


def test_junit_file_counts_match_the_result(tmp_path, course_dir, fake_engine):
    """Is <out>/junit.xml written with 2 test cases, 1 failure (the hidden check) and 0 errors?"""
    run_ci(notebook_file(tmp_path / "a2.ipynb"), course=course_dir, assignment="a2", student="ada01",
           formats=["junit"], out_dir=tmp_path / "reports", env={}, echo=lambda line: None)
    suite = ET.parse(tmp_path / "reports" / "junit.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    assert "EXPECTED-SECRET" not in (tmp_path / "reports" / "junit.xml").read_text()


def test_a_notebook_released_for_someone_else_is_flagged(tmp_path, course_dir, fake_engine):
    """When the notebook records another student than --student, is a warning printed?"""
    lines: list[str] = []
    run_ci(notebook_file(tmp_path / "a2.ipynb", released_for="alan02"), course=course_dir, assignment="a2",
           student="ada01", formats=[], env={}, echo=lines.append)
    assert any("released for 'alan02'" in line for line in lines)


# --------------------------------------------------------------------------- Gradescope

def test_gradescope_run_reads_the_submission_and_writes_results(tmp_path, course_dir, fake_engine):
    """In a simulated /autograder, is the one notebook graded as the roster id of the submitter's email?"""
    root = gradescope_layout(tmp_path / "autograder", "my work.ipynb", email="ada.lovelace@EXAMPLE.edu")
    code = run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
                  gradescope_root=root, env={}, echo=lambda line: None)
    assert code == EXIT_GRADED
    (call,) = fake_engine.calls
    assert call["notebook"] == root / "submission" / "my work.ipynb"
    assert call["student"] == "ada01"
    data = gradescope_json(root)
    assert data["score"] == 2 and [t["max_score"] for t in data["tests"]] == [2.0, 1.0]
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_due_date"]


def test_gradescope_without_roster_match_uses_the_email(tmp_path, course_dir, fake_engine):
    """When no roster row has the submitter's email, is the email itself the student id?"""
    root = gradescope_layout(tmp_path / "autograder", "a2.ipynb", email="someone@else.org")
    run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
           gradescope_root=root, env={}, echo=lambda line: None)
    assert fake_engine.calls[0]["student"] == "someone@else.org"


def test_gradescope_hidden_visibility_is_passed_through(tmp_path, course_dir, fake_engine):
    """Does hidden_visibility="after_published" reach the hidden check in results.json?"""
    root = gradescope_layout(tmp_path / "autograder", "a2.ipynb", email="ada.lovelace@example.edu")
    run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
           gradescope_root=root, env={}, hidden_visibility="after_published", echo=lambda line: None)
    assert gradescope_json(root)["tests"][1]["visibility"] == "after_published"


@pytest.mark.parametrize("notebooks, expected", [
    ((), "no .ipynb notebook in the submission"),
    (("one.ipynb", "two.ipynb"), "2 notebooks in the submission (one.ipynb, two.ipynb)"),
])
def test_gradescope_needs_exactly_one_notebook(tmp_path, course_dir, fake_engine, notebooks, expected):
    """With no notebook or two unrelated ones, is the exit 1 and results.json a score of 0 saying why?"""
    root = gradescope_layout(tmp_path / "autograder", *notebooks, email="ada.lovelace@example.edu")
    code = run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
                  gradescope_root=root, env={}, echo=lambda line: None)
    assert code == EXIT_NOT_GRADED and fake_engine.calls == []
    data = gradescope_json(root)
    assert data["score"] == 0 and expected in data["output"]


def test_gradescope_picks_the_notebook_named_for_the_assignment(tmp_path, course_dir, fake_engine):
    """With several notebooks of which one names the assignment, is that one graded (checkpoints ignored)?"""
    root = gradescope_layout(tmp_path / "autograder", "scratch.ipynb", "A2-final.ipynb",
                             ".ipynb_checkpoints/a2-checkpoint.ipynb", email="ada.lovelace@example.edu")
    assert run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
                  gradescope_root=root, env={}, echo=lambda line: None) == EXIT_GRADED
    assert fake_engine.calls[0]["notebook"].name == "A2-final.ipynb"


@pytest.mark.parametrize("breakage, expected", [
    ("no course.toml", "cannot load the course"),
    ("unknown assignment", "no assignment 'a9'"),
])
def test_a_bad_course_exits_non_zero_with_score_zero(tmp_path, course_dir, fake_engine, breakage, expected):
    """Does a course that does not load, or lacks the assignment, exit 1 and still give Gradescope a 0?"""
    root = gradescope_layout(tmp_path / "autograder", "a2.ipynb", email="ada.lovelace@example.edu")
    course = tmp_path / "empty" if breakage == "no course.toml" else course_dir
    course.mkdir(exist_ok=True)
    code = run_ci(None, course=course, assignment="a9" if breakage == "unknown assignment" else "a2",
                  student=None, formats=["gradescope"], gradescope_root=root, env={}, echo=lambda line: None)
    assert code == EXIT_NOT_GRADED
    data = gradescope_json(root)
    assert data["score"] == 0 and expected in data["output"]


def test_a_crashing_grader_still_writes_results(tmp_path, course_dir, monkeypatch):
    """When the engine itself raises, is the exit 1 and results.json a 0 that tells the student it is not their fault?"""
    monkeypatch.setattr(engine, "grade_notebook", FakeEngine(raises=RuntimeError("pool died")))
    root = gradescope_layout(tmp_path / "autograder", "a2.ipynb", email="ada.lovelace@example.edu")
    code = run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
                  gradescope_root=root, env={}, echo=lambda line: None)
    assert code == EXIT_NOT_GRADED
    output = gradescope_json(root)["output"]
    assert "RuntimeError: pool died" in output and "not your fault" in output


def test_no_student_anywhere_is_not_gradable(tmp_path, course_dir, fake_engine):
    """Without --student and without submission metadata, is the exit 1 with a request for --student?"""
    root = gradescope_layout(tmp_path / "autograder", "a2.ipynb")
    lines: list[str] = []
    assert run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
                  gradescope_root=root, env={}, echo=lines.append) == EXIT_NOT_GRADED
    assert "pass --student" in gradescope_json(root)["output"]


def test_unknown_format_is_refused(tmp_path, course_dir):
    """Is an unknown format refused with the known ones named?"""
    with pytest.raises(ValueError, match="github, gradescope, junit"):
        run_ci(tmp_path / "a2.ipynb", course=course_dir, assignment="a2", student="s", formats=["tap"])


# --------------------------------------------------------------------------- the command

def test_help_names_the_options_and_an_example():
    """Does `grade ci --help` list its options and show an example command?"""
    result = CliRunner().invoke(ci_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--assignment", "--student", "--course", "--format", "--out", "--gradescope-root",
                   "--hidden-visibility"):
        assert option in result.output
    assert "grade ci a2.ipynb --assignment a2" in result.output


def test_command_exit_code_follows_grading(tmp_path, course_dir, fake_engine):
    """Does the command exit 0 for a graded notebook and 1 for a missing one, writing junit.xml both times?"""
    runner = CliRunner()
    notebook = notebook_file(tmp_path / "a2.ipynb")
    base = ["--assignment", "a2", "--student", "ada01", "--course", str(course_dir), "--format", "junit"]
    graded = runner.invoke(ci_command, [str(notebook), *base, "--out", str(tmp_path / "ok")], env={})
    missing = runner.invoke(ci_command, [str(tmp_path / "nope.ipynb"), *base, "--out", str(tmp_path / "ko")])
    assert (graded.exit_code, missing.exit_code) == (0, 1), graded.output + missing.output
    assert (tmp_path / "ok" / "junit.xml").is_file() and (tmp_path / "ko" / "junit.xml").is_file()
    assert "no notebook at" in missing.output


def test_command_takes_the_course_from_the_environment(tmp_path, course_dir, fake_engine):
    """Is $DLGRADE_COURSE accepted in place of --course?"""
    result = CliRunner().invoke(ci_command, [str(notebook_file(tmp_path / "a2.ipynb")), "-a", "a2", "-s", "ada01"],
                                env={"DLGRADE_COURSE": str(course_dir)})
    assert result.exit_code == 0, result.output
    assert "2/3 points" in result.output


def test_command_needs_a_notebook_outside_gradescope(course_dir):
    """Without NOTEBOOK and without --format gradescope, is it a usage error (exit 2) that says so?"""
    result = CliRunner().invoke(ci_command, ["--assignment", "a2", "--student", "s", "--course", str(course_dir)])
    assert result.exit_code == 2 and "give the NOTEBOOK" in result.output


# --------------------------------------------------------------------------- the shipped CI files

def grade_ci_invocations(text: str) -> list[list[str]]:
    """Every `grade ci ...` command in a shell text, as tokens (line continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("#"):
            continue
        match = re.search(r"(?:^|[\s;&|/])grade ci\b(.*)", line)
        if match:
            commands.append(shlex.split(match.group(1), comments=True))
    return commands


def accepted_options() -> set[str]:
    return {opt for param in ci_command.params for opt in getattr(param, "opts", [])} | {"--help"}


def workflow() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML parses the workflow file")
    return yaml.safe_load((CI_FILES / "github-classroom.yml").read_text(encoding="utf-8"))


def test_workflow_is_yaml_with_the_classroom_shape():
    """Does the workflow parse and keep the name and single job the classroom reporter requires?"""
    data = workflow()
    assert data["name"] == "Autograding Tests"
    assert list(data["jobs"]) == ["run-autograding-tests"]
    assert data[True if True in data else "on"]  # YAML 1.1 reads the key `on` as True


def test_workflow_feeds_the_grade_step_result_to_the_reporter():
    """Does the reporter step read `steps.<grade step id>.outputs.result` as <ID>_RESULTS, with runners: <id>?"""
    steps = workflow()["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if "grade ci" in s.get("run", ""))
    reporter = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    step_id = grade["id"]
    assert reporter["with"]["runners"] == step_id
    assert reporter["env"][f"{step_id.upper()}_RESULTS"] == f"${{{{ steps.{step_id}.outputs.result }}}}"
    assert "secrets.DLGRADE_SECRET" in grade["env"]["DLGRADE_SECRET"]
    assert "always()" in reporter.get("if", "")


def test_workflow_never_installs_or_reads_the_grader_from_the_student_repository():
    """Does no step install from the checked-out repository (`pip install .`, `-e`, `-r`, a local wheel)?"""
    steps = workflow()["jobs"]["run-autograding-tests"]["steps"]
    installs = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    assert installs
    for command in installs:
        assert not re.search(r"pip install[^\n]*(\s\.(\s|$)|\s-e\s|\s-r\s|\s\./|\.whl)", command), command
        assert "DLGRADE_PACKAGE_URL" in command


@pytest.mark.parametrize("path", ["github-classroom.yml", "gradescope/run_autograder", "gradescope/setup.sh"])
def test_grade_ci_commands_in_the_ci_files_use_real_options(path):
    """Is every option that a shipped file passes to `grade ci` one the command accepts?"""
    if path.endswith(".yml"):  # the run scripts as the runner sees them (folded lines joined)
        text = "\n".join(s.get("run", "") for s in workflow()["jobs"]["run-autograding-tests"]["steps"])
    else:
        text = (CI_FILES / path).read_text(encoding="utf-8")
    invocations = grade_ci_invocations(text)
    if path.endswith("setup.sh"):
        assert invocations == []
        return
    assert invocations, f"no `grade ci` command in {path}"
    known = accepted_options()
    for tokens in invocations:
        options = {t.split("=", 1)[0] for t in tokens if t.startswith("-")}
        assert options <= known, f"{path}: {sorted(options - known)} are not options of grade ci"
        assert {"--assignment", "--format", "--course"} <= options or {"-a", "--format", "--course"} <= options


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_gradescope_scripts_pass_bash_syntax_check(script):
    """Do setup.sh and run_autograder parse with `bash -n`, and is run_autograder executable?"""
    path = CI_FILES / "gradescope" / script
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert path.read_text().startswith("#!/usr/bin/env bash")
    if script == "run_autograder":
        assert os.access(path, os.X_OK)


# --------------------------------------------------------------------------- end to end, real engine

def released_and_solved(tmp_path: Path, student: str, split_lines: bool = False) -> tuple[Path, Path]:
    """The student's released a2 notebook (stubs) and the same with the model answers in.

    ``split_lines=True`` stores each cell's source as a list of lines, as Jupyter saves it.
    """
    import nbformat

    from autograder.course.config import assignment_exercises, load_course, resolve_secret
    from autograder.course.notebooks import build_notebook, student_version
    from exercises.model import variant_params

    course = load_course(REPO / "course")
    assignment = course.assignment("a2")
    exercises = assignment_exercises(assignment)
    secret = resolve_secret(course, {}).value
    params = {e.key: variant_params(e, secret, student) for e in exercises}
    source = build_notebook(course.name, assignment, exercises, params)
    stubs = tmp_path / "stubs" / "a2.ipynb"
    solved = tmp_path / "solved" / "a2.ipynb"
    for path, notebook in ((stubs, student_version(source, student, params)), (solved, source)):
        path.parent.mkdir(parents=True)
        notebook.metadata.setdefault("dlgrade", {})["student"] = student
        path.write_text(nbformat.writes(notebook, split_lines=split_lines), encoding="utf-8")
    return stubs, solved


@pytest.mark.slow
def test_end_to_end_full_marks_and_zero_both_exit_zero(tmp_path):
    """With the real engine and the sample course, does the model answer score Y/Y, stubs 0/Y, both exit 0?"""
    stubs, solved = released_and_solved(tmp_path, "ada01")
    scores = {}
    for name, notebook in (("stubs", stubs), ("solved", solved)):
        env = actions_env(tmp_path / name)
        code = run_ci(notebook, course=REPO / "course", assignment="a2", student="ada01",
                      formats=["github", "junit"], out_dir=tmp_path / name, env=env, echo=lambda line: None)
        assert code == EXIT_GRADED
        data = classroom_from_output(Path(env["GITHUB_OUTPUT"]))
        scores[name] = (sum(t["score"] for t in data["tests"]), data["max_score"])
    max_score = scores["solved"][1]
    assert max_score > 0
    assert scores == {"solved": (max_score, max_score), "stubs": (0, max_score)}


@pytest.mark.slow
@pytest.mark.slow
def test_end_to_end_notebook_saved_by_jupyter(tmp_path):
    """Is a notebook whose cell sources are lists of lines, as Jupyter saves them, graded?"""
    _, solved = released_and_solved(tmp_path, "ada01", split_lines=True)
    code = run_ci(solved, course=REPO / "course", assignment="a2", student="ada01", formats=[],
                  env={}, echo=lambda line: None)
    assert code == EXIT_GRADED


def test_the_group_course_option_is_accepted(tmp_path, monkeypatch):
    """Does `grade --course PATH ci ...` grade with that course, and is a missing course a usage error?"""
    from click.testing import CliRunner

    import autograder.cli.ci as ci_module
    from autograder.cli.main import main

    seen = {}
    monkeypatch.setattr(ci_module, "run_ci", lambda notebook, *, course, **kwargs: seen.setdefault("course", course) and 0)
    monkeypatch.delenv("DLGRADE_COURSE", raising=False)
    notebook = tmp_path / "a2.ipynb"
    notebook.write_text("{}")
    result = CliRunner().invoke(main, ["--course", str(tmp_path), "ci", str(notebook), "--assignment", "a2",
                                       "--student", "ada01"])
    assert result.exit_code == 0, result.output
    assert seen["course"] == tmp_path
    missing = CliRunner().invoke(main, ["ci", str(notebook), "--assignment", "a2", "--student", "ada01"])
    assert missing.exit_code == 2 and "give the course folder" in missing.output


@pytest.mark.parametrize("kind", ["symlink to a file outside", "hard link"])
def test_gradescope_notebook_that_is_a_link_is_refused(tmp_path, course_dir, fake_engine, kind):
    """Is a submitted notebook that links to another file (e.g. the autograder's own) refused by name,
    with a score of 0, and never graded?"""
    from tests.autograder.grading.test_handin import make_hostile

    root = gradescope_layout(tmp_path / "autograder", email="ada.lovelace@example.edu")
    outside = notebook_file(tmp_path / "autograder" / "source" / "reference.ipynb")
    make_hostile(kind, root / "submission" / "a2.ipynb", outside, cap=0)
    code = run_ci(None, course=course_dir, assignment="a2", student=None, formats=["gradescope"],
                  gradescope_root=root, env={}, echo=lambda line: None)
    assert code == EXIT_NOT_GRADED and fake_engine.calls == []
    data = gradescope_json(root)
    assert data["score"] == 0 and "a2.ipynb" in data["output"] and "refusing" in data["output"]
