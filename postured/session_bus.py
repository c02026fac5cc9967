"""Where the D-Bus session bus is, for the adapters that talk to it (presence, do-not-disturb)."""

from __future__ import annotations

import os


def session_bus_address(environ) -> str | None:
    """The session bus's address, or None: never "autolaunch:", which with DISPLAY set would
    start a stray dbus-daemon that outlives us."""
    if environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return environ["DBUS_SESSION_BUS_ADDRESS"]
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return "unix:path=" + os.path.join(runtime, "bus")
    return None
