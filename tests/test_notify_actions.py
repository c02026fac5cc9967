"""Reminder buttons on a real desktop: dunst on a private session bus, pressed through its
context menu (`dunstctl context` and the test desktop's dmenu script).

A separate connection eavesdrops on the server's signals (the test bus allows it), so a
test can tell a press that dunst really sent, and postured ignored, from one never sent.
"""

from __future__ import annotations

import logging
import threading

import pytest
from desktop import Desktop, require_desktop, wait_until

from postured.adapters import notify_actions
from postured.adapters.notify import PlyerNotifier, make_notifier
from postured.adapters.notify_actions import ActionNotifier, make_action_notifier

pytestmark = pytest.mark.desktop

require_desktop()

gi = pytest.importorskip("gi")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


class Answers:
    """on_action for the tests: records each key; a test can make it hold the notifier's thread."""

    def __init__(self):
        self.keys: list[str] = []
        self.changed = threading.Condition()
        self.hold: threading.Event | None = None  # set by a test: the next call waits for it
        self.holding = threading.Event()

    def __call__(self, key: str) -> None:
        with self.changed:
            self.keys.append(key)
            self.changed.notify_all()
        if self.hold is not None:
            self.holding.set()
            self.hold.wait(15)

    def wait(self, count: int, timeout: float = 10) -> list[str]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.keys) >= count, timeout), \
                f"on_action was called {self.keys}, waited for {count} call(s)"
            return list(self.keys)


class ServerSignals:
    """Every ActionInvoked / NotificationClosed the server sends, to anyone (eavesdropping)."""

    def __init__(self, address: str):
        self.seen: list[tuple[str, tuple]] = []
        self.changed = threading.Condition()
        self.connection = Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None,
        )
        # The filter runs on GDBus's own worker thread: no main loop needed here.
        self.connection.add_filter(self._filter)
        rule = f"type='signal',interface='{notify_actions.INTERFACE}',eavesdrop='true'"
        self.connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                  "AddMatch", GLib.Variant("(s)", (rule,)), None, 0, 5000, None)

    def _filter(self, _connection, message, incoming):
        if incoming and message.get_message_type() == Gio.DBusMessageType.SIGNAL \
                and message.get_interface() == notify_actions.INTERFACE:
            with self.changed:
                self.seen.append((message.get_member(), message.get_body().unpack()))
                self.changed.notify_all()
        return message

    def wait(self, member: str, args: tuple, timeout: float = 10) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: (member, args) in self.seen, timeout), \
                f"the server did not send {member}{args}; it sent {self.seen}"

    def close(self) -> None:
        self.connection.close_sync(None)


@pytest.fixture
def desktop(tmp_path, monkeypatch):
    shown = Desktop(tmp_path / "desktop", tray=False)
    print(f"desktop artifacts: {shown.root}")
    for key, value in shown.env.items():
        monkeypatch.setenv(key, value)
    yield shown
    shown.close()


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG, logger="postured")
    return caplog


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def notifier(desktop, answers):
    made = make_action_notifier("", answers)
    assert isinstance(made, ActionNotifier)
    yield made
    made.close()


@pytest.fixture
def signals(desktop):
    watching = ServerSignals(desktop.bus_address)
    yield watching
    watching.close()


def shown_at_dunst(desktop: Desktop, summary: str) -> dict:
    """The notification with ``summary`` in dunst's log (written when dunst shows it)."""
    found = wait_until(lambda: [n for n in desktop.notifications() if n["summary"] == summary],
                       f"{summary!r} at dunst", 15)
    return found[-1]



def test_a_reminder_shows_done_snooze_and_start_at_dunst(desktop, notifier, answers):
    notifier.remind("Posture break: Chin tuck", "Sit tall <b>and</b> tuck & hold")
    note = shown_at_dunst(desktop, "Posture break: Chin tuck")
    assert note["app_name"] == "postured"
    assert note["body"] == "Sit tall &lt;b&gt;and&lt;/b&gt; tuck &amp; hold"  # text, not markup
    desktop.press_action("Start exercise")
    offered = (desktop.root / "actions.txt").read_text().splitlines()
    assert offered == [f"#{label} (Posture break: Chin tuck) [{note['id']},{key}]"
                       for key, label in notify_actions.ACTIONS]
    assert answers.wait(1) == ["start"]


