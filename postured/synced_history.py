"""The history shared between one person's computers through a synced folder ([sync] folder).

The local SQLite history stays the source of truth for this computer; its events are
copied to this computer's file in the folder, and the other computers' files are read as
they change. The merged view (every event once, by id, ordered by time) is what the coach,
`status`, `stats` and the report see. Only events are shared, never the config.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from postured.adapters.history.rows import Event
from postured.core import shared

log = logging.getLogger("postured")

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def folder_of(settings) -> Path | None:
    folder = settings.sync.folder
    return Path(folder).expanduser() if folder else None


def as_event(e: shared.SharedEvent) -> Event:
    return Event(e.at, e.kind, e.exercise_id, e.source, e.detail)


class SyncedHistory:
    """The engine's history (``engine.History``): SQLite, with every event also written to
    this computer's file in the sync folder and the other computers' events merged in."""

    def __init__(self, history, folder: Path, data: Path):
        from postured.adapters.sync_folder import SyncFolder, device_id

        self._history = history
        self.device = device_id(data)
        self._lock = threading.Lock()
        self._own = shared.with_ids(self.device, history.events_since(EPOCH))
        self._others: list[shared.SharedEvent] = []
        self.folder = SyncFolder(folder, self.device, self._own_events)

    def _own_events(self) -> list[shared.SharedEvent]:
        with self._lock:
            return list(self._own)

    def catch_up(self) -> None:
        """Top up this computer's file and read the others' (before the engine reads the history)."""
        found = self.folder.catch_up()
        with self._lock:
            self._others += found
        log.info("sync: sharing events through %s as device %s (%d event(s) of other computers)",
                 self.folder.folder, self.device, len(found))

    def watch(self, on_news: Callable[[list[shared.SharedEvent]], None]) -> None:
        """Hand the other computers' new events to ``on_news`` as they arrive."""
        def take(events: list[shared.SharedEvent]) -> None:
            with self._lock:
                self._others += events
            on_news(events)

        self.folder.watch(take)

    def record(self, at: datetime, event) -> None:
        self._history.record(at, event)
        moment = at.astimezone(timezone.utc).replace(microsecond=0)  # as the history keeps it
        with self._lock:
            repeat = sum(1 for e in self._own if (e.at, e.kind, e.exercise_id, e.source, e.detail)
                         == (moment, event.kind, event.exercise_id, event.source, event.detail))
            self._own.append(shared.SharedEvent(
                shared.event_id(self.device, moment, event.kind, event.exercise_id, event.source, event.detail,
                                repeat),
                self.device, moment, event.kind, event.exercise_id, event.source, event.detail))
        self.folder.written()

    def events_since(self, since: datetime) -> list[Event]:
        """This computer's events and the others', at or after ``since``, oldest first."""
        with self._lock:
            merged = shared.merge(self._own, self._others)
        return [as_event(e) for e in merged if e.at >= since]

    @property
    def error(self) -> str | None:
        return self._history.error

    @property
    def unsaved(self) -> int:
        return self._history.unsaved

    def close(self) -> None:
        self.folder.stop()
        self._history.close()


def merged_events(paths, settings, since: datetime, warn: Callable[[str], None]) -> list[Event]:
    """For `stats` and `report` (no daemon needed): the local history merged with the
    other computers' files in the sync folder, when one is configured."""
    from postured.adapters.history import read_events

    local = read_events(paths.history, EPOCH, warn=warn)
    folder = folder_of(settings)
    if folder is None:
        return [e for e in local if e.at >= since]
    from postured.adapters.sync_folder import PeerFiles, read_device_id

    device = read_device_id(paths.data) or "this-computer"
    own = shared.with_ids(device, local)
    peers = PeerFiles(folder, lambda key, message: message and warn(f"sync: {message}"))
    others = [e for e in peers.scan() if e.device != device]
    return [as_event(e) for e in shared.merge(own, others) if e.at >= since]
