"""A throw-away Linux desktop for end-to-end tests and benchmarks.

Xvfb, a private D-Bus session bus (no service directories: nothing is auto-started),
dunst logging every notification as a JSON line, and trayer as the XEmbed tray host,
all direct children of this process, all stopped by ``close``. Used by the tests'
``desktop`` fixture and by benchmarks/footprint.py.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Debian package of each program the desktop runs.
NEEDED = {
    "Xvfb": "xvfb", "xdpyinfo": "x11-utils", "xdotool": "xdotool", "trayer": "trayer",
    "dunst": "dunst", "dunstctl": "dunst", "dbus-daemon": "dbus", "dbus-send": "dbus", "openbox": "openbox",
}

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child, before exec: SIGTERM when the test process dies, however it dies.

    ``close`` and ``Daemon.stop`` stop children when a test ends; this also covers a
    test run that is itself killed (a CI time limit, SIGKILL), which runs no teardown.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


DBUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# dunst runs this for every notification; it appends one JSON line to the log.
LOG_SCRIPT = """#!{python}
import json, os
keys = ("APP_NAME", "SUMMARY", "BODY", "URGENCY", "ID", "ICON_PATH")
entry = {{k.lower(): os.environ.get("DUNST_" + k, "") for k in keys}}
with open({log!r}, "a", encoding="utf-8") as out:
    out.write(json.dumps(entry) + "\\n")
"""

# dunstctl context hands the actions to "dmenu"; this one records them and picks
# the line named in the file ``choice`` (if any).
DMENU_SCRIPT = """#!/bin/sh
cat > {actions}
[ -f {choice} ] && grep -F "$(cat {choice})" {actions} | head -n 1
exit 0
"""

DUNSTRC = """[global]
    font = DejaVu Sans 9
    width = 420
    height = 300
    offset = 10x40
    origin = top-right
    dmenu = {dmenu}
    show_indicators = false
    stack_duplicates = false
[log_every_notification]
    summary = "*"
    script = {script}
