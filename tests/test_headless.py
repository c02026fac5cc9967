"""No display, no session bus: the daemon keeps reminding, with one clear line per problem."""

import os
import signal

from daemon import ALL_DAY, Daemon, private_env


def test_run_without_display_or_bus_keeps_reminding(tmp_path):
    env = private_env(tmp_path, notifier=None)  # plyer tries, and finds no bus
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1s"))
    try:
        daemon.wait_for_event("shown", count=3, timeout=30)
        assert daemon.proc.poll() is None
        assert "no display (DISPLAY is not set)" in daemon.log
        assert daemon.log.count("could not show a notification") == 1
        assert "Traceback" not in daemon.log
        os.killpg(daemon.proc.pid, signal.SIGTERM)
        assert daemon.wait_exit(10) == 0
    finally:
        daemon.stop()
