"""History rows as events: each row checked, the unreadable ones skipped and counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from postured.core.shared import aware_time

SELECT = "SELECT id, at, kind, exercise_id, source, detail FROM events"


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


def events(rows: list[tuple], path: Path, warn: Callable[[str], None]) -> list[Event]:
    """The rows ``(id, at, kind, exercise_id, source, detail)`` that read as events; one
    ``warn`` line counts the others, so one bad row never stops the daemon or a report."""
    found, skipped = [], []
    for row_id, *fields in rows:
        try:
            found.append(event(*fields))
        except ValueError as exc:
            skipped.append(f"row {row_id}: {exc}")
    if skipped:
        more = "; …" if len(skipped) > 3 else ""
        warn(f"skipped {len(skipped)} unreadable events in the history {path} ({'; '.join(skipped[:3])}{more})")
    return found


def event(at, kind, exercise_id, source, detail) -> Event:
    """One row as an event; ValueError says what is wrong with it."""
    if not isinstance(at, str):
        raise ValueError(f"time {at!r} is not text")
    moment = aware_time(at)
    if not isinstance(kind, str) or not isinstance(source, str):
        raise ValueError(f"kind {kind!r} or source {source!r} is not text")
    if not all(value is None or isinstance(value, str) for value in (exercise_id, detail)):
        raise ValueError(f"exercise {exercise_id!r} or detail {detail!r} is not text")
    return Event(moment, kind, exercise_id, source, detail)
