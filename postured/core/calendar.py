"""Work hours as absolute time spans, from the weekly schedule and a time zone.

All arithmetic is done on UTC datetimes: Python compares and subtracts two datetimes
that share a tzinfo by wall clock, ignoring the offset, which is wrong across DST.
Window edges are wall-clock times in the person's zone; an edge that does not exist
(02:30 on a spring-forward night) lands an hour later, an edge that happens twice
(02:30 on a fall-back night) takes its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from postured.config import Schedule

UTC = timezone.utc
# Far enough to reach the next work day from any moment; a schedule has at least one day.
HORIZON_DAYS = 9

Span = tuple[datetime, datetime]


class WorkCalendar:
    def __init__(self, schedule: Schedule, zone: tzinfo):
        self.schedule = schedule
        self.zone = zone

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def wall_time(self, day: date, minutes: int) -> datetime:
        """``minutes`` after local midnight of ``day`` on the wall clock, as UTC."""
        local = datetime.combine(day, time(), tzinfo=self.zone) + timedelta(minutes=minutes)
        return local.astimezone(UTC)

    def spans_from(self, moment: datetime) -> Iterator[Span]:
        """Work spans (UTC start, end) that end after ``moment``, earliest first.

        Spans that touch or overlap (24-hour days, a night shift running into the next
        morning's window) are merged, so a reminder can fall across midnight.
        """
        first_day = self.local(moment).date() - timedelta(days=1)
        raw: list[Span] = []
        for offset in range(HORIZON_DAYS + 1):
            day = first_day + timedelta(days=offset)
            for window in self.schedule.hours_for(day.weekday()):
                raw.append((self.wall_time(day, window.start), self.wall_time(day, window.end)))
        raw.sort()
        merged: list[Span] = []
        for start, end in raw:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        for start, end in merged:
            if end > moment and end > start:
                yield start, end

    def span_at(self, moment: datetime) -> Span | None:
        """The work span that contains ``moment`` (start inclusive, end exclusive)."""
        for start, end in self.spans_from(moment):
            return (start, end) if start <= moment else None
        return None

    def is_work_time(self, moment: datetime) -> bool:
        return self.span_at(moment) is not None

    def next_start(self, moment: datetime) -> datetime | None:
        """The first moment at or after ``moment`` that is work time."""
        for start, _end in self.spans_from(moment):
            return max(start, moment)
        return None

    def next_edge(self, moment: datetime) -> datetime | None:
        """The next start or end of work time after ``moment``."""
        for start, end in self.spans_from(moment):
            return start if start > moment else end
        return None

    def start_of_next_day(self, moment: datetime) -> datetime:
        """Local midnight after ``moment``, as UTC."""
        return self.wall_time(self.local(moment).date() + timedelta(days=1), 0)
