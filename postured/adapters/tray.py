"""The tray icon and its menu, through pystray. Everything shown is read from the engine.

pystray must own the main thread. Menu texts and enabled flags are callables that ask
the engine for its current view; ``refresh`` rebuilds the menu after every change.
Import this module lazily: importing pystray without a display raises Xlib errors,
not ImportError.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from datetime import timedelta

from postured.core import machine
from postured.core.view import TRAY_STATES
from postured.i18n import N_, _
from postured.resources import icon_path

log = logging.getLogger("postured")

PAUSE_CHOICES = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))


def _name_the_process() -> None:
    # A tray icon draws nothing with OpenGL; without this GDK loads the GL stack
    # (libLLVM alone is 43 MB of RSS under Mesa's software renderer).
    os.environ.setdefault("GDK_GL", "disable")
    # The icon window's WM_CLASS comes from the program name; without this,
    # `python -m postured` shows up as "__main__.py".
    if sys.platform.startswith("linux"):
        try:
            from gi.repository import GLib

            GLib.set_prgname("postured")
            GLib.set_application_name("postured")
        except Exception:
            pass


def _label(duration: timedelta) -> str:
    """'30 min', '1 h 30 min': a menu's duration, in the person's language."""
    hours, rest = divmod(int(duration.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    # Translators: parts of a duration in the tray menu ("1 h 30 min"); keep them short.
    parts = [_("{count} h").format(count=hours) if hours else "",
             _("{count} min").format(count=minutes) if minutes else "",
             _("{count} s").format(count=seconds) if seconds else ""]
    return " ".join(part for part in parts if part)


def _text(message: str):
    """A menu text read at every redraw, so a new [ui] language shows at once."""
    return lambda _item: _(message)


class PystrayTray:
    def __init__(self, engine, open_config: Callable[[], None], start_exercise: Callable[[], None]):
        _name_the_process()
        backend = choose_backend()  # raises NoTrayBackend when none can be seen here
        if backend:
            os.environ["PYSTRAY_BACKEND"] = backend  # pystray reads it at import
        import pystray  # may raise anything when there is no display
        from PIL import Image

        self._pystray = pystray
        self._engine = engine
        self._open_config = open_config
        self._start_exercise = start_exercise
        self._images = {state: Image.open(icon_path(state)) for state in TRAY_STATES}
        view = engine.view()
        self._icon = pystray.Icon(
            "postured", self._images[view.state], view.tooltip, menu=self._menu()
        )
        self.backend = type(self._icon).__module__.rsplit("._", 1)[-1]
        self._edge_timer: threading.Timer | None = None

    def _menu(self):
        item, menu, separator = self._pystray.MenuItem, self._pystray.Menu, self._pystray.Menu.SEPARATOR
        engine = self._engine

        def act(command: machine.Command):
            return lambda _icon, _item: engine.handle(command)

        answerable = lambda _item: engine.view().can_answer  # noqa: E731
        snooze_choices = [
            item(lambda _item, d=d: _label(d), act(machine.Snooze(d)), enabled=answerable)
            for d in engine.settings.reminders.snooze
        ]
        # Translators: a tray menu item under "Pause"; {duration} is e.g. "30 min".
        pause_choices = [item(lambda _item, d=d: _("For {duration}").format(duration=_label(d)), act(machine.Pause(d)))
                         for d in PAUSE_CHOICES]
        pause_choices.append(item(_text(N_("Until tomorrow")), act(machine.Pause(None))))
        return menu(
            # What a left click does (pystray's gtk backend runs the default item; hidden, so
            # the menu itself is unchanged).
            item(_text(N_("Left click")), lambda _icon, _item: self._left_click(), default=True, visible=False),
            item(lambda _item: engine.view().status, None, enabled=False),
            item(lambda _item: engine.view().today, None, enabled=False),
            separator,
            # Translators: a tray menu item; menu items are short: keep them near the English length.
            item(_text(N_("Start exercise")), lambda _icon, _item: self._start_exercise()),
            item(_text(N_("Done")), act(machine.Done()), enabled=answerable),
            item(_text(N_("Snooze")), menu(*snooze_choices), enabled=answerable),
            item(_text(N_("Skip")), act(machine.Skip()), enabled=answerable),
            item(_text(N_("Take a break now")), act(machine.BreakNow()),
                 enabled=lambda _i: engine.view().can_break_now),
            separator,
            item(_text(N_("Pause")), menu(*pause_choices), visible=lambda _i: not engine.view().paused),
            item(_text(N_("Resume")), act(machine.Resume()), visible=lambda _i: engine.view().paused),
            item(_text(N_("Open config")), lambda _icon, _item: self._open_config()),
            separator,
            item(_text(N_("Quit")), act(machine.Quit())),
        )

    def _left_click(self) -> None:
        """The one thing worth a single click: the due break's exercise when one is due
        (what the reminder asks for); otherwise the status, which a left click on most
        tray icons shows, as a notification since the tooltip needs a steady hover."""
        view = self._engine.view()
        if view.state == "due":
            self._start_exercise()
        else:
            self._engine.notifier.show("postured", f"{view.status}\n{view.today}")

    def refresh(self) -> None:
        view = self._engine.view()
        if self._icon.icon is not self._images[view.state]:
            self._icon.icon = self._images[view.state]
        self._icon.title = view.tooltip
        self._set_tooltip(view.tooltip)
        if self._icon.HAS_MENU:
            # gtk builds the menu ahead of time: its callables must be read again.
            self._icon.update_menu()
        self._refresh_at_next_edge()

    def _refresh_at_next_edge(self) -> None:
        # "Off hours" begins and ends with no command to redraw the icon: one timer,
        # a few wake-ups a day, instead of polling.
        if self._edge_timer is not None:
            self._edge_timer.cancel()
        edge = self._engine.next_view_change()
        if edge is None:
            return
        delay = max(1.0, (edge - self._engine.now()).total_seconds() + 1)
        self._edge_timer = threading.Timer(delay, self.refresh)
        self._edge_timer.daemon = True
        self._edge_timer.start()

    def _set_tooltip(self, text: str) -> None:
        # pystray's gtk backend sets only the StatusIcon's title, which no one sees
        # on hover; the hover text is the tooltip.
        status_icon = getattr(self._icon, "_status_icon", None)
        if status_icon is not None:
            from gi.repository import GLib

            GLib.idle_add(lambda: status_icon.set_tooltip_text(text) and False)

    def run(self, on_ready: Callable[[], None]) -> None:
        """Block the calling (main) thread until ``stop``."""

        def setup(icon) -> None:
            if icon.HAS_MENU:
                # Built before the icon shows: pystray's gtk backend raises AttributeError
                # (and opens nothing) on a right click that comes before its first menu.
                icon.update_menu()
            icon.visible = True
            on_ready()

        _keep_sigint_handler()
        self._icon.run(setup=setup)

    def stop(self) -> None:
        if self._edge_timer is not None:
            self._edge_timer.cancel()
        self._icon.stop()

def _keep_sigint_handler() -> None:
    """pystray's GTK backends set SIGINT back to the default as their loop starts (so that
    Ctrl+C kills a plain script); the daemon has its own handler, which stops cleanly and
    takes a due reminder off the screen. Their module's only use of ``signal`` is that call."""
    import signal
    import types

    module = sys.modules.get("pystray._util.gtk")
    if module is not None and getattr(module, "signal", None) is signal:
        module.signal = types.SimpleNamespace(
            SIGINT=signal.SIGINT, SIG_DFL=signal.SIG_DFL, signal=lambda _number, _handler: None)


