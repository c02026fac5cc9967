"""Away and back, told by the Wayland compositor: no idle polling on Wayland.

A compositor that speaks ext-idle-notify-v1 (sway 1.8+, KWin 5.27+, Hyprland, labwc,
niri, Wayfire ...) makes a notification object with a timeout: ``idled`` once the seat
had no input for that long, ``resumed`` at the next input, then the timeout starts again.
Version 2's ``get_input_idle_notification`` ignores idle inhibitors, so a playing video
(which inhibits idle) does not count as someone at the keyboard; it is used where offered.
Older wlroots compositors (sway 1.7 in Debian 12) have only KDE's ``org_kde_kwin_idle``,
the same two events under other names (connection.py holds the Wayland side).

One thread blocks in select() on its own Wayland connection and a wake-up pipe, so nothing
runs while nothing happens. The compositor tells no idle time, only the crossing: away
counts from the ``idled`` event back by the threshold.

GNOME's Mutter offers neither protocol (its D-Bus IdleMonitor is in presence.py), and
XWayland's X11 idle time does not see Wayland input, so it is never used here.
"""

from __future__ import annotations

import logging
import os
import select
import time
from datetime import timedelta
from typing import Callable

from postured.core.presence import Presence
from postured.watch_thread import WakeableWatcher

from .connection import UINT32_MAX, Connection, Unavailable

log = logging.getLogger("postured")

THREAD_NAME = "wayland-idle-watch"
__all__ = ["THREAD_NAME", "Unavailable", "WaylandIdleWatcher", "make_wayland_sensor", "probe"]


def _nothing(*_args) -> None:
    pass


class WaylandIdleWatcher(WakeableWatcher):
    """Also the presence sensor of the session: ``read()`` returns what the events told.

    ``watch(threshold, on_away, on_back)`` then ``start()``: on_away(idle) once input has
    stopped for the threshold, on_back() at the next input. Callbacks run on the watcher
    thread. ``lock``: anything with ``locked() -> bool`` (the session's screen saver).
    """

    watches = True  # tells app.py this sensor is its own idle watcher

    thread_name = THREAD_NAME
    unavailable = Unavailable

    def __init__(self, display_name: str | None, protocol: str, lock=None):
        super().__init__()  # its lock also guards the away state
        self._display_name = display_name
        self.protocol = protocol  # "ext-idle-notify-v1 (input only)", ... for the log line
        self.name = f"wayland {protocol}"
        self._lock_probe = lock
        self._threshold_ms = 1
        self._on_away: Callable[[timedelta], None] = _nothing
        self._on_back: Callable[[], None] = _nothing
        self._away_since: float | None = None  # monotonic time of the last input, while away

    def watch(self, threshold: timedelta, on_away: Callable[[timedelta], None],
              on_back: Callable[[], None]) -> None:
        self._threshold_ms = _milliseconds(threshold)
        self._on_away, self._on_back = on_away, on_back

    # ------------------------------------------------------------ the sensor

    def read(self) -> Presence | None:
        """Idle 0 while present (the compositor tells no more), the time since the last
        input while away; None when not watching (cannot tell)."""
        if not self.watching:
            return None
        with self._lock:
            since = self._away_since
        idle = timedelta(0) if since is None else timedelta(seconds=max(time.monotonic() - since, 0))
        locked = False
        if self._lock_probe is not None:
            try:
                locked = bool(self._lock_probe.locked())
            except Exception:
                locked = False
        return Presence(idle=idle, locked=locked)

    # ------------------------------------------------------------ the watcher

    def _open(self) -> Connection:
        return Connection.open(self._display_name)

    def _reset(self) -> None:
        self._away_since = None

    def set_threshold(self, threshold: timedelta) -> None:
        """While present: a new timer at once, which counts from now (the protocol's
        timers start at creation). While away: from the next absence."""
        self._threshold_ms = _milliseconds(threshold)
        self._wake()

    def _watch(self, connection: Connection, wake_r: int) -> None:
        armed_ms = self._threshold_ms

        def idled() -> None:
            with self._lock:
                if self._away_since is not None:
                    return
                self._away_since = time.monotonic() - armed_ms / 1000
            self._call(self._on_away, timedelta(milliseconds=armed_ms))

        def resumed() -> None:
            nonlocal armed_ms
            with self._lock:
                if self._away_since is None:
                    return
                self._away_since = None
            if armed_ms != self._threshold_ms:  # changed while away
                armed_ms = self._threshold_ms
                connection.arm(armed_ms, idled, resumed)
            self._call(self._on_back)

        connection.arm(armed_ms, idled, resumed)
        display = connection.display
        while not self._stopping:
            display.dispatch(block=False)  # runs idled/resumed for events already read
            display.flush()
            readable, _, _ = select.select([connection.fileno, wake_r], [], [])
            if connection.fileno in readable:
                display.read()  # raises when the compositor is gone
            if wake_r in readable:
                os.read(wake_r, 4096)
                with self._lock:
                    present = self._away_since is None
                if not self._stopping and present and armed_ms != self._threshold_ms:
                    armed_ms = self._threshold_ms
                    connection.arm(armed_ms, idled, resumed)


def make_wayland_sensor(display_name: str | None, lock=None) -> WaylandIdleWatcher:
    """The watcher of what this compositor offers; raises Unavailable saying why not."""
    return WaylandIdleWatcher(display_name, probe(display_name), lock)


def probe(display_name: str | None) -> str:
    """Which idle protocol the compositor offers, e.g. "ext-idle-notify-v1 (input only)";
    raises Unavailable when none (or no connection)."""
    connection = Connection.open(display_name)
    try:
        return connection.describe()
    finally:
        connection.close()


def _milliseconds(threshold: timedelta) -> int:
    if not isinstance(threshold, timedelta) or threshold <= timedelta(0):
        raise ValueError(f"the idle threshold must be a positive timedelta, not {threshold!r}")
    return min(max(round(threshold / timedelta(milliseconds=1)), 1), UINT32_MAX)
