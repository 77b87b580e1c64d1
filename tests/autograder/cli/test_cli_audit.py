"""`grade audit` through click's CliRunner: real mutants graded by the real engine."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from autograder.cli.main import SAMPLE_COURSE, main
from autograder.course.config import assignment_exercises, load_course
from tests.autograder.course import zz_weak

COURSE_TOML = """\
[course]
name = "Audit test course"
id = "audit-test"
demo_secret = "audit-test-secret"

[[assignments]]
id = "zz"
title = "Weak checks"
due = "2026-03-06T23:59:00+01:00"
exercises = ["affine"]
"""


def run(course: Path, *args: str):
    return CliRunner().invoke(main, ["--course", str(course), "audit", *args], catch_exceptions=False)


def weak_course(tmp_path: Path) -> Path:
    """A course folder whose one exercise is tests/autograder/course/zz_weak.py (checks that only look at x = 0)."""
    (tmp_path / "exercises").mkdir(parents=True)
    (tmp_path / "exercises" / "affine.py").write_text(Path(zz_weak.__file__).read_text(), encoding="utf-8")
    (tmp_path / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    return tmp_path


def test_weak_checks_fail_the_audit(tmp_path: Path) -> None:
    """Does an assignment whose checks let mutants through exit with status 1 and show the survivors?"""
    course = weak_course(tmp_path / "course")
    result = run(course, "zz", "--variants", "2", "--jobs", "1", "--html", str(tmp_path / "audit.html"),
                 "--json", str(tmp_path / "audit.json"))
    assert result.exit_code == 1, result.output
    assert "survivor zz.affine affine:double_constant:0" in result.output
    assert "below --min-kill 80%" in result.output
    report = json.loads((tmp_path / "audit.json").read_text())
    assert report["kill_rate"] < 0.8 and report["exercises"][0]["survived"] >= 2
    page = (tmp_path / "audit.html").read_text()
    assert "affine:double_constant:0" in page and "-    return np.maximum(2.0 * x + 1.0, -np.inf)" in page


def test_a_lower_threshold_passes(tmp_path: Path) -> None:
    """Does the same audit exit with status 0 when --min-kill is below its kill rate?"""
    result = run(weak_course(tmp_path / "course"), "zz", "--variants", "1", "--jobs", "1", "--min-kill", "0")
    assert result.exit_code == 0, result.output
    assert "kill rate" in result.output


def test_sample_course_a2_end_to_end(tmp_path: Path) -> None:
    """Does `grade audit a2 --variants 3` on the sample course run (in a pool) and list every a2 exercise in its JSON?"""
    result = run(SAMPLE_COURSE, "a2", "--variants", "3", "--jobs", "2", "--min-kill", "0",
                 "--json", str(tmp_path / "a2.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "a2.json").read_text())
    expected = [e.key for e in assignment_exercises(load_course(SAMPLE_COURSE).assignment("a2"))]
    assert [e["key"] for e in report["exercises"]] == expected
    assert report["students"] == ["audit-000", "audit-001", "audit-002"]
    audited = [e for e in report["exercises"] if e["mutants"]]
    assert len(audited) >= len(expected) - 1  # a2.loss_table holds numbers, not functions
    assert all(len(m["points_lost"]) == 3 for e in audited for m in e["mutants"] if m["status"] != "equivalent")


def test_unknown_assignment_lists_the_known_ones() -> None:
    """Does an unknown assignment give a usage error naming the known ones?"""
    result = run(SAMPLE_COURSE, "a9")
    assert result.exit_code == 2 and "a2" in result.output
