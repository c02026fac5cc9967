"""Recording fakes for the engine's adapters, and a clock the test moves by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from postured.adapters.history import Event
from postured.catalogue import Catalogue
from postured.config import Settings
from postured.core import machine
from postured.core.presence import Presence
from postured.engine import Engine


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class RecordingAlarm:
    def __init__(self):
        self.at: datetime | None = None

    def set(self, at):
        self.at = at


class RecordingNotifier:
    def __init__(self):
        self.shown: list[tuple[str, str]] = []
        self.images: list[str] = []  # the picture of each reminder
        self.on_screen = False  # a reminder is showing

    def show(self, title, body):
        self.shown.append((title, body))

    def remind(self, title, body, image=""):
        self.shown.append((title, body))
        self.images.append(image)
        self.on_screen = True

    def withdraw(self):
        self.on_screen = False


class RecordingHistory:
    error: str | None = None  # always written
    unsaved = 0

    def __init__(self):
        self.events: list[tuple[datetime, machine.Record]] = []

    def record(self, at, event):
        self.events.append((at, event))

    def events_since(self, since):
        return [Event(at, e.kind, e.exercise_id, e.source, e.detail) for at, e in self.events if at >= since]

    def kinds(self) -> list[str]:
        return [event.kind for _, event in self.events]


class RecordingTray:
    def __init__(self, engine):
        self.engine = engine
        self.views = []

    def refresh(self):
        self.views.append(self.engine.view())


class Rig:
    """An engine wired to fakes; ``fire()`` plays the alarm when it is due."""

    def __init__(self, settings: Settings, catalogue: Catalogue, zone, start: datetime, person=None, program=None):
        self.clock = Clock(start)
        self.person = person(self.clock) if person else None
        self.alarm = RecordingAlarm()
        self.notifier = RecordingNotifier()
        self.history = RecordingHistory()
        self.stopped = False
        self.engine = Engine(settings, catalogue, zone, self.clock, self.alarm, self.notifier,
                             self.history, on_stop=self._stop, presence=self.person, program=program)
        self.tray = RecordingTray(self.engine)
        self.engine.tray = self.tray

    def _stop(self):
        self.stopped = True

    def handle(self, command):
        return self.engine.handle(command)

    def run_until(self, moment: datetime) -> list[datetime]:
        """Fire every alarm up to ``moment``, as the scheduler would; returns when each fired."""
        fired = []
        while self.alarm.at is not None and self.alarm.at <= moment:
            self.clock.now = self.alarm.at
            fired.append(self.clock.now)
            self.engine.handle(machine.AlarmFired())
        self.clock.now = moment
        return fired


class Person:
    """A person at the keyboard, scripted: typing all the time except while away.

    The engine reads it as its presence sensor; times are UTC spans [start, end).
    """

    def __init__(self, clock: Clock, away=(), fullscreen=(), locked=()):
        self.clock = clock
        self.away = list(away)
        self.fullscreen = list(fullscreen)
        self.locked = list(locked)
        self.reads: list[datetime] = []

    @staticmethod
    def _inside(spans, moment):
        return next(((start, end) for start, end in spans if start <= moment < end), None)

    def read(self) -> Presence:
        now = self.clock.now
        self.reads.append(now)
        absence = self._inside(self.away, now)
        return Presence(
            idle=now - absence[0] if absence else timedelta(0),
            fullscreen=self._inside(self.fullscreen, now) is not None,
            locked=self._inside(self.locked, now) is not None,
        )


class Desk:
    """What the desktop says against a reminder (a call, do-not-disturb...), scripted.

    The engine reads it as a hold sensor; ``spans`` maps a Hold to UTC spans [start, end).
    """

    def __init__(self, clock: Clock, spans: dict):
        self.clock = clock
        self.spans = spans
        self.reads: list[tuple[datetime, frozenset]] = []  # when, and what was asked

    def read(self, wanted):
        now = self.clock.now
        self.reads.append((now, wanted))
        return frozenset(reason for reason, spans in self.spans.items()
                         if reason in wanted and Person._inside(spans, now))
