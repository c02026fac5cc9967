"""Where an imported program is kept, what an import or a removal changes, and the `program` verb.

`postured program import FILE` copies the file (and the PNG images it names) into
``<data dir>/program/``, so the file the clinician handed can be deleted; `program remove`
deletes that folder. The running daemon is told through the control socket's ``reload``.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

from postured import i18n
from postured.config import ConfigError, Exercise
from postured.core import coach
from postured.i18n import N_, _
from postured.program import Program, read_program, rotation

FILE_NAME = "program.toml"


def folder_of(data: Path) -> Path:
    return data / "program"


def load_stored(data: Path, catalogue: list[Exercise]) -> Program | None:
    """The imported program, or None when there is none. Its start may be past by now."""
    path = folder_of(data) / FILE_NAME
    if not path.exists():
        return None
    return read_program(path, catalogue, today=None)


def store(source: Path, program: Program, data: Path) -> Path:
    """Copy the program and its images in; the old copy is replaced only once the new one is whole."""
    target = folder_of(data)
    fresh = target.with_name("program.new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    shutil.copyfile(source, fresh / FILE_NAME)
    for custom in program.custom:
        if custom.image:
            shutil.copyfile(source.parent / custom.image, fresh / custom.image)
    old = target.with_name("program.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    return target / FILE_NAME


def remove(data: Path) -> bool:
    target = folder_of(data)
    if not target.exists():
        return False
    shutil.rmtree(target)
    return True


# ---------------------------------------------------------------- what changes


def _span(first: int | None, last: int | None, unit: str = "") -> str:
    if first is None:
        return "-"
    if first == last:
        return f"{first}{unit}"
    # Translators: a range of a dose, e.g. "10 up to 20 s" ({unit} is " s" or empty)
    return _("{first} up to {last}{unit}").format(first=first, last=last, unit=unit)


def limits(exercise: Exercise) -> dict[str, str]:
    """The limits the coach keeps for an exercise, in words: its ladder's first and top step."""
    steps = coach.ladder(exercise)
    first, top = steps[0], steps[-1]
    days = exercise.days_per_week
    # The keys are shown through _() (describe, changes): "hold 10 up to 20 s; sets 2".
    return {
        N_("hold"): _span(first.hold_seconds, top.hold_seconds, " s"),
        N_("repetitions"): _span(first.repetitions, top.repetitions),
        N_("sets"): _span(first.sets or 1, top.sets or 1),
        N_("times a day"): _("at most {count}").format(count=coach.daily_cap(exercise)),
        N_("days a week"): _("at most {count}").format(count=days[1] if isinstance(days, tuple) else days)
        if days else _("any"),
    }


def describe(exercise: Exercise) -> str:
    return "; ".join(f"{_(key)} {value}" for key, value in limits(exercise).items() if value != "-")


def changes(before: list[Exercise], after: list[Exercise]) -> list[str]:
    """Lines: + added to the rotation, - taken out, ~ limits changed (old -> new), = unchanged."""
    old = {e.id: e for e in before}
    new = {e.id: e for e in after}
    lines = []
    for exercise in after:
        if exercise.id not in old:
            lines.append(f"  + {exercise.name} ({exercise.id}): {describe(exercise)}")
            continue
        was, now = limits(old[exercise.id]), limits(exercise)
        moved = [f"{_(key)} {was[key]} -> {now[key]}" for key in now if was[key] != now[key]]
        mark = "~" if moved else "="
        change = "; ".join(moved) or _("unchanged")  # outside the f-string, where pybabel finds it
        lines.append(f"  {mark} {exercise.name} ({exercise.id}): {change}")
    lines += [f"  - {e.name} ({e.id})" for e in before if e.id not in new]
    return lines


def summary(program: Program, today: date) -> list[str]:
    about = program.program
    if about.by:
        # Translators: {title} is the program's title, {by} the clinician who wrote it
        lines = [_("Program: {title} (by {by})").format(title=about.title, by=about.by)]
    else:
        lines = [_("Program: {title}").format(title=about.title)]
    lines.append("  " + _("start {start}, review {review}: {state}").format(
        start=_day(about.start), review=_day(about.review), state=state_of(program, today)))
    lines += ["  " + _("note: {note}").format(note=note) for note in about.notes]
    return lines


