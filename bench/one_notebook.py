"""Benchmark: what one person waits for, this tree against an older one, as ratios.

    git worktree add /tmp/base 4c6ec1e        # the tree to compare with (any commit)
    .venv/bin/python bench/one_notebook.py --base /tmp/base [--runs 10]

Whole commands, each a fresh process (start-up and imports included, as a
user meets them): ``grade ci`` on one model-answer notebook of the sample
course's a2 (every exercise, full marks), ``grade autograde a2 --student`` on
the same notebook handed in to a copy of the sample course (``--force``: graded
and recorded; then unchanged: nothing to grade) and ``grade --help``. Each command is
run in this tree and in the base tree in turn (A B A B ...), both with this
tree's virtual environment and each with its own code first on the path (the
tree actually imported is checked; bytecode is cached, as it is once any
installation has run); the ratio is taken pair by pair, so a
change in machine load during the run hits both sides alike. Prints the
median wall and CPU (user + system) seconds of each side and the median of
the per-pair ratios. Timings are noisy on a shared machine: read the ratios.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.course.config import assignment_exercises, load_course, resolve_secret  # noqa: E402
from autograder.course.notebooks import build_notebook  # noqa: E402
from exercises.model import variant_params  # noqa: E402

ASSIGNMENT, STUDENT = "a2", "ada01"
GRADE = "import sys; from autograder.cli.main import main; main(sys.argv[1:], prog_name='grade')"


def model_answer(folder: Path) -> Path:
    """The sample course's a2 notebook of STUDENT with the model answers in (the source notebook)."""
    course = load_course(REPO / "course")
    assignment = course.assignment(ASSIGNMENT)
    exercises = assignment_exercises(assignment)
    secret = resolve_secret(course, {}).value
    notebook = build_notebook(course.name, assignment, exercises,
                              {e.key: variant_params(e, secret, STUDENT) for e in exercises})
    notebook.metadata.setdefault("dlgrade", {})["student"] = STUDENT
    path = folder / f"{ASSIGNMENT}.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return path


def environment(tree: Path) -> dict[str, str]:
    """The environment of a run in ``tree``: its code first on the path, the demo secret, bytecode
    cached as in an ordinary installation (the warm-up run writes it)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DLGRADE_SECRET", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = str(tree)
    return env


def check_tree(tree: Path) -> None:
    """Raise unless a run set up for ``tree`` imports ``autograder`` from ``tree``."""
    done = subprocess.run([sys.executable, "-c", "import autograder; print(autograder.__file__)"],
                          env=environment(tree), cwd=tree, capture_output=True, text=True, check=True)
    if Path(done.stdout.strip()).resolve().parents[1] != tree.resolve():
        raise SystemExit(f"a run meant for {tree} imported autograder from {done.stdout.strip()}")


def run_once(tree: Path, args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system, the child's own accounting) seconds of one ``grade ARGS`` in ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", GRADE, *args], env=environment(tree), cwd=cwd,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"grade {' '.join(args)} failed in {tree} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def handed_in_course(folder: Path, notebook: Path) -> Path:
    """A copy of the sample course, built (``grade build a2``), with ``notebook`` handed in by STUDENT."""
    course = folder / "course"
    shutil.copytree(REPO / "course", course, ignore=shutil.ignore_patterns(
        "source", "release", "submitted", "autograded", "feedback", "reports", "gradebook.db*", "exports"))
    subprocess.run([sys.executable, "-c", GRADE, "--course", str(course), "build", ASSIGNMENT],
                   env=environment(REPO), capture_output=True, check=True)
    target = course / "submitted" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    target.parent.mkdir(parents=True)
    shutil.copyfile(notebook, target)
    return course


def compare(label: str, args_of: dict[str, list[str]], trees: dict[str, Path], runs: int, cwd: Path) -> None:
    """Run ``this`` and ``base`` in turn ``runs`` times (after one warm-up each) and print the figures."""
    for side in trees:
        run_once(trees[side], args_of[side], cwd)
    times: dict[str, list[tuple[float, float]]] = {side: [] for side in trees}
    for _ in range(runs):
        for side in trees:
            times[side].append(run_once(trees[side], args_of[side], cwd))
    print(f"\n{label}  ({runs} pairs)")
    for side in trees:
        walls, cpus = zip(*times[side])
        print(f"  {side:<5} wall median {statistics.median(walls):6.3f} s  "
              f"(min {min(walls):.3f}, max {max(walls):.3f})   cpu median {statistics.median(cpus):6.3f} s")
    for index, what in ((0, "wall"), (1, "cpu")):
        ratios = [a[index] / b[index] for a, b in zip(times["this"], times["base"]) if b[index] > 0]
        print(f"  this/base {what}: median ratio {statistics.median(ratios):.3f}  "
              f"(base is {1 / statistics.median(ratios):.1f}x the time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the tree to compare with (a git worktree)")
    parser.add_argument("--runs", type=int, default=10, help="pairs of runs per command (default 10)")
    args = parser.parse_args()
    trees = {"this": REPO, "base": args.base.resolve()}
    for tree in trees.values():
        check_tree(tree)
    with tempfile.TemporaryDirectory(prefix="one-notebook-") as folder:
        work = Path(folder)
        notebook = model_answer(work)
        ci = {side: ["ci", str(notebook), "--assignment", ASSIGNMENT, "--student", STUDENT,
                     "--course", str(tree / "course")] for side, tree in trees.items()}
        compare(f"grade ci {notebook.name} (model answer, {ASSIGNMENT})", ci, trees, args.runs, work)
        course = handed_in_course(work, notebook)
        autograde = ["--course", str(course), "autograde", ASSIGNMENT, "--student", STUDENT, "--jobs", "1"]
        compare(f"grade autograde {ASSIGNMENT} --student {STUDENT} --force (graded and recorded)",
                {side: [*autograde, "--force"] for side in trees}, trees, args.runs, work)
        compare(f"grade autograde {ASSIGNMENT} --student {STUDENT} (unchanged)",
                {side: autograde for side in trees}, trees, args.runs, work)
        compare("grade --help", {side: ["--help"] for side in trees}, trees, args.runs, work)


if __name__ == "__main__":
    main()
