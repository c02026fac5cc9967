"""The clock-step watcher on the real kernel: its timerfd is cancelled by a real
clock_settime (the wall clock set to what it already reads, so no other program sees a
change); the clocks it reads then are handed in, as a step of five minutes back would read."""

from __future__ import annotations

import ctypes
import errno
import sys
import threading
from datetime import timedelta

import pytest
from desktop import wait_until

from postured.adapters.clock_watch import CLOCK_REALTIME, ClockWatcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timerfd is Linux's")


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def set_the_clock_to_now() -> None:
    """A real clock_settime, to the time it reads (microseconds back): the kernel tells every
    TFD_TIMER_CANCEL_ON_SET timer, as for any step."""
    libc = ctypes.CDLL(None, use_errno=True)
    now = _Timespec()
    libc.clock_gettime(CLOCK_REALTIME, ctypes.byref(now))
    if libc.clock_settime(CLOCK_REALTIME, ctypes.byref(now)) != 0:
        code = ctypes.get_errno()
        if code == errno.EPERM:
            pytest.skip("setting the clock needs CAP_SYS_TIME (root outside a restricted container)")
        raise OSError(code, "clock_settime")


class Clocks:
    """(wall, boot time) readings the watcher takes, one per arming, scripted."""

    def __init__(self, *readings: tuple[float, float]):
        self.readings = list(readings)
        self.taken = 0
        self.lock = threading.Lock()

    def __call__(self) -> tuple[float, float]:
        with self.lock:
            reading = self.readings[min(self.taken, len(self.readings) - 1)]
            self.taken += 1
            return reading


@pytest.fixture
def steps():
    return []


def test_the_clock_set_back_is_told_as_a_step(steps):
    # Armed at wall 10:00:00 (boot 500 s); at the cancel the wall reads 5 min less, boot 1 s more.
    clocks = Clocks((36000.0, 500.0), (35701.0, 501.0))
    watcher = ClockWatcher(steps.append, readings=clocks)
    assert watcher.start()
    try:
        set_the_clock_to_now()
        wait_until(lambda: steps, "the watcher to tell the step", 10)
        assert steps == [timedelta(minutes=-5)]
    finally:
        watcher.stop()


def test_a_resume_is_no_step_and_the_watcher_keeps_watching(steps):
    clocks = Clocks((100.0, 10.0), (1900.0, 1810.0),  # 30 min asleep: wall and boot time alike
                    (3700.0, 1811.0))  # then the clock set 30 min forward
    watcher = ClockWatcher(steps.append, readings=clocks)
    assert watcher.start()
    try:
        set_the_clock_to_now()
        wait_until(lambda: clocks.taken >= 2, "the watcher to take the cancel", 10)
        assert steps == []
        set_the_clock_to_now()
        wait_until(lambda: steps, "the second step", 10)
        assert steps == [timedelta(seconds=1799)]
    finally:
        watcher.stop()
    assert not any(t.name == "clock-watch" for t in threading.enumerate())


def test_the_engine_hears_of_the_step_through_the_app_wiring(steps):
    from postured import app
    from postured.core import machine

    class Engine:
        def __init__(self):
            self.commands = []

        def handle(self, command):
            self.commands.append(command)

    engine = Engine()
    watcher = app._clock_watcher(engine)
    watcher._readings = Clocks((0.0, 0.0), (-120.0, 0.0))
    assert watcher.start()
    try:
        set_the_clock_to_now()
        wait_until(lambda: engine.commands, "ClockStepped at the engine", 10)
        assert engine.commands == [machine.ClockStepped(timedelta(minutes=-2))]
    finally:
        watcher.stop()
