"""A throw-away PipeWire session for the tests: pipewire, wireplumber, pipewire-pulse.

All three run as direct children of this process in a private XDG_RUNTIME_DIR, with a
private D-Bus session bus (no service directories: nothing auto-starts), and stop with
``close``. ``record()`` starts a real recording stream (``parecord --raw /dev/null``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from desktop import DBUS_CONFIG, die_with_parent, wait_until

NEEDED = {"pipewire": "pipewire", "wireplumber": "wireplumber", "pipewire-pulse": "pipewire-pulse",
          "pw-dump": "pipewire-bin", "parecord": "pulseaudio-utils", "pactl": "pulseaudio-utils",
          "dbus-daemon": "dbus"}


def require_pipewire() -> None:
    """Skip without the packages, but never in CI (tools/setup.sh --test installs them)."""
    import pytest

    missing = sorted({deb for program, deb in NEEDED.items() if shutil.which(program) is None})
    if missing:
        message = "the PipeWire tests need the Debian packages: " + " ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run these tests, not skip them)", pytrace=False)
        pytest.skip(message, allow_module_level=True)


class PipeWire:
    def __init__(self, root: Path, runtime: Path | None = None):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.runtime = runtime or root / "runtime"
        self.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        home = root / "home"
        home.mkdir(exist_ok=True)
        self.procs: list[subprocess.Popen] = []
        socket = root / "bus"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
                    "XDG_RUNTIME_DIR": str(self.runtime), "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_STATE_HOME": str(home / ".state"), "DBUS_SESSION_BUS_ADDRESS": f"unix:path={socket}"}
        try:
            config = root / "dbus.conf"
            config.write_text(DBUS_CONFIG.format(socket=socket))
            self._spawn("dbus", ["dbus-daemon", "--nofork", f"--config-file={config}"])
            wait_until(socket.exists, "the session bus")
            self._spawn("pipewire", ["pipewire"])
            wait_until(lambda: (self.runtime / "pipewire-0").exists(), "pipewire's socket")
            self._spawn("wireplumber", ["wireplumber"])
            self._spawn("pipewire-pulse", ["pipewire-pulse"])
            wait_until(lambda: self._run("pactl", "info").returncode == 0, "pipewire-pulse to answer")
        except BaseException:
            self.close()
            raise

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        with open(self.root / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.procs.append(proc)
        return proc

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=10)

    def record(self) -> subprocess.Popen:
        """A real recording stream; stop it with ``stop(proc)``."""
        return self._spawn("parecord", ["parecord", "--raw", "/dev/null"])

    def recordings(self) -> int:
        """How many recording streams the Pulse server lists."""
        return len(self._run("pactl", "list", "short", "source-outputs").stdout.splitlines())

    @staticmethod
    def stop(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)
        self.procs.clear()
