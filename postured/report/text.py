"""The words of the report, shared by the PDF and the HTML so both say the same thing.

Modest on purpose: a record of what was done with postured, never a diagnosis, and
nothing that urges anyone through pain.
"""

from __future__ import annotations

from postured.report.model import NO_PROGRAM, Report

TITLE = "Posture exercises: a record from postured"
NOTE = ("A record of the posture breaks done with postured, taken from its history on this computer. "
        "It is not a diagnosis and not medical advice. The exercises come from general public health "
        "articles and do not replace the advice of a doctor or physiotherapist.")
PAIN_TITLE = "Pain reported"
TOO_HARD_TITLE = "Reported as too hard"
PROGRAM_TITLE = "Program in force"
WEEKS_TITLE = "Week by week"
EXERCISES_TITLE = "Per exercise"
DOSE_TITLE = "Dose step over the weeks"
WEEKS_CHART = "Breaks planned and done per week"
WEEK_COLUMNS = ("Week", "Planned", "Shown", "Done", "Too hard", "Skipped", "Missed", "Pain", "Natural breaks")
EXERCISE_COLUMNS = ("Exercise", "Suggested", "Done", "Too hard", "Pain", "Dose at the start", "Dose at the end")


def day(moment) -> str:
    """E.g. "Tue 3 Mar 2026" (no leading zero, the same on every platform)."""
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def short(moment) -> str:
    """E.g. "3 Mar"."""
    return f"{moment.day} {moment:%b}"


def period(report: Report) -> str:
    weeks = len(report.weeks)
    return (f"{day(report.first)} to {day(report.last)} "
            f"({weeks} week{'s' if weeks != 1 else ''})")


def meta(report: Report) -> str:
    return f"Time zone {report.zone} · made {day(report.made)} {report.made:%H:%M}"


def glance(report: Report) -> str:
    t = report.totals
    share = f" ({round(100 * t.done / report.planned)}% of planned)" if report.planned else ""
    return (f"{report.planned} breaks planned, {t.shown} reminders shown, {t.done} done{share}; "
            f"{t.too_hard} too hard, {t.hurt} pain report{'s' if t.hurt != 1 else ''}, "
            f"{t.natural_break} natural break{'s' if t.natural_break != 1 else ''}.")


def pain_none() -> str:
    return "No pain was reported in this period."


def pain_after(report: Report) -> str:
    return (f"After a pain report postured stops suggesting that exercise for {report.rest_days_after_pain} "
            "days and then brings it back one dose step lower.")


def too_hard_none() -> str:
    return "No exercise was reported as too hard in this period."


def too_hard_after() -> str:
    return "After a \"too hard\" postured suggests that exercise one dose step lower next time."


def program_lines(report: Report) -> list[tuple[str, str]] | None:
    """The clinician's program as (label, value) lines, or None for :data:`NO_PROGRAM`."""
    return list(report.program) if report.program else None


def no_program() -> str:
    return NO_PROGRAM


def week_row(week) -> tuple[str, ...]:
    c = week.counts
    return (f"{short(week.first)} – {short(week.last)}", str(week.planned), str(c.shown), str(c.done), str(c.too_hard),
            str(c.skipped), str(c.missed), str(c.hurt), str(c.natural_break))


def total_row(report: Report) -> tuple[str, ...]:
    c = report.totals
    return ("Total", str(report.planned), str(c.shown), str(c.done), str(c.too_hard), str(c.skipped), str(c.missed),
            str(c.hurt), str(c.natural_break))


def exercise_row(record) -> tuple[str, ...]:
    c = record.counts
    name = record.name if record.levels else f"{record.name} (no longer in the catalogue)"
    return (name, str(record.suggested), str(c.done), str(c.too_hard), str(c.hurt),
            record.dose_first or "–", record.dose_last or "–")


def terms(report: Report) -> str:
    return ("Planned: the breaks the schedule now configured holds in those days (work hours and interval), "
            "if each is answered as it shows, from the first day in postured's history on. "
            "Shown: reminders shown (a snoozed one again when it comes back). "
            "Suggested: reminders that named the exercise, a snoozed one counted once. Too hard counts as done. "
            f"Natural break: away from the computer for {report.natural_break_minutes} minutes or more.")


def dose_explained() -> str:
    return ("Each exercise's dose rises in small steps (repetitions, then the hold, then sets) once it has been "
            "done regularly for a week, and falls one step after a \"too hard\", a pain report or two weeks away. "
            "The line is the step at the end of each day; a triangle marks a day with a \"too hard\", "
            "a circle a day with a pain report.")


def footer(report: Report) -> str:
    return f"postured · {day(report.first)} to {day(report.last)} · {report.zone} · a record, not a diagnosis"
