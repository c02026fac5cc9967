"""Every reminder shown and every answer, in SQLite.

WAL with synchronous=FULL: each answer is committed and on disk before ``record``
returns, so neither a crash of postured nor a power cut loses an answered event.
Answers come a few times an hour, so the cost of FULL does not matter.
Schema changes are migrations keyed by ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger("postured")

MIGRATIONS = [
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,              -- UTC, ISO 8601
        kind TEXT NOT NULL,            -- shown, done, snoozed, skipped, missed, paused, resumed
        exercise_id TEXT,
        source TEXT NOT NULL,          -- tray, cli, alarm
        detail TEXT
    );
    CREATE INDEX events_at ON events (at);
    """,
]


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    exercise_id: str | None
    source: str
    detail: str | None

    def as_json(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "exercise_id": self.exercise_id,
            "source": self.source,
            "detail": self.detail,
        }


class SqliteHistory:
    """The history database, kept working through storage faults.

    A read-only folder, a full disk or a database locked by another program: the
    events wait in memory, the person is told once, and they are written as soon as
    the fault goes (at the next event). A corrupt file is moved aside with a time
    stamp, never deleted, and a fresh database is started.
    """

    def __init__(self, path: Path, warn: Callable[[str], None] = lambda message: None):
        self.path = path
        self._warn = warn  # tells the person (log and notification), once per fault
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple] = []
        self._fault: str | None = None
        self._flush()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            # What you did and when is private: the file (and SQLite's -wal and -shm,
            # which take its mode) is the user's alone.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        # One connection, used under the engine's lock from whichever thread calls.
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=2000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            migrate(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            if not _is_corrupt(exc):
                raise
            aside = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now():%Y%m%dT%H%M%S}")
            self.path.rename(aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._warn(f"the history database was damaged; it was moved to {aside} and a new one started")
            return self._open()
        return db

    def _flush(self) -> None:
        try:
            if self._db is None:
                self._db = self._open()
            if self._pending:
                # One explicit transaction: all waiting events are written, or none.
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT INTO events (at, kind, exercise_id, source, detail) VALUES (?, ?, ?, ?, ?)",
                        self._pending,
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                    raise
                self._pending.clear()
        except (sqlite3.Error, OSError) as exc:
            if self._db is not None:
                # After a full disk SQLite may keep failing on the same connection.
                self._db.close()
                self._db = None
            reason = str(exc) or type(exc).__name__
            if self._fault is None:
                self._warn(f"cannot write the history at {self.path} ({reason}); "
                           "answers are kept in memory until it works again")
            self._fault = reason
            return
        if self._fault is not None:
            log.info("the history at %s works again", self.path)
            self._fault = None

    def record(self, at: datetime, event) -> None:
        self._pending.append((_utc(at), event.kind, event.exercise_id, event.source, event.detail))
        self._flush()

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        try:
            if self._db is None:
                self._db = self._open()
            return self._db.execute(sql, args).fetchall()
        except (sqlite3.Error, OSError):  # the fault is reported when an event is written
            return []

    def events_since(self, since: datetime) -> list[Event]:
        """Events at or after ``since``, oldest first, including any not yet written."""
        rows = self._query(
            "SELECT at, kind, exercise_id, source, detail FROM events WHERE at >= ? ORDER BY id", (_utc(since),)
        )
        rows += [row for row in self._pending if row[0] >= _utc(since)]
        return [Event(datetime.fromisoformat(at), kind, ex, source, detail) for at, kind, ex, source, detail in rows]

    def count_since(self, since: datetime) -> dict[str, int]:
        counts = dict(self._query("SELECT kind, COUNT(*) FROM events WHERE at >= ? GROUP BY kind", (_utc(since),)))
        for at, kind, *_ in self._pending:  # not yet written, but they happened
            if at >= _utc(since):
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def close(self) -> None:
        if self._pending:
            self._flush()
        if self._db is not None:
            self._db.close()


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def read_events(path: Path, since: datetime) -> list[Event]:
    """Events at or after ``since``, oldest first; [] when there is no history yet."""
    if not path.exists():
        return []
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT at, kind, exercise_id, source, detail FROM events WHERE at >= ? ORDER BY id",
            (_utc(since),),
        ).fetchall()
    except sqlite3.OperationalError:  # a database without our table yet
        return []
    finally:
        db.close()
    return [Event(datetime.fromisoformat(at), kind, ex, source, detail) for at, kind, ex, source, detail in rows]


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
