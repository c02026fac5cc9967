"""Summaries of the history: breaks per local day, the streak, what was exercised.

Pure: a list of events, the time and the zone come in as arguments; nothing here reads
the clock, a file or the catalogue (names arrive as a plain mapping). Standard library only
(and postured.i18n, which loads Babel when the text formats its first date), so
``postured stats`` costs no more than reading the history.

Days are calendar days in the config's zone, from local midnight to local midnight, so a
day can be 23 or 25 hours long across a daylight-saving change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Protocol

from postured.i18n import N_, _

TOO_HARD = "too hard"  # the detail of a "done" that was too hard (postured.core.machine.TOO_HARD)
DEFAULT_DAYS = 7
# Three a day: one each in the morning, around midday and in the afternoon. With the default
# 30-minute interval a work day brings about 13 reminders, so 3 is within reach on a busy
# day, and unlike 1 it still means a habit rather than a single click.
DEFAULT_GOAL = 3
UNKNOWN_REGION = "unknown"
NO_EXERCISE = N_("(no exercise recorded)")


class EventLike(Protocol):
    """What a summary needs of a history event (postured.adapters.history.Event has it)."""

    at: datetime
    kind: str
    exercise_id: str | None
    detail: str | None


@dataclass(frozen=True)
class Counts:
    """Events of one day (or of the period). A "done" that was too hard is also in ``done``."""

    shown: int = 0
    done: int = 0
    too_hard: int = 0
    snoozed: int = 0
    skipped: int = 0
    missed: int = 0
    hurt: int = 0
    natural_break: int = 0

    def as_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


COUNT_KEYS = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class Day:
    date: date
    counts: Counts
    goal_met: bool
    rest_day: bool  # not a work day: it neither extends nor breaks a streak unless its goal is met


@dataclass(frozen=True)
class Streak:
    """Consecutive days with at least ``goal`` done, ending today or, while today has not
    reached the goal yet, yesterday. Rest days in between are passed over."""

    days: int
    includes_today: bool
    first: date | None  # the oldest day of the streak
    last: date | None  # the newest: today or yesterday (or the last work day before a rest day)


@dataclass(frozen=True)
class ExerciseDone:
    id: str | None  # None: a "done" recorded without an exercise
    name: str
    region: str
    done: int


@dataclass(frozen=True)
class Summary:
    first: date
    today: date
    zone: str
    goal: int
    days: tuple[Day, ...]  # oldest first, one per calendar day of the period
    totals: Counts
    streak: Streak
    exercises: tuple[ExerciseDone, ...]  # most done first
    regions: dict[str, int]  # every known region (0 if none done), then "unknown" if any
    has_history: bool  # any event at all among those given, in the period or not


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """Local midnight of ``day`` as an aware UTC datetime.

    Where a zone skips midnight (a DST jump at 00:00), fold=0 resolves it with the offset
    in force before the jump, which lands on the first moment that exists that day.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def period_start(now: datetime, zone: tzinfo, days: int) -> datetime:
    """The first moment of a period of ``days`` local days ending with the day of ``now``."""
    return day_start(local_day(now, zone) - timedelta(days=days - 1), zone)


