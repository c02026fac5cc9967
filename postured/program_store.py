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

from postured.config import ConfigError, Exercise
from postured.core import coach
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
    return f"{first}{unit}" if first == last else f"{first} up to {last}{unit}"


def limits(exercise: Exercise) -> dict[str, str]:
    """The limits the coach keeps for an exercise, in words: its ladder's first and top step."""
    steps = coach.ladder(exercise)
    first, top = steps[0], steps[-1]
    days = exercise.days_per_week
    return {
        "hold": _span(first.hold_seconds, top.hold_seconds, " s"),
        "repetitions": _span(first.repetitions, top.repetitions),
        "sets": _span(first.sets or 1, top.sets or 1),
        "times a day": f"at most {coach.daily_cap(exercise)}",
        "days a week": f"at most {days[1] if isinstance(days, tuple) else days}" if days else "any",
    }


def describe(exercise: Exercise) -> str:
    return "; ".join(f"{key} {value}" for key, value in limits(exercise).items() if value != "-")


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
        moved = [f"{key} {was[key]} -> {now[key]}" for key in now if was[key] != now[key]]
        mark = "~" if moved else "="
        lines.append(f"  {mark} {exercise.name} ({exercise.id}): {'; '.join(moved) or 'unchanged'}")
    lines += [f"  - {e.name} ({e.id})" for e in before if e.id not in new]
    return lines


def summary(program: Program, today: date) -> list[str]:
    about = program.program
    by = f" (by {about.by})" if about.by else ""
    lines = [f"Program: {about.title}{by}",
             f"  start {about.start:%a %Y-%m-%d}, review {about.review:%a %Y-%m-%d}: {state_of(program, today)}"]
    lines += [f"  note: {note}" for note in about.notes]
    return lines


def state_of(program: Program, today: date) -> str:
    """In words; the same text `postured status` shows."""
    about = program.program
    if not program.in_force(today):
        return f"not in force yet: the coach follows it from {about.start:%a %Y-%m-%d}"
    if program.review_due(today):
        return (f"due for review since {about.review:%a %Y-%m-%d}: it stays in force; "
                "ask your clinician whether to go on, change it or stop")
    return f"in force until the review on {about.review:%a %Y-%m-%d}"


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
            return fail(f"the imported program cannot be used: {exc}")
        say(f"postured: the imported program cannot be used ({exc})")
        current, unreadable = None, True
    own_rotation = eligible(loaded.settings, loaded.catalogue.exercises)
    following = rotation(current, built_in) if current and current.in_force(today) else own_rotation

    if args.action == "show":
        if current is None:
            print("no program imported: the coach follows your config (postured program import FILE)")
            return 1
        print("\n".join(summary(current, today)))
        print("Exercises (the coach suggests only these, within these limits):")
        for exercise in rotation(current, built_in):
            print(f"  {exercise.name} ({exercise.id}): {describe(exercise)}")
        print(f"Kept in {folder_of(paths.data) / FILE_NAME}")
        return 0

    if args.action == "remove":
        if not remove(paths.data):
            print("no program imported: nothing to remove")
            return 1
        print("Program removed; the coach follows your config again:")
        if unreadable:  # what the daemon followed is not known here: list what comes now
            print("\n".join(f"  {e.name} ({e.id}): {describe(e)}" for e in own_rotation))
        else:
            print("\n".join(changes(following, own_rotation)))
        return _tell_daemon(say)

    if not args.file:
        return fail("program import needs the program FILE")
    source = Path(args.file).expanduser()
    try:
        program = read_program(source, built_in, today)
    except ConfigError as exc:
        return fail(f"program not imported, nothing changed:\n{exc}")
    print("\n".join(summary(program, today)))
    when = "from today" if program.program.start <= today else f"from {program.program.start:%a %Y-%m-%d}"
    print(f"The coach will suggest only these exercises, {when} (now -> with the program):")
    print("\n".join(changes(following, rotation(program, built_in))))
    if args.dry_run:
        print("dry run: nothing changed")
        return 0
    try:
        where = store(source, program, paths.data)
    except OSError as exc:
        return fail(f"cannot store the program in {folder_of(paths.data)}: {exc.strerror or exc}")
    print(f"Imported into {where}; the file you were given may be deleted.")
    return _tell_daemon(say)


def _tell_daemon(say) -> int:
    from postured import control

    try:
        answer = control.ask("reload", None)
    except control.NotRunning:
        print("postured is not running: it follows this when it starts")
        return 0
    except control.NoAnswer as exc:
        say(f"postured: the running postured did not answer ({exc}); `postured reload` applies it")
        return 1
    if not answer.get("ok"):
        say(f"postured: the running postured did not apply it: {answer.get('error')}")
        return 1
    print("The running postured follows it now.")
    return 0
