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

    from postured.adapters.history import read_events
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
        events = read_events(paths.history, datetime(1970, 1, 1, tzinfo=timezone.utc),
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
        program=program_lines(paths),
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


def program_lines(paths) -> list[tuple[str, str]] | None:
    """The hook for a clinician's program (``postured program import``): (label, value)
    lines to show as given, or None when no program was imported. None until it is wired."""
    return None
