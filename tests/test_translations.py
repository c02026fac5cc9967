"""The shipped translations: complete, faithful to the English numbers and placeholders,
compiled, and short enough for the reminder's lines (README, "Reminders")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from postured import i18n
from postured.i18n_build import compile_po

LOCALE = Path(i18n.__file__).resolve().parent / "locale"
LANGUAGES = [language for language in i18n.SHIPPED if language != "en"]
CASES = [(language, domain) for language in LANGUAGES for domain in i18n.DOMAINS]

# {name}, {count:d}, %s, %(name)s, %d: what Python fills in
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%(?:\([A-Za-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def template(domain: str):
    with (LOCALE / f"{domain}.pot").open("rb") as source:
        return read_po(source)


def translation(language: str, domain: str):
    with (LOCALE / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as source:
        return read_po(source, locale=language)


def forms(message) -> tuple[list[str], list[str]]:
    """(English texts, translated texts) of a message, plural forms included."""
    english = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    translated = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
    return english, translated


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(0) != "%%"}


def numbers(text: str) -> list[str]:
    return sorted(value.replace(",", ".") for value in NUMBER.findall(text))


@pytest.mark.parametrize(("language", "domain"), CASES)
def test_every_message_is_translated(language, domain):
    wanted = [message.id for message in template(domain) if message.id]
    catalog = translation(language, domain)
    missing = []
    for msgid in wanted:
        message = catalog.get(msgid)
        if message is None or message.fuzzy or not all(forms(message)[1]) or not forms(message)[1]:
            missing.append(msgid if isinstance(msgid, str) else msgid[0])
    assert not missing, f"{language}/{domain}.po: {len(missing)} untranslated, e.g. {missing[:3]}"


@pytest.mark.parametrize(("language", "domain"), CASES)
def test_translations_keep_every_placeholder(language, domain):
    wrong = []
    for message in translation(language, domain):
        english, translated = forms(message)
        if not message.id or not any(translated):
            continue
        expected = set().union(*(placeholders(text) for text in english))
        for index, text in enumerate(translated):
            found = placeholders(text)
            # A singular form may say "one" instead of the count ("eine Pause"), nothing else.
            allowed_missing = {p for p in expected if "count" in p or p == "%d"} if len(english) > 1 else set()
            if found - expected or (expected - found) - allowed_missing:
                wrong.append((english[0], index, sorted(expected), sorted(found)))
    assert not wrong, f"{language}/{domain}.po: placeholders differ: {wrong[:3]}"


@pytest.mark.parametrize(("language", "domain"), CASES)
def test_translations_keep_every_number(language, domain):
    """Holds, repetitions, sets and days are the sources' doses: a translation carries the same."""
    wrong = []
    for message in translation(language, domain):
        english, translated = forms(message)
        if not message.id or not any(translated):
            continue
        for index, text in enumerate(translated):
            source = english[min(index, len(english) - 1)]
            if numbers(PLACEHOLDER.sub("", text)) != numbers(PLACEHOLDER.sub("", source)):
                wrong.append((source, text))
    assert not wrong, f"{language}/{domain}.po: numbers differ: {wrong[:3]}"


@pytest.mark.parametrize(("language", "domain"), CASES)
def test_the_compiled_catalogues_are_those_of_the_po_files(language, domain, tmp_path):
    """The .mo files are built (hatch_build.py, tools/translations.sh), never edited; a stale one
    would show yesterday's words."""
    po = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run bash tools/translations.sh compile"
    assert compile_po(po, tmp_path / mo.name).read_bytes() == mo.read_bytes(), f"{mo} is stale: run bash tools/translations.sh compile"


@pytest.mark.parametrize("language", LANGUAGES)
def test_reminder_lines_fit_in_every_language(language):
    """The cue and key caution are whole reminder lines: at most 42 characters in every language."""
    catalog = translation(language, "catalogue")
    too_long = []
    for message in catalog:
        if message.id and message.string and any("one reminder line" in comment for comment in message.auto_comments):
            if len(message.string) > 42:
                too_long.append((message.string, len(message.string)))
    assert not too_long, f"{language}: reminder lines over 42 characters: {too_long}"


def test_write_mo_is_deterministic(tmp_path):
    """The staleness check above relies on the same .po always compiling to the same bytes."""
    catalog = translation(LANGUAGES[0], "postured")
    first, second = tmp_path / "a.mo", tmp_path / "b.mo"
    for path in (first, second):
        with path.open("wb") as target:
            write_mo(target, catalog)
    assert first.read_bytes() == second.read_bytes()
