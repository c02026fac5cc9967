"""The person's language: gettext for the words, Babel for times, dates and numbers.

Two gettext domains live in postured/locale/<language>/LC_MESSAGES/: ``postured`` (the
program's own texts) and ``catalogue`` (the exercise catalogue's names, steps and cautions).
The .po files are the sources; the .mo files are compiled from them when the package is
built or installed (hatch_build.py), never committed. `bash tools/translations.sh` extracts,
updates and compiles them.

One language is active per process, chosen once from ``[ui] language`` or the environment
(``use``) and changed only when the config changes. Everything here is a pure lookup after
that, so the core may call it. Babel is imported on the first formatted time: the light
CLI verbs never format one.
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
from datetime import date, datetime, time

# The languages shipped, as [ui] language takes them; English is the source language.
SHIPPED = ("en", "de", "fr", "es", "pt_BR")
NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "pt_BR": "Português (Brasil)"}
DOMAINS = ("postured", "catalogue")
# POSTURED_LOCALE_DIR: another folder of compiled catalogues, for tests (a .po compiled in a
# temporary folder reaching a real `postured` process); unset, the ones built into the package.
# A plain path, no pathlib: the light control verbs (`postured status` every few seconds) load this module.
LOCALE_DIR = os.environ.get("POSTURED_LOCALE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
# Where no locale is set (C, POSIX, nothing): English words with 24-hour times, as before.
NEUTRAL_FORMATS = "en_GB"

_translations: dict[str, _gettext.NullTranslations] = {domain: _gettext.NullTranslations() for domain in DOMAINS}
_language = "en"
_formats = NEUTRAL_FORMATS
_chosen = False  # until use(): the environment's language, taken at the first text (apply(None))


def _active(domain: str) -> _gettext.NullTranslations:
    if not _chosen:  # the light control verbs never read the config: they speak the environment's language
        apply(None)
    return _translations[domain]


def _(message: str) -> str:
    """The program's text in the active language."""
    return _active("postured").gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural text for ``count``, by the active language's plural rule."""
    return _active("postured").ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for extraction where it is defined; translate it where it is shown."""
    return message


def catalogue_text(message: str) -> str:
    """An exercise catalogue text (name, step, caution …) in the active language."""
    return _active("catalogue").gettext(message) if message else message


def language() -> str:
    """The active language, one of SHIPPED."""
    return _language


def current() -> tuple[str, str]:
    """(language, format locale): what ``use`` takes to bring them back."""
    return _language, _formats


def normalise(name: str) -> str:
    """'de_DE.UTF-8@euro' -> 'de_DE'; 'pt-br' -> 'pt_BR'."""
    name = name.split(".")[0].split("@")[0].replace("-", "_")
    head, _sep, region = name.partition("_")
    return f"{head.lower()}_{region.upper()}" if region else head.lower()


def shipped_match(name: str) -> str | None:
    """The shipped language for a locale name: 'de_AT' -> 'de', 'pt' -> 'pt_BR', 'it' -> None."""
    wanted = normalise(name)
    if wanted in SHIPPED:
        return wanted
    head = wanted.split("_")[0]
    return next((shipped for shipped in SHIPPED if shipped.split("_")[0] == head), None)


def environment_locales(environ: dict[str, str] | None = None, platform: str = sys.platform) -> list[str]:
    """The locales the environment asks for, most wanted first, as desktop programs read them:
    LANGUAGE (a colon list) then LC_ALL, LC_MESSAGES, LANG; Windows and macOS their own setting."""
    environ = os.environ if environ is None else environ
    found: list[str] = []
    if environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG"):
        # gettext's own rule: LANGUAGE counts only when a locale is set at all
        found += [part for part in environ.get("LANGUAGE", "").split(":") if part]
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(key):
            found.append(environ[key])
            break
    if not found and platform in ("win32", "darwin"):
        found += _system_locale(platform)
    return [name for name in found if normalise(name) not in ("c", "posix")]


def _system_locale(platform: str) -> list[str]:
    if platform == "win32":
        import ctypes
        import locale

        code = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
        return [locale.windows_locale.get(code, "")] if code in locale.windows_locale else []
    import subprocess

    try:
        answer = subprocess.run(["defaults", "read", "-g", "AppleLocale"], capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return []
    return [answer.stdout.strip()] if answer.returncode == 0 and answer.stdout.strip() else []


def choose(configured: str | None, environ: dict[str, str] | None = None,
           platform: str = sys.platform) -> tuple[str, str, str | None]:
    """(language, format locale, note) for ``[ui] language`` or else the environment.

    The note is the one log line when the environment asks for a language not shipped.
    The format locale keeps the region (en_US: 12-hour; en_GB and de: 24-hour).
    """
    if configured:
        language = shipped_match(configured) or "en"
        return language, _format_locale(configured, language), None
    wanted = environment_locales(environ, platform)
    for name in wanted:
        language = shipped_match(name)
        if language:
            return language, _format_locale(wanted[0] if shipped_match(wanted[0]) == language else name, language), None
    if not wanted:
        return "en", NEUTRAL_FORMATS, None
    note = f"no translation for the locale {wanted[0]!r}; postured speaks English (shipped: {', '.join(SHIPPED)})"
    return "en", NEUTRAL_FORMATS, note


def _format_locale(name: str, language: str) -> str:
    """The locale Babel formats with: the asked-for one where Babel knows it, else the language's."""
    wanted = normalise(name)
    if wanted.split("_")[0] == language.split("_")[0]:
        return wanted
    return language


