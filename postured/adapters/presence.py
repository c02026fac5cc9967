"""Is the person at the keyboard? Idle time, fullscreen and screen lock, per platform.

``make_presence_sensor`` picks one backend: ``POSTURED_PRESENCE`` first, then the
platform's own order, then a null sensor. A sensor's ``read()`` returns a ``Presence``, or
None when it cannot tell; it never raises, and logs one warning when it starts failing.
Libraries (python-xlib, Gio) are imported on the first read, so picking a sensor is cheap.

D-Bus goes through Gio, not dbus-python: the sleep watcher needs Gio anyway (signals on
its own main context), Gio gives every call a timeout, and a private connection made from
an address never takes the process down when the bus goes away.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Protocol

from postured.core.presence import Presence
from postured.watch_thread import one_line
from postured.session_bus import session_bus_address

log = logging.getLogger("postured")

BACKENDS = ("x11", "gnome", "wayland", "windows", "macos", "null")
MUTTER_IDLE = ("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
               "org.gnome.Mutter.IdleMonitor")
DBUS_TIMEOUT_MS = 500  # a hung service must not hold up the reminder that asked


class PresenceSensor(Protocol):
    name: str

    def read(self) -> Presence | None: ...


class Unavailable(Exception):
    """This backend can never work here (not: failed this time)."""


class NullSensor:
    """Cannot tell: every reminder comes as scheduled."""

    name = "null"

    def read(self) -> Presence | None:
        return None


class _Sensor:
    """read() never raises: a failure is logged once (until a read works again) and reads as None."""

    name = ""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._failing = False
        self._gone = False

    def read(self) -> Presence | None:
        with self._guard:
            if self._gone:
                return None
            try:
                presence = self._read()
            except Exception as exc:
                self._forget()
                self._gone = isinstance(exc, Unavailable)
                if not self._failing:
                    self._failing = True
                    log.warning("cannot tell whether you are at the keyboard (%s: %s); "
                                "breaks come as scheduled", self.name, one_line(exc))
                return None
            if self._failing:
                self._failing = False
                log.info("presence readable again through %s", self.name)
            return presence

    def _read(self) -> Presence:
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop a connection that failed, so the next read makes a fresh one."""



# ---------------------------------------------------------------- D-Bus

class DBus:
    """One private Gio connection to a bus, made on first use and remade after it closes."""

    def __init__(self, address: str | None):
        self.address = address
        self._connection = None

    def call(self, name: str, path: str, interface: str, method: str, args=None) -> tuple:
        from gi.repository import Gio

        reply = self._connect().call_sync(name, path, interface, method, args, None,
                                          Gio.DBusCallFlags.NO_AUTO_START, DBUS_TIMEOUT_MS, None)
        return reply.unpack()

    def has_owner(self, name: str) -> bool:
        from gi.repository import GLib

        try:
            return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                             "NameHasOwner", GLib.Variant("(s)", (name,)))[0]
        except Exception:
            return False

    def _connect(self):
        from gi.repository import Gio

        if self.address is None:
            raise ConnectionError("no session bus")
        if self._connection is None or self._connection.is_closed():
            flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                     | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
            self._connection = Gio.DBusConnection.new_for_address_sync(self.address, flags, None, None)
        return self._connection


def system_bus_address(environ) -> str:
    return environ.get("DBUS_SYSTEM_BUS_ADDRESS") or "unix:path=/run/dbus/system_bus_socket"


