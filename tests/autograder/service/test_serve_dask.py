"""``grade serve --scheduler``: hand-ins graded on a real Dask cluster (a scheduler and two workers on
127.0.0.1, the Dask tests' fixture), with the same feedback as the local pool."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="grading on Dask needs `distributed` (the project's test extra)")

from starlette.testclient import TestClient  # noqa: E402

from autograder.course.config import load_course, read_roster, resolve_secret  # noqa: E402
from autograder.course.release import release_assignment  # noqa: E402
from autograder.service.server import open_service  # noqa: E402
from tests.autograder.cli.test_cli_grading import CORRECT  # noqa: E402
from tests.autograder.grading.test_dask import Cluster, cluster  # noqa: E402,F401 (the cluster fixture)
from tests.autograder.service.test_app import WRONG, hand_in, wait_graded  # noqa: E402


def graded_on_dask(dask_scheduler) -> int:  # type: ignore[no-untyped-def]
    """Run on the scheduler: how many grade_job tasks it has finished (and forgotten: their futures were let go)."""
    prefix = dask_scheduler.task_prefixes.get("grade_job")
    return 0 if prefix is None else prefix.state_counts.get("forgotten", 0)


def test_serve_grades_hand_ins_on_the_dask_cluster(tiny_course: Path, cluster: Cluster) -> None:  # noqa: F811
    """With --scheduler, are a model answer and a wrong one graded by the cluster's workers (5/5 and
    less, with a hint on the page that names a2.ipynb), not by a local pool?"""
    course = load_course(tiny_course)
    release_assignment(course, "a2", read_roster(tiny_course / "roster.csv"))
    before = cluster.client.run_on_scheduler(graded_on_dask)
    running = open_service(course, secret=resolve_secret(course).value, jobs=1, scheduler=cluster.address)
    try:
        assert running.runner.pool is None and running.runner.jobs == 2  # the two workers' threads
        client = TestClient(running.app)
        token = running.store.new_token("ada01")
        client.headers["Authorization"] = f"Bearer {token}"
        right, wrong = hand_in(client, CORRECT), hand_in(client, WRONG)
        assert wait_graded(client, right)["points"] == 5
        graded_wrong = wait_graded(client, wrong)
        assert graded_wrong["status"] == "graded" and graded_wrong["points"] < graded_wrong["max_points"]
        browser = TestClient(running.app)
        browser.get(f"/login/{token}")
        page = browser.get(f"/attempts/{wrong}").text
        assert "Hint" in page and "a2.ipynb" in page and not re.search(r"\d{13}-[0-9a-f]{12}\.ipynb", page)
    finally:
        running.close()
    assert cluster.client.run_on_scheduler(graded_on_dask) - before == 2
