"""Throw-away Wayland compositors for tests: headless sway (as an unprivileged user) and
headless KWin, each with its own runtime dir and, on request, a private session bus.

sway 1.7 (Debian 12) offers org_kde_kwin_idle and a virtual keyboard (wtype types into
it); KWin 5.27 offers ext-idle-notify-v1. sway refuses to run as root, so as root the
tests run it as the system user ``postured-wayland``, made here if missing. KWin's binary
carries a file capability (cap_sys_resource) that a container may not grant, so exec
fails with EPERM: a copy of it, without the capability, is run instead.
XWayland stays off: it would take the lowest free X display (see /work/shared/DESKTOPS.md).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from desktop import wait_until

USER = "postured-wayland"
NEEDED = {"sway": "sway", "wtype": "wtype", "waybar": "waybar", "kwin_wayland": "kwin-wayland",
          "dbus-daemon": "dbus", "setpriv": "util-linux"}
KDE_IDLE_XML = Path("/usr/share/plasma-wayland-protocols/idle.xml")

# Any user may connect: the bus runs as root, sway's clients as USER.
DBUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

SWAY_CONFIG = """xwayland disable
output HEADLESS-1 resolution 1024x768
"""

WAYBAR_CONFIG = """{"layer": "top", "position": "top", "height": 30, "modules-right": ["tray"],
 "tray": {"icon-size": 21, "spacing": 4}}
"""


def missing_programs() -> list[str]:
    missing = {deb for program, deb in NEEDED.items() if shutil.which(program) is None}
    if not KDE_IDLE_XML.exists():
        missing.add("plasma-wayland-protocols")
    return sorted(missing)


def require_wayland() -> None:
    """Skip without the compositors, but never in CI (tools/setup.sh --test installs them)."""
    import pytest

    missing = missing_programs()
    if missing:
        message = "the Wayland tests need the Debian packages: " + " ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run these tests, not skip them)", pytrace=False)
        pytest.skip(message, allow_module_level=True)


def _pdeathsig() -> None:
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Compositor:
    """Base: a root dir, children stopped by close(), the env its clients use."""

    name = ""

    def __init__(self, root: Path | None = None, bus: bool = False):
        """``root`` must be reachable by the unprivileged user (pytest's tmp_path, under a
        0700 folder of root's, is not): by default a fresh folder in /tmp, removed by close()."""
        self._made_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix=f"postured-{self.name}-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        self.procs: dict[str, subprocess.Popen] = {}
        self.runtime = self.root / "runtime"  # the compositor's
        self.socket: Path | None = None
        self.bus_address = ""
        client_runtime = self.root / "client-runtime"
        client_runtime.mkdir(mode=0o700, exist_ok=True)
        # Clients name the socket by its absolute path, and keep a runtime dir of their own.
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.root / "home"),
                    "XDG_RUNTIME_DIR": str(client_runtime), "XDG_CONFIG_HOME": str(self.root / "config"),
                    "XDG_DATA_HOME": str(self.root / "data"), "XDG_CACHE_HOME": str(self.root / "cache"),
                    "LANG": "C.UTF-8", "NO_AT_BRIDGE": "1"}
        for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            Path(self.env[key]).mkdir(parents=True, exist_ok=True)
        try:
            if bus:
                self._start_bus()
            self._start()
            self.socket = wait_until(self._find_socket, f"{self.name} to open its Wayland socket", 30)
            self.env["WAYLAND_DISPLAY"] = str(self.socket)
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        raise NotImplementedError

    def _find_socket(self) -> Path | None:
        for proc in self.procs.values():
            if proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log(self.name)[-2000:]}")
        found = [p for p in self.runtime.glob("wayland-*") if not p.name.endswith(".lock") and p.is_socket()]
        return found[0] if found else None

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], user: str | None = None) -> subprocess.Popen:
        if user is not None:
            # setpriv sets the death signal after changing the uid (a uid change clears it).
            argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                    "--pdeathsig=TERM", *argv]
        with open(self.root / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=self.root, preexec_fn=_pdeathsig)
        self.procs[name] = proc
        return proc

    def _start_bus(self) -> None:
        socket = self.root / "bus"
        config = self.root / "dbus.conf"
        config.write_text(DBUS_CONFIG.format(socket=socket))
        self._spawn("dbus", ["dbus-daemon", "--nofork", f"--config-file={config}"], self.env)
        self.bus_address = f"unix:path={socket}"
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        wait_until(lambda: socket.exists() and self.bus_names() is not None, "the private session bus")

    def bus_names(self) -> list[str] | None:
        done = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                               "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"],
                              env=self.env, capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            return None
        return [line.split('"')[1] for line in done.stdout.splitlines() if line.strip().startswith("string")]

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        for name in list(self.procs)[::-1]:
            self.stop(name)
        if self._made_root:
            shutil.rmtree(self.root, ignore_errors=True)


