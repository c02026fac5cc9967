"""SIGKILL at random moments while answers are recorded: nothing acknowledged is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
from pathlib import Path

from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until

from postured import control

ANSWER_OF = {"done": "done", "skip": "skipped", "snooze": "snoozed"}
SCRIPT = ["break-now", "done", "break-now", "skip", "break-now", "snooze", "done"]


def test_sigkill_never_loses_an_acknowledged_answer(tmp_path):
    env = private_env(tmp_path)
    where = control.endpoint(env)
    rng = random.Random(2026)
    acknowledged = {"done": 0, "skipped": 0, "snoozed": 0}
    rounds = 8
    for number in range(rounds):
        daemon = Daemon(tmp_path / f"round{number}", env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
        try:
            wait_until(lambda: _answers(where) or daemon.proc.poll() is not None, "the daemon to answer", 20)
            delay = rng.uniform(0.05, 1.0)  # a random moment: that is the point of the test
            killer = threading.Timer(delay, os.killpg, (daemon.proc.pid, signal.SIGKILL))
            killer.start()
            step = 0
            while True:
                verb = SCRIPT[step % len(SCRIPT)]
                step += 1
                try:
                    answer = control.call(where, control.request(verb), timeout=5)
                except Exception:  # the daemon died mid-request: not acknowledged
                    break
                if answer["ok"] and verb in ANSWER_OF:
                    acknowledged[ANSWER_OF[verb]] += 1
            killer.join()
            assert daemon.proc.wait(10) == -signal.SIGKILL
        finally:
            daemon.stop()

    database = Path(env["XDG_DATA_HOME"]) / "postured" / "history.sqlite3"
    db = sqlite3.connect(database)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(db.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
    finally:
        db.close()
    assert sum(acknowledged.values()) > 20
    for kind, count in acknowledged.items():
        # Every acknowledged answer is there; at most one per kill was written but not yet answered.
        assert count <= stored.get(kind, 0) <= count + rounds, (kind, count, stored)


def _answers(where) -> bool:
    try:
        return control.call(where, control.request("status"), timeout=2)["ok"]
    except Exception:
        return False
