"""Coaching rules: which exercise next, how much of it, and what to say after pain.

Every answer is worked out from the past events (oldest first), the time and the zone.

Which exercise (``choose``), in order of weight:
- Nothing reported as hurting in the last 3 days (``Rules.rest_after_hurt_days``). This
  is never overridden; only if every exercise rests does the one whose rest ends first
  come back, marked ``ALL_RESTING`` so the caller can offer a plain break instead.
- Never the one just shown, unless it is the only one left.
- Loaded work (a band, dumbbells or a ball) is done on at most three local days in any
  seven and never on two days in a row, whatever the schedule (seed 002: strengthening
  three days a week on non-consecutive days). A day counts once loaded work was done on
  it; once it counts, more loaded work that day is fine (within the daily caps).
- Each exercise at most its ``times_per_day`` (the high end) a day; once a day for one
  that gives ``days_per_week`` (a session on some days), else twice (``Rules.daily_cap``).
  A suggestion counts when done or left unanswered; a skip or a pain report gives it
  back. One that gives ``days_per_week`` waits once done on that many of the last 7 days.
- Then: a region other than the last one, the region suggested least today for its
  share of the catalogue (``Rules.emphasis``: the upper back has half the catalogue's
  exercises, so it gets about half the breaks where its exercises allow), the region and
  then the exercise suggested longest ago, then an order seeded by the day, so that no two
  days run alike. The first break of a day is never the one yesterday began with, so a
  day's order never repeats yesterday's.
- If everything is capped the reminder still comes: the least used today (``OVER_CAP``).
  Loaded work on its rest day comes only when the config allows nothing but loaded work
  (``STRENGTH_YESTERDAY``).

How much (``dose``): a ladder from a low start to the catalogue's target. Repetitions
rise first (a range from its low end; a single number from about half, at least 2, by two
at a time, by one for small counts), then the hold, then the sets. One step up at a done
once the last change is 7 days old and it was done on 3 of the last 7 days; one step
down for "too hard", for a pain report and for a return after 14 days away.

After pain (``pain_advice``): the ease-off note and the warning signs (see-a-clinician)
the first time ever; the warning signs again at the third report within 7 days, at most
once a week.

Before a reminder (``advice_before``), each safety note at most as often as
``ADVICE_SCHEDULE`` says, replayed from the reminders shown before.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from postured.config import Exercise
from postured.i18n import _, ngettext

TOO_HARD = "too hard"  # the detail of a "done" that was too hard (as in machine.py)
LOADING = frozenset({"band", "dumbbells", "ball"})  # equipment that makes an exercise strength work
STRENGTH_DAYS_PER_WEEK = 3  # seed 002: three times a week, on non-consecutive days
EASE_OFF = "ease-off-with-pain"
SEE_CLINICIAN = "see-a-clinician"

# When each safety note comes with a reminder: (moment, how seldom at most).
# "first" is the very first reminder postured shows (no reminder in the history it keeps);
# "loaded" the first reminder for loaded work on a local day. ``None``: once, ever.
ADVICE_SCHEDULE: dict[str, tuple[str, timedelta | None]] = {
    "ask-before-starting": ("first", None),
    "start-low": ("first", None),
    "warm-up": ("loaded", timedelta(days=1)),
    "light-weights": ("loaded", timedelta(days=7)),
    "strength-days": ("loaded", timedelta(days=7)),
    "build-up-gradually": ("loaded", timedelta(days=7)),
}

# Why ``pick`` chose what it did.
FRESH = "fresh"
OVER_CAP = "over cap"
STRENGTH_YESTERDAY = "strength yesterday"
ALL_RESTING = "all resting"

_LONG_AGO = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Past:
    """One recorded event: shown, done, snoozed, skipped, missed, paused, resumed,
    natural_break or hurt. ``at`` is aware UTC; a "done" with detail "too hard" was too hard."""

    at: datetime
    kind: str
    exercise_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Rules:
    seed: int = 0  # breaks ties, so the order is fixed for a seed
    daily_cap: int = 2  # per exercise and day when the catalogue gives no times_per_day
    rest_after_hurt_days: int = 3
    regular_days: int = 3  # done on this many of the last 7 local days counts as regular
    step_days: int = 7  # local days between one step of the dose and the next
    lapse_days: int = 14  # away this long: one step back on return
    clinician_reports: int = 3  # pain reports within clinician_days that call for the note
    clinician_days: int = 7
    emphasis: tuple[tuple[str, float], ...] = ()  # (region, share of the catalogue); none: equal


@dataclass(frozen=True)
class Choice:
    exercise: Exercise
    why: str  # FRESH, OVER_CAP, STRENGTH_YESTERDAY or ALL_RESTING


@dataclass(frozen=True)
class Dose:
    hold_seconds: int | None
    repetitions: int | None
    sets: int | None
    level: int  # 1 is the first step
    levels: int  # the top step: the catalogue's target


@dataclass(frozen=True)
class PainAdvice:
    exercise_id: str
    notes: tuple[str, ...]  # safety note ids to show now, in order
    rest_until: datetime


# ---------------------------------------------------------------- which exercise


def choose(
    eligible: Sequence[Exercise], past: Sequence[Past], now: datetime, zone: tzinfo, rules: Rules = Rules()
) -> Exercise:
    return pick(eligible, past, now, zone, rules).exercise


def pick(
    eligible: Sequence[Exercise], past: Sequence[Past], now: datetime, zone: tzinfo, rules: Rules = Rules()
) -> Choice:
    """Like ``choose``, and says which rule let it through."""
    if not eligible:
        raise ValueError("no eligible exercise")
    past = [event for event in past if event.at <= now]
    rank = _ranker(rules.seed, _day(now, zone))
    rest = resting(past, now, rules)
    safe = [e for e in eligible if e.id not in rest]
    if not safe:
        return Choice(min(eligible, key=lambda e: (rest[e.id], rank(e.id))), ALL_RESTING)

    facts = _Today(eligible, past, now, zone, dict(rules.emphasis))
    pool = [e for e in safe if e.id != facts.last_shown] or safe
    unloaded = [e for e in pool if not facts.strength_rest(e)]
    ready = [e for e in unloaded if not facts.capped(e, rules)]
    if ready:
        ranked = sorted(ready, key=lambda e: facts.order(e, rank))
        if facts.first_of_day and len(ranked) > 1 and ranked[0].id == facts.yesterday_began:
            return Choice(ranked[1], FRESH)  # never begin the day as yesterday did
        return Choice(ranked[0], FRESH)

    def least_used(exercise: Exercise) -> tuple:
        return (facts.uses[exercise.id], *facts.order(exercise, rank))

    if unloaded:
        return Choice(min(unloaded, key=least_used), OVER_CAP)
    # The same exercise again is better than loaded work on its rest day.
    again = [e for e in safe if not facts.strength_rest(e)]
    if again:
        return Choice(min(again, key=least_used), OVER_CAP)
    return Choice(min(pool, key=least_used), STRENGTH_YESTERDAY)


def daily_cap(exercise: Exercise, rules: Rules = Rules()) -> int:
    if exercise.times_per_day is not None:
        return _high(exercise.times_per_day)
    return 1 if exercise.days_per_week is not None else rules.daily_cap


def is_loaded(exercise: Exercise) -> bool:
    return bool(LOADING & set(exercise.equipment))


def emphasis(catalogue: Sequence[Exercise]) -> tuple[tuple[str, float], ...]:
    """Each region's share of the catalogue's exercises (for ``Rules.emphasis``)."""
    regions = Counter(exercise.region for exercise in catalogue)
    total = sum(regions.values())
    return tuple(sorted((region, count / total) for region, count in regions.items()))


class _Today:
    """What the history says about today and yesterday, read in one pass."""

    def __init__(self, eligible: Sequence[Exercise], past: Sequence[Past], now: datetime, zone: tzinfo,
                 emphasis: dict[str, float]):
        self.region_of = {e.id: e.region for e in eligible}
        self.emphasis = emphasis
        self.zone = zone
        loaded = {e.id for e in eligible if is_loaded(e)}
        self.today = _day(now, zone)
        self.uses: Counter[str] = Counter()  # counted suggestions today, per exercise
        self.region_uses: Counter[str] = Counter()  # suggestions today, per region
        self.last_seen: dict[str, datetime] = {}
        self.region_last: dict[str, datetime] = {}
        self.done_days: dict[str, set[date]] = defaultdict(set)
        self.loaded_days: set[date] = set()  # local days on which loaded work was done
        self.last_shown: str | None = None
        self.yesterday_began: str | None = None  # the first break shown yesterday
        self.first_of_day = True  # nothing shown yet today
        yesterday = self.today - timedelta(days=1)
        open_ = set()  # shown today and not answered yet
        for event in past:
            exercise_id = event.exercise_id
            if exercise_id is None:
                continue
            region = self.region_of.get(exercise_id)
            day = _day(event.at, zone)
            if event.kind == "shown":
                self.last_shown = exercise_id
                self.last_seen[exercise_id] = event.at
                if day == yesterday and self.yesterday_began is None:
                    self.yesterday_began = exercise_id
                self.first_of_day = self.first_of_day and day != self.today
                if region and day == self.today:  # regions take turns within a day
                    self.region_last[region] = event.at
            elif event.kind == "done":
                self.done_days[exercise_id].add(day)
                if exercise_id in loaded:
                    self.loaded_days.add(day)
            if day != self.today:
                continue
            if event.kind == "shown":
                self.uses[exercise_id] += 1
                self.region_uses[region] += 1
                open_.add(exercise_id)
            elif event.kind == "done" and exercise_id not in open_:
                self.uses[exercise_id] += 1  # done without a reminder still counts
            elif event.kind in ("skipped", "hurt") and exercise_id in open_:
                self.uses[exercise_id] -= 1  # not done: the suggestion is given back
            if event.kind in ("done", "skipped", "hurt", "missed"):
                open_.discard(exercise_id)
        self.last_region = self.region_of.get(self.last_shown or "")

    def strength_rest(self, exercise: Exercise) -> bool:
        """Loaded work today would be a second day in a row, or a fourth in seven days."""
        if not is_loaded(exercise) or self.today in self.loaded_days:
            return False
        week_before = {self.today - timedelta(days=back) for back in range(1, 7)}
        yesterday = self.today - timedelta(days=1)
        return yesterday in self.loaded_days or len(self.loaded_days & week_before) >= STRENGTH_DAYS_PER_WEEK

    def capped(self, exercise: Exercise, rules: Rules) -> bool:
        if self.uses[exercise.id] >= daily_cap(exercise, rules):
            return True
        if exercise.days_per_week is None:
            return False
        days = self.done_days[exercise.id]
        week = {self.today - timedelta(days=back) for back in range(7)}
        return self.today not in days and len(days & week) >= _high(exercise.days_per_week)

    def order(self, exercise: Exercise, rank: Callable[[str], bytes]) -> tuple:
        region = exercise.region
        share = self.emphasis.get(region, 1.0) if self.emphasis else 1.0
        return (
            region == self.last_region,
            self.region_uses[region] / share if share else float("inf"),
            self.region_last.get(region, _LONG_AGO),
            self.uses[exercise.id],
            # The day it was last suggested, not the moment: ties among yesterday's go to the
            # day's own order, so a day does not replay the one before.
            self.last_seen[exercise.id].astimezone(self.zone).date() if exercise.id in self.last_seen else date.min,
            rank(exercise.id),
        )


def _ranker(seed: int, day: date) -> Callable[[str], bytes]:
    # A stable hash (str hash() changes per process), so a seed means the same order everywhere;
    # the day in it gives each day its own order of ties.
    return lambda exercise_id: hashlib.blake2b(f"{seed}:{day}:{exercise_id}".encode(), digest_size=8).digest()


# ---------------------------------------------------------------- pain


def resting(past: Sequence[Past], now: datetime, rules: Rules = Rules()) -> dict[str, datetime]:
    """Exercises reported as hurting, and when their rest ends (later than ``now``)."""
    rest = timedelta(days=rules.rest_after_hurt_days)
    until: dict[str, datetime] = {}
    for event in past:
        if event.kind == "hurt" and event.exercise_id and event.at <= now:
            until[event.exercise_id] = max(until.get(event.exercise_id, _LONG_AGO), event.at + rest)
    return {exercise_id: end for exercise_id, end in until.items() if end > now}


def pain_advice(
    past: Sequence[Past], now: datetime, exercise_id: str, rules: Rules = Rules()
) -> PainAdvice | None:
    """The notes to show for a pain report about ``exercise_id`` made at ``now``.

    ``past`` may hold that report as a "hurt" at ``now`` or not yet; it should hold every
    earlier pain report ("the first time ever" is read from it). None: nothing new to say.
    """
    earlier = [e for e in past if e.kind == "hurt" and e.at <= now]
    hurts = [e.at for e in earlier if not (e.at == now and e.exercise_id == exercise_id)] + [now]
    window = timedelta(days=rules.clinician_days)
    advised: datetime | None = None
    for index, moment in enumerate(hurts):
        recent = sum(1 for earlier in hurts[: index + 1] if moment - earlier < window)
        if recent >= rules.clinician_reports and (advised is None or moment - advised >= window):
            advised = moment
    first = len(hurts) == 1
    notes = ((EASE_OFF,) if first else ()) + ((SEE_CLINICIAN,) if first or advised == now else ())
    if not notes:
        return None
    return PainAdvice(exercise_id, notes, now + timedelta(days=rules.rest_after_hurt_days))


def when_shown(note_id: str) -> str:
    """When postured shows a safety note, in words (``postured safety``)."""
    if note_id == EASE_OFF:
        return _('after your first "This hurts"')
    if note_id == SEE_CLINICIAN:
        days = Rules().clinician_days
        return ngettext('in every exercise window; after your first "This hurts", and again at a third report '
                        "within {count} day, at most once a week",
                        'in every exercise window; after your first "This hurts", and again at a third report '
                        "within {count} days, at most once a week", days).format(count=days)
    moment, period = ADVICE_SCHEDULE.get(note_id, ("", None))
    if moment == "first":
        return _("with the first reminder")
    if moment == "loaded":
        if period == timedelta(days=1):
            return _("before strength work with a band, dumbbells or a ball, once a day")
        days = period.days if period is not None else 0
        return ngettext("before strength work with a band, dumbbells or a ball, at most once in {count} day",
                        "before strength work with a band, dumbbells or a ball, at most once in {count} days",
                        days).format(count=days)
    return _("only here")


def advice_before(
    exercise: Exercise, past: Sequence[Past], now: datetime, zone: tzinfo, loaded_ids: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The safety notes to show with a reminder for ``exercise`` at ``now`` (ids, in order).

    Worked out from the reminders shown before (nothing is stored for it): "first" notes
    come with the first reminder the history holds; "loaded" notes with a reminder for
    loaded work when none came within their period, replayed from the earlier loaded
    reminders (``loaded_ids``: the ids of loaded exercises, the catalogue's and the config's).
    """
    shown = [event for event in past if event.kind == "shown" and event.at < now]
    moments = {"first": not shown, "loaded": is_loaded(exercise)}
    loaded_days = [_day(event.at, zone) for event in shown if event.exercise_id in loaded_ids]
    today = _day(now, zone)
    notes = []
    for note_id, (moment, period) in ADVICE_SCHEDULE.items():
        if not moments[moment]:
            continue
        if moment == "first" or _due_again(loaded_days, today, period):
            notes.append(note_id)
    return tuple(notes)


