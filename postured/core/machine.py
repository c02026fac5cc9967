"""The reminder lifecycle: state + command + context -> new state + effects.

Phases and what moves between them (every other pair is refused with a reason):

    waiting  --alarm (in work hours)-->  due      --done/skip-->      waiting
    due      --snooze-->                 snoozed  --alarm-->          due
    due      --alarm (one interval on, unanswered: missed)-->         due (next exercise) / waiting
    any      --pause-->                  paused   --resume/alarm-->   waiting
    not due  --break now-->              due

"off hours" is not a phase of its own: it is ``waiting`` while it is not work time,
derived by the view.

Snooze pushes the same reminder back; skip and done end it and start a new interval,
as in Workrave's break model. Pure: the time arrives in the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from postured.config import Exercise, Settings
from postured.core import planner, rotation
from postured.core.calendar import WorkCalendar
from postured.timetext import format_duration

# An alarm this late means the machine slept or the clock jumped: start a fresh
# interval instead of showing a stale reminder the moment the laptop wakes.
LATE_LIMIT = timedelta(minutes=2)


class Phase(StrEnum):
    WAITING = "waiting"
    DUE = "due"
    SNOOZED = "snoozed"
    PAUSED = "paused"


@dataclass(frozen=True)
class State:
    phase: Phase = Phase.WAITING
    alarm_at: datetime | None = None  # when the core next wants to be woken
    exercise_id: str | None = None  # the due, snoozed or next exercise
    started: datetime | None = None  # when the current interval began
    shown_at: datetime | None = None  # when the due reminder was shown
    until: datetime | None = None  # end of a snooze or a pause
    recent: tuple[str, ...] = ()  # exercises shown, most recent first


@dataclass(frozen=True)
class Context:
    settings: Settings
    calendar: WorkCalendar
    eligible: list[Exercise]
    now: datetime  # aware, UTC

    @property
    def interval(self) -> timedelta:
        return self.settings.schedule.interval


# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class AlarmFired:
    pass


@dataclass(frozen=True)
class Done:
    source: str = "tray"


@dataclass(frozen=True)
class Skip:
    source: str = "tray"


@dataclass(frozen=True)
class Hurts:
    """The due exercise hurts: it ends the reminder and rests that exercise."""

    source: str = "tray"


@dataclass(frozen=True)
class TooHard:
    """Done, but too hard: counts as done and steps the exercise's dose back."""

    source: str = "tray"


@dataclass(frozen=True)
class Snooze:
    duration: timedelta | None = None  # None: the first configured choice
    source: str = "tray"


@dataclass(frozen=True)
class Pause:
    duration: timedelta | None = None  # None: until the first work span of tomorrow
    source: str = "tray"


@dataclass(frozen=True)
class Resume:
    source: str = "tray"


@dataclass(frozen=True)
class BreakNow:
    source: str = "tray"


@dataclass(frozen=True)
class ApplySettings:
    """The context already carries the new settings."""


@dataclass(frozen=True)
class Quit:
    source: str = "tray"


Command = Start | AlarmFired | Done | Skip | Hurts | TooHard | Snooze | Pause | Resume | BreakNow | ApplySettings | Quit


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class ShowReminder:
    exercise_id: str


@dataclass(frozen=True)
class SetAlarm:
    at: datetime | None


EventKind = Literal[
    "shown", "done", "snoozed", "skipped", "missed", "paused", "resumed", "natural_break", "hurt"
]
TOO_HARD = "too hard"  # the detail of a "done" that was too hard


@dataclass(frozen=True)
class Record:
    kind: EventKind
    exercise_id: str | None
    source: str
    detail: str | None = None


@dataclass(frozen=True)
class RefreshTray:
    pass


@dataclass(frozen=True)
class Stop:
    pass


Effect = ShowReminder | SetAlarm | Record | RefreshTray | Stop


@dataclass(frozen=True)
class Outcome:
    state: State
    effects: list[Effect] = field(default_factory=list)
    refused: str | None = None  # why the command made no sense in this state


# ---------------------------------------------------------------- transitions


def handle(state: State, command: Command, ctx: Context) -> Outcome:
    handler = _HANDLERS[type(command)]
    return handler(state, command, ctx)


def _refuse(state: State, reason: str) -> Outcome:
    return Outcome(state, [], reason)


def _settle(state: State, records: list[Record], shown: str | None = None) -> Outcome:
    """Every change ends the same way: show, record, set the one alarm, redraw the tray."""
    effects: list[Effect] = []
    if shown:
        effects.append(ShowReminder(shown))
    effects.extend(records)
    effects += [SetAlarm(state.alarm_at), RefreshTray()]
    return Outcome(state, effects)


def _wait(state: State, ctx: Context, started: datetime) -> State:
    """A new interval from ``started``, with the exercise it will suggest."""
    upcoming = rotation.choose(ctx.eligible, state.recent)
    return replace(
        state,
        phase=Phase.WAITING,
        started=started,
        alarm_at=planner.next_reminder(ctx.calendar, started, ctx.interval),
        exercise_id=upcoming.id,
        shown_at=None,
        until=None,
    )


def _show(state: State, ctx: Context, exercise_id: str, source: str) -> Outcome:
    shown = replace(
        state,
        phase=Phase.DUE,
        exercise_id=exercise_id,
        shown_at=ctx.now,
        alarm_at=ctx.now + ctx.interval,
        until=None,
        recent=rotation.remember(state.recent, exercise_id),
    )
    return _settle(shown, [Record("shown", exercise_id, source)], shown=exercise_id)


