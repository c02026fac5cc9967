"""Stopping the real daemon on the real test desktop: the due reminder leaves dunst's
screen however the daemon stops (tray Quit, `postured quit`, a signal), and a burst of
signals stops it whenever it comes (start-up, idle, a break due, mid-shutdown)."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from daemon import ALL_DAY, Daemon
from desktop import Desktop, require_desktop, wait_until
from test_desktop import Tray

pytestmark = pytest.mark.desktop

require_desktop()

BURST = (signal.SIGTERM, signal.SIGTERM, signal.SIGINT)


@pytest.fixture
def desktop(tmp_path):
    shown = Desktop(tmp_path / "desktop")
    print(f"desktop artifacts: {shown.root}")
    yield shown
    shown.close()


def start(desktop: Desktop, root) -> Daemon:
    return Daemon(root, desktop.env, ALL_DAY.format(interval="1h"), extra_env={"PYSTRAY_BACKEND": "gtk"},
                  used_before=True)


def cli(daemon: Daemon, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([daemon.proc.args[0], "-m", "postured", "--config", str(daemon.config), *args],
                          env=daemon.env, capture_output=True, text=True, timeout=30)



def make_due(desktop: Desktop, daemon: Daemon) -> None:
    daemon.wait_for_log("tray icon ready")
    assert cli(daemon, "break-now").returncode == 0
    daemon.wait_for_event("shown")
    wait_until(lambda: desktop.displayed() == 1, "the reminder on dunst's screen")


@pytest.mark.parametrize("how", ["tray", "cli", "signal"])
def test_quitting_with_a_break_due_takes_the_reminder_off_the_screen(desktop, tmp_path, how):
    daemon = start(desktop, tmp_path)
    try:
        make_due(desktop, daemon)
        if how == "tray":
            Tray(desktop, daemon, "gtk").choose("due", "Quit")
        elif how == "cli":
            assert cli(daemon, "quit").returncode == 0
        else:
            os.kill(daemon.proc.pid, signal.SIGTERM)
        assert daemon.wait_exit(15) == 0, daemon.log
        # dunst removes it once the CloseNotification the daemon sent on its way out arrives
        wait_until(lambda: desktop.displayed() == 0, "the reminder to leave dunst's screen (still "
                   f"{desktop.displayed()} shown)", 10)
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()


def test_every_signal_burst_stops_the_daemon(desktop, tmp_path):
    """TERM, TERM, INT at 20 starts, four at each moment a burst can meet the daemon."""
    moments = ["spawned", "running", "tray ready", "break due", "stopping"] * 4
    outcomes = []
    for number, moment in enumerate(moments):
        daemon = start(desktop, tmp_path / f"start-{number}")
        try:
            if moment == "running":
                daemon.wait_for_log("running with")
            elif moment == "tray ready":
                daemon.wait_for_log("tray icon ready")
            elif moment == "break due":
                make_due(desktop, daemon)
            elif moment == "stopping":
                daemon.wait_for_log("tray icon ready")
                os.kill(daemon.proc.pid, signal.SIGTERM)
                # The icon goes when the GTK loop has quit: the rest of the burst meets the shutdown.
                wait_until(lambda: not desktop.tray_icons() or daemon.proc.poll() is not None,
                           "the icon to leave the tray", 10)
            for number_ in BURST if moment != "stopping" else BURST[1:]:
                if daemon.proc.poll() is not None:
                    break  # already stopped (and reaped) by the signals before: the rest meets nothing
                os.kill(daemon.proc.pid, number_)
            try:
                code = daemon.wait_exit(15)
            except subprocess.TimeoutExpired:
                code = "still running"
            outcomes.append((moment, code))
            if moment != "spawned":  # the handlers are in place: a clean stop, the reminder withdrawn
                assert code == 0, f"{moment}: exit {code}\n{daemon.log}"
                assert "postured: INFO: stopped" in daemon.log
                wait_until(lambda: desktop.displayed() == 0, "no reminder left on dunst's screen", 10)
            assert daemon.children() == []
        finally:
            daemon.stop()
        wait_until(lambda: not desktop.tray_icons(), "the tray to be empty before the next start", 10)
    print(outcomes)
    # Before Python has run a line of ours the kernel's default stops it (-15): still stopped.
    assert all(code in (0, -signal.SIGTERM) for _moment, code in outcomes), outcomes
