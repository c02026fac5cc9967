"""Presence sensors and the sleep watcher, on a real X server and a real D-Bus bus.

Idle time and fullscreen are read from Xvfb with openbox as the window manager, input
comes from xdotool, windows are real Tk windows. Services this test machine does not run
(Mutter's idle monitor, a screen saver, logind) are stood in for by this test, owning
their names on the desktop's private bus: that checks our calls' names, paths and
signatures through a real bus daemon, not the services' own behaviour.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from desktop import Desktop, missing_programs, wait_until

from postured.adapters.presence import (
    MacSensor,
    NullSensor,
    WindowsSensor,
    X11Sensor,
    make_presence_sensor,
    parse_hid_idle,
    ticks_between,
)
from postured.adapters.sleep import SleepWatcher
from postured.core.presence import Presence

# ---------------------------------------------------------------- picking a backend


def test_the_null_sensor_cannot_tell_and_never_raises():
    sensor = NullSensor()
    assert sensor.name == "null"
    assert sensor.read() is None


@pytest.mark.parametrize("name", ["x11", "gnome", "windows", "macos", "null"])
def test_postured_presence_chooses_the_backend(name):
    environ = {"POSTURED_PRESENCE": f" {name.upper()} ", "DISPLAY": ":0"}
    assert make_presence_sensor(environ, platform="linux").name == name


def test_an_unknown_backend_name_is_said_clearly_and_nothing_is_watched(caplog):
    with caplog.at_level(logging.INFO, logger="postured"):
        sensor = make_presence_sensor({"POSTURED_PRESENCE": "mir", "DISPLAY": ":0"}, platform="linux")
    assert sensor.name == "null"
    assert [r.getMessage() for r in caplog.records] == [
        "POSTURED_PRESENCE=mir is not one of x11, gnome, wayland, windows, macos, null; not watching presence"]


@pytest.mark.parametrize("platform, environ, expected", [
    ("win32", {}, "windows"),
    ("darwin", {"DISPLAY": ":0"}, "macos"),
    ("linux", {"DISPLAY": ":0"}, "x11"),
    ("freebsd14", {"DISPLAY": ":0"}, "x11"),
    ("linux", {}, "null"),
])
def test_each_platform_has_its_order(platform, environ, expected):
    assert make_presence_sensor(environ, platform=platform).name == expected


def test_wayland_without_mutter_watches_nothing_rather_than_trusting_xwayland(caplog):
    environ = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0",
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    with caplog.at_level(logging.INFO, logger="postured"):
        sensor = make_presence_sensor(environ, platform="linux")
    assert sensor.name == "null"
    assert len(caplog.records) == 1 and "Wayland compositor" in caplog.records[0].getMessage()


def test_picking_a_sensor_imports_neither_xlib_nor_gio():
    # The daemon must start light: libraries load on the first read.
    code = ("import sys; from postured.adapters.presence import make_presence_sensor; "
            "s = make_presence_sensor({'DISPLAY': ':0'}, 'linux'); "
            "print(s.name, 'Xlib' in sys.modules, 'gi' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["x11", "False", "False"]


# ---------------------------------------------------------------- Windows, macOS (the pure parts)


def test_windows_tick_arithmetic_survives_the_49_day_wraparound():
    assert ticks_between(1_000, 61_000) == 60_000
    # Last input just before the 32-bit counter wrapped, now just after it.
    assert ticks_between(0xFFFF_FF00, 0x0000_0100) == 0x200
    # GetTickCount read through a signed int still comes out right.
    assert ticks_between(0xFFFF_FFF0, -16 + 0x10) == 0x10


IOREG_SAMPLE = """\
+-o Root  <class IORegistryEntry, id 0x100000100, retain 26>
  +-o MacBookAir10,1  <class IOPlatformExpertDevice, id 0x100000113, registered, matched, active, busy 0 (0 ms), retain 40>
    +-o AppleARMPE  <class AppleARMPE, id 0x100000114, registered, matched, active, busy 0 (0 ms), retain 67>
      +-o IOResources  <class IOResources, id 0x100000110, registered, matched, active, busy 0 (0 ms), retain 48>
        +-o IOHIDSystem  <class IOHIDSystem, id 0x1000004a6, registered, matched, active, busy 0 (0 ms), retain 20>
            {
              "HIDParameters" = {"HIDKeyRepeat"=83333333,"HIDClickTime"=500000000}
              "HIDIdleTime" = 93512345678
              "IOClass" = "IOHIDSystem"
            }
