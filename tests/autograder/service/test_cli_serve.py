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