class LockProbe:
    """Is the screen locked? Asks the screen saver on the session bus, then logind.

    The first source that answers is asked alone from then on; when none answers the
    screen counts as unlocked (idle time still grows while it is locked).
    """

    def __init__(self, session: DBus, system: DBus):
        def screen_saver(name: str, path: str):
            return lambda: session.call(name, path, name, "GetActive")[0]

        def logind() -> bool:
            from gi.repository import GLib

            # "auto": the caller's session, or the user's graphical one for a service.
            return system.call("org.freedesktop.login1", "/org/freedesktop/login1/session/auto",
                               "org.freedesktop.DBus.Properties", "Get",
                               GLib.Variant("(ss)", ("org.freedesktop.login1.Session", "LockedHint")))[0]

        self._sources = {
            "org.gnome.ScreenSaver": screen_saver("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
            "org.freedesktop.ScreenSaver": screen_saver("org.freedesktop.ScreenSaver",
                                                        "/org/freedesktop/ScreenSaver"),
            "logind LockedHint": logind,
        }
        self._answering: str | None = None
        self._said_none = False

    def locked(self) -> bool:
        if self._answering is not None:
            try:
                return bool(self._sources[self._answering]())
            except Exception as exc:
                log.debug("screen lock: %s stopped answering: %s", self._answering, one_line(exc))
                self._answering = None
        for name, ask in self._sources.items():
            try:
                locked = bool(ask())
            except Exception as exc:
                log.debug("screen lock: no answer from %s: %s", name, one_line(exc))
                continue
            self._answering = name
            return locked
        if not self._said_none:
            self._said_none = True
            log.info("no screen-lock service answers; a locked screen counts as away through idle time only")
        return False


# ---------------------------------------------------------------- backends

class X11Sensor(_Sensor):
    """Idle from the MIT-SCREEN-SAVER extension; fullscreen from the EWMH properties."""

    name = "x11"

    def __init__(self, display_name: str | None = None, lock: LockProbe | None = None):
        super().__init__()
        self._display_name = display_name
        self._lock = lock
        self._display = None

    def _read(self) -> Presence:
        display = self._connect()
        root = display.screen().root
        idle_ms = root.screensaver_query_info().idle
        fullscreen = self._fullscreen(display, root)
        while display.pending_events():  # events every client gets (MappingNotify) would pile up
            display.next_event()
        return Presence(idle=timedelta(milliseconds=idle_ms), fullscreen=fullscreen,
                        locked=self._lock.locked() if self._lock else False)

    def _connect(self):
        if self._display is None:
            from Xlib import display as xdisplay

            shown = xdisplay.Display(self._display_name)
            if not shown.has_extension("MIT-SCREEN-SAVER"):
                shown.close()
                raise Unavailable("the X server has no MIT-SCREEN-SAVER extension")
            self._atoms = {name: shown.intern_atom(name) for name in
                           ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN")}
            self._display = shown
        return self._display

    def _fullscreen(self, display, root) -> bool:
        from Xlib import X, Xatom, error

        active = root.get_full_property(self._atoms["_NET_ACTIVE_WINDOW"], Xatom.WINDOW)
        if not active or not len(active.value) or active.value[0] == X.NONE:
            return False  # no window manager, or nothing focused
        window = display.create_resource_object("window", active.value[0])
        try:
            state = window.get_full_property(self._atoms["_NET_WM_STATE"], Xatom.ATOM)
        except error.BadWindow:  # closed since the window manager named it
            return False
        return bool(state) and self._atoms["_NET_WM_STATE_FULLSCREEN"] in state.value

    def _forget(self) -> None:
        if self._display is not None:
            try:
                self._display.close()
            except Exception:
                pass
            self._display = None


class GnomeSensor(_Sensor):
    """GNOME on Wayland: Mutter's idle monitor. Whether a window is fullscreen stays unknown."""

    name = "gnome"

    def __init__(self, session: DBus, lock: LockProbe | None = None):
        super().__init__()
        self._session = session
        self._lock = lock

    def _read(self) -> Presence:
        (idle_ms,) = self._session.call(*MUTTER_IDLE, "GetIdletime")
        return Presence(idle=timedelta(milliseconds=idle_ms),
                        locked=self._lock.locked() if self._lock else False)


def ticks_between(earlier: int, later: int) -> int:
    """Milliseconds between two GetTickCount values; the 32-bit counter wraps every 49.7 days."""
    return (later - earlier) & 0xFFFFFFFF


class WindowsSensor(_Sensor):
    name = "windows"

    def _read(self) -> Presence:
        import ctypes
        from ctypes import wintypes

        class LASTINPUTINFO(ctypes.Structure):
            _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

        info = LASTINPUTINFO(ctypes.sizeof(LASTINPUTINFO), 0)
        if not ctypes.windll.user32.GetLastInputInfo(ctypes.byref(info)):
            raise OSError("GetLastInputInfo failed")
        get_tick_count = ctypes.windll.kernel32.GetTickCount
        get_tick_count.restype = wintypes.DWORD
        return Presence(idle=timedelta(milliseconds=ticks_between(info.dwTime, get_tick_count())))


def parse_hid_idle(ioreg_output: str) -> timedelta | None:
    """HIDIdleTime (nanoseconds) from ``ioreg -c IOHIDSystem`` output; None if absent."""
    match = re.search(r'"HIDIdleTime"\s*=\s*(\d+)', ioreg_output)
    return timedelta(microseconds=int(match.group(1)) // 1000) if match else None


class MacSensor(_Sensor):
    name = "macos"

    def _read(self) -> Presence:
        done = subprocess.run(["ioreg", "-c", "IOHIDSystem", "-d", "4"],
                              capture_output=True, text=True, timeout=5, check=True)
        idle = parse_hid_idle(done.stdout)
        if idle is None:
            raise ValueError("ioreg printed no HIDIdleTime")
        return Presence(idle=idle)


# ---------------------------------------------------------------- picking one

def make_presence_sensor(environ=os.environ, platform: str = sys.platform, wayland=None) -> PresenceSensor:
    """POSTURED_PRESENCE (x11|gnome|wayland|windows|macos|null) if set, else the platform's
    order, else null.

    ``wayland(display_name, lock)``: the sensor of the compositor's idle protocol
    (postured/adapters/wayland_idle.py, passed in by app.py), raising with the reason
    when the compositor has none.
    """
    wanted = environ.get("POSTURED_PRESENCE", "").strip().lower()
    if wanted:
        if wanted not in BACKENDS:
            log.warning("POSTURED_PRESENCE=%s is not one of %s; not watching presence",
                        wanted, ", ".join(BACKENDS))
            return NullSensor()
        try:
            return _build(wanted, environ, wayland=wayland)
        except Exception as exc:
            log.warning("POSTURED_PRESENCE=%s cannot work here (%s); not watching presence",
                        wanted, one_line(exc))
            return NullSensor()
    try:
        sensor = _pick(environ, platform, wayland)
    except Exception as exc:  # e.g. PyGObject missing: presence is a nicety, never a crash
        log.warning("cannot watch presence: %s", one_line(exc))
        sensor = None
    if sensor is None:
        return NullSensor()
    return sensor


def _pick(environ, platform: str, wayland=None) -> PresenceSensor | None:
    if platform == "win32":
        return WindowsSensor()
    if platform == "darwin":
        return MacSensor()
    if environ.get("WAYLAND_DISPLAY"):
        session = _session_bus(environ)
        if session.has_owner(MUTTER_IDLE[0]):
            return _build("gnome", environ, session)
        # Never XWayland's X11 idle time: it sees only X clients' input, so it would grow
        # while you type into Wayland windows.
        if wayland is None:
            reason = "no Wayland idle watcher given"
        else:
            try:
                return _build("wayland", environ, session, wayland)
            except Exception as exc:
                reason = str(exc) or type(exc).__name__
        log.info("no idle-time source under this Wayland compositor: %s, and GNOME's "
                 "org.gnome.Mutter.IdleMonitor is not on the session bus; breaks come as scheduled",
                 reason)
        return None
    if environ.get("DISPLAY"):
        return _build("x11", environ)
    log.info("no display to watch for idle time; breaks come as scheduled")
    return None


def _build(name: str, environ, session: DBus | None = None, wayland=None) -> PresenceSensor:
    if name in ("x11", "gnome", "wayland"):
        session = session or _session_bus(environ)
        lock = LockProbe(session, DBus(system_bus_address(environ)))
        if name == "x11":
            return X11Sensor(environ.get("DISPLAY"), lock)
        if name == "wayland":
            if wayland is None:
                raise Unavailable("no Wayland idle watcher given")
            return wayland(environ.get("WAYLAND_DISPLAY"), lock)
        return GnomeSensor(session, lock)
    return {"windows": WindowsSensor, "macos": MacSensor, "null": NullSensor}[name]()


def _session_bus(environ) -> DBus:
    return DBus(session_bus_address(environ))
