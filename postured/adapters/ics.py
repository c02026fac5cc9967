"""Busy blocks from ICS text: which events say "I am busy then".

Recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides, each event's own TZID) is
left to icalendar and recurring-ical-events; this module only decides which occurrences
are busy:

- free (``TRANSP:TRANSPARENT``, or Outlook's ``X-MICROSOFT-CDO-BUSYSTATUS:FREE``), cancelled
  (``STATUS:CANCELLED``) and declined (the person's own ``ATTENDEE`` says
  ``PARTSTAT=DECLINED``; the person is ``[presence] calendar_email``) events are not;
- an all-day event (a DATE, not a time) is busy only when it says so, ``TRANSP:OPAQUE`` or
  a busy Outlook status: calendars mark holidays and birthdays as all-day events too;
- an event without a zone (floating time) is in the person's zone.

Pure: text and times in, blocks out; the libraries are imported when first used.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from postured.core.busy import Busy

BUSY_STATUS = "X-MICROSOFT-CDO-BUSYSTATUS"
TIMES = ("DTSTART", "DTEND", "RECURRENCE-ID")


class CalendarError(ValueError):
    """The text is no usable calendar; str() names the line and what is wrong."""


def parse(text: str | bytes):
    """The icalendar ``Calendar`` of ``text``, or CalendarError naming the line."""
    import icalendar

    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise CalendarError("not an ICS calendar (no BEGIN:VCALENDAR)")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise CalendarError(_located(text, str(exc))) from None
    for component in calendar.walk():
        for name, problem in getattr(component, "errors", ()):  # what icalendar skipped over
            if name not in TIMES:  # those are told below, with their value
                raise CalendarError(_located(text, str(problem)))
    for event in calendar.walk("VEVENT"):
        for name in TIMES:
            value = event.get(name)
            if value is not None and not isinstance(_dt(value), date):
                raise CalendarError(_located(text, f"{name} {_raw(value)!r} is not a date or time",
                                             f"{name}", _raw(value)))
        if event.get("DTSTART") is None:
            raise CalendarError(_located(text, f"the event {str(event.get('UID', ''))!r} has no DTSTART",
                                         "UID", str(event.get("UID", ""))))
    return calendar


def busy_blocks(calendar, start: datetime, end: datetime, zone: tzinfo, me: str = "") -> list[Busy]:
    """The busy occurrences of ``calendar`` (from ``parse``) that overlap [start, end)."""
    import recurring_ical_events

    try:
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(start, end)
    except Exception as exc:  # the library's own errors (a broken RRULE...) have no common type
        raise CalendarError(f"cannot expand the events: {exc}") from None
    blocks = []
    for event in occurrences:
        span = _span(event, zone)
        if span is not None and span[1] > span[0] and _busy(event, me):
            blocks.append(Busy(span[0], span[1], str(event.get("SUMMARY", "") or "busy")))
    return sorted(blocks)


def _busy(event, me: str) -> bool:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    transparency = str(event.get("TRANSP", "")).upper()
    status = str(event.get(BUSY_STATUS, "")).upper()
    if transparency == "TRANSPARENT" or status == "FREE":
        return False
    if me and _declined(event, me):
        return False
    if not isinstance(event.get("DTSTART").dt, datetime):  # all day: busy only when it says so
        return transparency == "OPAQUE" or status in ("BUSY", "OOF")
    return True


def _declined(event, me: str) -> bool:
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    for attendee in attendees:
        address = str(attendee).lower().removeprefix("mailto:")
        params = getattr(attendee, "params", {})
        if address == me and str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            return True
    return False


def _span(event, zone: tzinfo) -> tuple[datetime, datetime] | None:
    begin = _aware(event.get("DTSTART").dt, zone)
    finish = event.get("DTEND")
    if finish is not None:
        return begin, _aware(finish.dt, zone)
    duration = event.get("DURATION")
    if duration is not None and isinstance(duration.dt, timedelta):
        return begin, begin + duration.dt
    if not isinstance(event.get("DTSTART").dt, datetime):
        return begin, begin + timedelta(days=1)  # RFC 5545: an all-day event lasts its day
    return None  # an instant holds nothing


def _aware(value: date | datetime, zone: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _dt(value):
    """The date or time of a property; None when it is broken (icalendar 7 keeps a
    ``vBroken`` that raises on ``.dt``)."""
    try:
        return value.dt
    except Exception:
        return None


def _raw(value) -> str:
    raw = getattr(value, "to_ical", None)
    try:
        return raw().decode() if raw else str(value)
    except Exception:
        return str(value)


def _located(text: str, message: str, name: str | None = None, value: str | None = None) -> str:
    """``message`` with the line it is about: the named property's, or the quoted text's."""
    lines = text.splitlines()
    wanted = None
    if name is not None and value is not None:
        wanted = lambda line: line.upper().startswith(name) and value in line
    else:
        quoted = re.search(r"'([^']+)'", message)
        if quoted:
            snippet = quoted.group(1).splitlines()[0]
            wanted = lambda line: snippet in line
    for number, line in enumerate(lines, 1):
        if wanted is not None and wanted(line):
            return f"line {number}: {message.splitlines()[0]}"
    return message.splitlines()[0]
