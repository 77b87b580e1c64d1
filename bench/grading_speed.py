"""Benchmark: dlgrade vs nbgrader's autograde on the same class, 1,000 synthetic submissions, scaling.

    make bench          # = .venv/bin/python bench/grading_speed.py --scaling 200 (about 10 minutes)
    .venv/bin/python bench/grading_speed.py --skip-nbgrader --synthetic 200 --scaling 0   # quick

Both graders get the same 20 notebooks of assignment a1 (12 correct, 4 with one
function left unfinished, 2 with an endless loop in one function, 1 that
crashes its process while the cells run, 1 that tampers: numpy.allclose patched,
check cells edited to `pass`, nothing implemented). Reported in one run, so the
ratio is measured under the same machine load: wall time for the class, seconds
per notebook (median) and the ratio; the scores dlgrade gives against the
expected ones. Then one notebook end to end (``grade autograde --student`` vs
``nbgrader autograde --student``, fresh processes in turn: bench/one_student.py);
dlgrade alone on --synthetic submissions in the same mix (each its own student
and variant; graded in a fresh process, bench/class_run.py): wall, per
submission, CPU of the whole process tree, against the 60 s target; peak
memory at that size and at --memory-small (flat: the same). With --scaling N,
a table: the same N submissions on 1 and 2 local jobs and on 1, 2, 4 Dask
workers on this machine, each with its speed-up over 1 job. Every figure ends
up on one line with its ratio in the summary printed last, with the machine's
load average and the CPU seconds of the whole run (bench/tree_cpu.py): on a
shared machine, read the ratios and CPU seconds, not the wall times.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
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
sys.path.insert(0, str(REPO / "bench"))

from autograder.grading.batch import Submission, grade_class  # noqa: E402
from autograder.course.config import Student, assignment_exercises, load_course, resolve_secret  # noqa: E402
from autograder.course.notebooks import build_notebook, student_version  # noqa: E402
from autograder.course.release import build_assignment, release_assignment, student_variants  # noqa: E402
from autograder.grading.results import read_result  # noqa: E402
from autograder.course.sample_answers import Profile, answered  # noqa: E402
from autograder.sandbox.handle import Limits  # noqa: E402
from exercises.model import clear_solutions, reference_namespace  # noqa: E402
from exercises.verify import run_checks_locally  # noqa: E402
from one_student import compare as one_student  # noqa: E402
from tree_cpu import TreeCpu  # noqa: E402

ASSIGNMENT = "a1"
NBGRADER_CELL_TIMEOUT = 30  # nbgrader's own default for ExecutePreprocessor.timeout
SYNTHETIC_TARGET = 60.0
"""Seconds the 1,000 synthetic submissions should take on 2 local jobs (issue 16)."""
FIGURES: list[str] = []
"""The summary, one line per figure with its ratio, printed at the end."""


def figure(line: str) -> None:
    """Keep ``line`` for the summary printed at the end of the run."""
    FIGURES.append(line)


def class_profiles(keys: list[str]) -> list[Profile]:
    """The 20 submissions: 12 correct, 4 one function wrong, 2 loops, 1 crash, 1 tampering."""
    profiles = [Profile("correct")] * 12
    profiles += [Profile("one unfinished", stubbed=frozenset({keys[i % len(keys)]})) for i in range(4)]
    profiles += [Profile("endless loop", looping=frozenset({keys[1]}))] * 2
    profiles += [Profile("crash at import", prelude="import os\nos._exit(1)")]
    profiles += [Profile("tampering", stubbed=frozenset(keys), edit_check_cells=True,
                         prelude="import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                 "np.testing.assert_allclose = lambda *a, **k: None")]
    return profiles


def expected_points(profile: Profile, exercises, params) -> float:
    """What a correct grader gives a profile: the model answer's checks, run here on trusted code,
    with the unfinished and looping exercises as stubs. Follow-through marking charges a mistake
    once: each exercise is checked with the model answer's functions of the others, its own stubbed."""
    lost = profile.stubbed | profile.looping
    model = [e.solution_cell(params[e.key]) for e in exercises]
    points = {(e.key, c.name): c.points for e in exercises for c in e.checks}
    total = 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        reference = reference_namespace(model)
        for index, exercise in enumerate(exercises):
            if exercise.key not in lost:
                total += exercise.points - exercise.manual_points  # a written answer waits for a grader
                continue
            cells = model[:index] + [clear_solutions(model[index])] + model[index + 1:]
            namespace = reference_namespace(cells, tolerant=True)
            results = run_checks_locally([exercise], namespace, reference, params)
            total += sum(points[(r.exercise, r.check)] for r in results if r.status == "passed")
    return total


