"""Away and back on Wayland, told by real compositors started here: headless sway 1.7
(org_kde_kwin_idle; keys typed with wtype through its virtual keyboard) and headless
KWin 5.27 (ext-idle-notify-v1)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from daemon import ALL_DAY, Daemon
from desktop import wait_until
from test_idle_watch import blocked_waiting, context_switches
from wayland import KDE_IDLE_XML, KWin, Sway, require_wayland
from postured.adapters.wayland_idle.connection import kde_idle
from postured.adapters.presence import make_presence_sensor
from postured.adapters.wayland_idle import THREAD_NAME, make_wayland_sensor, probe

require_wayland()

THRESHOLD = timedelta(milliseconds=1500)


@pytest.fixture(scope="module")
def sway():
    shown = Sway()
    yield shown
    shown.close()


@pytest.fixture(scope="module")
def kwin():
    shown = KWin()
    yield shown
    shown.close()


@pytest.fixture
def watchers():
    made = []
    yield made
    for watcher in made:
        watcher.stop()
    assert not [t for t in threading.enumerate() if t.name == THREAD_NAME]


class Recorder:
    def __init__(self):
        self.events: list[tuple[str, float]] = []
        self._changed = threading.Condition()

    def on_away(self, idle: timedelta) -> None:
        self._add("away")

    def on_back(self) -> None:
        self._add("back")

    def _add(self, kind: str) -> None:
        with self._changed:
            self.events.append((kind, time.monotonic()))
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> tuple[str, float]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.events) >= count, timeout):
                raise AssertionError(f"event {count} never came; got {self.events}")
            return self.events[count - 1]


def watch(compositor, watchers, recorder: Recorder, threshold: timedelta = THRESHOLD):
    watcher = make_wayland_sensor(compositor.env["WAYLAND_DISPLAY"])
    watcher.watch(threshold, recorder.on_away, recorder.on_back)
    watchers.append(watcher)
    started = time.monotonic()
    assert watcher.start()
    return watcher, started


def simulate_activity(kwin: KWin) -> None:
    """User activity as KWin counts it: org_kde_kwin_idle's simulate_user_activity, which
    KWin applies to every idle detector (KWin 5.27 has no virtual keyboard for clients)."""
    from pywayland.client import Display
    from pywayland.protocol.wayland import WlSeat

    display = Display(kwin.env["WAYLAND_DISPLAY"])
    display.connect()
    try:
        registry, offered = display.get_registry(), {}

        def announced(_registry, name, interface, version):
            offered[interface] = name

        registry.dispatcher["global"] = announced
        display.roundtrip()
        seat = registry.bind(offered["wl_seat"], WlSeat, 1)
        idle = registry.bind(offered["org_kde_kwin_idle"], kde_idle().OrgKdeKwinIdle, 1)
        timer = idle.get_idle_timeout(seat, 3_600_000)
        timer.simulate_user_activity()
        display.roundtrip()
    finally:
        display.disconnect()


# ---------------------------------------------------------------- the protocol binding


def test_the_kde_idle_binding_matches_the_protocol_xml_debian_ships():
    """Names, argument types and opcodes (the order) of every request and event."""
    from pywayland.protocol_core import ArgumentType

    kinds = {ArgumentType.NewId: "new_id", ArgumentType.Object: "object", ArgumentType.Uint: "uint"}
    bound = kde_idle()
    for node in ET.parse(KDE_IDLE_XML).getroot().iter("interface"):
        interface = {"org_kde_kwin_idle": bound.OrgKdeKwinIdle,
                     "org_kde_kwin_idle_timeout": bound.OrgKdeKwinIdleTimeout}[node.get("name")]
        assert interface.version == int(node.get("version"))
        for tag, messages in (("request", interface.requests), ("event", interface.events)):
            declared = [(m.get("name"), [a.get("type") for a in m.iter("arg")]) for m in node.iter(tag)]
            ours = [(m.name, [kinds[a.argument_type] for a in m.arguments]) for m in messages]
            assert ours == declared, (node.get("name"), tag)


# ---------------------------------------------------------------- sway 1.7: org_kde_kwin_idle


def test_sway_offers_kdes_idle_protocol(sway):
    assert probe(sway.env["WAYLAND_DISPLAY"]) == "org_kde_kwin_idle"


def test_away_after_the_threshold_and_back_at_a_key_press_under_sway(sway, watchers):
    recorder = Recorder()
    watcher, started = watch(sway, watchers, recorder)
    assert watcher.read().idle == timedelta(0)  # present until the compositor says otherwise
    kind, at = recorder.wait_for(1)
    assert kind == "away" and at - started >= THRESHOLD.total_seconds() - 0.05
    assert watcher.read().idle >= THRESHOLD - timedelta(milliseconds=50)
    sway.type_keys("a")
    kind, back_at = recorder.wait_for(2)
    assert kind == "back" and back_at - at < 5
    assert watcher.read().idle == timedelta(0)
    kind, again = recorder.wait_for(3)  # the next absence counts from the key press
    assert kind == "away" and again - back_at >= THRESHOLD.total_seconds() - 0.1


def test_typing_keeps_the_person_present(sway, watchers):
    recorder = Recorder()
    watch(sway, watchers, recorder, threshold=timedelta(seconds=2))
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:  # a person typing: a key every half threshold
        sway.type_keys("x")
        with recorder._changed:
            recorder._changed.wait_for(lambda: recorder.events, timeout=0.8)
    assert recorder.events == []


def test_a_lower_threshold_while_present_replaces_the_old_timer_at_once(sway, watchers):
    recorder = Recorder()
    watcher, started = watch(sway, watchers, recorder, threshold=timedelta(hours=1))
    watcher.set_threshold(THRESHOLD)
    kind, at = recorder.wait_for(1)
    assert kind == "away" and at - started < 10


def test_a_new_threshold_while_away_counts_from_the_next_absence(sway, watchers):
    recorder = Recorder()
    watcher, _ = watch(sway, watchers, recorder)
    assert recorder.wait_for(1)[0] == "away"
    longer = timedelta(seconds=3)
    watcher.set_threshold(longer)
    sway.type_keys("c")
    kind, back_at = recorder.wait_for(2)
    assert kind == "back"
    kind, away_at = recorder.wait_for(3)
    assert kind == "away" and away_at - back_at >= longer.total_seconds() - 0.1


def test_the_watcher_thread_never_wakes_while_nothing_happens(sway, watchers):
    recorder = Recorder()
    watch(sway, watchers, recorder, threshold=timedelta(milliseconds=300))
    assert recorder.wait_for(1)[0] == "away"
    [thread] = [t for t in threading.enumerate() if t.name == THREAD_NAME]
    wait_until(lambda: blocked_waiting(thread), "the watcher thread to go back to select()")

    before = context_switches(thread)
    threading.Event().wait(3)  # a quiet stretch: no input, nothing to report
    after = context_switches(thread)
    assert after == before, f"the watcher thread woke while idle: {before} -> {after}"

    sway.type_keys("b")  # and it still answers
    assert recorder.wait_for(2)[0] == "back"


def test_a_lost_compositor_ends_the_watch_with_one_line(caplog):
    own = Sway()
    try:
        watcher = make_wayland_sensor(own.env["WAYLAND_DISPLAY"])
        watcher.watch(timedelta(hours=1), lambda idle: None, lambda: None)
        with caplog.at_level(logging.WARNING, logger="postured"):
            assert watcher.start()
            own.stop("sway")
            wait_until(lambda: not watcher.watching, "the watcher to notice the compositor is gone")
        watcher.stop()
        assert watcher.read() is None  # cannot tell any more
    finally:
        own.close()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("idle watch stopped:"), lines


# ---------------------------------------------------------------- KWin 5.27: ext-idle-notify-v1


def test_kwin_offers_ext_idle_notify(kwin):
    assert probe(kwin.env["WAYLAND_DISPLAY"]) == "ext-idle-notify-v1"  # version 1: no input-only variant


def test_away_after_the_threshold_and_back_on_activity_under_kwin(kwin, watchers):
    recorder = Recorder()
    watcher, started = watch(kwin, watchers, recorder)
    kind, at = recorder.wait_for(1)
    # KWin's timers are Qt's coarse ones, which may fire up to 5 % early.
    assert kind == "away" and at - started >= THRESHOLD.total_seconds() * 0.94
    simulate_activity(kwin)
    kind, _ = recorder.wait_for(2)
    assert kind == "back"
    assert watcher.read().idle == timedelta(0)


# ---------------------------------------------------------------- picking the source


def test_the_picker_uses_the_compositor_and_never_xwaylands_x11(sway, caplog):
    environ = {"WAYLAND_DISPLAY": sway.env["WAYLAND_DISPLAY"], "DISPLAY": ":0",
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    with caplog.at_level(logging.INFO, logger="postured"):
        sensor = make_presence_sensor(environ, platform="linux", wayland=make_wayland_sensor)
    assert sensor.name == "wayland org_kde_kwin_idle"
    assert caplog.records == []


def test_without_a_compositor_one_line_says_why_and_nothing_is_watched(tmp_path, caplog):
    environ = {"WAYLAND_DISPLAY": str(tmp_path / "wayland-gone"), "DISPLAY": ":0",
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    with caplog.at_level(logging.INFO, logger="postured"):
        sensor = make_presence_sensor(environ, platform="linux", wayland=make_wayland_sensor)
    assert sensor.name == "null"
    (line,) = [r.getMessage() for r in caplog.records]
    assert "no idle-time source under this Wayland compositor: cannot connect to Wayland display" in line


def test_the_daemon_names_its_wayland_idle_source(sway, tmp_path):
    env = {**sway.env, "TZ": "UTC", "POSTURED_NOTIFIER": "null"}
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("away detection through wayland org_kde_kwin_idle")
        daemon.wait_for_log("running with")
        assert "x11" not in daemon.log and "Traceback" not in daemon.log
    finally:
        daemon.stop()


@pytest.mark.slow
def test_nobody_at_the_keyboard_under_sway_is_a_natural_break_not_a_reminder_a_minute(sway, tmp_path):
    """Issue 14: on sway a reminder came every interval for 45 minutes of absence."""
    env = {**sway.env, "TZ": "UTC", "POSTURED_NOTIFIER": "null"}
    config = ALL_DAY.format(interval="25s") + '[presence]\nnatural_break = "1m"\n'
    daemon = Daemon(tmp_path, env, config, args=("run", "--no-tray"))

    def status() -> dict:
        done = subprocess.run([sys.executable, "-m", "postured", "--config", str(daemon.config), "status",
                               "--json"], env=daemon.env, capture_output=True, text=True, timeout=30)
        return json.loads(done.stdout)

    try:
        daemon.wait_for_log("away detection through wayland org_kde_kwin_idle")
        sway.type_keys("a")  # someone was here at the start
        daemon.wait_for_event("natural_break", timeout=100)  # a minute after the last key
        # Shown at 25 s, missed and shown again at 50 s, walked away from at 60 s.
        assert daemon.kinds() == ["shown", "missed", "shown", "missed", "natural_break"]
        assert status()["next_reminder"] is None  # no reminder while away
        sway.type_keys("b")  # back: the interval counts from now
        wait_until(lambda: status()["next_reminder"] is not None, "a next reminder once back", 15)
        assert daemon.kinds()[-1] == "natural_break"
    finally:
        daemon.stop()
