"""`postured guide`: a short-lived window that walks the person through the due exercise.

A process of its own (the tray's "Start exercise" starts it), so Tk never lives in the
daemon. It asks the daemon what is due over the control channel and sends the answer
back the same way. With an exercise id and no daemon it is a try-out: the buttons print
what was pressed and close the window.

Exit status as the other verbs: 0 done, 1 nothing due / no display / no answer,
2 an unknown exercise id, 3 the daemon is not running.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from postured.i18n import _

if TYPE_CHECKING:
    from postured.paths import Paths

EXIT_OK, EXIT_REFUSED, EXIT_BAD, EXIT_NOT_RUNNING = 0, 1, 2, 3
HURTS_NOTES = ("ease-off-with-pain", "see-a-clinician")


def _say(message: str) -> None:
    print(_("postured: {message}").format(message=message), file=sys.stderr)


def run(paths: Paths, exercise_id: str | None = None) -> int:
    """The window for ``exercise_id`` (try-out), else for the running daemon's due break."""
    chosen_dose = None
    if exercise_id is None:
        due = _ask_daemon()
        if isinstance(due, int):
            return due
        exercise_id, chosen_dose, config_path = due
        if config_path:  # the daemon's config: its own exercises may be the due one
            from dataclasses import replace
            from pathlib import Path

            paths = replace(paths, config=Path(config_path))
        answer = _answer_daemon
    else:
        answer = _answer_print
    catalogue = _catalogue(paths)
    exercise = catalogue.by_id(exercise_id)
    if exercise is None:
        _say(_("no exercise {id} (postured exercises lists them)").format(id=repr(exercise_id)))
        return EXIT_BAD
    notes = {note.id: note.text for note in catalogue.safety}
    return _show(exercise, chosen_dose, answer, [notes[i] for i in HURTS_NOTES if i in notes])


def _catalogue(paths: Paths):
    """The catalogue as the config extends it; the built-in one if the config is broken."""
    from postured.app import load
    from postured.catalogue import load_catalogue
    from postured.config import ConfigError

    try:
        return load(paths).catalogue
    except ConfigError:
        from postured import i18n

        i18n.apply(None)  # the config's [ui] language cannot be read: the environment's
        return load_catalogue()  # `postured config check` explains; the built-in exercises still work


def _ask_daemon() -> tuple[str, dict | None, str | None] | int:
    """(exercise id, today's dose or None, config path) of the due break, or an exit status."""
    from postured import control

    try:
        answer = control.ask("status")
    except control.NotRunning:
        _say(_("not running (start it with: postured run, or try an exercise with: postured guide --exercise ID)"))
        return EXIT_NOT_RUNNING
    except control.NoAnswer as exc:
        _say(str(exc))
        return EXIT_REFUSED
    status = answer.get("status") or {}
    exercise = status.get("exercise")
    if status.get("state") not in ("due", "snoozed") or not isinstance(exercise, dict):
        _say(_("no break is due right now (postured break-now starts one)"))
        return EXIT_REFUSED
    return str(exercise.get("id", "")), status.get("dose"), status.get("config_path")


def _answer_daemon(verb: str) -> str | None:
    from postured import control

    try:
        reply = control.ask(verb, source="guide")  # the history says the window answered
    except control.NotRunning:
        return _("postured is not running any more")
    except control.NoAnswer as exc:
        return str(exc)
    return None if reply.get("ok") else str(reply.get("error") or _("the daemon refused"))


def _answer_print(verb: str) -> None:
    print(verb, flush=True)
    return None


def _show(exercise, chosen_dose, answer, notes: list[str]) -> int:
    try:
        import tkinter
    except ImportError:
        _say(_("the exercise window needs Tk (on Debian/Ubuntu: apt install python3-tk)"))
        return EXIT_REFUSED
    from postured.guide.session import dose_for
    from postured.guide.window import GuideWindow

    try:
        window = GuideWindow(exercise, dose_for(exercise, chosen_dose), answer, notes)
    except tkinter.TclError as exc:
        _say(_("cannot open the exercise window: {reason}").format(reason=exc))
        return EXIT_REFUSED
    try:
        window.run()
    except KeyboardInterrupt:
        window.close()
    return EXIT_OK
