"""What the person sees, derived from state: the tray and the reminder's text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import postured.i18n as i18n
from postured.i18n import _, ngettext
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
    """'10:30' today, 'Mon 09:30' on another day, in the person's zone and the locale's
    format ('10:30 AM', 'Mo., 09:30')."""
    local, today = calendar.local(moment), calendar.local(now)
    if local.date() == today.date():
        return i18n.clock(local)
    return i18n.weekday_clock(local)


def today_line(done: int, planned: int) -> str:
    if planned:
        # Translators: a tray menu line; {count} breaks done of {planned} planned today.
        return ngettext("Today: {count} of {planned} done", "Today: {count} of {planned} done",
                        done).format(count=done, planned=planned)
    # Translators: a tray menu line; {count} breaks done today.
    return ngettext("Today: {count} done", "Today: {count} done", done).format(count=done)


def tray_view(
    state: State, calendar: WorkCalendar, now: datetime, names: dict[str, str], today: str = ""
) -> TrayView:
    name = names.get(state.exercise_id or "", state.exercise_id or "")
    shown = display_state(state, calendar, now)
    when = clock(calendar, state.alarm_at, now) if state.alarm_at else None
    if state.away_since is not None:
        # Translators: the tray's status lines are short (a menu line, near the English length);
        # {when} is a time ("10:30", "Mon 09:30"), {name} an exercise's name.
        status = _("Away since {when} — the next break counts from your return").format(
            when=clock(calendar, state.away_since, now))
    elif state.held_by is not None:
        # Translators: {reason} is e.g. "you are in a call".
        status = _("Break held: {reason} — {name}").format(reason=state.held_by.says, name=name)
    elif shown == "due":
        status = _("Break due: {name}").format(name=name)
    elif shown == "snoozed":
        status = _("Snoozed until {when} — {name}").format(when=when, name=name)
    elif shown == "paused":
        status = _("Paused until {when}").format(when=when)
    elif when is None:
        status = _("No work hours ahead")
    elif state.exercise_id is None and shown == "waiting" and _same_day(calendar, state.alarm_at, now):
        # Only a clinician's program leaves nothing planned: every exercise is at its limit for today.
        status = _("Your program's breaks are done for today")
    elif shown == "off_hours":
        status = (_("Off hours — next break {when}, {name}").format(when=when, name=name) if name
                  else _("Off hours — next break {when}").format(when=when))
    else:
        status = (_("Next break {when} — {name}").format(when=when, name=name) if name
                  else _("Next break {when}").format(when=when))
    return TrayView(
        state=shown,
        status=status,
        # Translators: the tray icon's tooltip; {status} is one of the status lines.
        tooltip=_("postured: {status}").format(status=status),
        can_answer=state.phase in (Phase.DUE, Phase.SNOOZED),
        can_break_now=state.phase is not Phase.DUE,
        paused=state.phase is Phase.PAUSED,
        today=today,
    )


def _same_day(calendar: WorkCalendar, moment: datetime, now: datetime) -> bool:
    return calendar.local(moment).date() == calendar.local(now).date()


def _split(value: int | tuple[int, int]) -> tuple[int | None, int]:
    """(low end or None, the count the plural rule goes by: the high end of a range)."""
    return (value[0], value[1]) if isinstance(value, tuple) else (None, value)


def dose(exercise: Exercise) -> str:
    """'Hold 5–10 s · 10 times · each side' — whatever the sources give."""
    parts = []
    if exercise.hold_seconds is not None:
        low, count = _split(exercise.hold_seconds)
        # Translators: a part of a dose; the parts are joined with " · " into one reminder line
        # (at most 42 characters in all); {low}–{count} is a range, "s" is seconds.
        parts.append(_("hold {low}–{count} s").format(low=low, count=count) if low is not None
                     else _("hold {count} s").format(count=count))
    if exercise.repetitions is not None:
        low, count = _split(exercise.repetitions)
        parts.append(ngettext("{low}–{count} time", "{low}–{count} times", count).format(low=low, count=count)
                     if low is not None else ngettext("{count} time", "{count} times", count).format(count=count))
    if exercise.sets is not None:
        low, count = _split(exercise.sets)
        parts.append(ngettext("{low}–{count} set", "{low}–{count} sets", count).format(low=low, count=count)
                     if low is not None else ngettext("{count} set", "{count} sets", count).format(count=count))
    if exercise.per_side:
        parts.append(_("each side"))
    elif exercise.per_direction:
        parts.append(_("each direction"))
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def reminder_title(exercise: Exercise) -> str:
    # Translators: the reminder's title; {name} is the exercise's name.
    return _("Posture break: {name}").format(name=exercise.name)


# What every notification server shows of a body without cutting it (README, "Reminders"):
# GNOME Shell's banner about three lines; dunst's and xfce4-notifyd's default line is 42
# characters (measured: tools/screenshots.py --limits).
BODY_LINES = 3
BODY_LINE_CHARS = 42


def short(text: str, limit: int = BODY_LINE_CHARS) -> str:
    """The text whole if it fits, else cut at a word before ``limit`` with an ellipsis.
    Runs of spaces and newlines become one space; a no-break space (French "genou ;") stays."""
    text = " ".join(re.split(r"[ \t\r\n]+", text.strip(" \t\r\n")))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def reminder_body(exercise: Exercise, today: str = "") -> str:
    """Three short lines every server shows whole: today's dose, one cue, the key caution.
    The full steps and cautions are in the guide window ("Start exercise")."""
    lines = []
    # Translators: a reminder line, at most 42 characters with {dose} (e.g. "hold 5 s · 6 times") in it.
    amount = _("Today: {dose}").format(dose=today) if today else dose(exercise)
    if amount:
        lines.append(short(amount))
    cue = exercise.cue or (exercise.steps[0] if exercise.steps else "")
    if cue:
        lines.append(short(cue))
    caution = exercise.key_caution or (exercise.cautions[0] if exercise.cautions else "")
    if caution:
        lines.append(short(caution))
    return "\n".join(lines[:BODY_LINES])
