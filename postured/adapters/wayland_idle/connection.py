"""The Wayland side of the idle watcher: one connection, a seat, the best idle global
(ext-idle-notify-v1, else KDE's org_kde_kwin_idle) and one timer at a time.

pywayland's wheel ships ext-idle-notify-v1 but not org_kde_kwin_idle (all that sway 1.7 in
Debian 12 offers): its two small interfaces are written out in ``kde_idle()``, in the
order of the protocol's XML, and tests/test_wayland_idle.py checks them against the
idle.xml that Debian's plasma-wayland-protocols ships. Writing them out, rather than
generating them at run time with pywayland's scanner, needs no XML file on the user's
machine.
"""

from __future__ import annotations

import functools
import os
from typing import Callable

from postured.watch_thread import one_line

EXT_IDLE, KDE_IDLE = "ext_idle_notifier_v1", "org_kde_kwin_idle"
UINT32_MAX = 2**32 - 1


class Unavailable(Exception):
    """This compositor cannot tell idle time (the message says why)."""


class Connection:
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
    def open(cls, display_name: str | None) -> Connection:
        try:
            from pywayland.client import Display
            from pywayland.protocol.wayland import WlSeat
        except Exception as exc:  # the wheel is missing or its libwayland will not load
            raise Unavailable(f"pywayland cannot be loaded ({one_line(exc)})") from None
        shown = display_name or os.environ.get("WAYLAND_DISPLAY") or "wayland-0"
        display = Display(display_name)
        try:
            display.connect()
        except Exception as exc:
            raise Unavailable(f"cannot connect to Wayland display {shown!r} ({one_line(exc)})") from None
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
                kind, interface = KDE_IDLE, kde_idle().OrgKdeKwinIdle
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
            raise Unavailable(f"cannot use the idle protocol on {shown!r} ({one_line(exc)})") from None

    def describe(self) -> str:
        if self._kind == KDE_IDLE:
            return "org_kde_kwin_idle"
        return "ext-idle-notify-v1 (input only)" if self._version >= 2 else "ext-idle-notify-v1"

    def arm(self, timeout_ms: int, on_idle: Callable[[], None], on_resumed: Callable[[], None]) -> None:
        """A fresh timer (the old one is dropped); its timeout counts from now."""
        self._drop_timer()
        timeout = min(timeout_ms, UINT32_MAX)
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
def kde_idle():
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


