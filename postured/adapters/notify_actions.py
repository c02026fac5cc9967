"""Reminders with Done / Snooze / Start buttons, over the freedesktop notification spec.

Talks to org.freedesktop.Notifications on the session bus with Gio (PyGObject is
already a Linux dependency, for the tray). Gio rather than dbus-python: its calls
are asynchronous with a timeout, so a hung server never blocks the engine, and its
signal subscriptions are delivered to a GLib main context we choose. Rather than
desktop-notifier: that would be a new dependency built on asyncio, so a second event
loop in its own thread next to the tray's GTK loop, for what is here three methods
and two signals.

One daemon thread runs a GLib main loop on a private MainContext (whether or not the
tray's GTK loop runs); every call, reply and signal is handled on that thread, so the
notifier's state needs no lock. ``show``, ``remind`` and ``withdraw`` only post work
to it and return at once.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Callable

from postured.i18n import N_, _

log = logging.getLogger("postured")

APP_NAME = "postured"
BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"

# (key, label) of each button; the key is what ``on_action`` receives. The label is English
# here and translated as each reminder is sent (``buttons``).
# Translators: buttons of a reminder notification; servers show them side by side: keep them short.
ACTIONS = (("done", N_("Done")), ("snooze", N_("Snooze")), ("start", N_("Start exercise")))
KEYS = frozenset(key for key, _label in ACTIONS)

def buttons() -> list[str]:
    """The actions list of the Notify call: key, label, key, label … in the person's language."""
    return [part for key, label in ACTIONS for part in (key, _(label))]


# Seconds a notification stays on screen (as with plyer); the tray keeps the reminder.
SHOW_SECONDS = 60
# How long to wait for the server: at start-up (capabilities), and for each notification.
PROBE_SECONDS = 3.0
CALL_SECONDS = 25.0

NOT_ANSWERING = "the notification service is not answering; reminders show in the tray until it does"


def make_action_notifier(
    icon_path: str, on_action: Callable[[str], None], probe_seconds: float = PROBE_SECONDS,
) -> ActionNotifier | None:
    """An ActionNotifier if the session's notification server offers buttons, else None.

    None comes with one INFO log line saying why (no PyGObject, no session bus, no
    server, a server that does not answer or has no "actions" capability); the
    caller then falls back to plain notifications. Never raises for those.
    """
    try:
        import gi

        gi.require_version("Gio", "2.0")
        from gi.repository import Gio, GLib
    except (ImportError, ValueError) as exc:
        _no_buttons(f"PyGObject's Gio is not available ({exc})")
        return None

    address = _session_bus_address(Gio)
    if not address:
        _no_buttons("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        return None
    context = GLib.MainContext()
    # Whatever the connection emits later belongs to our loop's context, not the default one.
    context.push_thread_default()
    connection = None
    try:
        # A private connection: the shared one would exit the process when the bus goes away.
        connection = Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None,
        )
        timeout_ms = int(probe_seconds * 1000)
        (capabilities,) = _call_sync(connection, GLib, "GetCapabilities", None, "(as)", timeout_ms)
        server = _call_sync(connection, GLib, "GetServerInformation", None, "(ssss)", timeout_ms)
    except Exception as exc:  # GLib.Error: no bus, no server, a timeout, a refusal
        _no_buttons(_reason(exc, Gio))
        _close(connection)
        return None
    finally:
        context.pop_thread_default()

    if "actions" not in capabilities:
        _no_buttons(f"the notification server ({server[0]} {server[2]}) does not offer buttons")
        _close(connection)
        return None
    log.info("reminders carry Done, Snooze and Start buttons (notification server: %s %s)", server[0], server[2])
    return ActionNotifier(connection, context, on_action, icon_path)


