"""Grading on a real Dask cluster (a scheduler and two workers on 127.0.0.1, started here): the same
results as the local pool, no submission lost when a worker dies, one gradebook write per submission,
and a worker that cannot give the sandbox asked for refuses instead of grading weaker."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("distributed", reason="grading on Dask needs `distributed` (the project's test extra)")

from distributed import Client  # noqa: E402

from autograder.grading.batch import Submission, grade_class  # noqa: E402
from autograder.grading.job import GradingJob, grade_job, remote_sandbox  # noqa: E402
from autograder.grading.results import read_result  # noqa: E402
from autograder.sandbox.handle import Limits, bwrap_problem  # noqa: E402
from tests.autograder.cli.test_cli_grading import CORRECT, NAIVE, hand_in, notebook, run  # noqa: E402
from tests.exercises.test_course_modules import relu  # noqa: E402

LIMITS = Limits(call_timeout=1.0, cells_timeout=3.0, submission_budget=30.0)
SECRET = b"dask-test-secret"
KEYS = ["a2.sigmoid", "a2.relu"]
RELU_CODE = "\ndef relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n"
WRONG = "import numpy as np\n\ndef sigmoid(z):\n    return np.tanh(z)\n"
LOOP = "import numpy as np\n\ndef sigmoid(z):\n    while True:\n        pass\n" + RELU_CODE
CLASS = {"model": notebook(CORRECT + RELU_CODE), "wrong": notebook(WRONG + RELU_CODE),
         "loop": notebook(LOOP), "broken": "{ this is not a notebook"}
STARTUP = 60.0


class Cluster:
    """`dask scheduler` and `dask worker` processes (each in its own session, killed with its group)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.processes: dict[str, subprocess.Popen] = {}
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(self.scheduler_file)])
        deadline = time.monotonic() + STARTUP
        while not self.scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(self.scheduler_file.read_text())["address"]
        self.client = Client(self.address, timeout="30s", set_as_default=False)

    def _start(self, name: str, arguments: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen([sys.executable, "-m", "dask", *arguments], stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True, env=env)

    def start_worker(self, name: str, env: dict[str, str] | None = None) -> None:
        self._start(name, ["worker", "--scheduler-file", str(self.scheduler_file), "--nworkers", "1",
                           "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", "--name", name], env)

    def workers(self) -> dict[str, str]:
        """Worker name -> address, of the workers the scheduler knows now."""
        return {str(info["name"]): address for address, info in self.client.scheduler_info()["workers"].items()}

    def wait_for(self, count: int) -> None:
        self.client.wait_for_workers(count, timeout=STARTUP)

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def close(self) -> None:
        self.client.close()
        for name in [n for n in self.processes if n != "scheduler"] + ["scheduler"]:
            if name in self.processes:
                self.kill(name)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        for name in ("w0", "w1"):
            running.start_worker(name)
        running.wait_for(2)
        yield running
    finally:
        running.close()


def course_with_relu(folder: Path) -> Path:
    """A course folder whose own exercises/relu.py is exercise a2.relu (shipped to the workers as source)."""
    (folder / "exercises").mkdir(parents=True)
    (folder / "exercises" / "relu.py").write_text(relu("a2"), encoding="utf-8")
    return folder


def write_class(folder: Path, copies: int = 1) -> list[Submission]:
    submissions = []
    for copy in range(copies):
        for kind, text in CLASS.items():
            path = folder / "submitted" / f"{kind}{copy}" / "a2" / "a2.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(text)
            submissions.append(Submission(f"{kind}{copy}", path, "2026-03-06T20:00:00+00:00"))
    return submissions


def without_timings(data: Any) -> Any:
    """A result's JSON without its measured durations (the one thing two gradings may differ in)."""
    if isinstance(data, dict):
        return {k: without_timings(v) for k, v in data.items() if k != "duration"}
    if isinstance(data, (list, tuple)):
        return [without_timings(v) for v in data]
    return data


def graded(folder: Path, submissions: list[Submission], **options: Any) -> dict[str, Any]:
    """Grade the class into ``folder``; every outcome must be ``graded``; results by student."""
    outcomes = grade_class(submissions, assignment="a2", exercise_keys=KEYS, secret=SECRET, out_root=folder,
                           limits=LIMITS, course=options.pop("course"), force=True, **options)
    assert [o.status for o in outcomes] == ["graded"] * len(submissions), [o.error for o in outcomes]
    return {o.student: without_timings(read_result(o.results_path).to_dict()) for o in outcomes}


def test_results_on_dask_match_the_local_pool(cluster: Cluster, tmp_path: Path) -> None:
    """Does a class graded on two Dask workers (course exercises shipped as sources) get exactly the
    local pool's results, timings aside, for a model answer, a wrong one, an endless loop and a broken file?"""
    course = course_with_relu(tmp_path / "course")
    submissions = write_class(course)
    local = graded(tmp_path / "local", submissions, course=course, jobs=2)
    remote = graded(tmp_path / "dask", submissions, course=course, scheduler=cluster.address)
    assert remote == local
    points = {student: sum(c["points"] for e in r["exercises"] for c in e["checks"]) for student, r in local.items()}
    assert points["model0"] > points["wrong0"] > 0 and points["broken0"] == 0
    assert local["broken0"]["error"] and local["loop0"]["exercises"][0]["checks"][0]["status"] == "timeout"


def test_a_killed_worker_loses_no_submission(cluster: Cluster, tmp_path: Path) -> None:
    """When a worker is killed while it grades, is every submission still graded once, with the result
    the local pool gives (Dask runs the lost task again on the other worker)?"""
    course = course_with_relu(tmp_path / "course")
    submissions = write_class(course, copies=2)
    local = graded(tmp_path / "local", submissions, course=course, jobs=2)
    killed: list[str] = []

    def kill_a_busy_worker(outcome: Any) -> None:
        if killed:
            return
        busy = {address for address, tasks in cluster.client.processing().items() if tasks}
        name = next((n for n, address in cluster.workers().items() if address in busy), None)
        if name is not None:
            cluster.kill(name)
            killed.append(name)
    try:
        outcomes = grade_class(submissions, assignment="a2", exercise_keys=KEYS, secret=SECRET,
                               out_root=tmp_path / "dask", limits=LIMITS, course=course,
                               scheduler=cluster.address, on_outcome=kill_a_busy_worker)
        assert killed, "no worker was busy after the first result: nothing was killed mid-run"
        assert sorted(o.student for o in outcomes) == sorted(s.student for s in submissions)
        assert all(o.status == "graded" for o in outcomes), [o.error for o in outcomes]
        assert {o.student: without_timings(read_result(o.results_path).to_dict()) for o in outcomes} == local
    finally:
        for name in killed:  # the next test has two workers again
            cluster.start_worker(name)
        cluster.wait_for(2)


def test_cli_scheduler_records_each_submission_once(cluster: Cluster, tiny_course: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Does `grade autograde a2` with DLGRADE_SCHEDULER grade on the cluster and write the gradebook
    once per submission, here, with the scores a local run records?"""
    import autograder.course.autograde as autograde

    for student, code in (("ada01", CORRECT), ("alan02", WRONG), ("grace03", NAIVE)):
        hand_in(tiny_course, student, code, "2026-03-06T20:00:00+00:00")
    writes: list[str] = []
    record = autograde.record_result

    def counted(gb: Any, result: Any, *args: Any, **kwargs: Any) -> Any:
        writes.append(result.student)
        return record(gb, result, *args, **kwargs)
    monkeypatch.setattr(autograde, "record_result", counted)
    monkeypatch.setenv("DLGRADE_SCHEDULER", cluster.address)
    remote = run(tiny_course, "autograde", "a2")
    assert remote.exit_code == 0, remote.output
    assert "graded 3, unchanged 0, failed 0" in remote.output
    assert sorted(writes) == ["ada01", "alan02", "grace03"]
    on_dask = {s: read_result(tiny_course / "autograded" / s / "a2" / "results.json").points for s in writes}
    monkeypatch.delenv("DLGRADE_SCHEDULER")
    assert run(tiny_course, "autograde", "a2", "--force").exit_code == 0
    here = {s: read_result(tiny_course / "autograded" / s / "a2" / "results.json").points for s in writes}
    assert on_dask == here and here["ada01"] > here["alan02"]


def test_a_worker_without_bwrap_refuses_a_bwrap_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """When the coordinator asks for bwrap and the grading host has none, is the job refused with the
    reason (a grader failure that leaves no result), not graded in a weaker sandbox or scored zero?"""
    monkeypatch.setattr("autograder.sandbox.handle.bwrap_problem",
                        lambda: "bwrap is not installed (Debian package bubblewrap)")
    job = GradingJob(student="ada01", assignment="a2", exercise_keys=("a2.sigmoid",), secret=SECRET,
                     notebook_name="a2.ipynb", notebook_bytes=CLASS["model"].encode(), sandbox="bwrap")
    reply = grade_job(job)
    assert reply.status == "failed" and reply.result is None
    assert "asked for the bwrap sandbox" in reply.error and "bwrap is not installed" in reply.error
    path = tmp_path / "submitted" / "ada01.ipynb"
    path.parent.mkdir()
    path.write_text(CLASS["model"])
    outcomes = grade_class([Submission("ada01", path)], assignment="a2", exercise_keys=["a2.sigmoid"],
                           secret=SECRET, out_root=tmp_path / "out", jobs=1, sandbox="bwrap")
    assert outcomes[0].status == "failed" and "bwrap is not installed" in outcomes[0].error
    assert not outcomes[0].results_path.exists()


@pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap does not work here: {bwrap_problem()}")
def test_a_dask_worker_without_bwrap_refuses_the_coordinators_bwrap(cluster: Cluster) -> None:
    """Is a job sent to a real Dask worker that has no bwrap on its PATH, while this machine (the
    coordinator) has it, refused with the reason instead of graded in a weaker sandbox?"""
    job = GradingJob(student="ada01", assignment="a2", exercise_keys=("a2.sigmoid",), secret=SECRET,
                     notebook_name="a2.ipynb", notebook_bytes=CLASS["model"].encode(),
                     sandbox=remote_sandbox("auto"), limits=LIMITS)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))  # the venv's tools only: no bwrap
    cluster.start_worker("nobwrap", env)
    try:
        cluster.wait_for(3)
        reply = cluster.client.submit(grade_job, job, workers=[cluster.workers()["nobwrap"]], pure=False).result()
    finally:
        cluster.kill("nobwrap")
    assert job.sandbox == "bwrap" and reply.status == "failed" and reply.result is None
    assert "asked for the bwrap sandbox" in reply.error and "bwrap is not installed" in reply.error


def test_a_job_repr_shows_neither_the_secret_nor_the_hand_in() -> None:
    """Is a job's repr (what Dask logs of a failed task's arguments) free of the course secret and the
    hand-in's bytes?"""
    job = GradingJob(student="ada01", assignment="a2", exercise_keys=("a2.sigmoid",), secret=SECRET,
                     notebook_name="a2.ipynb", notebook_bytes=b"student-bytes")
    assert "ada01" in repr(job) and SECRET.decode() not in repr(job) and "student-bytes" not in repr(job)


def test_an_unreachable_scheduler_says_what_to_do() -> None:
    """Does a scheduler address nobody answers give an error naming it and how to start one?"""
    from autograder.grading.dask_cluster import DaskCluster
    from autograder.grading.executors import ExecutorError

    with pytest.raises(ExecutorError, match=r"tcp://127\.0\.0\.1:1 .*dask scheduler"):
        with DaskCluster("tcp://127.0.0.1:1", connect_timeout="2s"):
            pass


@pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap does not work here: {bwrap_problem()}")
def test_remote_jobs_ask_for_the_sandbox_this_machine_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does `auto` become `bwrap` for remote workers when bwrap works on the coordinator, and stay
    `auto` (or `none`) when it does not?"""
    assert remote_sandbox("auto") == "bwrap" and remote_sandbox("none") == "none"
    monkeypatch.setattr("autograder.sandbox.handle.bwrap_problem", lambda: "bwrap is not installed")
    assert remote_sandbox("auto") == "auto" and remote_sandbox("bwrap") == "bwrap"
