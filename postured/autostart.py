"""Start postured at login: one file per platform, written and removed by ``postured autostart``.

- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/postured.desktop``
- macOS: ``~/Library/LaunchAgents/io.github.postured.plist`` (a LaunchAgent, RunAtLoad)
- Windows: ``postured.vbs`` in the Startup folder (starts pythonw: no console window)

Every file carries the marker ``X-Postured-Autostart=1``; ``disable`` deletes only a file
that has it. The marker line also records how many directories ``enable`` had to create
(``X-Postured-Created-Dirs=N``), so ``disable`` removes those again when they are empty and
leaves the home as it was. Recording beats guessing from emptiness: an empty
``~/.config/autostart`` the user or the desktop made before must survive ``disable``.

Platform, environment, home and interpreter are parameters, so every platform's file can be
built and checked anywhere. Standard library (and postured.resources) only: the verb stays light.
"""

from __future__ import annotations

import os
import plistlib
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from postured.i18n import _

MARKER = "X-Postured-Autostart=1"
CREATED_KEY = "X-Postured-Created-Dirs"
MAC_LABEL = "io.github.postured"
APP_NAME = "postured"
COMMENT = "Posture-break reminders in the tray during your work hours"

_CREATED = re.compile(rf"{CREATED_KEY}=(\d+)")


class AutostartError(Exception):
    """Something the user must sort out; the message says what."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    changed: bool
    message: str


@dataclass(frozen=True)
class Status:
    path: Path
    exists: bool
    ours: bool      # the file carries postured's marker
    current: bool   # and is byte for byte what ``enable`` would write now

    @property
    def enabled(self) -> bool:
        return self.exists and self.ours


def family(platform: str) -> str:
    """'mac', 'windows' or 'xdg' (Linux, the BSDs and the rest)."""
    if platform == "darwin":
        return "mac"
    if platform == "win32":
        return "windows"
    return "xdg"


def autostart_file(platform: str, environ: Mapping[str, str], home: Path) -> Path:
    kind = family(platform)
    if kind == "mac":
        return home / "Library" / "LaunchAgents" / f"{MAC_LABEL}.plist"
    if kind == "windows":
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata, "Microsoft", "Windows", "Start Menu", "Programs", "Startup", "postured.vbs")
    # The XDG base-dir spec: an unset, empty or relative XDG_CONFIG_HOME is ignored.
    configured = environ.get("XDG_CONFIG_HOME", "")
    config_home = Path(configured) if os.path.isabs(configured) else home / ".config"
    return config_home / "autostart" / "postured.desktop"


def launch_command(platform: str, executable: str, config: Path | None = None) -> list[str]:
    """The argv that starts this very postured (same interpreter, same venv), as ``run``.

    ``executable`` is kept as given, not resolved: a venv's python is a symlink, and
    resolving it would lose the venv.
    """
    python = Path(os.path.abspath(executable))
    if family(platform) == "windows":
        # postured.exe is a console program; pythonw.exe starts without a console window.
        windowless = python.with_name("pythonw.exe")
        argv = [str(windowless if windowless.exists() else python), "-m", "postured", "run"]
    else:
        script = python.with_name("postured")
        argv = [str(script), "run"] if script.is_file() else [str(python), "-m", "postured", "run"]
    if config is not None:
        argv += ["--config", os.path.abspath(config)]
    return argv


def render(platform: str, argv: list[str], created_dirs: int = 0, icon: Path | None = None) -> bytes:
    """The file's exact bytes for ``platform``."""
    kind = family(platform)
    if kind == "mac":
        return _plist(argv, created_dirs)
    if kind == "windows":
        return _vbs(argv, created_dirs)
    return _desktop_entry(argv, created_dirs, icon)


def status(platform: str = sys.platform, environ: Mapping[str, str] | None = None, home: Path | None = None,
           executable: str = sys.executable, config: Path | None = None) -> Status:
    path, wanted = _target(platform, environ, home, executable, config)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Status(path, exists=False, ours=False, current=False)
    text = _text(data)
    ours = MARKER in text
    return Status(path, exists=True, ours=ours, current=ours and data == wanted(_created_dirs(text)))


def enable(platform: str = sys.platform, environ: Mapping[str, str] | None = None, home: Path | None = None,
           executable: str = sys.executable, config: Path | None = None) -> Outcome:
    path, wanted = _target(platform, environ, home, executable, config)
    try:
        data: bytes | None = path.read_bytes()
    except FileNotFoundError:
        data = None
    if data is not None:
        text = _text(data)
        if MARKER not in text:
            raise AutostartError(_("{path} exists and was not written by postured; leaving it alone "
                                   "(remove or rename it yourself if you want postured's)").format(path=path))
        # Ours already: keep the record of the directories the first enable created.
        content = wanted(_created_dirs(text))
        if data == content:
            return Outcome(path, changed=False, message=_("already enabled: {path}").format(path=path))
        _write(path, content)
        return Outcome(path, changed=True, message=_("updated {path}").format(path=path))
    missing = _missing_dirs(path.parent)
    content = wanted(len(missing))  # before any mkdir: a path that cannot be written leaves no trace
    made: list[Path] = []
    try:
        for directory in missing:
            directory.mkdir(mode=0o700)  # 0700, as the XDG base-dir spec asks
            made.append(directory)
        _write(path, content)
    except OSError:
        for directory in reversed(made):
            directory.rmdir()
        raise
    return Outcome(path, changed=True, message=_("enabled: postured starts at your next login ({path})").format(path=path))