def test_the_reminder_carries_the_exercise_picture_by_path(desktop, answers, tmp_path):
    """image-path names the PNG; dunst reads the file and reports it as the notification's
    ICON_PATH, ahead of the app icon (as the spec orders them). dunst 1.9 puts only an
    image there: a reminder without a picture reports none, whatever its app icon."""
    from PIL import Image

    picture = tmp_path / "chin-tuck-128.png"
    Image.new("RGB", (128, 128), "white").save(picture)
    app_icon = tmp_path / "due.png"
    Image.new("RGB", (16, 16), "orange").save(app_icon)
    made = make_action_notifier(str(app_icon), answers)
    try:
        made.remind("Posture break: Pictured", "Draw your chin straight back.", image=str(picture))
        assert shown_at_dunst(desktop, "Posture break: Pictured")["icon_path"] == str(picture)
        made.remind("Posture break: Plain", "No picture.")
        assert shown_at_dunst(desktop, "Posture break: Plain")["icon_path"] == ""
    finally:
        made.close()


def test_pressing_done_through_dunst_answers_once_and_clears_the_reminder(desktop, notifier, answers, signals):
    notifier.remind("Posture break: Neck turn", "Turn slowly.")
    note = shown_at_dunst(desktop, "Posture break: Neck turn")
    desktop.press_action("Done")
    assert answers.wait(1) == ["done"]
    # dunst keeps a notification after an action; the notifier closes it (reason 3: by a call).
    signals.wait("NotificationClosed", (int(note["id"]), 3))
    assert desktop.displayed() == 0
    assert answers.keys == ["done"]


def test_snooze_and_start_come_through_too(desktop, notifier, answers):
    notifier.remind("Posture break: Shoulder roll", "Roll back.")
    shown_at_dunst(desktop, "Posture break: Shoulder roll")
    desktop.press_action("Snooze")
    assert answers.wait(1) == ["snooze"]
    notifier.remind("Posture break: Wall slide", "Slide up.")
    shown_at_dunst(desktop, "Posture break: Wall slide")
    desktop.press_action("Start exercise")
    assert answers.wait(2) == ["snooze", "start"]


def test_a_new_reminder_replaces_the_one_on_screen(desktop, notifier, answers):
    notifier.remind("Posture break: First", "One.")
    first = shown_at_dunst(desktop, "Posture break: First")
    notifier.remind("Posture break: Second", "Two.")
    second = shown_at_dunst(desktop, "Posture break: Second")
    assert second["id"] == first["id"]  # replaced, as the spec says: same id
    assert desktop.displayed() == 1  # not stacked
    line = desktop.press_action("Done")
    assert line == f"#Done (Posture break: Second) [{second['id']},done]"
    assert answers.wait(1) == ["done"]


def test_a_second_press_and_an_old_reminder_are_ignored(desktop, notifier, answers, signals, log):
    """Done is held inside on_action while Snooze is pressed on the same reminder: the
    Snooze dunst sends is ignored (answered, then closed); the next reminder is new."""
    answers.hold = threading.Event()
    notifier.remind("Posture break: Old", "Old one.")
    old = int(shown_at_dunst(desktop, "Posture break: Old")["id"])
    desktop.press_action("Done")
    assert answers.holding.wait(10)
    desktop.press_action("Snooze", "Posture break: Old")
    signals.wait("ActionInvoked", (old, "snooze"))  # really sent, while Done is being handled
    answers.hold.set()
    signals.wait("NotificationClosed", (old, 3))

    answers.hold = None
    notifier.remind("Posture break: New", "New one.")
    new = int(shown_at_dunst(desktop, "Posture break: New")["id"])
    assert new != old  # the old reminder was closed, so this is a new notification
    desktop.press_action("Done", "Posture break: New")
    # Signals arrive in order: when New's Done is in, Old's Snooze was handled already.
    assert answers.wait(2) == ["done", "done"]
    assert f"ignored button 'snooze' of notification {old}" in log.text


def test_withdraw_takes_the_reminder_off_the_screen(desktop, notifier, answers, signals):
    notifier.remind("Posture break: Answered in the tray", "Gone soon.")
    note = shown_at_dunst(desktop, "Posture break: Answered in the tray")
    notifier.withdraw()
    signals.wait("NotificationClosed", (int(note["id"]), 3))
    assert desktop.displayed() == 0
    notifier.remind("Posture break: Next", "Still works.")
    shown_at_dunst(desktop, "Posture break: Next")
    desktop.press_action("Done")
    assert answers.wait(1) == ["done"]


def test_a_plain_notification_has_no_buttons_and_leaves_the_reminder(desktop, notifier, answers):
    notifier.remind("Posture break: Stays", "Stays.")
    reminder = shown_at_dunst(desktop, "Posture break: Stays")
    notifier.show("postured: config not applied", "line 3: <bad>")
    note = shown_at_dunst(desktop, "postured: config not applied")
    assert note["id"] != reminder["id"] and note["body"] == "line 3: &lt;bad&gt;"
    assert desktop.displayed() == 2
    line = desktop.press_action("Done")
    assert "Posture break: Stays" in line  # the only buttons on screen are the reminder's
    assert answers.wait(1) == ["done"]