def _fresh_exercise(state: State, ctx: Context) -> str:
    return rotation.choose(ctx.eligible, state.recent).id


def _on_start(state: State, _cmd: Start, ctx: Context) -> Outcome:
    return _settle(_wait(state, ctx, ctx.now), [])


def _on_alarm(state: State, _cmd: AlarmFired, ctx: Context) -> Outcome:
    if state.alarm_at is None or ctx.now < state.alarm_at:
        # Woken early (a replaced job, a clock set back): just set the alarm again.
        return Outcome(state, [SetAlarm(state.alarm_at)])
    if state.phase is Phase.PAUSED:
        return _settle(_wait(state, ctx, ctx.now), [Record("resumed", None, "alarm")])

    can_show = ctx.calendar.is_work_time(ctx.now) and ctx.now - state.alarm_at <= LATE_LIMIT
    # What ends now: a due reminder left a whole interval unanswered, or a snoozed one
    # that can no longer be shown (work time is over, or the machine slept through it).
    ends_unanswered = state.phase is Phase.DUE or (state.phase is Phase.SNOOZED and not can_show)
    records = [Record("missed", state.exercise_id, "alarm")] if ends_unanswered else []
    if not can_show:
        return _settle(_wait(state, ctx, ctx.now), records)
    # Waiting: the planned exercise; snoozed: the same one again; missed: a new one.
    exercise = _fresh_exercise(state, ctx) if ends_unanswered else state.exercise_id
    outcome = _show(state, ctx, exercise, "alarm")
    return Outcome(outcome.state, records + outcome.effects)


def _answer(kind: EventKind, detail: str | None = None):
    def on_answer(state: State, cmd: Done | Skip | Hurts | TooHard, ctx: Context) -> Outcome:
        if state.phase not in (Phase.DUE, Phase.SNOOZED):
            return _refuse(state, "nothing is due right now")
        record = Record(kind, state.exercise_id, cmd.source, detail)
        return _settle(_wait(state, ctx, ctx.now), [record])

    return on_answer


def _on_snooze(state: State, cmd: Snooze, ctx: Context) -> Outcome:
    if state.phase not in (Phase.DUE, Phase.SNOOZED):
        return _refuse(state, "nothing is due to snooze")
    duration = cmd.duration or ctx.settings.reminders.snooze[0]
    until = ctx.now + duration
    snoozed = replace(state, phase=Phase.SNOOZED, until=until, alarm_at=until)
    record = Record("snoozed", state.exercise_id, cmd.source, format_duration(duration))
    return _settle(snoozed, [record])


def _on_pause(state: State, cmd: Pause, ctx: Context) -> Outcome:
    if cmd.duration is not None:
        until = ctx.now + cmd.duration
    else:
        until = planner.pause_until_tomorrow(ctx.calendar, ctx.now)
        if until is None:
            return _refuse(state, "there is no work time ahead to pause until")
    paused = replace(state, phase=Phase.PAUSED, until=until, alarm_at=until, shown_at=None)
    record = Record("paused", None, cmd.source, until.isoformat(timespec="seconds"))
    return _settle(paused, [record])


def _on_resume(state: State, cmd: Resume, ctx: Context) -> Outcome:
    if state.phase is not Phase.PAUSED:
        return _refuse(state, "reminders are not paused")
    return _settle(_wait(state, ctx, ctx.now), [Record("resumed", None, cmd.source)])


def _on_break_now(state: State, cmd: BreakNow, ctx: Context) -> Outcome:
    if state.phase is Phase.DUE:
        return _refuse(state, "a break is already due: mark it done, snooze or skip it")
    # The planned exercise when waiting, the snoozed one when snoozed.
    planned = state.exercise_id if state.phase in (Phase.WAITING, Phase.SNOOZED) else None
    eligible_ids = {e.id for e in ctx.eligible}
    exercise = planned if planned in eligible_ids else _fresh_exercise(state, ctx)
    return _show(state, ctx, exercise, cmd.source)


def _on_settings(state: State, _cmd: ApplySettings, ctx: Context) -> Outcome:
    eligible_ids = {e.id for e in ctx.eligible}
    if state.phase is Phase.WAITING:
        started = state.started or ctx.now
        replanned = _wait(state, ctx, started)
        if replanned.alarm_at is not None and replanned.alarm_at <= ctx.now:
            replanned = _wait(state, ctx, ctx.now)
        return _settle(replanned, [])
    if state.phase is Phase.DUE and state.shown_at is not None:
        kept = state.exercise_id if state.exercise_id in eligible_ids else _fresh_exercise(state, ctx)
        changed = replace(state, exercise_id=kept, alarm_at=max(state.shown_at + ctx.interval, ctx.now))
        return _settle(changed, [])
    return _settle(state, [])


def _on_quit(state: State, _cmd: Quit, _ctx: Context) -> Outcome:
    return Outcome(state, [Stop()])


_HANDLERS = {
    Start: _on_start,
    AlarmFired: _on_alarm,
    Done: _answer("done"),
    Skip: _answer("skipped"),
    Hurts: _answer("hurt"),
    TooHard: _answer("done", TOO_HARD),
    Snooze: _on_snooze,
    Pause: _on_pause,
    Resume: _on_resume,
    BreakNow: _on_break_now,
    ApplySettings: _on_settings,
    Quit: _on_quit,
}
