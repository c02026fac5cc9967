"""Desktop notifications: plyer on a worker thread, falling back to a silent null.

plyer can block for 25 s (D-Bus) or 75 s (notify-send) on a hung notification
daemon, so each notification is sent from its own daemon thread and the engine never
waits for it. A failure is logged in one line, once per kind of failure; the due
reminder still shows in the tray.
"""

from __future__ import annotations

import html
import logging
import os
import threading

log = logging.getLogger("postured")

APP_NAME = "postured"
# Seconds a reminder stays on screen; the tray keeps showing it after that.
SHOW_SECONDS = 60


class NullNotifier:
    """Used when there is no notification service: reminders live in the tray."""

    def show(self, title: str, body: str) -> None:
        log.debug("notification (not shown): %s", title)

    def remind(self, title: str, body: str, image: str = "") -> None:
        self.show(title, body)

    def withdraw(self) -> None:
        """Nothing is on screen to take back."""


class PlyerNotifier:
    def __init__(self, icon_path: str = ""):
        self._icon_path = icon_path
        self._sender: threading.Thread | None = None
        self._said: set[str] = set()
        self._disabled = False

    def show(self, title: str, body: str, image: str = "") -> None:
        if self._disabled:
            return
        if self._sender is not None and self._sender.is_alive():
            self._warn_once("hung", "the notification service is not answering; "
                            "reminders show in the tray until it does")
            return
        # Notification bodies are markup in the freedesktop spec: text stays text.
        self._sender = threading.Thread(
            target=self._send, args=(title, html.escape(body, quote=False), image or self._icon_path),
            name="notify", daemon=True,
        )
        self._sender.start()

    def remind(self, title: str, body: str, image: str = "") -> None:
        """A reminder is a plain notification here: plyer has no buttons; the exercise's
        picture is its icon."""
        self.show(title, body, image)

    def withdraw(self) -> None:
        """plyer cannot close a notification; it expires after SHOW_SECONDS."""

    def wait(self, timeout: float) -> None:
        """For tests and shutdown: let the last notification finish, within ``timeout``."""
        if self._sender is not None:
            self._sender.join(timeout)

    def _send(self, title: str, body: str, icon: str) -> None:
        try:
            from plyer import notification

            notification.notify(
                title=title, message=body, app_name=APP_NAME,
                app_icon=icon, timeout=SHOW_SECONDS,
            )
            self._said.discard("hung")
        except NotImplementedError:
            self._disabled = True
            self._warn_once("none", "no notification service found (needs dbus-python or "
                            "notify-send); reminders show in the tray only")
        except Exception as exc:  # D-Bus errors, ValueError after a hang, a missing binary
            self._warn_once(type(exc).__name__, f"could not show a notification: "
                            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            log.warning(message)


def make_notifier(icon_path: str = ""):
    """POSTURED_NOTIFIER=null turns notifications off; otherwise plyer (no buttons).

    Reminders with buttons come from notify_actions.py where the server offers them;
    app.py picks between the two.
    """
    if os.environ.get("POSTURED_NOTIFIER", "").lower() == "null":
        return NullNotifier()
    return PlyerNotifier(icon_path)
