"""The words of the report, shared by the PDF and the HTML so both say the same thing.

Modest on purpose: a record of what was done with postured, never a diagnosis, and
nothing that urges anyone through pain. Every text is translated when it is asked for
(postured.i18n): the language is chosen after import.
"""

from __future__ import annotations

from datetime import date, datetime

from postured import i18n
from postured.i18n import N_, _, ngettext
from postured.report.model import NO_PROGRAM, Report

TITLE = N_("Posture exercises: a record from postured")
NOTE = N_("A record of the posture breaks done with postured, taken from its history on this computer. "
          "It is not a diagnosis and not medical advice. The exercises come from general public health "
          "articles and do not replace the advice of a doctor or physiotherapist.")
PAIN_TITLE = N_("Pain reported")
TOO_HARD_TITLE = N_("Reported as too hard")
PROGRAM_TITLE = N_("Program in force")
WEEKS_TITLE = N_("Week by week")
EXERCISES_TITLE = N_("Per exercise")
DOSE_TITLE = N_("Dose step over the weeks")
WEEKS_CHART = N_("Breaks planned and done per week")
# Translators: table headings of the report's week table; the columns are narrow (a PDF page)
WEEK_COLUMNS = (N_("Week"), N_("Planned"), N_("Shown"), N_("Done"), N_("Too hard"), N_("Skipped"), N_("Missed"),
                N_("Pain"), N_("Natural breaks"))
# Translators: table headings of the report's exercise table; the columns are narrow (a PDF page)
EXERCISE_COLUMNS = (N_("Exercise"), N_("Suggested"), N_("Done"), N_("Too hard"), N_("Pain"), N_("Dose at the start"),
                    N_("Dose at the end"))
NO_EXERCISES = N_("No exercise was suggested or done in this period.")


def week_columns() -> tuple[str, ...]:
    return tuple(_(heading) for heading in WEEK_COLUMNS)


def exercise_columns() -> tuple[str, ...]:
    return tuple(_(heading) for heading in EXERCISE_COLUMNS)


def pain_columns() -> tuple[str, ...]:
    # Translators: table headings of the report's pain reports
    return _("Date"), _("Time"), _("Exercise"), _("Dose at the time")


def too_hard_columns() -> tuple[str, ...]:
    # Translators: table headings of the report's "too hard" reports
    return _("Date"), _("Time"), _("Exercise"), _("Dose that was too hard")


def incident_row(incident) -> tuple[str, str, str, str]:
    """A pain report or a "too hard": its local date and time, the exercise, the dose."""
    return day(incident.at), i18n.clock(incident.at), incident.exercise, incident.dose or "–"


def day(moment: date | datetime) -> str:
    """E.g. "Tue, 3 Mar 2026" / "Di., 3. März 2026", as the locale writes a date (a local
    time's own date: it is already in the report's zone)."""
    return i18n.day(moment.date() if isinstance(moment, datetime) else moment)


def short(moment) -> str:
    """E.g. "3 Mar" / "3. März"."""
    return i18n.day_month(moment)


def number(value: int) -> str:
    return i18n.number(value)


def period(report: Report) -> str:
    weeks = len(report.weeks)
    # Translators: the report's period under its title; {first} and {last} are dates
    return ngettext("{first} to {last} ({count} week)", "{first} to {last} ({count} weeks)", weeks).format(
        first=day(report.first), last=day(report.last), count=number(weeks))


def meta(report: Report) -> str:
    # Translators: {zone} is a time zone like Europe/Berlin; {day} the date and {time} the time the report was made
    return _("Time zone {zone} · made {day} {time}").format(
        zone=report.zone, day=day(report.made), time=i18n.clock(report.made))


def glance(report: Report) -> str:
    t = report.totals
    values = {"planned": number(report.planned), "shown": number(t.shown), "done": number(t.done),
              "too_hard": number(t.too_hard)}
    if report.planned:
        # Translators: the report's summary of the period; {share} is a percentage like "22%"
        first = _("{planned} breaks planned, {shown} reminders shown, {done} done ({share} of planned)").format(
            share=i18n.percent(t.done / report.planned), **values)
    else:
        first = _("{planned} breaks planned, {shown} reminders shown, {done} done").format(**values)
    # Translators: the second half of the report's summary, after "…; "
    rest = ngettext("{too_hard} too hard, {count} pain report", "{too_hard} too hard, {count} pain reports",
                    t.hurt).format(count=number(t.hurt), **values)
    natural = ngettext("{count} natural break", "{count} natural breaks", t.natural_break).format(
        count=number(t.natural_break))
    # Translators: joins the three parts of the report's summary into one sentence
    return _("{planned_and_done}; {too_hard_and_pain}, {natural_breaks}.").format(
        planned_and_done=first, too_hard_and_pain=rest, natural_breaks=natural)


