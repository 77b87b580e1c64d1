"""``grade serve links`` and ``grade serve admin-token`` as an instructor runs them."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from autograder.cli.main import main
from autograder.course.config import load_course
from autograder.service.server import service_store


def test_links_give_each_roster_student_a_working_personal_url(tiny_course: Path) -> None:
    """Does `grade serve links` write student,url for every roster student, each URL's last segment a
    token that signs that student in, and no token in the database in clear?"""
    result = CliRunner().invoke(main, ["--course", str(tiny_course), "serve", "links",
                                       "--base-url", "https://dl101.example.edu/"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["student"] for r in rows] == ["ada01", "alan02", "grace03"]
    store = service_store(load_course(tiny_course))
    try:
        for row in rows:
            assert row["url"].startswith("https://dl101.example.edu/login/")
            token = row["url"].rsplit("/", 1)[1]
            assert store.who(token) == (row["student"], "student")
        database = (tiny_course / "service" / "service.db").read_bytes()
        assert all(row["url"].rsplit("/", 1)[1].encode() not in database for row in rows)
    finally:
        store.close()


def test_the_admin_token_has_the_admin_role(tiny_course: Path) -> None:
    """Does `grade serve admin-token` print a token with the admin role?"""
    result = CliRunner().invoke(main, ["--course", str(tiny_course), "serve", "admin-token"])
    assert result.exit_code == 0, result.output
    store = service_store(load_course(tiny_course))
    try:
        assert store.who(result.stdout.strip()) == ("admin", "admin")
    finally:
        store.close()


def test_demo_serve_prints_links_that_sign_in(tiny_course: Path, monkeypatch) -> None:
    """Does the service started after the demo print one working link per roster student and an
    instructor link that opens the admin pages (uvicorn replaced by an in-process client)?"""
    import re

    import uvicorn
    from starlette.testclient import TestClient

    from autograder.cli.serve import run_service

    opened: dict[str, int] = {}

    def fake_run(app, host: str, port: int, log_level: str) -> None:
        for line in printed.getvalue().splitlines():
            found = re.search(r"http://127\.0\.0\.1:8123(/\S+)", line)
            if found:
                client = TestClient(app)
                opened[line.split()[0]] = client.get(found.group(1)).status_code
                if "/admin/" in found.group(1):
                    opened["admin page"] = client.get("/admin/assignments/a2").status_code

    printed = io.StringIO()
    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr("click.echo", lambda text="", **_: printed.write(f"{text}\n"))
    run_service(load_course(tiny_course), secret=b"x" * 32, host="127.0.0.1", port=8123, jobs=1, demo_links=True)
    assert opened == {"ada01": 200, "alan02": 200, "grace03": 200, "instructor": 200, "admin page": 200}


def test_links_and_revoke_use_the_database_of_db(tiny_course: Path, tmp_path: Path) -> None:
    """Do `grade serve --db URL links` and `grade serve --db URL revoke` work on that database (and
    not on the course folder's), and does a revoked link stop signing in?"""
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    result = CliRunner().invoke(main, ["--course", str(tiny_course), "serve", "--db", url, "links"])
    assert result.exit_code == 0, result.output
    token = {r["student"]: r["url"].rsplit("/", 1)[1] for r in csv.DictReader(io.StringIO(result.stdout))}["ada01"]
    course = load_course(tiny_course)
    store = service_store(course, url)
    try:
        assert store.who(token) == ("ada01", "student")
        revoked = CliRunner().invoke(main, ["--course", str(tiny_course), "serve", "--db", url, "revoke", "ada01"])
        assert revoked.exit_code == 0 and "revoked 1 token(s) of ada01" in revoked.output
        assert store.who(token) is None
    finally:
        store.close()
    local = service_store(course)
    try:
        assert local.who(token) is None and local.count("queued") == 0
    finally:
        local.close()


def test_an_unreachable_db_is_a_clear_error(tiny_course: Path) -> None:
    """Does `grade serve --db` with nobody listening end with the URL (no password) and a tip, not a traceback?"""
    result = CliRunner().invoke(main, ["--course", str(tiny_course), "serve", "--db",
                                       "postgresql+psycopg://grader:hunter2@127.0.0.1:1/dl101", "admin-token"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "127.0.0.1:1/dl101" in result.output and "hunter2" not in result.output
