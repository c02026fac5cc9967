"""The ``postured`` command. Only ``run`` loads the GUI, notification and scheduler libraries.

Exit status: 0 success, 1 refused, 2 bad usage or a bad config, 3 not running, 4 done but
not saved to disk (the reason on stderr; the daemon keeps it in memory and retries).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta

from postured import __version__

EXIT_OK, EXIT_REFUSED, EXIT_BAD, EXIT_NOT_RUNNING, EXIT_NOT_SAVED = 0, 1, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
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
    upcoming.add_argument("--count", type=_positive, default=10)
    upcoming.add_argument("--from", dest="start", metavar="ISO-DATETIME",
                          help="start here instead of now (local time of the config's zone unless an offset is given)")
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

    verbs.add_parser("safety", parents=[common], help="every safety note, and when postured shows it")

    history = verbs.add_parser("history", parents=[common], help="reminders shown and answers given")
    history.add_argument("--days", type=_positive, default=7)
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
    stats.add_argument("--days", type=_positive, default=7, help="days to cover, today included (default 7)")
    stats.add_argument("--goal", type=_positive, default=3, help="breaks done a day that keep a streak (default 3)")
    stats.add_argument("--json", action="store_true", help="stable keys (see README)")
    stats.add_argument("--chart", metavar="FILE.png", help="also draw the last 7 days as a PNG chart")

    autostart = verbs.add_parser(
        "autostart", parents=[common], help="start postured at login, or stop doing so",
        description="enable writes the platform's login item (XDG autostart .desktop, macOS LaunchAgent, "
                    "Windows Startup script) for this installation, with --config if given; disable removes "
                    "exactly that; status prints whether it is enabled and the file's path.",
        epilog="exit status: 0 done (status: enabled); 1 refused: a file postured did not write is in "
               "the way, or it could not be written (status: not enabled)")
    autostart.add_argument("action", choices=["enable", "disable", "status"])
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD
    handler = globals().get(f"_verb_{args.verb}")
    try:
        if handler is None:
            # The control verbs need no paths: only the daemon's socket.
            return _verb_control(args)
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
    if loaded.settings.presence.calendars:  # each unreadable or broken calendar: one line
        from postured.busy_calendars import Calendars

        calendars = Calendars(paths.calendar_cache, loaded.zone, warn=_note)
        calendars.configure(loaded.settings.presence)
        calendars.refresh(datetime.now().astimezone())
    where = paths.config if paths.config.exists() else f"{paths.config} (absent: defaults apply)"
    print(f"ok: {where}")
    return EXIT_OK


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

    from postured.config import ConfigError, eligible
    from postured.core import coach, machine, planner
    from postured.core.busy import holding
    from postured.core.calendar import UTC, WorkCalendar

    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    if args.start:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            return _fail(f"--from {args.start!r} is not an ISO date-time (e.g. 2026-03-27T08:00)")
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
    rows = []
    for moment in planner.reminder_times(calendar, start.astimezone(UTC), loaded.settings.schedule.interval, args.count):
        # A week and a day of history decides today's choice (caps, strength days, pain rest).
        past = [event for event in past if moment - event.at <= timedelta(days=8)]
        exercise = coach.choose(choices, past, moment, loaded.zone, rules)
        past += [coach.Past(moment, "shown", exercise.id), coach.Past(moment, "done", exercise.id)]
        rows.append((calendar.local(moment), exercise))
    meetings = _busy_blocks(paths, loaded, [at for at, _ in rows])
    held = [holding(meetings, at) for at, _ in rows]
    if args.json:
        print(json.dumps([
            {"at": at.isoformat(), "exercise": {"id": e.id, "name": e.name, "region": e.region},
             "held_by": {"reason": "calendar", "event": block.title, "until": block.end.astimezone(loaded.zone).isoformat()}
             if block else None}
            for (at, e), block in zip(rows, held)
        ], indent=2, ensure_ascii=False))
    else:
        for (at, exercise), block in zip(rows, held):
            note = f"(held: {block.title} until {block.end.astimezone(loaded.zone):%H:%M}) " if block else ""
            print(f"{at:%a %Y-%m-%d %H:%M %z}  {note}{exercise.name}")
    return EXIT_OK


def _busy_blocks(paths, loaded, moments) -> list:
    """The calendars' busy blocks around the planned reminders (feeds fetched if stale),
    for `next` to mark the reminders a meeting would hold; a broken calendar is a note."""
    from postured.core.holds import Hold, enabled

    if not moments or Hold.CALENDAR not in enabled(loaded.settings.presence):
        return []
    from postured.busy_calendars import Calendars

    calendars = Calendars(paths.calendar_cache, loaded.zone, warn=_note)
    calendars.configure(loaded.settings.presence)
    calendars.refresh(datetime.now().astimezone())
    return calendars.between(min(moments) - timedelta(days=1), max(moments) + timedelta(days=1))


def _verb_history(args, paths) -> int:
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
    from datetime import timezone
    from pathlib import Path

    from postured import stats
    from postured.adapters.history import read_events
    from postured.config import WEEKDAYS, ConfigError

    try:
        loaded = _load(paths)
    except ConfigError as exc:
        return _fail(str(exc))
    now = datetime.now(timezone.utc)
    try:
        # All of it: a streak can reach back past the days shown. A year of answers is a
        # few thousand rows, read in milliseconds.
        events = read_events(paths.history, datetime(1970, 1, 1, tzinfo=timezone.utc), warn=_note)
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


def _verb_control(args) -> int:
    """The verbs for the running daemon: plain JSON over the control socket, nothing heavy."""
    from postured import control

    argument = getattr(args, "argument", None)
    if argument is not None and argument != "tomorrow":
        from postured.timetext import parse_duration

        try:
            parse_duration(argument)
        except ValueError as exc:
            return _fail(str(exc))
    try:
        answer = control.ask(args.verb, argument)
    except control.NotRunning:
        print("postured: not running (start it with: postured run)", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except control.NoAnswer as exc:
        print(f"postured: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if args.verb == "status" and answer.get("ok"):
        _print_status(answer["status"], args.json)
        return EXIT_OK
    if not answer.get("ok"):
        print(f"postured: {answer.get('error')}", file=sys.stderr)
        return EXIT_REFUSED
    print(answer.get("message", "ok"))
    if answer.get("not_saved"):
        print(f"postured: not saved: {answer['not_saved']}", file=sys.stderr)
        return EXIT_NOT_SAVED
    return EXIT_OK


def _print_status(status: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(status, ensure_ascii=False))
        return
    today = status["today"]
    print(status["status"])
    print(f"today: {today['done']} done, {today['snoozed']} snoozed, {today['skipped']} skipped")
    print(f"config: {status['config_path']}")
    if status["config_error"]:
        print(f"config not applied (the last good one is in use):\n{status['config_error']}")
    if status.get("history_error"):
        print(f"history not saved: {status['history_error']}")
