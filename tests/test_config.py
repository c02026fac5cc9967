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
    # Accepted nonsense until now: each is an error where it is written.
    "equipment typo": ("[exercises]\nequipment = ['band', 'dumbell']\n",
                       ["line 2", "exercises.equipment[1]", '"dumbell" is not allowed', 'did you mean "dumbbells"?']),
    "flag as text": ("[presence]\nquiet_when_fullscreen = 'yes'\n",
                     ["line 2", "presence.quiet_when_fullscreen", '"yes" has the wrong type', "boolean"]),
    "flag as number": ("[presence]\nquiet_when_fullscreen = 1\n",
                       ["line 2", "presence.quiet_when_fullscreen", "1 has the wrong type", "boolean"]),
    "natural break of a week": ("[presence]\nnatural_break = '168h'\n",
                                ["line 2", "presence.natural_break", "168h is more than 4h"]),
    "interval longer than every window": ("[schedule]\ninterval = '5h'\n",
                                          ["line 2", "schedule.interval", "longest span of work time (4h30m)",
                                           "no reminder would ever come"]),
    "interval as long as the window": ("[schedule]\nhours = ['09:00-10:00']\n\ninterval = '1h'\n",
                                       ["line 4", "schedule.interval", "(1h)"]),
    "quiet over all work time": ("[presence]\nquiet = ['08:00-12:30', '12:30-18:00']\n",
                                 ["line 2", "presence.quiet", "covers all of the work time"]),
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


def test_joined_windows_are_one_span_for_the_interval_check():
    # 22:00-24:00 on Monday runs into 00:00-06:00 on Tuesday: one 8-hour span.
    got = settings('[schedule]\ninterval = "7h"\ndays = ["mon", "tue"]\nhours = ["22:00-06:00"]\n')
    assert got.schedule.interval.total_seconds() == 7 * 3600
    assert settings('[schedule]\ninterval = "150h"\nhours = ["00:00-24:00"]\n'
                    'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n')  # endless work time


def test_quiet_hours_that_leave_some_work_time_are_fine():
    assert settings("[presence]\nquiet = ['12:00-13:00']\n").presence.quiet


def test_a_very_short_interval_or_snooze_works_with_a_located_warning(tmp_path):
    from test_cli import run

    text = "[schedule]\ninterval = '10s'\n[reminders]\nsnooze = ['2m', '30s']\n"
    done = run(tmp_path, "config", "check", config=text)
    assert done.returncode == 0 and done.stdout.startswith("ok: ")
    path = tmp_path / "config.toml"
    assert done.stderr.splitlines() == [
        f'postured: warning: {path}: line 2: schedule.interval: 10s between breaks is very short; 5m or more is sane '
        '(did you mean "10m"?)',
        f'postured: warning: {path}: line 4: reminders.snooze: 30s is a very short snooze; 1m or more is sane '
        '(did you mean "30m"?)',
    ]
