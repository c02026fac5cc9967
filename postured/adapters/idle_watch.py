"""Away and back, told by the X server: no idle polling on X11.

The SYNC extension keeps a system counter, IDLETIME (milliseconds since the last input),
and sends an AlarmNotify event when an alarm on it goes off; GNOME's and KDE's idle
monitors work the same way. One thread blocks in select() on the X connection and a
wake-up pipe, so nothing runs while nothing happens.

Two alarms, each armed for one event at a time:
  away  PositiveComparison at the threshold. The server judges a comparison as soon as
        the alarm is set, against the counter's current value, so "already idle when
        watching starts" (or when the threshold drops below the idle time) fires at once.
  back  NegativeComparison at (idle when away - 1), armed when away. The idle time only
        grows until input resets it to 0, so this fires exactly on input, and at once if
        the input came before the alarm was armed (a transition would miss that).
With delta 0 a comparison alarm turns Inactive after firing: one event per arming.

python-xlib, not ctypes on libXext: the requests are a few fixed structs, and a pure
Python connection keeps Xlib's process-wide handlers out of it (the default ones call
exit() on an error or a lost server, and GTK in the same process installs its own); a
lost server is a Python exception here. python-xlib is already a dependency.

On a Wayland session this counter (XWayland's) sees only X clients' input: use it on X11.
"""

from __future__ import annotations

import functools
import logging
import os
import select
from datetime import timedelta
from typing import Callable

from postured.watch_thread import WakeableWatcher, one_line

log = logging.getLogger("postured")

THREAD_NAME = "idle-watch"

# X11/extensions/syncproto.h and syncconst.h
_INITIALIZE, _LIST_SYSTEM_COUNTERS, _CREATE_ALARM, _CHANGE_ALARM = 0, 1, 8, 9
_ALARM_NOTIFY = 1  # added to the extension's first event code
_ALL_ALARM_ATTRIBUTES = 0b111111  # counter, value type, value, test type, delta, events
_ABSOLUTE = 0
_POSITIVE_COMPARISON, _NEGATIVE_COMPARISON = 2, 3
_ALARM_DESTROYED = 2
_INT64_MAX = 2**63 - 1


class Unavailable(Exception):
    """Idle watching cannot work on this display."""


class IdleWatcher(WakeableWatcher):
    """Calls on_away(idle) once the idle time reaches the threshold, then on_back() at the
    next input, then waits for the next absence. Callbacks run on the watcher thread."""

    thread_name = THREAD_NAME
    unavailable = Unavailable

    def __init__(self, threshold: timedelta, on_away: Callable[[timedelta], None],
                 on_back: Callable[[], None], display_name: str | None = None):
        super().__init__()
        self._threshold_ms = _milliseconds(threshold)
        self._on_away = on_away
        self._on_back = on_back
        self._display_name = display_name

    def _open(self) -> _Connection:
        return _Connection.open(self._display_name)

    def set_threshold(self, threshold: timedelta) -> None:
        """Takes effect at once when present (fires now if already idle that long); while
        away it applies from the next absence."""
        self._threshold_ms = _milliseconds(threshold)
        self._wake()

    # ------------------------------------------------------------ the watcher thread

    def _watch(self, connection: _Connection, wake_r: int) -> None:
        away = False
        connection.arm_away(self._threshold_ms)
        while not self._stopping:
            # python-xlib may read several events at once: drain its queue before
            # blocking, or select() would sleep on an event already read.
            while connection.display.pending_events():
                fired = connection.alarm_fired(connection.display.next_event())
                if fired is None:
                    continue  # not one of ours (e.g. MappingNotify, which every client gets)
                kind, idle_ms = fired
                if kind == "away" and not away:
                    away = True
                    connection.arm_back(idle_ms)  # before the callback: input during it counts
                    self._call(self._on_away, timedelta(milliseconds=idle_ms))
                elif kind == "back" and away:
                    away = False
                    connection.arm_away(self._threshold_ms)
                    self._call(self._on_back)
                if self._stopping:
                    return
            readable, _, _ = select.select([connection.fileno, wake_r], [], [])
            if wake_r in readable:
                os.read(wake_r, 4096)
                if not self._stopping and not away:
                    connection.arm_away(self._threshold_ms)  # the threshold may have changed


