"""The [presence] calendars: read, kept in memory, refreshed, and turned into busy blocks.

- A file is read at start and again when it changes (watchdog, as the config: no polling).
- A URL is read from its cached copy at start; it is fetched only when a reminder falls
  due (the app calls ``refresh`` before the alarm enters the engine, in the scheduler's
  worker thread, off the engine lock) and its copy is older than ``FRESH``. Reminders fall
  due only in work hours, so feeds are fetched only then, and while simply waiting there
  is no timer at all; the decision uses the copy just fetched.
- A calendar that cannot be read or fetched keeps its last good copy, and says why in
  one warning (again only when the reason changes, and once when it is good again).

Log lines name the file, or the feed as ``calendars[N] (host)``: a feed URL often holds
a secret token. Event titles never reach the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from postured import i18n
from postured.core.busy import Busy
from postured.i18n import _

log = logging.getLogger("postured")

FRESH = timedelta(minutes=15)  # a feed is fetched at most this often
AHEAD = timedelta(days=7)  # busy blocks are expanded this far ahead, and a day back
SETTLE_SECONDS = 0.3  # editors write a file in steps


@dataclass
class Source:
    entry: str  # as written in the config
    label: str  # for people and the log
    calendar: object | None = None  # the last good icalendar.Calendar
    problem: str | None = None
    fetched_at: datetime | None = None  # feeds: when the copy was last vouched for
    tried_at: datetime | None = None  # feeds: the last attempt, good or not

    @property
    def is_feed(self) -> bool:
        return "://" in self.entry

    @property
    def path(self) -> Path:
        return Path(self.entry).expanduser()


def label_of(entry: str, number: int) -> str:
    if "://" not in entry:
        return str(Path(entry).expanduser())
    return f"[presence] calendars[{number}] ({urlsplit(entry).hostname or '?'})"


class Calendars:
    def __init__(self, cache_folder: Path, zone: tzinfo, on_change: Callable[[], None] = lambda: None,
                 warn: Callable[[str], None] = log.warning):
        self._warn = warn  # the daemon's log; a CLI verb's stderr
        self._cache_folder = cache_folder
        self.zone = zone
        self.me = ""
        self.sources: list[Source] = []
        self._on_change = on_change  # e.g. the engine looks again at a held reminder
        self._lock = threading.RLock()
        self._window: tuple[datetime, datetime] | None = None
        self._blocks: tuple[Busy, ...] = ()
        self._watch: _FileWatch | None = None

    # ------------------------------------------------------------ configuration

    def configure(self, presence, zone: tzinfo | None = None) -> None:
        """Take the config's list: files are read, feeds from their cached copies (no network)."""
        with self._lock:
            if zone is not None:
                self.zone = zone
            self.me = presence.calendar_email
            old = {source.entry: source for source in self.sources}
            self.sources = [old.get(entry) or Source(entry, label_of(entry, number))
                            for number, entry in enumerate(presence.calendars)]
            for source in self.sources:
                if source.entry in old:
                    continue
                if source.is_feed:
                    self._load_cached(source)
                else:
                    self._load_file(source)
            self._window = None
        if self._watch is not None:
            self._watch.follow(self.files())

    def files(self) -> list[Path]:
        return [source.path for source in self.sources if not source.is_feed]

    def _cache(self):
        from postured.adapters.ics_feed import FeedCache

        return FeedCache(self._cache_folder)

    def _load_file(self, source: Source) -> None:
        try:
            text = source.path.read_bytes()
        except OSError as exc:
            return self._trouble(source, _("cannot read it ({reason})").format(reason=exc.strerror or exc))
        try:
            source.calendar = _parse(text)
        except ValueError as exc:
            return self._trouble(source, _("not used, {problem}").format(problem=exc))
        self._good(source)

    def _load_cached(self, source: Source) -> None:
        copy = self._cache().cached(source.entry)
        if copy is None:
            return
        try:
            source.calendar = _parse(copy.body)
            source.fetched_at = copy.fetched_at
        except ValueError:
            pass  # a damaged cache: the next fetch replaces it

    # ------------------------------------------------------------ news

    def file_changed(self, path: Path) -> None:
        """A watched file was written: read it again and let the engine look."""
        with self._lock:
            touched = [s for s in self.sources if not s.is_feed and s.path == path]
            for source in touched:
                self._load_file(source)
            self._window = None
        if touched:
            self._on_change()

    def refresh(self, now: datetime) -> bool:
        """Fetch the feeds whose copy is older than FRESH (network: call off the engine lock).
        True when a copy changed."""
        with self._lock:
            due = [s for s in self.sources if s.is_feed and (s.tried_at is None or now - s.tried_at >= FRESH)
                   and (s.fetched_at is None or now - s.fetched_at >= FRESH)]
        if not due:
            return False
        from postured.adapters.ics_feed import FetchError

        changed = False
        for source in due:
            source.tried_at = now
            try:
                copy = self._cache().fetch(source.entry, now, _parse)
            except FetchError as exc:
                if source.calendar is not None and source.fetched_at:
                    fetched = source.fetched_at.astimezone(self.zone)
                    # Translators: {problem} is why the feed could not be fetched; {when} a date and time
                    problem = _("{problem}; using the copy of {when}").format(
                        problem=exc, when=f"{fetched:%Y-%m-%d} {i18n.clock(fetched)}")
                else:
                    problem = _("{problem}; no copy to use yet").format(problem=exc)
                self._trouble(source, problem)
                continue
            with self._lock:
                source.calendar = _parse(copy.body)  # accepted by the cache: it parses
                source.fetched_at = copy.fetched_at
                self._window = None
                changed = True
            self._good(source)
        return changed

    # ------------------------------------------------------------ reading

    def blocks(self, now: datetime) -> tuple[Busy, ...]:
        """The busy blocks from a day back to AHEAD, from memory (expanded again only when
        the window has moved or a calendar changed)."""
        with self._lock:
            if self._window is None or not (self._window[0] <= now - timedelta(hours=1)
                                            and now + timedelta(days=1) <= self._window[1]):
                self._window = (now - timedelta(days=1), now + AHEAD)
                self._blocks = tuple(sorted(self.between(*self._window)))
            return self._blocks

    def between(self, start: datetime, end: datetime) -> list[Busy]:
        from postured.adapters.ics import CalendarError, busy_blocks

        found: list[Busy] = []
        for source in self.sources:
            if source.calendar is None:
                continue
            try:
                found += busy_blocks(source.calendar, start, end, self.zone, self.me)
            except CalendarError as exc:
                self._trouble(source, _("not used, {problem}").format(problem=exc))
        return found

    def problems(self) -> list[str]:
        with self._lock:
            return [_("calendar {label}: {problem}").format(label=s.label, problem=s.problem)
                    for s in self.sources if s.problem]

    def _trouble(self, source: Source, problem: str) -> None:
        if problem != source.problem:
            self._warn(_("calendar {label}: {problem}").format(label=source.label, problem=problem))
        source.problem = problem

    def _good(self, source: Source) -> None:
        if source.problem is not None:
            log.info("calendar %s is good again", source.label)
        source.problem = None

    # ------------------------------------------------------------ watching files

    def start(self) -> None:
        self._watch = _FileWatch(self.file_changed)
        self._watch.follow(self.files())

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.stop()