# ---------------------------------------------------------------- can an icon be seen here?

SNI_WATCHER = ("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher")
XEMBED_BACKENDS = ("gtk", "xorg")  # GtkStatusIcon and pystray's Xlib icon: X11 tray selection only
DBUS_TIMEOUT_MS = 500


class NoTrayBackend(Exception):
    """No pystray backend can show an icon on this session (the message says what to install)."""


def choose_backend(environ=os.environ) -> str | None:
    """The pystray backend to ask for (None: pystray's own order), set before pystray loads.

    On Wayland only a StatusNotifierItem (pystray's appindicator) can be seen: GtkStatusIcon
    and the xorg backend draw into an X11 tray (XWayland's, if any) that no Wayland panel
    shows, so a PYSTRAY_BACKEND naming one of them is overridden, with a log line.
    """
    wanted = environ.get("PYSTRAY_BACKEND", "").strip().lower() or None
    if not environ.get("WAYLAND_DISPLAY"):
        return wanted
    if wanted in XEMBED_BACKENDS:
        log.warning("PYSTRAY_BACKEND=%s cannot show an icon on a Wayland session (it needs an X11 "
                    "tray); using appindicator instead", wanted)
    if wanted not in (None, "appindicator", *XEMBED_BACKENDS):
        return wanted  # a backend we do not know: the person's choice
    try:
        import gi

        try:
            gi.require_version("AyatanaAppIndicator3", "0.1")
        except ValueError:
            gi.require_version("AppIndicator3", "0.1")
    except Exception as exc:
        raise NoTrayBackend(
            "on Wayland only a StatusNotifierItem (pystray's appindicator backend) can show a tray "
            f"icon, and it cannot load ({exc}); install gir1.2-ayatanaappindicator3-0.1") from None
    return "appindicator"


