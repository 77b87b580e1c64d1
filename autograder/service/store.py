"""The service's own database: personal links, hand-ins, attempts and the grading queue.

One SQLite file (``<course>/service/service.db``, WAL) next to the stored
hand-ins. Every accepted hand-in is written (bytes, SHA-256, time) before the
request that brought it returns, and its attempt row is the queue entry: a
restart finds the attempts still ``queued`` or ``grading`` and grades them, so
nothing accepted is lost.

Tokens are random (``secrets.token_urlsafe``), stored only as their SHA-256,
compared in constant time, revocable and expiring.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, student TEXT NOT NULL, role TEXT NOT NULL,
    created REAL NOT NULL, expires REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT NOT NULL, assignment TEXT NOT NULL,
    received REAL NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, path TEXT NOT NULL,
    status TEXT NOT NULL, points REAL, max_points REAL, error TEXT NOT NULL DEFAULT '',
    result_json TEXT, tries INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS attempts_by_student ON attempts (student, assignment);
CREATE INDEX IF NOT EXISTS attempts_by_status ON attempts (status);
"""
STATUSES = ("queued", "grading", "graded", "failed")
TOKEN_DAYS = 120


@dataclass(frozen=True)
class Attempt:
    """One hand-in through the service."""

    id: int
    student: str
    assignment: str
    received: float
    """Seconds since the epoch when the hand-in was stored."""
    sha256: str
    size: int
    path: str
    """Where its bytes are, below the service folder."""
    status: str
    """``queued``, ``grading``, ``graded`` or ``failed`` (the grader failed: it is retried)."""
    points: float | None
    max_points: float | None
    error: str
    result_json: str | None
    tries: int


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """The service database and the hand-in folder; safe to use from several threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / "handins").mkdir(mode=0o700, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.folder / "service.db", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ------------------------------------------------------------------ tokens
    def new_token(self, student: str, *, role: str = "student", days: float = TOKEN_DAYS) -> str:
        """A new personal token for ``student`` (or the admin); only its digest is kept."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._transaction() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, 0)",
                       (token_digest(token), student, role, now, now + days * 86400))
        return token

    def revoke(self, student: str) -> int:
        """Revoke every token of ``student``; how many there were."""
        with self._transaction() as db:
            return db.execute("UPDATE tokens SET revoked = 1 WHERE student = ? AND revoked = 0",
                              (student,)).rowcount

    def who(self, token: str) -> tuple[str, str] | None:
        """(student, role) of a valid token, or None. The digest is looked up, then compared in
        constant time."""
        if not token or len(token) > 200:
            return None
        digest = token_digest(token)
        with self._lock:
            row = self._db.execute("SELECT digest, student, role, expires, revoked FROM tokens WHERE digest = ?",
                                   (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row[0], digest) or row[4] or row[3] < time.time():
            return None
        return row[1], row[2]

    # ------------------------------------------------------------------ hand-ins
    def add_attempt(self, student: str, assignment: str, data: bytes, *, received: float | None = None) -> Attempt:
        """Store the hand-in's bytes (fsynced) and queue it; returns the queued attempt (received now,
        or at ``received`` seconds since the epoch: the service's clock)."""
        sha = hashlib.sha256(data).hexdigest()
        received = time.time() if received is None else received
        folder = self.folder / "handins" / student / assignment
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{int(received * 1000)}-{sha[:12]}.ipynb"
        path = folder / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO attempts (student, assignment, received, sha256, size, path, status) "
                "VALUES (?, ?, ?, ?, ?, ?, 'queued')",
                (student, assignment, received, sha, len(data), str(path.relative_to(self.folder))))
        return self.attempt(int(cursor.lastrowid))

    def attempt(self, attempt_id: int) -> Attempt | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        return Attempt(*row) if row else None

    def attempts(self, student: str | None = None, assignment: str | None = None) -> list[Attempt]:
        query, values = "SELECT * FROM attempts WHERE 1 = 1", []
        if student is not None:
            query, values = query + " AND student = ?", values + [student]
        if assignment is not None:
            query, values = query + " AND assignment = ?", values + [assignment]
        with self._lock:
            return [Attempt(*row) for row in self._db.execute(query + " ORDER BY id", values)]

    def latest(self, assignment: str) -> list[Attempt]:
        """Each student's latest hand-in of ``assignment`` (the one that counts), by student."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts WHERE assignment = ? "
                "GROUP BY student) ORDER BY student", (assignment,)).fetchall()
        return [Attempt(*row) for row in rows]

    def requeue(self, attempt_ids: list[int]) -> int:
        """Queue these attempts to be graded again (their result is replaced when the new one is in;
        earlier attempts stay as they are); how many were queued. One being graded now is left alone."""
        with self._transaction() as db:
            return sum(db.execute("UPDATE attempts SET status = 'queued', tries = 0 WHERE id = ? "
                                  "AND status != 'grading'", (attempt_id,)).rowcount for attempt_id in attempt_ids)

    def count(self, status: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM attempts WHERE status = ?", (status,)).fetchone()[0]

    def claim_next(self) -> Attempt | None:
        """The oldest queued attempt, marked ``grading`` (one consumer at a time gets it)."""
        with self._transaction() as db:
            row = db.execute("SELECT id FROM attempts WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute("UPDATE attempts SET status = 'grading', tries = tries + 1 WHERE id = ?", (row[0],))
        return self.attempt(row[0])

    def requeue_interrupted(self) -> int:
        """At start: attempts left ``grading`` by a stopped server go back to the queue."""
        with self._transaction() as db:
            return db.execute("UPDATE attempts SET status = 'queued' WHERE status = 'grading'").rowcount

    def finish(self, attempt_id: int, *, status: str, points: float | None = None,
               max_points: float | None = None, error: str = "", result_json: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._transaction() as db:
            db.execute("UPDATE attempts SET status = ?, points = ?, max_points = ?, error = ?, result_json = ? "
                       "WHERE id = ?", (status, points, max_points, error, result_json, attempt_id))

    def close(self) -> None:
        with self._lock:
            self._db.close()
