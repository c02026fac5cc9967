"""The devices' files in the sync folder, read as they change.

Each file is read from where the last read stopped. A sync engine delivers a file by
writing it beside the old one and renaming it over (a new inode): when the new one still
begins with the bytes already read, only the rest is parsed; otherwise (shorter, or
different) it is read from its start again. Every event is handed on once, by id, however
often its line is read and in however many copies (conflict copies included).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postured.core import shared
from postured.adapters.sync_folder.names import device_of, is_copy


@dataclass
class Place:
    inode: int = 0
    offset: int = 0
    header: shared.Header | None = None
    read: object = field(default_factory=hashlib.sha256)  # a digest of the bytes up to offset


@dataclass
class Device:
    """What is known of one device, for `postured sync status`."""

    id: str
    name: str = ""
    events: int = 0
    last_event: datetime | None = None
    changed: float = 0.0  # its file's modification time (time.time() scale), 0: never seen
    files: set[str] = field(default_factory=set)


class PeerFiles:
    def __init__(self, folder: Path, warn_once: Callable[[str, str | None], None]):
        self.folder = folder
        self._warn_once = warn_once
        self._places: dict[str, Place] = {}
        self.ids: set[str] = set()
        self.devices: dict[str, Device] = {}

    def scan(self) -> list[shared.SharedEvent]:
        """New events of every device file (and copy) in the folder."""
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        found = []
        for name in names:
            found += self.read(self.folder / name)
        return found

    def read(self, path: Path) -> list[shared.SharedEvent]:
        """The events in ``path`` not handed on before; [] for a file that is not a device's."""
        device = device_of(path.name)
        if device is None:
            return []
        key = path.name
        try:
            with open(path, "rb") as source:
                found = os.fstat(source.fileno())
                place = self._places.setdefault(key, Place())
                if found.st_ino != place.inode or found.st_size < place.offset:
                    data = source.read()
                    if hashlib.sha256(data[:place.offset]).digest() != place.read.digest():
                        place.offset, place.header, place.read = 0, None, hashlib.sha256()
                    place.inode, data = found.st_ino, data[place.offset:]
                else:
                    source.seek(place.offset)
                    data = source.read(max(found.st_size - place.offset, 0))
        except FileNotFoundError:
            self._places.pop(key, None)
            return []
        except OSError as exc:
            self._warn_once(f"read {key}", f"cannot read {path} ({exc.strerror or exc}); trying again when it changes")
            return []
        self._warn_once(f"read {key}", None)
        chunk = shared.parse_chunk(data, place.header, device, at_start=place.offset == 0)
        place.offset += chunk.consumed
        place.read.update(data[:chunk.consumed])
        place.header = chunk.header
        self._note(path, key, device, chunk)
        new = [e for e in chunk.events if e.id not in self.ids]
        self.ids.update(e.id for e in new)
        self._count(device, new, chunk.header, found.st_mtime, key)
        return new

    def _note(self, path: Path, key: str, device: str, chunk: shared.Chunk) -> None:
        """One log line for what is odd: each copy, each device's newer format, a file's bad lines."""
        if is_copy(key):
            self._warn_once(f"copy {key}", f"reading the copy {path} a sync engine made (a sync conflict); "
                            "its events count once, with the file's")
        header = chunk.header
        if header is not None and header.format > shared.FORMAT:
            self._warn_once(f"format {device}", f"{path} is written in format {header.format}, newer than this "
                            f"postured's {shared.FORMAT}: reading what this version understands (update postured)")
        if chunk.skipped:
            self._warn_once(f"lines {key}", f"skipped {chunk.skipped} unreadable line(s) in {path}")

    def _count(self, device: str, new: list[shared.SharedEvent], header, mtime: float, key: str) -> None:
        known = self.devices.setdefault(device, Device(device))
        if header is not None and header.name and not is_copy(key):
            known.name = header.name
        known.events += len(new)
        known.files.add(key)
        if not is_copy(key):
            known.changed = max(known.changed, mtime)
        for event in new:
            if known.last_event is None or event.at > known.last_event:
                known.last_event = event.at