"""


def missing_programs() -> list[str]:
    """Debian packages to install for the desktop, empty when all is there."""
    return sorted({deb for program, deb in NEEDED.items() if shutil.which(program) is None})


def require_desktop() -> None:
    """At the top of a test module that needs the desktop: skip without it, but never
    in CI, where these tests must run (tools/setup.sh --test installs it)."""
    import pytest

    missing = missing_programs()
    if missing:
        message = "the test desktop needs the Debian packages: " + " ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run these tests, not skip them)", pytrace=False)
        pytest.skip(message, allow_module_level=True)


class Desktop:
    def __init__(self, root: Path | None = None, tray: bool = True, notifications: bool = True):
        self.root = Path(root or tempfile.mkdtemp(prefix="postured-desktop-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self.notification_log = self.root / "notifications.jsonl"
        self.display = ""
        self.bus_address = ""
        self.env: dict[str, str] = {}
        try:
            self._start_x()
            self._start_bus()
            if notifications:
                self.start_notifications()
            if tray:
                self.start_tray()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ start-up

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env if env is not None else self.env, preexec_fn=die_with_parent)
        log.close()
        self.procs[name] = proc
        return proc

    def _start_x(self) -> None:
        # -displayfd lets Xvfb choose a free display number: safe with parallel workers.
        read_end, write_end = os.pipe()
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=open(self.root / "xvfb.log", "wb"),
            preexec_fn=die_with_parent,
        )
        os.close(write_end)
        self.procs["xvfb"] = proc
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb did not start: {(self.root / 'xvfb.log').read_text()}")
        self.display = f":{number}"
        runtime = self.root / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root / "home"),
            "DISPLAY": self.display,
            "NO_AT_BRIDGE": "1",
            "GDK_BACKEND": "x11",
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "LANG": "C.UTF-8",
        }
        for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            Path(self.env[key]).mkdir(parents=True, exist_ok=True)
        self._wait(lambda: subprocess.run(["xdpyinfo"], env=self.env, capture_output=True).returncode == 0,
                   "the X server to answer")

    def _start_bus(self) -> None:
        socket = self.root / "bus"
        config = self.root / "dbus.conf"
        config.write_text(DBUS_CONFIG.format(socket=socket))
        self._spawn("dbus", ["dbus-daemon", "--nofork", f"--config-file={config}"])
        self.bus_address = f"unix:path={socket}"
        # Set before anything X11 starts, so nothing autolaunches a bus of its own.
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        self._wait(lambda: socket.exists() and self._bus_call("ListNames"), "the D-Bus session bus")

    def start_notifications(self) -> None:
        script = self.root / "log-notification"
        script.write_text(LOG_SCRIPT.format(python=sys.executable, log=str(self.notification_log)))
        dmenu = self.root / "dmenu"
        dmenu.write_text(DMENU_SCRIPT.format(actions=self.root / "actions.txt", choice=self.root / "choice.txt"))
        for path in (script, dmenu):
            path.chmod(0o755)
        dunstrc = self.root / "dunstrc"
        dunstrc.write_text(DUNSTRC.format(dmenu=dmenu, script=script))
        self._spawn("dunst", ["dunst", "-config", str(dunstrc)])
        self._wait(lambda: self.has_bus_name("org.freedesktop.Notifications"), "dunst on the bus")

    def start_tray(self) -> None:
        self._spawn("trayer", ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                               "--height", "32", "--SetDockType", "true", "--transparent", "false",
                               "--tint", "0xdddddd", "--expand", "true"])
        self._wait(self.tray_owned, "trayer to own the system tray")

    def start_window_manager(self) -> None:
        self._spawn("openbox", ["openbox", "--sm-disable"])
        self._wait(lambda: self.root_property("_NET_SUPPORTING_WM_CHECK"), "openbox")

    # ------------------------------------------------------------ looking

    def _bus_call(self, method: str, *args: str) -> str:
        done = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", f"org.freedesktop.DBus.{method}", *args],
            env=self.env, capture_output=True, text=True, timeout=10,
        )
        return done.stdout if done.returncode == 0 else ""

    def has_bus_name(self, name: str) -> bool:
        return "boolean true" in self._bus_call("NameHasOwner", f"string:{name}")

    def tray_owned(self) -> bool:
        return bool(self.selection_owner("_NET_SYSTEM_TRAY_S0"))

    def selection_owner(self, atom_name: str) -> int:
        from Xlib import display as xdisplay

        shown = xdisplay.Display(self.display)
        try:
            return shown.get_selection_owner(shown.intern_atom(atom_name))
        finally:
            shown.close()

    def root_property(self, name: str) -> bool:
        done = subprocess.run(["xprop", "-root", name], env=self.env, capture_output=True, text=True)
        return done.returncode == 0 and "not found" not in done.stdout

    def windows(self, wm_class: str, visible: bool = False) -> list[str]:
        only = ["--onlyvisible"] if visible else []
        done = subprocess.run(["xdotool", "search", *only, "--class", wm_class], env=self.env,
                              capture_output=True, text=True)
        return done.stdout.split()

    def tray_icons(self, wm_class: str = "postured", visible: bool = False) -> list[tuple[int, str]]:
        """(window id, title) of every icon of ``wm_class`` embedded in the tray host.

        With pystray's gtk backend the title is the tooltip. ``visible``: only icons a
        person could click, mapped and at full size (GTK maps its icon 1 px wide for a
        few milliseconds while the tray host sizes it).
        """
        from Xlib import X, display as xdisplay

        shown = xdisplay.Display(self.display)
        try:
            owner = shown.get_selection_owner(shown.intern_atom("_NET_SYSTEM_TRAY_S0"))
            if owner == X.NONE:
                return []
            net_name, utf8 = shown.intern_atom("_NET_WM_NAME"), shown.intern_atom("UTF8_STRING")
            found = []

            def walk(window, inside_tray: bool) -> None:
                try:
                    wm = window.get_wm_class()
                    children = window.query_tree().children
                except Exception:  # a window that went away while we looked
                    return
                if inside_tray and wm and wm[0] == wm_class and (not visible or self._full_size(window)):
                    prop = window.get_full_property(net_name, utf8)
                    title = prop.value.decode() if prop else (window.get_wm_name() or "")
                    found.append((window.id, title))
                for child in children:
                    walk(child, inside_tray or self._is_tray_panel(child))

            walk(shown.screen().root, False)
            return found
        finally:
            shown.close()

    def open_menus(self, wm_class: str = "postured") -> list[int]:
        """Mapped pop-up menus of ``wm_class``.

        Told apart by their window type, not their size: a tooltip is a mapped top-level
        window of the same class and can be as tall as a short menu.
        """
        from Xlib import X, display as xdisplay

        shown = xdisplay.Display(self.display)
        try:
            window_type, atom = shown.intern_atom("_NET_WM_WINDOW_TYPE"), shown.intern_atom("ATOM")
            menu_types = {shown.intern_atom(f"_NET_WM_WINDOW_TYPE_{kind}") for kind in ("POPUP_MENU", "DROPDOWN_MENU")}
            found = []
            for window in shown.screen().root.query_tree().children:
                try:
                    wm = window.get_wm_class()
                    viewable = window.get_attributes().map_state == X.IsViewable
                    types = window.get_full_property(window_type, atom)
                except Exception:  # a window that went away while we looked
                    continue
                is_menu = types is not None and bool(menu_types.intersection(types.value))
                if wm and wm[0] == wm_class and viewable and is_menu:
                    found.append(window.id)
            return found
        finally:
            shown.close()

    @staticmethod
    def _full_size(window, smallest: int = 16) -> bool:
        from Xlib import X

        try:
            geometry = window.get_geometry()
            return (window.get_attributes().map_state == X.IsViewable
                    and geometry.width >= smallest and geometry.height >= smallest)
        except Exception:  # gone while we looked
            return False

    @staticmethod
    def _is_tray_panel(window) -> bool:
        try:
            wm = window.get_wm_class()
        except Exception:
            return False
        return bool(wm) and wm[0] == "panel" and wm[1].lower() == "trayer"

    def displayed(self) -> int:
        """How many notifications dunst has on screen now."""
        done = subprocess.run(["dunstctl", "count", "displayed"], env=self.env, capture_output=True,
                              text=True, check=True, timeout=10)
        return int(done.stdout)

    def notifications(self) -> list[dict]:
        if not self.notification_log.exists():
            return []
        return [json.loads(line) for line in self.notification_log.read_text().splitlines() if line]

    def press_action(self, label: str, summary: str = "", timeout: float = 15.0) -> str:
        """Press a notification's button the way dunst offers it: its context menu.

        `dunstctl context` hands dunst's action lines, "#Label (Summary) [id,key]", to
        the dmenu script, which picks the first one starting with ``label`` (and
        ``summary``, if given). Returns that line once dmenu has run; dunst then sends
        ActionInvoked to the notification's owner.
        """
        actions, choice = self.root / "actions.txt", self.root / "choice.txt"
        wanted = f"#{label} ({summary}" if summary else f"#{label} ("
        choice.write_text(wanted)
        actions.unlink(missing_ok=True)
        subprocess.run(["dunstctl", "context"], env=self.env, check=True, timeout=10)
        offered = wait_until(lambda: actions.exists() and actions.read_text(),
                             "dunst's context menu (the dmenu script) to run", timeout)
        picked = [line for line in offered.splitlines() if line.startswith(wanted)]
        if not picked:
            raise LookupError(f"no action line starts with {wanted!r}; dunst offered: {offered!r}")
        return picked[0]

    def screenshot(self, path: Path) -> Path:
        from PIL import ImageGrab

        ImageGrab.grab(xdisplay=self.display).save(path)
        return path

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=10)
        return done.stdout

    # ------------------------------------------------------------ waiting, stopping

    @staticmethod
    def _wait(condition, what: str, timeout: float = 15.0) -> None:
        wait_until(condition, what, timeout)

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def freeze(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGCONT)

    def close(self) -> None:
        for name in list(self.procs)[::-1]:
            if self.procs[name].poll() is None:
                self.procs[name].send_signal(signal.SIGCONT)
            self.stop(name)


def wait_until(condition, what: str, timeout: float = 15.0):
    """Poll ``condition`` until it is true; raise naming ``what`` if it never is.

    Waiting for an outside process to reach a state, not sleeping for a fixed time:
    it returns as soon as the condition holds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
