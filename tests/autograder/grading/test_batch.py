"""Which notebook of a hand-in folder is graded (autograder.grading.batch), and the result saying so."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from autograder.grading.batch import find_submissions
from autograder.grading.results import SubmissionResult, read_result, write_result


def hand_in_folder(root: Path, student: str, *names: str) -> Path:
    folder = root / student / "a2"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("{}", encoding="utf-8")
    return folder


def test_the_only_notebook_is_graded_whatever_its_name(tmp_path):
    """Is a folder's single notebook graded even when it is not named like the assignment?"""
    folder = hand_in_folder(tmp_path, "ada01", "Untitled.ipynb")
    (submission,) = find_submissions(tmp_path, "a2")
    assert (submission.notebook, submission.problem) == (folder / "Untitled.ipynb", "")


def test_of_several_notebooks_the_one_named_like_the_assignment_is_graded(tmp_path):
    """With a2.ipynb (any case) beside Untitled.ipynb, is a2's notebook graded and not the first by name?"""
    ada = hand_in_folder(tmp_path, "ada01", "a2.ipynb", "Untitled.ipynb")
    alan = hand_in_folder(tmp_path, "alan02", "A2.IPYNB", "0-notes.ipynb")
    graded = {s.student: (s.notebook, s.problem) for s in find_submissions(tmp_path, "a2")}
    assert graded == {"ada01": (ada / "a2.ipynb", ""), "alan02": (alan / "A2.IPYNB", "")}


def test_no_notebook_named_like_the_assignment_is_a_problem_naming_the_files(tmp_path):
    """With several notebooks and none named a2.ipynb (or two that differ only in case), is the
    submission kept with a problem that names every file, instead of a guess?"""
    hand_in_folder(tmp_path, "ada01", "Untitled.ipynb", "notes.ipynb")
    hand_in_folder(tmp_path, "alan02", "a2.ipynb", "A2.ipynb", "x.ipynb")
    hand_in_folder(tmp_path, "grace03", "a2.ipynb")
    found = {s.student: s for s in find_submissions(tmp_path, "a2")}
    assert found["ada01"].notebook == tmp_path / "ada01" / "a2"
    assert "2 notebooks (Untitled.ipynb, notes.ipynb) and none is named a2.ipynb" in found["ada01"].problem
    assert "3 notebooks (A2.ipynb, a2.ipynb, x.ipynb) and 2 are named a2.ipynb" in found["alan02"].problem
    assert found["grace03"].problem == ""


def test_the_graded_notebook_file_round_trips_and_old_results_still_read(tmp_path):
    """Does results.json record which file was graded, and does a results.json without it still read?"""
    result = SubmissionResult(student="ada01", assignment="a2", exercises=(), notebook_sha256="ab",
                              notebook_file="a2.ipynb")
    path = tmp_path / "results.json"
    write_result(result, path)
    assert json.loads(path.read_text())["notebook_file"] == "a2.ipynb"
    assert read_result(path) == result
    old = json.loads(path.read_text())
    del old["notebook_file"]
    path.write_text(json.dumps(old))
    assert read_result(path) == replace(result, notebook_file="")


def test_one_job_writes_each_result_before_grading_the_next(tmp_path, monkeypatch) -> None:
    """With jobs=1, is each submission's result written (and reported) before the next one is graded,
    so that a run killed half-way keeps what it finished?"""
    import autograder.grading.batch as batch
    from autograder.grading.job import JobReply

    events: list[str] = []

    def fake_grade(job):
        events.append(f"grade {job.student}")
        return JobReply(job.student, "failed", error="fake")
    monkeypatch.setattr(batch, "grade_job", fake_grade)
    submissions = []
    for student in ("a", "b", "c"):
        path = tmp_path / student / "x.ipynb"
        path.parent.mkdir()
        path.write_text("{}")
        submissions.append(batch.Submission(student, path))
    batch.grade_class(submissions, assignment="x", exercise_keys=[], secret=b"s", out_root=tmp_path / "out",
                      jobs=1, on_outcome=lambda outcome: events.append(f"done {outcome.student}"))
    assert events == ["grade a", "done a", "grade b", "done b", "grade c", "done c"]
