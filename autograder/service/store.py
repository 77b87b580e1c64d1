"""The service's own database: personal links, hand-ins, attempts and the grading queue.

By default one SQLite file (``<course>/service/service.db``, WAL) next to the
stored hand-ins; with a database URL (``grade serve --db postgresql+psycopg://…``)
the same tables live on PostgreSQL, so several server processes can share one
queue. SQLAlchemy Core (which nbgrader already brings for the gradebook) speaks
both: the same URLs as ``grade autograde --db``, the same statements, the
dialect handles autoincrement and row locks. The hand-ins' bytes stay files in
the service folder (every server process must see the same folder).

Every accepted hand-in is written (bytes, SHA-256, time) before the request
that brought it returns, and its attempt row is the queue entry. Claiming is
safe with several consumers, in one process or several on one database: the
claim is a conditional ``UPDATE … WHERE status = 'queued'`` that only one
transaction can win (on PostgreSQL the candidate is picked with
``FOR UPDATE SKIP LOCKED``, so claimers do not wait on each other). Each
claim records the claiming server, which keeps a heartbeat row while it runs:
an attempt left ``grading`` by a server that stopped (no heartbeat row) or
died (its process is gone from this host, or its heartbeat is older than
``STALE_SECONDS``) goes back to the queue, so nothing accepted is lost, and a
running server's gradings are never taken from it by a second one starting.

Tokens are random (``secrets.token_urlsafe``), stored only as their SHA-256,
compared in constant time, revocable and expiring.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (Column, Float, Index, Integer, MetaData, String, Table, Text, create_engine, event,
                        func, inspect, select, text, update)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

METADATA = MetaData()
TOKENS = Table(
    "tokens", METADATA,
    Column("digest", String(64), primary_key=True), Column("student", Text, nullable=False),
    Column("role", Text, nullable=False), Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False), Column("revoked", Integer, nullable=False, server_default="0"))
ATTEMPTS = Table(
    "attempts", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student", Text, nullable=False), Column("assignment", Text, nullable=False),
    Column("received", Float, nullable=False), Column("sha256", Text, nullable=False),
    Column("size", Integer, nullable=False), Column("path", Text, nullable=False),
    Column("status", Text, nullable=False), Column("points", Float), Column("max_points", Float),
    Column("error", Text, nullable=False, server_default=""), Column("result_json", Text),
    Column("tries", Integer, nullable=False, server_default="0"), Column("claimed_by", Text),
    Index("attempts_by_student", "student", "assignment"), Index("attempts_by_status", "status"),
    sqlite_autoincrement=True)
SERVERS = Table(
    "servers", METADATA,
    Column("id", String(64), primary_key=True), Column("seen", Float, nullable=False),
    Column("host", Text, nullable=False), Column("pid", Integer, nullable=False))
FIELDS = [ATTEMPTS.c[name] for name in ("id", "student", "assignment", "received", "sha256", "size", "path",
                                        "status", "points", "max_points", "error", "result_json", "tries")]
STATUSES = ("queued", "grading", "graded", "failed")
TOKEN_DAYS = 120
STALE_SECONDS = 60.0
"""A server whose heartbeat is older than this is dead: its gradings go back to the queue."""
BEAT_SECONDS = 5.0
"""A claim renews the heartbeat when it is older than this (the runner also beats on its own)."""
SQLITE_TIMEOUT = 30.0
"""Seconds an SQLite connection waits for another writer before it gives up."""


class StoreError(Exception):
    """The service database cannot be opened; the message has the URL (no password) and what to do."""


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


def default_url(folder: Path) -> str:
    """``sqlite:///<folder>/service.db``: the embedded default, nothing to install."""
    return f"sqlite:///{Path(folder) / 'service.db'}"


