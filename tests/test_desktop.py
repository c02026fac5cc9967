"""End to end on a real desktop: Xvfb, a private D-Bus bus, dunst, trayer, real clicks.

Each test starts the real `postured run` as a subprocess and checks what a person would
see: the notification dunst received, the tray icon's tooltip, the history database,
the process exiting. Screenshots of the tray menu and of notifications are kept in the
test's tmp dir (the path is printed, and pytest shows it when a test fails).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from daemon import ALL_DAY, Daemon
from desktop import Desktop, require_desktop, wait_until

pytestmark = pytest.mark.desktop

require_desktop()

# The order of the menu's sensitive items in each state (insensitive ones are passed
# over by the keyboard): see postured/adapters/tray.py.
MENU = {
    "waiting": ["Start exercise", "Take a break now", "Pause", "Open config", "Quit"],
    "due": ["Start exercise", "Done", "Snooze", "Skip", "Pause", "Open config", "Quit"],
    "snoozed": ["Start exercise", "Done", "Snooze", "Skip", "Take a break now", "Pause", "Open config", "Quit"],
    "paused": ["Start exercise", "Take a break now", "Resume", "Open config", "Quit"],
}
# Which mouse button opens the menu (pystray's appindicator falls back to an XEmbed
# icon under trayer, which opens it on a left click).
BUTTON = {"gtk": "3", "appindicator": "1"}


@pytest.fixture
def desktop(tmp_path):
    shown = Desktop(tmp_path / "desktop")
    print(f"desktop artifacts: {shown.root}")
    yield shown
    shown.close()


def start(desktop: Desktop, tmp_path, interval="1h", backend="gtk", **env) -> Daemon:
    extra = {"PYSTRAY_BACKEND": backend, **env}
    daemon = Daemon(tmp_path, desktop.env, ALL_DAY.format(interval=interval), extra_env=extra)
    return daemon


class Tray:
    """The postured icon in trayer, clicked and read like a person would.

    The icon's window is looked up again for every click and every read, as a person
    clicks whatever icon is on screen: pystray's appindicator backend (its XEmbed
    fallback) replaces its first icon window with a second one about 5 ms after
    embedding it, so a window id kept from start-up can name an icon that is gone.
    """

    def __init__(self, desktop: Desktop, daemon: Daemon, backend: str):
        self.desktop, self.daemon, self.backend = desktop, daemon, backend
        daemon.wait_for_log("tray icon ready")
        self.window()
        self.shots = 0

    def window(self) -> int:
        """The postured icon shown in the tray now (the newest, if it is being replaced)."""
        return wait_until(lambda: self.desktop.tray_icons(visible=True), "the postured icon in the tray", 20)[-1][0]

    def tooltip(self) -> str:
        icons = self.desktop.tray_icons(visible=True)
        return icons[-1][1] if icons else ""

    def wait_tooltip(self, pattern: str) -> str:
        return wait_until(lambda: re.search(pattern, self.tooltip()) and self.tooltip(),
                          f"a tray tooltip matching {pattern!r} (now {self.tooltip()!r})", 10)

    def choose(self, state: str, item: str, submenu_index: int | None = None) -> None:
        """Open the menu, walk to ``item`` with the keyboard, press Return."""
        assert self.desktop.open_menus() == []
        for attempt in range(3):
            # A click can still reach the first icon window just as it is replaced: look again.
            self.desktop.xdotool("mousemove", "--window", str(self.window()), "10", "10", "click", BUTTON[self.backend])
            try:
                wait_until(self.desktop.open_menus, "the tray menu to open", 3)
                break
            except TimeoutError:
                if attempt == 2:
                    raise
                print(f"the tray menu did not open on click {attempt + 1}; clicking again")
        self.shots += 1
        shot = self.desktop.screenshot(self.daemon.root / f"menu-{self.shots}-{item.lower().replace(' ', '-')}.png")
        print(f"screenshot of the open menu: {shot}")
        keys = ["Down"] * (MENU[state].index(item) + 1)
        if submenu_index is not None:
            keys += ["Right"] + ["Down"] * submenu_index
        self.desktop.xdotool("key", "--delay", "60", *keys, "Return")
        wait_until(lambda: not self.desktop.open_menus(), "the tray menu to close", 10)


def answers(daemon: Daemon) -> list[tuple[str, str]]:
    return [(kind, source) for kind, _exercise, source in daemon.events()]


def test_a_reminder_fires_by_itself_and_reaches_dunst(desktop, tmp_path):
    daemon = start(desktop, tmp_path, interval="2s")
    try:
        daemon.wait_for_event("shown")
        notes = wait_until(lambda: (shown := desktop.notifications())[1:] and shown,
                           "the safety note and the reminder at dunst", 15)
        exercise_id = daemon.events()[0][1]
        listed = subprocess.run([daemon.proc.args[0], "-m", "postured", "exercises", "--json"],
                                capture_output=True, text=True, env=daemon.env, check=True).stdout
        import json

        exercise = next(e for e in json.loads(listed) if e["id"] == exercise_id)
        # The very first reminder comes after the advice to ask before starting (dunst numbers
        # notifications as they arrive; its log script may run for the two in either order).
        before, first = sorted(notes, key=lambda note: int(note["id"]))[:2]
        assert before["summary"] == "Before you start" and "doctor" in before["body"]
        assert first["app_name"] == "postured"
        assert first["summary"] == f"Posture break: {exercise['name']}"
        body = first["body"].replace("&amp;", "&")
        assert exercise["cue"] in body and exercise["key_caution"] in body  # the full steps: the guide
        # The exercise's picture, by path (image-path hint): dunst reads it as the icon.
        picture = Path(first["icon_path"])
        assert picture.parent == Path(daemon.env["XDG_CACHE_HOME"]) / "postured" / "pictures"
        assert picture.name.startswith(exercise_id + "-128-") and Image.open(picture).size == (128, 128)
        shot = desktop.screenshot(tmp_path / "notification.png")
        print(f"screenshot of the notification: {shot}")
    finally:
        daemon.stop()


@pytest.mark.parametrize("backend", ["gtk", "appindicator"])
def test_every_tray_answer_works_through_real_clicks(desktop, tmp_path, backend):
    daemon = start(desktop, tmp_path, backend=backend)
    try:
        daemon.wait_for_log(f"tray icon through pystray's {backend} backend")
        tray = Tray(desktop, daemon, backend)
        if backend == "gtk":
            tray.wait_tooltip(r"^postured: Next break \d\d:\d\d — ")

        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown")
        wait_until(desktop.notifications, "the break's notification at dunst", 15)
        if backend == "gtk":
            tray.wait_tooltip(r"^postured: Break due: ")

        tray.choose("due", "Done")
        daemon.wait_for_event("done")
        if backend == "gtk":
            tray.wait_tooltip(r"^postured: Next break \d\d:\d\d — ")

        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown", count=2)
        tray.choose("due", "Snooze", submenu_index=0)  # the first configured choice, 5m
        daemon.wait_for_event("snoozed")
        assert daemon.events()[-1] == ("snoozed", daemon.events()[-2][1], "tray")
        if backend == "gtk":
            tray.wait_tooltip(r"^postured: Snoozed until \d\d:\d\d — ")

        tray.choose("snoozed", "Skip")
        daemon.wait_for_event("skipped")

        tray.choose("waiting", "Pause", submenu_index=0)  # for 30 min
        daemon.wait_for_event("paused")
        if backend == "gtk":
            tray.wait_tooltip(r"^postured: Paused until \d\d:\d\d")

        tray.choose("paused", "Resume")
        daemon.wait_for_event("resumed")
        if backend == "gtk":
            tray.wait_tooltip(r"^postured: Next break \d\d:\d\d — ")

        # Start exercise: the break becomes due and the guided window opens; Esc closes it.
        tray.choose("waiting", "Start exercise")
        daemon.wait_for_event("shown", count=3)
        guide = wait_until(lambda: desktop.windows("postured-guide", visible=True), "the guided exercise window", 20)[0]
        print(f"screenshot of the guided window: {desktop.screenshot(tmp_path / f'guide-{backend}.png')}")
        desktop.xdotool("windowfocus", "--sync", guide)
        desktop.xdotool("key", "Escape")
        wait_until(lambda: not desktop.windows("postured-guide", visible=True), "the guided window to close on Esc", 15)
        tray.choose("due", "Done")
        daemon.wait_for_event("done", count=2)

        assert answers(daemon) == [
            ("shown", "tray"), ("done", "tray"), ("shown", "tray"), ("snoozed", "tray"),
            ("skipped", "tray"), ("paused", "tray"), ("resumed", "tray"), ("shown", "tray"), ("done", "tray"),
        ]
        assert len(desktop.tray_icons(visible=True)) == 1, "one postured icon in the tray, not two"
        tray.choose("waiting", "Quit")
        assert daemon.wait_exit(15) == 0, daemon.log
        assert daemon.children() == []
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()


def test_no_notification_daemon_on_the_bus(tmp_path):
    desktop = Desktop(tmp_path / "desktop", notifications=False)
    daemon = start(desktop, tmp_path)
    try:
        tray = Tray(desktop, daemon, "gtk")
        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown")
        daemon.wait_for_log("could not show a notification")
        tray.choose("due", "Done")
        daemon.wait_for_event("done")
        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown", count=2)
        assert daemon.proc.poll() is None
        assert daemon.log.count("WARNING") == 1, daemon.log
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
        desktop.close()


def test_a_hung_notification_daemon_does_not_freeze_the_tray(desktop, tmp_path):
    daemon = start(desktop, tmp_path)
    try:
        tray = Tray(desktop, daemon, "gtk")
        desktop.freeze("dunst")  # SIGSTOP: the bus name stays, nothing answers
        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown")
        tray.choose("due", "Done")
        daemon.wait_for_event("done")
        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown", count=2)
        daemon.wait_for_log("the notification service is not answering")
        tray.choose("due", "Skip")
        daemon.wait_for_event("skipped")
        assert daemon.log.count("not answering") == 1
        assert daemon.proc.poll() is None
    finally:
        desktop.thaw("dunst")
        daemon.stop()


def test_without_a_tray_host_reminders_still_come(tmp_path):
    desktop = Desktop(tmp_path / "desktop", tray=False)
    daemon = start(desktop, tmp_path, interval="2s")
    try:
        daemon.wait_for_log("no system tray host")
        daemon.wait_for_event("shown")
        wait_until(desktop.notifications, "a notification at dunst", 15)
        assert daemon.proc.poll() is None
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
        desktop.close()


def test_notification_text_reaches_dunst_as_text_not_markup(desktop, monkeypatch):
    """Exercise text with markup characters is escaped (the body is markup in the spec)."""
    from postured.adapters.notify import PlyerNotifier

    for key, value in desktop.env.items():
        monkeypatch.setenv(key, value)
    notifier = PlyerNotifier()
    notifier.show("Posture break: <i>test</i>", "Lean <b>back</b> & relax")
    notifier.wait(15)
    note = wait_until(desktop.notifications, "the notification at dunst", 15)[0]
    assert note["body"] == "Lean &lt;b&gt;back&lt;/b&gt; &amp; relax"


def test_two_notifications_in_a_row_both_reach_dunst_in_order(desktop):
    """A safety note and the reminder come together: neither is dropped (plyer, no buttons).

    In a process of its own: dbus-python keeps one session bus per process, and an earlier
    test's bus is gone by now."""
    script = (
        "from postured.adapters.notify import PlyerNotifier\n"
        "notifier = PlyerNotifier()\n"
        "notifier.show('Before you start', 'Check with your doctor first.')\n"
        "notifier.remind('Posture break: Chin tuck', 'Today: hold 5 s')\n"
        "notifier.wait(15)\n"
    )
    subprocess.run([sys.executable, "-c", script], env=desktop.env, check=True, timeout=60)
    ours = ("Before you start", "Posture break: Chin tuck")
    mine = lambda: [note for note in desktop.notifications() if note["summary"] in ours]  # noqa: E731
    wait_until(lambda: len(mine()) >= 2, "both notifications at dunst", 15)
    arrived = sorted(mine(), key=lambda note: int(note["id"]))
    assert tuple(note["summary"] for note in arrived) == ours