def _due_again(days: list[date], today: date, period: timedelta | None) -> bool:
    """Would a note given on the first of ``days`` and then whenever ``period`` had passed be due today?"""
    last: date | None = None
    for day in days:
        if last is None or (period is not None and day - last >= period):
            last = day
    return last is None or (period is not None and today - last >= period)


# ---------------------------------------------------------------- how much


def ladder(exercise: Exercise) -> list[Dose]:
    """Every step from the first to the catalogue's target."""
    reps = _rep_rungs(exercise.repetitions)
    hold = _hold_rungs(exercise.hold_seconds)
    sets = _set_rungs(exercise.sets)
    steps = [(hold[0], r, sets[0]) for r in reps]
    steps += [(h, reps[-1], sets[0]) for h in hold[1:]]
    steps += [(hold[-1], reps[-1], s) for s in sets[1:]]
    return [Dose(h, r, s, level, len(steps)) for level, (h, r, s) in enumerate(steps, start=1)]


def dose(exercise: Exercise, past: Sequence[Past], now: datetime, zone: tzinfo, rules: Rules = Rules()) -> Dose:
    """Where the exercise stands on its ladder, replayed from its history."""
    steps = ladder(exercise)
    index = 0
    changed: date | None = None  # local day of the first done or the last step
    last_done: date | None = None
    done_days: set[date] = set()
    for event in past:
        if event.exercise_id != exercise.id or event.at > now:
            continue
        day = _day(event.at, zone)
        too_hard = event.kind == "done" and event.detail == TOO_HARD
        if event.kind == "hurt" or too_hard:
            index, changed = max(0, index - 1), day
        if event.kind != "done":
            continue
        if last_done is not None and (day - last_done).days >= rules.lapse_days:
            index, changed = max(0, index - 1), day
        last_done = day
        done_days.add(day)
        if changed is None:
            changed = day
        elif not too_hard and index < len(steps) - 1 and (day - changed).days >= rules.step_days:
            week = {day - timedelta(days=back) for back in range(7)}
            if len(done_days & week) >= rules.regular_days:
                index, changed = index + 1, day
    return steps[index]


