"""Durations ("1h30m") and daily windows ("09:00-12:00") as people write them.

Standard library only: the light CLI verbs parse durations without loading pydantic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from postured.i18n import N_, _

DURATION_HINT = N_("use 45m, 1h, 1h30m or 90s")
WINDOW_HINT = N_('use "HH:MM-HH:MM", e.g. "09:00-12:00"')

_DURATION = re.compile(r"(?:(\d{1,4})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?")
_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
# The longest interval, snooze or pause anyone could mean; beyond it a typo is likelier.
MAX_DURATION = timedelta(days=7)


def _quote(text: str) -> str:
    """The value as the message shows it: quoted, and cut short if it is long."""
    return f'"{text}"' if len(text) <= 40 else f'"{text[:37]}..."'


def _not_a_duration(value: str) -> str:
    # Translators: {value} is what was written, in quotes; {hint} says how to write a duration
    return _("{value} is not a duration ({hint})").format(value=value, hint=_(DURATION_HINT))


def _not_a_window(value: str) -> str:
    return _("{value} is not a time window ({hint})").format(value=value, hint=_(WINDOW_HINT))


def parse_duration(text: str) -> timedelta:
    """'1h30m' -> 90 minutes. Raises ValueError with a message for people."""
    if not isinstance(text, str):
        raise ValueError(_not_a_duration(repr(text)[:40]))
    compact = text.strip().lower().replace(" ", "")
    match = _DURATION.fullmatch(compact)
    if not compact or match is None:
        raise ValueError(_not_a_duration(_quote(text)))
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    value = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if value <= timedelta(0):
        raise ValueError(_("{value} is zero; a duration must be longer than that").format(value=_quote(text)))
    if value > MAX_DURATION:
        raise ValueError(_("{value} is longer than 7 days").format(value=_quote(text)))
    return value


def format_duration(value: timedelta) -> str:
    """90 minutes -> '1h30m' (the inverse of parse_duration)."""
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return "".join(parts) or "0s"


@dataclass(frozen=True, order=True)
class Window:
    """A daily span of local wall-clock time, in minutes after midnight.

    ``end`` may pass 1440 (24:00): "22:00-06:00" is start 1320, end 1800, so a
    night shift ends the next morning.
    """

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end % 1440 if self.end != 1440 else 1440)}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end > 1440


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_clock(text: str, whole: str) -> int:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(_not_a_window(_quote(whole)))
    value = int(match.group(1)) * 60 + int(match.group(2))
    if value > 1440:
        raise ValueError(_("{value}: {part} is not a time of day").format(value=_quote(whole), part=text.strip()))
    return value


def parse_window(text: str) -> Window:
    """'09:00-12:00' -> Window(540, 720); '22:00-06:00' runs past midnight."""
    if not isinstance(text, str):
        raise ValueError(_not_a_window(repr(text)[:40]))
    if text.count("-") != 1:
        raise ValueError(_not_a_window(_quote(text)))
    first, second = text.split("-")
    start, end = _parse_clock(first, text), _parse_clock(second, text)
    if start == 1440:
        raise ValueError(_('"{value}" starts at 24:00; start at 00:00 instead').format(value=text))
    if start == end:
        raise ValueError(_('"{value}" is empty: it starts and ends at the same time').format(value=text))
    if end < start:
        end += 1440
    return Window(start, end)


def find_overlap(windows: list[Window]) -> tuple[Window, Window] | None:
    """The first pair of windows in one day's list that overlap, if any."""
    ordered = sorted(windows)
    for earlier, later in zip(ordered, ordered[1:]):
        if later.start < earlier.end:
            return earlier, later
    # A window past midnight must also leave room for the earliest one of the next day
    # when both lists are the same (the common case of one list for every day).
    if ordered and ordered[-1].end - 1440 > ordered[0].start:
        return ordered[-1], ordered[0]
    return None
