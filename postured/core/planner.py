"""When the next reminder is due.

The rule, in one place: count ``interval`` of work time from the moment the interval
started (start-up, an answer, the end of a pause). If that lands inside the same work
span, before it ends, that is the reminder time. Otherwise the count starts again at the
beginning of the next work span; a span shorter than the interval gets no reminder.
A reminder never falls on the very end of a span: that is when the person stops anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from postured.core.calendar import WorkCalendar


def next_reminder(calendar: WorkCalendar, started: datetime, interval: timedelta) -> datetime | None:
    for span_start, span_end in calendar.spans_from(started):
        candidate = max(span_start, started) + interval
        if candidate < span_end:
            return candidate
    return None


def reminder_times(
    calendar: WorkCalendar, start: datetime, interval: timedelta, count: int
) -> list[datetime]:
    """The next ``count`` reminder times if every reminder is answered the moment it shows."""
    times: list[datetime] = []
    moment = start
    while len(times) < count:
        found = next_reminder(calendar, moment, interval)
        if found is None:
            break
        times.append(found)
        moment = found
    return times


def pause_until_tomorrow(calendar: WorkCalendar, now: datetime) -> datetime | None:
    """The start of the first work span of the next local day (or later)."""
    return calendar.next_start(calendar.start_of_next_day(now))


def planned_between(calendar: WorkCalendar, start: datetime, end: datetime, interval: timedelta) -> int:
    """How many reminders fall in [start, end) if each is answered the moment it shows.

    Counted per work span, not walked one by one: a 2-second test interval would
    otherwise mean 43,200 steps for every redraw of the tray.
    """
    count = 0
    for span_start, span_end in calendar.spans_from(start):
        if span_start >= end:
            break
        whole, rest = divmod(min(span_end, end) - max(span_start, start), interval)
        # reminders at first + k * interval, k >= 1, strictly before the span's end
        count += whole if rest else max(whole - 1, 0)
    return count
