"""Suspend and resume, from logind's PrepareForSleep signal on the system bus.

Event-driven: one daemon thread runs a GLib main loop on its own main context, so it
neither polls nor depends on the tray running GTK's loop on the main thread. Without a
system bus or logind it logs one line and watches nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger("postured")

LOGIND = "org.freedesktop.login1"
MANAGER = "org.freedesktop.login1.Manager"
MANAGER_PATH = "/org/freedesktop/login1"
SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket"
START_TIMEOUT = 5.0  # seconds start() waits for the subscription


class SleepWatcher:
    def __init__(self, on_sleep: Callable[[], None], on_wake: Callable[[], None],
                 bus_address: str | None = None):
        """``bus_address`` defaults to $DBUS_SYSTEM_BUS_ADDRESS, else the standard system socket."""
        self._on_sleep = on_sleep
        self._on_wake = on_wake
        self._bus_address = bus_address
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._context = None
        self._loop = None
        self._stopping = False
        self.watching = False  # True once subscribed to PrepareForSleep

    def start(self) -> bool:
        """Subscribe on a background thread; returns whether suspend and resume are watched."""
        if self._thread is not None:
            return self.watching
        self._thread = threading.Thread(target=self._run, name="sleep-watch", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            log.info("the system bus has not answered in %.0f s; suspend and resume are watched "
                     "only once it does", START_TIMEOUT)
        return self.watching

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping = True  # checked by the thread after it made its loop, before running it
        if self._loop is not None:
            from gi.repository import GLib

            # An idle source on the watcher's own context: quits the loop even if it has not
            # started running yet.
            source = GLib.idle_source_new()
            source.set_callback(lambda *_: self._loop.quit() or False)
            source.attach(self._context)
        thread.join(START_TIMEOUT)

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        connection = subscription = None
        try:
            from gi.repository import Gio, GLib

            self._context = GLib.MainContext.new()
            self._context.push_thread_default()  # signals are delivered to this context
            address = self._bus_address or os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") or SYSTEM_BUS
            flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                     | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
            connection = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
            subscription = connection.signal_subscribe(
                LOGIND, MANAGER, "PrepareForSleep", MANAGER_PATH, None, Gio.DBusSignalFlags.NONE,
                self._on_signal)
            # Asked after subscribing: the reply also means the subscription is in place.
            (owned,) = connection.call_sync(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                GLib.Variant("(s)", (LOGIND,)), None, Gio.DBusCallFlags.NONE, 2000, None).unpack()
            if not owned:
                log.info("not watching for suspend and resume: no logind on the system bus")
                return
            self._loop = GLib.MainLoop.new(self._context, False)
            if self._stopping:
                return
            self.watching = True
            log.debug("watching logind for suspend and resume")
            self._ready.set()
            self._loop.run()
        except Exception as exc:
            text = str(exc).strip().splitlines()
            log.info("not watching for suspend and resume: no system bus (%s)",
                     text[0] if text else type(exc).__name__)
        finally:
            self.watching = False
            if connection is not None:
                if subscription is not None:
                    connection.signal_unsubscribe(subscription)
                connection.close_sync(None)
            if self._context is not None:
                self._context.pop_thread_default()
            self._ready.set()

    def _on_signal(self, _connection, _sender, _path, _interface, _signal, parameters, *_user_data) -> None:
        (going_to_sleep,) = parameters.unpack()
        callback = self._on_sleep if going_to_sleep else self._on_wake
        try:
            callback()
        except Exception as exc:  # raised into GLib it would only print a traceback to stderr
            log.error("handling %s failed: %s: %s", "suspend" if going_to_sleep else "resume",
                      type(exc).__name__, exc)
