"""Shared helpers: settings from TOML text, times in a zone, recording fakes."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from postured.config import Exercise, Settings, parse_settings

# The tests compare English texts and 24-hour times: whatever locale the machine running
# them has, they (and the daemons and CLIs they start) run with none. Language tests set theirs.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc


def settings(text: str = "") -> Settings:
    return parse_settings(text, "test.toml")


def at(text: str, zone=BERLIN) -> datetime:
    """'2026-03-27 09:30' in ``zone``, as an aware UTC datetime (what the core uses)."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def local(moment: datetime, zone=BERLIN) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %z")


def exercise(id: str, region: str = "neck", positions=("seated",), equipment=()) -> Exercise:
    return Exercise(
        id=id, name=id.replace("-", " ").capitalize(), region=region,
        positions=list(positions), equipment=list(equipment), steps=["Do it gently."],
        hold_seconds=(5, 10), repetitions=10, sources=["test"],
    )


@pytest.fixture
def small_catalogue():
    from postured.catalogue import Catalogue

    return Catalogue(
        exercises=[
            exercise("chin-tuck", "neck"),
            exercise("neck-turn", "neck"),
            exercise("shoulder-squeeze", "upper back"),
            exercise("wall-slide", "upper back", ("standing",), ("wall",)),
            exercise("shoulder-roll", "shoulders", ("seated", "standing")),
            exercise("floor-lift", "neck", ("lying",)),
        ],
        safety=[],
    )
