"""Why not now: every reason to hold a due reminder back, as one small type.

A reason either comes from the desktop (a fullscreen window, a call, a camera, a screen
being cast, do-not-disturb), read by the adapters and handed to the core with an alarm,
or the core derives it from the time (a quiet window, a busy block of a calendar). The core alone decides; the tray,
``postured status --json`` (``held_by``) and the history's ``detail`` use the stable
``value`` of the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from postured.config import PresenceSettings
from postured.i18n import N_, _


class Hold(StrEnum):
    # In this order the first reason in force is the one named when several overlap.
    CALL = "call"  # another program records a microphone
    CAMERA = "camera"  # a camera is open
    SCREENCAST = "screencast"  # a screen or window is being cast or shared
    CALENDAR = "calendar"  # a busy event in one of the [presence] calendars
    FULLSCREEN = "fullscreen"  # the active window covers the screen
    DO_NOT_DISTURB = "do_not_disturb"  # the desktop's own do-not-disturb is on
    QUIET = "quiet"  # inside a [presence] quiet window

    @property
    def says(self) -> str:
        """The words after "Break held: " in the tray, in the person's language."""
        return _(_SAYS[self])


_SAYS = {
    # Translators: why a due break waits (these seven), shown after "Break held: " in the tray menu.
    Hold.CALL: N_("you are in a call"),
    Hold.CAMERA: N_("your camera is on"),
    Hold.SCREENCAST: N_("your screen is being shared"),
    Hold.CALENDAR: N_("you are in a meeting"),
    Hold.FULLSCREEN: N_("a window is fullscreen"),
    Hold.DO_NOT_DISTURB: N_("do not disturb is on"),
    Hold.QUIET: N_("it is quiet time"),
}

# The reasons the desktop is asked about (QUIET is the core's own, from the clock;
# CALENDAR comes as busy blocks in the context, known ahead).
SENSED = frozenset(Hold) - {Hold.QUIET, Hold.CALENDAR}


def enabled(presence: PresenceSettings) -> frozenset[Hold]:
    """The reasons the config lets hold a reminder; each can be switched off."""
    switches = {
        Hold.CALL: presence.quiet_in_calls,
        Hold.CAMERA: presence.quiet_when_camera_on,
        Hold.SCREENCAST: presence.quiet_when_sharing_screen,
        Hold.CALENDAR: presence.quiet_in_meetings and bool(presence.calendars),
        Hold.FULLSCREEN: presence.quiet_when_fullscreen,
        Hold.DO_NOT_DISTURB: presence.quiet_when_do_not_disturb,
        Hold.QUIET: bool(presence.quiet),
    }
    return frozenset(reason for reason, on in switches.items() if on)


def first(reasons: Iterable[Hold]) -> Hold | None:
    """The reason to name when several hold a reminder at once."""
    present = set(reasons)
    return next((reason for reason in Hold if reason in present), None)
