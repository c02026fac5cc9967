"""Settings that are each valid but together mean no reminder would ever come, or look unmeant.

Work time is laid out on one week of minutes (windows are whole minutes, and every week
repeats), so the checks are plain counting. Clock changes move a span by an hour at most
twice a year; these checks ignore them.
"""

from __future__ import annotations

from datetime import timedelta

from postured.i18n import _
from postured.timetext import format_duration

WEEK = 7 * 1440
# Below these a setting works but cannot be what a person means; they get a warning.
SANE_INTERVAL = timedelta(minutes=5)
SANE_SNOOZE = timedelta(minutes=1)

Problem = tuple[tuple[str, ...], str]  # (where, as a config path; what is wrong)


def nonsense(settings) -> list[Problem]:
    """Errors: combinations under which no reminder can ever come."""
    work = _minutes(lambda day: settings.schedule.hours_for(day))
    problems: list[Problem] = []
    longest = _longest_run(work)
    interval = settings.schedule.interval
    if longest is not None and interval >= timedelta(minutes=longest):
        problems.append((("schedule", "interval"), (
            _("{interval} is not shorter than the longest span of work time ({longest}), so no reminder would "
              "ever come (one falls inside a span, never on its end); shorten it or widen schedule.hours").format(
                interval=format_duration(interval), longest=format_duration(timedelta(minutes=longest))))))
    quiet = settings.presence.quiet
    if quiet:
        hushed = _minutes(lambda day: quiet)
        if all(hushed[minute] for minute in range(WEEK) if work[minute]):
            problems.append((("presence", "quiet"), (
                _("covers all of the work time in schedule.hours, so every reminder would wait forever; "
                  "leave some work time outside the quiet windows"))))
    return problems


def doubtful(settings) -> list[Problem]:
    """Warnings: values that work but are very likely a slip (seconds for minutes)."""
    found: list[Problem] = []
    interval = settings.schedule.interval
    if interval < SANE_INTERVAL:
        found.append((("schedule", "interval"), (
            # Translators: {hint} is empty or ' (did you mean "10m"?)'
            _("{interval} between breaks is very short; {sane} or more is sane{hint}").format(
                interval=format_duration(interval), sane=format_duration(SANE_INTERVAL),
                hint=_minutes_meant(interval)))))
    for choice in settings.reminders.snooze:
        if choice < SANE_SNOOZE:
            found.append((("reminders", "snooze"), (
                _("{snooze} is a very short snooze; {sane} or more is sane{hint}").format(
                    snooze=format_duration(choice), sane=format_duration(SANE_SNOOZE), hint=_minutes_meant(choice)))))
    return found


def _minutes_meant(value: timedelta) -> str:
    """Seconds where minutes were meant ("10s") is the likely slip."""
    seconds = int(value.total_seconds())
    return _(' (did you mean "{minutes}m"?)').format(minutes=seconds) if seconds < 60 else ""


def _minutes(windows_of) -> bytearray:
    """One byte per minute of the week (Monday 00:00 first): 1 inside a window of that day."""
    week = bytearray(WEEK)
    for day in range(7):
        for window in windows_of(day):
            start, end = day * 1440 + window.start, day * 1440 + window.end
            week[start:min(end, WEEK)] = b"\x01" * (min(end, WEEK) - start)
            if end > WEEK:  # Sunday's night window ends on Monday morning
                week[: end - WEEK] = b"\x01" * (end - WEEK)
    return week


def _longest_run(week: bytearray) -> int | None:
    """Minutes of the longest stretch of 1s, around the end of the week; None when endless."""
    if all(week):
        return None
    longest = run = 0
    for minute in week + week:  # twice: a span may run from Sunday night into Monday
        run = run + 1 if minute else 0
        longest = max(longest, run)
    return longest
