"""``grade serve --db URL``: the service's tables and the gradebook on PostgreSQL as on SQLite.

PostgreSQL is a real server started for this module (the gradebook tests' fixture: initdb and
pg_ctl in a temporary folder, as the ``postgres`` user when run as root); each test gets its own
database. The queue is claimed by separate processes at once, as two ``grade serve`` would.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from autograder.course.config import load_course, read_roster, resolve_secret
from autograder.course.gradebook import open_gradebook, recorded_scores
from autograder.course.release import release_assignment
from autograder.service.server import open_service
from autograder.service.store import Store, StoreError
from tests.autograder.cli.test_cli_grading import CORRECT, NAIVE
from tests.autograder.course.test_gradebook import postgres_url  # noqa: F401 (the server fixture)
from tests.autograder.service.test_app import WRONG, hand_in, wait_graded

REPO = Path(__file__).resolve().parents[3]
QUEUED = 60


@pytest.fixture
def pg_database(postgres_url: str) -> str:  # noqa: F811 (the imported fixture)
    """A new, empty database on the module's PostgreSQL server; its URL (driver psycopg)."""
    name = "serve_" + uuid.uuid4().hex[:12]
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return postgres_url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Either backend: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return request.getfixturevalue("pg_database")


def claim_in_processes(url: str, folder: Path, processes: int) -> list[list[int]]:
    """What each of ``processes`` separate processes claimed, all claiming at once until the queue is empty."""
    start = time.time() + 3.0
    script = textwrap.dedent(f"""
        import json, sys, time
        from autograder.service.store import Store
        store = Store(sys.argv[1], sys.argv[2])
        time.sleep(max(0.0, {start} - time.time()))
        claimed = []
        while (attempt := store.claim_next()) is not None:
            claimed.append(attempt.id)
        print(json.dumps(claimed))
    """)
    running = [subprocess.Popen([sys.executable, "-c", script, str(folder), url], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(processes)]
    claimed = []
    for process in running:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        claimed.append(json.loads(out))
    return claimed


def test_two_servers_never_claim_the_same_hand_in(db_url: str, tmp_path: Path) -> None:
    """With three processes claiming from one queue at once, is every queued hand-in claimed exactly
    once (none twice, none left), on SQLite and on PostgreSQL?"""
    store = Store(tmp_path / "service", db_url)
    ids = [store.add_attempt("ada01", "a2", f"{{}} {n}".encode()).id for n in range(QUEUED)]
    store.close()
    claimed = claim_in_processes(db_url, tmp_path / "service", 3)
    every = [attempt for one in claimed for attempt in one]
    assert sorted(every) == ids, f"claimed twice: {sorted({a for a in every if every.count(a) > 1})}"
    store = Store(tmp_path / "service", db_url)
    assert store.count("grading") == QUEUED and store.count("queued") == 0
    store.close()


def test_a_starting_server_leaves_a_live_servers_gradings_alone(db_url: str, tmp_path: Path) -> None:
    """When a second server starts on the same database, does it leave the first one's grading
    hand-in alone, and take it back once the first has stopped?"""
    first, second = Store(tmp_path / "service", db_url), Store(tmp_path / "service", db_url)
    attempt = first.add_attempt("ada01", "a2", b"{}")
    assert first.claim_next().id == attempt.id
    assert second.requeue_interrupted() == 0 and second.attempt(attempt.id).status == "grading"
    first.close()
    assert second.requeue_interrupted() == 1 and second.attempt(attempt.id).status == "queued"
    second.close()


def test_an_unreachable_database_says_which_and_what_to_do(tmp_path: Path) -> None:
    """Does a --db URL with nobody listening fail at once with the URL (no password) and a tip?"""
    with pytest.raises(StoreError) as caught:
        Store(tmp_path / "service", "postgresql+psycopg://grader:hunter2@127.0.0.1:1/dl101")
    message = str(caught.value)
    assert "127.0.0.1:1/dl101" in message and "hunter2" not in message and "server runs" in message


def test_serve_on_postgresql_grades_resumes_and_fills_the_gradebook(tiny_course: Path, pg_database: str) -> None:
    """With --db on PostgreSQL: are hand-ins accepted by a server that then died (one mid-grading)
    graded by the next start, is a new API hand-in graded, do the instructor's pages list them, and
    do the scores reach the gradebook in that same database?"""
    course = load_course(tiny_course)
    release_assignment(course, "a2", read_roster(tiny_course / "roster.csv"))
    died = Store(course.root / "service", pg_database)
    died.add_attempt("alan02", "a2", _notebook(NAIVE))
    died.add_attempt("ada01", "a2", _notebook(WRONG))
    assert died.claim_next() is not None  # being graded when the server died
    died.close()
    running = open_service(course, secret=resolve_secret(course).value, jobs=1, db_url=pg_database)
    try:
        client = TestClient(running.app)
        client.headers["Authorization"] = f"Bearer {running.store.new_token('ada01')}"
        newest = hand_in(client, CORRECT)
        assert wait_graded(client, newest)["points"] == 5
        end = time.monotonic() + 120
        while time.monotonic() < end and running.store.count("graded") < 3:
            time.sleep(0.2)
        assert [a.status for a in running.store.attempts()] == ["graded"] * 3
        admin = TestClient(running.app)
        admin.get(f"/admin/login/{running.store.new_token('admin', role='admin')}")
        assert "ada01" in admin.get("/admin/assignments/a2").text  # each student's latest, from PostgreSQL
        scores = admin.get("/admin/assignments/a2/scores.csv").text
        assert "ada01" in scores and "alan02" in scores
    finally:
        running.close()
    assert not (course.root / "service" / "service.db").exists()
    assert not (course.root / "gradebook.db").exists()
    with open_gradebook(course, pg_database) as gradebook:
        assert recorded_scores(gradebook, "a2", "ada01") == {"a2_sigmoid_check": 5.0}
        assert "alan02" in {s.student_id for s in gradebook.assignment_submissions("a2")}


def _notebook(code: str) -> bytes:
    from tests.autograder.cli.test_cli_grading import notebook

    return notebook(code).encode()


def test_a_killed_servers_gradings_come_back_at_once(db_url: str, tmp_path: Path) -> None:
    """When a server process on this host is killed mid-grading (no goodbye, a fresh heartbeat), does
    the next start put its hand-in back in the queue at once rather than after STALE_SECONDS?"""
    store = Store(tmp_path / "service", db_url)
    attempt = store.add_attempt("ada01", "a2", b"{}")
    script = ("import os, sys\nfrom autograder.service.store import Store\n"
              "store = Store(sys.argv[1], sys.argv[2])\nstore.claim_next()\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "service"), db_url], cwd=REPO, check=True,
                   timeout=120)
    assert store.attempt(attempt.id).status == "grading"
    assert store.requeue_interrupted() == 1 and store.attempt(attempt.id).status == "queued"
    store.close()


OLD_SCHEMA = """
CREATE TABLE tokens (
    digest TEXT PRIMARY KEY, student TEXT NOT NULL, role TEXT NOT NULL,
    created REAL NOT NULL, expires REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT NOT NULL, assignment TEXT NOT NULL,
    received REAL NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, path TEXT NOT NULL,
    status TEXT NOT NULL, points REAL, max_points REAL, error TEXT NOT NULL DEFAULT '',
    result_json TEXT, tries INTEGER NOT NULL DEFAULT 0);
INSERT INTO attempts (student, assignment, received, sha256, size, path, status, tries)
    VALUES ('ada01', 'a2', 1.0, 'abc', 2, 'handins/ada01/a2/1-abc.ipynb', 'grading', 1);
"""


def test_a_service_db_from_before_opens_and_resumes(tmp_path: Path) -> None:
    """Does a service.db written before --db existed (no claimed_by column, no servers table) open,
    keep its attempts, and give the one it left grading back to the queue?"""
    import sqlite3

    (tmp_path / "service").mkdir()
    with sqlite3.connect(tmp_path / "service" / "service.db") as old:
        old.executescript(OLD_SCHEMA)
    store = Store(tmp_path / "service")
    try:
        assert [(a.student, a.status) for a in store.attempts()] == [("ada01", "grading")]
        assert store.requeue_interrupted() == 1 and store.claim_next().id == 1
        assert store.add_attempt("ada01", "a2", b"{}").id == 2
    finally:
        store.close()


def test_a_silent_server_on_another_host_loses_its_gradings(db_url: str, tmp_path: Path) -> None:
    """When a server on another host stops beating for STALE_SECONDS, is its grading hand-in given
    back to the queue (and not while its heartbeat is fresh)?"""
    from autograder.service.store import SERVERS, STALE_SECONDS

    other, here = Store(tmp_path / "service", db_url), Store(tmp_path / "service", db_url)
    attempt = other.add_attempt("ada01", "a2", b"{}")
    other.claim_next()
    with other.engine.begin() as db:
        db.execute(SERVERS.update().where(SERVERS.c.id == other.server_id).values(host="elsewhere", pid=1))
    assert here.requeue_interrupted() == 0
    with other.engine.begin() as db:
        db.execute(SERVERS.update().where(SERVERS.c.id == other.server_id)
                   .values(seen=time.time() - STALE_SECONDS - 1))
    assert here.requeue_interrupted() == 1 and here.attempt(attempt.id).status == "queued"
    other.engine.dispose()
    here.close()
