"""A pseudo-language for tests: every translated text comes back as ‹text›.

With it active, a text a person sees that is not wrapped was never passed through
gettext (not marked); the placeholders inside still work, so formatting is checked too.

    with pseudo_language():
        body = view.reminder_body(...)
        assert body.startswith("‹")
"""

from __future__ import annotations

import gettext
from contextlib import contextmanager

from postured import i18n

OPEN, CLOSE = "‹", "›"


class Pseudo(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return f"{OPEN}{message}{CLOSE}" if message else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.gettext(singular if count == 1 else plural)


def wrapped(text: str) -> bool:
    """True when every part of ``text`` outside placeholders came through gettext."""
    return text.startswith(OPEN) and text.endswith(CLOSE)


@contextmanager
def pseudo_language(domains=i18n.DOMAINS):
    saved = dict(i18n._translations), i18n.current()
    i18n._chosen = True  # chosen here: the first text must not take the environment's instead
    for domain in domains:
        i18n._translations[domain] = Pseudo()
    try:
        yield
    finally:
        i18n._translations.update(saved[0])