class _Connection:
    """One X connection with the IDLETIME counter and our two alarms (used by one thread)."""

    def __init__(self, display, major_opcode: int, alarm_event: int, counter: int):
        self.display = display
        self.fileno = display.fileno()
        self._major = major_opcode
        self._alarm_event = alarm_event
        self._counter = counter
        self._away_alarm: int | None = None
        self._back_alarm: int | None = None

    @classmethod
    def open(cls, display_name: str | None) -> _Connection:
        from Xlib import display as xdisplay

        shown_name = display_name or os.environ.get("DISPLAY") or ""
        if not shown_name:
            raise Unavailable("no X display (DISPLAY is not set)")
        try:
            display = xdisplay.Display(display_name)
        except Exception as exc:
            raise Unavailable(f"cannot connect to X display {shown_name!r} ({one_line(exc)})") from None
        try:
            extension = display.query_extension("SYNC")
            if extension is None:
                raise Unavailable(f"the X server on {shown_name!r} has no SYNC extension")
            proto = _protocol()
            proto.Initialize(display=display.display, opcode=extension.major_opcode,
                             major_version=3, minor_version=1)
            listed = proto.ListSystemCounters(display=display.display, opcode=extension.major_opcode)
            counters = _system_counters(listed.count, listed.entries)
            if "IDLETIME" not in counters:
                raise Unavailable(f"the X server on {shown_name!r} has no IDLETIME counter")
            alarm_event = extension.first_event + _ALARM_NOTIFY
            display.extension_add_event(alarm_event, proto.AlarmNotify)
            display.set_error_handler(_log_x_error)
            return cls(display, extension.major_opcode, alarm_event, counters["IDLETIME"])
        except Unavailable:
            _close_quietly(display)
            raise
        except Exception as exc:
            _close_quietly(display)
            raise Unavailable(f"cannot use SYNC on {shown_name!r} ({one_line(exc)})") from None

    def arm_away(self, threshold_ms: int) -> None:
        self._away_alarm = self._set_alarm(self._away_alarm, _POSITIVE_COMPARISON, threshold_ms)

    def arm_back(self, idle_ms: int) -> None:
        self._back_alarm = self._set_alarm(self._back_alarm, _NEGATIVE_COMPARISON, max(idle_ms - 1, 0))

    def alarm_fired(self, event) -> tuple[str, int] | None:
        """("away" | "back", counter value in ms) for an AlarmNotify of ours, else None."""
        if event.type != self._alarm_event or event.state == _ALARM_DESTROYED:
            return None
        idle_ms = (event.counter_hi << 32) | event.counter_lo
        if event.alarm == self._away_alarm:
            return "away", idle_ms
        if event.alarm == self._back_alarm:
            return "back", idle_ms
        return None

    def _set_alarm(self, alarm: int | None, test_type: int, value_ms: int) -> int:
        proto = _protocol()
        created = alarm is None
        if created:
            alarm = self.display.display.allocate_resource_id()
        proto.SetAlarm(display=self.display.display, opcode=self._major,
                       minor=_CREATE_ALARM if created else _CHANGE_ALARM, alarm=alarm,
                       value_mask=_ALL_ALARM_ATTRIBUTES, counter=self._counter, value_type=_ABSOLUTE,
                       value_hi=value_ms >> 32, value_lo=value_ms & 0xFFFFFFFF, test_type=test_type,
                       delta_hi=0, delta_lo=0, events=1)
        self.display.flush()
        return alarm

    def close(self) -> None:
        _close_quietly(self.display)  # the server frees our alarms with the connection


def _system_counters(count: int, data: bytes) -> dict[str, int]:
    """name -> counter id from a ListSystemCounters reply: entries of counter (4 bytes),
    resolution (8), name length (2) and the name, each padded to 4 bytes."""
    import struct

    found, offset = {}, 0
    for _ in range(count):
        counter, _hi, _lo, length = struct.unpack_from("=IiIH", data, offset)
        name = data[offset + 14:offset + 14 + length].decode("latin-1")
        found[name] = counter
        offset += (14 + length + 3) & ~3
    return found


@functools.cache
def _protocol():
    """The SYNC requests and event we use, as python-xlib structs (built on first use so
    importing this module stays cheap)."""
    from types import SimpleNamespace

    from Xlib.protocol import rq

    def header(minor: int):
        return rq.Card8("opcode"), rq.Opcode(minor), rq.RequestLength()

    def reply_header():
        return rq.ReplyCode(), rq.Pad(1), rq.Card16("sequence_number"), rq.ReplyLength()

    class Initialize(rq.ReplyRequest):
        _request = rq.Struct(*header(_INITIALIZE), rq.Card8("major_version"),
                             rq.Card8("minor_version"), rq.Pad(2))
        _reply = rq.Struct(*reply_header(), rq.Card8("major_version"), rq.Card8("minor_version"),
                           rq.Pad(22))

    class ListSystemCounters(rq.ReplyRequest):
        _request = rq.Struct(*header(_LIST_SYSTEM_COUNTERS))
        _reply = rq.Struct(*reply_header(), rq.Card32("count"), rq.Pad(20), rq.Binary("entries", pad=0))

    class SetAlarm(rq.Request):
        """CreateAlarm or ChangeAlarm (by ``minor``) with every attribute, in mask-bit order."""
        _request = rq.Struct(rq.Card8("opcode"), rq.Card8("minor"), rq.RequestLength(),
                             rq.Card32("alarm"), rq.Card32("value_mask"),
                             rq.Card32("counter"), rq.Card32("value_type"),
                             rq.Int32("value_hi"), rq.Card32("value_lo"), rq.Card32("test_type"),
                             rq.Int32("delta_hi"), rq.Card32("delta_lo"), rq.Card32("events"))

    class AlarmNotify(rq.Event):
        _code = None
        _fields = rq.Struct(rq.Card8("type"), rq.Card8("kind"), rq.Card16("sequence_number"),
                            rq.Card32("alarm"), rq.Int32("counter_hi"), rq.Card32("counter_lo"),
                            rq.Int32("alarm_hi"), rq.Card32("alarm_lo"), rq.Card32("time"),
                            rq.Card8("state"), rq.Pad(3))

    return SimpleNamespace(Initialize=Initialize, ListSystemCounters=ListSystemCounters,
                           SetAlarm=SetAlarm, AlarmNotify=AlarmNotify)


def _milliseconds(threshold: timedelta) -> int:
    if not isinstance(threshold, timedelta) or threshold <= timedelta(0):
        raise ValueError(f"the idle threshold must be a positive timedelta, not {threshold!r}")
    return min(max(round(threshold / timedelta(milliseconds=1)), 1), _INT64_MAX)


def _log_x_error(error, request) -> None:
    log.warning("idle watch: X error %s", one_line(error))


def _close_quietly(display) -> None:
    try:
        display.close()
    except Exception:  # already gone with the server
        pass

