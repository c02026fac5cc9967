"""The ``postured`` command. Only ``run`` loads the GUI, notification and scheduler libraries.

Exit status: 0 success, 1 refused, 2 bad usage or a bad config, 3 not running, 4 done but
not saved to disk (the reason on stderr; the daemon keeps it in memory and retries).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from postured import __version__

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_REFUSED, EXIT_BAD, EXIT_NOT_RUNNING, EXIT_NOT_SAVED = 0, 1, 2, 3, 4

# Caps that keep a typo from running for minutes: 2,000 reminders (months of breaks)
# take about 2 s to preview here;
# 100 years of history is more than anyone has. --from stays inside the years
# Python's dates can reach with a count's worth of reminders after it.
MAX_COUNT = 2_000
MAX_DAYS = 36_500
FIRST_YEAR, LAST_YEAR = 1900, 9000


def build_parser() -> argparse.ArgumentParser:
    import argparse  # here, not at the top: the control verbs never need it (cli_control.py)

    # --config is accepted before the verb and after it; SUPPRESS keeps the later
    # (unset) one from overwriting the earlier.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="config file (default: $POSTURED_CONFIG, else the user config dir)")

    parser = argparse.ArgumentParser(
        prog="postured", parents=[common],
        description="Posture-break reminders in the system tray, during your work hours.",
    )
    parser.add_argument("--version", action="version", version=f"postured {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    run = verbs.add_parser("run", parents=[common], help="run the reminder daemon")
    run.add_argument("--no-tray", action="store_true", help="no tray icon: notifications and log only")

    config = verbs.add_parser("config", parents=[common], help="check, locate or create the config file")
    config.add_argument("action", choices=["check", "path", "init"])
    config.add_argument("--force", action="store_true", help="init: overwrite an existing file")

    exercises = verbs.add_parser("exercises", parents=[common], help="list the exercise catalogue")
    exercises.add_argument("--json", action="store_true")

    upcoming = verbs.add_parser("next", parents=[common], help="the reminder times the config produces")
    upcoming.add_argument("--count", type=_bounded(MAX_COUNT), default=10,
                          help=f"how many reminder times (1 to {MAX_COUNT:,}; default 10)")
    upcoming.add_argument("--from", dest="start", metavar="ISO-DATETIME",
                          help="start here instead of now (local time of the config's zone unless an offset "
                               f"is given; years {FIRST_YEAR} to {LAST_YEAR})")
    upcoming.add_argument("--json", action="store_true")

    status = verbs.add_parser("status", parents=[common], help="what the running daemon is doing")
    status.add_argument("--json", action="store_true", help="stable keys for status bars (see README)")
    snooze = verbs.add_parser("snooze", parents=[common], help="snooze the due break")
    snooze.add_argument("argument", metavar="DURATION", nargs="?", help="e.g. 10m (default: the first configured choice)")
    pause = verbs.add_parser("pause", parents=[common], help="pause reminders")
    pause.add_argument("argument", metavar="DURATION|tomorrow", nargs="?", help="e.g. 1h (default: tomorrow)")
    for verb, text in (("done", "mark the due break done"), ("skip", "skip the due break"),
                       ("too-hard", "done, but too hard: a lighter dose next time"),
                       ("hurts", "the due exercise hurts: stop, and rest it for a few days"),
                       ("resume", "resume after a pause"), ("break-now", "take a break now"),
                       ("reload", "re-read the config file"), ("quit", "stop the daemon")):
        verbs.add_parser(verb, parents=[common], help=text)

    program = verbs.add_parser(
        "program", parents=[common], help="follow a program from your clinician: import, show or remove it",
        description="import checks a program file (see config/program.example.toml), shows what changes in "
                    "the exercises suggested and keeps a copy, so the file may be deleted; the running daemon "
                    "follows it at once. show prints it; remove goes back to your config's exercises.",
        epilog="exit status: 0 done; 1 no program to show or remove, or the daemon did not apply it; "
               "2 a bad program or config (nothing changed)")
    program.add_argument("action", choices=["import", "show", "remove"])
    program.add_argument("file", metavar="FILE", nargs="?", help="import: the program file (TOML)")
    program.add_argument("--dry-run", action="store_true", help="import: only show what would change")

    verbs.add_parser("safety", parents=[common], help="every safety note, and when postured shows it")

    history = verbs.add_parser("history", parents=[common], help="reminders shown and answers given")
    history.add_argument("--days", type=_bounded(MAX_DAYS), default=7,
                         help=f"days to look back (1 to {MAX_DAYS:,}; default 7)")
    history.add_argument("--json", action="store_true")

    guide = verbs.add_parser(
        "guide", parents=[common], help="a window that walks you through the due exercise",
        description="Shows the due break's exercise (steps, cautions, a countdown per hold) and sends "
                    "Done, Snooze, Skip, Too hard or This hurts to the running daemon. Enter: next; "
                    "Esc: close, the break stays due.",
        epilog="exit status: 0 closed; 1 nothing due, no display or no answer; 2 unknown exercise; "
               "3 the daemon is not running")
    guide.add_argument("--exercise", metavar="ID",
                       help="try an exercise without the daemon: the buttons print what was pressed")

    stats = verbs.add_parser(
        "stats", parents=[common], help="breaks done per day, your streak, and a weekly chart",
        description="Counts per day in the config's time zone (days start at local midnight), the streak of "
                    "days with at least GOAL done (today counts once it reaches the goal; until then the "
                    "streak runs through yesterday; days outside schedule.days never break it), and what "
                    "was done per exercise and per region.")
    stats.add_argument("--days", type=_bounded(MAX_DAYS), default=7,
                       help=f"days to cover, today included (1 to {MAX_DAYS:,}; default 7)")
    stats.add_argument("--goal", type=_positive, default=3, help="breaks done a day that keep a streak (default 3)")
    stats.add_argument("--json", action="store_true", help="stable keys (see README)")
    stats.add_argument("--chart", metavar="FILE.png", help="also draw the last 7 days as a PNG chart")

    report = verbs.add_parser(
        "report", parents=[common], help="a record of the last weeks to bring to an appointment (PDF or HTML)",
        description="Per exercise the breaks suggested and done, the breaks the schedule planned, the dose "
                    "step over the weeks (charts), the pain and too-hard reports with their dates, natural "
                    "breaks and the program in force; weeks of 7 local days ending with --to.",
        epilog="exit status: 0 written; 2 bad arguments, a bad config or a file that cannot be written")
    report.add_argument("--weeks", type=_weeks, default=4, help="weeks to cover, 1 to 52 (default 4)")
    report.add_argument("--out", metavar="FILE.pdf|FILE.html", required=True, help="where to write the report")
    report.add_argument("--to", metavar="YYYY-MM-DD", type=_day,
                        help="the last day covered (default: today in the config's zone)")

    sync = verbs.add_parser(
        "sync", parents=[common], help="the devices sharing history through the [sync] folder",
        description="status lists the devices whose events are in the sync folder: name, id, how many "
                    "events, the last one, and when its file last changed (no daemon needed).")
    sync.add_argument("action", choices=["status"])
    sync.add_argument("--json", action="store_true", help="stable keys")

    autostart = verbs.add_parser(
        "autostart", parents=[common], help="start postured at login, or stop doing so",
        description="enable writes the platform's login item (XDG autostart .desktop, macOS LaunchAgent, "
                    "Windows Startup script) for this installation, with --config if given; disable removes "
                    "exactly that; status prints whether it is enabled and the file's path.",
        epilog="exit status: 0 done (status: enabled); 1 refused: a file postured did not write is in "
               "the way, or it could not be written (status: not enabled)")
    autostart.add_argument("action", choices=["enable", "disable", "status"])
    return parser


def _bad(message: str) -> Exception:
    """The error an argument's type gives; argparse names the option and exits 2."""
    import argparse

    return argparse.ArgumentTypeError(message)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _bad(f"{text!r} is not a whole number") from None
    if value < 1:
        raise _bad("must be 1 or more")
    return value