def use(language: str, formats: str | None = None, localedir: str | os.PathLike = LOCALE_DIR) -> str | None:
    """Make ``language`` active for the words and ``formats`` for times and numbers.
    Returns a log line when a shipped language's compiled catalogue is missing."""
    global _language, _formats, _chosen
    missing = []
    for domain in DOMAINS:
        if language == "en":
            _translations[domain] = _gettext.NullTranslations()
            continue
        try:
            _translations[domain] = _gettext.translation(domain, localedir, languages=[language])
        except OSError:
            _translations[domain] = _gettext.NullTranslations()
            missing.append(domain)
    _language, _formats, _chosen = language, formats or language, True
    _checked_formats.clear()
    if missing:
        return (f"the {NAMES.get(language, language)} translations are not compiled in {localedir} "
                "(run: bash tools/translations.sh); postured speaks English")
    return None


# ---------------------------------------------------------------- times, dates, numbers

_checked_formats: dict[str, str] = {}


def _locale() -> str:
    """The format locale, checked once against Babel's data (an unknown region falls back)."""
    if not _chosen:
        apply(None)
    if _formats not in _checked_formats:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(_formats)
            _checked_formats[_formats] = _formats
        except (UnknownLocaleError, ValueError):
            _checked_formats[_formats] = _language if _language != "en" else NEUTRAL_FORMATS
    return _checked_formats[_formats]


def uses_12_hour() -> bool:
    from babel import Locale

    return "h" in Locale.parse(_locale()).time_formats["short"].pattern.replace("'h'", "")


def clock(moment: datetime | time) -> str:
    """'14:47' or '2:47 PM', as the locale writes a time of day (the moment is already local)."""
    from babel.dates import format_time

    naive = moment.replace(tzinfo=None)
    return format_time(naive.time() if isinstance(naive, datetime) else naive, "short", locale=_locale())


def weekday_clock(moment: datetime) -> str:
    """'Mon 14:47', 'Mo., 14:47', 'Mon 2:47 PM': a time on another day this week."""
    from babel.dates import format_skeleton

    return format_skeleton("Ehm" if uses_12_hour() else "EHm", moment.replace(tzinfo=None), locale=_locale())


def weekday(day: date, width: str = "abbreviated") -> str:
    """'Mon' / 'Mo.' / 'lun.'; width 'wide' gives 'Monday'."""
    from babel.dates import format_date

    return format_date(day, {"abbreviated": "EEE", "wide": "EEEE"}[width], locale=_locale())


def day(day: date) -> str:
    """'Mon 1 Dec 2026' / 'Di., 1. Dez. 2026': a date with its weekday, the locale's order."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMEd", day, locale=_locale())


def short_day(day: date) -> str:
    """'Mon 1 Dec' / 'Di., 1. Dez.': within the year shown nearby."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMEd", day, locale=_locale())


def day_month(day: date) -> str:
    """'1 Dec' / '1. Dez.' / 'Dec 1': a day of a week or a chart axis, without its weekday."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", day, locale=_locale())


def number(value: int | float, digits: int = 0) -> str:
    """'1,234' / '1.234' / '0,5': the locale's digits and separators."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=_locale())


def percent(fraction: float) -> str:
    """'75%' / '75 %'."""
    from babel.numbers import format_percent

    return format_percent(fraction, locale=_locale())


def apply(configured: str | None, environ: dict[str, str] | None = None) -> list[str]:
    """Choose and use the language for ``[ui] language`` (None: the environment's).
    Returns the log lines to write (a language not shipped, a catalogue not compiled)."""
    language, formats, note = choose(configured, environ)
    missing = use(language, formats)
    return [line for line in (note, missing) if line]
