"""The CLI verbs for the running daemon (status, snooze, done …): parsed here by hand.

A status bar runs `postured status` every few seconds, so this path loads no argparse,
pathlib, logging or platformdirs (with XDG_RUNTIME_DIR set): a plain command line is
read here, and anything else (help, a typo, an unknown option) goes on to argparse in
postured/cli.py, which says what is wrong in its usual way.
"""

from __future__ import annotations

import json
import sys

from postured import control
from postured.i18n import _

EXIT_OK, EXIT_REFUSED, EXIT_BAD, EXIT_NOT_RUNNING, EXIT_NOT_SAVED = 0, 1, 2, 3, 4


def parse(argv: list[str]) -> tuple[str, str | None, bool] | None:
    """(verb, argument, --json) of a plain control-verb command line, else None.

    Accepts what argparse would: ``--config PATH`` anywhere (the daemon's socket is all these
    verbs need, so it is not read), ``--json`` after ``status``, and the verb's one optional
    argument.
    """
    verb, arguments, as_json = None, [], False
    words = iter(argv)
    for word in words:
        if word == "--config":
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
        elif word.startswith("--config="):
            continue
        elif word == "--json" and verb == "status":
            as_json = True
        elif word.startswith("-"):
            return None
        elif verb is None:
            if word not in control.VERBS:
                return None
            verb = word
        else:
            arguments.append(word)
    if verb is None or len(arguments) > (1 if control.VERBS[verb] else 0):
        return None
    return verb, (arguments[0] if arguments else None), as_json


def run(verb: str, argument: str | None, as_json: bool = False) -> int:
    """Ask the daemon, print its answer; the exit status of the verb."""
    if argument is not None and argument != "tomorrow":
        from postured.timetext import parse_duration

        try:
            parse_duration(argument)
        except ValueError as exc:
            print(f"postured: {exc}", file=sys.stderr)
            return EXIT_BAD
    try:
        answer = control.ask(verb, argument)
    except control.NotRunning:
        print("postured: " + _("not running (start it with: postured run)"), file=sys.stderr)
        return EXIT_NOT_RUNNING
    except control.NoAnswer as exc:
        print(f"postured: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if verb == "status" and answer.get("ok"):
        print_status(answer["status"], as_json)
        return EXIT_OK
    if not answer.get("ok"):
        print(f"postured: {answer.get('error')}", file=sys.stderr)
        return EXIT_REFUSED
    print(answer["message"] if "message" in answer else _("ok"))
    if answer.get("not_saved"):  # done, but only in the daemon's memory: the history cannot be written
        print("postured: " + _("not saved: {reason}").format(reason=answer["not_saved"]), file=sys.stderr)
        return EXIT_NOT_SAVED
    return EXIT_OK


def print_status(status: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(status, ensure_ascii=False))
        return
    today = status["today"]
    print(status["status"])
    # Translators: today's answers so far, e.g. "today: 2 done, 1 snoozed, 0 skipped"
    print(_("today: {done} done, {snoozed} snoozed, {skipped} skipped").format(**today))
    print(_("config: {path}").format(path=status["config_path"]))
    if status["config_error"]:
        print(_("config not applied (the last good one is in use):") + "\n" + status["config_error"])
    if status.get("history_error"):
        print(_("history not saved: {reason}").format(reason=status["history_error"]))
    if status.get("program"):
        # Translators: {title} is the program's title, {text} what it asks for today
        print(_("program: {title}, {text}").format(title=status["program"]["title"], text=status["program"]["text"]))
