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

Presence (when the platform can tell idle time): an alarm brings a reading with it, and
where the desktop can watch idle time (X11's SYNC alarms) it says when the person goes
and comes back; elsewhere the core looks between alarms.
Away for ``natural_break`` or longer (or the screen locked) is a natural break: no
reminder while away, a due one counts as missed, and the interval starts again from
the return. A gap (the machine slept, the clock jumped) of that length is one too.
A reminder that falls due while something says "not now" (``holds.Hold``: a call, a
camera, a screen cast, a busy calendar, a fullscreen window, do-not-disturb, a quiet
time) is held and comes once, when the last of them ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Literal

from postured.config import Exercise, Settings
from postured.core import coach, holds, planner, shared
from postured.core.busy import Busy, holding
from postured.core.calendar import WorkCalendar
from postured.core.holds import Hold
from postured.i18n import N_
from postured.core.presence import Presence
from postured.timetext import format_duration, parse_duration

# A wake-up this late means the machine slept or the clock jumped: start a fresh
# interval instead of showing a stale reminder the moment the laptop wakes.
LATE_LIMIT = timedelta(minutes=2)
# While the desktop holds a reminder back (fullscreen, a call...), look again this often:
# the reminder then comes within half a minute of the slides or the call ending.
HOLD_CHECK = timedelta(seconds=30)


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
    check_at: datetime | None = None  # next look at presence (only when it can be read)
    wake_at: datetime | None = None  # the alarm last set: the earlier of alarm_at and check_at
    away_since: datetime | None = None  # the person's last input before a natural break
    held_by: Hold | None = None  # why a reminder whose time came is not shown yet


@dataclass(frozen=True)
class Context:
    settings: Settings
    calendar: WorkCalendar
    eligible: list[Exercise]
    now: datetime  # aware, UTC
    polls_presence: bool = False  # idle time can be read but not watched: look between alarms
    quiet: WorkCalendar | None = None  # the [presence] quiet windows, as a calendar
    past: Sequence[coach.Past] = ()  # recorded events, oldest first: what the coach decides from
    zone: tzinfo = timezone.utc  # the person's, for local days
    emphasis: tuple[tuple[str, float], ...] = ()  # each region's share of the catalogue
    # A clinician's program is followed: its times a day and days a week are never exceeded,
    # so a reminder that only an exercise over its limit could fill does not come.
    within_caps: bool = False
    busy: tuple[Busy, ...] = ()  # the calendars' busy blocks around now

    @property
    def rules(self) -> coach.Rules:
        return replace(rules_of(self.settings), emphasis=self.emphasis)

    @property
    def interval(self) -> timedelta:
        return self.settings.schedule.interval

    @property
    def natural_break(self) -> timedelta:
        return self.settings.presence.natural_break


def rules_of(settings: Settings) -> coach.Rules:
    return coach.Rules(rest_after_hurt_days=settings.exercises.rest_days_after_pain)


# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class AlarmFired:
    presence: Presence | None = None  # read as the alarm fired; None when it cannot be told
    # What the desktop says against showing a reminder now, read only when one is due or
    # held (``wants_holds``); None: not looked at.
    holds: frozenset[Hold] | None = None


@dataclass(frozen=True)
class HoldsChanged:
    """A watcher saw a reason to hold change (do-not-disturb switched off): look again now."""

    presence: Presence | None = None
    holds: frozenset[Hold] | None = None


@dataclass(frozen=True)
class PresenceChanged:
    """The desktop says the person went away (idle reached the natural break) or came back."""

    presence: Presence


@dataclass(frozen=True)
class Woke:
    """The machine woke from sleep (logind) or the clock jumped, ``gap`` long."""

    gap: timedelta
    source: str = "system"


@dataclass(frozen=True)
class ClockStepped:
    """The wall clock was set by ``step`` (negative: back) while no time passed: the
    interval is elapsed time, so every elapsed-time moment moves with the clock."""

    step: timedelta


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
class AnsweredElsewhere:
    """Another of the person's computers recorded an answer (done, skipped, hurt) or a snooze
    at ``at`` (by its clock); it arrived now through the sync folder."""

    kind: str
    at: datetime
    detail: str | None = None  # a snooze's duration, e.g. "10m"
    source: str = "another computer"


@dataclass(frozen=True)
class ApplySettings:
    """The context already carries the new settings."""


@dataclass(frozen=True)
class Quit:
    source: str = "tray"


Command = Start | AlarmFired | HoldsChanged | PresenceChanged | Woke | ClockStepped | Done | Skip | Hurts | TooHard | Snooze | Pause | Resume | BreakNow | AnsweredElsewhere | ApplySettings | Quit


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class ShowReminder:
    exercise_id: str


@dataclass(frozen=True)
class Withdraw:
    """Take the shown reminder off the screen: it was answered, snoozed or missed."""


@dataclass(frozen=True)
class ShowAdvice:
    """Safety notes (catalogue ids) to show: after a pain report, or with a reminder."""

    note_ids: tuple[str, ...]
    title: str = N_("Take care")  # English; translated where shown (engine.py)


@dataclass(frozen=True)
class SetAlarm:
    at: datetime | None


EventKind = Literal[
    "shown", "held", "done", "snoozed", "skipped", "missed", "paused", "resumed", "natural_break", "hurt"
]
TOO_HARD = coach.TOO_HARD  # the detail of a "done" that was too hard


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


Effect = ShowReminder | Withdraw | ShowAdvice | SetAlarm | Record | RefreshTray | Stop


@dataclass(frozen=True)
class Outcome:
    state: State
    effects: list[Effect] = field(default_factory=list)
    refused: str | None = None  # why the command made no sense in this state


# ---------------------------------------------------------------- transitions


def handle(state: State, command: Command, ctx: Context) -> Outcome:
    outcome = _HANDLERS[type(command)](state, command, ctx)
    if state.phase is Phase.DUE and outcome.state.phase is not Phase.DUE and not outcome.refused:
        # Whatever ended the reminder (tray, CLI, notification, an absence), it leaves the screen.
        return replace(outcome, effects=[Withdraw(), *outcome.effects])
    return outcome


def _refuse(state: State, reason: str) -> Outcome:
    """``reason`` stays English (the log); the reply a person reads translates it (remote.py)."""
    return Outcome(state, [], reason)


def _settle(state: State, ctx: Context, records: list[Record], shown: str | None = None) -> Outcome:
    """Every change ends the same way: show, record, set the one alarm, redraw the tray."""
    state = _with_checks(state, ctx)
    effects: list[Effect] = []
    if shown:
        effects.append(ShowReminder(shown))
    effects.extend(records)
    effects += [SetAlarm(state.wake_at), RefreshTray()]
    return Outcome(state, effects)


def _with_checks(state: State, ctx: Context) -> State:
    """Plan the next look at presence, and the alarm: the earlier of the two."""
    check_at = state.check_at
    if state.held_by is None:
        check_at = None
        # Look every half natural break, and only in work time: an absence a little
        # longer than the natural break is then always seen, at 24 looks an hour.
        if ctx.polls_presence and state.phase is not Phase.PAUSED:
            check_at = ctx.calendar.next_start(ctx.now + ctx.natural_break / 2)
    reminder = None if state.held_by else state.alarm_at
    wake_at = min((t for t in (reminder, check_at) if t is not None), default=None)
    return replace(state, check_at=check_at, wake_at=wake_at)


def _wait(state: State, ctx: Context, started: datetime) -> State:
    """A new interval from ``started``, with the exercise it will suggest (None: a program's day is full)."""
    upcoming = coach.pick(ctx.eligible, ctx.past, ctx.now, ctx.zone, ctx.rules)
    alarm_at = planner.next_reminder(ctx.calendar, started, ctx.interval)
    if alarm_at is not None and alarm_at <= ctx.now:
        alarm_at = planner.next_reminder(ctx.calendar, ctx.now, ctx.interval)
    return replace(
        state,
        phase=Phase.WAITING,
        started=started,
        alarm_at=alarm_at,
        exercise_id=None if ctx.within_caps and upcoming.why != coach.FRESH else upcoming.exercise.id,
        shown_at=None,
        until=None,
        away_since=None,
        held_by=None,
    )


def _show(state: State, ctx: Context, exercise_id: str, source: str, detail: str | None = None) -> Outcome:
    shown = replace(
        state,
        phase=Phase.DUE,
        exercise_id=exercise_id,
        shown_at=ctx.now,
        alarm_at=ctx.now + ctx.interval,
        until=None,
        away_since=None,
        held_by=None,
    )
    outcome = _settle(shown, ctx, [Record("shown", exercise_id, source, detail)], shown=exercise_id)
    exercise = next((e for e in ctx.eligible if e.id == exercise_id), None)
    loaded = frozenset(e.id for e in ctx.eligible if coach.is_loaded(e))
    notes = coach.advice_before(exercise, ctx.past, ctx.now, ctx.zone, loaded) if exercise else ()
    if notes:  # shown before the reminder, so the reminder stays on top
        # Translators: the title of a notification of safety notes before a reminder.
        title = N_("Before you start") if "ask-before-starting" in notes else N_("Before strength work")
        outcome.effects.insert(0, ShowAdvice(notes, title))
    return outcome


def _choose(ctx: Context) -> Exercise:
    return coach.choose(ctx.eligible, ctx.past, ctx.now, ctx.zone, ctx.rules)


def _fresh_exercise(state: State, ctx: Context) -> str:
    return _choose(ctx).id


def _unanswered(state: State) -> list[Record]:
    """A due or snoozed reminder that ends without an answer is missed."""
    if state.phase in (Phase.DUE, Phase.SNOOZED):
        return [Record("missed", state.exercise_id, "alarm")]
    return []


def _on_start(state: State, _cmd: Start, ctx: Context) -> Outcome:
    return _settle(_wait(state, ctx, ctx.now), ctx, [])


def _on_alarm(state: State, cmd: AlarmFired, ctx: Context) -> Outcome:
    if state.wake_at is None or ctx.now < state.wake_at:
        # Woken early (a replaced job, a clock set back): just set the alarm again.
        return Outcome(state, [SetAlarm(state.wake_at)])
    late = ctx.now - state.wake_at
    if late > LATE_LIMIT:
        return _after_gap(state, ctx, late)
    if state.phase is Phase.PAUSED:
        return _settle(_wait(state, ctx, ctx.now), ctx, [Record("resumed", None, "alarm")])
    presence = cmd.presence
    if presence is not None and presence.away_for(ctx.natural_break):
        return _gone(state, ctx, presence)
    if presence is not None and state.away_since is not None:
        return _back(state, ctx, presence)
    if state.alarm_at is not None and ctx.now >= state.alarm_at:
        return _reminder_time(state, ctx, presence, cmd.holds)
    return _look_again(state, ctx)


def wants_holds(state: State, now: datetime) -> bool:
    """Should the desktop be asked for reasons to hold? Only when a reminder is due or held,
    never while simply waiting."""
    if state.held_by is not None:
        return True
    return state.phase is not Phase.PAUSED and state.alarm_at is not None and now >= state.alarm_at


def _on_holds_changed(state: State, cmd: HoldsChanged, ctx: Context) -> Outcome:
    if state.held_by is None:
        return Outcome(state, [])  # nothing held: the next reminder looks for itself
    return _reminder_time(state, ctx, cmd.presence, cmd.holds)


def _on_presence(state: State, cmd: PresenceChanged, ctx: Context) -> Outcome:
    if state.phase is Phase.PAUSED:
        return Outcome(state, [])
    if cmd.presence.away_for(ctx.natural_break):
        return _gone(state, ctx, cmd.presence)
    if state.away_since is not None:
        return _back(state, ctx, cmd.presence)
    return Outcome(state, [])


def _look_again(state: State, ctx: Context) -> Outcome:
    """A look at presence that changed nothing: only the next alarm, no redraw."""
    state = _with_checks(state, ctx)
    return Outcome(state, [SetAlarm(state.wake_at)])


def _reminder_time(
    state: State, ctx: Context, presence: Presence | None, sensed: frozenset[Hold] | None = None,
) -> Outcome:
    # A due reminder left a whole interval unanswered ends as missed; a new one follows.
    records = [Record("missed", state.exercise_id, "alarm")] if state.phase is Phase.DUE else []
    if not ctx.calendar.is_work_time(ctx.now):
        return _settle(_wait(state, ctx, ctx.now), ctx, _unanswered(state))
    held = _hold(state, ctx, presence, sensed)
    if held is not None:
        if state.phase is Phase.DUE:
            held = replace(held, phase=Phase.WAITING, exercise_id=_fresh_exercise(state, ctx), shown_at=None)
        if held.held_by is not state.held_by:  # held now, or by another reason than before
            records.append(Record("held", held.exercise_id, "alarm", held.held_by.value))
        return _settle(held, ctx, records)
    # Waiting: the planned exercise; snoozed: the same one again; missed: a new one.
    planned = state.exercise_id if any(e.id == state.exercise_id for e in ctx.eligible) else None
    exercise = _fresh_exercise(state, ctx) if records or planned is None else planned
    if ctx.within_caps and state.phase is not Phase.SNOOZED:
        choice = coach.pick(ctx.eligible, ctx.past, ctx.now, ctx.zone, ctx.rules)
        if choice.why != coach.FRESH:  # every exercise of the program is at its limit today
            return _settle(_wait(state, ctx, ctx.now), ctx, records)
        exercise = choice.exercise.id
    # The shown record names what held it last, if anything did.
    outcome = _show(state, ctx, exercise, "alarm", state.held_by.value if state.held_by else None)
    return Outcome(outcome.state, records + outcome.effects)


def _hold(state: State, ctx: Context, presence: Presence | None, sensed: frozenset[Hold] | None) -> State | None:
    """The state holding the reminder back, or None when it may show now."""
    reasons = set(sensed or ())
    if presence is not None and presence.fullscreen:
        reasons.add(Hold.FULLSCREEN)
    if ctx.quiet is not None and ctx.quiet.is_work_time(ctx.now):
        reasons.add(Hold.QUIET)
    meeting = holding(ctx.busy, ctx.now)
    if meeting is not None:
        reasons.add(Hold.CALENDAR)
    reasons &= holds.enabled(ctx.settings.presence)
    if not reasons:
        return None
    # A quiet window's and a meeting's end are known; the desktop's reasons are looked at
    # again every 30 s.
    ends = {Hold.QUIET: lambda: ctx.quiet.next_edge(ctx.now), Hold.CALENDAR: lambda: meeting.end}
    looks = [ends[r]() if r in ends else ctx.now + HOLD_CHECK for r in reasons]
    check_at = min((t for t in looks if t), default=ctx.now + HOLD_CHECK)
    return replace(state, held_by=holds.first(reasons), check_at=check_at)


def _gone(state: State, ctx: Context, presence: Presence) -> Outcome:
    """The person is away: no reminder until they are back."""
    if state.away_since is not None:
        return _look_again(state, ctx)
    since = ctx.now - presence.idle
    records = _unanswered(state)
    span = ctx.calendar.span_at(ctx.now)
    # An absence that began before today's work started is the night, not a break.
    if span is not None and since >= span[0]:
        detail = "screen locked" if presence.locked else f"away {format_duration(presence.idle)}"
        records.append(Record("natural_break", None, "presence", detail))
    away = replace(
        state, phase=Phase.WAITING, away_since=since, alarm_at=None, shown_at=None, until=None, held_by=None,
    )
    return _settle(away, ctx, records)


def _back(state: State, ctx: Context, presence: Presence) -> Outcome:
    """Back from a natural break: the interval counts from the return."""
    return _settle(_wait(state, ctx, ctx.now - presence.idle), ctx, [])


def _after_gap(state: State, ctx: Context, gap: timedelta) -> Outcome:
    """After sleep or a clock jump: nothing stale, no burst; a fresh interval from now."""
    if state.phase is Phase.PAUSED:
        if state.until is not None and ctx.now < state.until:
            return _settle(state, ctx, [])
        return _settle(_wait(state, ctx, ctx.now), ctx, [Record("resumed", None, "alarm")])
    records = _unanswered(state)
    if gap >= ctx.natural_break and ctx.calendar.is_work_time(ctx.now):
        records.append(Record("natural_break", None, "system", f"asleep {format_duration(gap)}"))
    return _settle(_wait(state, ctx, ctx.now), ctx, records)


def _on_woke(state: State, cmd: Woke, ctx: Context) -> Outcome:
    if cmd.gap > LATE_LIMIT:
        return _after_gap(state, ctx, cmd.gap)
    # A short nap: the scheduler's timer did not run while asleep, so set it again.
    return Outcome(state, [SetAlarm(state.wake_at)])


def _on_clock_step(state: State, cmd: ClockStepped, ctx: Context) -> Outcome:
    """Keep the elapsed time: what was due 20 minutes from now still is, by the new clock.

    Not a gap and not a natural break: no time passed. A pause keeps its end, a wall-clock
    time ("until tomorrow"); a snooze is elapsed time and moves.
    """
    def moved(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment + cmd.step

    until = moved(state.until) if state.phase is Phase.SNOOZED else state.until
    alarm_at = until if state.phase is Phase.PAUSED else moved(state.alarm_at)
    shifted = replace(
        state, started=moved(state.started), shown_at=moved(state.shown_at), alarm_at=alarm_at, until=until,
        check_at=moved(state.check_at), away_since=moved(state.away_since),
    )
    if state.phase is Phase.WAITING and shifted.started is not None and state.away_since is None \
            and state.held_by is None:
        # Planned again from the moved start: the same elapsed interval inside a span, but a
        # reminder counted from the start of a later span stays on that wall-clock start.
        alarm_at = planner.next_reminder(ctx.calendar, shifted.started, ctx.interval)
        if alarm_at is not None and alarm_at <= ctx.now:
            alarm_at = planner.next_reminder(ctx.calendar, ctx.now, ctx.interval)
        shifted = replace(shifted, alarm_at=alarm_at)
    return _settle(shifted, ctx, [])


def _answer(kind: EventKind, detail: str | None = None):
    def on_answer(state: State, cmd: Done | Skip | Hurts | TooHard, ctx: Context) -> Outcome:
        if state.phase not in (Phase.DUE, Phase.SNOOZED):
            return _refuse(state, N_("nothing is due right now"))
        record = Record(kind, state.exercise_id, cmd.source, detail)
        # The coach sees this answer too: a painful exercise is not the next one.
        ctx = replace(ctx, past=[*ctx.past, coach.Past(ctx.now, kind, state.exercise_id, detail)])
        outcome = _settle(_wait(state, ctx, ctx.now), ctx, [record])
        advice = coach.pain_advice(ctx.past, ctx.now, state.exercise_id, ctx.rules) if kind == "hurt" else None
        if advice is not None:
            outcome.effects.insert(0, ShowAdvice(advice.notes))
        return outcome

    return on_answer


def _on_snooze(state: State, cmd: Snooze, ctx: Context) -> Outcome:
    if state.phase not in (Phase.DUE, Phase.SNOOZED):
        return _refuse(state, N_("nothing is due to snooze"))
    duration = cmd.duration or ctx.settings.reminders.snooze[0]
    until = ctx.now + duration
    snoozed = replace(state, phase=Phase.SNOOZED, until=until, alarm_at=until)
    record = Record("snoozed", state.exercise_id, cmd.source, format_duration(duration))
    return _settle(snoozed, ctx, [record])


def _on_pause(state: State, cmd: Pause, ctx: Context) -> Outcome:
    if cmd.duration is not None:
        until = ctx.now + cmd.duration
    else:
        until = planner.pause_until_tomorrow(ctx.calendar, ctx.now)
        if until is None:
            return _refuse(state, N_("there is no work time ahead to pause until"))
    paused = replace(
        state, phase=Phase.PAUSED, until=until, alarm_at=until, shown_at=None, away_since=None, held_by=None,
    )
    record = Record("paused", None, cmd.source, until.isoformat(timespec="seconds"))
    return _settle(paused, ctx, [record])


def _on_resume(state: State, cmd: Resume, ctx: Context) -> Outcome:
    if state.phase is not Phase.PAUSED:
        return _refuse(state, N_("reminders are not paused"))
    return _settle(_wait(state, ctx, ctx.now), ctx, [Record("resumed", None, cmd.source)])


def _on_break_now(state: State, cmd: BreakNow, ctx: Context) -> Outcome:
    if state.phase is Phase.DUE:
        return _refuse(state, N_("a break is already due: mark it done, snooze or skip it"))
    # The planned exercise when waiting, the snoozed one when snoozed.
    planned = state.exercise_id if state.phase in (Phase.WAITING, Phase.SNOOZED) else None
    eligible_ids = {e.id for e in ctx.eligible}
    exercise = planned if planned in eligible_ids else _fresh_exercise(state, ctx)
    if ctx.within_caps and state.phase is not Phase.SNOOZED:
        choice = coach.pick(ctx.eligible, ctx.past, ctx.now, ctx.zone, ctx.rules)
        if choice.why != coach.FRESH:
            return _refuse(state, N_("your program's exercises are all at their limit for today (or resting)"))
        exercise = choice.exercise.id
    return _show(state, ctx, exercise, cmd.source)


def _on_elsewhere(state: State, cmd: AnsweredElsewhere, ctx: Context) -> Outcome:
    """An answer on another computer ends this round here too: a due reminder leaves the
    screen and the next interval counts from that answer (from now, if that computer's clock
    is ahead). A snooze there snoozes a due reminder here until the same time. A pause or a
    resume is for the computer it was given on and is not taken over; nor is anything while
    paused or away here (the return starts the interval), nor an answer of an earlier round
    (``shared.answer_counts``). Nothing is recorded here: the event is the other computer's.
    """
    if state.phase is Phase.PAUSED or state.away_since is not None:
        return Outcome(state, [])
    if not shared.answer_counts(cmd.at, state.started, ctx.now):
        return Outcome(state, [])
    if cmd.kind == shared.SNOOZE:
        if state.phase is not Phase.DUE:
            return Outcome(state, [])  # not due here yet: its own alarm comes in its time
        try:
            duration = parse_duration(cmd.detail or "")
        except (ValueError, OverflowError):
            duration = ctx.settings.reminders.snooze[0]
        duration = min(duration, max(ctx.settings.reminders.snooze))  # never longer than a snooze here
        until = max(min(cmd.at, ctx.now) + duration, ctx.now)
        return _settle(replace(state, phase=Phase.SNOOZED, until=until, alarm_at=until, held_by=None), ctx, [])
    if cmd.kind not in shared.ANSWERS:
        return Outcome(state, [])
    return _settle(_wait(state, ctx, min(cmd.at, ctx.now)), ctx, [])


def _on_settings(state: State, _cmd: ApplySettings, ctx: Context) -> Outcome:
    eligible_ids = {e.id for e in ctx.eligible}
    if state.phase is Phase.WAITING and state.away_since is None and state.held_by is None:
        return _settle(_wait(state, ctx, state.started or ctx.now), ctx, [])
    if state.phase is Phase.DUE and state.shown_at is not None:
        kept = state.exercise_id if state.exercise_id in eligible_ids else _fresh_exercise(state, ctx)
        changed = replace(state, exercise_id=kept, alarm_at=max(state.shown_at + ctx.interval, ctx.now))
        return _settle(changed, ctx, [])
    return _settle(state, ctx, [])


def _on_quit(state: State, _cmd: Quit, _ctx: Context) -> Outcome:
    # A reminder left on screen after the daemon is gone would have dead buttons.
    return Outcome(state, [Withdraw(), Stop()] if state.phase is Phase.DUE else [Stop()])


_HANDLERS = {
    Start: _on_start,
    AlarmFired: _on_alarm,
    HoldsChanged: _on_holds_changed,
    PresenceChanged: _on_presence,
    Woke: _on_woke,
    ClockStepped: _on_clock_step,
    Done: _answer("done"),
    Skip: _answer("skipped"),
    Hurts: _answer("hurt"),
    TooHard: _answer("done", TOO_HARD),
    Snooze: _on_snooze,
    Pause: _on_pause,
    Resume: _on_resume,
    BreakNow: _on_break_now,
    AnsweredElsewhere: _on_elsewhere,
    ApplySettings: _on_settings,
    Quit: _on_quit,
}