def tray_host_present(backend: str | None = None, environ=os.environ) -> bool | None:
    """Whether an icon of this pystray backend can be seen; None if that cannot be told.

    appindicator asks the StatusNotifierWatcher whether a host (a panel's tray) has
    registered; on X11 libayatana-appindicator falls back to an XEmbed icon, so the X11
    tray selection counts there too. gtk and xorg need the X11 tray selection, which no
    Wayland panel reads.
    """
    if backend == "appindicator":
        host = _sni_host_registered(environ)
        if host or environ.get("WAYLAND_DISPLAY"):
            return host
        return _xembed_tray_owned(environ) or host
    if environ.get("WAYLAND_DISPLAY") and backend in XEMBED_BACKENDS:
        return False
    return _xembed_tray_owned(environ)


def missing_host_advice(backend: str | None, environ=os.environ) -> str | None:
    """One line saying why no icon can be seen and what to install; None when it can be."""
    if tray_host_present(backend, environ) is not False:
        return None
    later = "reminders come as notifications (the icon appears if a tray starts later)"
    if backend == "appindicator" and environ.get("WAYLAND_DISPLAY"):
        if "GNOME" in environ.get("XDG_CURRENT_DESKTOP", "").upper():
            return ("no tray icon can be seen: GNOME shows tray icons only with the AppIndicator "
                    "extension (Debian: gnome-shell-extension-appindicator, then `gnome-extensions "
                    f"enable ubuntu-appindicators@ubuntu.com`); {later}")
        return ("no tray icon can be seen: no StatusNotifierItem host on the session bus (a panel "
                f"with a tray, e.g. waybar's tray module on sway, or KDE Plasma's panel); {later}")
    return f"no system tray host on this display (a panel with a notification area, e.g. trayer); {later}"


def _sni_host_registered(environ) -> bool | None:
    """IsStatusNotifierHostRegistered of the watcher; False without a watcher, None without a bus."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS")
    runtime = environ.get("XDG_RUNTIME_DIR")
    if not address and runtime and os.path.exists(os.path.join(runtime, "bus")):
        address = "unix:path=" + os.path.join(runtime, "bus")
    if not address:
        return None
    try:
        from gi.repository import Gio, GLib

        flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
        bus = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    except Exception:
        return None
    try:
        no_start = Gio.DBusCallFlags.NO_AUTO_START
        (owned,) = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                 "NameHasOwner", GLib.Variant("(s)", (SNI_WATCHER[0],)), None,
                                 no_start, DBUS_TIMEOUT_MS, None).unpack()
        if not owned:
            return False
        (registered,) = bus.call_sync(SNI_WATCHER[0], SNI_WATCHER[1], "org.freedesktop.DBus.Properties", "Get",
                                      GLib.Variant("(ss)", (SNI_WATCHER[2], "IsStatusNotifierHostRegistered")),
                                      None, no_start, DBUS_TIMEOUT_MS, None).unpack()
        return bool(registered)
    except Exception:
        return None
    finally:
        try:
            bus.close_sync(None)
        except Exception:
            pass


def _xembed_tray_owned(environ) -> bool | None:
    """On X11, whether a system tray host owns the tray selection; None if unknown."""
    if not environ.get("DISPLAY"):
        return None
    try:
        from Xlib import display as xdisplay

        shown = xdisplay.Display(environ["DISPLAY"])
        try:
            atom = shown.intern_atom(f"_NET_SYSTEM_TRAY_S{shown.get_default_screen()}")
            return shown.get_selection_owner(atom) != 0
        finally:
            shown.close()
    except Exception:
        return None
