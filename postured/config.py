"""The TOML config file as pydantic v2 models, and errors a person can act on.

``load_settings`` reads a file and returns ``Settings`` or raises ``ConfigError`` whose
message names the file, the line, the dotted key, what is wrong and what is accepted.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from postured import timetext

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Position = Literal["seated", "standing", "lying", "kneeling"]
Region = Literal["neck", "upper back", "shoulders"]
# The equipment words the catalogue uses (exercises.toml header, README).
Equipment = Literal["band", "dumbbells", "ball", "wall", "chair", "towel", "doorway", "table", "bench"]
# `sources` of an exercise from the person's config rather than the catalogue.
CUSTOM_SOURCE = "config"
# Upper bounds for a custom exercise's dose: beyond these it is not a one-minute break.
MAX_HOLD_SECONDS = 600
MAX_REPETITIONS = 100


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    try:
        return timetext.parse_duration(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", str(exc)) from None


def _window(value: Any) -> timetext.Window:
    if isinstance(value, timetext.Window):
        return value
    try:
        return timetext.parse_window(value)
    except ValueError as exc:
        raise PydanticCustomError("window", str(exc)) from None


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Window = Annotated[timetext.Window, BeforeValidator(_window)]


class _Strict(BaseModel):
    # A typo in a key must be an error, never silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_windows(windows: list[timetext.Window]) -> list[timetext.Window]:
    if not windows:
        raise PydanticCustomError("windows", "needs at least one window, e.g. [\"09:00-17:00\"]")
    return _no_overlap(windows)


def _no_overlap(windows: list[timetext.Window]) -> list[timetext.Window]:
    overlap = timetext.find_overlap(windows)
    if overlap:
        first, second = overlap
        raise PydanticCustomError(
            "windows", "windows {first} and {second} overlap; join them or move one",
            {"first": str(first), "second": str(second)},
        )
    return sorted(windows)


class DayHours(_Strict):
    hours: list[Window]

    _windows = field_validator("hours")(_check_windows)


class Schedule(_Strict):
    interval: Duration = timedelta(minutes=30)
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    hours: list[Window] = Field(default_factory=lambda: [_window("09:00-12:00"), _window("13:00-17:30")])
    timezone: str | None = None
    overrides: dict[Weekday, DayHours] = {}

    _windows = field_validator("hours")(_check_windows)

    @field_validator("days")
    @classmethod
    def _days(cls, days: list[str]) -> list[str]:
        if not days:
            raise PydanticCustomError("days", "is empty; name at least one day, e.g. [\"mon\", \"tue\"]")
        if len(set(days)) != len(days):
            raise PydanticCustomError("days", "names a day twice")
        return sorted(days, key=WEEKDAYS.index)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str | None) -> str | None:
        if name is None:
            return None
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "timezone", '"{name}" is not a known time zone (use a name such as "Europe/Berlin")',
                {"name": name},
            ) from None
        return name

    @model_validator(mode="after")
    def _overrides_are_work_days(self) -> "Schedule":
        for day in self.overrides:
            if day not in self.days:
                raise PydanticCustomError(
                    "overrides", "overrides.{day} sets hours for a day that is not in schedule.days",
                    {"day": day},
                )
        return self

    def hours_for(self, weekday: int) -> list[timetext.Window]:
        """Windows of a weekday (0 = Monday); [] when it is not a work day."""
        name = WEEKDAYS[weekday]
        if name not in self.days:
            return []
        override = self.overrides.get(name)
        return override.hours if override else self.hours


class Reminders(_Strict):
    snooze: list[Duration] = Field(default_factory=lambda: [timedelta(minutes=m) for m in (5, 10, 15)])

    @field_validator("snooze")
    @classmethod
    def _choices(cls, choices: list[timedelta]) -> list[timedelta]:
        if not choices:
            raise PydanticCustomError("snooze", "needs at least one choice, e.g. [\"5m\"]")
        return sorted(set(choices))


def _kebab_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise PydanticCustomError(
            "id", '{value} is not a lower-case-kebab id (letters, digits and single dashes, '
            'e.g. "doorway-pec-stretch")', {"value": _show(value)},
        )
    return value


def _amount(limit: int, unit: str, example: str):
    """A dose: a whole number, or [low, high] with 1 <= low <= high <= limit."""

    def check(value: Any) -> int | tuple[int, int]:
        usage = f"use a whole number of {unit} such as {example}, or [low, high]"
        numbers = value if isinstance(value, list | tuple) else [value]
        if not numbers or len(numbers) > 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in numbers
        ):
            raise PydanticCustomError("amount", "{value} is not a dose: {usage}",
                                      {"value": _show(value), "usage": usage})
        for number in numbers:
            if not 1 <= number <= limit:
                raise PydanticCustomError("amount", "{number} is out of range: {unit} go from 1 to {limit}",
                                          {"number": number, "unit": unit, "limit": limit})
        if len(numbers) == 1 or numbers[0] == numbers[1]:
            return numbers[0]
        low, high = numbers
        if low > high:
            raise PydanticCustomError("amount", "[{low}, {high}]: low is more than high; write [{high}, {low}]",
                                      {"low": low, "high": high})
        return (low, high)

    return BeforeValidator(check)


class CustomExercise(_Strict):
    """One of the person's own exercises, from an [[exercises.custom]] table."""

    id: str
    name: str
    region: Region
    # Exactly one of these two; `positions` always holds the result.
    position: Position | None = None
    positions: list[Position] | None = Field(default=None, validate_default=True)
    equipment: list[Equipment] = []
    steps: list[str]
    hold_seconds: Annotated[int | tuple[int, int] | None, _amount(MAX_HOLD_SECONDS, "seconds", "20")] = None
    repetitions: Annotated[int | tuple[int, int] | None, _amount(MAX_REPETITIONS, "repetitions", "10")] = None
    per_side: StrictBool = False
    cautions: list[str] = []

    _id = field_validator("id")(_kebab_id)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("name", "is empty; give the exercise a name")
        return value.strip()

    @field_validator("steps", "cautions")
    @classmethod
    def _texts(cls, texts: list[str], info: ValidationInfo) -> list[str]:
        if info.field_name == "steps" and not texts:
            raise PydanticCustomError("steps", "is empty; describe at least one step")
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                raise PydanticCustomError("text", "entry {number} is empty", {"number": number})
        return [text.strip() for text in texts]

    @field_validator("positions")
    @classmethod
    def _one_of_position_and_positions(cls, positions: list[str] | None, info: ValidationInfo) -> list[str]:
        if "position" not in info.data:
            return positions or []  # `position` itself is wrong; that error says enough
        position = info.data["position"]
        if position is not None and positions is not None:
            raise PydanticCustomError(
                "positions", "given together with position; keep one (position = \"{one}\" or positions = [...])",
                {"one": position},
            )
        if position is not None:
            return [position]
        if positions is None:
            raise PydanticCustomError(
                "positions", "is missing: say where the exercise is done, e.g. position = \"seated\" "
                "or positions = [\"seated\", \"standing\"]",
            )
        if not positions:
            raise PydanticCustomError("positions", "is empty; name at least one, e.g. [\"seated\"]")
        return list(dict.fromkeys(positions))

    def to_exercise(self) -> "Exercise":
        """The same model as the built-in exercises, marked as coming from the config."""
        return Exercise(
            id=self.id, name=self.name, region=self.region, positions=self.positions or [],
            equipment=list(self.equipment), steps=self.steps, hold_seconds=self.hold_seconds,
            repetitions=self.repetitions, per_side=self.per_side, cautions=self.cautions,
            sources=[CUSTOM_SOURCE],
        )


