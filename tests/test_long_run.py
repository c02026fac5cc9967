"""The real daemon on the test desktop for minutes, a reminder every 2 s, answered each time.

Memory, file descriptors and threads must not grow. Marked slow; CI runs it.
"""

from __future__ import annotations

import os
import sys
import time

import pytest
from daemon import ALL_DAY, Daemon
from desktop import Desktop, missing_programs, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.desktop]
WARM_UP, MEASURED = 60.0, 120.0

if missing_programs() and not os.environ.get("CI"):
    pytest.skip("the test desktop needs: " + " ".join(missing_programs()), allow_module_level=True)


def footprint(pid: int) -> tuple[float, int, int]:
    with open(f"/proc/{pid}/status") as status:
        rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return rss_kb / 1024, len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task"))


def settled(pid: int) -> tuple[float, int, int]:
    """The footprint once short-lived worker threads (a notification, a client) are gone."""
    samples = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(samples) < 10:
        samples.append(footprint(pid))
        time.sleep(0.2)
    return max(s[0] for s in samples), min(s[1] for s in samples), min(s[2] for s in samples)


def test_hours_of_reminders_compressed_into_minutes(tmp_path):
    from postured import control

    desktop = Desktop(tmp_path / "desktop")
    daemon = Daemon(tmp_path, desktop.env, ALL_DAY.format(interval="2s"), extra_env={"PYSTRAY_BACKEND": "gtk"})
    where = control.endpoint(desktop.env)
    answers = ["done", "skip", "snooze", "done"]
    try:
        daemon.wait_for_log("tray icon ready")
        start = time.monotonic()
        baseline = None
        answered = 0
        while time.monotonic() - start < WARM_UP + MEASURED:
            if baseline is None and time.monotonic() - start > WARM_UP:
                baseline = settled(daemon.proc.pid)
            status = wait_until(lambda: (s := _status(where))["state"] == "due" and s, "a due reminder", 15)
            verb = answers[answered % len(answers)]
            request = control.request(verb, "2s" if verb == "snooze" else None)
            assert control.call(where, request)["ok"], status
            answered += 1
        end = settled(daemon.proc.pid)
        print(f"answered {answered}; RSS {baseline[0]:.1f} -> {end[0]:.1f} MB, "
              f"fds {baseline[1]} -> {end[1]}, threads {baseline[2]} -> {end[2]}", file=sys.stderr)
        assert answered > 50
        assert end[0] - baseline[0] < 2.0
        assert end[1] <= baseline[1] and end[2] <= baseline[2]
        assert len(desktop.notifications()) > 50
        assert daemon.proc.poll() is None and "Traceback" not in daemon.log
    finally:
        daemon.stop()
        desktop.close()


def _status(where) -> dict:
    from postured import control

    return control.call(where, control.request("status"))["status"]
