"""Wall-clock steps (the clock set back or forward), as the Linux kernel reports them.

A timerfd on CLOCK_REALTIME armed with TFD_TIMER_CANCEL_ON_SET is cancelled whenever the
clock is set (its read fails with ECANCELED): one daemon thread waits in select() on it,
so nothing polls. The step is told apart from a suspend by the other clocks:
CLOCK_BOOTTIME counts a suspend, the wall clock counts a suspend and a step, so the step
is (wall moved) - (boot time moved) since the timer was armed. A resume cancels the timer
too; it then measures no step, and logind or the late alarm tell the sleep.

Elsewhere (not Linux, no timerfd) ``start`` returns False and says so in one line.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta

log = logging.getLogger("postured")

CLOCK_REALTIME = 0
TFD_CLOEXEC = 0o2000000
TFD_TIMER_ABSTIME = 1
TFD_TIMER_CANCEL_ON_SET = 2
FAR_AHEAD = 10 * 365 * 86400  # seconds: the timer is only ever cancelled, never meant to expire
SMALLEST_STEP = timedelta(seconds=1)  # below this, a step changes nothing a person would see


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


def clock_readings() -> tuple[float, float]:
    """(wall clock, boot time) in seconds, read back to back."""
    return time.clock_gettime(time.CLOCK_REALTIME), time.clock_gettime(time.CLOCK_BOOTTIME)


class ClockWatcher:
    def __init__(self, on_step: Callable[[timedelta], None],
                 readings: Callable[[], tuple[float, float]] = clock_readings,
                 smallest: timedelta = SMALLEST_STEP):
        """``on_step(step)`` runs on the watcher's thread for every step of ``smallest`` or more.
        ``readings`` is the clocks' source (tests pass their own)."""
        self._on_step = on_step
        self._readings = readings
        self._smallest = smallest
        self._fd = -1
        self._wake_r = self._wake_w = -1
        self._thread: threading.Thread | None = None
        self._baseline = (0.0, 0.0)

    def start(self) -> bool:
        """Watch on a daemon thread; False (one log line) where the kernel cannot tell."""
        if not sys.platform.startswith("linux"):
            log.info("clock changes are not watched on %s; a late alarm starts a fresh interval", sys.platform)
            return False
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            self._settime = libc.timerfd_settime
            self._fd = libc.timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC)
            if self._fd < 0:
                raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            self._arm()
        except (OSError, AttributeError) as exc:
            log.info("clock changes are not watched (timerfd: %s)", exc)
            self._close()
            return False
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="clock-watch", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            os.write(self._wake_w, b"x")
            thread.join(5)
        self._close()

    def _arm(self) -> None:
        self._baseline = self._readings()
        spec = _Itimerspec()
        spec.it_value.tv_sec = int(time.time()) + FAR_AHEAD
        if self._settime(self._fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, ctypes.byref(spec), None) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))

    def _run(self) -> None:
        while True:
            ready, _, _ = select.select([self._fd, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                os.read(self._fd, 8)
                continue  # expired ten years on: nothing to tell
            except OSError as exc:
                if exc.errno != errno.ECANCELED:
                    log.info("clock changes are no longer watched (timerfd: %s)", exc.strerror)
                    return
            before = self._baseline
            try:
                self._arm()
            except OSError as exc:
                log.info("clock changes are no longer watched (timerfd: %s)", exc.strerror)
                return
            wall, boot = self._baseline
            step = timedelta(seconds=(wall - before[0]) - (boot - before[1]))
            if abs(step) >= self._smallest:
                log.info("the clock was set %s by %s", "back" if step < timedelta(0) else "forward", abs(step))
                try:
                    self._on_step(step)
                except Exception as exc:  # the watcher must outlive a failing handler
                    log.warning("handling the clock change failed: %s: %s", type(exc).__name__, exc)

    def _close(self) -> None:
        for fd in (self._fd, self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._fd = self._wake_r = self._wake_w = -1
