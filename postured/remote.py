"""What each control verb does: the same engine commands as the tray menu, plus status.

A CLI answer and a tray click are the same event in history; only ``source`` differs
(the request says cli or guide).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from postured import control
from postured.core import machine
from postured.i18n import _
from postured.timetext import parse_duration

COMMANDS: dict[str, Callable[[str | None, str], machine.Command]] = {
    "done": lambda _arg, source: machine.Done(source=source),
    "skip": lambda _arg, source: machine.Skip(source=source),
    "too-hard": lambda _arg, source: machine.TooHard(source=source),
    "hurts": lambda _arg, source: machine.Hurts(source=source),
    "snooze": lambda arg, source: machine.Snooze(parse_duration(arg) if arg else None, source=source),
    "pause": lambda arg, source: machine.Pause(
        None if arg in (None, "tomorrow") else parse_duration(arg), source=source
    ),
    "resume": lambda _arg, source: machine.Resume(source=source),
    "break-now": lambda _arg, source: machine.BreakNow(source=source),
    "quit": lambda _arg, source: machine.Quit(source=source),
}


class Remote:
    def __init__(self, engine, keeper):
        self._engine = engine
        self._keeper = keeper  # reloads the config; knows its path and last error

    def respond(self, verb: str, argument: str | None, source: str = "cli") -> dict:
        """The reply to one request; ``source`` (cli or guide) is what the history records."""
        if verb == "status":
            return control.reply(True, status=self.status())
        if verb == "reload":
            error = self._keeper.reload()
            if error:
                return control.reply(False, error=error, status=self.status())
            return control.reply(True, message=_("config reloaded"), status=self.status())
        try:
            command = COMMANDS[verb](argument, source)
        except ValueError as exc:
            return control.reply(False, error=str(exc))
        with self._engine.lock:  # no other answer can be written between the two
            outcome = self._engine.handle(command)
            problem = self._engine.history_problem()
            waiting = self._engine.history.unsaved
        if outcome.refused:
            # The core's reason is English (the log says it so); the person reads their language.
            return control.reply(False, error=_(outcome.refused), status=self.status())
        # Acknowledged means on disk: an answer only kept in memory says so (the CLI exits 4).
        recorded = any(isinstance(effect, machine.Record) for effect in outcome.effects)
        if verb == "quit":
            # Translators: {problem} says why answers are not on disk and how many wait.
            last_try = _("{problem}; one last try is made as postured stops, and the log names what is lost").format(
                problem=problem)
            return control.reply(True, message=_("postured is stopping"), not_saved=last_try if waiting else None)
        return control.reply(True, message=self._engine.view().status, status=self.status(),
                             not_saved=problem if recorded else None)

    def status(self) -> dict:
        engine = self._engine
        with engine.lock:
            state = engine.state
            view = engine.view()
            exercise = engine.catalogue.by_id(state.exercise_id) if state.exercise_id else None
            counts, planned = engine.today()
        next_reminder = state.alarm_at if state.phase is machine.Phase.WAITING else None
        if state.phase is machine.Phase.SNOOZED:
            next_reminder = state.until
        return {
            "state": view.state,
            "status": view.status,
            "next_reminder": _iso(next_reminder, engine),
            "exercise": {"id": exercise.id, "name": exercise.name} if exercise else None,
            "dose": _dose(engine, exercise),
            "until": _iso(state.until, engine),
            "held_by": state.held_by.value if state.held_by else None,
            "today": {
                **{kind: counts.get(kind, 0) for kind in ("done", "snoozed", "skipped", "missed", "natural_break")},
                "planned": planned,
            },
            "config_path": str(self._keeper.path),
            "config_error": self._keeper.error,
            "history_error": engine.history_problem(),
            "program": engine.program_status(),
        }


def _iso(moment: datetime | None, engine) -> str | None:
    return engine.calendar.local(moment).isoformat(timespec="seconds") if moment else None


def _dose(engine, exercise) -> dict | None:
    """Today's step of the exercise's dose, for the guided window and status bars."""
    if exercise is None:
        return None
    dose = engine.dose(exercise)
    return {
        "hold_seconds": dose.hold_seconds, "repetitions": dose.repetitions, "sets": dose.sets,
        "level": dose.level, "levels": dose.levels, "text": engine.dose_text(exercise),
    }
