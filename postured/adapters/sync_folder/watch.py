"""Watch the sync folder with watchdog (inotify on Linux): no polling, no timer.

The folder itself is watched for its files, and its nearest existing parent for the folder
appearing or going (made, removed, renamed): ``on_file(path)`` for a file created, changed,
moved in or removed, ``on_folder(present)`` when the folder comes, goes or is another one.
inotify says nothing when a file system is mounted or unmounted under a watch (a cloud
folder or a USB disk), so the mount table is watched too: the kernel wakes a ``poll`` on
/proc/self/mountinfo when it changes (a blocking wait, no timeout).
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("postured")


class FolderWatch:
    def __init__(self, folder: Path, on_file: Callable[[Path], None], on_folder: Callable[[bool], None]):
        self.folder = folder
        self._on_file, self._on_folder = on_file, on_folder
        self._observer = None
        self._watches: dict[str, object] = {}
        self._lock = threading.Lock()
        self.present = folder.is_dir()
        self._identity = _identity(folder)
        self._mounts: threading.Thread | None = None
        self._wake_r = self._wake_w = -1

    def start(self) -> bool:
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError as exc:
            log.warning("cannot watch the sync folder (%s): other computers' events are read at start only", exc)
            return False
        watch = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in ("opened", "closed_no_write"):
                    return  # a read is no change
                watch._event(event.event_type, str(event.src_path), str(getattr(event, "dest_path", "") or ""))

        self._handler = Handler()
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()
        self._arm()
        self._watch_mounts()
        return True

    def _watch_mounts(self) -> None:
        try:
            table = open("/proc/self/mountinfo", "rb")
        except OSError:
            return  # not Linux: mounts are not watched
        self._wake_r, self._wake_w = os.pipe()

        def wait() -> None:
            with table:
                table.read()
                poller = select.poll()
                poller.register(table.fileno(), select.POLLPRI | select.POLLERR)
                poller.register(self._wake_r, select.POLLIN)
                while True:
                    woken = dict(poller.poll())
                    if self._wake_r in woken:
                        return
                    table.seek(0)
                    table.read()  # read to the end, or the next poll returns at once
                    self._mounted()

        self._mounts = threading.Thread(target=wait, name="sync-mounts", daemon=True)
        self._mounts.start()

    def _mounted(self) -> None:
        """Something was mounted or unmounted: is the folder still the one watched?"""
        if _identity(self.folder) != self._identity:
            self._refresh()

    def _arm(self, again: bool = False) -> None:
        """Watch the folder (when it is there) and the nearest existing parent of it;
        ``again``: the folder may be a new one by the same name, so watch it anew."""
        with self._lock:
            if again and str(self.folder) in self._watches:
                try:
                    self._observer.unschedule(self._watches.pop(str(self.folder)))
                except Exception:  # already gone with its folder
                    pass
            wanted = {str(_nearest_parent(self.folder))}
            if self.folder.is_dir():
                wanted.add(str(self.folder))
            for path in set(self._watches) - wanted:
                try:
                    self._observer.unschedule(self._watches.pop(path))
                except Exception:  # already gone with its folder
                    pass
            for path in wanted - set(self._watches):
                try:
                    self._watches[path] = self._observer.schedule(self._handler, path, recursive=False)
                except OSError as exc:
                    log.warning("cannot watch %s (%s)", path, exc.strerror or exc)

    def _event(self, kind: str, src: str, dest: str) -> None:
        folder = str(self.folder)
        for path in (src, dest):
            if path and Path(path).parent == self.folder and path != folder:
                self._on_file(Path(path))
        # The folder (or a parent of it) made, removed or renamed; not a file changing inside it.
        touches_folder = kind in ("created", "deleted", "moved") and any(
            p and (p == folder or folder.startswith(p.rstrip("/") + "/")) for p in (src, dest))
        if touches_folder or self.folder.is_dir() != self.present:
            self._refresh()

    def _refresh(self) -> None:
        """Watch what is there now and say so. Looked at again after the watches are set: a
        folder made (or gone) while they were being set would send nothing."""
        while True:
            before = _identity(self.folder), _nearest_parent(self.folder)
            self._arm(again=True)
            if (_identity(self.folder), _nearest_parent(self.folder)) == before:
                break
        self._identity = before[0]
        self.present = self.folder.is_dir()
        self._on_folder(self.present)

    def stop(self) -> None:
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
            if self._mounts is not None:
                self._mounts.join(timeout=2)
            os.close(self._wake_w)
            os.close(self._wake_r)
            self._wake_w = self._wake_r = -1
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)


def _nearest_parent(folder: Path) -> Path:
    parent = folder.parent
    while not parent.is_dir() and parent != parent.parent:
        parent = parent.parent
    return parent


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is there by that name (device, inode), or None."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)
