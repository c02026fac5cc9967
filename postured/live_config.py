"""Live config: reload on demand or when the file is saved; a bad file changes nothing.

A valid file is applied at once (next reminder recomputed, tray redrawn, history
untouched). An invalid one is rejected as a whole: the daemon keeps its last good
config, shows the located error once as a notification, and reports it in `status`
until a good file is saved.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from postured.config import ConfigError
from postured.config_file import read_config
from postured.i18n import _

log = logging.getLogger("postured")

# Editors write a file in several steps; wait for them to finish before reading.
SETTLE_SECONDS = 0.3
# watchdog wakes its threads this often even with no event (its default is 1 s); events
# still come at once, and the threads are daemons that stop() need not wait for.
OBSERVER_WAKE_SECONDS = 3600


class ConfigKeeper:
    def __init__(self, paths, engine, notifier, load, text: str | None = None):
        self.paths = paths
        self.path: Path = paths.config
        self.error: str | None = None
        self._engine = engine
        self._notifier = notifier
        self._load = load  # paths -> Loaded, or raises ConfigError
        self._text = text  # the text of the config in use (None: the defaults, no file)
        self._lock = threading.Lock()
        self._had_file = self.path.exists()

    def catch_up(self) -> None:
        """Reload if the file differs from what was loaded: an edit saved while the daemon
        started, before the watcher was up, sends no event the watcher could see."""
        try:
            changed = read_config(self.path, required=False) not in (None, self._text)
        except ConfigError:
            changed = True  # unreadable now: reload says why
        if changed:
            log.info("%s changed while postured started; reading it again", self.path)
            self.reload()

    def reload(self) -> str | None:
        """Apply the file (and the imported program) if good; return the located error if not.

        Reading and checking are bounded (a regular file of at most 256 KB) and happen
        before the engine is touched: its lock is taken only to apply a good config.
        """
        with self._lock:
            if not os.path.lexists(self.path) and self._had_file:
                log.info("%s is gone; keeping the current settings", self.path)
                return self.error
            try:
                loaded = self._load(self.paths)
            except ConfigError as exc:
                message = str(exc)
                if message != self.error:
                    log.warning("config not applied, keeping the last good one: %s", message)
                    # Translators: the title of a notification; the located error follows.
                    self._notifier.show(_("postured: config not applied"), message)
                self.error = message
                return message
            if self.error:
                log.info("config is good again")
            self.error = None
            if loaded.text != self._text:
                for warning in loaded.warnings:
                    log.warning("config: %s", warning)
            self._text = loaded.text
            program = getattr(loaded, "program", None)
            if program != self._engine.program:
                self._engine.apply_settings(loaded.settings, loaded.zone, program, catalogue=loaded.catalogue)
                log.info("program %s", f"applied: {program.program.title}" if program else "removed")
            elif loaded.settings != self._engine.settings or loaded.zone != self._engine.zone:
                # The catalogue too: a new [ui] language renames the exercises.
                self._engine.apply_settings(loaded.settings, loaded.zone, catalogue=loaded.catalogue)
                log.info("config applied from %s", self.path)
            return None


def changes(event, target) -> bool:
    """Whether a watchdog event changes the file ``target``. watchdog also reports a file
    opened or closed unwritten: reading the config (as a reload does) is no change, or each
    reload would start the next."""
    if event.event_type in ("opened", "closed_no_write"):
        return False
    return str(target) in {str(event.src_path), str(getattr(event, "dest_path", "") or "")}


class ConfigWatcher:
    """Calls ``keeper.reload`` shortly after the config file changes (inotify, no polling)."""

    def __init__(self, keeper: ConfigKeeper):
        self._keeper = keeper
        self._observer = None
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()

    def start(self) -> None:
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError as exc:
            log.warning("no live config reload (%s); use `postured reload`", exc)
            return
        target = self._keeper.path
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if changes(event, target):
                    watcher._soon()

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._observer = Observer(timeout=OBSERVER_WAKE_SECONDS)
            # The folder, not the file: editors that save by rename replace the file.
            self._observer.schedule(Handler(), str(target.parent), recursive=False)
            self._observer.daemon = True
            self._observer.start()
        except Exception as exc:
            log.warning("cannot watch %s (%s); use `postured reload`", target.parent, exc)
            self._observer = None

    def _soon(self) -> None:
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(SETTLE_SECONDS, self._keeper.reload)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
        if self._observer is not None:
            self._observer.stop()
