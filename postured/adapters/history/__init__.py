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
from datetime import datetime, timezone
from pathlib import Path

from postured.adapters.history import files, rows
from postured.adapters.history.rows import Event

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


class SqliteHistory:
    """The history database, kept working through storage faults.

    A read-only folder or file, a full disk or a database locked by another program:
    the events wait in memory, the person is told once, ``error`` says why until the
    fault goes, and they are written as soon as it does (at the next event). A damaged
    file, found by any statement, is moved aside with a time stamp (never deleted),
    what is still readable in it is copied over, and a fresh database is started.
    """

    def __init__(self, path: Path, warn: Callable[[str], None] = lambda message: None):
        self.path = path
        self._warn = warn  # tells the person (log and notification), once per fault
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple] = []
        self._fault: str | None = None
        self._flush()

    @property
    def error(self) -> str | None:
        """Why the history cannot be written now (with the remedy where one is known), or None."""
        return self._fault

    @property
    def unsaved(self) -> int:
        """Events kept in memory only: lost if postured stops before the fault goes."""
        return len(self._pending)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            # What you did and when is private: the file (and SQLite's -wal and -shm,
            # which take its mode) is the user's alone.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        files.repair_side_files(self.path)
        # One connection, used under the engine's lock from whichever thread calls.
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=2000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    def _use(self, action: Callable[[sqlite3.Connection], object]):
        """``action(db)`` on the open database; damage found by it (at open, a read or a
        write) moves the file aside once and runs ``action`` again on a fresh one."""
        for fresh in (False, True):
            try:
                if self._db is None:
                    self._db = self._open()
                if fresh:
                    self._write(self._db)  # what was saved from the damaged file comes first
                return action(self._db)
            except sqlite3.DatabaseError as exc:
                if self._db is not None:
                    self._db.close()  # after a damaged page or a full disk it may keep failing
                    self._db = None
                if fresh or not _is_corrupt(exc):
                    raise
                self._set_aside(exc)
        raise AssertionError("unreachable")

    def _set_aside(self, exc: sqlite3.DatabaseError) -> None:
        stamp = f"{self.path.name}.corrupt-{datetime.now():%Y%m%dT%H%M%S}"
        aside = self.path.with_name(stamp)
        for n in range(2, 100):  # rename() would replace an earlier one of the same second
            if not aside.exists():
                break
            aside = self.path.with_name(f"{stamp}-{n}")
        self.path.rename(aside)
        # The -wal may hold committed answers: it goes with its file. The -shm is an index, rebuilt.
        with contextlib.suppress(FileNotFoundError):
            Path(f"{self.path}-wal").rename(f"{aside}-wal")
        Path(f"{self.path}-shm").unlink(missing_ok=True)
        saved = files.salvage(aside)
        self._pending[:0] = saved  # written with the next flush, before the new events
        self._warn(f"the history database was damaged ({exc}); it was moved to {aside} and a new one "
                   f"started with the {len(saved)} events still readable in it")

    def _write(self, db: sqlite3.Connection) -> None:
        if not self._pending:
            return
        # One explicit transaction: all waiting events are written, or none.
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO events (at, kind, exercise_id, source, detail) VALUES (?, ?, ?, ?, ?)",
                self._pending,
            )
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        self._pending.clear()

    def _flush(self) -> None:
        try:
            self._use(self._write)
        except (sqlite3.Error, OSError) as exc:
            if self._db is not None:
                self._db.close()
                self._db = None
            reason = files.explain(exc, self.path)
            if self._fault is None:
                self._warn(f"cannot write the history at {self.path} ({reason}); "
                           "answers are kept in memory until it works again")
            self._fault = reason
            return
        if self._fault is not None:
            log.info("the history at %s works again", self.path)
            self._fault = None

    def record(self, at: datetime, event) -> None:
        """Write the event and return once it is on disk; else keep it (see ``error``)."""
        self._pending.append((_utc(at), event.kind, event.exercise_id, event.source, event.detail))
        self._flush()

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        try:
            return self._use(lambda db: db.execute(sql, args).fetchall())
        except (sqlite3.Error, OSError):  # the fault is reported when an event is written
            return []

    def events_since(self, since: datetime) -> list[Event]:
        """Events at or after ``since``, oldest first, including any not yet written."""
        found = self._query(f"{rows.SELECT} WHERE at >= ? ORDER BY id", (_utc(since),))
        found += [(None, *row) for row in self._pending if row[0] >= _utc(since)]
        return rows.events(found, self.path, log.warning)

    def count_since(self, since: datetime) -> dict[str, int]:
        counts = dict(self._query("SELECT kind, COUNT(*) FROM events WHERE at >= ? GROUP BY kind", (_utc(since),)))
        for at, kind, *_ in self._pending:  # not yet written, but they happened
            if at >= _utc(since):
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def close(self) -> None:
        if self._pending:
            self._flush()
        if self._pending:
            count = len(self._pending)
            log.warning("%d %s could not be written to %s (%s) and %s lost: %s", count,
                        "event" if count == 1 else "events", self.path, self._fault,
                        "is" if count == 1 else "are", ", ".join(f"{kind} at {at}" for at, kind, *_ in self._pending))
        if self._db is not None:
            self._db.close()


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def read_events(path: Path, since: datetime, warn: Callable[[str], None] = log.warning) -> list[Event]:
    """Events at or after ``since``, oldest first; [] when there is no history yet.

    Rows that cannot be read (a time without a zone, a wrong type) are skipped and
    counted in one ``warn`` line. A damaged file raises ``sqlite3.DatabaseError``.
    """
    if not path.exists():
        return []
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        found = db.execute(f"{rows.SELECT} WHERE at >= ? ORDER BY id", (_utc(since),)).fetchall()
    except sqlite3.OperationalError:  # a database without our table yet
        return []
    finally:
        db.close()
    return rows.events(found, path, warn)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
