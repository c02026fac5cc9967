"""Desktop notifications: plyer on a worker thread, falling back to a silent null.

plyer can block for 25 s (D-Bus) or 75 s (notify-send) on a hung notification
daemon, so notifications are sent from a daemon thread and the engine never waits for
it. Two that come together (a safety note, then the reminder) are both sent, in order;
while the service hangs only the newest few wait. A failure is logged in one line, once
per kind of failure; the due reminder still shows in the tray.
"""

from __future__ import annotations

import collections
import html
import logging
import os
import threading
import time

log = logging.getLogger("postured")

APP_NAME = "postured"
# Seconds a reminder stays on screen; the tray keeps showing it after that.
SHOW_SECONDS = 60
WAITING = 4  # notifications kept while one is being sent; older ones give way
SLOW_SECONDS = 5.0  # a send taking longer than this means the service is not answering


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
        self._lock = threading.Lock()
        self._waiting: collections.deque[tuple[str, str, str]] = collections.deque(maxlen=WAITING)
        self._sending_since: float | None = None  # monotonic time the send under way began
        self._draining = False  # a sender thread will look at the queue again before it ends

    def show(self, title: str, body: str, image: str = "") -> None:
        if self._disabled:
            return
        # Notification bodies are markup in the freedesktop spec: text stays text.
        with self._lock:
            self._waiting.append((title, html.escape(body, quote=False), image or self._icon_path))
            since = self._sending_since
            if self._draining:
                if since is not None and time.monotonic() - since > SLOW_SECONDS:
                    self._warn_once("hung", "the notification service is not answering; "
                                    "reminders show in the tray until it does")
                return  # the sender under way takes it next
            self._draining = True
            self._sender = threading.Thread(target=self._drain, name="notify", daemon=True)
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

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._waiting or self._disabled:
                    self._sending_since, self._draining = None, False
                    return
                title, body, icon = self._waiting.popleft()
                self._sending_since = time.monotonic()
            self._send(title, body, icon)

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
