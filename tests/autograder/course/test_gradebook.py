"""nbgrader's gradebook as dlgrade fills it: records, transactions, concurrency, PostgreSQL.

Scores are hand-built results of a two-exercise assignment (5 + 3 points) so
every expected number is written out here.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook, MissingEntry

from autograder.course.config import Course, Student, load_course
from autograder.course.gradebook import (GradebookError, open_gradebook, record_assignment, record_result,
                                  record_students, recorded_scores)
from autograder.course.late import LatePenalty
from autograder.grading.results import CheckResult, ExerciseResult, SubmissionResult
from tests.conftest import TINY_COURSE_TOML, TINY_ROSTER

ROOT = Path(__file__).resolve().parents[3]
EXERCISES = [("a2.sigmoid", 5.0), ("a2.descent", 3.0)]
CELLS = ["a2_sigmoid_check", "a2_descent_check"]
def make_course(folder: Path) -> Course:
    """A throwaway course folder with course.toml and roster.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(TINY_COURSE_TOML)
    (folder / "roster.csv").write_text(TINY_ROSTER)
    return load_course(folder)


def make_result(student: str, sigmoid: float, descent: float, *, submitted_at: str | None = None,
                assignment: str = "a2") -> SubmissionResult:
    """A result earning ``sigmoid`` of 5 and ``descent`` of 3 points (one check each part)."""
    def exercise(key: str, earned: float, worth: float) -> ExerciseResult:
        checks = (CheckResult("test_part", "passed" if earned else "failed", earned, earned, True),
                  CheckResult("test_rest", "failed", 0.0, worth - earned, False))
        return ExerciseResult(key, key, checks)
    return SubmissionResult(student, assignment, (exercise("a2.sigmoid", sigmoid, 5.0),
                                                  exercise("a2.descent", descent, 3.0)),
                            submitted_at=submitted_at)


@pytest.fixture()
def course(tiny_course: Path) -> Course:
    return load_course(tiny_course)


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new gradebook with assignment a2, made once and copied into each test's course."""
    course = make_course(tmp_path_factory.mktemp("template"))
    book = open_gradebook(course)
    record_assignment(book, course, "a2", EXERCISES)
    with book.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    book.close()
    return course.root / "gradebook.db"


@pytest.fixture()
def gb(course: Course, empty_gradebook: Path):
    shutil.copy(empty_gradebook, course.root / "gradebook.db")
    book = open_gradebook(course)
    yield book
    book.close()


def reopen(course: Course, url: str | None = None) -> Gradebook:
    """A second, independent connection: sees only what was committed."""
    return Gradebook(url or f"sqlite:///{course.root / 'gradebook.db'}", course_id=course.id)


def test_default_database_is_in_the_course_folder(course: Course, gb: Gradebook) -> None:
    """Is the default gradebook sqlite:///<course>/gradebook.db, in WAL mode?"""
    assert (course.root / "gradebook.db").is_file()
    with gb.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_assignment_notebook_and_grade_cells(course: Course, gb: Gradebook) -> None:
    """Does the gradebook hold the assignment, its one notebook and a grade cell per exercise?"""
    assignment = gb.find_assignment("a2")
    assert [n.name for n in assignment.notebooks] == ["a2"]
    for name, (_, points) in zip(CELLS, EXERCISES):
        cell = gb.find_grade_cell(name, "a2", "a2")
        assert cell.max_score == points and cell.cell_type == "code"
    assert assignment.max_score == 8.0
    # 23:59 at +01:00 is 22:59 UTC; nbgrader keeps naive UTC
    assert str(assignment.duedate) == "2026-03-06 22:59:00"
    # recording again changes nothing, a new points value updates the cell
    record_assignment(gb, course, "a2", [("a2.sigmoid", 6.0), ("a2.descent", 3.0)])
    assert gb.find_assignment("a2").max_score == 9.0
    assert len(gb.find_notebook("a2", "a2").grade_cells) == 2


def test_default_exercises_come_from_course_toml(course: Course) -> None:
    """Without explicit points, are the course.toml exercises and their points used (a2.sigmoid)?"""
    from exercises.model import get_exercise
    with open_gradebook(course) as book:
        record_assignment(book, course, "a2")
        cell = book.find_grade_cell("a2_sigmoid_check", "a2", "a2")
        assert cell.max_score == get_exercise("a2.sigmoid").points