def summarize(
    events: Iterable[EventLike],
    now: datetime,
    zone: tzinfo,
    days: int = DEFAULT_DAYS,
    goal: int = DEFAULT_GOAL,
    describe: Mapping[str, tuple[str, str]] | None = None,
    rest_days: Iterable[int] = (),
) -> Summary:
    """Everything ``postured stats`` shows.

    ``events``: the history, any order; pass all of it, not just the period, or the
    streak stops at the oldest event given. ``now``: aware. ``describe``: exercise id ->
    (name, region) for the exercises the catalogue still has. ``rest_days``: weekdays
    (0 = Monday) that are not work days.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if days < 1 or goal < 1:
        raise ValueError("days and goal must be 1 or more")
    describe = describe or {}
    rest = frozenset(rest_days)
    today = local_day(now, zone)
    first = today - timedelta(days=days - 1)

    per_day: dict[date, Counter[str]] = {}
    done_per_day: Counter[date] = Counter()
    done_per_exercise: Counter[str | None] = Counter()
    seen_any = False
    for event in events:
        seen_any = True
        day = local_day(event.at, zone)
        if event.kind == "done":
            done_per_day[day] += 1
        if not first <= day <= today:
            continue
        counter = per_day.setdefault(day, Counter())
        if event.kind in COUNT_KEYS:
            counter[event.kind] += 1
        if event.kind == "done":
            done_per_exercise[event.exercise_id] += 1
            if event.detail == TOO_HARD:
                counter["too_hard"] += 1

    shown_days = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        counts = Counts(**per_day.get(day, {}))
        shown_days.append(Day(day, counts, counts.done >= goal, day.weekday() in rest))
    totals = Counts(**{key: sum(getattr(d.counts, key) for d in shown_days) for key in COUNT_KEYS})

    exercises = tuple(sorted(
        (_exercise(exercise_id, count, describe) for exercise_id, count in done_per_exercise.items()),
        key=lambda e: (-e.done, e.name.lower(), e.id or ""),
    ))
    regions = dict.fromkeys((region for _name, region in describe.values()), 0)
    for exercise in exercises:
        regions[exercise.region] = regions.get(exercise.region, 0) + exercise.done

    return Summary(
        first=first, today=today, zone=zone_name(zone), goal=goal, days=tuple(shown_days), totals=totals,
        streak=streak(done_per_day, today, goal, rest), exercises=exercises, regions=regions,
        has_history=seen_any,
    )


def streak(done_per_day: Mapping[date, int], today: date, goal: int, rest_days: Iterable[int] = ()) -> Streak:
    """Count back from today (or from yesterday while today is short of the goal: the day
    is not over, so it does not break the streak). A rest day short of the goal is passed
    over; any other day short of it ends the streak."""
    rest = frozenset(rest_days)
    met = {day for day, count in done_per_day.items() if count >= goal}
    if not met:
        return Streak(0, False, None, None)
    oldest = min(met)
    includes_today = today in met
    day = today if includes_today else today - timedelta(days=1)
    count, first, last = 0, None, None
    while day >= oldest:
        if day in met:
            count += 1
            first = day
            last = last or day
        elif day.weekday() not in rest:
            break
        day -= timedelta(days=1)
    return Streak(count, includes_today, first, last)


def _exercise(exercise_id: str | None, done: int, describe: Mapping[str, tuple[str, str]]) -> ExerciseDone:
    if exercise_id is None:
        return ExerciseDone(None, _(NO_EXERCISE), UNKNOWN_REGION, done)
    name, region = describe.get(exercise_id, (exercise_id, UNKNOWN_REGION))
    return ExerciseDone(exercise_id, name, region, done)


def zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


# ---------------------------------------------------------------- output

# --json names weekdays with these English ids whatever the language or the process's
# LC_TIME (strftime's %a follows it): a status bar or script compares them as ids.
WEEKDAY_IDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def as_json(summary: Summary) -> dict:
    """Stable keys; see the README's ``postured stats --json``."""
    return {
        "period": {"from": summary.first.isoformat(), "to": summary.today.isoformat(),
                   "days": len(summary.days), "timezone": summary.zone},
        "goal": summary.goal,
        "days": [
            {"date": day.date.isoformat(), "weekday": WEEKDAY_IDS[day.date.weekday()], **day.counts.as_json(),
             "goal_met": day.goal_met, "rest_day": day.rest_day}
            for day in summary.days
        ],
        "totals": summary.totals.as_json(),
        "streak": {
            "days": summary.streak.days, "includes_today": summary.streak.includes_today,
            "from": _iso(summary.streak.first), "to": _iso(summary.streak.last),
        },
        "exercises": [
            {"id": e.id, "name": e.name, "region": e.region, "done": e.done} for e in summary.exercises
        ],
        "regions": dict(summary.regions),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def as_text(summary: Summary) -> str:
    """A table a person reads in a terminal, in the person's language (postured.stats_text)."""
    from postured.stats_text import as_text as text_of

    return text_of(summary)