def pain_none() -> str:
    return _("No pain was reported in this period.")


def pain_after(report: Report) -> str:
    days = report.rest_days_after_pain
    return ngettext("After a pain report postured stops suggesting that exercise for {count} day "
                    "and then brings it back one dose step lower.",
                    "After a pain report postured stops suggesting that exercise for {count} days "
                    "and then brings it back one dose step lower.", days).format(count=number(days))


def too_hard_none() -> str:
    return _("No exercise was reported as too hard in this period.")


def too_hard_after() -> str:
    return _("After a \"too hard\" postured suggests that exercise one dose step lower next time.")


def program_lines(report: Report) -> list[tuple[str, str]] | None:
    """The clinician's program as (label, value) lines, or None for :data:`NO_PROGRAM`."""
    return list(report.program) if report.program else None


def no_program() -> str:
    return _(NO_PROGRAM)


def no_exercises() -> str:
    return _(NO_EXERCISES)


def week_row(week) -> tuple[str, ...]:
    c = week.counts
    # Translators: a week in the report's table, from its first to its last day
    span = _("{first} – {last}").format(first=short(week.first), last=short(week.last))
    return (span, *(number(n) for n in (week.planned, c.shown, c.done, c.too_hard, c.skipped, c.missed, c.hurt,
                                         c.natural_break)))


def total_row(report: Report) -> tuple[str, ...]:
    c = report.totals
    # Translators: the last row of the report's week table
    return (_("Total"), *(number(n) for n in (report.planned, c.shown, c.done, c.too_hard, c.skipped, c.missed, c.hurt,
                                              c.natural_break)))


def exercise_row(record) -> tuple[str, ...]:
    c = record.counts
    name = record.name if record.levels else _("{name} (no longer in the catalogue)").format(name=record.name)
    return (name, number(record.suggested), number(c.done), number(c.too_hard), number(c.hurt),
            record.dose_first or "–", record.dose_last or "–")


def dose_heading(record) -> str:
    # Translators: above an exercise's dose chart: its name, the dose at the start and at the end of the period
    return _("{name}: {first} → {last}").format(name=record.name, first=record.dose_first, last=record.dose_last)


def dose_chart(record) -> str:
    # Translators: the text in place of an exercise's dose chart where images are not shown
    return _("Dose step of {name}").format(name=record.name)


def terms(report: Report) -> str:
    minutes = report.natural_break_minutes
    return ngettext(
        "Planned: the breaks the schedule now configured holds in those days (work hours and interval), "
        "if each is answered as it shows, from the first day in postured's history on. "
        "Shown: reminders shown (a snoozed one again when it comes back). "
        "Suggested: reminders that named the exercise, a snoozed one counted once. Too hard counts as done. "
        "Natural break: away from the computer for {count} minute or more.",
        "Planned: the breaks the schedule now configured holds in those days (work hours and interval), "
        "if each is answered as it shows, from the first day in postured's history on. "
        "Shown: reminders shown (a snoozed one again when it comes back). "
        "Suggested: reminders that named the exercise, a snoozed one counted once. Too hard counts as done. "
        "Natural break: away from the computer for {count} minutes or more.", minutes).format(count=number(minutes))


def dose_explained() -> str:
    return _("Each exercise's dose rises in small steps (repetitions, then the hold, then sets) once it has been "
             "done regularly for a week, and falls one step after a \"too hard\", a pain report or two weeks away. "
             "The line is the step at the end of each day; a triangle marks a day with a \"too hard\", "
             "a circle a day with a pain report.")


def footer(report: Report) -> str:
    # Translators: the report's page footer; {first} and {last} are dates, {zone} a time zone
    return _("postured · {first} to {last} · {zone} · a record, not a diagnosis").format(
        first=day(report.first), last=day(report.last), zone=report.zone)


def page(page_no: int) -> str:
    """' · page 2 of {nb}': fpdf2 puts the number of pages in place of {nb} when it closes the PDF."""
    # Translators: after the footer; {page} is this page's number, {pages} how many pages the report has
    return _("page {page} of {pages}").format(page=number(page_no), pages="{nb}")