"""


def test_macos_idle_time_is_read_from_ioreg_nanoseconds():
    assert parse_hid_idle(IOREG_SAMPLE) == timedelta(seconds=93, microseconds=512345)
    assert parse_hid_idle(IOREG_SAMPLE.replace('"HIDIdleTime" = 93512345678\n', "")) is None


@pytest.mark.parametrize("sensor", [WindowsSensor(), MacSensor()], ids=["windows", "macos"])
def test_a_sensor_that_cannot_work_here_reads_none_and_warns_once(sensor, caplog):
    if sensor.name == "macos" and shutil.which("ioreg"):
        pytest.skip("ioreg exists here")
    with caplog.at_level(logging.INFO, logger="postured"):
        assert sensor.read() is None
        assert sensor.read() is None
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert message.startswith(f"cannot tell whether you are at the keyboard ({sensor.name}: ")
    assert "\n" not in message


# ---------------------------------------------------------------- a real X server


def require_desktop() -> None:
    missing = missing_programs() + ([] if shutil.which("openbox") else ["openbox"])
    if missing:
        message = "the test desktop needs the Debian packages: " + " ".join(sorted(set(missing)))
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run these tests, not skip them)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    require_desktop()
    shown = Desktop(tmp_path_factory.mktemp("presence") / "desktop", tray=False, notifications=False)
    try:
        shown.start_window_manager()
        yield shown
    finally:
        shown.close()


def environ_of(desktop: Desktop) -> dict[str, str]:
    # The private bus stands in for the system bus too: no logind there, lock unknown.
    return {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": desktop.bus_address}


@pytest.mark.desktop
def test_idle_time_comes_from_the_x_server_and_input_resets_it(screen):
    sensor = make_presence_sensor(environ_of(screen), platform="linux")
    assert sensor.name == "x11"
    before = wait_until(lambda: (p := sensor.read()) and p.idle >= timedelta(milliseconds=300) and p,
                        "idle time to pass 300 ms")
    screen.xdotool("mousemove", "--sync", "123", "45")
    after = sensor.read()
    assert after.idle < before.idle
    assert after.idle < timedelta(seconds=1)
    assert after.locked is False


@pytest.mark.desktop
def test_events_sent_to_every_client_do_not_pile_up_in_the_kept_connection(screen):
    sensor = X11Sensor(screen.display)
    sensor.read()
    for _ in range(3):
        screen.xdotool("key", "U1F600")  # not on the keymap: xdotool remaps a key, X sends MappingNotify
    sensor.read()
    sensor.read()
    assert sensor._display.display.event_queue == []  # python-xlib's queue of unread events


class TkWindow:
    """A real X client: a small Tk window that goes fullscreen and back on command."""

    SCRIPT = """
import sys, tkinter
root = tkinter.Tk(className=sys.argv[1])
root.geometry("240x120")
def command(*_):
    line = sys.stdin.readline().strip()
    if line in ("full", "normal"):
        root.attributes("-fullscreen", line == "full")
    else:
        root.destroy()
