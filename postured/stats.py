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

from postured import i18n
from postured.i18n import N_, _, ngettext

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


# Translators: column headings of `postured stats`, above numbers at least 4 digits wide: keep them short.
COLUMNS = ((N_("Done"), "done"), (N_("Too hard"), "too_hard"), (N_("Snoozed"), "snoozed"),
           (N_("Skipped"), "skipped"), (N_("Missed"), "missed"), (N_("Hurt"), "hurt"),
           (N_("Natural"), "natural_break"))
# The catalogue's regions (ids in --json and the config) as a person reads them.
REGIONS = {"neck": N_("neck"), "upper back": N_("upper back"), "shoulders": N_("shoulders"),
           UNKNOWN_REGION: N_("unknown")}


def region_name(region: str) -> str:
    return _(REGIONS[region]) if region in REGIONS else region


def as_text(summary: Summary) -> str:
    """A table a person reads in a terminal."""
    # Translators: the first line of `postured stats`; {first} and {last} are dates, {zone} a time zone
    # like Europe/Berlin, {count} the breaks a day that meet the goal.
    lines = [ngettext("Posture breaks, {first} - {last} ({zone}); goal: {count} done a day",
                      "Posture breaks, {first} - {last} ({zone}); goal: {count} done a day", summary.goal).format(
        first=i18n.day(summary.first), last=i18n.day(summary.today), zone=summary.zone,
        count=i18n.number(summary.goal)), ""]
    titles = [_(title) for title, _key in COLUMNS]
    widths = [max(len(title), 4) for title in titles]
    labels = [_day_label(day.date, summary) for day in summary.days]
    # Translators: the headings of the first and the last column of `postured stats`
    first_title, goal_title, total = _("Day"), _("Goal"), _("Total")
    label_width = max([15, len(first_title) + 1, len(total) + 1] + [len(label) + 1 for label in labels])
    header = f"{first_title:<{label_width}}" + "".join(f"  {title:>{w}}" for title, w in zip(titles, widths))
    lines += [f"{header}  {goal_title}", "-" * (len(header) + 2 + max(len(goal_title), 4))]
    for day, label in zip(summary.days, labels):
        # Translators: the goal column of a day in `postured stats`: goal met, a rest day, today (not met yet)
        mark = _("met") if day.goal_met else (_("rest") if day.rest_day else "")
        if day.date == summary.today and not day.goal_met:
            mark = _("today")
        lines.append(_row(label, day.counts, widths, label_width) + f"  {mark}".rstrip())
    lines.append(lines[3])
    lines.append(_row(total, summary.totals, widths, label_width))
    lines.append("")
    # Translators: {streak} is the sentence about the streak, e.g. "2 days with at least 3 done, since …"
    lines.append(_("Streak: {streak}").format(streak=_streak_text(summary)))
    if summary.totals.done:
        by_region = ", ".join(f"{region_name(region)} {i18n.number(count)}" for region, count in summary.regions.items())
        lines.append(_("Done by region: {regions}").format(regions=by_region))
        lines.append(_("Done by exercise:"))
        lines += [f"  {i18n.number(e.done):>4}  {e.name} ({region_name(e.region)})" for e in summary.exercises]
    elif not summary.has_history:
        lines.append(_("No breaks recorded yet: the history fills as you answer reminders."))
    else:
        lines.append(ngettext("No break done in the last {count} day.", "No break done in the last {count} days.",
                              len(summary.days)).format(count=i18n.number(len(summary.days))))
    return "\n".join(lines)


def _day_label(day: date, summary: Summary) -> str:
    """The weekday and date of a table row; with the year when the period spans two."""
    return i18n.short_day(day) if summary.first.year == summary.today.year else i18n.day(day)


def _row(label: str, counts: Counts, widths: list[int], label_width: int = 15) -> str:
    return f"{label:<{label_width}}" + "".join(
        f"  {i18n.number(getattr(counts, key)):>{w}}" for (_title, key), w in zip(COLUMNS, widths))


def _streak_text(summary: Summary) -> str:
    streak = summary.streak
    if streak.days == 0:
        return ngettext("none yet (a day with at least {count} done starts one)",
                        "none yet (a day with at least {count} done starts one)",
                        summary.goal).format(count=i18n.number(summary.goal))
    values = {"count": i18n.number(streak.days), "goal": i18n.number(summary.goal),
              "first": i18n.short_day(streak.first), "last": i18n.short_day(streak.last)}
    if streak.includes_today:
        # Translators: {count} days in a row, each with at least {goal} breaks done; {first} a date
        text = ngettext("{count} day with at least {goal} done, since {first}, through today",
                        "{count} days with at least {goal} done, since {first}, through today",
                        streak.days).format(**values)
    else:
        # Translators: {count} days in a row, each with at least {goal} breaks done; {first} and {last} dates
        text = ngettext("{count} day with at least {goal} done, since {first}, through {last}",
                        "{count} days with at least {goal} done, since {first}, through {last}",
                        streak.days).format(**values)
    today = summary.days[-1]
    if not streak.includes_today and not today.rest_day:
        left = summary.goal - today.counts.done
        # Translators: after the streak sentence: {count} more breaks done today keep the streak going
        text += " " + ngettext("({count} more today keeps it going)", "({count} more today keeps it going)",
                               left).format(count=i18n.number(left))
    return text