def state_of(program: Program, today: date) -> str:
    """In words; the same text `postured status` shows."""
    about = program.program
    if not program.in_force(today):
        return _("not in force yet: the coach follows it from {day}").format(day=_day(about.start))
    if program.review_due(today):
        return _("due for review since {day}: it stays in force; "
                 "ask your clinician whether to go on, change it or stop").format(day=_day(about.review))
    return _("in force until the review on {day}").format(day=_day(about.review))


def _day(day: date) -> str:
    """'Mon 2026-03-23': the weekday as the locale writes it, the date in ISO order."""
    return f"{i18n.weekday(day)} {day:%Y-%m-%d}"


def status_of(program: Program | None, today: date) -> dict | None:
    """The `program` key of `postured status --json`."""
    if program is None:
        return None
    about = program.program
    return {
        "title": about.title, "by": about.by or None, "start": about.start.isoformat(),
        "review": about.review.isoformat(), "in_force": program.in_force(today),
        "review_due": program.review_due(today), "exercises": program.ids(), "text": state_of(program, today),
    }


# ---------------------------------------------------------------- the verb


def run_verb(args, paths, say, fail) -> int:
    """`postured program import FILE [--dry-run] | show | remove`; exit status as the other verbs."""
    from postured.app import load_config, zone_of
    from postured.config import eligible

    try:
        loaded = load_config(paths)
    except ConfigError as exc:
        return fail(str(exc))
    today = datetime.now(zone_of(loaded.settings)).date()
    built_in = [e for e in loaded.catalogue.exercises if not e.is_custom]
    unreadable = False
    try:
        current = load_stored(paths.data, built_in)
    except ConfigError as exc:
        if args.action == "show":
            return fail(_("the imported program cannot be used: {problem}").format(problem=exc))
        say("postured: " + _("the imported program cannot be used ({problem})").format(problem=exc))
        current, unreadable = None, True
    own_rotation = eligible(loaded.settings, loaded.catalogue.exercises)
    following = rotation(current, built_in) if current and current.in_force(today) else own_rotation

    if args.action == "show":
        if current is None:
            print(_("no program imported: the coach follows your config (postured program import FILE)"))
            return 1
        print("\n".join(summary(current, today)))
        print(_("Exercises (the coach suggests only these, within these limits):"))
        for exercise in rotation(current, built_in):
            print(f"  {exercise.name} ({exercise.id}): {describe(exercise)}")
        print(_("Kept in {path}").format(path=folder_of(paths.data) / FILE_NAME))
        return 0

    if args.action == "remove":
        if not remove(paths.data):
            print(_("no program imported: nothing to remove"))
            return 1
        print(_("Program removed; the coach follows your config again:"))
        if unreadable:  # what the daemon followed is not known here: list what comes now
            print("\n".join(f"  {e.name} ({e.id}): {describe(e)}" for e in own_rotation))
        else:
            print("\n".join(changes(following, own_rotation)))
        return _tell_daemon(say)

    if not args.file:
        return fail(_("program import needs the program FILE"))
    source = Path(args.file).expanduser()
    try:
        program = read_program(source, built_in, today)
    except ConfigError as exc:
        return fail(_("program not imported, nothing changed:") + f"\n{exc}")
    print("\n".join(summary(program, today)))
    if program.program.start <= today:
        print(_("The coach will suggest only these exercises, from today (now -> with the program):"))
    else:
        print(_("The coach will suggest only these exercises, from {day} (now -> with the program):").format(
            day=_day(program.program.start)))
    print("\n".join(changes(following, rotation(program, built_in))))
    if args.dry_run:
        print(_("dry run: nothing changed"))
        return 0
    try:
        where = store(source, program, paths.data)
    except OSError as exc:
        return fail(_("cannot store the program in {path}: {reason}").format(
            path=folder_of(paths.data), reason=exc.strerror or exc))
    print(_("Imported into {path}; the file you were given may be deleted.").format(path=where))
    return _tell_daemon(say)


def _tell_daemon(say) -> int:
    from postured import control

    try:
        answer = control.ask("reload", None)
    except control.NotRunning:
        print(_("postured is not running: it follows this when it starts"))
        return 0
    except control.NoAnswer as exc:
        say("postured: " + _("the running postured did not answer ({problem}); `postured reload` applies it").format(
            problem=exc))
        return 1
    if not answer.get("ok"):
        say("postured: " + _("the running postured did not apply it: {problem}").format(problem=answer.get("error")))
        return 1
    print(_("The running postured follows it now."))
    return 0
