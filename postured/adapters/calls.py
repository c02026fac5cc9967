"""Is the person in a call or sharing the screen? PipeWire's streams, and open cameras.

Asked only when a reminder falls due, and every 30 s while one is held (the core decides
when); never while simply waiting, so there is no timer here.

- **call**: another program records audio. PipeWire (pipewire-pulse included, so Pulse
  clients count too) lists every recording as a node of ``media.class``
  ``Stream/Input/Audio``; one that is ``running`` and belongs to another process is a
  call. Level meters (``resample.peaks``, e.g. pavucontrol's) and recordings of what is
  playing (``stream.monitor``, ``stream.capture.sink``) are not a microphone.
- **screencast**: a running video node that is no capture device: a ``Video/Source`` or
  ``Stream/Output/Video`` node without ``device.api`` is what a compositor or
  xdg-desktop-portal offers when a screen or window is cast (GNOME's mutter,
  xdg-desktop-portal-wlr, KWin); so is any video node whose ``media.role`` is ``Screen``.
- **camera**: a ``/dev/video*`` device held open by another process (the links in
  ``/proc/*/fd``, scanned only when a reminder is due and only if such a device exists),
  or a running PipeWire camera node (``Video/Source`` with a ``device.api``), because
  PipeWire itself keeps the devices open while nobody watches.

``pw-dump`` (pipewire-bin) prints the graph as JSON; running it costs ~15 ms. Without
PipeWire one line in the log says so, and calls and screen casts do not hold reminders
until it answers again.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import subprocess

from postured.core.holds import Hold

log = logging.getLogger("postured")

PW_DUMP_TIMEOUT = 3.0  # seconds: a hung PipeWire must not hold up the reminder that asked
SENSES = frozenset({Hold.CALL, Hold.SCREENCAST, Hold.CAMERA})
NODE = "PipeWire:Interface:Node"
# Processes that keep camera devices open for others: their streams are read from PipeWire.
MEDIA_SERVERS = frozenset({"pipewire", "wireplumber", "pipewire-media-session"})


def _true(value) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def nodes(dump: list[dict]) -> list[tuple[dict, str]]:
    """(props, state) of every node in ``pw-dump``'s JSON."""
    found = []
    for entry in dump:
        info = entry.get("info") if isinstance(entry, dict) and entry.get("type") == NODE else None
        if isinstance(info, dict):
            found.append((info.get("props") or {}, info.get("state") or ""))
    return found


def recording(props: dict, state: str, own_pid: int) -> bool:
    """A program other than us records audio: a microphone in use."""
    return (props.get("media.class") == "Stream/Input/Audio" and state == "running"
            and props.get("application.process.id") != own_pid
            and not any(_true(props.get(key)) for key in ("resample.peaks", "stream.monitor",
                                                        "stream.capture.sink")))


def casting(props: dict, state: str) -> bool:
    """A screen or window is being cast: a running video stream that is no capture device."""
    media_class = props.get("media.class", "")
    if state != "running" or "Video" not in media_class:
        return False
    if str(props.get("media.role", "")).lower() == "screen":
        return True
    return media_class in ("Video/Source", "Stream/Output/Video") and "device.api" not in props


def camera_streaming(props: dict, state: str) -> bool:
    """PipeWire streams from a camera device (v4l2, libcamera)."""
    return props.get("media.class") == "Video/Source" and state == "running" and "device.api" in props


def holds_in(dump: list[dict], own_pid: int) -> frozenset[Hold]:
    found = set()
    for props, state in nodes(dump):
        if recording(props, state, own_pid):
            found.add(Hold.CALL)
        if casting(props, state):
            found.add(Hold.SCREENCAST)
        if camera_streaming(props, state):
            found.add(Hold.CAMERA)
    return frozenset(found)


def devices_open(pattern: str, proc: str = "/proc", own_pid: int | None = None) -> list[tuple[int, str]]:
    """(pid, device) for every device matching ``pattern`` that another process holds open."""
    devices = {os.path.realpath(path) for path in glob.glob(pattern)}
    if not devices:
        return []  # no camera: nothing to scan
    own_pid = os.getpid() if own_pid is None else own_pid
    found = []
    for pid in (int(name) for name in os.listdir(proc) if name.isdigit()):
        if pid == own_pid or _command(proc, pid) in MEDIA_SERVERS:
            continue
        try:
            fds = os.listdir(f"{proc}/{pid}/fd")
        except OSError:  # gone, or another user's process
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{proc}/{pid}/fd/{fd}")
            except OSError:
                continue
            if target in devices:
                found.append((pid, target))
                break
    return found


def _command(proc: str, pid: int) -> str:
    try:
        with open(f"{proc}/{pid}/comm", encoding="utf-8", errors="replace") as comm:
            return comm.read().strip()
    except OSError:
        return ""


class CallSensor:
    """read() never raises: PipeWire missing or failing is one log line, and reads as nothing held."""

    name = "calls"

    def __init__(self, pw_dump: str = "pw-dump", cameras: str = "/dev/video*", proc: str = "/proc",
                 environ=None):
        self._pw_dump = pw_dump
        self._cameras = cameras
        self._proc = proc
        self._environ = environ  # None: this process's environment (XDG_RUNTIME_DIR finds PipeWire)
        self._failing = False

    def read(self, wanted: frozenset[Hold]) -> frozenset[Hold]:
        found: set[Hold] = set()
        if wanted & SENSES:
            found |= self._from_pipewire()
        if Hold.CAMERA in wanted and Hold.CAMERA not in found:
            try:
                if devices_open(self._cameras, self._proc):
                    found.add(Hold.CAMERA)
            except OSError as exc:
                log.debug("cannot scan for open cameras: %s", exc)
        return frozenset(found) & wanted

    def _from_pipewire(self) -> frozenset[Hold]:
        try:
            done = subprocess.run([self._pw_dump], capture_output=True, text=True, timeout=PW_DUMP_TIMEOUT,
                                  env=self._environ, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
                raise OSError(f"{self._pw_dump}: {why}")
            found = holds_in(json.loads(done.stdout or "[]"), os.getpid())
        except FileNotFoundError:
            self._fail(f"{self._pw_dump} is not installed (Debian: pipewire-bin)")
            return frozenset()
        except subprocess.TimeoutExpired:
            self._fail(f"{self._pw_dump} gave no answer in {PW_DUMP_TIMEOUT:.0f} s")
            return frozenset()
        except (OSError, ValueError) as exc:
            self._fail(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            return frozenset()
        if self._failing:
            self._failing = False
            log.info("PipeWire answers again: calls and screen sharing hold reminders")
        return found

    def _fail(self, why: str) -> None:
        if not self._failing:
            self._failing = True
            log.warning("cannot tell calls or screen sharing: no PipeWire (%s); "
                        "reminders come during calls", why)