def dose_text(exercise: Exercise, dose: Dose) -> str:
    """E.g. "hold 5 s · 6 times each side"; "" when the catalogue gives no numbers."""
    parts = []
    if dose.hold_seconds:
        # Translators: a part of today's dose; the parts are joined with " · " into one reminder
        # line after "Today: " (at most 42 characters in all); "s" is seconds.
        parts.append(_("hold {count} s").format(count=dose.hold_seconds))
    if dose.repetitions:
        parts.append(ngettext("{count} time", "{count} times", dose.repetitions).format(count=dose.repetitions))
    if parts and exercise.per_side:
        # Translators: {amount} is the last part of a dose, e.g. "6 times".
        parts[-1] = _("{amount} each side").format(amount=parts[-1])
    elif parts and exercise.per_direction:
        parts[-1] = _("{amount} each direction").format(amount=parts[-1])
    if dose.sets and dose.sets > 1:
        parts.append(ngettext("{count} set", "{count} sets", dose.sets).format(count=dose.sets))
    return " · ".join(parts)


def _rep_rungs(value: int | tuple[int, int] | None) -> list[int | None]:
    if value is None:
        return [None]
    if isinstance(value, tuple):
        low, high = value
    else:
        # A single target: start at about half (at least 2), as the seeds advise.
        high = value
        low = max(2, round(value / 2)) if value > 2 else value
    return _rungs(low, high, 2 if high >= 8 else 1)


def _hold_rungs(value: int | tuple[int, int] | None) -> list[int | None]:
    if value is None or isinstance(value, int):
        return [value]
    low, high = value
    span = high - low
    return _rungs(low, high, 5 if span >= 10 else max(1, -(-span // 2)))


def _set_rungs(value: int | tuple[int, int] | None) -> list[int | None]:
    if value is None or isinstance(value, int):
        return [value]
    return _rungs(value[0], value[1], 1)


def _rungs(low: int, high: int, step: int) -> list[int | None]:
    return [*range(low, high, step), high]


def _high(value: int | tuple[int, int]) -> int:
    return value[1] if isinstance(value, tuple) else value


def _day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()
