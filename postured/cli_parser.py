"""The ``postured`` command line's grammar and its `--help`, in the person's language.

Built only for the verbs that need argparse (cli_control.py reads the light control verbs by
hand). argparse's own words go through postured's gettext domain (argparse_words.py), so the
language must be chosen before ``build_parser`` is called: every help text is looked up here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from postured import __version__, i18n
from postured.i18n import _

if TYPE_CHECKING:
    import argparse

# Caps that keep a typo from running for minutes: 2,000 reminders (months of breaks)
# take about 2 s to preview here;
# 100 years of history is more than anyone has. --from stays inside the years
# Python's dates can reach with a count's worth of reminders after it.
MAX_COUNT = 2_000
MAX_DAYS = 36_500
FIRST_YEAR, LAST_YEAR = 1900, 9000


def build_parser() -> argparse.ArgumentParser:
    import argparse  # here, not at the top: the control verbs never need it (cli_control.py)

    from postured.argparse_words import route

    route(argparse)
    # --config is accepted before the verb and after it; SUPPRESS keeps the later
    # (unset) one from overwriting the earlier.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help=_("config file (default: $POSTURED_CONFIG, else the user config dir)"))

    parser = argparse.ArgumentParser(
        prog="postured", parents=[common],
        description=_("Posture-break reminders in the system tray, during your work hours."),
    )
    parser.add_argument("--version", action="version", version=f"postured {__version__}",
                        help=_("show program's version number and exit"))
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    run = verbs.add_parser("run", parents=[common], help=_("run the reminder daemon"))
    run.add_argument("--no-tray", action="store_true", help=_("no tray icon: notifications and log only"))

    config = verbs.add_parser("config", parents=[common], help=_("check, locate or create the config file"))
    config.add_argument("action", choices=["check", "path", "init"])
    config.add_argument("--force", action="store_true", help=_("init: overwrite an existing file"))

    exercises = verbs.add_parser("exercises", parents=[common], help=_("list the exercise catalogue"))
    exercises.add_argument("--json", action="store_true")

    upcoming = verbs.add_parser("next", parents=[common], help=_("the reminder times the config produces"))
    upcoming.add_argument("--count", type=_bounded(MAX_COUNT), default=10,
                          # Translators: {most} is a number such as 2,000
                          help=_("how many reminder times (1 to {most}; default 10)").format(most=i18n.number(MAX_COUNT)))
    upcoming.add_argument("--from", dest="start", metavar="ISO-DATETIME",
                          help=_("start here instead of now (local time of the config's zone unless an offset "
                                 "is given; years {first} to {last})").format(first=FIRST_YEAR, last=LAST_YEAR))
    upcoming.add_argument("--json", action="store_true")

    status = verbs.add_parser("status", parents=[common], help=_("what the running daemon is doing"))
    status.add_argument("--json", action="store_true", help=_("stable keys for status bars (see README)"))
    snooze = verbs.add_parser("snooze", parents=[common], help=_("snooze the due break"))
    snooze.add_argument("argument", metavar="DURATION", nargs="?",
                        help=_("e.g. 10m (default: the first configured choice)"))
    pause = verbs.add_parser("pause", parents=[common], help=_("pause reminders"))
    pause.add_argument("argument", metavar="DURATION|tomorrow", nargs="?", help=_("e.g. 1h (default: tomorrow)"))
    for verb, text in (("done", i18n.N_("mark the due break done")), ("skip", i18n.N_("skip the due break")),
                       ("too-hard", i18n.N_("done, but too hard: a lighter dose next time")),
                       ("hurts", i18n.N_("the due exercise hurts: stop, and rest it for a few days")),
                       ("resume", i18n.N_("resume after a pause")), ("break-now", i18n.N_("take a break now")),
                       ("reload", i18n.N_("re-read the config file")), ("quit", i18n.N_("stop the daemon"))):
        verbs.add_parser(verb, parents=[common], help=_(text))

    program = verbs.add_parser(
        "program", parents=[common], help=_("follow a program from your clinician: import, show or remove it"),
        description=_("import checks a program file (see config/program.example.toml), shows what changes in "
                      "the exercises suggested and keeps a copy, so the file may be deleted; the running daemon "
                      "follows it at once. show prints it; remove goes back to your config's exercises."),
        epilog=_("exit status: 0 done; 1 no program to show or remove, or the daemon did not apply it; "
                 "2 a bad program or config (nothing changed)"))
    program.add_argument("action", choices=["import", "show", "remove"])
    program.add_argument("file", metavar="FILE", nargs="?", help=_("import: the program file (TOML)"))
    program.add_argument("--dry-run", action="store_true", help=_("import: only show what would change"))

    verbs.add_parser("safety", parents=[common], help=_("every safety note, and when postured shows it"))

    history = verbs.add_parser("history", parents=[common], help=_("reminders shown and answers given"))
    history.add_argument("--days", type=_bounded(MAX_DAYS), default=7,
                         # Translators: {most} is a number such as 36,500
                         help=_("days to look back (1 to {most}; default 7)").format(most=i18n.number(MAX_DAYS)))
    history.add_argument("--json", action="store_true")

    guide = verbs.add_parser(
        "guide", parents=[common], help=_("a window that walks you through the due exercise"),
        description=_("Shows the due break's exercise (steps, cautions, a countdown per hold) and sends "
                      "Done, Snooze, Skip, Too hard or This hurts to the running daemon. Enter: next; "
                      "Esc: close, the break stays due."),
        epilog=_("exit status: 0 closed; 1 nothing due, no display or no answer; 2 unknown exercise; "
                 "3 the daemon is not running"))
    guide.add_argument("--exercise", metavar="ID",
                       help=_("try an exercise without the daemon: the buttons print what was pressed"))

    stats = verbs.add_parser(
        "stats", parents=[common], help=_("breaks done per day, your streak, and a weekly chart"),
        description=_("Counts per day in the config's time zone (days start at local midnight), the streak of "
                      "days with at least GOAL done (today counts once it reaches the goal; until then the "
                      "streak runs through yesterday; days outside schedule.days never break it), and what "
                      "was done per exercise and per region."))
    stats.add_argument("--days", type=_bounded(MAX_DAYS), default=7,
                       # Translators: {most} is a number such as 36,500
                       help=_("days to cover, today included (1 to {most}; default 7)").format(most=i18n.number(MAX_DAYS)))
    stats.add_argument("--goal", type=_positive, default=3, help=_("breaks done a day that keep a streak (default 3)"))
    stats.add_argument("--json", action="store_true", help=_("stable keys (see README)"))
    stats.add_argument("--chart", metavar="FILE.png", help=_("also draw the last 7 days as a PNG chart"))

    report = verbs.add_parser(
        "report", parents=[common], help=_("a record of the last weeks to bring to an appointment (PDF or HTML)"),
        description=_("Per exercise the breaks suggested and done, the breaks the schedule planned, the dose "
                      "step over the weeks (charts), the pain and too-hard reports with their dates, natural "
                      "breaks and the program in force; weeks of 7 local days ending with --to."),
        epilog=_("exit status: 0 written; 2 bad arguments, a bad config or a file that cannot be written"))
    report.add_argument("--weeks", type=_weeks, default=4, help=_("weeks to cover, 1 to 52 (default 4)"))
    report.add_argument("--out", metavar="FILE.pdf|FILE.html", required=True, help=_("where to write the report"))
    report.add_argument("--to", metavar="YYYY-MM-DD", type=_day,
                        help=_("the last day covered (default: today in the config's zone)"))

    sync = verbs.add_parser(
        "sync", parents=[common], help=_("the devices sharing history through the [sync] folder"),
        description=_("status lists the devices whose events are in the sync folder: name, id, how many "
                      "events, the last one, and when its file last changed (no daemon needed)."))
    sync.add_argument("action", choices=["status"])
    sync.add_argument("--json", action="store_true", help=_("stable keys"))

    autostart = verbs.add_parser(
        "autostart", parents=[common], help=_("start postured at login, or stop doing so"),
        description=_("enable writes the platform's login item (XDG autostart .desktop, macOS LaunchAgent, "
                      "Windows Startup script) for this installation, with --config if given; disable removes "
                      "exactly that; status prints whether it is enabled and the file's path."),
        epilog=_("exit status: 0 done (status: enabled); 1 refused: a file postured did not write is in "
                 "the way, or it could not be written (status: not enabled)"))
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
        # Translators: {text} is what was typed, in quotes
        raise _bad(_("{text} is not a whole number").format(text=repr(text))) from None
    if value < 1:
        raise _bad(_("must be 1 or more"))
    return value


def _weeks(text: str) -> int:
    value = _positive(text)
    if value > 52:  # postured.report.model.MAX_WEEKS, not imported: it would load the catalogue types
        raise _bad(_("must be 52 or less (a year)"))
    return value


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(_("{text} is not a date like 2026-03-31").format(text=repr(text))) from None


def _bounded(most: int):
    """A whole number from 1 to ``most``; argparse names the option in its error (exit 2)."""

    def parse(text: str) -> int:
        value = _positive(text)
        if value > most:
            raise _bad(_("{value} is more than the {most} allowed").format(value=i18n.number(value),
                                                                            most=i18n.number(most)))
        return value

    return parse
