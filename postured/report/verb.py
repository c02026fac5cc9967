"""``postured report``: read the config and the whole history, build, render, write."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path


def run(args, paths, load, fail) -> int:
    from postured import report as formats
    from postured.i18n import _, ngettext

    out = Path(args.out)
    try:
        kind = formats.format_of(out)
    except ValueError as exc:
        return fail(str(exc))
    if out.is_dir():
        return fail(_("cannot write the report {path}: it is a folder").format(path=out))

    from postured.synced_history import merged_events  # with the other computers' ([sync] folder)
    from postured.config import ConfigError
    from postured.core import machine, planner
    from postured.core.calendar import WorkCalendar
    from postured.report import model

    try:
        loaded = load(paths)
    except ConfigError as exc:
        return fail(str(exc))
    now = datetime.now(timezone.utc)
    try:
        events = merged_events(paths, loaded.settings, datetime(1970, 1, 1, tzinfo=timezone.utc),
                               warn=lambda message: print(f"postured: {message}", file=sys.stderr))
    except sqlite3.Error as exc:
        # Translators: {reason} is SQLite's own message, in English
        return fail(_("cannot read the history {path}: {reason}").format(path=paths.history, reason=exc))
    settings = loaded.settings
    calendar = WorkCalendar(settings.schedule, loaded.zone)
    cautions = {note.id: note.text for note in loaded.catalogue.safety}
    report = model.build(
        events, args.to or now.astimezone(loaded.zone).date(), args.weeks, loaded.zone, now,
        loaded.catalogue.exercises,
        planned=lambda start, end: planner.planned_between(calendar, start, end, settings.schedule.interval),
        rules=machine.rules_of(settings),
        program=program_lines(loaded, now.astimezone(loaded.zone).date()),
        cautions=[cautions[i] for i in ("ease-off-with-pain", "see-a-clinician") if i in cautions],
        natural_break=settings.presence.natural_break,
    )
    data = formats.render(report, kind)
    try:
        out.write_bytes(data)
    except OSError as exc:
        # Translators: {reason} is the system's message, e.g. "No such file or directory"
        return fail(_("cannot write the report {path}: {reason}").format(path=out, reason=exc.strerror or exc))
    # Translators: the line after the report is written; {first} and {last} are ISO dates, as --to takes them
    print(ngettext("report: {path} ({count} week, {first} to {last})",
                   "report: {path} ({count} weeks, {first} to {last})", len(report.weeks)).format(path=out, count=len(report.weeks), first=report.first, last=report.last),
          file=sys.stderr)
    return 0


def program_lines(loaded, today) -> list[tuple[str, str]] | None:
    """The clinician's program in force (``postured program import``) as (label, value)
    lines, or None when none was imported."""
    program = getattr(loaded, "program", None)
    if program is None:
        return None
    from postured import i18n
    from postured.i18n import _
    from postured.program import rotation
    from postured.program_store import describe, state_of

    about = program.program
    # Translators: labels of the lines about a clinician's program in the report
    lines = [(_("Program"), about.title)]
    if about.by:
        lines.append((_("By"), about.by))
    lines += [(_("Start"), i18n.day(about.start)), (_("Review"), i18n.day(about.review)),
              (_("Status"), state_of(program, today))]
    lines += [(_("Note"), note) for note in about.notes]
    built_in = [e for e in loaded.catalogue.exercises if not e.is_custom]
    lines += [(exercise.name, describe(exercise) or _("as the catalogue gives it"))
              for exercise in rotation(program, built_in)]
    return lines
