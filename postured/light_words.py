"""The light control verbs' few own lines (status, done …) in the environment's language.

A status bar runs `postured status` every few seconds, so this path loads the stdlib's gettext
only: not postured.i18n (it loads pathlib), never Babel or pydantic. The language is the
environment's, by postured.i18n.choose's rule for it (tests/test_i18n_cli.py checks that both
agree); the daemon's own texts arrive already in the daemon's language. Once postured.i18n is
loaded (the argparse verbs, tests) its choice is used instead, so one process speaks one language.
"""

from __future__ import annotations

import os
import sys

_translations = None


def _(message: str) -> str:
    return _active().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _active().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for extraction where it is defined; translate it where it is shown."""
    return message


def _active():
    full = sys.modules.get("postured.i18n")
    if full is not None:
        return full._translations["postured"]
    global _translations
    if _translations is None:
        import gettext

        wanted = language(os.environ)
        _translations = (gettext.translation("postured", locale_dir(), languages=[wanted], fallback=True)
                         if wanted != "en" else gettext.NullTranslations())
    return _translations


def locale_dir() -> str:
    """postured.i18n.LOCALE_DIR, without pathlib."""
    return os.environ.get("POSTURED_LOCALE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")


def language(environ, platform: str = sys.platform) -> str:
    """The installed language the environment asks for first (LANGUAGE once a locale is set,
    then LC_ALL, LC_MESSAGES, LANG), else 'en'."""
    keys = ("LC_ALL", "LC_MESSAGES", "LANG")
    if not any(environ.get(key) for key in keys) and platform in ("win32", "darwin"):
        from postured import i18n  # the system's own setting; pathlib is loaded there anyway

        return i18n.choose(None, environ, platform)[0]
    names = [part for part in environ.get("LANGUAGE", "").split(":") if part] if any(
        environ.get(key) for key in keys) else []
    names += [environ[key] for key in keys if environ.get(key)][:1]
    try:
        installed = [name for name in os.listdir(locale_dir()) if os.path.isdir(os.path.join(locale_dir(), name))]
    except OSError:
        return "en"
    for name in names:
        code = name.split(".")[0].split("@")[0].replace("-", "_")
        head, _sep, region = code.partition("_")
        head = head.lower()
        if head == "en":
            return "en"
        exact = f"{head}_{region.upper()}" if region else head
        for candidate in [exact, head] + sorted(n for n in installed if n.split("_")[0] == head):
            if candidate in installed:
                return candidate
    return "en"
