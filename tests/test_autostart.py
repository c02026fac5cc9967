"""`postured autostart`: the login item of each platform, written and removed without a trace.

Everything runs in a temporary home. The .desktop file goes through the real validator
(desktop-file-validate) and the real launcher code GNOME uses (Gio.DesktopAppInfo); the
macOS and Windows files are built here too and read back (plistlib, the VBScript literal);
the systemd unit goes through `systemd-analyze verify --user`.
"""

from __future__ import annotations

import configparser
import json
import plistlib
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import wait_until
from postured import autostart
from postured.autostart import AutostartError, MARKER

REPO = Path(__file__).resolve().parent.parent
VENV_SCRIPT = Path(sys.executable).with_name("postured")  # the console script of the venv under test
# Every character the Desktop Entry spec makes special in Exec, plus a space and non-ASCII.
AWKWARD = 'we ird "q" \'s\' $HOME `x` %f \\ b & ; # (p) * ? ~ <> | ünï'


def snapshot(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under ``root`` with its mode, and a file's bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        found[str(path.relative_to(root))] = (info.st_mode, content)
    return found


def platform_args(platform: str, home: Path) -> dict:
    environ = {"XDG_CONFIG_HOME": str(home / "xdg")} if platform == "linux" else {}
    if platform == "win32":
        environ = {"APPDATA": str(home / "AppData" / "Roaming")}
    return {"platform": platform, "environ": environ, "home": home}


# -- enable / disable leave the home exactly as before ----------------------------------

@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_enable_then_disable_on_an_empty_home_leaves_nothing(tmp_path, platform):
    home = tmp_path / "home"
    home.mkdir()
    before = snapshot(home)
    enabled = autostart.enable(**platform_args(platform, home))
    assert enabled.changed and enabled.path.is_file() and str(enabled.path).startswith(str(home))
    assert snapshot(home) != before
    disabled = autostart.disable(**platform_args(platform, home))
    assert disabled.changed and disabled.path == enabled.path
    assert snapshot(home) == before


def test_disable_keeps_an_autostart_dir_and_files_that_were_there_before(tmp_path):
    home = tmp_path / "home"
    folder = home / ".config" / "autostart"
    folder.mkdir(parents=True)
    (home / ".config" / "other.conf").write_text("keep me\n")
    before = snapshot(home)
    autostart.enable(platform="linux", environ={}, home=home)
    autostart.disable(platform="linux", environ={}, home=home)
    assert folder.is_dir()  # empty, but the user's: it stays
    assert snapshot(home) == before


def test_disable_keeps_a_created_dir_that_something_else_moved_into(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = autostart.enable(platform="linux", environ={}, home=home).path
    neighbour = path.parent / "other.desktop"
    neighbour.write_text("[Desktop Entry]\n")
    autostart.disable(platform="linux", environ={}, home=home)
    assert not path.exists() and neighbour.read_text() == "[Desktop Entry]\n"


def test_enable_twice_is_idempotent_and_disable_twice_too(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first = autostart.enable(platform="linux", environ={}, home=home)
    written = first.path.stat()
    again = autostart.enable(platform="linux", environ={}, home=home)
    assert not again.changed and again.message.startswith("already enabled")
    assert (first.path.stat().st_ino, first.path.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert autostart.status(platform="linux", environ={}, home=home).current
    assert autostart.disable(platform="linux", environ={}, home=home).changed
    repeat = autostart.disable(platform="linux", environ={}, home=home)
    assert not repeat.changed and repeat.message.startswith("already disabled")
    assert list(home.iterdir()) == []


def test_a_changed_config_updates_the_file_and_still_cleans_up(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    autostart.enable(platform="linux", environ={}, home=home)
    assert not autostart.status(platform="linux", environ={}, home=home, config=tmp_path / "c.toml").current
    updated = autostart.enable(platform="linux", environ={}, home=home, config=tmp_path / "c.toml")
    assert updated.changed and updated.message.startswith("updated")
    assert f"--config {tmp_path / 'c.toml'}" in updated.path.read_text()
    autostart.disable(platform="linux", environ={}, home=home)
    assert list(home.iterdir()) == []  # the record of the created dirs survived the update


def test_a_relative_xdg_config_home_is_ignored_as_the_spec_says(tmp_path):
    path = autostart.autostart_file("linux", {"XDG_CONFIG_HOME": "relative/dir"}, tmp_path)
    assert path == tmp_path / ".config" / "autostart" / "postured.desktop"
    assert autostart.autostart_file("linux", {"XDG_CONFIG_HOME": "/x"}, tmp_path) == Path("/x/autostart/postured.desktop")


# -- never someone else's file ---------------------------------------------------------

def test_a_file_postured_did_not_write_is_never_replaced_or_deleted(tmp_path):
    home = tmp_path / "home"
    path = autostart.autostart_file("linux", {}, home)
    path.parent.mkdir(parents=True)
    path.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=my-own-postured\n")
    before = snapshot(home)
    with pytest.raises(AutostartError, match="not written by postured"):
        autostart.enable(platform="linux", environ={}, home=home)
    with pytest.raises(AutostartError, match="not written by postured"):
        autostart.disable(platform="linux", environ={}, home=home)
    found = autostart.status(platform="linux", environ={}, home=home)
    assert found.exists and not found.ours and not found.enabled
    assert snapshot(home) == before


def test_a_path_a_desktop_file_cannot_hold_leaves_no_trace(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with pytest.raises(AutostartError, match="UTF-8"):
        autostart.enable(platform="linux", environ={}, home=home, executable="/opt/\udcff/python")
    assert list(home.iterdir()) == []


# -- the .desktop file -----------------------------------------------------------------

def validate(path: Path) -> subprocess.CompletedProcess:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is missing (apt install desktop-file-utils)")
    return subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=30)


def test_a_percent_in_the_program_path_is_escaped_for_the_validator(tmp_path):
    bindir = tmp_path / "100%" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "postured").write_text("")
    path = autostart.enable(platform="linux", environ={}, home=tmp_path, executable=str(bindir / "python")).path
    assert f"Exec={bindir}/postured run".replace("%", "%%") in path.read_text()
    done = validate(path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_desktop_file_passes_desktop_file_validate(tmp_path):
    path = autostart.enable(platform="linux", environ={}, home=tmp_path).path
    text = path.read_text()
    assert f"Exec={VENV_SCRIPT} run\n" in text and f"TryExec={VENV_SCRIPT}\n" in text
    icon = Path(re.search(r"^Icon=(.*)$", text, re.M).group(1))
    assert icon.is_absolute() and icon.is_file() and icon.suffix == ".png"
    for line in ("Type=Application", "Name=postured", "X-GNOME-Autostart-enabled=true", MARKER):
        assert line in text.splitlines()
    done = validate(path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_awkward_paths_are_quoted_so_the_validator_and_a_real_launcher_agree(tmp_path):
    """Gio.DesktopAppInfo (what GNOME's autostart uses) parses Exec back into the exact argv.

    Not with a '%' in the program's own path: GLib (2.74) looks for argv[0] before undoing the
    spec's %% escape and drops the entry. The argument after it may hold anything.
    """
    bindir = tmp_path / AWKWARD.replace("%", "") / "bin"
    bindir.mkdir(parents=True)
    out = tmp_path / "argv.json"
    script = bindir / "postured"
    script.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                      f"open({str(out)!r} + '.tmp', 'w').write(json.dumps(sys.argv))\n"
                      f"os.replace({str(out)!r} + '.tmp', {str(out)!r})\n")
    script.chmod(0o755)
    config = tmp_path / AWKWARD / "my config.toml"
    home = tmp_path / "home"
    home.mkdir()
    path = autostart.enable(platform="linux", environ={}, home=home, executable=str(bindir / "python"),
                            config=config).path
    done = validate(path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")

    launch = ("import sys, gi\ngi.require_version('Gio', '2.0')\nfrom gi.repository import Gio\n"
              "info = Gio.DesktopAppInfo.new_from_filename(sys.argv[1])\n"
              "assert info is not None, 'Gio refused the entry'\ninfo.launch([], None)\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home),
           "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}"}  # no display: no bus autolaunch
    started = subprocess.run([sys.executable, "-c", launch, str(path)], env=env, capture_output=True,
                             text=True, timeout=30)
    assert started.returncode == 0, started.stderr
    wait_until(out.exists, "the launched entry to record its argv")
    assert json.loads(out.read_text()) == [str(script), "run", "--config", str(config)]


# -- macOS and Windows, built here and read back ------------------------------------------

def test_the_macos_launch_agent_round_trips_through_plistlib(tmp_path):
    home = tmp_path / "Users" / "me"
    home.mkdir(parents=True)
    path = autostart.enable(platform="darwin", environ={}, home=home, config=tmp_path / "c.toml").path
    assert path == home / "Library" / "LaunchAgents" / "io.github.postured.plist"
    data = path.read_bytes()
    assert MARKER.encode() in data
    assert plistlib.loads(data) == {
        "Label": "io.github.postured",
        "ProgramArguments": [str(VENV_SCRIPT), "run", "--config", str(tmp_path / "c.toml")],
        "RunAtLoad": True,
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
    }
    assert not path.stat().st_mode & 0o022  # launchd ignores a group- or world-writable plist


def test_a_python_without_the_console_script_is_started_as_a_module(tmp_path):
    argv = autostart.launch_command("darwin", str(tmp_path / "python3"))
    assert argv == [str(tmp_path / "python3"), "-m", "postured", "run"]


def windows_command(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    assert data.startswith(b"\xff\xfe")  # UTF-16 LE with a BOM: WSH reads it whatever the code page
    text = data[2:].decode("utf-16-le")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    found = re.search(r'^CreateObject\("WScript\.Shell"\)\.Run "((?:[^"]|"")*)", (\d), False\r$', text, re.M)
    assert found, text
    return found.group(1).replace('""', '"'), found.group(2)


def test_the_windows_startup_script_runs_pythonw_without_a_window(tmp_path):
    python_dir = tmp_path / "Program Files" / "Python311 ü"
    python_dir.mkdir(parents=True)
    (python_dir / "python.exe").write_bytes(b"")
    (python_dir / "pythonw.exe").write_bytes(b"")
    appdata = tmp_path / "AppData" / "Roaming"
    path = autostart.enable(platform="win32", environ={"APPDATA": str(appdata)}, home=tmp_path,
                            executable=str(python_dir / "python.exe")).path
    assert path == appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "postured.vbs"
    command, window = windows_command(path)
    assert command == f'"{python_dir / "pythonw.exe"}" -m postured run'
    assert window == "0"  # hidden
    assert MARKER in path.read_bytes()[2:].decode("utf-16-le")


def test_without_pythonw_the_startup_script_falls_back_to_python(tmp_path):
    python_dir = tmp_path / "py"
    python_dir.mkdir()
    (python_dir / "python.exe").write_bytes(b"")
    path = autostart.enable(platform="win32", environ={}, home=tmp_path,
                            executable=str(python_dir / "python.exe")).path
    assert str(path).startswith(str(tmp_path / "AppData" / "Roaming"))
    assert windows_command(path)[0] == f"{python_dir / 'python.exe'} -m postured run"


# -- the command line ----------------------------------------------------------------

def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg")}
    return subprocess.run([str(VENV_SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)


def test_the_verb_end_to_end(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    before = snapshot(home)
    desktop = home / "cfg" / "autostart" / "postured.desktop"

    done = cli(home, "autostart", "status")
    assert (done.returncode, done.stdout) == (1, f"not enabled: {desktop} does not exist\n")
    done = cli(home, "autostart", "enable")
    assert done.returncode == 0 and str(desktop) in done.stdout and done.stderr == ""
    assert f"Exec={VENV_SCRIPT} run\n" in desktop.read_text()
    done = cli(home, "autostart", "enable")
    assert (done.returncode, done.stdout) == (0, f"already enabled: {desktop}\n")
    done = cli(home, "autostart", "status")
    assert (done.returncode, done.stdout) == (0, f"enabled: {desktop}\n")
    done = cli(home, "autostart", "disable")
    assert (done.returncode, done.stdout) == (0, f"disabled: removed {desktop}\n")
    assert cli(home, "autostart", "status").returncode == 1
    assert snapshot(home) == before


def test_the_verb_refuses_a_foreign_file_with_a_message_not_a_traceback(tmp_path):
    desktop = tmp_path / "cfg" / "autostart" / "postured.desktop"
    desktop.parent.mkdir(parents=True)
    desktop.write_text("[Desktop Entry]\nName=not ours\n")
    for action in ("enable", "disable"):
        done = cli(tmp_path, "autostart", action)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith(f"postured: {desktop}") and "Traceback" not in done.stderr
    done = cli(tmp_path, "autostart", "status")
    assert (done.returncode, done.stdout) == (1, f"not enabled: {desktop} was not written by postured\n")
    assert desktop.read_text() == "[Desktop Entry]\nName=not ours\n"


def test_an_unwritable_place_is_a_message_and_exit_1(tmp_path):
    (tmp_path / "cfg").write_text("a file where the config dir should be\n")
    done = cli(tmp_path, "autostart", "enable")
    assert done.returncode == 1 and "postured: autostart enable:" in done.stderr and "Traceback" not in done.stderr


def test_bad_usage_and_help(tmp_path):
    done = cli(tmp_path, "autostart", "on")
    assert done.returncode == 2 and "invalid choice: 'on'" in done.stderr
    done = cli(tmp_path, "autostart", "--help")
    assert done.returncode == 0 and "exit status: 0" in done.stdout and "not enabled" in done.stdout


def test_the_verb_stays_light(tmp_path):
    probe = ("import sys\nfrom postured.cli import main\ncode = main(['autostart', 'status'])\n"
             "heavy = {'pystray', 'plyer', 'apscheduler', 'gi', 'PIL', 'dbus', 'pydantic', 'watchdog'}\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), code)\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "[] 1", done.stderr


# -- the systemd user unit -------------------------------------------------------------

UNIT = REPO / "config" / "postured.service"


def test_the_systemd_unit_has_what_a_graphical_session_service_needs():
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(UNIT.read_text())
    assert unit["Service"]["ExecStart"] == "%h/.local/bin/postured run"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Unit"]["PartOf"] == unit["Unit"]["After"] == unit["Install"]["WantedBy"] == "graphical-session.target"
    comments = "\n".join(line for line in UNIT.read_text().splitlines() if line.startswith("#"))
    assert "systemctl --user enable --now postured.service" in comments and "~/.config/systemd/user/" in comments


def test_systemd_analyze_verifies_the_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is missing")
    (tmp_path / ".local" / "bin").mkdir(parents=True)
    (tmp_path / ".local" / "bin" / "postured").symlink_to(VENV_SCRIPT)  # where %h/.local/bin points
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(runtime)}
    done = subprocess.run(["systemd-analyze", "verify", "--user", str(UNIT)], env=env,
                          capture_output=True, text=True, timeout=60)
    # verify only warns (exit 0) about a misspelt value: any output is a failure here.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
