"""Open config: the real xdg-mime picks the handler; a terminal-only handler (vim) is
passed over for a graphical one; with none at all, the person is told where the file is."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from desktop import wait_until

from postured.editor import open_in_editor

pytestmark = pytest.mark.skipif(shutil.which("xdg-mime") is None, reason="xdg-mime (xdg-utils) is not installed")

EDITOR_SCRIPT = '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a" >> {record}; done\n'


@pytest.fixture
def home(tmp_path, monkeypatch):
    """Own XDG dirs; PATH holds only the system's tools (no graphical editor is installed here)."""
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        (tmp_path / key).mkdir()
        monkeypatch.setenv(key, str(tmp_path / key))
    (tmp_path / "XDG_DATA_HOME" / "applications").mkdir()
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    return tmp_path


def editor_entry(home: Path, name: str, terminal: bool = False) -> Path:
    """A graphical editor's desktop entry (the editor a script that records its arguments)."""
    record = home / f"{name}.argv"
    script = home / "bin" / name
    script.write_text(EDITOR_SCRIPT.format(record=record))
    script.chmod(0o755)
    (home / "XDG_DATA_HOME" / "applications" / f"{name}.desktop").write_text(
        f"[Desktop Entry]\nType=Application\nName={name}\nExec={name} --new-window %F\n"
        f"Terminal={'true' if terminal else 'false'}\nMimeType=text/plain;\n")
    return record


def associate(home: Path, **defaults: str) -> None:
    lines = [f"{mime.replace('_', '/')}={entry}" for mime, entry in defaults.items()]
    (home / "XDG_CONFIG_HOME" / "mimeapps.list").write_text("[Default Applications]\n" + "\n".join(lines) + "\n")


class Told:
    def __init__(self):
        self.said: list[tuple[str, str]] = []

    def __call__(self, title: str, body: str) -> None:
        self.said.append((title, body))


def test_a_terminal_handler_for_toml_is_passed_over_for_the_text_editor(home):
    record = editor_entry(home, "notes")
    associate(home, application_toml="vim.desktop", text_plain="notes.desktop")
    config = home / "cfg" / "config.toml"
    told = Told()
    child = open_in_editor(config, told)
    assert child is not None and child.args[0] == "notes"
    wait_until(record.exists, "the editor to start", 10)
    assert record.read_text().splitlines() == ["--new-window", str(config)]
    assert told.said == [] and config.read_text().startswith("# postured")
    wait_until(lambda: child.returncode is not None, "the editor to be reaped", 10)  # the waiting thread did it


def test_with_only_vim_a_graphical_editor_on_path_opens_it(home):
    # Debian's default text/plain handler here is vim.desktop (Terminal=true).
    associate(home, text_plain="vim.desktop", application_toml="vim.desktop")
    record = home / "mousepad.argv"
    script = home / "bin" / "mousepad"
    script.write_text(EDITOR_SCRIPT.format(record=record))
    script.chmod(0o755)
    config = home / "config.toml"
    config.write_text("# mine\n")
    assert open_in_editor(config, Told()) is not None
    wait_until(record.exists, "mousepad to start", 10)
    assert record.read_text().splitlines() == [str(config)]
    assert config.read_text() == "# mine\n"


def test_with_no_graphical_editor_the_person_is_told_where_the_file_is(home):
    associate(home, text_plain="vim.desktop", application_toml="vim.desktop")
    config = home / "config.toml"
    told = Told()
    assert open_in_editor(config, told) is None
    assert told.said == [("postured: your config file", f"No text editor to open it with. The file is:\n{config}")]


def test_an_entry_whose_program_is_missing_is_passed_over(home):
    editor_entry(home, "gone")
    os.unlink(home / "bin" / "gone")
    associate(home, text_plain="gone.desktop")
    told = Told()
    assert open_in_editor(home / "config.toml", told) is None
    assert told.said and str(home / "config.toml") in told.said[0][1]
