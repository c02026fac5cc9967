"""The TOML config file as pydantic v2 models, and errors a person can act on.

``load_settings`` reads a file and returns ``Settings`` or raises ``ConfigError`` whose
message names the file, the line, the dotted key, what is wrong and what is accepted.
Reading the file safely is config_file's job, wording and locating errors config_errors',
settings that are valid one by one but make no sense together config_sense's.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
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

from postured import config_sense, i18n, timetext
from postured.config_sync import SyncSettings
from postured.i18n import _
# ConfigError lives with the messages; `from postured.config import ConfigError` stays the usual way.
from postured.config_errors import ConfigError, Locator, describe, did_you_mean, key_of, show
from postured.config_file import prescan, read_config

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
MIN_NATURAL_BREAK = timedelta(minutes=1)
MAX_NATURAL_BREAK = timedelta(hours=4)
# Limits on what a person writes for their own exercises: a notification line, not an essay.
MAX_CUSTOM = 100
MAX_NAME = 80
MAX_TEXT = 300
MAX_STEPS = 10
MAX_CAUTIONS = 5
# Zero-width (non-)joiners are part of ordinary writing (Persian, emoji); every other
# control or format character (escapes, newlines, bidi overrides) would reach a terminal.
_JOINERS = {"\u200c", "\u200d"}
_UNSHOWN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


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
        raise PydanticCustomError("windows", _("needs at least one window, e.g. [\"09:00-17:00\"]"))
    return _no_overlap(windows)


def _no_overlap(windows: list[timetext.Window]) -> list[timetext.Window]:
    overlap = timetext.find_overlap(windows)
    if overlap:
        first, second = overlap
        raise PydanticCustomError(
            "windows", _("windows {first} and {second} overlap; join them or move one"),
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
            raise PydanticCustomError("days", _("is empty; name at least one day, e.g. [\"mon\", \"tue\"]"))
        if len(set(days)) != len(days):
            raise PydanticCustomError("days", _("names a day twice"))
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
                "timezone", _('"{name}" is not a known time zone (use a name such as "Europe/Berlin")'),
                {"name": name},
            ) from None
        return name

    @model_validator(mode="after")
    def _overrides_are_work_days(self) -> "Schedule":
        for day in self.overrides:
            if day not in self.days:
                raise PydanticCustomError(
                    "overrides", _("overrides.{day} sets hours for a day that is not in schedule.days"),
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
            raise PydanticCustomError("snooze", _("needs at least one choice, e.g. [\"5m\"]"))
        return sorted(set(choices))


def _kebab_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise PydanticCustomError(
            "id", _('{value} is not a lower-case-kebab id (letters, digits and single dashes, '
              'e.g. "doorway-pec-stretch")'), {"value": show(value)},
        )
    return value


def _plain(text: str) -> str | None:
    """The first character of ``text`` that must not reach a terminal or a notification, if any."""
    return next((c for c in text if unicodedata.category(c) in _UNSHOWN and c not in _JOINERS), None)


def _check_plain(text: str, what: str) -> None:
    bad = _plain(text)
    if bad is not None:
        raise PydanticCustomError(
            "text", _("{what}holds the control character {char} (at character {at}); names, steps and "
              "cautions are shown in notifications and terminals as plain text: remove it"),
            {"what": what, "char": repr(bad), "at": text.index(bad) + 1},
        )


def _amount(limit: int, unit: str, example: str):
    """A dose: a whole number, or [low, high] with 1 <= low <= high <= limit."""

    def check(value: Any) -> int | tuple[int, int]:
        if unit == "seconds":
            usage = _("use a whole number of seconds such as {example}, or [low, high]").format(example=example)
        else:
            usage = _("use a whole number of repetitions such as {example}, or [low, high]").format(example=example)
        numbers = value if isinstance(value, list | tuple) else [value]
        if not numbers or len(numbers) > 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in numbers
        ):
            raise PydanticCustomError("amount", _("{value} is not a dose: {usage}"),
                                      {"value": show(value), "usage": usage})
        for number in numbers:
            if not 1 <= number <= limit:
                template = (_("{number} is out of range: seconds go from 1 to {limit}") if unit == "seconds"
                            else _("{number} is out of range: repetitions go from 1 to {limit}"))
                raise PydanticCustomError("amount", template, {"number": number, "limit": limit})
        if len(numbers) == 1 or numbers[0] == numbers[1]:
            return numbers[0]
        low, high = numbers
        if low > high:
            raise PydanticCustomError("amount", _("[{low}, {high}]: low is more than high; write [{high}, {low}]"),
                                      {"low": low, "high": high})
        return (low, high)

    return BeforeValidator(check)


class CustomExercise(_Strict):
    """One of the person's own exercises, from an [[exercises.custom]] table."""

    id: str
    name: Annotated[str, Field(max_length=MAX_NAME)]
    region: Region
    # Exactly one of these two; `positions` always holds the result.
    position: Position | None = None
    positions: list[Position] | None = Field(default=None, validate_default=True)
    equipment: list[Equipment] = []
    steps: Annotated[list[Annotated[str, Field(max_length=MAX_TEXT)]], Field(max_length=MAX_STEPS)]
    hold_seconds: Annotated[int | tuple[int, int] | None, _amount(MAX_HOLD_SECONDS, "seconds", "20")] = None
    repetitions: Annotated[int | tuple[int, int] | None, _amount(MAX_REPETITIONS, "repetitions", "10")] = None
    per_side: StrictBool = False
    cautions: Annotated[list[Annotated[str, Field(max_length=MAX_TEXT)]], Field(max_length=MAX_CAUTIONS)] = []
    # Its picture (both optional; without them a neutral figure): a PNG or JPEG of your
    # own, or the figure of a catalogue exercise that moves the same way.
    image: str | None = None
    figure: str | None = None
    # The reminder's lines (else the first step and caution, shortened to fit).
    cue: str = ""
    key_caution: str = ""

    _id = field_validator("id")(_kebab_id)
    _figure = field_validator("figure")(_kebab_id)

    @field_validator("cue", "key_caution")
    @classmethod
    def _fits_a_notification(cls, value: str) -> str:
        _check_plain(value, "")
        value = " ".join(value.split())
        if len(value) > 42:  # postured.core.view.BODY_LINE_CHARS: what every server shows whole
            raise PydanticCustomError("length", _("is {n} characters; at most 42 fit every notification"),
                                      {"n": len(value)})
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is None:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute():
            raise PydanticCustomError("image", _("{value} is not a full path (e.g. \"~/pictures/stretch.png\")"),
                                      {"value": show(value)})
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise PydanticCustomError("image", _("{value} is not a PNG or JPEG file"), {"value": show(value)})
        if not path.is_file():
            raise PydanticCustomError("image", _("{value}: no such file"), {"value": show(value)})
        return str(path)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("name", _("is empty; give the exercise a name"))
        _check_plain(value, "")
        return value.strip()

    @field_validator("steps", "cautions")
    @classmethod
    def _texts(cls, texts: list[str], info: ValidationInfo) -> list[str]:
        if info.field_name == "steps" and not texts:
            raise PydanticCustomError("steps", _("is empty; describe at least one step"))
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                raise PydanticCustomError("text", _("entry {number} is empty"), {"number": number})
            # Translators: the start of "entry 2 holds the control character …"; keep the space at its end
            _check_plain(text, _("entry {number} ").format(number=number))
        return [text.strip() for text in texts]

    @field_validator("positions")
    @classmethod
    def _one_of_position_and_positions(cls, positions: list[str] | None, info: ValidationInfo) -> list[str]:
        if "position" not in info.data:
            return positions or []  # `position` itself is wrong; that error says enough
        position = info.data["position"]
        if position is not None and positions is not None:
            raise PydanticCustomError(
                "positions", _("given together with position; keep one (position = \"{one}\" or positions = [...])"),
                {"one": position},
            )
        if position is not None:
            return [position]
        if positions is None:
            raise PydanticCustomError(
                "positions", _("is missing: say where the exercise is done, e.g. position = \"seated\" "
                  "or positions = [\"seated\", \"standing\"]"),
            )
        if not positions:
            raise PydanticCustomError("positions", _("is empty; name at least one, e.g. [\"seated\"]"))
        return list(dict.fromkeys(positions))

    def to_exercise(self) -> "Exercise":
        """The same model as the built-in exercises, marked as coming from the config."""
        return Exercise(
            id=self.id, name=self.name, region=self.region, positions=self.positions or [],
            equipment=list(self.equipment), steps=self.steps, hold_seconds=self.hold_seconds,
            repetitions=self.repetitions, per_side=self.per_side, cautions=self.cautions,
            sources=[CUSTOM_SOURCE], image=self.image, figure=self.figure, cue=self.cue,
            key_caution=self.key_caution,
        )