def make_course(root: Path, n_students: int) -> tuple:
    shutil.copy(REPO / "course" / "course.toml", root / "course.toml")
    shutil.copy(REPO / "course" / "nbgrader_config.py", root / "nbgrader_config.py")
    with (root / "nbgrader_config.py").open("a") as config:
        config.write(f"\nc.ExecutePreprocessor.timeout = {NBGRADER_CELL_TIMEOUT}\n"
                     "c.Application.log_format = '%(created).3f %(message)s'\n")
    students = [Student(id=f"s{i:04d}", first_name="Sam", last_name=f"Student{i}", email=f"s{i}@example.org",
                        lms_id=str(9000 + i)) for i in range(n_students)]
    course = load_course(root)
    return course, students


def write_class(course, students, profiles, exercises, secret) -> list[tuple[Submission, Profile]]:
    build_assignment(course, ASSIGNMENT, secret=secret)
    release = release_assignment(course, ASSIGNMENT, students, secret=secret)
    submissions = []
    for released, profile in zip(release.students, profiles):
        params = student_variants(exercises, secret.value, released.student)
        notebook = answered(nbformat.read(released.notebook, as_version=4), exercises, params, profile)
        folder = course.root / "submitted" / released.student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        for extra in released.folder.iterdir():
            if extra.suffix != ".ipynb":
                shutil.copy(extra, folder / extra.name)
        path = folder / f"{ASSIGNMENT}.ipynb"
        nbformat.write(notebook, path)
        (folder / "timestamp.txt").write_text("2026-02-20 12:00:00.000000 UTC\n")
        submissions.append((Submission(released.student, path), profile))
    return submissions


def run_dlgrade(course, submissions, exercises, secret, jobs: int) -> tuple[float, list[float], list]:
    started = time.perf_counter()
    outcomes = grade_class([s for s, _ in submissions], assignment=ASSIGNMENT,
                           exercise_keys=[e.key for e in exercises], secret=secret.value,
                           out_root=course.root / "autograded-dlgrade", jobs=jobs, force=True,
                           limits=Limits())
    wall = time.perf_counter() - started
    results = [read_result(o.results_path) for o in outcomes]
    return wall, [r.duration for r in results], results


