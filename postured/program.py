"""A program from a clinician: which exercises, how much, how often, from when, until a review.

A TOML file (config/program.example.toml documents every key; config/program.schema.json is
its JSON Schema) validated into ``Program``. ``check_program`` holds it against the catalogue
and the date of import; ``rotation`` turns it into the Exercise models the coach follows, with
the program's limits in place of the catalogue's, so the coach's own rules (ladder, daily caps,
days a week, strength days, rest after pain) apply unchanged within them.

Doses in a program: a single number is that dose every time; ``[start, most]`` starts at
``start`` and rises one step a week (the coach's ladder) up to ``most``, never above. A program
may lower the catalogue's dose or frequency, never raise it.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    PrivateAttr,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from postured.config import MAX_HOLD_SECONDS, MAX_REPETITIONS, ConfigError, CustomExercise, Exercise

# The located-message helpers of the config (file, line, dotted key) and its safe reading.
from postured.config_errors import Locator, describe, did_you_mean, key_of, show
from postured.config_file import prescan, read_config
from postured.core import coach

# `sources` of an exercise that only the program defines ([[custom]]).
PROGRAM_SOURCE = "program"
MAX_SETS = 10
MAX_TIMES_PER_DAY = 12
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _dose_of(limit: int, unit: str, example: str):
    def check(value: Any) -> tuple[int, int] | None:
        if value is None:
            return None
        usage = f"use a whole number of {unit} such as {example}, or [start, most]"
        numbers = list(value) if isinstance(value, list | tuple) else [value]
        if not 1 <= len(numbers) <= 2 or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            raise PydanticCustomError("dose", "{value} is not a dose: {usage}", {"value": show(value), "usage": usage})
        for number in numbers:
            if not 1 <= number <= limit:
                raise PydanticCustomError("dose", "{number} is out of range: {unit} go from 1 to {limit}",
                                          {"number": number, "unit": unit, "limit": limit})
        start, most = numbers[0], numbers[-1]
        if start > most:
            raise PydanticCustomError(
                "dose", "[{start}, {most}] starts above the most this program allows ({most}); "
                "the start must be at most the most", {"start": start, "most": most})
        return (start, most)

    schema = {"oneOf": [
        {"type": "integer", "minimum": 1, "maximum": limit},
        {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": limit}, "minItems": 2, "maxItems": 2},
    ], "description": f"{unit}: one number (that dose every time) or [start, most]"}
    return Annotated[tuple[int, int] | None, BeforeValidator(check), WithJsonSchema(schema)]


HoldDose = _dose_of(MAX_HOLD_SECONDS, "seconds", "20")
RepetitionDose = _dose_of(MAX_REPETITIONS, "repetitions", "10")
SetDose = _dose_of(MAX_SETS, "sets", "2")
TimesPerDay = Annotated[int | None, Field(ge=1, le=MAX_TIMES_PER_DAY, strict=True)]
DaysPerWeek = Annotated[int | None, Field(ge=1, le=7, strict=True)]

LIMIT_KEYS = ("hold_seconds", "repetitions", "sets", "times_per_day", "days_per_week")


class About(BaseModel):
    """The [program] table: who, what for, and the dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    by: str = ""  # who prescribed it
    notes: list[str] = []  # shown by `postured program show`
    start: date  # the coach follows the program from this local day on
    review: date  # after this day it stays in force, and status says it is due for review

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("title", "is empty; name the program, e.g. \"Neck, weeks 1-6\"")
        return value.strip()

    @field_validator("review")
    @classmethod
    def _review_after_start(cls, review: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and review <= start:
            raise PydanticCustomError("review", "{review} is not after start ({start}); the review comes later",
                                      {"review": review.isoformat(), "start": start.isoformat()})
        return review


class ProgramExercise(BaseModel):
    """An [[exercise]] of the catalogue, with the program's limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    hold_seconds: HoldDose = None
    repetitions: RepetitionDose = None
    sets: SetDose = None
    times_per_day: TimesPerDay = None
    days_per_week: DaysPerWeek = None


class ProgramCustom(CustomExercise):
    """A [[custom]] exercise the clinician describes, like [[exercises.custom]] of the config."""

    hold_seconds: HoldDose = None
    repetitions: RepetitionDose = None
    sets: SetDose = None
    times_per_day: TimesPerDay = None
    days_per_week: DaysPerWeek = None
    # A PNG file beside the program file (a file name, no folders): it is copied with the program.
    image: str | None = None

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:  # replaces the config's: a name beside the file
        if value is not None and (not value or Path(value).name != value or value in (".", "..")):
            raise PydanticCustomError(
                "image", "{value} is not a file name: put the PNG beside the program file and name it, "
                "e.g. image = \"towel-stretch.png\"", {"value": show(value)})
        return value


class Program(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, title="postured program")

    program: About
    exercise: list[ProgramExercise] = []
    custom: list[ProgramCustom] = []
    # The folder the file was read from: the images its [[custom]] exercises name are there.
    _folder: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _some_exercise(self) -> "Program":
        if not self.exercise and not self.custom:
            raise PydanticCustomError(
                "exercises", "names no exercise: add an [[exercise]] with a catalogue id or a [[custom]] one")
        return self

    def ids(self) -> list[str]:
        return [e.id for e in self.exercise] + [c.id for c in self.custom]

    def in_force(self, today: date) -> bool:
        return today >= self.program.start

    def review_due(self, today: date) -> bool:
        return today > self.program.review


# ---------------------------------------------------------------- reading and checking


def parse_program(text: str, source: str) -> Program:
    """Validate TOML text; raise ConfigError naming ``source``, the line and the key."""
    text = text.removeprefix("\ufeff")
    prescan(text, source)  # size, nesting and dotted keys bounded before tomllib, as for the config
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply to read") from None
    try:
        return Program.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe(exc, Locator(text), source, Program)) from None


def read_program(path: Path, catalogue: list[Exercise], today: date | None) -> Program:
    """The program in ``path``, checked. ``today`` None: no check that start is not past (a stored copy)."""
    text = read_config(path, required=True) or ""  # a regular file, bounded: never a FIFO or a device
    program = parse_program(text, str(path))
    check_program(program, catalogue, str(path), text, today, path.parent)
    program._folder = path.parent
    return program


def check_program(program: Program, catalogue: list[Exercise], source: str, text: str | None,
                  today: date | None, folder: Path | None) -> None:
    """Errors that need the catalogue, the date or the files beside the program; all of them at once."""
    built_in = {e.id: e for e in catalogue if not e.is_custom}
    problems: list[str] = []

    locator = Locator(text)

    def problem(loc: tuple[str, ...], message: str) -> None:
        problems.append(locator.where(source, loc) + f"{key_of(loc)}: {message}")

    if today is not None and program.program.start < today:
        problem(("program", "start"), f"{program.program.start.isoformat()} is in the past (today is "
                f"{today.isoformat()}); ask for a program that starts today or later")
    seen: dict[str, str] = {}
    for index, entry in enumerate(program.exercise):
        loc = ("exercise", str(index))
        if entry.id in seen:
            problem((*loc, "id"), f"\"{entry.id}\" is also {seen[entry.id]}; name each exercise once")
        seen.setdefault(entry.id, key_of(loc))
        known = built_in.get(entry.id)
        if known is None:
            hint = did_you_mean(entry.id, list(built_in))
            problem((*loc, "id"), f"{show(entry.id)} is not an exercise of the catalogue{hint} "
                    "(postured exercises lists them; describe your own in a [[custom]] table)")
            continue
        for key, message in _above_catalogue(entry, known):
            problem((*loc, key), message)
    for index, custom in enumerate(program.custom):
        loc = ("custom", str(index))
        if custom.id in built_in:
            problem((*loc, "id"), f"\"{custom.id}\" is the id of the catalogue's \"{built_in[custom.id].name}\"; "
                    "use it in an [[exercise]] table, or give yours another id")
        elif custom.id in seen:
            problem((*loc, "id"), f"\"{custom.id}\" is also {seen[custom.id]}; each exercise needs its own id")
        seen.setdefault(custom.id, key_of(loc))
        if custom.image is not None and folder is not None:
            message = _not_a_png(folder / custom.image)
            if message:
                problem((*loc, "image"), message)
    if problems:
        raise ConfigError("\n".join(problems))


def _above_catalogue(entry: ProgramExercise, known: Exercise) -> list[tuple[str, str]]:
    """(key, message) for each limit above what the catalogue gives for that exercise."""
    found = []
    ceilings = {
        "hold_seconds": (known.hold_seconds, "hold", "seconds"),
        "repetitions": (known.repetitions, "repetitions", "repetitions"),
        "sets": (known.sets if known.sets is not None else 1, "sets", "sets"),
        "times_per_day": (coach.daily_cap(known), "times a day", "times a day"),
        "days_per_week": (known.days_per_week if known.days_per_week is not None else 7, "days a week", "days a week"),
    }
    for key in LIMIT_KEYS:
        value = getattr(entry, key)
        if value is None:
            continue
        most = value[1] if isinstance(value, tuple) else value
        ceiling, what, unit = ceilings[key]
        if ceiling is None:
            found.append((key, f"the catalogue gives no {what} for \"{known.name}\"; leave {key} out"))
            continue
        high = ceiling[1] if isinstance(ceiling, tuple) else ceiling
        if most > high:
            found.append((key, f"{most} is above the catalogue's most for \"{known.name}\" ({high} {unit}); "
                          "a program may lower a dose or frequency, never raise it"))
    return found


def _not_a_png(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(PNG_SIGNATURE))
    except FileNotFoundError:
        return f"{path} does not exist; put the image beside the program file"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    return None if head == PNG_SIGNATURE else f"{path} is not a PNG image"


# ---------------------------------------------------------------- what the coach follows


def rotation(program: Program, catalogue: list[Exercise]) -> list[Exercise]:
    """The program's exercises as the coach's models: the catalogue's with the program's limits."""
    by_id = {e.id: e for e in catalogue if not e.is_custom}
    exercises = []
    for entry in program.exercise:
        limits = {key: getattr(entry, key) for key in LIMIT_KEYS if getattr(entry, key) is not None}
        exercises.append(by_id[entry.id].model_copy(update=limits))
    for custom in program.custom:
        exercises.append(Exercise(
            id=custom.id, name=custom.name, region=custom.region, positions=custom.positions or [],
            equipment=list(custom.equipment), steps=custom.steps, hold_seconds=custom.hold_seconds,
            repetitions=custom.repetitions, sets=custom.sets, per_side=custom.per_side,
            times_per_day=custom.times_per_day, days_per_week=custom.days_per_week,
            cautions=custom.cautions, sources=[PROGRAM_SOURCE], cue=custom.cue, key_caution=custom.key_caution,
            figure=custom.figure,
            image=str(program._folder / custom.image) if custom.image and program._folder else None,
        ))
    return exercises


def schema() -> dict:
    """The JSON Schema of a program file (config/program.schema.json is this, written out)."""
    return Program.model_json_schema()