def disable(platform: str = sys.platform, environ: Mapping[str, str] | None = None,
            home: Path | None = None) -> Outcome:
    path = autostart_file(platform, os.environ if environ is None else environ, Path.home() if home is None else home)
    try:
        text = _text(path.read_bytes())
    except FileNotFoundError:
        return Outcome(path, changed=False, message=_("already disabled: {path} does not exist").format(path=path))
    if MARKER not in text:
        raise AutostartError(_("{path} was not written by postured (no {marker} marker); not deleting it").format(
            path=path, marker=MARKER))
    path.unlink()
    directory = path.parent
    for _level in range(_created_dirs(text)):
        try:
            directory.rmdir()  # only if empty: something else may have moved in since
        except OSError:
            break
        directory = directory.parent
    return Outcome(path, changed=True, message=_("disabled: removed {path}").format(path=path))


# -- the three formats -------------------------------------------------------------------

def _desktop_entry(argv: list[str], created_dirs: int, icon: Path | None) -> bytes:
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={APP_NAME}",
        f"Comment={COMMENT}",
        f"Exec={_escape_value(' '.join(_exec_argument(a) for a in argv))}",
        f"TryExec={_escape_value(argv[0])}",  # a removed venv makes the entry a silent no-op
    ]
    if icon is not None:
        lines.append(f"Icon={_escape_value(str(icon))}")
    lines += [
        "Terminal=false",
        "StartupNotify=false",  # a tray icon opens no window: no busy cursor
        "X-GNOME-Autostart-enabled=true",
        "# Written by `postured autostart enable`; `postured autostart disable` removes it.",
        MARKER,
        f"{CREATED_KEY}={created_dirs}",
    ]
    text = "\n".join(lines) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise AutostartError(_("a path is not valid UTF-8, which a .desktop file requires: {command}").format(
            command=repr(" ".join(argv)))) from None


# Characters that force quoting in an Exec argument (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_argument(argument: str) -> str:
    argument = argument.replace("%", "%%")  # a lone % would start a field code
    if argument and not _RESERVED & set(argument):
        return argument
    inner = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{inner}"'


def _escape_value(value: str) -> str:
    # The string-value escapes apply before the Exec quoting is read, hence \ → \\ again.
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r"))


def _plist(argv: list[str], created_dirs: int) -> bytes:
    body = plistlib.dumps({
        "Label": MAC_LABEL,
        "ProgramArguments": argv,
        "RunAtLoad": True,
        "LimitLoadToSessionType": "Aqua",  # only in a GUI login: the tray needs one
        "ProcessType": "Interactive",
    }, sort_keys=False)
    # The marker goes in an XML comment: launchd and plistlib skip comments.
    declaration, rest = body.split(b"\n", 1)
    comment = f"<!-- Written by `postured autostart enable`. {MARKER} {CREATED_KEY}={created_dirs} -->"
    return declaration + b"\n" + comment.encode() + b"\n" + rest


def _vbs(argv: list[str], created_dirs: int) -> bytes:
    # Windows paths cannot hold '"'. WshShell.Run expands %VARIABLES%; a path spelling
    # one literally is not expected, and Run offers no escape for it.
    command = " ".join(f'"{a}"' if " " in a or not a else a for a in argv)
    literal = '"' + command.replace('"', '""') + '"'
    lines = [
        "' Starts postured at logon without a console window.",
        "' Written by `postured autostart enable`; `postured autostart disable` removes it.",
        f"' {MARKER} {CREATED_KEY}={created_dirs}",
        f'CreateObject("WScript.Shell").Run {literal}, 0, False',
    ]
    # UTF-16 with a BOM: Windows Script Host reads it whatever the code page (a user
    # name with accents is common).
    return "\ufeff".encode("utf-16-le") + "\r\n".join(lines + [""]).encode("utf-16-le")


# -- files -----------------------------------------------------------------------------

def _target(platform, environ, home, executable, config):
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    path = autostart_file(platform, environ, home)
    argv = launch_command(platform, executable, config)
    icon = _icon() if family(platform) == "xdg" else None
    return path, lambda created: render(platform, argv, created, icon)


def _icon() -> Path | None:
    from postured.resources import icon_path

    path = icon_path("waiting").resolve()
    return path if path.is_file() else None


def _text(data: bytes) -> str:
    if data.startswith(b"\xff\xfe"):  # our .vbs is UTF-16 with a BOM
        return data.decode("utf-16-le", errors="replace")
    return data.decode("utf-8", errors="replace")


def _created_dirs(text: str) -> int:
    found = _CREATED.search(text)
    return int(found.group(1)) if found else 0


def _missing_dirs(directory: Path) -> list[Path]:
    """``directory`` and its parents that do not exist yet, outermost first."""
    missing = []
    while not directory.exists() and directory.parent != directory:
        missing.append(directory)
        directory = directory.parent
    return missing[::-1]


def _write(path: Path, content: bytes) -> None:
    # Write aside, then rename: a crash never leaves a half-written entry behind.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