def test_result_scores_penalty_and_timestamp(course: Course, gb: Gradebook) -> None:
    """Are auto scores, the late penalty in points and the UTC timestamp written as nbgrader reads them?"""
    record_students(gb, [Student("ada01", "Ada", "Lovelace", "ada@example.edu", "lms-1")])
    result = make_result("ada01", 4.0, 2.5, submitted_at="2026-03-08T10:00:00+01:00")
    record_result(gb, result, LatePenalty(2, 0.2, "2 days late"))
    other = reopen(course)
    try:
        assert other.find_grade("a2_sigmoid_check", "a2", "a2", "ada01").auto_score == 4.0
        assert other.find_grade("a2_descent_check", "a2", "a2", "ada01").auto_score == 2.5
        submission = other.find_submission("a2", "ada01")
        assert submission.score == 6.5 and submission.max_score == 8.0
        assert submission.late_submission_penalty == pytest.approx(1.3)  # 20 % of 6.5
        assert str(submission.timestamp) == "2026-03-08 09:00:00"
        assert submission.needs_manual_grade is False
        student = other.find_student("ada01")
        assert (student.last_name, student.lms_user_id) == ("Lovelace", "lms-1")
    finally:
        other.close()


def test_rerecording_is_idempotent_and_keeps_manual_scores(course: Course, gb: Gradebook) -> None:
    """Does recording a re-grade update auto scores only, once, leaving a formgrader manual score?"""
    record_result(gb, make_result("alan02", 1.0, 0.0))
    grade = gb.find_grade("a2_descent_check", "a2", "a2", "alan02")
    grade.manual_score = 2.0
    gb.db.commit()
    record_result(gb, make_result("alan02", 5.0, 1.0))
    record_result(gb, make_result("alan02", 5.0, 1.0))
    submission = gb.find_submission("a2", "alan02")
    assert recorded_scores(gb, "a2", "alan02") == {"a2_sigmoid_check": 5.0, "a2_descent_check": 1.0}
    assert gb.find_submission("a2", "alan02").score == 7.0  # 5 auto + 2 manual (manual wins)
    assert len(gb.assignment_submissions("a2")) == 1 and submission.student_id == "alan02"


def test_unknown_assignment_or_exercise_writes_nothing(course: Course, gb: Gradebook) -> None:
    """Is a result the gradebook cannot place refused with what to do, leaving no student behind?"""
    with pytest.raises(GradebookError, match="record it first"):
        record_result(gb, make_result("grace03", 1, 1, assignment="a9"))
    bad = make_result("grace03", 1.0, 1.0)
    bad = SubmissionResult("grace03", "a2", bad.exercises + (ExerciseResult("a2.new", "New", ()),))
    with pytest.raises(GradebookError, match="re-grade with --force"):
        record_result(gb, bad)
    with pytest.raises(MissingEntry):
        gb.find_student("grace03")