def run_nbgrader(course, submissions) -> tuple[float, list[float], dict[str, float]]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    subprocess.run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=course.root, env=env,
                   check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(["nbgrader", "autograde", ASSIGNMENT, "--force", "--Autograde.create_student=True"],
                          cwd=course.root, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
    stamps = []
    for line in (done.stdout + done.stderr).splitlines():
        match = re.match(r"(\d+\.\d+) Converting notebook .*submitted/", line)
        if match:
            stamps.append(float(match[1]))
    per_notebook = [b - a for a, b in zip(stamps, stamps[1:])]
    scores = nbgrader_scores(course, env)
    return wall, per_notebook, scores


def nbgrader_scores(course, env) -> dict[str, float]:
    done = subprocess.run(["nbgrader", "export", "--to", "grades.csv"], cwd=course.root, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0 or not (course.root / "grades.csv").is_file():
        return {}
    with (course.root / "grades.csv").open() as handle:
        return {row["student_id"]: float(row["raw_score"] or 0) for row in csv.DictReader(handle)}


def synthetic_submissions(course, exercises, secret, count: int, folder: Path) -> list[Submission]:
    """`count` synthetic hand-ins, each its own student and variant, in the class mix (10% endless loops)."""
    profiles = class_profiles([e.key for e in exercises])
    submissions = []
    assignment = course.assignment(ASSIGNMENT)
    for index in range(count):
        student = f"x{index:05d}"
        params = student_variants(exercises, secret.value, student)
        released = student_version(build_notebook(course.name, assignment, exercises, params), student, params)
        path = folder / student / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(answered(released, exercises, params, profiles[index % len(profiles)]), path)
        submissions.append(Submission(student, path))
    return submissions


def timed_grading(submissions, exercises, secret, out_root: Path, *, jobs: int = 2,
                  scheduler: str | None = None) -> float:
    """Wall time of grading `submissions` (all re-graded) on `jobs` local processes or a Dask scheduler."""
    started = time.perf_counter()
    outcomes = grade_class(submissions, assignment=ASSIGNMENT, exercise_keys=[e.key for e in exercises],
                           secret=secret.value, out_root=out_root, jobs=jobs, force=True, limits=Limits(),
                           scheduler=scheduler)
    wall = time.perf_counter() - started
    failed = [o.student for o in outcomes if o.status != "graded"]
    if failed:
        print(f"  (grader failures: {len(failed)}, e.g. {failed[:3]})")
    return wall


def class_run(course, folder: Path, count: int, jobs: int) -> dict:
    """Grade the first `count` notebooks of `folder` in a fresh process (bench/class_run.py): its figures."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "class_run.py"), str(course.root), str(folder),
                           str(count), "--jobs", str(jobs)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench/class_run.py {count} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def synthetic(course, exercises, secret, count: int, small: int, jobs: int) -> None:
    """dlgrade alone on `count` submissions (each its own student and variant, 10% endless loops) on `jobs`
    local processes, then on the first `small` of them: the time figures and peak memory at both sizes."""
    folder = course.root / "synthetic"
    synthetic_submissions(course, exercises, secret, count, folder)
    big = class_run(course, folder, count, jobs)
    print(f"\nsynthetic: {count} submissions in {big['wall']:.1f} s wall ({jobs} jobs), CPU {big['cpu']:.1f} s "
          f"({big['cpu_source']}); peak memory: grader {big['grader_mib']:.0f} MiB, largest other process "
          f"{big['largest_mib']:.0f} MiB; failed: {big['failed']}")
    per = big["wall"] / count
    figure(f"{count:,} synthetic submissions ({jobs} jobs, 10% endless loops): {big['wall']:.1f} s wall, "
           f"{per * 1000:.0f} ms per submission, {big['cpu'] / count * 1000:.0f} ms CPU per submission; "
           f"wall / {SYNTHETIC_TARGET:.0f} s target (scaled to 1,000): {per * 1000 / SYNTHETIC_TARGET:.2f} "
           "(below 1 meets it)")
    if small:
        few = class_run(course, folder, small, jobs)
        figure(f"peak memory, {small} vs {count} submissions: grader {few['grader_mib']:.0f} vs "
               f"{big['grader_mib']:.0f} MiB ({big['grader_mib'] / few['grader_mib']:.2f}x), largest other process "
               f"{few['largest_mib']:.0f} vs {big['largest_mib']:.0f} MiB "
               f"({big['largest_mib'] / max(few['largest_mib'], 1e-9):.2f}x); flat is 1.00x")


@contextlib.contextmanager
def dask_workers(count: int):
    """A Dask scheduler and `count` single-threaded worker processes on this machine; yields the address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        yield cluster.scheduler_address


def scaling_row(label: str, count: int, wall: float, base: float) -> None:
    figure(f"scaling, {count} submissions, {label:<16} {wall:7.1f} s  {count / wall:5.2f} notebooks/s  "
           f"speed-up vs 1 local job {base / wall:4.2f}x")


def scaling(course, exercises, secret, count: int, dask_counts: list[int]) -> None:
    """The same `count` submissions on 1 and 2 local jobs and on 1, 2, 4 ... Dask workers here;
    each wall time with its ratio to 1 local job (the machine's load is shared by all rows alike).
    The first `count` synthetic submissions when there are that many, else `count` new ones."""
    made = sorted((course.root / "synthetic").glob(f"*/{ASSIGNMENT}.ipynb"))
    if len(made) >= count:
        folder = course.root / "synthetic"
        submissions = [Submission(path.parent.name, path) for path in made[:count]]
    else:
        folder = course.root / "scaling"
        submissions = synthetic_submissions(course, exercises, secret, count, folder)
    print(f"\nscaling: {count} synthetic submissions (10% endless loops) per row")
    base = 0.0
    for jobs in (1, 2):
        wall = timed_grading(submissions, exercises, secret, folder / "autograded-scaling", jobs=jobs)
        base = base or wall
        scaling_row(f"local, {jobs} job{'s' if jobs > 1 else ''}", count, wall, base)
    try:
        import distributed  # noqa: F401
    except ImportError:
        figure("scaling: Dask rows skipped: `distributed` is not installed (pip install dask distributed)")
        return
    for workers in dask_counts:
        with dask_workers(workers) as address:
            wall = timed_grading(submissions, exercises, secret, folder / "autograded-scaling", scheduler=address)
        scaling_row(f"dask, {workers} worker{'s' if workers > 1 else ''}", count, wall, base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--synthetic", type=int, default=1000, help="synthetic submissions (0: skip)")
    parser.add_argument("--memory-small", type=int, default=100, metavar="N",
                        help="peak memory is compared between --synthetic and N submissions (0: skip)")
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--pairs", type=int, default=5,
                        help="pairs of one-student runs (grade autograde vs nbgrader autograde --student)")
    parser.add_argument("--scaling", type=int, default=0, metavar="N",
                        help="N synthetic submissions graded on 1 and 2 local jobs and on --dask-workers "
                             "Dask workers here (0: skip; the Dask rows need `distributed`)")
    parser.add_argument("--dask-workers", default="1,2,4", help="Dask worker counts of the scaling table")
    args = parser.parse_args()
    cpu = TreeCpu()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-") as tmp:
        course, students = make_course(Path(tmp), 20)
        secret = resolve_secret(course)
        exercises = assignment_exercises(course.assignment(ASSIGNMENT))
        points = {e.key: e.points for e in exercises}
        profiles = class_profiles([e.key for e in exercises])
        submissions = write_class(course, students, profiles, exercises, secret)
        print(f"class: 20 notebooks of {ASSIGNMENT} ({len(exercises)} exercises, {sum(points.values()):g} points)")

        wall, durations, results = run_dlgrade(course, submissions, exercises, secret, args.jobs)
        expected = [expected_points(p, exercises, student_variants(exercises, secret.value, s.student))
                    for s, p in submissions]
        wrong = [(s.student, p.name, r.points, want)
                 for (s, p), r, want in zip(submissions, results, expected) if r.points != want]
        median = statistics.median(durations)
        scores = "all as expected" if not wrong else f"WRONG for {wrong}"
        print(f"dlgrade:  class {wall:6.2f} s wall ({args.jobs} jobs), {wall / 20:.3f} s/notebook; "
              f"median {median:.3f} s per notebook in its process; scores {scores}")
        figure(f"class of 20 (12 correct, 4 unfinished, 2 endless loops, 1 crash, 1 tampering): scores {scores}")
        if not args.skip_nbgrader:
            nb_wall, nb_each, nb_scores = run_nbgrader(course, submissions)
            nb_median = statistics.median(nb_each) if nb_each else nb_wall / 20
            print(f"nbgrader: class {nb_wall:6.2f} s wall (sequential), {nb_wall / 20:.3f} s/notebook; "
                  f"median {nb_median:.3f} s per notebook (from its log)")
            figure(f"median per notebook: dlgrade {median:.3f} s, nbgrader autograde {nb_median:.3f} s: "
                   f"{nb_median / median:.1f}x (target >= 20x)")
            figure(f"class wall (20 notebooks): dlgrade {wall:.2f} s ({args.jobs} jobs), nbgrader {nb_wall:.2f} s "
                   f"(sequential): {nb_wall / wall:.1f}x")
            tampered = [s.student for s, p in submissions if p.name == "tampering"]
            if nb_scores:
                print("nbgrader scores of the tampering notebook:", [nb_scores.get(t) for t in tampered],
                      "(expected 0)")
            if args.pairs:
                one = one_student(course.root, ASSIGNMENT, submissions[0][0].student, args.pairs)
                figure(f"one notebook end to end: grade autograde --student {one.dlgrade:.2f} s, nbgrader "
                       f"autograde --student {one.nbgrader:.2f} s (medians of {one.pairs} pairs): "
                       f"{one.ratio:.1f}x (target >= 5x)")
        if args.synthetic:
            synthetic(course, exercises, secret, args.synthetic, args.memory_small, args.jobs)
        if args.scaling:
            scaling(course, exercises, secret, args.scaling, [int(n) for n in args.dask_workers.split(",")])
    print(f"\nfigures (load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, "
          f"{os.cpu_count()} cores; CPU of the whole run {cpu.seconds():.0f} s, {cpu.source}):")
    for line in FIGURES:
        print(f"  {line}")
    cpu.close()


if __name__ == "__main__":
    main()
