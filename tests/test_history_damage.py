"""A history file damaged inside (its header intact) and rows that cannot be read.

Real SQLite files, damaged by overwriting one page of the events table with noise, and
the real `postured run` daemon and CLI verbs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until

from postured.adapters.history import SqliteHistory, read_events
from postured.core.machine import Record

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def fill(path: Path, count: int, start: datetime) -> None:
    """``count`` done events a minute apart, with enough text to take several pages."""
    history = SqliteHistory(path)
    for n in range(count):
        history.record(start + timedelta(minutes=n), Record("done", "chin-tuck", "tray", f"note {n:04d} " * 8))
    history.close()


def table_leaves(path: Path) -> list[int]:
    db = sqlite3.connect(path)
    try:
        return [row[0] for row in db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno")]
    finally:
        db.close()


def damage_page(path: Path, page: int) -> None:
    size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as out:
        out.seek((page - 1) * size)
        out.write(os.urandom(size))


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def set_aside(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]


def test_damage_found_by_a_write_moves_the_file_aside_and_saves_the_answer(tmp_path):
    path = tmp_path / "history.sqlite3"
    start = datetime(2026, 3, 23, 9, 0, tzinfo=timezone.utc)
    fill(path, 200, start)
    leaves = table_leaves(path)
    damage_page(path, leaves[-1])  # the leaf the next row goes into; the header is intact
    warnings: list[str] = []
    history = SqliteHistory(path, warn=warnings.append)
    history.record(start + timedelta(days=1), Record("done", "wall-angel", "cli", None))
    events = read_events(path, EPOCH)  # on disk, not only in memory, when record returns
    assert events[-1].exercise_id == "wall-angel"
    assert history.error is None and history.unsaved == 0
    history.close()
    [aside] = set_aside(tmp_path)
    assert len(warnings) == 1 and "damaged" in warnings[0] and str(aside) in warnings[0]
    # What the damaged page did not hold was carried over, in order.
    assert 150 <= len(events) - 1 < 200
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert integrity(path) == "ok"


def test_damage_found_by_a_read_at_start(tmp_path):
    path = tmp_path / "history.sqlite3"
    start = datetime(2026, 3, 23, 9, 0, tzinfo=timezone.utc)
    fill(path, 200, start)
    damage_page(path, table_leaves(path)[1])
    warnings: list[str] = []
    history = SqliteHistory(path, warn=warnings.append)
    past = history.events_since(start)  # what the engine reads at start
    assert 150 <= len(past) < 200 and len(warnings) == 1 and "moved to" in warnings[0]
    history.close()
    assert len(read_events(path, EPOCH)) == len(past)  # the readable rows are in the new file
    assert len(set_aside(tmp_path)) == 1


def test_the_daemon_saves_answers_over_a_damaged_page(tmp_path):
    """The tester's case: header intact, one page damaged; every answer used to be lost."""
    env = private_env(tmp_path)
    data = tmp_path / "data" / "postured"
    data.mkdir(parents=True)
    now = datetime.now(timezone.utc)
    fill(data / "history.sqlite3", 200, now - timedelta(hours=5))
    damage_page(data / "history.sqlite3", table_leaves(data / "history.sqlite3")[1])
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "postured", *args], env=env, capture_output=True,
                              text=True, timeout=30)

    try:
        wait_until(lambda: cli("status").returncode == 0, "the daemon to answer", 20)
        for n in range(2):
            assert cli("break-now").returncode == 0
            done = cli("done")
            assert done.returncode == 0, done.stderr
            # On disk once acknowledged, before any quit.
            assert daemon.kinds()[-2:] == ["shown", "done"] and daemon.kinds().count("done") > n + 1
        status = json.loads(cli("status", "--json").stdout)
        assert status["history_error"] is None
        assert status["today"]["done"] >= 2
        assert cli("quit").returncode == 0
        assert daemon.wait_exit() == 0
    finally:
        daemon.stop()
    assert "was damaged" in daemon.log and "Traceback" not in daemon.log
    kinds = [e.kind for e in read_events(data / "history.sqlite3", EPOCH)]
    assert kinds[-4:] == ["shown", "done", "shown", "done"]
    assert kinds.count("done") >= 150 + 2  # the readable past came along
    assert len(set_aside(data)) == 1 and integrity(data / "history.sqlite3") == "ok"


def bad_rows(path: Path) -> None:
    """Good events around three no reader can use: no zone, not a time, no such day."""
    now = datetime.now(timezone.utc)
    fill(path, 3, now - timedelta(hours=1))
    db = sqlite3.connect(path)
    with db:
        db.executemany("INSERT INTO events (at, kind, exercise_id, source, detail) VALUES (?, ?, ?, ?, ?)", [
            ((now - timedelta(minutes=30)).replace(tzinfo=None).isoformat(timespec="seconds"),
             "done", "chin-tuck", "cli", None),
            ("yesterday", "done", "chin-tuck", "cli", None),
            (f"{now.year}-13-45T09:30:00+00:00", "done", "chin-tuck", "cli", None),
        ])
    db.close()
    fill(path, 1, datetime.now(timezone.utc) - timedelta(minutes=5))


def test_unreadable_rows_are_skipped_by_history_and_stats(tmp_path):
    env = private_env(tmp_path)
    bad_rows(tmp_path / "data" / "postured" / "history.sqlite3")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "postured", *args], env=env, capture_output=True,
                              text=True, timeout=60)

    shown = cli("history", "--json")
    assert shown.returncode == 0, shown.stderr
    assert [e["kind"] for e in json.loads(shown.stdout)] == ["done"] * 4
    assert shown.stderr.count("skipped 3 unreadable events") == 1 and "has no time zone" in shown.stderr
    text = cli("history")
    assert text.returncode == 0 and text.stdout.count(" done ") == 4
    stats = cli("stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["totals"]["done"] == 4
    assert stats.stderr.count("skipped 3 unreadable events") == 1


def test_the_daemon_starts_over_unreadable_rows(tmp_path):
    env = private_env(tmp_path)
    bad_rows(tmp_path / "data" / "postured" / "history.sqlite3")
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("start: ")
        for verb in ("break-now", "done"):
            answer = subprocess.run([sys.executable, "-m", "postured", verb], env=env,
                                    capture_output=True, text=True, timeout=30)
            assert answer.returncode == 0, answer.stderr
        daemon.wait_for_event("done", count=5)
        assert daemon.log.count("skipped 3 unreadable events") == 1 and "Traceback" not in daemon.log
    finally:
        daemon.stop()
