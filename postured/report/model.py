"""What ``postured report`` shows, worked out from the history: pure, like ``postured.stats``.

The events, the last day, the zone, the exercises and "now" come in as arguments; the
renderers (``pdf``, ``html``) only lay this out. Days are local days of the config's zone
(``stats`` counts them, so a week across a daylight-saving change has 167 or 169 hours).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from postured import stats
from postured.core import coach
from postured.i18n import N_, _

MAX_WEEKS = 52  # a year: more would not fit a page a person brings to an appointment
NO_PROGRAM = N_("No program from a clinician has been imported into postured.")
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Week:
    first: date
    last: date
    planned: int  # reminders the schedule held in these days, each answered at once: from the
    # first day of the history (nothing was planned before postured was used) up to now
    counts: stats.Counts


@dataclass(frozen=True)
class ExerciseRecord:
    id: str
    name: str
    region: str
    suggested: int  # reminders that named it; one snoozed and shown again counts once
    counts: stats.Counts  # of this exercise in the period
    levels: int  # steps of its dose ladder (0: not in the catalogue any more)
    steps: tuple[int, ...]  # the dose step at the end of each day of the period (empty if levels == 0)
    dose_first: str  # the dose at the start of the period, e.g. "hold 5 s · 6 times"
    dose_last: str  # and at its end
    too_hard_days: tuple[date, ...] = ()  # local days with a "too hard" for it
    pain_days: tuple[date, ...] = ()  # local days with a pain report for it


@dataclass(frozen=True)
class Incident:
    """A pain report or a "too hard", at local time."""

    at: datetime
    exercise: str  # its name
    dose: str  # the dose it was at then ("" when the catalogue gives no numbers)


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    zone: str
    made: datetime  # local time the report was made
    weeks: tuple[Week, ...]  # oldest first, each 7 local days, the last one ending on ``last``
    totals: stats.Counts
    planned: int
    exercises: tuple[ExerciseRecord, ...]  # most done first
    pain: tuple[Incident, ...]  # oldest first
    too_hard: tuple[Incident, ...]
    program: tuple[tuple[str, str], ...] | None  # (label, value) lines of a clinician's program; None: none
    cautions: tuple[str, ...]  # the catalogue's safety notes about pain, as written there
    rest_days_after_pain: int
    natural_break_minutes: int

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def build(
    events: Iterable[stats.EventLike],
    last: date,
    weeks: int,
    zone: tzinfo,
    now: datetime,
    exercises: Sequence,  # postured.config.Exercise: the catalogue with the custom ones
    planned: Callable[[datetime, datetime], int],  # reminders the schedule holds in [start, end)
    rules: coach.Rules = coach.Rules(),
    program: Sequence[tuple[str, str]] | None = None,
    cautions: Sequence[str] = (),
    natural_break: timedelta = timedelta(minutes=5),
) -> Report:
    """The report of ``weeks`` weeks ending with the local day ``last``.

    ``events``: the whole history (the dose is replayed from its beginning). ``program``:
    the hook for a clinician's program, shown as given, line by line.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be 1 to {MAX_WEEKS}")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    events = sorted(events, key=lambda e: e.at)
    days = weeks * 7
    first = last - timedelta(days=days - 1)
    start, end = stats.day_start(first, zone), stats.day_start(last + timedelta(days=1), zone)
    end_of_last = end - _JUST_BEFORE
    summary = stats.summarize(events, end_of_last, zone, days=days)

    # Nothing was planned before postured's history begins (its first local day) or after now.
    began = stats.day_start(stats.local_day(events[0].at, zone), zone) if events else now
    week_rows = []
    for index in range(weeks):
        chunk = summary.days[index * 7:(index + 1) * 7]
        counts = stats.Counts(**{key: sum(getattr(d.counts, key) for d in chunk) for key in stats.COUNT_KEYS})
        week_start = max(stats.day_start(chunk[0].date, zone), began)
        week_end = min(stats.day_start(chunk[-1].date + timedelta(days=1), zone), now)
        held = planned(week_start, week_end) if week_start < week_end else 0
        week_rows.append(Week(chunk[0].date, chunk[-1].date, held, counts))

    catalogue = {e.id: e for e in exercises}
    past = [coach.Past(e.at, e.kind, e.exercise_id, e.detail) for e in events]
    in_period = [e for e in events if start <= e.at < end]
    names = {e.id: e.name for e in exercises}

    def incidents(wanted: Callable[[stats.EventLike], bool]) -> tuple[Incident, ...]:
        return tuple(
            Incident(e.at.astimezone(zone), names.get(e.exercise_id, e.exercise_id or _(stats.NO_EXERCISE)),
                     _dose_at(catalogue.get(e.exercise_id), past, e.at - _JUST_BEFORE, zone, rules))
            for e in in_period if wanted(e)
        )

    return Report(
        first=first, last=last, zone=stats.zone_name(zone), made=now.astimezone(zone),
        weeks=tuple(week_rows), totals=summary.totals, planned=sum(w.planned for w in week_rows),
        exercises=_exercises(in_period, past, catalogue, summary, zone, rules),
        pain=incidents(lambda e: e.kind == "hurt"),
        too_hard=incidents(lambda e: e.kind == "done" and e.detail == stats.TOO_HARD),
        program=tuple((str(k), str(v)) for k, v in program) if program is not None else None,
        cautions=tuple(cautions), rest_days_after_pain=rules.rest_after_hurt_days,
        natural_break_minutes=round(natural_break.total_seconds() / 60),
    )


