"""What the person sees, derived from state: the tray and the reminder's text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from postured.config import Exercise
from postured.core.calendar import WorkCalendar
from postured.core.machine import Phase, State

TRAY_STATES = ("waiting", "due", "snoozed", "paused", "off_hours")


@dataclass(frozen=True)
class TrayView:
    state: str  # one of TRAY_STATES; names the icon too
    status: str  # the first, inert line of the menu
    tooltip: str
    can_answer: bool  # Done, Snooze, Skip
    can_break_now: bool
    paused: bool  # Resume instead of Pause
    today: str = ""  # "Today: 4 of 9 done"


def display_state(state: State, calendar: WorkCalendar, now: datetime) -> str:
    if state.phase is Phase.WAITING and not calendar.is_work_time(now):
        return "off_hours"
    return state.phase.value


def clock(calendar: WorkCalendar, moment: datetime, now: datetime) -> str:
    """'10:30' today, 'Mon 09:30' on another day, in the person's zone."""
    local, today = calendar.local(moment), calendar.local(now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%a %H:%M")


def today_line(done: int, planned: int) -> str:
    return f"Today: {done} of {planned} done" if planned else f"Today: {done} done"


def tray_view(
    state: State, calendar: WorkCalendar, now: datetime, names: dict[str, str], today: str = ""
) -> TrayView:
    name = names.get(state.exercise_id or "", state.exercise_id or "")
    shown = display_state(state, calendar, now)
    when = clock(calendar, state.alarm_at, now) if state.alarm_at else None
    if state.away_since is not None:
        status = f"Away since {clock(calendar, state.away_since, now)} — the next break counts from your return"
    elif state.held_by is not None:
        status = f"Break held: {state.held_by.says} — {name}"
    elif shown == "due":
        status = f"Break due: {name}"
    elif shown == "snoozed":
        status = f"Snoozed until {when} — {name}"
    elif shown == "paused":
        status = f"Paused until {when}"
    elif when is None:
        status = "No work hours ahead"
    elif state.exercise_id is None and shown == "waiting" and _same_day(calendar, state.alarm_at, now):
        # Only a clinician's program leaves nothing planned: every exercise is at its limit for today.
        status = "Your program's breaks are done for today"
    elif shown == "off_hours":
        status = f"Off hours — next break {when}, {name}" if name else f"Off hours — next break {when}"
    else:
        status = f"Next break {when} — {name}" if name else f"Next break {when}"
    return TrayView(
        state=shown,
        status=status,
        tooltip=f"postured: {status}",
        can_answer=state.phase in (Phase.DUE, Phase.SNOOZED),
        can_break_now=state.phase is not Phase.DUE,
        paused=state.phase is Phase.PAUSED,
        today=today,
    )


def _same_day(calendar: WorkCalendar, moment: datetime, now: datetime) -> bool:
    return calendar.local(moment).date() == calendar.local(now).date()


def _amount(value: int | tuple[int, int] | None, unit: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return f"{value[0]}–{value[1]} {unit}"
    return f"{value} {unit}"


def dose(exercise: Exercise) -> str:
    """'Hold 5–10 s · 10 times · each side' — whatever the sources give."""
    parts = []
    hold = _amount(exercise.hold_seconds, "s")
    if hold:
        parts.append(f"hold {hold}")
    reps = _amount(exercise.repetitions, "times")
    if reps:
        parts.append(reps)
    sets = _amount(exercise.sets, "sets")
    if sets:
        parts.append(sets)
    if exercise.per_side:
        parts.append("each side")
    elif exercise.per_direction:
        parts.append("each direction")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def reminder_title(exercise: Exercise) -> str:
    return f"Posture break: {exercise.name}"


# What every notification server shows of a body without cutting it (README, "Reminders"):
# GNOME Shell's banner about three lines; dunst's and xfce4-notifyd's default line is 42
# characters (measured: tools/screenshots.py --limits).
BODY_LINES = 3
BODY_LINE_CHARS = 42


def short(text: str, limit: int = BODY_LINE_CHARS) -> str:
    """The text whole if it fits, else cut at a word before ``limit`` with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def reminder_body(exercise: Exercise, today: str = "") -> str:
    """Three short lines every server shows whole: today's dose, one cue, the key caution.
    The full steps and cautions are in the guide window ("Start exercise")."""
    lines = []
    amount = f"Today: {today}" if today else dose(exercise)
    if amount:
        lines.append(short(amount))
    cue = exercise.cue or (exercise.steps[0] if exercise.steps else "")
    if cue:
        lines.append(short(cue))
    caution = exercise.key_caution or (exercise.cautions[0] if exercise.cautions else "")
    if caution:
        lines.append(short(caution))
    return "\n".join(lines[:BODY_LINES])
