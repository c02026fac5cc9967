"""Start the real `postured run` as a subprocess and watch it from outside."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from desktop import die_with_parent, wait_until

ALL_DAY = """
[schedule]
interval = "{interval}"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
hours = ["00:00-24:00"]
[reminders]
snooze = ["5m", "10m", "15m"]
"""


def private_env(root: Path, data: Path | None = None, notifier: str | None = "null") -> dict[str, str]:
    """A private home, config, data and runtime dir under ``root``: no display, no bus.

    ``notifier="null"`` turns notifications off (the desktop tests cover real ones);
    None leaves plyer to find (and fail to find) a notification service.
    """
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root), "TZ": "UTC",
           "XDG_RUNTIME_DIR": str(runtime), "XDG_DATA_HOME": str(data or root / "data"),
           "XDG_CONFIG_HOME": str(root / "cfg")}
    if notifier:
        env["POSTURED_NOTIFIER"] = notifier
    return env


class Daemon:
    def __init__(self, root: Path, env: dict[str, str], config_text: str, args=("run",), extra_env=None,
                 program: list[str] | None = None, cwd: Path | None = None, user: str | None = None):
        """``program`` replaces `python -m postured --config FILE` (e.g. an installed script);
        ``user`` runs it as that Unix user (setuid: the tests run as root)."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "config.toml"
        self.config.write_text(config_text)
        self.env = {**env, **(extra_env or {})}
        self.data = Path(self.env.get("XDG_DATA_HOME", root / "data")) / "postured"
        self.env.setdefault("XDG_DATA_HOME", str(root / "data"))
        self.log_path = root / "postured.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [*(program or [sys.executable, "-m", "postured", "--config", str(self.config)]), *args],
                env=self.env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=die_with_parent, **_as_user(user),
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 20, count: int = 1) -> None:
        wait_until(lambda: self.log.count(text) >= count or self.proc.poll() is not None,
                   f"{text!r} in the log", timeout)
        assert self.log.count(text) >= count, f"postured exited ({self.proc.returncode}):\n{self.log}"

    def events(self) -> list[tuple[str, str | None, str]]:
        path = self.data / "history.sqlite3"
        if not path.exists():
            return []
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return db.execute("SELECT kind, exercise_id, source FROM events ORDER BY id").fetchall()
        except sqlite3.OperationalError:
            return []
        finally:
            db.close()

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.events()]

    def wait_for_event(self, kind: str, count: int = 1, timeout: float = 20) -> None:
        wait_until(lambda: self.kinds().count(kind) >= count or self.proc.poll() is not None,
                   f"{count} {kind!r} event(s) in history", timeout)
        assert self.kinds().count(kind) >= count, f"history {self.kinds()}; log:\n{self.log}"

    def wait_exit(self, timeout: float = 15) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def children(self) -> list[int]:
        done = subprocess.run(["pgrep", "-s", str(self.proc.pid)], capture_output=True, text=True)
        return [int(pid) for pid in done.stdout.split()]


def _as_user(user: str | None) -> dict:
    if user is None:
        return {}
    import pwd

    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
