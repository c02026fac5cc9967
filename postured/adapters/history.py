"""Every reminder shown and every answer, in SQLite.

WAL with synchronous=FULL: each answer is committed and on disk before ``record``
returns, so neither a crash of postured nor a power cut loses an answered event.
Answers come a few times an hour, so the cost of FULL does not matter.
Schema changes are migrations keyed by ``PRAGMA user_version``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

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
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection, used under the engine's lock from whichever thread calls.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=2000")
        migrate(self._db)

    def record(self, at: datetime, event) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO events (at, kind, exercise_id, source, detail) VALUES (?, ?, ?, ?, ?)",
                (_utc(at), event.kind, event.exercise_id, event.source, event.detail),
            )

    def recent_shown(self, limit: int) -> list[str]:
        rows = self._db.execute(
            "SELECT exercise_id FROM events WHERE kind = 'shown' ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [row[0] for row in rows if row[0]]

    def count_since(self, since: datetime) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT kind, COUNT(*) FROM events WHERE at >= ? GROUP BY kind", (_utc(since),)
        )
        return dict(rows.fetchall())

    def close(self) -> None:
        self._db.close()


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