root.tk.createfilehandler(sys.stdin, tkinter.READABLE, command)
root.mainloop()
"""

    def __init__(self, desktop: Desktop, name: str):
        self.desktop = desktop
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, name], stdin=subprocess.PIPE,
                                     env=desktop.env, text=True)
        self.id = wait_until(lambda: desktop.windows(name), f"the Tk window {name}")[0]

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def activate(self) -> None:
        self.desktop.xdotool("windowactivate", "--sync", self.id)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            self.proc.wait(10)


@pytest.mark.desktop
def test_fullscreen_is_read_from_the_active_window(screen, caplog):
    sensor = X11Sensor(screen.display)
    fullscreen = lambda: sensor.read().fullscreen  # noqa: E731
    slides, notes = TkWindow(screen, "slides"), TkWindow(screen, "notes")
    try:
        slides.activate()
        assert fullscreen() is False
        slides.send("full")
        wait_until(fullscreen, "the sensor to see the fullscreen window", 10)

        notes.activate()  # the fullscreen window is still there, but not the active one
        wait_until(lambda: not fullscreen(), "the sensor to see a normal window active", 10)
        notes.close()
        slides.activate()
        wait_until(fullscreen, "the fullscreen window active again", 10)

        slides.send("normal")
        wait_until(lambda: not fullscreen(), "the sensor to see the window leave fullscreen", 10)
        slides.send("full")
        wait_until(fullscreen, "fullscreen once more", 10)
        with caplog.at_level(logging.INFO, logger="postured"):
            # The last window goes away while fullscreen; openbox may still name it active.
            slides.close()
            wait_until(lambda: not fullscreen(), "no fullscreen after the window closed", 10)
            assert sensor.read() is not None
        assert caplog.records == []
    finally:
        slides.close()
        notes.close()


@pytest.mark.desktop
def test_the_x_server_going_away_reads_none_with_one_warning(tmp_path, caplog):
    require_desktop()
    desktop = Desktop(tmp_path / "desktop", tray=False, notifications=False)
    try:
        sensor = X11Sensor(desktop.display)
        assert isinstance(sensor.read(), Presence)
        desktop.stop("xvfb")
        with caplog.at_level(logging.INFO, logger="postured"):
            assert sensor.read() is None
            assert sensor.read() is None  # tries to reconnect, quietly
        assert len(caplog.records) == 1
        assert caplog.records[0].getMessage().startswith("cannot tell whether you are at the keyboard (x11: ")
    finally:
        desktop.close()


@pytest.mark.desktop
def test_an_x_server_without_the_screen_saver_extension_is_named(tmp_path, caplog):
    require_desktop()
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp",
                             "-extension", "MIT-SCREEN-SAVER"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            display = ":" + pipe.readline().strip()
        sensor = X11Sensor(display)
        with caplog.at_level(logging.INFO, logger="postured"):
            assert sensor.read() is None
            assert sensor.read() is None
        assert [r.getMessage() for r in caplog.records] == [
            "cannot tell whether you are at the keyboard (x11: Unavailable: the X server has no "
            "MIT-SCREEN-SAVER extension); breaks come as scheduled"]
    finally:
        xvfb.terminate()
        xvfb.wait(10)


# ---------------------------------------------------------------- D-Bus: stand-ins on a real bus


def connect(address: str):
    from gi.repository import Gio

    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


def own_name(connection, name: str) -> None:
    from gi.repository import Gio, GLib

    (result,) = connection.call_sync(
        "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
        GLib.Variant("(su)", (name, 4)), None, Gio.DBusCallFlags.NONE, 5000, None).unpack()
    assert result == 1, f"could not own {name}"


class StandIn:
    """Owns ``name`` on the bus and answers one interface's methods from ``answers``."""

    def __init__(self, address: str, name: str, path: str, xml: str, answers: dict):
        self.answers = answers
        self._args = (address, name, path, xml)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "the stand-in service did not start"

    def _serve(self) -> None:
        from gi.repository import Gio, GLib

        address, name, path, xml = self._args
        self._context = GLib.MainContext.new()
        self._context.push_thread_default()
        connection = connect(address)
        connection.register_object(path, Gio.DBusNodeInfo.new_for_xml(xml).interfaces[0], self._call)
        own_name(connection, name)
        self._loop = GLib.MainLoop.new(self._context, False)
        self._ready.set()
        self._loop.run()
        connection.close_sync(None)

    def _call(self, _connection, _sender, _path, _interface, method, _args, invocation) -> None:
        invocation.return_value(self.answers[method]())

    def close(self) -> None:
        from gi.repository import GLib

        source = GLib.idle_source_new()
        source.set_callback(lambda *_: self._loop.quit() or False)
        source.attach(self._context)
        self._thread.join(10)


SCREEN_SAVER_XML = """<node><interface name="org.freedesktop.ScreenSaver">
  <method name="GetActive"><arg type="b" direction="out"/></method>
</interface></node>"""

MUTTER_XML = """<node><interface name="org.gnome.Mutter.IdleMonitor">
  <method name="GetIdletime"><arg type="t" direction="out"/></method>
</interface></node>"""


