"""The desktop's do-not-disturb holds a due reminder: real dunst, real xfce4-notifyd + xfconfd.

Each runs on the test desktop's private bus (tests/desktop.py); the switch is flipped the
way a person's panel does it (``dunstctl set-paused``, ``xfconf-query``), and the change
signal must reach the watcher.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import subprocess
import sys

import pytest
from daemon import ALL_DAY, Daemon
from desktop import Desktop, require_desktop, wait_until

from postured.adapters.dnd import DoNotDisturb
from postured.core.holds import SENSED, Hold

require_desktop()

DND = frozenset({Hold.DO_NOT_DISTURB})


class Changes:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1


def run(desktop: Desktop, *argv: str) -> None:
    subprocess.run(argv, env=desktop.env, check=True, capture_output=True, timeout=10)


@pytest.fixture
def dunst(tmp_path):
    desktop = Desktop(tmp_path / "desktop", tray=False)
    yield desktop
    desktop.close()


def test_dunst_paused_is_do_not_disturb_and_its_signal_is_heard(dunst):
    changes = Changes()
    watcher = DoNotDisturb(changes, environ=dunst.env)
    try:
        assert watcher.start() is True
        assert watcher.read(SENSED) == set()
        run(dunst, "dunstctl", "set-paused", "true")
        wait_until(lambda: changes.count == 1, "the PropertiesChanged of paused")
        assert watcher.read(SENSED) == DND
        assert watcher.read(SENSED - DND) == set()  # switched off: not asked
        run(dunst, "dunstctl", "set-paused", "false")
        wait_until(lambda: changes.count == 2, "the PropertiesChanged of paused")
        assert watcher.read(SENSED) == set()
    finally:
        watcher.stop()


def xfce_program(name: str) -> str:
    found = glob.glob(f"/usr/lib/*/xfce4/{name}") + glob.glob(f"/usr/lib/xfce4/{name}")
    if not found:
        message = f"the Xfce do-not-disturb test needs {name} (Debian: xfce4-notifyd xfconf)"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run it, not skip it)", pytrace=False)
        pytest.skip(message)
    return found[0]


def test_xfce_notifyd_do_not_disturb_through_xfconf(tmp_path, caplog):
    xfconfd, notifyd = xfce_program("xfconf/xfconfd"), xfce_program("notifyd/xfce4-notifyd")
    desktop = Desktop(tmp_path / "desktop", tray=False, notifications=False)
    changes = Changes()
    watcher = DoNotDisturb(changes, environ=desktop.env)
    try:
        desktop._spawn("xfconfd", [xfconfd])
        desktop._spawn("xfce4-notifyd", [notifyd])
        wait_until(lambda: desktop.has_bus_name("org.freedesktop.Notifications")
                   and desktop.has_bus_name("org.xfce.Xfconf"), "xfce4-notifyd and xfconfd on the bus")
        assert watcher.start() is True
        assert watcher.read(SENSED) == set()  # never switched on: the property does not exist yet
        query = ("xfconf-query", "-c", "xfce4-notifyd", "-p", "/do-not-disturb")
        run(desktop, *query, "-n", "-t", "bool", "-s", "true")
        wait_until(lambda: changes.count == 1, "xfconf's PropertyChanged")
        assert watcher.read(SENSED) == DND
        run(desktop, *query, "-s", "false")
        wait_until(lambda: changes.count == 2, "xfconf's PropertyChanged")
        assert watcher.read(SENSED) == set()
        desktop.stop("xfconfd")  # the settings daemon gone: one line, nothing held, no crash
        with caplog.at_level(logging.INFO, logger="postured"):
            assert [watcher.read(SENSED), watcher.read(SENSED)] == [set(), set()]
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 1 and lines[0].startswith(
            "cannot tell whether do-not-disturb is on (xfconf does not answer: "), lines
    finally:
        watcher.stop()
        desktop.close()


def test_without_a_session_bus_one_line_each_and_nothing_held(caplog):
    watcher = DoNotDisturb(lambda: None, environ={})
    with caplog.at_level(logging.INFO, logger="postured"):
        assert watcher.start() is False
        assert [watcher.read(SENSED), watcher.read(SENSED)] == [set(), set()]
    assert [r.getMessage() for r in caplog.records] == [
        "cannot tell whether do-not-disturb is on: no session bus; it holds no reminders"]


def test_the_daemon_holds_the_break_while_dunst_is_paused_and_brings_it_when_unpaused(dunst, tmp_path):
    run(dunst, "dunstctl", "set-paused", "true")
    daemon = Daemon(tmp_path / "daemon", dunst.env, ALL_DAY.format(interval="20s"), args=("run", "--no-tray"),
                    extra_env={"POSTURED_NOTIFIER": ""}, used_before=True)
    try:
        def status() -> dict:
            done = subprocess.run([sys.executable, "-m", "postured", "--config", str(daemon.config),
                                   "status", "--json"], env=daemon.env, capture_output=True, text=True, timeout=30)
            return json.loads(done.stdout) if done.returncode == 0 else {}

        wait_until(lambda: status().get("held_by") == "do_not_disturb", "the due break to be held", 40)
        assert status()["status"].startswith("Break held: do not disturb is on — ")
        run(dunst, "dunstctl", "set-paused", "false")
        daemon.wait_for_event("shown", timeout=15)
        assert daemon.kinds() == ["held", "shown"]
        # The signal brought it (a HoldsChanged command), not the next 30-second look.
        assert "holdschanged: Break due: " in daemon.log
        assert len(wait_until(dunst.notifications, "the reminder at dunst", 15)) == 1
        # No PipeWire on this desktop: one line says so, and the daemon goes on.
        assert daemon.log.count("cannot tell calls or screen sharing: no PipeWire (") == 1
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
