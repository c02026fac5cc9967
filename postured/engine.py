"""The one door: every tray click, alarm and config change enters through ``handle``.

``handle`` takes one lock, asks the pure core what to do at the current time, and
carries out the effects through small adapter interfaces. Tests drive it with
recording fakes and a clock they set by hand.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from postured.catalogue import Catalogue
from postured.i18n import _, ngettext
from postured.config import WEEKDAYS, Schedule, Settings, eligible
from postured.core import coach, machine, planner, shared, view
from postured.core.busy import Busy
from postured.core.calendar import WorkCalendar
from postured.core.holds import SENSED, Hold, enabled
from postured.core.presence import Presence
from postured.program import Program, rotation
from postured.program_store import status_of

log = logging.getLogger("postured")

PAST_DAYS = timedelta(days=90)


class Alarm(Protocol):
    def set(self, at: datetime | None) -> None:
        """Wake the engine (AlarmFired) at ``at``; replaces any earlier alarm."""


class Notifier(Protocol):
    def show(self, title: str, body: str) -> None:
        """Show a desktop notification; must not block for long, must not raise."""

    def remind(self, title: str, body: str, image: str = "") -> None:
        """Show the reminder, with answer buttons where possible; replaces the last one.
        ``image``: a PNG of the exercise by path, or ""."""

    def withdraw(self) -> None:
        """Take the reminder off the screen: it was answered elsewhere or ended."""


class History(Protocol):
    def record(self, at: datetime, event: machine.Record) -> None:
        """Return once the event is on disk; when it cannot be, keep it and say why in ``error``."""

    def events_since(self, since: datetime) -> list: ...

    @property
    def error(self) -> str | None:
        """Why the history cannot be written now, or None."""

    @property
    def unsaved(self) -> int:
        """Events kept in memory only, until ``error`` goes."""



class Tray(Protocol):
    def refresh(self) -> None: ...


class PresenceSensor(Protocol):
    def read(self) -> Presence | None:
        """Idle time, fullscreen and lock now; None when it cannot be told. Never raises."""


class HoldSensor(Protocol):
    def read(self, wanted: frozenset[Hold]) -> frozenset[Hold]:
        """Which of ``wanted`` hold right now (a call, do-not-disturb...). Never raises."""


class BusySource(Protocol):
    def blocks(self, now: datetime) -> tuple[Busy, ...]:
        """The calendars' busy blocks around ``now``, from memory (no I/O). Never raises."""


