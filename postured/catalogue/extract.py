"""Babel extractor for exercises.toml: the texts a person reads, for catalogue.pot.

tools/babel-catalogue.cfg names it; `bash tools/translations.sh` runs it. Each message
carries a comment for translators: which exercise and field, and the length a reminder
line may have where the notification shows it.
"""

from __future__ import annotations

import tomllib

from postured.catalogue import TRANSLATED, TRANSLATED_LISTS

# The reminder shows these whole on every notification server (postured.core.view.BODY_LINE_CHARS).
LINE_LIMITED = {"cue": 42, "key_caution": 42}


def extract_catalogue(fileobj, keywords, comment_tags, options):
    """Yield (line, funcname, message, comments) for Babel's extract machinery."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    data = tomllib.loads(text)
    for table in ("safety", "exercise"):
        for entry in data.get(table, []):
            where = f"{table} {entry.get('id', '?')}"
            for key in (*TRANSLATED, *TRANSLATED_LISTS):
                values = entry.get(key)
                items = values if isinstance(values, list) else [values]
                for item in items:
                    if not isinstance(item, str) or not item:
                        continue
                    comment = f"{where}: {key}"
                    if key in LINE_LIMITED:
                        comment += f" (one reminder line: at most {LINE_LIMITED[key]} characters)"
                    yield _line_of(lines, item), None, item, [comment]


def _line_of(lines: list[str], message: str) -> int:
    probe = message[:30]
    return next((number for number, line in enumerate(lines, 1) if probe in line), 0)
