"""Away and back, told by the Wayland compositor: no idle polling on Wayland.

A compositor that speaks ext-idle-notify-v1 (sway 1.8+, KWin 5.27+, Hyprland, labwc,
niri, Wayfire ...) makes a notification object with a timeout: ``idled`` once the seat
had no input for that long, ``resumed`` at the next input, then the timeout starts again.
Version 2's ``get_input_idle_notification`` ignores idle inhibitors, so a playing video
(which inhibits idle) does not count as someone at the keyboard; it is used where offered.
Older wlroots compositors (sway 1.7 in Debian 12) have only KDE's ``org_kde_kwin_idle``,
the same two events under other names; pywayland does not ship it, so its two small
interfaces are written out below (checked against Debian's idle.xml by the tests).

One thread blocks in select() on its own Wayland connection and a wake-up pipe, so nothing
runs while nothing happens. The compositor tells no idle time, only the crossing: away
counts from the ``idled`` event back by the threshold.

GNOME's Mutter offers neither protocol (its D-Bus IdleMonitor is in presence.py), and
XWayland's X11 idle time does not see Wayland input, so it is never used here.
"""

from __future__ import annotations

import functools
import logging
import os
import select
import threading
import time
from datetime import timedelta
from typing import Callable

from postured.core.presence import Presence

log = logging.getLogger("postured")

THREAD_NAME = "wayland-idle-watch"
EXT_IDLE, KDE_IDLE = "ext_idle_notifier_v1", "org_kde_kwin_idle"
_UINT32_MAX = 2**32 - 1


class Unavailable(Exception):
    """This compositor cannot tell idle time (the message says why)."""


def _nothing(*_args) -> None:
    pass


