"""``postured stats`` as text: the table, the streak sentence and what was done, in the
person's language, with its dates and numbers (postured.i18n). Pure, like postured.stats.
"""

from __future__ import annotations

from datetime import date

from postured import i18n
from postured.i18n import N_, _, ngettext
from postured.stats import UNKNOWN_REGION, Counts, Summary

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
        by_region = ", ".join(f"{region_name(region)} {i18n.number(count)}"
                              for region, count in summary.regions.items())
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