def test_a_left_click_on_the_icon_shows_the_status_or_starts_the_due_exercise(desktop, tmp_path):
    daemon = start(desktop, tmp_path)
    try:
        tray = Tray(desktop, daemon, "gtk")
        tray.wait_tooltip(r"^postured: Next break \d\d:\d\d — ")
        desktop.xdotool("mousemove", "--window", str(tray.window()), "10", "10", "click", "1")
        note = wait_until(lambda: [n for n in desktop.notifications() if n["summary"] == "postured"],
                          "the status notification after a left click", 15)[0]
        assert re.match(r"Next break \d\d:\d\d — .+\nToday: 0 of \d+ done$", note["body"]), note["body"]
        assert desktop.open_menus() == [] and daemon.kinds() == []  # nothing answered, no menu

        tray.choose("waiting", "Take a break now")
        daemon.wait_for_event("shown")
        desktop.xdotool("mousemove", "--window", str(tray.window()), "10", "10", "click", "1")
        guide = wait_until(lambda: desktop.windows("postured-guide", visible=True),
                           "the guided window after a left click", 20)[0]
        assert daemon.kinds() == ["shown"]  # the due break itself, not a second one
        print(f"screenshot: {desktop.screenshot(tmp_path / 'left-click-guide.png')}")
        desktop.xdotool("windowfocus", "--sync", guide)
        desktop.xdotool("key", "Escape")
        wait_until(lambda: not desktop.windows("postured-guide", visible=True), "the guided window to close", 15)
    finally:
        daemon.stop()


