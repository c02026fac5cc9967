"""Choosing the person's language, and the times, dates and numbers of their locale."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from postured import i18n
from postured.config import ConfigError, parse_settings


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.use("en", i18n.NEUTRAL_FORMATS)


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "de_DE.UTF-8"}, "de"),
    ({"LANG": "de_AT.UTF-8"}, "de"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "fr_FR.UTF-8", "LC_ALL": "es_ES.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, "es"),
    ({"LANG": "en_US.UTF-8", "LANGUAGE": "pt_BR:de"}, "pt_BR"),
    ({"LANG": "pt_PT.UTF-8"}, "pt_BR"),
    ({"LANGUAGE": "de"}, "en"),  # gettext's rule: LANGUAGE counts only once a locale is set
    ({"LANG": "it_IT.UTF-8", "LANGUAGE": "it:fr"}, "fr"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_language_comes_from_the_environment_as_desktop_programs_read_it(environ, expected):
    assert i18n.choose(None, environ, platform="linux")[0] == expected


def test_the_config_overrides_the_environment():
    assert i18n.choose("de", {"LANG": "fr_FR.UTF-8"}, platform="linux")[:2] == ("de", "de")
    assert i18n.choose("pt-BR", {}, platform="linux")[:2] == ("pt_BR", "pt_BR")


def test_a_locale_not_shipped_falls_back_to_english_with_one_note():
    language, formats, note = i18n.choose(None, {"LANG": "it_IT.UTF-8"}, platform="linux")
    assert (language, formats) == ("en", i18n.NEUTRAL_FORMATS)
    assert "it_IT" in note and "English" in note


def test_an_unknown_configured_language_is_a_located_error_naming_the_shipped_ones():
    with pytest.raises(ConfigError) as caught:
        parse_settings('[schedule]\ninterval = "30m"\n\n[ui]\nlanguage = "klingon"\n', "my.toml")
    message = str(caught.value)
    assert "my.toml" in message and "line 5" in message and "ui.language" in message
    for code in i18n.SHIPPED:
        assert code in message


def test_a_known_configured_language_is_accepted():
    assert parse_settings('[ui]\nlanguage = "de"\n').ui.language == "de"


MOMENT = datetime(2026, 12, 1, 14, 47)


@pytest.mark.parametrize(("formats", "clock", "weekday_clock"), [
    ("en_GB", "14:47", "Tue 14:47"),
    ("en_US", "2:47\u202fPM", "Tue 2:47\u202fPM"),
    ("de_DE", "14:47", "Di., 14:47"),
    ("fr_FR", "14:47", "mar. 14:47"),
])
def test_times_are_in_the_locales_format(formats, clock, weekday_clock):
    i18n.use("en", formats)
    assert i18n.clock(MOMENT).replace(" ", "\u202f") == clock
    assert i18n.weekday_clock(MOMENT).replace(" PM", "\u202fPM") == weekday_clock


def test_no_locale_keeps_24_hour_times():
    i18n.use(*i18n.choose(None, {}, platform="linux")[:2])
    assert i18n.clock(MOMENT) == "14:47" and not i18n.uses_12_hour()


def test_numbers_and_dates_follow_the_locale():
    i18n.use("de", "de_DE")
    assert i18n.number(1234.5, 1) == "1.234,5"
    assert i18n.day(date(2026, 12, 1)) == "Di., 1. Dez. 2026"
    i18n.use("en", "en_GB")
    assert i18n.number(1234.5, 1) == "1,234.5"