class Exercises(_Strict):
    positions: list[Position] = ["seated", "standing"]
    equipment: list[str] = []
    exclude: list[str] = []
    # Days an exercise rests after you report that it hurts.
    rest_days_after_pain: Annotated[int, Field(ge=1, le=60, strict=True)] = 3
    custom: list[CustomExercise] = []

    @field_validator("positions")
    @classmethod
    def _positions(cls, positions: list[str]) -> list[str]:
        if not positions:
            raise PydanticCustomError("positions", "is empty; name where you can exercise, e.g. [\"seated\"]")
        return positions


class PresenceSettings(_Strict):
    # Away (no input, or the screen locked) at least this long counts as a natural break.
    natural_break: Duration = timedelta(minutes=5)
    # Hold a due reminder while one of these holds (postured/core/holds.py); each can be off.
    quiet_when_fullscreen: bool = True
    quiet_in_calls: bool = True  # another program records a microphone
    quiet_when_camera_on: bool = True
    quiet_when_sharing_screen: bool = True
    quiet_when_do_not_disturb: bool = True  # the desktop's own do-not-disturb
    # Daily windows with no reminders; one that falls due waits and comes once after.
    quiet: list[Window] = []
    # ICS calendars whose busy events hold a reminder: absolute paths (or ~/...) of .ics
    # files, and http(s):// or webcal:// URLs of feeds.
    calendars: list[str] = []
    quiet_in_meetings: bool = True
    # Who you are in the invitations: an event you declined does not hold reminders.
    calendar_email: str = ""

    @field_validator("natural_break")
    @classmethod
    def _natural_break(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise PydanticCustomError("natural_break", "must be at least 1m (a shorter pause is just typing)")
        return value

    _windows = field_validator("quiet")(_no_overlap)

    @field_validator("calendars")
    @classmethod
    def _calendars(cls, entries: list[str]) -> list[str]:
        for number, entry in enumerate(entries, 1):
            scheme = entry.split("://", 1)[0].lower() if "://" in entry else ""
            if scheme and scheme not in ("http", "https", "webcal"):
                raise PydanticCustomError(
                    "calendars", "entry {number}: {scheme}:// is not read; use a file path or an http(s):// URL",
                    {"number": number, "scheme": scheme},
                )
            if not scheme and not entry.startswith(("/", "~")):
                raise PydanticCustomError(
                    "calendars", 'entry {number} ("{entry}"): give the full path of the .ics file (/... or ~/...)',
                    {"number": number, "entry": entry},
                )
        if len(set(entries)) != len(entries):
            raise PydanticCustomError("calendars", "names a calendar twice")
        return entries

    @field_validator("calendar_email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower().removeprefix("mailto:")
        if value and ("@" not in value or " " in value):
            raise PydanticCustomError("calendar_email", '"{value}" is not an email address', {"value": value})
        return value


class Settings(_Strict):
    schedule: Schedule = Schedule()
    reminders: Reminders = Reminders()
    exercises: Exercises = Exercises()
    presence: PresenceSettings = PresenceSettings()


class Exercise(_Strict):
    """One exercise of the catalogue (see postured/catalogue/exercises.toml)."""

    id: str
    name: str
    aliases: list[str] = []
    region: Region
    positions: list[Position]
    equipment: list[str] = []
    purpose: str = ""
    steps: list[str]
    hold_seconds: int | tuple[int, int] | None = None
    repetitions: int | tuple[int, int] | None = None
    sets: int | tuple[int, int] | None = None
    per_side: bool = False
    per_direction: bool = False  # e.g. circles one way, then the other
    times_per_day: int | tuple[int, int] | None = None
    days_per_week: int | tuple[int, int] | None = None
    cautions: list[str] = []
    sources: list[str] = []

    _id = field_validator("id")(_kebab_id)

    @property
    def is_custom(self) -> bool:
        """One of the person's own exercises ([[exercises.custom]]), not the catalogue's."""
        return CUSTOM_SOURCE in self.sources


class SafetyNote(_Strict):
    id: str
    text: str
    sources: list[str] = []


class ConfigError(Exception):
    """A config that cannot be used; str() is the message for people."""


# ---------------------------------------------------------------- loading


def parse_settings(text: str, source: str = "config.toml") -> Settings:
    """Validate TOML text; raise ConfigError naming ``source``, line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, text, source)) from None


def load_settings(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_settings(text, str(path))


def check_against_catalogue(
    settings: Settings, catalogue: list[Exercise], source: str, text: str | None = None
) -> None:
    """Errors that need the catalogue: custom ids that clash, unknown excluded ids, filters that leave nothing."""
    built_in = {exercise.id: exercise for exercise in catalogue if not exercise.is_custom}
    first_of: dict[str, int] = {}
    for index, custom in enumerate(settings.exercises.custom):
        loc = ("exercises", "custom", str(index), "id")
        where, key = _where(source, text, loc), _key(loc)
        if custom.id in built_in:
            raise ConfigError(
                f"{where}{key}: \"{custom.id}\" is already the id of the built-in exercise "
                f"\"{built_in[custom.id].name}\"; give yours another id (postured exercises lists the taken ones)"
            )
        if custom.id in first_of:
            earlier = ("exercises", "custom", str(first_of[custom.id]))
            line = _line_of(text, (*earlier, "id"))
            raise ConfigError(
                f"{where}{key}: \"{custom.id}\" is also the id of {_key(earlier)}"
                f"{f' (line {line})' if line else ''}; each exercise needs its own id"
            )
        first_of[custom.id] = index
    known = [*built_in, *first_of]
    for excluded in settings.exercises.exclude:
        if excluded not in known:
            hint = _did_you_mean(excluded, known)
            raise ConfigError(
                f"{_where(source, text, ('exercises', 'exclude'))}exercises.exclude: "
                f"{_show(excluded)} is not an exercise id{hint} (postured exercises lists them)"
            )
    if not eligible(settings, catalogue):
        chosen = settings.exercises
        raise ConfigError(
            f"{_where(source, text, ('exercises',))}exercises: positions = {list(chosen.positions)}, equipment = "
            f"{list(chosen.equipment)} and exclude = {list(chosen.exclude)} leave no exercise "
            "to suggest; allow another position or some equipment"
        )


def with_custom(catalogue: list[Exercise], settings: Settings) -> list[Exercise]:
    """The catalogue's own exercises, then the config's; the config's replace any earlier custom ones."""
    return [e for e in catalogue if not e.is_custom] + [c.to_exercise() for c in settings.exercises.custom]


def eligible(settings: Settings, catalogue: list[Exercise]) -> list[Exercise]:
    """Exercises the person can do where they are, with what they have (their own ones included)."""
    wanted = settings.exercises
    return [
        exercise
        for exercise in with_custom(catalogue, settings)
        if exercise.id not in wanted.exclude
        and set(exercise.positions) & set(wanted.positions)
        and set(exercise.equipment) <= set(wanted.equipment)
    ]


# ---------------------------------------------------------------- messages


def _describe(exc: ValidationError, text: str, source: str) -> str:
    lines = []
    for error in exc.errors(include_url=False):
        loc = tuple(str(part) for part in error["loc"])
        lines.append(_where(source, text, loc) + f"{_key(loc)}: " + _explain(error, loc))
    return "\n".join(lines)


def _key(loc: tuple[str, ...]) -> str:
    """('exercises', 'custom', '1', 'id') -> 'exercises.custom[1].id'."""
    key = "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in loc).lstrip(".")
    return key or "(top level)"


def _where(source: str, text: str | None, loc: tuple[str, ...]) -> str:
    line = _line_of(text, loc)
    return f"{source}: line {line}: " if line else f"{source}: "


def _explain(error: dict, loc: tuple[str, ...]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        hint = _did_you_mean(loc[-1], known)
        return f"unknown key{hint} (known here: {', '.join(known)})"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        hint = _did_you_mean(str(error["input"]), allowed)
        return f"{_show(error['input'])} is not allowed{hint} (use one of: {', '.join(allowed)})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{_show(error['input'])} has the wrong type: should be a table of keys"
    if kind == "list_type":
        return f"{_show(error['input'])} has the wrong type: {error['msg'].lower()}"
    if kind in ("string_type", "int_type", "bool_type"):
        return f"{_show(error['input'])} has the wrong type: {error['msg'].lower()}"
    return error["msg"]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as written in TOML
    if isinstance(value, str) and value.isprintable():
        shown = f'"{value}"'
    else:
        shown = repr(value)  # escapes control characters, so a message stays one line per error
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _known_keys(table_loc: tuple[str, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    entry_next = False  # the part after a list or dict field is an index or a key, not a field
    for part in table_loc:
        if entry_next:
            entry_next = False
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field else None
        if inner is None:
            return []
        entry_next = get_origin(field.annotation) in (list, dict)
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: itself, or the item of a list or dict of models."""
    if isinstance(annotation, type) and not get_args(annotation) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def _line_of(text: str | None, loc: tuple[str, ...]) -> int | None:
    """Best-effort line number of a dotted key in TOML text (tomllib gives none).

    ``loc`` may hold indices: ('exercises', 'custom', '1', 'region') is the region of the
    second [[exercises.custom]] table. A key that is absent (a missing required key) gives
    the line of the nearest table or key around it.
    """
    if not text or not loc:
        return None
    entries: dict[tuple[str, ...], int] = {}  # [[array]] path -> entries seen so far
    table: tuple[str, ...] = ()
    nearest: tuple[int, int] | None = None  # (depth, line) of the deepest enclosing match

    def indexed(path: tuple[str, ...]) -> tuple[str, ...]:
        # Where an [[array]] encloses the path, its current entry's index follows it.
        out: tuple[str, ...] = ()
        for depth in range(1, len(path) + 1):
            out += (path[depth - 1],)
            if path[:depth] in entries:
                out += (str(entries[path[:depth]] - 1),)
        return out

    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = _dotted(header.group(2))
            if header.group(1) == "[[":
                entries[path] = entries.get(path, 0) + 1
                # A new entry starts afresh: arrays inside the previous entry are done.
                for inner in [p for p in entries if len(p) > len(path) and p[: len(path)] == path]:
                    del entries[inner]
            table = indexed(path)
            found = table
        else:
            key = _KEY.match(line)
            if not key:
                continue
            found = table + _dotted(key.group(1))
        if found[: len(loc)] == loc:
            return number  # the key itself, or the first table inside it
        if loc[: len(found)] == found and (nearest is None or len(found) > nearest[0]):
            nearest = (len(found), number)
    return nearest[1] if nearest else None
