"""The sync folder: this computer's events out, the other computers' events in.

The folder is kept in sync between one person's computers by a sync engine they already
run (Syncthing, Nextcloud, Dropbox...); postured writes no protocol of its own. Each
computer appends its own events to its own file (``own.OwnLog``) and reads the others'
files when they change (``peers.PeerFiles``, woken by ``watch.FolderWatch``: inotify, no
polling). Every fault (the folder away or read-only, a half-synced line, a conflict copy,
a newer format) is logged once, and none stops the daemon.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from postured.core import shared
from postured.adapters.sync_folder.device import device_id, read_device_id
from postured.adapters.sync_folder.names import device_of, own_file
from postured.adapters.sync_folder.own import OwnLog
from postured.adapters.sync_folder.peers import Device, PeerFiles
from postured.adapters.sync_folder.watch import FolderWatch

log = logging.getLogger("postured")

__all__ = ["SyncFolder", "Device", "PeerFiles", "device_id", "read_device_id", "own_file"]


class SyncFolder:
    def __init__(self, folder: Path, device: str, own_events: Callable[[], Sequence[shared.SharedEvent]],
                 name: str | None = None):
        """``own_events``: every event of this device, oldest first, with ids (from its history)."""
        self.folder = folder
        self.device = device
        self._own_events = own_events
        self._lock = threading.Lock()
        self._said: dict[str, str] = {}
        self.own = OwnLog(folder, device, name or socket.gethostname(), self._warn_once)
        self.peers = PeerFiles(folder, self._warn_once)
        self._on_news: Callable[[list[shared.SharedEvent]], None] = lambda events: None
        self._watch = FolderWatch(folder, self._file_changed, self._folder_changed)

    def _warn_once(self, key: str, message: str | None) -> None:
        """Each fault once, until it goes (``message`` None); then once that it went."""
        if message is None:
            if self._said.pop(key, None) is not None and key == "write":
                log.info("the sync folder %s can be written again", self.folder)
            return
        if key not in self._said:
            log.warning("sync: %s", message)
        self._said[key] = message

    def catch_up(self) -> list[shared.SharedEvent]:
        """Top up this computer's file and read the others' (their events are returned)."""
        if not self.folder.is_dir():
            what = "is not a folder" if self.folder.exists() else "does not exist (yet)"
            self._warn_once("folder", f"the sync folder {self.folder} {what}; it is used as soon as it appears")
        with self._lock:
            return self._catch_up()

    def watch(self, on_news: Callable[[list[shared.SharedEvent]], None]) -> None:
        """From now on ``on_news`` gets the other devices' new events as they arrive (and any
        that came since ``catch_up``)."""
        self._on_news = on_news
        self._watch.start()
        with self._lock:
            new = self._catch_up()
        if new:
            self._hand_on(new)

    def _catch_up(self) -> list[shared.SharedEvent]:
        if not self.folder.is_dir():
            return []
        self.own.write(self._own_events())
        return [e for e in self.peers.scan() if e.device != self.device]

    def written(self) -> None:
        """This computer recorded an event: add it (and any the file still lacks)."""
        if self.folder.is_dir():
            with self._lock:
                self.own.write(self._own_events())

    def _file_changed(self, path: Path) -> None:
        if device_of(path.name) is None:
            return
        with self._lock:
            if path == self.own.path:
                self.own.write(self._own_events())  # a stat when it is as left; else topped up
                return
            new = [e for e in self.peers.read(path) if e.device != self.device]
        if new:
            self._hand_on(new)

    def _folder_changed(self, present: bool) -> None:
        if not present:
            self._warn_once("folder", f"the sync folder {self.folder} is gone (unmounted or removed); "
                            "events are kept in this computer's history and written when it is back")
            return
        if self._said.pop("folder", None) is not None:
            log.info("sync: the sync folder %s is there (again): reading it", self.folder)
        with self._lock:
            new = self._catch_up()
        if new:
            self._hand_on(new)

    def _hand_on(self, events: list[shared.SharedEvent]) -> None:
        try:
            self._on_news(events)
        except Exception as exc:  # the watcher thread must go on
            log.warning("sync: could not take in %d event(s) from other computers: %s", len(events), exc)

    def stop(self) -> None:
        self._watch.stop()