def _exercises(in_period, past, catalogue: Mapping, summary: stats.Summary, zone, rules) -> tuple[ExerciseRecord, ...]:
    per: dict[str, Counter[str]] = {}
    suggested: Counter[str] = Counter()
    last_kind: dict[str, str] = {}
    marks: dict[tuple[str, str], set[date]] = {}
    for event in in_period:
        if event.exercise_id is None or event.kind not in stats.COUNT_KEYS:
            continue
        counter = per.setdefault(event.exercise_id, Counter())
        counter[event.kind] += 1
        if event.kind == "done" and event.detail == stats.TOO_HARD:
            counter["too_hard"] += 1
            marks.setdefault((event.exercise_id, "too_hard"), set()).add(stats.local_day(event.at, zone))
        if event.kind == "hurt":
            marks.setdefault((event.exercise_id, "hurt"), set()).add(stats.local_day(event.at, zone))
        # A snoozed reminder comes back as another "shown": the same suggestion.
        if event.kind == "shown" and last_kind.get(event.exercise_id) not in ("snoozed", "shown"):
            suggested[event.exercise_id] += 1
        last_kind[event.exercise_id] = event.kind

    day_ends = [stats.day_start(d.date + timedelta(days=1), zone) - _JUST_BEFORE for d in summary.days]
    start = stats.day_start(summary.first, zone) - _JUST_BEFORE
    records = []
    for exercise_id, counter in per.items():
        exercise = catalogue.get(exercise_id)
        counts = stats.Counts(**{k: v for k, v in counter.items() if k in stats.COUNT_KEYS})
        if exercise is None:  # retired from the catalogue: its counts stay, its dose is unknown
            records.append(ExerciseRecord(exercise_id, exercise_id, stats.UNKNOWN_REGION, suggested[exercise_id],
                                          counts, 0, (), "", ""))
            continue
        own = [p for p in past if p.exercise_id == exercise_id]  # the replay only reads its own events
        steps = tuple(coach.dose(exercise, own, moment, zone, rules).level for moment in day_ends)
        records.append(ExerciseRecord(
            exercise.id, exercise.name, exercise.region, suggested[exercise_id], counts,
            len(coach.ladder(exercise)), steps,
            _dose_at(exercise, own, start, zone, rules), _dose_at(exercise, own, day_ends[-1], zone, rules),
            tuple(sorted(marks.get((exercise_id, "too_hard"), ()))),
            tuple(sorted(marks.get((exercise_id, "hurt"), ()))),
        ))
    return tuple(sorted(records, key=lambda r: (-r.counts.done, r.name.lower())))


def _dose_at(exercise, past, moment: datetime, zone, rules) -> str:
    if exercise is None:
        return ""
    step = coach.dose(exercise, past, moment, zone, rules)
    text = coach.dose_text(exercise, step)
    # Translators: where a dose is on its exercise's ladder of doses
    where = _("step {level} of {levels}").format(level=step.level, levels=step.levels)
    return f"{text} ({where})" if text else where