def test_a_hung_server_is_reported_once_and_the_newest_reminder_follows(desktop, notifier, answers, log):
    desktop.freeze("dunst")  # SIGSTOP: the name stays on the bus, nothing answers
    try:
        notifier.remind("Posture break: While hung", "First.")
        notifier.remind("Posture break: Skipped", "Second.")
        notifier.remind("Posture break: Newest", "Third.")
        wait_until(lambda: notify_actions.NOT_ANSWERING in log.text, "the not-answering warning", 10)
    finally:
        desktop.thaw("dunst")
    shown_at_dunst(desktop, "Posture break: Newest")
    assert log.text.count(notify_actions.NOT_ANSWERING) == 1
    assert "Posture break: Skipped" not in [n["summary"] for n in desktop.notifications()]
    assert desktop.displayed() == 1
    desktop.press_action("Done", "Posture break: Newest")
    assert answers.wait(1) == ["done"]


def test_buttons_where_the_server_has_them_plain_plyer_otherwise(desktop, answers):
    with_buttons = make_action_notifier("", answers)
    try:
        assert isinstance(with_buttons, ActionNotifier)
    finally:
        with_buttons.close()
    assert isinstance(make_notifier(""), PlyerNotifier)  # the fallback app.py takes


# ------------------------------------------------------------ falling back


def fallback_lines(log) -> list[str]:
    return [r.getMessage() for r in log.records if r.getMessage().startswith("no buttons on reminders")]


def test_no_notification_server_on_the_bus_falls_back_with_one_line(tmp_path, monkeypatch, answers, log):
    desktop = Desktop(tmp_path / "desktop", tray=False, notifications=False)
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.bus_address)
        assert make_action_notifier("", answers) is None
        assert fallback_lines(log) == ["no buttons on reminders: no notification server on the session bus; "
                                       "answer them from the tray or the command line"]
        assert all(r.levelno == logging.INFO for r in log.records if r.name == "postured")
    finally:
        desktop.close()


def test_no_session_bus_falls_back_without_autolaunching_one(tmp_path, monkeypatch, answers, log):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no "bus" socket in it
    monkeypatch.setenv("DISPLAY", ":99")  # would invite X11 autolaunch
    assert make_action_notifier("", answers) is None
    assert fallback_lines(log) == ["no buttons on reminders: no session bus (DBUS_SESSION_BUS_ADDRESS is not "
                                   "set); answer them from the tray or the command line"]


def test_the_per_user_bus_in_xdg_runtime_dir_is_found(desktop, monkeypatch, answers):
    """Without DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus (systemd's user bus) is used."""
    runtime = desktop.root / "user-runtime"
    runtime.mkdir()
    (runtime / "bus").symlink_to(desktop.root / "bus")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    notifier = make_action_notifier("", answers)
    try:
        assert isinstance(notifier, ActionNotifier)
        notifier.remind("Posture break: Found", "Via the runtime dir.")
        shown_at_dunst(desktop, "Posture break: Found")
        desktop.press_action("Done")
        assert answers.wait(1) == ["done"]
    finally:
        notifier.close()


def test_a_dead_bus_address_falls_back_with_one_line(tmp_path, monkeypatch, answers, log):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'gone'}")
    assert make_action_notifier("", answers) is None
    [line] = fallback_lines(log)
    assert "Could not connect" in line and "Traceback" not in log.text


def test_a_server_not_answering_at_start_falls_back(desktop, answers, log):
    desktop.freeze("dunst")
    try:
        assert make_action_notifier("", answers, probe_seconds=1) is None
    finally:
        desktop.thaw("dunst")
    assert fallback_lines(log) == ["no buttons on reminders: the notification server is not answering; "
                                   "answer them from the tray or the command line"]