class Engine:
    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        zone: tzinfo,
        clock: Callable[[], datetime],
        alarm: Alarm,
        notifier: Notifier,
        history: History,
        on_stop: Callable[[], None] = lambda: None,
        presence: PresenceSensor | None = None,
        holds: tuple[HoldSensor, ...] = (),
        program: Program | None = None,
        calendars: BusySource | None = None,
    ):
        self.lock = threading.RLock()
        self._clock = clock
        self._built_in = Catalogue([e for e in catalogue.exercises if not e.is_custom], catalogue.safety)
        self.program = program
        self.catalogue = catalogue
        self.zone = zone
        self.alarm = alarm
        self.notifier = notifier
        self.history = history
        self.tray: Tray | None = None
        self._on_stop = on_stop
        self.presence = presence  # None: the platform cannot tell idle time
        self.presence_watched = False  # True: the desktop reports going away and coming back
        self.holds = holds  # asked only when a reminder is due or held
        self.calendars = calendars  # likewise
        self.on_settings: Callable[[Settings], None] = lambda settings: None  # e.g. re-arm the idle watch
        # The exercise's picture as a file path ("" for none); app.py draws it on first use.
        self.picture: Callable[[object], str] = lambda exercise: ""
        self._use(settings)
        # What the coach decides from: the last PAST_DAYS of history, kept in memory and
        # added to as events are recorded (a few hundred small records).
        since = clock() - PAST_DAYS
        self.past = [coach.Past(e.at, e.kind, e.exercise_id, e.detail) for e in history.events_since(since)]
        self.state = machine.State()

    def _use(self, settings: Settings) -> None:
        self.settings = settings
        self._own = self._built_in.with_custom(settings)  # the config's own exercises follow it
        self.calendar = WorkCalendar(settings.schedule, self.zone)
        self._own_eligible = eligible(settings, self._own.exercises)
        self._prescribed: list = []
        if self.program is not None:
            # The program's exercises with its limits; they take the place of the config's rotation.
            self._prescribed = rotation(self.program, self._built_in.exercises)
            ids = {e.id for e in self._prescribed}
            self._with_program = Catalogue(
                self._prescribed + [e for e in self._own.exercises if e.id not in ids], self._own.safety)
        self.following = None  # decided by _follow, from the local date
        self._follow(self._clock())
        # The regions' weight in the rotation: the built-in catalogue's, whatever the config adds.
        self.emphasis = coach.emphasis(self._built_in.exercises)
        quiet = settings.presence.quiet
        # Quiet windows apply every day, so they are a calendar of their own.
        self.quiet = WorkCalendar(Schedule(days=list(WEEKDAYS), hours=quiet), self.zone) if quiet else None

    def _follow(self, now: datetime) -> None:
        """The program's rotation from its start day on, else the config's."""
        today = self.calendar.local(now).date()
        following = self.program is not None and self.program.in_force(today)
        if following == self.following:
            return
        self.following = following
        self.catalogue = self._with_program if following else self._own
        self.eligible = self._prescribed if following else self._own_eligible

    def program_status(self) -> dict | None:
        with self.lock:
            return status_of(self.program, self.calendar.local(self._clock()).date())

    def now(self) -> datetime:
        return self._clock()

    def handle(self, command: machine.Command) -> machine.Outcome:
        with self.lock:
            command = self._with_readings(command)
            now = self._clock()
            self._follow(now)
            ctx = machine.Context(
                self.settings, self.calendar, self.eligible, now,
                polls_presence=self.presence is not None and not self.presence_watched,
                quiet=self.quiet, past=self.past, zone=self.zone, emphasis=self.emphasis,
                within_caps=self.following,
                busy=self._busy(command, now),
            )
            outcome = machine.handle(self.state, command, ctx)
            if outcome.refused:
                log.info("%s refused: %s", type(command).__name__, outcome.refused)
                return outcome
            self.state = outcome.state
            for effect in outcome.effects:
                self._perform(effect, now)
            quiet_news = isinstance(command, machine.HoldsChanged | machine.AnsweredElsewhere) and not outcome.effects
            if not isinstance(command, machine.AlarmFired | machine.Quit) and not quiet_news:
                log.info("%s: %s", _describe(command), self._status())
            return outcome

    def _with_readings(self, command: machine.Command) -> machine.Command:
        """An alarm or a watcher's news carries what the desktop says at this moment."""
        if not isinstance(command, machine.AlarmFired | machine.HoldsChanged):
            return command
        if command.presence is None and self.presence:
            command = replace(command, presence=self.presence.read())
        if command.holds is None and machine.wants_holds(self.state, self._clock()):
            wanted = enabled(self.settings.presence) & SENSED
            found: set[Hold] = set()
            for sensor in self.holds if wanted else ():
                found |= sensor.read(wanted) & wanted
            command = replace(command, holds=frozenset(found))
        return command

    def _busy(self, command: machine.Command, now: datetime) -> tuple[Busy, ...]:
        """The busy blocks, for the commands that may hold a reminder (like the desktop's reasons)."""
        if self.calendars is None or Hold.CALENDAR not in enabled(self.settings.presence):
            return ()
        if not isinstance(command, machine.AlarmFired | machine.HoldsChanged):
            return ()
        return self.calendars.blocks(now) if machine.wants_holds(self.state, now) else ()

    def apply_settings(self, settings: Settings, zone: tzinfo | None = None,
                       program: Program | None | object = ..., catalogue: Catalogue | None = None) -> machine.Outcome:
        """Switch to a new, already validated config (and program) without losing state or history.
        ``catalogue``: the built-in catalogue as just read, e.g. in a new ``[ui] language``."""
        with self.lock:
            if zone is not None:
                self.zone = zone
            if catalogue is not None:
                self._built_in = Catalogue([e for e in catalogue.exercises if not e.is_custom], catalogue.safety)
            if program is not ...:
                self.program = program
            self._use(settings)
            self.on_settings(settings)
            return self.handle(machine.ApplySettings())

    def _status(self) -> str:
        names = {e.id: e.name for e in self.catalogue.exercises}
        return view.tray_view(self.state, self.calendar, self._clock(), names).status

    def next_view_change(self) -> datetime | None:
        """When the tray would change with no command: work time starting or ending."""
        with self.lock:
            return self.calendar.next_edge(self._clock())

    def view(self) -> view.TrayView:
        with self.lock:
            self._follow(self._clock())
            names = {e.id: e.name for e in self.catalogue.exercises}
            counts, planned = self.today()
            line = view.today_line(counts["done"], planned)
            if self.history.error is not None:  # the menu must not pretend the answers are kept
                unsaved = self.history.unsaved
                # Translators: a tray menu line; {today} is "Today: 4 of 9 done", {count} answers.
                line = (ngettext("{today} — {count} not saved to disk", "{today} — {count} not saved to disk",
                                 unsaved).format(today=line, count=unsaved) if unsaved
                        else _("{today} — history cannot be written").format(today=line))
            return view.tray_view(self.state, self.calendar, self._clock(), names, line)

    def history_problem(self) -> str | None:
        """Why events are not on disk and how many wait in memory, or None when all are."""
        with self.lock:
            error, unsaved = self.history.error, self.history.unsaved
        if error is None:
            return None
        if not unsaved:
            return error
        # Translators: {error} says why the history cannot be written; {count} events.
        return ngettext("{error}; {count} event is kept in memory only until the history can be written",
                        "{error}; {count} events are kept in memory only until the history can be written",
                        unsaved).format(error=error, count=unsaved)

    def elsewhere(self, events: list[shared.SharedEvent]) -> None:
        """Events another of the person's computers recorded, new to this one (the sync
        folder): the coach, the dose and today's count see them, and the newest answer ends
        the round here too (``machine.AnsweredElsewhere``)."""
        with self.lock:
            since = self._clock() - PAST_DAYS  # as much as the coach keeps of this computer's
            for e in (e for e in events if e.at >= since):
                bisect.insort(self.past, coach.Past(e.at, e.kind, e.exercise_id, e.detail), key=lambda p: p.at)
            answer = shared.latest_answer(events)
            if answer is not None:
                self.handle(machine.AnsweredElsewhere(answer.kind, answer.at, answer.detail))
            elif self.tray is not None:
                self.tray.refresh()

    def dose(self, exercise) -> coach.Dose:
        """Today's step of the exercise's dose, from its history."""
        with self.lock:
            return coach.dose(exercise, self.past, self._clock(), self.zone, machine.rules_of(self.settings))

    def dose_text(self, exercise) -> str:
        return coach.dose_text(exercise, self.dose(exercise))

    def today(self) -> tuple[Counter[str], int]:
        """Events of each kind since local midnight, and how many breaks the day plans.

        Counted from the events kept in memory (``past``), not read back from SQLite:
        the tray asks at every redraw.
        """
        now = self._clock()
        midnight = self.calendar.wall_time(self.calendar.local(now).date(), 0)
        planned = planner.planned_between(
            self.calendar, midnight, self.calendar.start_of_next_day(now), self.settings.schedule.interval
        )
        return Counter(event.kind for event in self.past if event.at >= midnight), planned

    def _picture_of(self, exercise) -> str:
        try:
            return self.picture(exercise)
        except Exception as exc:  # a reminder without its picture is still a reminder
            log.warning("could not draw the picture of %s: %s: %s", exercise.id, type(exc).__name__, exc)
            return ""

    def _perform(self, effect: machine.Effect, now: datetime) -> None:
        try:
            match effect:
                case machine.ShowReminder(exercise_id):
                    exercise = self.catalogue.by_id(exercise_id)
                    if exercise is not None:
                        amount = self.dose_text(exercise)
                        self.notifier.remind(view.reminder_title(exercise), view.reminder_body(exercise, amount),
                                             image=self._picture_of(exercise))
                        log.info("reminder: %s (%s)", exercise.name, amount or "no set dose")
                case machine.Withdraw():
                    self.notifier.withdraw()
                case machine.ShowAdvice(note_ids, title):
                    notes = {note.id: note.text for note in self.catalogue.safety}
                    texts = [notes[i] for i in note_ids if i in notes]
                    if texts:
                        self.notifier.show(_(title), "\n\n".join(texts))
                        log.info("safety notes: %s", ", ".join(note_ids))
                case machine.Record():
                    self.past.append(coach.Past(now, effect.kind, effect.exercise_id, effect.detail))
                    self.history.record(now, effect)
                case machine.SetAlarm(at):
                    self.alarm.set(at)
                    if at is not None:
                        log.debug("next alarm %s", at.astimezone(self.zone).isoformat())
                case machine.RefreshTray():
                    if self.tray is not None:
                        self.tray.refresh()
                case machine.Stop():
                    self._on_stop()
        except Exception as exc:  # an adapter failing must not take the daemon down
            log.warning("could not carry out %s: %s", type(effect).__name__, exc)


def _describe(command: machine.Command) -> str:
    name = type(command).__name__.lower()
    source = getattr(command, "source", None)
    return f"{name} (from {source})" if source else name