def open_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite: WAL, a busy timeout, and writes that take the lock when they
    begin (``BEGIN IMMEDIATE``: two writers never deadlock upgrading a read lock)."""
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise StoreError(f"--db {url!r} is not a database URL ({err}); write e.g. "
                         "postgresql+psycopg://grader@dbhost/dl101 or sqlite:////srv/course/service.db") from None
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(parsed, connect_args={"timeout": SQLITE_TIMEOUT, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's recipe: pysqlite's own BEGIN off, ours below
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("dlgrade_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """The service database and the hand-in folder; safe to use from several threads and, on one
    database, from several processes.

    ``url`` is any SQLAlchemy URL (default: :func:`default_url` of ``folder``).
    """

    def __init__(self, folder: Path, url: str | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / "handins").mkdir(mode=0o700, exist_ok=True)
        self.url = url or default_url(self.folder)
        self.server_id = secrets.token_hex(16)
        """This store's name in the heartbeat table and on the attempts it claims."""
        self.engine = open_engine(self.url)
        self._skip_locked = self.engine.dialect.name == "postgresql"
        try:
            with self._write() as db:
                METADATA.create_all(db)
                if "claimed_by" not in {c["name"] for c in inspect(db).get_columns("attempts")}:
                    db.execute(text("ALTER TABLE attempts ADD COLUMN claimed_by TEXT"))  # a pre-PostgreSQL db
        except (SQLAlchemyError, ImportError) as err:
            self.engine.dispose()
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
            tip = ("install the driver: pip install 'dlgrade[postgres]'" if isinstance(err, ImportError)
                   else "check that the server runs, the database exists and you may create tables in it")
            shown = make_url(self.url).render_as_string(hide_password=True)  # parsed once already: no error
            raise StoreError(f"cannot open the service database {shown}: {reason}; {tip}") from None
        self._beat_lock = threading.Lock()
        self._last_beat = float("-inf")

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (committed at the end, rolled back on any error)."""
        with self.engine.connect().execution_options(dlgrade_write=True) as db, db.begin():
            yield db

    def _read(self, statement: Any) -> list[Any]:
        with self.engine.connect() as db:
            return list(db.execute(statement))

    # ------------------------------------------------------------------ tokens
    def new_token(self, student: str, *, role: str = "student", days: float = TOKEN_DAYS) -> str:
        """A new personal token for ``student`` (or the admin); only its digest is kept."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._write() as db:
            db.execute(TOKENS.insert().values(digest=token_digest(token), student=student, role=role,
                                              created=now, expires=now + days * 86400, revoked=0))
        return token

    def revoke(self, student: str) -> int:
        """Revoke every token of ``student``; how many there were."""
        with self._write() as db:
            return db.execute(update(TOKENS).where(TOKENS.c.student == student, TOKENS.c.revoked == 0)
                              .values(revoked=1)).rowcount

    def who(self, token: str) -> tuple[str, str] | None:
        """(student, role) of a valid token, or None. The digest is looked up, then compared in
        constant time."""
        if not token or len(token) > 200:
            return None
        digest = token_digest(token)
        rows = self._read(select(TOKENS.c.digest, TOKENS.c.student, TOKENS.c.role, TOKENS.c.expires,
                                 TOKENS.c.revoked).where(TOKENS.c.digest == digest))
        row = rows[0] if rows else None
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
        with self._write() as db:
            inserted = db.execute(ATTEMPTS.insert().values(
                student=student, assignment=assignment, received=received, sha256=sha, size=len(data),
                path=str(path.relative_to(self.folder)), status="queued", error="", tries=0))
        return self.attempt(int(inserted.inserted_primary_key[0]))

    def attempt(self, attempt_id: int) -> Attempt | None:
        rows = self._read(select(*FIELDS).where(ATTEMPTS.c.id == attempt_id))
        return Attempt(*rows[0]) if rows else None

    def attempts(self, student: str | None = None, assignment: str | None = None) -> list[Attempt]:
        query = select(*FIELDS)
        if student is not None:
            query = query.where(ATTEMPTS.c.student == student)
        if assignment is not None:
            query = query.where(ATTEMPTS.c.assignment == assignment)
        return [Attempt(*row) for row in self._read(query.order_by(ATTEMPTS.c.id))]

    def latest(self, assignment: str) -> list[Attempt]:
        """Each student's latest hand-in of ``assignment`` (the one that counts), by student."""
        newest = (select(func.max(ATTEMPTS.c.id)).where(ATTEMPTS.c.assignment == assignment)
                  .group_by(ATTEMPTS.c.student))
        query = select(*FIELDS).where(ATTEMPTS.c.id.in_(newest)).order_by(ATTEMPTS.c.student)
        return [Attempt(*row) for row in self._read(query)]

    def requeue(self, attempt_ids: list[int]) -> int:
        """Queue these attempts to be graded again (their result is replaced when the new one is in;
        earlier attempts stay as they are); how many were queued. One being graded now is left alone."""
        with self._write() as db:
            return sum(db.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id, ATTEMPTS.c.status != "grading")
                                  .values(status="queued", tries=0)).rowcount for attempt_id in attempt_ids)

    def count(self, status: str) -> int:
        return int(self._read(select(func.count()).select_from(ATTEMPTS).where(ATTEMPTS.c.status == status))[0][0])

    def claim_next(self) -> Attempt | None:
        """The oldest queued attempt, marked ``grading`` and claimed by this store; exactly one
        claimer gets each attempt, however many threads or processes claim on the database."""
        if time.monotonic() - self._last_beat > BEAT_SECONDS:  # not a write every time the queue is looked at
            self.heartbeat()
        for _ in range(100):  # another claimer won the candidate: look again
            with self._write() as db:
                candidate = (select(ATTEMPTS.c.id).where(ATTEMPTS.c.status == "queued")
                             .order_by(ATTEMPTS.c.id).limit(1))
                if self._skip_locked:
                    candidate = candidate.with_for_update(skip_locked=True)
                row = db.execute(candidate).first()
                if row is None:
                    return None
                won = db.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == row[0], ATTEMPTS.c.status == "queued")
                                 .values(status="grading", tries=ATTEMPTS.c.tries + 1,
                                         claimed_by=self.server_id)).rowcount
            if won == 1:
                return self.attempt(row[0])
        return None

    def heartbeat(self) -> None:
        """Say this store's server is alive (its claimed attempts stay its own)."""
        with self._beat_lock, self._write() as db:
            now = time.time()
            if not db.execute(update(SERVERS).where(SERVERS.c.id == self.server_id).values(seen=now)).rowcount:
                db.execute(SERVERS.insert().values(id=self.server_id, seen=now, host=socket.gethostname(),
                                                   pid=os.getpid()))
            self._last_beat = time.monotonic()

    def requeue_interrupted(self) -> int:
        """Attempts left ``grading`` by a server that stopped or died go back to the queue (at start,
        then now and then); how many. A live server's gradings are left to it."""
        self.heartbeat()
        here = socket.gethostname()
        gone = [row.id for row in self._read(select(SERVERS.c.id, SERVERS.c.pid).where(SERVERS.c.host == here))
                if not _alive(row.pid)]
        with self._write() as db:
            db.execute(SERVERS.delete().where(SERVERS.c.seen < time.time() - STALE_SECONDS))
            if gone:
                db.execute(SERVERS.delete().where(SERVERS.c.id.in_(gone)))
            orphaned = ATTEMPTS.c.claimed_by.is_(None) | ATTEMPTS.c.claimed_by.not_in(select(SERVERS.c.id))
            return db.execute(update(ATTEMPTS).where(ATTEMPTS.c.status == "grading", orphaned)
                              .values(status="queued", claimed_by=None)).rowcount

    def finish(self, attempt_id: int, *, status: str, points: float | None = None,
               max_points: float | None = None, error: str = "", result_json: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._write() as db:
            db.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(
                status=status, points=points, max_points=max_points, error=error, result_json=result_json))

    def close(self) -> None:
        """Leave: this server's heartbeat goes (what it still had claimed is requeued by the next start)."""
        try:
            with self._write() as db:
                db.execute(SERVERS.delete().where(SERVERS.c.id == self.server_id))
        finally:
            self.engine.dispose()


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (a server killed here is known dead at once)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
