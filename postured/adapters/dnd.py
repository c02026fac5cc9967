"""The desktop's own do-not-disturb, from whichever notification server is running.

The server that owns ``org.freedesktop.Notifications`` says who it is
(``GetServerInformation``), and its do-not-disturb is read in its own way:

| server | do-not-disturb is on when | change signal |
|---|---|---|
| dunst | property ``paused`` of ``org.dunstproject.cmd0`` | PropertiesChanged |
| Plasma | property ``Inhibited`` of ``org.freedesktop.Notifications`` | PropertiesChanged |
| Xfce Notify Daemon | xfconf ``/do-not-disturb`` of channel ``xfce4-notifyd`` | xfconf PropertyChanged |
| gnome-shell | ``org.gnome.desktop.notifications show-banners`` is false | GSettings changed |
| mako | ``makoctl mode`` lists ``do-not-disturb`` | none |

``read()`` asks when a reminder falls due (and every 30 s while one is held): the truth
is always fresh. The watcher thread only listens to the change signals, so a held
reminder comes the moment do-not-disturb ends, not at the next look; it sleeps in one
GLib main loop on its own context meanwhile (no timer). Without a session bus, or a
server that does not answer, one line in the log says so and do-not-disturb holds nothing.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from collections.abc import Callable

from postured.core.holds import Hold
from postured.session_bus import session_bus_address

log = logging.getLogger("postured")

NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
DUNST = "org.dunstproject.cmd0"
XFCONF = ("org.xfce.Xfconf", "/org/xfce/Xfconf", "org.xfce.Xfconf")
XFCE_CHANNEL, XFCE_PROPERTY = "xfce4-notifyd", "/do-not-disturb"
GNOME_SCHEMA, GNOME_KEY = "org.gnome.desktop.notifications", "show-banners"
MAKO_MODE = "do-not-disturb"  # the mode name mako's documentation uses for it
DBUS_TIMEOUT_MS = 500  # a hung server must not hold up the reminder that asked
START_TIMEOUT = 5.0


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _connect(address: str):
    from gi.repository import Gio

    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


class DoNotDisturb:
    """A hold sensor for do-not-disturb, and the watcher that says when it changes."""

    name = "do-not-disturb"

    def __init__(self, on_change: Callable[[], None], environ=None, makoctl: str = "makoctl"):
        self._on_change = on_change
        environ = os.environ if environ is None else environ
        self._address = session_bus_address(environ)
        # GSettings is watched only on GNOME: elsewhere it may have no backend but memory.
        self._gnome_session = "GNOME" in environ.get("XDG_CURRENT_DESKTOP", "").upper()
        self._makoctl = makoctl
        self._connection = None  # for reads, on the engine's thread
        self._guard = threading.Lock()
        self._said: str | None = None  # the last problem logged, so each is one line
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._context = self._loop = None
        self._stopping = False
        self.watching = False

    # ------------------------------------------------------------ reading

    def read(self, wanted: frozenset[Hold]) -> frozenset[Hold]:
        if Hold.DO_NOT_DISTURB not in wanted or self._address is None:
            return frozenset()  # no session bus: start() has said so
        with self._guard:
            try:
                on = self._read()
            except Exception as exc:
                self._connection = None
                self._say(f"cannot tell whether do-not-disturb is on ({_one_line(exc)}); "
                          "it holds no reminders")
                return frozenset()
            self._said = None
            return frozenset({Hold.DO_NOT_DISTURB}) if on else frozenset()

    def _read(self) -> bool:
        server = self._server()
        if server == "dunst":
            return bool(self._property(*NOTIFICATIONS, DUNST, "paused"))
        if server == "Plasma":
            return bool(self._property(*NOTIFICATIONS, NOTIFICATIONS[0], "Inhibited"))
        if server == "Xfce Notify Daemon":
            return self._xfce()
        if server == "gnome-shell":
            return self._gnome()
        if server == "mako":
            return self._mako()
        if server is None:
            return False  # no notification server: nothing to disturb
        self._say(f"do-not-disturb of the notification server {server!r} is not known; it holds no reminders")
        return False

    def _call(self, name: str, path: str, interface: str, method: str, args=None):
        from gi.repository import Gio

        if self._address is None:
            raise ConnectionError("no session bus")
        if self._connection is None or self._connection.is_closed():
            self._connection = _connect(self._address)
        return self._connection.call_sync(name, path, interface, method, args, None,
                                          Gio.DBusCallFlags.NO_AUTO_START, DBUS_TIMEOUT_MS, None).unpack()

    def _server(self) -> str | None:
        from gi.repository import GLib

        (owned,) = self._call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                              "NameHasOwner", GLib.Variant("(s)", (NOTIFICATIONS[0],)))
        if not owned:
            return None
        return self._call(*NOTIFICATIONS, NOTIFICATIONS[0], "GetServerInformation")[0]

    def _property(self, name: str, path: str, interface: str, prop: str):
        from gi.repository import GLib

        return self._call(name, path, "org.freedesktop.DBus.Properties", "Get",
                          GLib.Variant("(ss)", (interface, prop)))[0]

    def _xfce(self) -> bool:
        from gi.repository import Gio, GLib

        try:
            (value,) = self._call(*XFCONF, "GetProperty", GLib.Variant("(ss)", (XFCE_CHANNEL, XFCE_PROPERTY)))
        except GLib.Error as exc:
            if Gio.DBusError.get_remote_error(exc) == "org.xfce.Xfconf.Error.PropertyNotFound":
                return False  # never switched on
            raise ConnectionError(f"xfconf does not answer: {_one_line(exc)}") from exc
        return bool(value)

    def _gnome(self) -> bool:
        from gi.repository import Gio

        source = Gio.SettingsSchemaSource.get_default()
        if source is None or source.lookup(GNOME_SCHEMA, True) is None:
            raise LookupError(f"the GSettings schema {GNOME_SCHEMA} is not installed")
        return not Gio.Settings.new(GNOME_SCHEMA).get_boolean(GNOME_KEY)

    def _mako(self) -> bool:
        done = subprocess.run([self._makoctl, "mode"], capture_output=True, text=True, timeout=3,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise OSError(f"makoctl mode: {done.stderr.strip() or done.returncode}")
        return MAKO_MODE in done.stdout.split()

    def _say(self, line: str) -> None:
        if line != self._said:
            self._said = line
            log.warning(line)

    # ------------------------------------------------------------ watching

    def start(self) -> bool:
        """Listen for changes on a background thread; returns whether it listens."""
        if self._thread is not None:
            return self.watching
        if self._address is None:
            log.info("cannot tell whether do-not-disturb is on: no session bus; it holds no reminders")
            return False
        self._thread = threading.Thread(target=self._run, name="dnd-watch", daemon=True)
        self._thread.start()
        self._ready.wait(START_TIMEOUT)
        return self.watching

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping = True
        if self._loop is not None:
            from gi.repository import GLib

            source = GLib.idle_source_new()  # quits the loop even if it has not started yet
            source.set_callback(lambda *_: self._loop.quit() or False)
            source.attach(self._context)
        thread.join(START_TIMEOUT)

    def _run(self) -> None:
        connection = None
        subscriptions: list[int] = []
        settings = None
        try:
            from gi.repository import Gio, GLib

            self._context = GLib.MainContext.new()
            self._context.push_thread_default()  # signals are delivered to this context
            connection = _connect(self._address)
            # dunst and Plasma: PropertiesChanged on the notification server's object.
            subscriptions.append(connection.signal_subscribe(
                None, "org.freedesktop.DBus.Properties", "PropertiesChanged", NOTIFICATIONS[1], None,
                Gio.DBusSignalFlags.NONE, self._on_properties))
            # Xfce: xfconf says when a property of a channel changes.
            subscriptions.append(connection.signal_subscribe(
                None, XFCONF[2], "PropertyChanged", XFCONF[1], XFCE_CHANNEL,
                Gio.DBusSignalFlags.NONE, self._on_xfconf))
            source = Gio.SettingsSchemaSource.get_default() if self._gnome_session else None
            if source is not None and source.lookup(GNOME_SCHEMA, True) is not None:
                settings = Gio.Settings.new(GNOME_SCHEMA)
                settings.connect(f"changed::{GNOME_KEY}", lambda *_: self._changed())
            self._loop = GLib.MainLoop.new(self._context, False)
            if self._stopping:
                return
            self.watching = True
            self._ready.set()
            self._loop.run()
        except Exception as exc:
            log.info("do-not-disturb is read only when a break is due: cannot watch it (%s)", _one_line(exc))
        finally:
            self.watching = False
            if connection is not None:
                for subscription in subscriptions:
                    connection.signal_unsubscribe(subscription)
                connection.close_sync(None)
            if self._context is not None:
                self._context.pop_thread_default()
            self._ready.set()

    def _on_properties(self, _connection, _sender, _path, _interface, _signal, parameters, *_) -> None:
        interface, changed, _invalidated = parameters.unpack()
        if (interface == DUNST and "paused" in changed) or (
                interface == NOTIFICATIONS[0] and "Inhibited" in changed):
            self._changed()

    def _on_xfconf(self, _connection, _sender, _path, _interface, _signal, parameters, *_) -> None:
        channel, prop, *_value = parameters.unpack()
        if (channel, prop) == (XFCE_CHANNEL, XFCE_PROPERTY):
            self._changed()

    def _changed(self) -> None:
        try:
            self._on_change()
        except Exception as exc:  # raised into GLib it would only print a traceback to stderr
            log.error("handling a change of do-not-disturb failed: %s: %s", type(exc).__name__, exc)