class ServerWithoutButtons:
    """A minimal notification server that does not list "actions" (as notify-osd does).

    dunst always offers actions and no server without them is installable here, so this
    one answers the two calls the capability check makes, on the real bus.
    """

    XML = """<node><interface name="org.freedesktop.Notifications">
      <method name="GetCapabilities"><arg type="as" direction="out"/></method>
      <method name="GetServerInformation"><arg type="s" direction="out"/><arg type="s" direction="out"/>
        <arg type="s" direction="out"/><arg type="s" direction="out"/></method>
    </interface></node>"""

    def __init__(self, address: str):
        self.context = GLib.MainContext()
        self.loop = GLib.MainLoop(self.context)
        self.context.push_thread_default()
        try:
            self.connection = Gio.DBusConnection.new_for_address_sync(
                address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
                None, None,
            )
            interface = Gio.DBusNodeInfo.new_for_xml(self.XML).interfaces[0]
            self.connection.register_object(notify_actions.OBJECT_PATH, interface, self._answer, None, None)
            self.connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                      "RequestName", GLib.Variant("(su)", (notify_actions.BUS_NAME, 4)),
                                      GLib.VariantType("(u)"), 0, 5000, None)
        finally:
            self.context.pop_thread_default()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.context.push_thread_default()
        self.loop.run()

    def _answer(self, _connection, _sender, _path, _interface, method, _params, invocation):
        if method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["body"],)))
        else:
            invocation.return_value(GLib.Variant("(ssss)", ("plain-server", "test", "1.0", "1.2")))

    def close(self):
        self.connection.close_sync(None)
        self.context.invoke_full(GLib.PRIORITY_DEFAULT, self.loop.quit)
        self.thread.join(5)


def test_a_server_without_actions_falls_back(tmp_path, monkeypatch, answers, log):
    desktop = Desktop(tmp_path / "desktop", tray=False, notifications=False)
    server = None
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.bus_address)
        server = ServerWithoutButtons(desktop.bus_address)
        assert desktop.has_bus_name(notify_actions.BUS_NAME)
        assert make_action_notifier("", answers) is None
        assert fallback_lines(log) == ["no buttons on reminders: the notification server (plain-server 1.0) "
                                       "does not offer buttons; answer them from the tray or the command line"]
    finally:
        if server is not None:
            server.close()
        desktop.close()



def crash_and_restart_dunst(desktop: Desktop) -> None:
    """dunst dies as mako 1.7.1 does (SIGKILL: no NotificationClosed), and a new one takes the name."""
    desktop.procs["dunst"].kill()
    desktop.stop("dunst")
    wait_until(lambda: not desktop.has_bus_name(notify_actions.BUS_NAME), "the dead dunst to leave the bus")
    desktop.start_notifications()


def notify_as_another_program(desktop: Desktop, summary: str) -> int:
    connection = Gio.DBusConnection.new_for_address_sync(
        desktop.bus_address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    try:
        reply = connection.call_sync(
            notify_actions.BUS_NAME, notify_actions.OBJECT_PATH, notify_actions.INTERFACE, "Notify",
            GLib.Variant("(susssasa{sv}i)", ("mail", 0, "", summary, "", [], {}, 0)),
            GLib.VariantType("(u)"), 0, 5000, None)
        return reply.unpack()[0]
    finally:
        connection.close_sync(None)


def test_after_the_server_dies_the_next_reminder_reaches_the_new_one_with_buttons(desktop, notifier, answers, log):
    notifier.remind("Posture break: Chin tuck", "Tuck.")
    shown_at_dunst(desktop, "Posture break: Chin tuck")
    crash_and_restart_dunst(desktop)
    notifier.remind("Posture break: Neck turn", "Turn.")
    shown_at_dunst(desktop, "Posture break: Neck turn")
    desktop.press_action("Done", "Posture break: Neck turn")
    assert answers.wait(1) == ["done"]
    assert "could not show a notification" not in log.text


def test_a_reminder_never_replaces_another_programs_notification_at_the_new_server(desktop, notifier):
    notifier.remind("Posture break: Chin tuck", "Tuck.")
    first = shown_at_dunst(desktop, "Posture break: Chin tuck")
    crash_and_restart_dunst(desktop)
    # The new dunst counts from 1 again: the mail notification gets the dead reminder's id.
    assert notify_as_another_program(desktop, "New mail") == int(first["id"])
    shown_at_dunst(desktop, "New mail")
    notifier.remind("Posture break: Neck turn", "Turn.")
    shown_at_dunst(desktop, "Posture break: Neck turn")
    assert desktop.displayed() == 2, "the reminder replaced the mail notification"


def test_a_reminder_lost_with_the_server_shows_at_the_next_one(desktop, notifier, log):
    desktop.procs["dunst"].kill()
    desktop.stop("dunst")
    wait_until(lambda: not desktop.has_bus_name(notify_actions.BUS_NAME), "dunst to leave the bus")
    notifier.remind("Posture break: Chin tuck", "Tuck.")  # nobody owns the name: it fails
    wait_until(lambda: "could not show a notification" in log.text, "the failure in the log")
    desktop.start_notifications()  # what D-Bus activation does on a desktop
    shown_at_dunst(desktop, "Posture break: Chin tuck")
    assert desktop.displayed() == 1