def zombies_of(pid: int) -> list[str]:
    done = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid=,stat=,comm="], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if line.split()[1].startswith("Z")]


def test_open_config_starts_the_text_editor_and_leaves_no_zombie(desktop, tmp_path):
    # The desktop associates text/plain with a graphical editor (a script recording its
    # arguments); Debian's own default, vim.desktop, is a terminal program.
    record = tmp_path / "editor.argv"
    editor = tmp_path / "bin" / "notes"
    editor.parent.mkdir()
    editor.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {record}\n')
    editor.chmod(0o755)
    applications = tmp_path / "desktop" / "data" / "applications"
    applications.mkdir(parents=True)
    (applications / "notes.desktop").write_text(
        f"[Desktop Entry]\nType=Application\nName=Notes\nExec={editor} %F\nTerminal=false\n")
    (tmp_path / "desktop" / "config" / "mimeapps.list").write_text(
        "[Default Applications]\napplication/toml=vim.desktop\ntext/plain=notes.desktop\n")
    daemon = start(desktop, tmp_path)
    try:
        Tray(desktop, daemon, "gtk").choose("waiting", "Open config")
        wait_until(record.exists, "the editor to start", 15)
        assert record.read_text().splitlines() == [str(daemon.config)]
        wait_until(lambda: not zombies_of(daemon.proc.pid), f"no zombie child (now {zombies_of(daemon.proc.pid)})", 10)
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
