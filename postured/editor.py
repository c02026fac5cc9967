"""Open the config file in a text editor a person can use, or say where it is.

xdg-open hands a .toml file to whatever is associated with it; with only vim associated
(a terminal program) XFCE answers "Unable to find terminal" and nothing opens. So on
Linux: the desktop's handler for application/toml, then for text/plain (asked of
xdg-mime), if it is a graphical program; else a known graphical editor on PATH; else
the caller tells the person where the file is. Every child is reaped: none is left a
zombie until the daemon's next child.
"""

from __future__ import annotations

import configparser
import logging
import os
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from postured.i18n import _

log = logging.getLogger("postured")

MIME_TYPES = ("application/toml", "text/plain")
GUI_EDITORS = ("gnome-text-editor", "gedit", "kate", "kwrite", "mousepad", "featherpad", "pluma", "xed",
               "geany", "code")


def open_in_editor(path: Path, tell: Callable[[str, str], None]) -> subprocess.Popen | None:
    """Start an editor on ``path`` (created from the example config if missing); the child,
    or None when there is none, after ``tell(title, body)`` said where the file is."""
    if not path.exists():
        from postured.resources import example_config

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example_config().read_text(encoding="utf-8"), encoding="utf-8")
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
        return None
    argv = ["open", "-t", str(path)] if sys.platform == "darwin" else editor_command(path)
    if argv is not None:
        try:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            log.warning("cannot open %s with %s: %s", path, argv[0], exc.strerror)
        else:
            log.info("opening the config with %s", argv[0])
            threading.Thread(target=child.wait, name="editor", daemon=True).start()  # reaped when it exits
            return child
    log.warning("no graphical text editor found for %s", path)
    tell(_("postured: your config file"), _("No text editor to open it with. The file is:\n{path}").format(path=path))
    return None


def editor_command(path: Path) -> list[str] | None:
    """The command that opens ``path`` in a graphical editor, or None."""
    for mime in MIME_TYPES:
        entry = _default_entry(mime)
        command = _command(entry, path) if entry is not None else None
        if command is not None:
            return command
    for name in GUI_EDITORS:
        found = shutil.which(name)
        if found:
            return [found, str(path)]
    return None


def _default_entry(mime: str) -> Path | None:
    try:
        done = subprocess.run(["xdg-mime", "query", "default", mime], capture_output=True, text=True,
                              timeout=5, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    desktop_id = done.stdout.strip().split(";")[0]
    if done.returncode != 0 or not desktop_id.endswith(".desktop"):
        return None
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    for folder in [data_home, *data_dirs.split(":")]:
        # A desktop id "org.kde.kate.desktop" may also live at org/kde/kate.desktop.
        for candidate in (Path(folder, "applications", desktop_id),
                          Path(folder, "applications", *desktop_id[:-8].split("-")).with_suffix(".desktop")):
            if candidate.is_file():
                return candidate
    return None


def _command(entry: Path, path: Path) -> list[str] | None:
    """The entry's Exec line for ``path``, or None for a terminal program or one not installed."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(entry, encoding="utf-8")
        section = parser["Desktop Entry"]
    except (configparser.Error, KeyError, UnicodeDecodeError):
        return None
    if section.get("Terminal", "false").strip().lower() == "true" or section.get("Hidden", "") == "true":
        return None
    try_exec = section.get("TryExec", "").strip()
    if try_exec and shutil.which(try_exec) is None:
        return None
    try:
        words = shlex.split(section.get("Exec", ""))
    except ValueError:
        return None
    argv: list[str] = []
    for word in words:
        if word in ("%f", "%F", "%u", "%U"):
            argv.append(str(path))
        elif len(word) == 2 and word.startswith("%"):
            continue  # %i, %c, %k and the deprecated codes: nothing an editor needs
        else:
            argv.append(word.replace("%%", "%"))
    if not argv or shutil.which(argv[0]) is None:
        return None
    if str(path) not in argv:
        argv.append(str(path))
    return argv
