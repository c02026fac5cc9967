"""This device's own file in the sync folder: append-only, one writer (this computer).

``write`` is handed every event of this device (the local SQLite history is the source of
truth) and appends those the file lacks. It reads the file back only when it is not as this
writer left it (lost, replaced, cut short by a crash, or the folder was away), so a file
can always be rebuilt or topped up and no event is ever written twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from postured.core import shared
from postured.adapters.sync_folder.names import own_file


class OwnLog:
    def __init__(self, folder: Path, device: str, name: str, warn_once: Callable[[str, str], None]):
        self.path = own_file(folder, device)
        self._device, self._name = device, name
        self._warn_once = warn_once  # (key, message): logged once per key until ``_ok(key)``
        self._ids: set[str] = set()
        self._left: tuple[int, int] | None = None  # (inode, size) as this writer left the file
        self.problem: str | None = None

    def write(self, events: Sequence[shared.SharedEvent]) -> int:
        """Make the file hold every one of ``events`` (oldest first); the number appended.
        A folder that is away or cannot be written is said once; the next call tries again."""
        try:
            self._catch_up()
            missing = [e for e in events if e.id not in self._ids]
            if missing or self._left is None or self._left[1] == 0:
                self._append(missing)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.problem = f"cannot write {self.path} ({reason}); this computer's events wait in its own " \
                           "history and are added when it can"
            self._warn_once("write", self.problem)
            self._left = None
            return 0
        if self.problem is not None:
            self.problem = None
            self._warn_once("write", None)
        return len(missing)

    def _catch_up(self) -> None:
        """Read the file back unless it is exactly as this writer left it."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            self._ids, self._left = set(), None
            return
        if self._left == (found.st_ino, found.st_size):
            return
        data = self.path.read_bytes()
        chunk = shared.parse_chunk(data, None, self._device, at_start=True)
        self._ids = {e.id for e in chunk.events}
        if chunk.consumed < len(data):
            # A last line cut short (this computer stopped mid-write): only this writer writes
            # here, so it is cut off; its event is still in the history and written again.
            with open(self.path, "r+b") as out:
                out.truncate(chunk.consumed)
        self._left = (found.st_ino, chunk.consumed)

    def _append(self, events: Sequence[shared.SharedEvent]) -> None:
        # A new or empty file begins with the header (format version, device, host name).
        fresh = self._left is None or self._left[1] == 0
        text = shared.header_line(self._device, self._name) if fresh else ""
        text += "".join(shared.event_line(e) for e in events)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = text.encode()
            while data:  # one write call for a few lines; loop only if the kernel takes part of it
                data = data[os.write(descriptor, data):]
            os.fsync(descriptor)
            found = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        self._ids.update(e.id for e in events)
        self._left = (found.st_ino, found.st_size)
