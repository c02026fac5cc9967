"""``postured report``: read the config and the whole history, build, render, write."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path


def run(args, paths, load, fail) -> int:
    from postured import report as formats

    out = Path(args.out)
    try:
        kind = formats.format_of(out)
    except ValueError as exc:
        return fail(str(exc))
    if out.is_dir():
        return fail(f"cannot write the report {out}: it is a folder")

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
        return fail(f"cannot read the history {paths.history}: {exc}")
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
        return fail(f"cannot write the report {out}: {exc.strerror or exc}")
    print(f"report: {out} ({len(report.weeks)} weeks, {report.first} to {report.last})", file=sys.stderr)
    return 0


def program_lines(loaded, today) -> list[tuple[str, str]] | None:
    """The clinician's program in force (``postured program import``) as (label, value)
    lines, or None when none was imported."""
    program = getattr(loaded, "program", None)
    if program is None:
        return None
    from postured.program import rotation
    from postured.program_store import describe, state_of

    about = program.program
    lines = [("Program", about.title)]
    if about.by:
        lines.append(("By", about.by))
    lines += [("Start", f"{about.start:%a %d %b %Y}"), ("Review", f"{about.review:%a %d %b %Y}"),
              ("Status", state_of(program, today))]
    lines += [("Note", note) for note in about.notes]
    built_in = [e for e in loaded.catalogue.exercises if not e.is_custom]
    lines += [(exercise.name, describe(exercise) or "as the catalogue gives it")
              for exercise in rotation(program, built_in)]
    return lines