class WaylandIdleWatcher:
    """Also the presence sensor of the session: ``read()`` returns what the events told.

    ``watch(threshold, on_away, on_back)`` then ``start()``: on_away(idle) once input has
    stopped for the threshold, on_back() at the next input. Callbacks run on the watcher
    thread. ``lock``: anything with ``locked() -> bool`` (the session's screen saver).
    """

    watches = True  # tells app.py this sensor is its own idle watcher

    def __init__(self, display_name: str | None, protocol: str, lock=None):
        self._display_name = display_name
        self.protocol = protocol  # "ext-idle-notify-v1 (input only)", ... for the log line
        self.name = f"wayland {protocol}"
        self._lock_probe = lock
        self._threshold_ms = 1
        self._on_away: Callable[[timedelta], None] = _nothing
        self._on_back: Callable[[], None] = _nothing
        self._guard = threading.Lock()  # the thread, the pipe, the away state
        self._thread: threading.Thread | None = None
        self._wake_r: int | None = None
        self._wake_w: int | None = None
        self._stopping = False
        self._away_since: float | None = None  # monotonic time of the last input, while away

    @property
    def watching(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

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
        with self._guard:
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

    def start(self) -> bool:
        """True when watching; False, with one log line, when the compositor cannot tell."""
        with self._guard:
            if self.watching:
                return True
            try:
                connection = _Connection.open(self._display_name)
            except Unavailable as exc:
                log.warning("idle watch off: %s", exc)
                return False
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_w, False)
            self._stopping = False
            self._away_since = None
            self._thread = threading.Thread(target=self._run, args=(connection, self._wake_r),
                                            name=THREAD_NAME, daemon=True)
            self._thread.start()
            return True

    def set_threshold(self, threshold: timedelta) -> None:
        """While present: a new timer at once, which counts from now (the protocol's
        timers start at creation). While away: from the next absence."""
        self._threshold_ms = _milliseconds(threshold)
        self._wake()

    def stop(self) -> None:
        with self._guard:
            thread = self._thread
            self._stopping = True
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
            if thread.is_alive():
                log.warning("idle watch: the Wayland watcher thread did not stop within 10 s")

    def _wake(self) -> None:
        with self._guard:
            if self._wake_w is None:
                return
            try:
                os.write(self._wake_w, b"!")
            except BlockingIOError:  # full of wake-ups already
                pass

    def _run(self, connection: _Connection, wake_r: int) -> None:
        armed_ms = self._threshold_ms

        def idled() -> None:
            with self._guard:
                if self._away_since is not None:
                    return
                self._away_since = time.monotonic() - armed_ms / 1000
            self._call(self._on_away, timedelta(milliseconds=armed_ms))

        def resumed() -> None:
            nonlocal armed_ms
            with self._guard:
                if self._away_since is None:
                    return
                self._away_since = None
            if armed_ms != self._threshold_ms:  # changed while away
                armed_ms = self._threshold_ms
                connection.arm(armed_ms, idled, resumed)
            self._call(self._on_back)

        try:
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
                    with self._guard:
                        present = self._away_since is None
                    if not self._stopping and present and armed_ms != self._threshold_ms:
                        armed_ms = self._threshold_ms
                        connection.arm(armed_ms, idled, resumed)
        except Exception as exc:
            log.warning("idle watch stopped: %s", _one_line(exc))
        finally:
            connection.close()
            with self._guard:
                self._away_since = None
                os.close(wake_r)
                if self._wake_w is not None:
                    os.close(self._wake_w)
                self._wake_r = self._wake_w = None

    @staticmethod
    def _call(callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception as exc:
            name = getattr(callback, "__name__", repr(callback))
            log.warning("idle watch: %s failed: %s", name, _one_line(exc))


def make_wayland_sensor(display_name: str | None, lock=None) -> WaylandIdleWatcher:
    """The watcher of what this compositor offers; raises Unavailable saying why not."""
    return WaylandIdleWatcher(display_name, probe(display_name), lock)


def probe(display_name: str | None) -> str:
    """Which idle protocol the compositor offers, e.g. "ext-idle-notify-v1 (input only)";
    raises Unavailable when none (or no connection)."""
    connection = _Connection.open(display_name)
    try:
        return connection.describe()
    finally:
        connection.close()


class _Connection:
    """One Wayland connection with a seat and the best idle global (used by one thread)."""

    def __init__(self, display, seat, notifier, kind: str, version: int):
        self.display = display
        self.fileno = display.get_fd()
        self._seat = seat
        self._notifier = notifier
        self._kind = kind
        self._version = version
        self._timer = None

    @classmethod
    def open(cls, display_name: str | None) -> _Connection:
        try:
            from pywayland.client import Display
            from pywayland.protocol.wayland import WlSeat
        except Exception as exc:  # the wheel is missing or its libwayland will not load
            raise Unavailable(f"pywayland cannot be loaded ({_one_line(exc)})") from None
        shown = display_name or os.environ.get("WAYLAND_DISPLAY") or "wayland-0"
        display = Display(display_name)
        try:
            display.connect()
        except Exception as exc:
            raise Unavailable(f"cannot connect to Wayland display {shown!r} ({_one_line(exc)})") from None
        try:
            offered: dict[str, tuple[int, int]] = {}
            registry = display.get_registry()

            def announced(_registry, name: int, interface: str, version: int) -> None:
                offered.setdefault(interface, (name, version))  # a handler must return None

            registry.dispatcher["global"] = announced
            if display.roundtrip() < 0:
                raise Unavailable(f"the compositor on {shown!r} did not answer")
            if "wl_seat" not in offered:
                raise Unavailable(f"the compositor on {shown!r} has no seat")
            if EXT_IDLE in offered:
                from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1

                kind, interface = EXT_IDLE, ExtIdleNotifierV1
            elif KDE_IDLE in offered:
                kind, interface = KDE_IDLE, _kde_idle().OrgKdeKwinIdle
            else:
                raise Unavailable(f"the compositor on {shown!r} offers neither ext-idle-notify-v1 "
                                  "nor org_kde_kwin_idle")
            name, version = offered[kind]
            version = min(version, interface.version)
            seat = registry.bind(offered["wl_seat"][0], WlSeat, 1)
            notifier = registry.bind(name, interface, version)
            registry.destroy()  # local only: wl_registry has no destructor request
            return cls(display, seat, notifier, kind, version)
        except Unavailable:
            display.disconnect()
            raise
        except Exception as exc:
            display.disconnect()
            raise Unavailable(f"cannot use the idle protocol on {shown!r} ({_one_line(exc)})") from None

    def describe(self) -> str:
        if self._kind == KDE_IDLE:
            return "org_kde_kwin_idle"
        return "ext-idle-notify-v1 (input only)" if self._version >= 2 else "ext-idle-notify-v1"

    def arm(self, timeout_ms: int, on_idle: Callable[[], None], on_resumed: Callable[[], None]) -> None:
        """A fresh timer (the old one is dropped); its timeout counts from now."""
        self._drop_timer()
        timeout = min(timeout_ms, _UINT32_MAX)
        if self._kind == KDE_IDLE:
            timer = self._notifier.get_idle_timeout(self._seat, timeout)
            timer.dispatcher["idle"] = lambda _proxy: on_idle()
        elif self._version >= 2:  # input only: idle inhibitors (a playing video) do not count
            timer = self._notifier.get_input_idle_notification(timeout, self._seat)
            timer.dispatcher["idled"] = lambda _proxy: on_idle()
        else:
            timer = self._notifier.get_idle_notification(timeout, self._seat)
            timer.dispatcher["idled"] = lambda _proxy: on_idle()
        timer.dispatcher["resumed"] = lambda _proxy: on_resumed()
        self._timer = timer
        self.display.flush()

    def _drop_timer(self) -> None:
        if self._timer is not None and not self._timer.destroyed:
            self._timer.destroy()  # a destructor request: the compositor forgets it
        self._timer = None

    def close(self) -> None:
        try:
            self._drop_timer()
            self.display.flush()
            self.display.disconnect()  # destroys the proxies still alive, then the connection
        except Exception:  # already gone with the compositor
            pass


@functools.cache
def _kde_idle():
    """KDE's idle protocol for pywayland (see the module's docstring), built on first use.

    Opcodes are the order of declaration, as in idle.xml: get_idle_timeout(id, seat,
    timeout); the timer's requests release (destructor), simulate_user_activity; its
    events idle, resumed.
    """
    from types import SimpleNamespace

    from pywayland.protocol.wayland import WlSeat
    from pywayland.protocol_core import Argument, ArgumentType, Global, Interface, Proxy, Resource

    class OrgKdeKwinIdleTimeout(Interface):
        name = "org_kde_kwin_idle_timeout"
        version = 1

    class OrgKdeKwinIdle(Interface):
        name = "org_kde_kwin_idle"
        version = 1

    class TimeoutProxy(Proxy[OrgKdeKwinIdleTimeout]):
        interface = OrgKdeKwinIdleTimeout

        @OrgKdeKwinIdleTimeout.request()
        def release(self) -> None:
            self._marshal(0)
            self._destroy()

        @OrgKdeKwinIdleTimeout.request()
        def simulate_user_activity(self) -> None:
            self._marshal(1)

        destroy = release  # what Display.disconnect() and arm() call

    class TimeoutResource(Resource[OrgKdeKwinIdleTimeout]):
        # The events are declared on the resource side; clients dispatch them by name.
        interface = OrgKdeKwinIdleTimeout

        @OrgKdeKwinIdleTimeout.event()
        def idle(self) -> None:
            self._post_event(0)

        @OrgKdeKwinIdleTimeout.event()
        def resumed(self) -> None:
            self._post_event(1)

    class IdleProxy(Proxy[OrgKdeKwinIdle]):
        interface = OrgKdeKwinIdle

        @OrgKdeKwinIdle.request(
            Argument(ArgumentType.NewId, interface=OrgKdeKwinIdleTimeout),
            Argument(ArgumentType.Object, interface=WlSeat),
            Argument(ArgumentType.Uint),
        )
        def get_idle_timeout(self, seat, timeout: int):
            return self._marshal_constructor(0, OrgKdeKwinIdleTimeout, seat, timeout)

    class IdleResource(Resource[OrgKdeKwinIdle]):
        interface = OrgKdeKwinIdle

    class TimeoutGlobal(Global[OrgKdeKwinIdleTimeout]):
        interface = OrgKdeKwinIdleTimeout

    class IdleGlobal(Global[OrgKdeKwinIdle]):
        interface = OrgKdeKwinIdle

    for interface, proxy, resource, global_ in (
        (OrgKdeKwinIdleTimeout, TimeoutProxy, TimeoutResource, TimeoutGlobal),
        (OrgKdeKwinIdle, IdleProxy, IdleResource, IdleGlobal),
    ):
        interface._gen_c()
        interface.proxy_class = proxy
        interface.resource_class = resource
        interface.global_class = global_
    return SimpleNamespace(OrgKdeKwinIdle=OrgKdeKwinIdle, OrgKdeKwinIdleTimeout=OrgKdeKwinIdleTimeout)


def _milliseconds(threshold: timedelta) -> int:
    if not isinstance(threshold, timedelta) or threshold <= timedelta(0):
        raise ValueError(f"the idle threshold must be a positive timedelta, not {threshold!r}")
    return min(max(round(threshold / timedelta(milliseconds=1)), 1), _UINT32_MAX)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
