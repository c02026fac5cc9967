"""The history on a real SQLite file through storage faults: full, read-only, corrupt, locked.

Full and read-only disks are small tmpfs mounts made by the test (root is needed;
elsewhere these tests skip, and in CI they must run).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from postured.adapters.history import SqliteHistory, read_events
from postured.core.machine import Record

T0 = datetime(2026, 3, 23, 9, 30, tzinfo=timezone.utc)


def can_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["which", "mount"], capture_output=True).returncode == 0


needs_mount = pytest.mark.skipif(not can_mount() and not os.environ.get("CI"),
                                 reason="tmpfs mounts need root")


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "256k"):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def event(n: int, kind: str = "done") -> tuple[datetime, Record]:
    return T0 + timedelta(minutes=n), Record(kind, "chin-tuck", "cli", None)


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def kinds(path: Path) -> list[str]:
    return [e.kind for e in read_events(path, T0 - timedelta(days=1))]


@needs_mount
def test_disk_full_keeps_answers_in_memory_and_writes_them_when_space_returns(tmp_path):
    warnings: list[str] = []
    with tmpfs(tmp_path / "disk") as disk:
        history = SqliteHistory(disk / "history.sqlite3", warn=warnings.append)
        history.record(*event(0, "shown"))
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as out:  # fill the disk to the last byte
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * 512)
        for n in range(1, 40):  # enough rows to need a new page
            history.record(*event(n, "done" if n % 2 else "skipped"))
        assert len(warnings) == 1 and "cannot write the history" in warnings[0]
        assert history.count_since(T0)["done"] == 20  # what happened still counts
        assert history.error == "database or disk is full" and history.unsaved > 0
        filler.unlink()
        history.record(*event(40, "done"))
        assert len(warnings) == 1 and history.error is None and history.unsaved == 0
        history.close()
        assert kinds(disk / "history.sqlite3").count("done") == 21
        assert len(kinds(disk / "history.sqlite3")) == 41
        assert integrity(disk / "history.sqlite3") == "ok"


@needs_mount
def test_read_only_data_dir_recovers_when_writable(tmp_path):
    # (A mounted file system cannot turn read-only under an open database file, so the
    # fault is there from the start, as after a bad mount.)
    warnings: list[str] = []
    with tmpfs(tmp_path / "data") as data:
        remount(data, "ro")
        history = SqliteHistory(data / "postured" / "history.sqlite3", warn=warnings.append)
        history.record(*event(0, "shown"))
        # not written yet, but not lost: it is still seen
        assert [e.kind for e in history.events_since(datetime(2000, 1, 1, tzinfo=timezone.utc))] == ["shown"]
        assert len(warnings) == 1
        assert "Read-only file system" in history.error
        remount(data, "rw")
        history.record(*event(1, "done"))
        assert history.error is None
        history.close()
        assert kinds(data / "postured" / "history.sqlite3") == ["shown", "done"]


def test_corrupt_database_is_moved_aside_not_deleted(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database, it was damaged" * 100)
    warnings: list[str] = []
    history = SqliteHistory(path, warn=warnings.append)
    history.record(*event(0, "done"))
    history.close()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert "moved to" in warnings[0] and str(aside[0]) in warnings[0]
    assert kinds(path) == ["done"] and integrity(path) == "ok"


def test_database_locked_by_another_program(tmp_path):
    path = tmp_path / "history.sqlite3"
    warnings: list[str] = []
    history = SqliteHistory(path, warn=warnings.append)
    history.record(*event(0, "shown"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    history.record(*event(1, "done"))  # waits 2 s, then keeps it in memory
    assert len(warnings) == 1 and "locked" in warnings[0]
    other.execute("COMMIT")
    other.close()
    history.record(*event(2, "skipped"))
    history.close()
    assert kinds(path) == ["shown", "done", "skipped"]


def test_history_is_private(tmp_path):
    path = tmp_path / "data" / "postured" / "history.sqlite3"
    SqliteHistory(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@needs_mount
def test_the_daemon_keeps_reminding_on_a_full_disk_and_catches_up(tmp_path):
    import json
    import sys

    from daemon import ALL_DAY, Daemon, private_env
    from desktop import wait_until

    with tmpfs(tmp_path / "data", size="512k") as data:
        env = private_env(tmp_path, data=data)
        daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))

        def cli(*args):
            return subprocess.run([sys.executable, "-m", "postured", *args], env=env, capture_output=True,
                                  text=True, timeout=30)

        try:
            wait_until(lambda: cli("status").returncode == 0, "the daemon to answer", 20)
            filler = data / "filler"
            with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * 512)
            for n in range(30):
                # Taken, but not on disk: the CLI must not say it was saved (exit 4, the reason).
                assert cli("break-now").returncode == 4
                done = cli("done")
                assert done.returncode == 4 and "not saved: database or disk is full" in done.stderr
                assert f"{2 * n + 2} events are kept in memory only" in done.stderr
            status = json.loads(cli("status", "--json").stdout)
            assert status["today"]["done"] == 30  # counted, though not yet on disk
            assert status["history_error"].startswith("database or disk is full; 60 events are kept")
            assert "history not saved: database or disk is full" in cli("status").stdout
            assert daemon.log.count("cannot write the history") == 1
            filler.unlink()
            assert cli("break-now").returncode == 0
            assert json.loads(cli("status", "--json").stdout)["history_error"] is None
            assert daemon.kinds().count("done") == 30 and daemon.kinds().count("shown") == 31
            assert daemon.proc.poll() is None and "Traceback" not in daemon.log
        finally:
            daemon.stop()


def test_the_daemon_starts_on_a_corrupt_database(tmp_path):
    import sys

    from daemon import ALL_DAY, Daemon, private_env
    from desktop import wait_until

    env = private_env(tmp_path)
    (tmp_path / "data" / "postured").mkdir(parents=True)
    (tmp_path / "data" / "postured" / "history.sqlite3").write_bytes(os.urandom(8192))
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("start: ")
        assert "was damaged (file is not a database); it was moved to" in daemon.log
        assert subprocess.run([sys.executable, "-m", "postured", "break-now"], env=env,
                              capture_output=True).returncode == 0
        wait_until(lambda: daemon.kinds() == ["shown"], "the new database to record", 10)
        assert any(p.name.startswith("history.sqlite3.corrupt-") for p in (tmp_path / "data" / "postured").iterdir())
    finally:
        daemon.stop()