def _parse(text: bytes):
    from postured.adapters.ics import parse

    return parse(text)


class _FileWatch:
    """Calls ``changed(path)`` shortly after a watched file is written (inotify, no polling).
    Folders are watched, not files: editors that save by rename replace the file."""

    def __init__(self, changed: Callable[[Path], None]):
        self._changed = changed
        self._observer = None
        self._files: set[Path] = set()
        self._folders: dict[Path, object] = {}
        self._timers: dict[Path, threading.Timer] = {}
        self._lock = threading.Lock()

    def follow(self, files: list[Path]) -> None:
        with self._lock:
            self._files = set(files)
            if not files and self._observer is None:
                return  # nothing to watch: no thread
            try:
                self._ensure_observer()
                wanted = {path.parent for path in self._files}
                for folder in set(self._folders) - wanted:
                    self._observer.unschedule(self._folders.pop(folder))
                for folder in wanted - set(self._folders):
                    if folder.is_dir():
                        self._folders[folder] = self._observer.schedule(self._handler, str(folder), recursive=False)
                    else:
                        log.warning("calendar folder %s does not exist; its files are not watched", folder)
            except Exception as exc:  # no inotify watches left, watchdog missing...
                log.warning("cannot watch the calendar files (%s); they are not read again until postured restarts",
                            exc)

    def _ensure_observer(self) -> None:
        if self._observer is not None:
            return
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watch = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in ("opened", "closed_no_write"):  # our own reading of the file
                    return
                for name in (event.src_path, getattr(event, "dest_path", "") or ""):
                    if name and Path(str(name)) in watch._files:
                        watch._soon(Path(str(name)))

        self._handler = Handler()
        self._observer = Observer(timeout=3600)  # watchdog wakes its threads this often with no event (default 1 s)
        self._observer.daemon = True
        self._observer.start()

    def _soon(self, path: Path) -> None:
        with self._lock:
            if path in self._timers:
                self._timers[path].cancel()
            timer = self._timers[path] = threading.Timer(SETTLE_SECONDS, self._changed, (path,))
            timer.daemon = True
            timer.start()

    def stop(self) -> None:
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            if self._observer is not None:
                self._observer.stop()