class Exercises(_Strict):
    positions: list[Position] = ["seated", "standing"]
    equipment: list[Equipment] = []
    exclude: list[str] = []
    # Days an exercise rests after you report that it hurts.
    rest_days_after_pain: Annotated[int, Field(ge=1, le=60, strict=True)] = 3
    custom: Annotated[list[CustomExercise], Field(max_length=MAX_CUSTOM)] = []

    @field_validator("positions")
    @classmethod
    def _positions(cls, positions: list[str]) -> list[str]:
        if not positions:
            raise PydanticCustomError("positions", _("is empty; name where you can exercise, e.g. [\"seated\"]"))
        return positions


class PresenceSettings(_Strict):
    # Away (no input, or the screen locked) at least this long counts as a natural break.
    natural_break: Duration = timedelta(minutes=5)
    # Hold a due reminder while one of these holds (postured/core/holds.py); each can be off.
    quiet_when_fullscreen: StrictBool = True
    quiet_in_calls: StrictBool = True  # another program records a microphone
    quiet_when_camera_on: StrictBool = True
    quiet_when_sharing_screen: StrictBool = True
    quiet_when_do_not_disturb: StrictBool = True  # the desktop's own do-not-disturb
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
        if value < MIN_NATURAL_BREAK:
            raise PydanticCustomError("natural_break", _("must be at least 1m (a shorter pause is just typing)"))
        if value > MAX_NATURAL_BREAK:
            raise PydanticCustomError("natural_break", _("{value} is more than 4h: an absence that long is not a "
                                        "break in the day but the end of it; use 4h or less"),
                                      {"value": timetext.format_duration(value)})
        return value

    _windows = field_validator("quiet")(_no_overlap)

    @field_validator("calendars")
    @classmethod
    def _calendars(cls, entries: list[str]) -> list[str]:
        for number, entry in enumerate(entries, 1):
            scheme = entry.split("://", 1)[0].lower() if "://" in entry else ""
            if scheme and scheme not in ("http", "https", "webcal"):
                raise PydanticCustomError(
                    "calendars", _("entry {number}: {scheme}:// is not read; use a file path or an http(s):// URL"),
                    {"number": number, "scheme": scheme},
                )
            if not scheme and not entry.startswith(("/", "~")):
                raise PydanticCustomError(
                    "calendars", _('entry {number} ("{entry}"): give the full path of the .ics file (/... or ~/...)'),
                    {"number": number, "entry": entry},
                )
        if len(set(entries)) != len(entries):
            raise PydanticCustomError("calendars", _("names a calendar twice"))
        return entries

    @field_validator("calendar_email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower().removeprefix("mailto:")
        if value and ("@" not in value or " " in value):
            raise PydanticCustomError("calendar_email", _('"{value}" is not an email address'), {"value": value})
        return value


class Ui(_Strict):
    # None: the environment's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), as desktop programs do
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _shipped(cls, value: str | None) -> str | None:
        if value is None:
            return None
        language = i18n.shipped_match(value) if value.strip() else None
        if language is None:
            raise PydanticCustomError(
                "language", _('"{value}" is not a language postured speaks; it speaks {shipped}'),
                {"value": value[:40], "shipped": ", ".join(f"{code} ({name})" for code, name in i18n.NAMES.items())},
            )
        return value


class Settings(_Strict):
    schedule: Schedule = Schedule()
    reminders: Reminders = Reminders()
    exercises: Exercises = Exercises()
    presence: PresenceSettings = PresenceSettings()
    ui: Ui = Ui()
    sync: SyncSettings = SyncSettings()  # the folder shared with the person's other computers


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
    cue: str = ""  # the reminder's one short line of how (else the first step, shortened)
    key_caution: str = ""  # the caution the reminder shows (else the first, shortened)
    image: str | None = None  # custom exercises: a picture file of their own
    figure: str | None = None  # custom exercises: drawn with this catalogue exercise's figure

    _id = field_validator("id")(_kebab_id)

    @property
    def is_custom(self) -> bool:
        """One of the person's own exercises ([[exercises.custom]]), not the catalogue's."""
        return CUSTOM_SOURCE in self.sources


class SafetyNote(_Strict):
    id: str
    text: str
    sources: list[str] = []


# ---------------------------------------------------------------- loading


def parse_settings(text: str, source: str = "config.toml") -> Settings:
    """Validate TOML text; raise ConfigError naming ``source``, line and key."""
    text = text.removeprefix("\ufeff")  # a byte-order mark (Windows Notepad) is no error
    prescan(text, source)
    try:
        data = tomllib.loads(text)
        settings = Settings.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        # Translators: {problem} is the TOML reader's own description, in English
        raise ConfigError(f"{source}: " + _("not valid TOML: {problem}").format(problem=exc)) from None
    except ValidationError as exc:
        raise ConfigError(describe(exc, Locator(text), source, Settings)) from None
    except RecursionError:  # prescan keeps nesting shallow; this is the last guard
        raise ConfigError(f"{source}: " + _("nested too deeply to read")) from None
    problems = config_sense.nonsense(settings)
    if problems:
        locator = Locator(text)
        raise ConfigError("\n".join(locator.where(source, loc) + f"{key_of(loc)}: {why}" for loc, why in problems))
    return settings


def load_settings(path: Path) -> Settings:
    """The settings of a file that must exist (see config_file.read_config)."""
    return parse_settings(read_config(path, required=True) or "", str(path))


def warnings_of(settings: Settings, text: str | None, source: str) -> list[str]:
    """Located lines for settings that work but are unlikely to be meant (a 10-second interval)."""
    found = config_sense.doubtful(settings)
    locator = Locator(text)
    return [locator.where(source, loc) + f"{key_of(loc)}: {why}" for loc, why in found]


def check_against_catalogue(
    settings: Settings, catalogue: list[Exercise], source: str, text: str | None = None
) -> None:
    """Errors that need the catalogue: custom ids that clash, unknown excluded ids, filters that leave nothing."""
    built_in = {exercise.id: exercise for exercise in catalogue if not exercise.is_custom}
    locator = Locator(text)
    first_of: dict[str, int] = {}
    for index, custom in enumerate(settings.exercises.custom):
        loc = ("exercises", "custom", str(index), "id")
        where, key = locator.where(source, loc), key_of(loc)
        if custom.id in built_in:
            raise ConfigError(f"{where}{key}: " + _(
                '"{id}" is already the id of the built-in exercise "{name}"; give yours another id '
                "(postured exercises lists the taken ones)").format(id=custom.id, name=built_in[custom.id].name))
        if custom.id in first_of:
            earlier = ("exercises", "custom", str(first_of[custom.id]))
            line = locator.line((*earlier, "id"))
            if line:
                why = _('"{id}" is also the id of {key} (line {line}); each exercise needs its own id').format(
                    id=custom.id, key=key_of(earlier), line=line)
            else:
                why = _('"{id}" is also the id of {key}; each exercise needs its own id').format(
                    id=custom.id, key=key_of(earlier))
            raise ConfigError(f"{where}{key}: {why}")
        first_of[custom.id] = index
    known = [*built_in, *first_of]
    for excluded in settings.exercises.exclude:
        if excluded not in known:
            hint = did_you_mean(excluded, known)
            # Translators: {hint} is empty or ' (did you mean "chin-tuck"?)'
            raise ConfigError(f"{locator.where(source, ('exercises', 'exclude'))}exercises.exclude: " + _(
                "{value} is not an exercise id{hint} (postured exercises lists them)").format(
                value=show(excluded), hint=hint))
    if not eligible(settings, catalogue):
        chosen = settings.exercises
        raise ConfigError(f"{locator.where(source, ('exercises',))}exercises: " + _(
            "positions = {positions}, equipment = {equipment} and exclude = {exclude} leave no exercise "
            "to suggest; allow another position or some equipment").format(
            positions=list(chosen.positions), equipment=list(chosen.equipment), exclude=list(chosen.exclude)))


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