@pytest.mark.desktop
def test_a_locked_screen_is_read_from_the_screen_saver(screen, caplog):
    from gi.repository import GLib

    sensor = make_presence_sensor(environ_of(screen), platform="linux")
    with caplog.at_level(logging.INFO, logger="postured"):
        assert sensor.read().locked is False  # nothing answers: unknown counts as not locked
        assert sensor.read().locked is False
    assert [r.getMessage() for r in caplog.records] == [
        "no screen-lock service answers; a locked screen counts as away through idle time only"]

    active = {"now": True}
    saver = StandIn(screen.bus_address, "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                    SCREEN_SAVER_XML, {"GetActive": lambda: GLib.Variant("(b)", (active["now"],))})
    try:
        assert sensor.read().locked is True
        active["now"] = False
        assert sensor.read().locked is False
    finally:
        saver.close()
    assert sensor.read().locked is False  # the screen saver went away


@pytest.mark.desktop
def test_gnome_on_wayland_reads_mutters_idle_monitor(screen):
    from gi.repository import GLib

    environ = {"WAYLAND_DISPLAY": "wayland-0", "DBUS_SESSION_BUS_ADDRESS": screen.bus_address,
               "DBUS_SYSTEM_BUS_ADDRESS": screen.bus_address}
    mutter = StandIn(screen.bus_address, "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
                     MUTTER_XML, {"GetIdletime": lambda: GLib.Variant("(t)", (4242,))})
    try:
        sensor = make_presence_sensor(environ, platform="linux")
        assert sensor.name == "gnome"
        assert sensor.read() == Presence(idle=timedelta(milliseconds=4242), fullscreen=False, locked=False)
    finally:
        mutter.close()
    assert sensor.read() is None  # Mutter gone: cannot tell


# ---------------------------------------------------------------- suspend and resume


class Recorder:
    def __init__(self):
        self.calls: list[str] = []
        self.woke = threading.Event()
        self.slept = threading.Event()

    def on_sleep(self):
        self.calls.append("sleep")
        self.slept.set()

    def on_wake(self):
        self.calls.append("wake")
        self.woke.set()


def prepare_for_sleep(connection, going: bool) -> None:
    from gi.repository import GLib

    connection.emit_signal(None, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                           "PrepareForSleep", GLib.Variant("(b)", (going,)))
    connection.flush_sync(None)


@pytest.mark.desktop
def test_suspend_and_resume_reach_the_callbacks(screen):
    logind = connect(screen.bus_address)
    own_name(logind, "org.freedesktop.login1")
    recorder = Recorder()
    watcher = SleepWatcher(recorder.on_sleep, recorder.on_wake, bus_address=screen.bus_address)
    try:
        assert watcher.start() is True
        # Anyone may emit a signal; only logind's count. This one comes first and must be ignored.
        subprocess.run(["dbus-send", f"--bus={screen.bus_address}", "--type=signal",
                        "/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep",
                        "boolean:true"], check=True, timeout=10)
        prepare_for_sleep(logind, False)
        assert recorder.woke.wait(10)
        assert recorder.calls == ["wake"]
        prepare_for_sleep(logind, True)
        assert recorder.slept.wait(10)
        assert recorder.calls == ["wake", "sleep"]
    finally:
        watcher.stop()
        logind.close_sync(None)
    assert not any(t.name == "sleep-watch" for t in threading.enumerate())


@pytest.mark.desktop
def test_a_failing_callback_is_logged_and_the_watcher_keeps_going(screen, caplog):
    logind = connect(screen.bus_address)
    own_name(logind, "org.freedesktop.login1")
    recorder = Recorder()
    watcher = SleepWatcher(lambda: 1 / 0, recorder.on_wake, bus_address=screen.bus_address)
    try:
        with caplog.at_level(logging.INFO, logger="postured"):
            assert watcher.start() is True
            prepare_for_sleep(logind, True)
            prepare_for_sleep(logind, False)
            assert recorder.woke.wait(10)
        assert [r.getMessage() for r in caplog.records] == [
            "handling suspend failed: ZeroDivisionError: division by zero"]
    finally:
        watcher.stop()
        logind.close_sync(None)


@pytest.mark.desktop
def test_without_logind_the_watcher_says_so_once_and_stops(screen, caplog):
    recorder = Recorder()
    watcher = SleepWatcher(recorder.on_sleep, recorder.on_wake, bus_address=screen.bus_address)
    with caplog.at_level(logging.INFO, logger="postured"):
        assert watcher.start() is False
        watcher.stop()
    assert [r.getMessage() for r in caplog.records] == [
        "not watching for suspend and resume: no logind on the system bus"]


def test_without_a_system_bus_the_watcher_says_so_once(tmp_path, caplog):
    watcher = SleepWatcher(lambda: None, lambda: None, bus_address=f"unix:path={tmp_path / 'no-bus'}")
    with caplog.at_level(logging.INFO, logger="postured"):
        assert watcher.start() is False
        watcher.stop()
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert message.startswith("not watching for suspend and resume: no system bus (")
    assert "\n" not in message