def _weeks(text: str) -> int:
    value = _positive(text)
    if value > 52:  # postured.report.model.MAX_WEEKS, not imported: it would load the catalogue types
        raise _bad("must be 52 or less (a year)")
    return value


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(f"{text!r} is not a date like 2026-03-31") from None


def _bounded(most: int):
    """A whole number from 1 to ``most``; argparse names the option in its error (exit 2)."""

    def parse(text: str) -> int:
        value = _positive(text)
        if value > most:
            raise _bad(f"{value:,} is more than the {most:,} allowed")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    from postured import cli_control

    plain = cli_control.parse(sys.argv[1:] if argv is None else argv)
    if plain is not None:  # a control verb: no argparse (a status bar polls this)
        try:
            return cli_control.run(*plain)
        except BrokenPipeError:
            return EXIT_OK
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
            return _fail(f"{paths.config} exists already (use --force to replace it)")
        paths.config.parent.mkdir(parents=True, exist_ok=True)
        paths.config.write_text(example_config().read_text(encoding="utf-8"), encoding="utf-8")
        print(f"wrote {paths.config}")
        return EXIT_OK
    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    for warning in loaded.warnings:  # it works, so exit 0; but say what looks unmeant
        print(f"postured: warning: {warning}", file=sys.stderr)
    if loaded.settings.presence.calendars:  # each unreadable or broken calendar: one line
        from datetime import datetime

        from postured.busy_calendars import Calendars

        calendars = Calendars(paths.calendar_cache, loaded.zone, warn=_note)
        calendars.configure(loaded.settings.presence)
        calendars.refresh(datetime.now().astimezone())
    where = paths.config if loaded.text is not None else f"{paths.config} (absent: defaults apply)"
    print(f"ok: {where}")
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
    print("These notes come from the articles the exercises are taken from; they do not replace advice "
          "from your doctor or physiotherapist.")
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
    for exercise in loaded.catalogue.exercises:
        mark = "*" if exercise.id in usable else " "
        needs = ", ".join(exercise.positions + exercise.equipment)
        print(f"{mark} {exercise.id:<28} {exercise.name:<38} {exercise.region:<10} {needs}")
        if dose(exercise):
            print(f"  {'':<28} {dose(exercise)}")
    print("\n* = suggested with your config", file=sys.stderr)
    return EXIT_OK


