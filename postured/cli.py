"""The ``postured`` command. Only ``run`` loads the GUI, notification and scheduler libraries.

Exit status: 0 success, 1 refused, 2 bad usage or a bad config, 3 not running, 4 done but
not saved to disk (the reason on stderr; the daemon keeps it in memory and retries).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_REFUSED, EXIT_BAD, EXIT_NOT_RUNNING, EXIT_NOT_SAVED = 0, 1, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
    """The grammar and `--help` (postured/cli_parser.py), in the active language."""
    from postured.cli_parser import build_parser as build

    return build()


def apply_language(argv: list[str], environ: dict[str, str] | None = None) -> None:
    """The language before anything is printed: ``[ui] language`` of the config the command
    reads, else the environment's. Only that key is read here; a config that cannot be read or
    parsed leaves the environment's language, in which its error is then told.

    The CLI says nothing about a locale postured does not ship (it speaks English); the daemon
    logs that once (postured/app.py).
    """
    from postured import i18n

    i18n.apply(_configured_language(argv, environ), environ)


def _configured_language(argv: list[str], environ: dict[str, str] | None) -> str | None:
    import os
    import stat
    import tomllib

    from postured import i18n, paths as paths_module

    named = None
    for index, word in enumerate(argv):
        if word == "--config" and index + 1 < len(argv):
            named = argv[index + 1]
        elif word.startswith("--config="):
            named = word.removeprefix("--config=")
    try:
        config = paths_module.resolve(named, environ).config
        # Only a plain file of a config's size (a FIFO would block): config_file.read_config's
        # checks, without loading pydantic for `--help`.
        found = os.stat(config)
        if not stat.S_ISREG(found.st_mode) or found.st_size > 256_000:
            return None
        descriptor = os.open(config, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as file:
            text = file.read(256_001).decode("utf-8-sig")
        # tomllib takes minutes over a dotted key of 100 000 parts (config_file.prescan refuses
        # those, with pydantic loaded): such a file is left to the verb's own reading.
        if any(line.count(".") > 100 for line in text.splitlines()):
            return None
        ui = tomllib.loads(text).get("ui", {})
    except (OSError, ValueError, RecursionError):  # absent, unreadable, not TOML: told later, by the verb
        return None
    language = ui.get("language") if isinstance(ui, dict) else None
    return language if isinstance(language, str) and i18n.shipped_match(language) else None


def main(argv: list[str] | None = None) -> int:
    from postured import cli_control

    argv = sys.argv[1:] if argv is None else argv
    plain = cli_control.parse(argv)
    if plain is not None:  # a control verb: no argparse (a status bar polls this)
        try:
            return cli_control.run(*plain)
        except BrokenPipeError:
            return EXIT_OK
    apply_language(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD
    handler = globals().get(f"_verb_{args.verb}")
    try:
        if handler is None:
            # The control verbs need no paths: only the daemon's socket.
            return cli_control.run(args.verb, getattr(args, "argument", None), getattr(args, "json", False))
        from postured import paths as paths_module

        return handler(args, paths_module.resolve(getattr(args, "config", None)))
    except BrokenPipeError:  # `postured next | head`
        return EXIT_OK


def _(message: str) -> str:
    """postured.i18n's, looked up when called: importing it here would load pathlib on the
    light path (cli_control.py), which reaches this module first."""
    from postured.i18n import _ as translate

    return translate(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    from postured.i18n import ngettext as translate

    return translate(singular, plural, count)


def _when(moment, offset: bool = True) -> str:
    """'Mon 2026-03-23 09:30 +0000' in English; the weekday and the time of day as the locale
    writes them ('Mo. 2026-03-23 09:30', 'Mon 2026-03-23 9:30 AM'), the date in ISO order."""
    from postured import i18n

    text = f"{i18n.weekday(moment)} {moment:%Y-%m-%d} {i18n.clock(moment)}"
    return f"{text} {moment:%z}" if offset else text


def _fail(message: str) -> int:
    print(f"postured: {message}", file=sys.stderr)
    return EXIT_BAD


def _note(message: str) -> None:
    print(f"postured: {message}", file=sys.stderr)


def _load(paths):
    from postured.app import load

    return load(paths)


def _verb_run(args, paths) -> int:
    from postured.app import run

    return run(paths, use_tray=not args.no_tray)


def _verb_config(args, paths) -> int:
    from postured.config import ConfigError

    if args.action == "path":
        print(paths.config)
        return EXIT_OK
    if args.action == "init":
        from postured.resources import example_config

        if paths.config.exists() and not args.force:
            return _fail(_("{path} exists already (use --force to replace it)").format(path=paths.config))
        paths.config.parent.mkdir(parents=True, exist_ok=True)
        paths.config.write_text(example_config().read_text(encoding="utf-8"), encoding="utf-8")
        print(_("wrote {path}").format(path=paths.config))
        return EXIT_OK
    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    for warning in loaded.warnings:  # it works, so exit 0; but say what looks unmeant
        print("postured: " + _("warning: {warning}").format(warning=warning), file=sys.stderr)
    if loaded.settings.presence.calendars:  # each unreadable or broken calendar: one line
        from datetime import datetime

        from postured.busy_calendars import Calendars

        calendars = Calendars(paths.calendar_cache, loaded.zone, warn=_note)
        calendars.configure(loaded.settings.presence)
        calendars.refresh(datetime.now().astimezone())
    if loaded.text is not None:
        print(_("ok: {path}").format(path=paths.config))
    else:
        print(_("ok: {path} (absent: defaults apply)").format(path=paths.config))
    return EXIT_OK


def _verb_program(args, paths) -> int:
    from postured.program_store import run_verb

    return run_verb(args, paths, say=_note_line, fail=_fail)


def _note_line(message: str) -> None:
    print(message, file=sys.stderr)


def _verb_safety(args, paths) -> int:
    import textwrap

    from postured.catalogue import load_catalogue
    from postured.core.coach import when_shown

    for note in load_catalogue().safety:
        print(textwrap.fill(f"{note.id} — {when_shown(note.id)}", width=78, subsequent_indent="    "))
        print(textwrap.fill(note.text, width=78, initial_indent="  ", subsequent_indent="  "))
        print()
    print(_("These notes come from the articles the exercises are taken from; they do not replace advice "
            "from your doctor or physiotherapist."))
    return EXIT_OK


def _verb_exercises(args, paths) -> int:
    from postured.config import ConfigError, eligible
    from postured.core.view import dose

    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    usable = {e.id for e in eligible(loaded.settings, loaded.catalogue.exercises)}
    if args.json:
        entries = [
            {**exercise.model_dump(mode="json"), "eligible": exercise.id in usable}
            for exercise in loaded.catalogue.exercises
        ]
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return EXIT_OK
    from postured.catalogue_words import word
    from postured.stats_text import region_name

    region_width = max((len(region_name(e.region)) for e in loaded.catalogue.exercises), default=10)
    for exercise in loaded.catalogue.exercises:
        mark = "*" if exercise.id in usable else " "
        needs = ", ".join(word(key) for key in exercise.positions + exercise.equipment)
        print(f"{mark} {exercise.id:<28} {exercise.name:<38} {region_name(exercise.region):<{region_width}} {needs}")
        if dose(exercise):
            print(f"  {'':<28} {dose(exercise)}")
    print("\n" + _("* = suggested with your config"), file=sys.stderr)
    return EXIT_OK


def _verb_next(args, paths) -> int:
    from dataclasses import replace
    from datetime import datetime, timedelta

    from postured.config import ConfigError, eligible
    from postured.core import coach, machine, planner
    from postured.core.busy import holding
    from postured.core.calendar import UTC, WorkCalendar
    from postured.cli_parser import FIRST_YEAR, LAST_YEAR
    from postured.program import rotation

    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    if args.start:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            return _fail(_("--from {value} is not an ISO date-time (e.g. 2026-03-27T08:00)").format(value=repr(args.start)))
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            return _fail(_("--from {value}: the year must be {first} to {last}").format(
                value=repr(args.start), first=FIRST_YEAR, last=LAST_YEAR))
        if start.tzinfo is None:
            start = start.replace(tzinfo=loaded.zone)
    else:
        start = datetime.now(UTC)
    calendar = WorkCalendar(loaded.settings.schedule, loaded.zone)
    choices = eligible(loaded.settings, loaded.catalogue.exercises)
    # A preview that assumes every break is done the moment it shows (no history read).
    past: list = []
    builtin = [e for e in loaded.catalogue.exercises if not e.is_custom]
    rules = replace(machine.rules_of(loaded.settings), emphasis=coach.emphasis(builtin))
    # From its start day, an imported program's exercises within its limits (as the daemon does).
    program = loaded.program
    prescribed = rotation(program, builtin) if program else []
    rows = []
    try:
        moments = planner.reminder_times(calendar, start.astimezone(UTC), loaded.settings.schedule.interval, args.count)
    except OverflowError:  # a sparse schedule and a large count can still reach the year 9999
        return _fail(_("--count {count} from {day} runs past the last date there is (9999-12-31)").format(
            count=args.count, day=f"{start:%Y-%m-%d}"))
    for moment in moments:
        # A week and a day of history decides today's choice (caps, strength days, pain rest).
        past = [event for event in past if moment - event.at <= timedelta(days=8)]
        following = program is not None and program.in_force(calendar.local(moment).date())
        choice = coach.pick(prescribed if following else choices, past, moment, loaded.zone, rules)
        if following and choice.why != coach.FRESH:
            rows.append((calendar.local(moment), None))  # the program's limits for the day are reached
            continue
        exercise = choice.exercise
        past += [coach.Past(moment, "shown", exercise.id), coach.Past(moment, "done", exercise.id)]
        rows.append((calendar.local(moment), exercise))
    meetings = _busy_blocks(paths, loaded, [at for at, _ in rows])
    held = [holding(meetings, at) for at, _ in rows]
    if args.json:
        print(json.dumps([
            {"at": at.isoformat(), "exercise": {"id": e.id, "name": e.name, "region": e.region} if e else None,
             "held_by": {"reason": "calendar", "event": block.title, "until": block.end.astimezone(loaded.zone).isoformat()}
             if block else None}
            for (at, e), block in zip(rows, held)
        ], indent=2, ensure_ascii=False))
    else:
        for (at, exercise), block in zip(rows, held):
            name = exercise.name if exercise else _("(no break: your program's limits for today are reached)")
            # Translators: {event} is a calendar event's title, {until} a time of day
            note = _("(held: {event} until {until})").format(
                event=block.title, until=_clock(block.end.astimezone(loaded.zone))) + " " if block else ""
            print(f"{_when(at)}  {note}{name}")
    return EXIT_OK


def _clock(moment) -> str:
    from postured import i18n

    return i18n.clock(moment)


def _busy_blocks(paths, loaded, moments) -> list:
    """The calendars' busy blocks around the planned reminders (feeds fetched if stale),
    for `next` to mark the reminders a meeting would hold; a broken calendar is a note."""
    from postured.core.holds import Hold, enabled

    if not moments or Hold.CALENDAR not in enabled(loaded.settings.presence):
        return []
    from datetime import datetime, timedelta

    from postured.busy_calendars import Calendars

    calendars = Calendars(paths.calendar_cache, loaded.zone, warn=_note)
    calendars.configure(loaded.settings.presence)
    calendars.refresh(datetime.now().astimezone())
    return calendars.between(min(moments) - timedelta(days=1), max(moments) + timedelta(days=1))


def _verb_history(args, paths) -> int:
    from datetime import datetime, timedelta
    import sqlite3

    from postured.adapters.history import read_events

    since = datetime.now().astimezone() - timedelta(days=args.days)
    try:
        events = read_events(paths.history, since, warn=_note)
    except sqlite3.Error as exc:
        return _fail(_("cannot read the history {path}: {error}").format(path=paths.history, error=exc))
    if args.json:
        print(json.dumps([event.as_json() for event in events], indent=2))
        return EXIT_OK
    if not events:
        print(ngettext("no history in the last {count} day ({path})", "no history in the last {count} days ({path})",
                       args.days).format(count=args.days, path=paths.history))
    for event in events:
        local = event.at.astimezone()
        detail = f" ({event.detail})" if event.detail else ""
        # Translators: {source} is how an answer came (cli, tray, notification …); kept as it is
        via = _("via {source}").format(source=event.source)
        print(f"{_when(local, offset=False)}  {event.kind:<8} {event.exercise_id or '-':<28} {via}{detail}")
    return EXIT_OK


def _verb_stats(args, paths) -> int:
    import sqlite3
    from datetime import datetime, timezone
    from pathlib import Path

    from postured import stats
    from postured.config import WEEKDAYS, ConfigError
    from postured.synced_history import merged_events  # with the other computers' ([sync] folder)

    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    now = datetime.now(timezone.utc)
    try:
        # All of it: a streak can reach back past the days shown. A year of answers is a
        # few thousand rows, read in milliseconds.
        events = merged_events(paths, loaded.settings, datetime(1970, 1, 1, tzinfo=timezone.utc), warn=_note)
    except sqlite3.Error as exc:
        return _fail(_("cannot read the history {path}: {error}").format(path=paths.history, error=exc))
    shared = dict(
        now=now, zone=loaded.zone, goal=args.goal,
        describe={e.id: (e.name, e.region) for e in loaded.catalogue.exercises},
        rest_days=[i for i, day in enumerate(WEEKDAYS) if day not in loaded.settings.schedule.days],
    )
    summary = stats.summarize(events, days=args.days, **shared)
    if args.chart:
        from postured.adapters.chart import write_week_chart  # Pillow, only now

        week = summary if args.days == 7 else stats.summarize(events, days=7, **shared)
        try:
            write_week_chart(week, Path(args.chart))
        except OSError as exc:
            return _fail(_("cannot write the chart {path}: {error}").format(path=args.chart, error=exc.strerror or exc))
        print(_("chart: {path}").format(path=args.chart), file=sys.stderr)
    if args.json:
        print(json.dumps(stats.as_json(summary), indent=2, ensure_ascii=False))
    else:
        print(stats.as_text(summary))
    return EXIT_OK


def _verb_report(args, paths) -> int:
    from postured.report.verb import run

    return run(args, paths, _load, _fail)


def _verb_sync(args, paths) -> int:
    from postured.sync_verb import run

    return run(args, paths, _load, _fail)


def _verb_autostart(args, paths) -> int:
    from pathlib import Path

    from postured import autostart

    config = getattr(args, "config", None)
    try:
        if args.action == "status":
            found = autostart.status(config=Path(config) if config else None)
            if found.enabled:
                if found.current:
                    print(_("enabled: {path}").format(path=found.path))
                else:
                    print(_("enabled: {path} (differs from what `autostart enable` would write now)").format(
                        path=found.path))
                return EXIT_OK
            if found.exists:
                print(_("not enabled: {path} was not written by postured").format(path=found.path))
            else:
                print(_("not enabled: {path} does not exist").format(path=found.path))
            return EXIT_REFUSED
        if args.action == "enable":
            outcome = autostart.enable(config=Path(config) if config else None)
        else:
            outcome = autostart.disable()
    except autostart.AutostartError as exc:
        print(f"postured: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as exc:
        print(f"postured: autostart {args.action}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(outcome.message)
    return EXIT_OK


def _verb_guide(args, paths) -> int:
    from postured import guide  # Tk only once the window opens

    return guide.run(paths, args.exercise)