class ActionNotifier:
    """Shows notifications; a reminder carries buttons and replaces the previous reminder.

    ``on_action(key)`` is called on the notifier's thread with "done", "snooze" or
    "start", only for the current reminder and at most once per reminder. It must
    not block for long (``engine.handle`` is fine).
    """

    def __init__(self, connection, context, on_action: Callable[[str], None], icon_path: str = ""):
        from gi.repository import GLib

        self._GLib = GLib
        self._connection = connection
        self._context = context
        self._on_action = on_action
        self._icon_path = icon_path
        # Loop-thread state: the reminder that may still be answered (0: none; set back
        # to 0 once answered, withdrawn or closed), a Notify in flight, the newest
        # reminder waiting for it, a withdraw waiting for it.
        self._current = 0
        self._sending = False
        self._queued: tuple[str, str, str] | None = None
        self._withdraw_when_sent = False
        self._said: set[str] = set()
        # The server can die and another take its name (mako crashing, D-Bus activation
        # starting dunst): its ids and capabilities are its own.
        self._buttons = True  # the server owning the name now offers actions
        self._lost: tuple[str, str, str] | None = None  # a reminder the dying server did not show

        context.push_thread_default()
        try:
            self._subscriptions = [
                connection.signal_subscribe(BUS_NAME, INTERFACE, member, OBJECT_PATH, None, 0, handler)
                for member, handler in (("ActionInvoked", self._on_action_invoked),
                                        ("NotificationClosed", self._on_closed))
            ]
            self._subscriptions.append(connection.signal_subscribe(
                "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged", "/org/freedesktop/DBus",
                BUS_NAME, 0, self._on_owner_changed))
        finally:
            context.pop_thread_default()
        self._loop = GLib.MainLoop(context)
        self._thread = threading.Thread(target=self._run, name="notify-actions", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ the engine's side

    def remind(self, title: str, body: str, image: str = "") -> None:
        """Show a reminder with the buttons, replacing the previous reminder if still shown;
        ``image`` (a PNG's path) goes in the image-path hint."""
        self._post(self._send_reminder, title, _text(body), image)

    def show(self, title: str, body: str) -> None:
        """A plain notification (a config or history problem): no buttons, replaces nothing."""
        self._post(self._send_note, title, _text(body))

    def withdraw(self) -> None:
        """Take the current reminder off the screen (it was answered elsewhere, e.g. the tray)."""
        self._post(self._withdraw)

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection (shutdown, tests)."""
        self._post(self._shut_down)
        if threading.current_thread() is not self._thread:  # e.g. a Quit reached through on_action
            self._thread.join(timeout)

    # ------------------------------------------------------------ the loop thread

    def _run(self) -> None:
        self._context.push_thread_default()
        try:
            self._loop.run()
        finally:
            self._context.pop_thread_default()

    def _post(self, work, *args) -> None:
        # Always deferred, even from the loop thread itself (on_action calling back in).
        source = self._GLib.Idle()

        def once(*_ignored) -> bool:
            try:
                work(*args)
            except Exception as exc:  # never let a surprise end the loop thread
                log.warning("notification error: %s: %s", type(exc).__name__, exc)
            return False

        source.set_callback(once)
        source.attach(self._context)

    def _send_reminder(self, title: str, body: str, image: str = "") -> None:
        if self._sending:
            self._queued = (title, body, image)  # only the newest reminder matters
            self._warn_once("hung", NOT_ANSWERING)
            return
        self._sending = True
        self._withdraw_when_sent = False
        self._lost = None
        actions = buttons() if self._buttons else []
        self._call("Notify", self._notify_args(self._current, title, body, actions, image), "(u)",
                   lambda reply, error: self._reminder_sent(reply, error, (title, body, image)))

    def _reminder_sent(self, reply, error, sent: tuple[str, str, str]) -> None:
        self._sending = False
        if error is None:
            (self._current,) = reply
            self._said.discard("hung")
            if self._withdraw_when_sent:
                self._withdraw()
        else:
            if not self._withdraw_when_sent:
                self._lost = sent  # shown by the next server to take the name, if one does
            self._failed(error)
        if self._queued is not None:
            queued, self._queued = self._queued, None
            self._send_reminder(*queued)

    def _send_note(self, title: str, body: str) -> None:
        self._call("Notify", self._notify_args(0, title, body, []), "(u)", self._note_sent)

    def _note_sent(self, _reply, error) -> None:
        if error is not None:
            self._failed(error)

    def _withdraw(self) -> None:
        self._queued = None
        self._lost = None
        if self._sending:
            self._withdraw_when_sent = True
            return
        if self._current:
            self._close_notification(self._current)
        self._current = 0

    def _close_notification(self, notification_id: int) -> None:
        def closed(_reply, error) -> None:
            if error is not None:  # already gone: nothing to take off the screen
                log.debug("closing notification %d: %s", notification_id, error.message)

        self._call("CloseNotification", self._GLib.Variant("(u)", (notification_id,)), None, closed)

    def _on_action_invoked(self, _connection, _sender, _path, _interface, _signal, parameters) -> None:
        notification_id, key = parameters.unpack()
        if notification_id != self._current or key not in KEYS:
            log.debug("ignored button %r of notification %d (the open reminder is %d)",
                      key, notification_id, self._current)
            return
        self._current = 0  # answered: at most one answer per reminder
        try:
            self._on_action(key)
        except Exception as exc:
            log.warning("the %r button could not be handled: %s: %s", key, type(exc).__name__, exc)
        # Servers need not remove a notification after an action (dunst keeps it): do it here.
        self._close_notification(notification_id)

    def _on_closed(self, _connection, _sender, _path, _interface, _signal, parameters) -> None:
        notification_id, _reason = parameters.unpack()
        if notification_id == self._current:
            self._current = 0  # the next reminder is a new notification

    def _on_owner_changed(self, _connection, _sender, _path, _interface, _signal, parameters) -> None:
        _name, old_owner, new_owner = parameters.unpack()
        if old_owner:
            # Its ids mean nothing to the next server: replacing one could replace another
            # program's notification there.
            self._current = 0
        if new_owner:
            self._call("GetCapabilities", None, "(as)", self._new_server)

    def _new_server(self, reply, error) -> None:
        if error is not None:
            self._failed(error)
            return
        (capabilities,) = reply
        self._said.clear()  # a new server: say again what goes wrong with it
        self._buttons = "actions" in capabilities
        if not self._buttons:
            self._warn_once("no buttons", "the new notification server has no buttons: answer reminders "
                                          "from the tray or the command line")
        if self._lost is not None and not self._sending:
            title, body, image = self._lost
            log.info("a new notification server took over: showing the reminder again")
            self._send_reminder(title, body, image)

    def _shut_down(self) -> None:
        for subscription in self._subscriptions:
            self._connection.signal_unsubscribe(subscription)
        try:
            # A CloseNotification posted just before (the daemon quitting with a reminder
            # shown) must leave before the connection closes.
            self._connection.flush_sync(None)
        except Exception:  # the bus went away first: nothing to flush to
            pass
        _close(self._connection)
        self._loop.quit()

    # ------------------------------------------------------------ D-Bus

    def _notify_args(self, replaces: int, title: str, body: str, actions: list[str], image: str = ""):
        GLib = self._GLib
        hints = {"urgency": GLib.Variant("y", 1)}  # normal
        if image:
            # The exercise's picture, read by the server from the file (no pixels on the bus);
            # "image-path" is the spec's name since 1.2, "image_path" the older one some still read.
            hints["image-path"] = GLib.Variant("s", image)
            hints["image_path"] = GLib.Variant("s", image)
        return GLib.Variant("(susssasa{sv}i)", (APP_NAME, replaces, self._icon_path, title, body,
                                                actions, hints, SHOW_SECONDS * 1000))

    def _call(self, method: str, args, reply_type: str | None, done) -> None:
        GLib = self._GLib

        def finished(connection, result, _data=None) -> None:
            try:
                reply = connection.call_finish(result).unpack()
            except GLib.Error as error:
                done(None, error)
                return
            done(reply, None)

        self._connection.call(BUS_NAME, OBJECT_PATH, INTERFACE, method, args,
                              GLib.VariantType(reply_type) if reply_type else None, 0,
                              int(CALL_SECONDS * 1000), None, finished, None)

    def _failed(self, error) -> None:
        from gi.repository import Gio

        if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
            self._warn_once("hung", NOT_ANSWERING)
        else:
            self._warn_once(error.message, f"could not show a notification: {_reason(error, Gio)}")

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            log.warning(message)


def _close(connection) -> None:
    if connection is None:
        return
    try:
        connection.close_sync(None)
    except Exception:  # already closed: the bus went away first
        pass


def _text(body: str) -> str:
    # Notification bodies are markup in the freedesktop spec: text stays text.
    return html.escape(body, quote=False)


def _call_sync(connection, GLib, method: str, args, reply_type: str, timeout_ms: int):
    reply = connection.call_sync(BUS_NAME, OBJECT_PATH, INTERFACE, method, args,
                                 GLib.VariantType(reply_type), 0, timeout_ms, None)
    return reply.unpack()


def _session_bus_address(Gio) -> str:
    # Only an explicit or a per-user bus: never X11 autolaunch, which starts a stray
    # dbus-daemon that outlives us.
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    socket = os.path.join(runtime, "bus") if runtime else ""
    if socket and os.path.exists(socket):
        return "unix:path=" + Gio.dbus_address_escape_value(socket)
    return ""


def _reason(exc: Exception, Gio) -> str:
    matches = getattr(exc, "matches", None)
    if matches is not None:
        if matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
            return "the notification server is not answering"
        if matches(Gio.DBusError.quark(), Gio.DBusError.SERVICE_UNKNOWN) or matches(
                Gio.DBusError.quark(), Gio.DBusError.NAME_HAS_NO_OWNER):
            return "no notification server on the session bus"
        Gio.DBusError.strip_remote_error(exc)  # "GDBus.Error:org.…: " says nothing to a person
        message = exc.message
    else:
        message = str(exc)
    first = message.splitlines()[0] if message else type(exc).__name__
    return first


def _no_buttons(reason: str) -> None:
    log.info("no buttons on reminders: %s; answer them from the tray or the command line", reason)
