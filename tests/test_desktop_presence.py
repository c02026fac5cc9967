"""The whole daemon on the test desktop, for what the person does away from the tray:
answering from the notification's button, and a fullscreen window holding a break back.
"""

import json
import subprocess
import sys

import pytest
from daemon import ALL_DAY, Daemon
from desktop import Desktop, require_desktop, wait_until
from test_presence import TkWindow

require_desktop()


@pytest.fixture
def desktop(tmp_path):
    shown = Desktop(tmp_path / "desktop", tray=False)
    shown.start_window_manager()  # openbox: sets _NET_ACTIVE_WINDOW and fullscreen state
    yield shown
    shown.close()


def cli(daemon: Daemon, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "postured", "--config", str(daemon.config), *args],
                          env=daemon.env, capture_output=True, text=True, timeout=30)


def status(daemon: Daemon) -> dict:
    return json.loads(cli(daemon, "status", "--json").stdout)


def test_done_pressed_on_the_reminder_at_dunst_records_done(desktop, tmp_path):
    daemon = Daemon(tmp_path, desktop.env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("running with")
        assert cli(daemon, "break-now").returncode == 0
        reminders = lambda: [n for n in desktop.notifications() if n["summary"].startswith("Posture break:")]
        note = wait_until(reminders, "the reminder at dunst", 15)[-1]  # a safety note may come first
        line = desktop.press_action("Done", note["summary"])
        assert line.startswith("#Done (Posture break: ")
        daemon.wait_for_event("done")
        assert [(kind, source) for kind, _exercise, source in daemon.events()] == [
            ("shown", "cli"), ("done", "notification")]
        assert status(daemon)["state"] == "waiting"
        assert "no buttons on reminders" not in daemon.log  # dunst offers actions
    finally:
        daemon.stop()


def test_a_fullscreen_window_holds_a_due_break_until_it_closes(desktop, tmp_path):
    slides = TkWindow(desktop, "slides")
    try:
        slides.send("full")
        slides.activate()
        daemon = Daemon(tmp_path, desktop.env, ALL_DAY.format(interval="20s"), args=("run", "--no-tray"),
                        used_before=True)
        try:
            daemon.wait_for_log("away detection through x11")
            wait_until(lambda: status(daemon)["status"].startswith("Break held: a window is fullscreen"),
                       "the due break to be held back", 40)
            assert "shown" not in daemon.kinds() and desktop.notifications() == []
            assert status(daemon)["held_by"] == "fullscreen"
            slides.close()
            daemon.wait_for_event("shown", timeout=45)  # at the next look, within 30 s
            assert daemon.kinds() == ["held", "shown"]  # once, not a burst
            assert len(wait_until(desktop.notifications, "the reminder at dunst", 15)) == 1
        finally:
            daemon.stop()
    finally:
        slides.close()