def _verb_next(args, paths) -> int:
    from dataclasses import replace
    from datetime import datetime, timedelta

    from postured.config import ConfigError, eligible
    from postured.core import coach, machine, planner
    from postured.core.busy import holding
    from postured.core.calendar import UTC, WorkCalendar
    from postured.program import rotation

    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    if args.start:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            return _fail(f"--from {args.start!r} is not an ISO date-time (e.g. 2026-03-27T08:00)")
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            return _fail(f"--from {args.start!r}: the year must be {FIRST_YEAR} to {LAST_YEAR}")
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
        return _fail(f"--count {args.count} from {start:%Y-%m-%d} runs past the last date there is (9999-12-31)")
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
            name = exercise.name if exercise else "(no break: your program's limits for today are reached)"
            note = f"(held: {block.title} until {block.end.astimezone(loaded.zone):%H:%M}) " if block else ""
            print(f"{at:%a %Y-%m-%d %H:%M %z}  {note}{name}")
    return EXIT_OK


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
        return _fail(f"cannot read the history {paths.history}: {exc}")
    if args.json:
        print(json.dumps([event.as_json() for event in events], indent=2))
        return EXIT_OK
    if not events:
        print(f"no history in the last {args.days} days ({paths.history})")
    for event in events:
        local = event.at.astimezone()
        detail = f" ({event.detail})" if event.detail else ""
        print(f"{local:%a %Y-%m-%d %H:%M}  {event.kind:<8} {event.exercise_id or '-':<28} "
              f"via {event.source}{detail}")
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
        return _fail(f"cannot read the history {paths.history}: {exc}")
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
            return _fail(f"cannot write the chart {args.chart}: {exc.strerror or exc}")
        print(f"chart: {args.chart}", file=sys.stderr)
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
                stale = "" if found.current else " (differs from what `autostart enable` would write now)"
                print(f"enabled: {found.path}{stale}")
                return EXIT_OK
            why = "was not written by postured" if found.exists else "does not exist"
            print(f"not enabled: {found.path} {why}")
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
