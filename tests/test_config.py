"""The config file: defaults, the shipped example, and messages for broken files."""

from pathlib import Path

import pytest
from conftest import settings

from postured.config import ConfigError, Settings, load_settings, parse_settings

REPO = Path(__file__).resolve().parent.parent


def test_the_example_config_parses_and_equals_the_defaults():
    assert load_settings(REPO / "config" / "postured.toml") == Settings()


def test_an_empty_file_is_the_defaults():
    assert settings("") == Settings()


def test_the_keys_of_the_issue_are_spelled_as_promised():
    got = settings("""
[schedule]
interval = "1h30m"
days = ["sat", "mon"]
hours = ["22:00-06:00"]
timezone = "Europe/Berlin"
[schedule.overrides.mon]
hours = ["09:00-15:00"]
[reminders]
snooze = ["15m", "5m"]
[exercises]
positions = ["standing", "lying"]
equipment = ["band", "wall"]
exclude = ["chin-tuck"]
""")
    assert got.schedule.interval.total_seconds() == 5400
    assert got.schedule.days == ["mon", "sat"]
    assert str(got.schedule.overrides["mon"].hours[0]) == "09:00-15:00"
    assert [c.total_seconds() for c in got.reminders.snooze] == [300, 900]


BROKEN = {
    "syntax error": ("[schedule\ninterval = '30m'\n", ["not valid TOML", "line 1"]),
    "unknown key": ("[schedule]\nintervall = '30m'\n", ["line 2", "schedule.intervall", 'did you mean "interval"']),
    "unknown table": ("[schedul]\ninterval = '30m'\n", ["line 1", "schedul", 'did you mean "schedule"']),
    "bad duration": ("[schedule]\ninterval = '30 minutes'\n", ["line 2", "schedule.interval", '"30 minutes" is not a duration', "1h30m"]),
    "zero interval": ("[schedule]\ninterval = '0m'\n", ["schedule.interval", "zero"]),
    "wrong type": ("[schedule]\ninterval = 30\n", ["schedule.interval", "30 is not a duration"]),
    "bad window": ("[schedule]\nhours = ['9-12']\n", ["line 2", "schedule.hours[0]", '"9-12" is not a time window', "HH:MM-HH:MM"]),
    "empty window": ("[schedule]\nhours = ['09:00-09:00']\n", ["schedule.hours[0]", "empty"]),
    "overlapping windows": ("[schedule]\nhours = ['09:00-12:00', '11:30-13:00']\n", ["schedule.hours", "overlap"]),
    "empty days": ("[schedule]\ndays = []\n", ["line 2", "schedule.days", "empty"]),
    "unknown day": ("[schedule]\ndays = ['mon', 'tues']\n", ["schedule.days[1]", 'did you mean "tue"']),
    "bad zone": ("[schedule]\ntimezone = 'Mars/Olympus'\n", ["schedule.timezone", "not a known time zone"]),
    "override off day": ("[schedule]\ndays = ['mon']\n[schedule.overrides.fri]\nhours = ['09:00-10:00']\n", ["overrides.fri", "not in schedule.days"]),
    "positions not a list": ("[exercises]\npositions = 'seated'\n", ["line 2", "exercises.positions", "wrong type"]),
    "no positions": ("[exercises]\npositions = []\n", ["exercises.positions", "empty"]),
    "unknown position": ("[exercises]\npositions = ['sitting']\n", ["exercises.positions[0]", "seated"]),
    "no snooze choices": ("[reminders]\nsnooze = []\n", ["reminders.snooze", "at least one"]),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_configs_name_file_line_key_and_fix(name):
    text, expected = BROKEN[name]
    with pytest.raises(ConfigError) as broken:
        parse_settings(text, "/home/me/.config/postured/config.toml")
    message = str(broken.value)
    assert message.startswith("/home/me/.config/postured/config.toml: ")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "Traceback" not in message and "pydantic" not in message.lower()