def test_failure_before_commit_leaves_previous_state(course: Course, gb: Gradebook,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """When the commit fails after every row was written, is the previous submission intact
    and a new one absent?"""
    record_result(gb, make_result("ada01", 5.0, 3.0))

    def broken() -> None:
        gb.db.flush()  # every change is in the database's transaction now
        raise RuntimeError("injected failure at commit")
    monkeypatch.setattr(gb.db, "commit", broken)
    with pytest.raises(RuntimeError, match="injected"):
        record_result(gb, make_result("ada01", 0.0, 0.0), LatePenalty(1, 0.1, ""))
    with pytest.raises(RuntimeError, match="injected"):
        record_result(gb, make_result("alan02", 2.0, 2.0))
    other = reopen(course)
    try:
        assert recorded_scores(other, "a2", "ada01") == {"a2_sigmoid_check": 5.0, "a2_descent_check": 3.0}
        assert other.find_submission("a2", "ada01").late_submission_penalty == 0.0
        with pytest.raises(MissingEntry):
            other.find_submission("a2", "alan02")
    finally:
        other.close()


CRASHING_WRITER = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_gradebook import make_result, EXERCISES
from autograder.course.config import load_course
from autograder.course.gradebook import open_gradebook, record_result
gb = open_gradebook(load_course(Path(sys.argv[1])))
def hang():
    gb.db.flush()
    Path(sys.argv[2]).write_text("flushed")
    time.sleep(600)
gb.db.commit = hang
record_result(gb, make_result("ada01", 0.0, 0.0))
"""


def test_killed_writer_leaves_nothing_half_written(course: Course, gb: Gradebook, tmp_path: Path) -> None:
    """When a process is killed (SIGKILL) mid-transaction, is the old submission intact and
    the database writable again?"""
    record_result(gb, make_result("ada01", 5.0, 3.0))
    gb.close()
    marker = tmp_path / "flushed"
    script = CRASHING_WRITER.format(tests=str(Path(__file__).parent))
    process = subprocess.Popen([sys.executable, "-c", script, str(course.root), str(marker)],
                               cwd=ROOT, env=_env())
    try:
        for _ in range(600):
            if marker.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the writer never reached its commit"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    other = open_gradebook(course)
    try:
        assert recorded_scores(other, "a2", "ada01") == {"a2_sigmoid_check": 5.0, "a2_descent_check": 3.0}
        record_result(other, make_result("ada01", 1.0, 1.0))
        assert recorded_scores(other, "a2", "ada01") == {"a2_sigmoid_check": 1.0, "a2_descent_check": 1.0}
    finally:
        other.close()


CONCURRENT_WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_gradebook import make_result, EXERCISES
from autograder.course.config import load_course
from autograder.course.gradebook import open_gradebook, record_assignment, record_result
course = load_course(Path(sys.argv[1]))
which = int(sys.argv[3])
gb = open_gradebook(course, sys.argv[2] or None)
record_assignment(gb, course, "a2", EXERCISES)
for i in range(40):
    # writer 1 writes (1, 1) for everyone, writer 2 writes (2, 2): a mix would show
    record_result(gb, make_result(f"s{{i:02d}}", float(which), float(which)))
gb.close()
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def run_two_writers(course: Course, url: str) -> None:
    """Two processes write the same 40 submissions at once; both must succeed."""
    script = CONCURRENT_WRITER.format(tests=str(Path(__file__).parent))
    processes = [subprocess.Popen([sys.executable, "-c", script, str(course.root), url, str(which)],
                                  cwd=ROOT, env=_env(), stderr=subprocess.PIPE, text=True)
                 for which in (1, 2)]
    errors = [p.communicate(timeout=300)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors


def check_forty(book: Gradebook) -> None:
    for i in range(40):
        scores = recorded_scores(book, "a2", f"s{i:02d}")
        assert set(scores.values()) in ({1.0}, {2.0}), (i, scores)
    writers = [s for s in book.assignment_submissions("a2") if s.student_id.startswith("s")]
    assert len(writers) == 40


def test_two_processes_on_sqlite(course: Course) -> None:
    """Do two writers at once on a fresh SQLite file both finish, with every submission whole?"""
    run_two_writers(course, "")
    with open_gradebook(course) as book:
        check_forty(book)
        with book.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_unopenable_database_says_url_and_reason(course: Course, tmp_path: Path) -> None:
    """Does a database that cannot be opened name the URL, the reason and what to do?"""
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'gb.db'}"
    with pytest.raises(GradebookError, match=r"cannot open the gradebook sqlite:///.*gb\.db.*--db"):
        open_gradebook(course, url)
    with pytest.raises(GradebookError, match="not a database URL"):
        open_gradebook(course, "not a url")


def test_alembic_head_as_nbgrader_finds_it(course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the venv's bin off PATH, does opening put it back, and is the alembic version written
    the one `alembic heads` (what nbgrader runs) reports?"""
    from nbgrader.dbutil import _temp_alembic_ini
    from sqlalchemy import text
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with open_gradebook(course) as book:
        written = book.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert os.path.dirname(sys.executable) in os.environ["PATH"].split(os.pathsep)
    with _temp_alembic_ini("sqlite:////tmp/unused.db") as ini:
        output = subprocess.run(["alembic", "-c", ini, "heads"], capture_output=True, text=True,
                                check=True).stdout
    assert written == output.split()[0]


# --------------------------------------------------------------------------
# PostgreSQL, for real
# --------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server on a free loopback port, in a temporary folder."""
    import importlib.util
    if not any(importlib.util.find_spec(driver) for driver in ("psycopg2", "psycopg")):
        pytest.skip("no PostgreSQL driver for SQLAlchemy (psycopg2 or psycopg) is installed: "
                    "add psycopg2-binary to the project's dependencies")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are missing: "
                    "install Debian's postgresql package")
    folder = Path(tempfile.mkdtemp(prefix="dlgrade-pg-"))
    data, port = folder / "data", _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
        try:
            import pwd
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to start the server as")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(run_as + [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                             "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                             str(folder / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_postgresql_records_and_two_writers(course: Course, postgres_url: str) -> None:
    """On a real PostgreSQL server, are results recorded as on SQLite, with two writers at once?"""
    with open_gradebook(course, postgres_url) as book:
        record_assignment(book, course, "a2", EXERCISES)
        record_result(book, make_result("ada01", 4.0, 2.5), LatePenalty(1, 0.1, "1 day late"))
        submission = book.find_submission("a2", "ada01")
        assert (submission.score, submission.late_submission_penalty) == (6.5, pytest.approx(0.65))
    run_two_writers(course, postgres_url)
    with open_gradebook(course, postgres_url) as book:
        check_forty(book)


def test_postgresql_unreachable_server(course: Course, postgres_url: str) -> None:
    """Does a PostgreSQL URL with nobody listening say so, with the URL but not the password?"""
    url = f"postgresql://postgres:hunter2@127.0.0.1:{_free_port()}/postgres"
    with pytest.raises(GradebookError) as caught:
        open_gradebook(course, url)
    assert "hunter2" not in str(caught.value) and "127.0.0.1" in str(caught.value)
