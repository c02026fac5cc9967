"""No display, no session bus: the daemon keeps reminding, with one clear line per problem."""

import os
import signal

from daemon import ALL_DAY, Daemon


def test_run_without_display_or_bus_keeps_reminding(tmp_path):
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "TZ": "UTC",
           "XDG_RUNTIME_DIR": str(runtime), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
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
