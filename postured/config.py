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
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from postured import timetext

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Position = Literal["seated", "standing", "lying", "kneeling"]
Region = Literal["neck", "upper back", "shoulders"]


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


class Exercises(_Strict):
    positions: list[Position] = ["seated", "standing"]
    equipment: list[str] = []
    exclude: list[str] = []

    @field_validator("positions")
    @classmethod
    def _positions(cls, positions: list[str]) -> list[str]:
        if not positions:
            raise PydanticCustomError("positions", "is empty; name where you can exercise, e.g. [\"seated\"]")
        return positions


class PresenceSettings(_Strict):
    # Away (no input, or the screen locked) at least this long counts as a natural break.
    natural_break: Duration = timedelta(minutes=5)
    quiet_when_fullscreen: bool = True
    # Daily windows with no reminders; one that falls due waits and comes once after.
    quiet: list[Window] = []

    @field_validator("natural_break")
    @classmethod
    def _natural_break(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise PydanticCustomError("natural_break", "must be at least 1m (a shorter pause is just typing)")
        return value

    _windows = field_validator("quiet")(_no_overlap)


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
    times_per_day: int | tuple[int, int] | None = None
    days_per_week: int | tuple[int, int] | None = None
    cautions: list[str] = []
    sources: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
            raise PydanticCustomError("id", '"{value}" is not a lower-case-kebab id', {"value": value})
        return value


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
    """Errors that need the catalogue: unknown excluded ids, filters that leave nothing."""
    known = [exercise.id for exercise in catalogue]
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


def eligible(settings: Settings, catalogue: list[Exercise]) -> list[Exercise]:
    """Exercises the person can do where they are, with what they have."""
    wanted = settings.exercises
    return [
        exercise
        for exercise in catalogue
        if exercise.id not in wanted.exclude
        and set(exercise.positions) & set(wanted.positions)
        and set(exercise.equipment) <= set(wanted.equipment)
    ]


# ---------------------------------------------------------------- messages


def _describe(exc: ValidationError, text: str, source: str) -> str:
    lines = []
    for error in exc.errors(include_url=False):
        loc = tuple(str(part) for part in error["loc"])
        key = "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in loc).lstrip(".")
        key = key or "(top level)"
        lines.append(_where(source, text, loc) + f"{key}: " + _explain(error, loc))
    return "\n".join(lines)


def _where(source: str, text: str | None, loc: tuple[str, ...]) -> str:
    line = _line_of(text, loc)
    return f"{source}: line {line}: " if line else f"{source}: "


def _explain(error: dict, loc: tuple[str, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        hint = _did_you_mean(loc[-1], known)
        return f"unknown key{hint} (known here: {', '.join(known)})"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        hint = _did_you_mean(str(error["input"]), allowed)
        return f"{_show(error['input'])} is not allowed{hint} (use one of: {', '.join(allowed)})"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return f"{_show(error['input'])} has the wrong type: {error['msg'].lower()}"
    if kind in ("string_type", "int_type", "bool_type"):
        return f"{_show(error['input'])} has the wrong type: {error['msg'].lower()}"
    return error["msg"]


def _show(value: Any) -> str:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _known_keys(table_loc: tuple[str, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in table_loc:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif part in WEEKDAYS:
            model = DayHours
        else:
            return []
    return list(model.model_fields)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")


def _line_of(text: str | None, loc: tuple[str, ...]) -> int | None:
    """Best-effort line number of a dotted key in TOML text (tomllib gives none)."""
    if not text:
        return None
    keys = [part for part in loc if not part.isdigit()]
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = tuple(p.strip().strip("\"'") for p in header.group(1).split("."))
            if table == tuple(keys):
                return number
            continue
        key = _KEY.match(line)
        if key and table + (key.group(1).strip("\"'"),) == tuple(keys[: len(table) + 1]):
            return number
    return None
