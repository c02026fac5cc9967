"""The command line in the person's language: `--help`, messages, config errors, times (issue 17).

The pseudo-language (tests/pseudo_locale.py) finds texts never marked for translation; a tiny
German catalogue compiled here reaches a real `postured` process through POSTURED_LOCALE_DIR.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pseudo_locale import CLOSE, OPEN, pseudo_language, wrapped

from postured import cli, cli_control, i18n
from postured.config import ConfigError, parse_settings
from postured.i18n_build import compile_po


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.use("en", i18n.NEUTRAL_FORMATS)


# ---------------------------------------------------------------- every text marked


def _parsers():
    parser = cli.build_parser()
    verbs = next(action for action in parser._actions if action.dest == "verb")
    return parser, verbs


def test_every_help_text_of_every_verb_is_translated():
    with pseudo_language():
        parser, verbs = _parsers()
        unmarked = [(None, parser.description)] if not wrapped(parser.description) else []
        for choice in verbs._choices_actions:  # the one-line help of each verb in `postured --help`
            if not wrapped(choice.help):
                unmarked.append((choice.dest, choice.help))
        for name, sub in [("postured", parser), *verbs.choices.items()]:
            for text in (sub.description, sub.epilog, *(action.help for action in sub._actions)):
                if text is not None and not wrapped(text):
                    unmarked.append((name, text))
            shown = sub.format_help()
            # argparse's own words come through postured's domain too
            for own in ("usage: ", "options", "show this help message and exit"):
                assert f"{OPEN}{own}{CLOSE}" in shown, (name, own, shown)
        assert f"{OPEN}positional arguments{CLOSE}" in verbs.choices["config"].format_help()
        assert f"{OPEN}show program's version number and exit{CLOSE}" in parser.format_help()
    assert unmarked == []


def test_argparse_errors_are_translated(capsys):
    errors = {}
    with pseudo_language():
        parser, verbs = _parsers()
        for argv in (["config", "bogus"], ["next", "--count", "0"], ["report"]):
            with pytest.raises(SystemExit):
                parser.parse_args(argv)
            said = capsys.readouterr().err
            errors[argv[-1]] = error = said[said.index(f"{OPEN}postured "):].strip()  # after the usage
            assert error.startswith(f"{OPEN}postured ") and error.endswith(CLOSE), error
    assert "‹invalid choice: 'bogus'" in errors["bogus"]
    assert "‹argument --count: ‹must be 1 or more››" in errors["0"]  # the type check's sentence inside argparse's
    assert "‹the following arguments are required: --out›" in errors["report"]


def test_argparse_msgids_are_the_ones_python_uses():
    """argparse_words lists them for extraction; a msgid argparse does not use would never match."""
    import argparse
    import ast
    import inspect

    from postured import argparse_words

    used = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
            used.update(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    listed = set(argparse_words.MESSAGES[:-1])  # the last is ours: argparse's --version help is fixed
    plurals = {"conflicting option string: %s", "conflicting option strings: %s",
               "expected %s argument", "expected %s arguments"}
    assert listed | plurals == used | {"subcommands"}  # argparse's default title, given to _() as a variable


def _quiet_language(monkeypatch):
    # main() chooses the language from the config or the environment; here the pseudo one stays
    monkeypatch.setattr(cli, "apply_language", lambda argv, environ=None: None)
    monkeypatch.setattr(i18n, "apply", lambda configured, environ=None: [])  # app.load_config's


def test_cli_messages_are_translated(tmp_path, monkeypatch, capsys):
    _quiet_language(monkeypatch)
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with pseudo_language():
        assert cli.main(["--config", str(config), "config", "init"]) == cli.EXIT_BAD
        said = capsys.readouterr().err.strip()
        assert said.startswith("postured: ‹") and wrapped(said.removeprefix("postured: ")), said
        assert str(config) in said  # the path is filled in, not translated
        assert cli.main(["--config", str(config), "next", "--from", "yesterday"]) == cli.EXIT_BAD
        said = capsys.readouterr().err.strip()
        assert wrapped(said.removeprefix("postured: ")) and "'yesterday'" in said, said
        assert cli.main(["--config", str(config), "history", "--days", "3"]) == cli.EXIT_OK
        said = capsys.readouterr().out.strip()
        assert wrapped(said), said
        # the light path's own lines
        assert cli_control.run("done", None) == cli_control.EXIT_NOT_RUNNING
        said = capsys.readouterr().err.strip()
        assert said == "postured: ‹not running (start it with: postured run)›"
        assert cli_control.run("snooze", "5x") == cli_control.EXIT_BAD
        said = capsys.readouterr().err.strip()
        assert wrapped(said.removeprefix("postured: ")) and '"5x"' in said, said
        cli_control.print_status({"status": "Next break at 14:47", "config_path": "/c.toml", "config_error": "bad",
                                  "history_error": "disk full", "program": {"title": "T", "text": "in force"},
                                  "today": {"done": 1, "snoozed": 2, "skipped": 3}}, as_json=False)
        lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Next break at 14:47"  # the daemon's text, as it came
    assert all(wrapped(line) for line in lines[1:4] + lines[5:]), lines
    assert lines[1] == "‹today: 1 done, 2 snoozed, 3 skipped›"


def test_status_json_stays_as_the_daemon_sent_it(capsys):
    status = {"state": "due", "next_reminder": "2026-12-01T14:47:00+01:00", "today": {"done": 1}}
    with pseudo_language():
        cli_control.print_status(status, as_json=True)
    assert json.loads(capsys.readouterr().out) == status


@pytest.mark.parametrize(("text", "located"), [
    ('[schedule]\ninterval = "abc"\n', "my.toml: line 2: schedule.interval: "),
    ("[schedule]\nintervall = \"30m\"\n", "my.toml: line 2: schedule.intervall: "),  # extra_forbidden
    ("[schedule]\ndays = 'mon'\n", "my.toml: line 2: schedule.days: "),  # list_type
    ("[reminders]\nsnooze = []\n", "my.toml: line 2: reminders.snooze: "),  # our own validator
    ("[schedule]\ndays = [\"mon\", \"moon\"]\n", "my.toml: line 2: schedule.days[1]: "),  # literal_error
    ("[schedule]\ninterval = \"12h\"\n", "my.toml: line 2: schedule.interval: "),  # config_sense
    ("[exercises]\nrest_days_after_pain = 0\n", "my.toml: line 2: exercises.rest_days_after_pain: "),  # ge
    ("[exercises]\nrest_days_after_pain = \"3\"\n", "my.toml: line 2: exercises.rest_days_after_pain: "),
    ("[[exercises.custom]]\nid = \"x\"\n", "my.toml: line 1: exercises.custom[0].name: "),  # missing
])
def test_a_config_errors_sentence_is_translated_and_its_located_part_is_not(text, located):
    with pseudo_language():
        with pytest.raises(ConfigError) as caught:
            parse_settings(text, "my.toml")
    first = str(caught.value).splitlines()[0]
    assert first.startswith(located) and wrapped(first.removeprefix(located)), first


def test_a_config_file_error_is_translated_after_its_path(tmp_path):
    from postured.config_file import read_config

    with pseudo_language():
        with pytest.raises(ConfigError) as caught:
            read_config(tmp_path, required=True)  # a folder
    assert str(caught.value).startswith(f"{tmp_path}: ‹") and wrapped(str(caught.value).split(": ", 1)[1])


def test_program_and_autostart_texts_are_translated(tmp_path):
    from postured import autostart

    with pseudo_language():
        outcome = autostart.disable(platform="linux", environ={"XDG_CONFIG_HOME": str(tmp_path)}, home=tmp_path)
    assert wrapped(outcome.message) and str(tmp_path) in outcome.message


# ---------------------------------------------------------------- a real translation reaches `postured`


def _po(language: str, entries: dict[str, str], plural: str = "nplurals=2; plural=(n != 1);") -> str:
    head = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Language: {language}\\n"\n"Plural-Forms: {plural}\\n"\n\n')
    quote = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - PO strings are C-like, UTF-8
    return head + "".join(f"msgid {quote(key)}\nmsgstr {quote(value)}\n\n" for key, value in entries.items())


def _catalogues(root: Path, language: str, program: dict[str, str], exercises: dict[str, str]) -> Path:
    folder = root / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for domain, entries in (("postured", program), ("catalogue", exercises)):
        po = folder / f"{domain}.po"
        po.write_text(_po(language, entries), encoding="utf-8")
        compile_po(po)
    return root


def _postured(tmp_path, *args, lang: str | None, locale_dir: Path | None, config: str = ""):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "TZ": "UTC",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_RUNTIME_DIR": str(tmp_path / "runtime")}
    if lang:
        env["LANG"] = lang
    if locale_dir:
        env["POSTURED_LOCALE_DIR"] = str(locale_dir)
    path = tmp_path / "config.toml"
    path.write_text(config)
    return subprocess.run([sys.executable, "-m", "postured", "--config", str(path), *args],
                          env=env, capture_output=True, text=True, timeout=60)


NEXT = ("next", "--count", "2", "--from", "2026-03-23T08:00")  # a Monday


@pytest.fixture
def locales(tmp_path):
    english = _postured(tmp_path, *NEXT, lang=None, locale_dir=None)
    name = english.stdout.splitlines()[0].split("  ", 1)[1]  # the first suggested exercise
    root = tmp_path / "locale"
    _catalogues(root, "de", {"usage: ": "Aufruf: ", "run the reminder daemon": "den Erinnerungsdienst starten",
                             "not running (start it with: postured run)": "läuft nicht (starte es mit: postured run)"},
                {name: "Kinn einziehen"})
    _catalogues(root, "fr", {"usage: ": "utilisation : "}, {name: "Rentrer le menton"})
    return root, english.stdout


def test_a_german_catalogue_reaches_postured_next_with_german_times(tmp_path, locales):
    root, english = locales
    assert english.startswith("Mon 2026-03-23 09:30 +0000")  # no locale: the output as it always was
    done = _postured(tmp_path, *NEXT, lang="de_DE.UTF-8", locale_dir=root)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("Mo. 2026-03-23 09:30 +0000") and first.endswith("Kinn einziehen"), first
    shown = _postured(tmp_path, "--help", lang="de_DE.UTF-8", locale_dir=root).stdout
    assert shown.startswith("Aufruf: postured") and "den Erinnerungsdienst starten" in shown


def test_the_configured_language_overrides_the_environments(tmp_path, locales):
    root, _english = locales
    french = _postured(tmp_path, *NEXT, lang="fr_FR.UTF-8", locale_dir=root)
    assert french.stdout.startswith("lun. 2026-03-23 09:30") and "Rentrer le menton" in french.stdout
    german = _postured(tmp_path, *NEXT, lang="fr_FR.UTF-8", locale_dir=root, config='[ui]\nlanguage = "de"\n')
    assert german.returncode == 0, german.stderr
    assert german.stdout.startswith("Mo. 2026-03-23 09:30") and "Kinn einziehen" in german.stdout
    shown = _postured(tmp_path, "--help", lang="fr_FR.UTF-8", locale_dir=root, config='[ui]\nlanguage = "de"\n')
    assert shown.stdout.startswith("Aufruf: postured")


def test_a_locale_not_shipped_speaks_english_and_the_cli_says_nothing_of_it(tmp_path, locales):
    root, english = locales
    done = _postured(tmp_path, *NEXT, lang="it_IT.UTF-8", locale_dir=root)
    assert (done.returncode, done.stdout, done.stderr) == (0, english, "")


def test_the_daemon_logs_a_locale_not_shipped_once(tmp_path, monkeypatch, caplog):
    from postured import app
    from postured.paths import Paths

    monkeypatch.setattr(app, "_logged", set())
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    paths = Paths(config=tmp_path / "config.toml", data=tmp_path / "data")
    with caplog.at_level(logging.INFO, logger="postured"):
        app.load_config(paths)
        app.load_config(paths)  # a reload: the same note is not logged again
    notes = [record.getMessage() for record in caplog.records if "it_IT" in record.getMessage()]
    assert len(notes) == 1 and "English" in notes[0], notes
    assert i18n.language() == "en"


def test_a_light_verb_speaks_the_environments_language_without_babel_or_pydantic(tmp_path, locales):
    root, _english = locales
    probe = ("import sys\nfrom postured.cli import main\ncode = main(['done'])\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('babel', 'pydantic', 'pathlib', 'argparse', 'logging')))\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "de_DE.UTF-8", "PYTHONIOENCODING": "utf-8", "POSTURED_LOCALE_DIR": str(root),
           "XDG_RUNTIME_DIR": str(tmp_path / "runtime"), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.stderr.strip() == "postured: läuft nicht (starte es mit: postured run)"
    assert done.stdout.strip() == "[]"


def test_the_language_pre_read_survives_the_hostile_configs(tmp_path):
    """main() reads [ui] language before the verb checks the file: nothing there may hang or raise."""
    from test_config_fuzz import HOSTILE

    path = tmp_path / "config.toml"
    for name, text in HOSTILE.items():
        path.write_text(text + '\n[ui]\nlanguage = "de"\n', encoding="utf-8")
        found = cli._configured_language(["--config", str(path)], {})
        assert found in (None, "de"), name
    path.write_text('[ui]\nlanguage = "de"\n')
    assert cli._configured_language([f"--config={path}", "next"], {}) == "de"
    path.write_text('[ui]\nlanguage = "klingon"\n')  # the verb's own reading says what is wrong
    assert cli._configured_language(["--config", str(path)], {}) is None


def test_the_exercise_list_names_regions_positions_and_equipment_in_the_language(monkeypatch):
    """`postured exercises` shows words, not ids: with the pseudo-language every one is wrapped."""
    import io
    from contextlib import redirect_stdout

    from pseudo_locale import pseudo_language

    from postured import cli, i18n

    monkeypatch.setattr(i18n, "apply", lambda *args, **kwargs: [])  # keep the pseudo-language on
    out = io.StringIO()
    with pseudo_language(), redirect_stdout(out):
        cli.main(["exercises"])
    band_row = next(line for line in out.getvalue().splitlines() if "band-row" in line)
    assert "‹upper back›" in band_row and "‹standing›" in band_row and "‹band›" in band_row, band_row
