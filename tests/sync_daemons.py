"""Two real daemons of one person, each with its own home, sharing a sync folder: helpers
for the tests that share it on one disk and through two real Syncthing instances."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from daemon import ALL_DAY

DONE_DAYS = (10, 9, 8, 3, 2, 1)  # days back: a step up the dose ladder at day 3, a streak of 3 days


def config(folder: Path, interval: str = "1h") -> str:
    return ALL_DAY.format(interval=interval) + f'[sync]\nfolder = "{folder}"\n'


def seed_regular_use(path: Path) -> int:
    """Every exercise done on DONE_DAYS: each one on the second step of its dose, and three
    days with the goal met up to yesterday. Only this computer has this history."""
    from postured.adapters.history import SqliteHistory
    from postured.catalogue import load_catalogue
    from postured.core.machine import Record

    history = SqliteHistory(path)
    now = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    rows = 0
    for back in DONE_DAYS:
        for n, exercise in enumerate(load_catalogue().exercises):
            at = now - timedelta(days=back, minutes=n)
            history.record(at, Record("shown", exercise.id, "alarm"))
            history.record(at, Record("done", exercise.id, "cli"))
            rows += 2
    history.close()
    return rows


def cli(daemon, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "postured", "--config", str(daemon.config), *args],
                          env=daemon.env, capture_output=True, text=True, timeout=60)


def as_json(daemon, *args: str) -> dict:
    done = cli(daemon, *args, "--json")
    return json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else {}