class Sway(Compositor):
    name = "sway"

    def _start(self) -> None:
        self.user = _unprivileged_user()
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.runtime, entry.pw_uid, entry.pw_gid)
        config = self.root / "sway.conf"
        config.write_text(SWAY_CONFIG)
        config.chmod(0o644)
        self.compositor_env = {
            "PATH": self.env["PATH"], "HOME": str(self.root), "XDG_RUNTIME_DIR": str(self.runtime),
            "WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman",
            "LANG": "C.UTF-8",
        }
        if self.bus_address:
            self.compositor_env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        self._spawn("sway", ["sway", "-c", str(config)], self.compositor_env, self.user)

    def type_keys(self, text: str = "a") -> None:
        """Input as a person's: keys from a virtual keyboard (zwp_virtual_keyboard_v1)."""
        subprocess.run(["wtype", text], env=self.env, check=True, timeout=10, capture_output=True)

    def start_waybar(self) -> None:
        """waybar with its tray module: a StatusNotifierWatcher and host on the private bus."""
        assert self.bus_address, "start sway with bus=True for a tray"
        folder = self.root / "waybar"
        folder.mkdir(exist_ok=True)
        (folder / "config").write_text(WAYBAR_CONFIG)
        (folder / "style.css").write_text("* { font-family: sans-serif; font-size: 12px; }\n")
        for path in (folder, folder / "config", folder / "style.css"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        env = {**self.compositor_env, "WAYLAND_DISPLAY": str(self.socket), "NO_AT_BRIDGE": "1"}
        self._spawn("waybar", ["waybar", "-c", str(folder / "config"), "-s", str(folder / "style.css")],
                    env, self.user)
        wait_until(lambda: "org.kde.StatusNotifierWatcher" in (self.bus_names() or []),
                   "waybar's StatusNotifierWatcher on the bus", 30)

    def registered_items(self) -> str:
        """The watcher's RegisteredStatusNotifierItems, as dbus-send prints them."""
        done = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.kde.StatusNotifierWatcher",
             "/StatusNotifierWatcher", "org.freedesktop.DBus.Properties.Get",
             "string:org.kde.StatusNotifierWatcher", "string:RegisteredStatusNotifierItems"],
            env=self.env, capture_output=True, text=True, timeout=10)
        return done.stdout if done.returncode == 0 else ""


class KWin(Compositor):
    name = "kwin"

    def _start(self) -> None:
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        binary = self.root / "kwin_wayland"
        shutil.copy(shutil.which("kwin_wayland"), binary)  # a copy has no file capability
        env = {"PATH": self.env["PATH"], "HOME": str(self.root / "home"), "XDG_RUNTIME_DIR": str(self.runtime),
               "XDG_CONFIG_HOME": self.env["XDG_CONFIG_HOME"], "QT_QPA_PLATFORM": "offscreen",
               "LANG": "C.UTF-8"}
        if self.bus_address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        self._spawn("kwin", [str(binary), "--virtual", "--no-lockscreen", "--no-global-shortcuts",
                             "--no-kactivities", "--socket", "wayland-postured",
                             "--width", "800", "--height", "600"], env)


def _unprivileged_user() -> str | None:
    """The user to run sway as: None when we are not root (sway then runs as us)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", USER], check=True, capture_output=True)
    return USER
