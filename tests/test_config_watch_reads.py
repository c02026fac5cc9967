"""The config watcher reacts to changes, not to reads. watchdog (5+) also reports a file
opened or closed unwritten, and a reload reads the file: counting reads as changes made
every reload start the next one (a reload every 0.3 s, all day)."""

from __future__ import annotations

from desktop import wait_until
from watchdog.events import (FileClosedEvent, FileClosedNoWriteEvent, FileModifiedEvent, FileMovedEvent,
                             FileOpenedEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from postured.live_config import changes


def test_reading_a_watched_file_is_reported_by_watchdog(tmp_path):
    """Why the filter matters: on this machine a plain read comes as events."""
    config = tmp_path / "postured.toml"
    config.write_text("[schedule]\n")
    seen: list[str] = []

    class Recorder(FileSystemEventHandler):
        def on_any_event(self, event):
            seen.append(event.event_type)

    observer = Observer()
    observer.schedule(Recorder(), str(tmp_path), recursive=False)
    observer.start()
    try:
        config.read_text()
        wait_until(lambda: "opened" in seen and "closed_no_write" in seen, "watchdog's read events")
    finally:
        observer.stop()
        observer.join(5)


def test_only_a_change_of_the_config_counts(tmp_path):
    config = str(tmp_path / "postured.toml")
    other = str(tmp_path / "notes.txt")
    assert not changes(FileOpenedEvent(config), config)
    assert not changes(FileClosedNoWriteEvent(config), config)
    assert changes(FileModifiedEvent(config), config)
    assert changes(FileClosedEvent(config), config)
    assert changes(FileMovedEvent(config + ".tmp", config), config)  # saved by rename
    assert not changes(FileModifiedEvent(other), config)
