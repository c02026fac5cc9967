"""A real daemon on a sync folder that misbehaves: missing at start, then half-synced lines,
conflict copies and a newer format from other computers. Each is logged once; the daemon
goes on and loses or doubles nothing."""

from __future__ import annotations

import json

from daemon import Daemon, private_env
from desktop import wait_until
from sync_daemons import as_json, cli, config

from postured.core import shared

PEER = "c" * 32


def peer_lines(count: int) -> list[str]:
    class Row:
        def __init__(self, n):
            from datetime import datetime, timedelta, timezone

            self.at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2, minutes=n)
            self.kind, self.exercise_id, self.source, self.detail = "done", "chin-tuck", "cli", None

    return [shared.event_line(e) for e in shared.with_ids(PEER, [Row(n) for n in range(count)])]


def test_a_folder_that_comes_late_and_files_half_synced_or_in_conflict(tmp_path):
    folder = tmp_path / "Sync" / "postured"
    daemon = Daemon(tmp_path / "a", private_env(tmp_path / "a"), config(folder), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("does not exist (yet); it is used as soon as it appears")
        folder.mkdir(parents=True)
        own = wait_until(lambda: list(folder.glob("postured-*.jsonl")), "the daemon's own file in the new folder")
        assert cli(daemon, "break-now").returncode == 0 and cli(daemon, "done").returncode == 0
        wait_until(lambda: own[0].read_text().count('"kind": "done"') == 1, "the answer in the daemon's file")
        # Another computer's file, its last line half synced; a conflict copy; a newer format.
        lines = peer_lines(3)
        header = json.dumps({"kind": shared.KIND, "format": 2, "device": PEER, "name": "desk"}) + "\n"
        (folder / f"postured-{PEER}.jsonl").write_text(header + "".join(lines[:2]) + lines[2][:25])
        (folder / f"postured-{PEER}.sync-conflict-20261201-101500-ABCDEFG.jsonl").write_text(header + lines[0])
        wait_until(lambda: as_json(daemon, "status").get("today", {}).get("done") == 3,
                   "the two whole lines of the other computer counted, once each")
        with open(folder / f"postured-{PEER}.jsonl", "a") as out:
            out.write(lines[2][25:])  # the sync completes
        wait_until(lambda: as_json(daemon, "status").get("today", {}).get("done") == 4, "the last line counted")
        assert daemon.log.count("does not exist (yet)") == 1
        assert daemon.log.count("a sync engine made (a sync conflict)") == 1
        assert daemon.log.count("newer than this postured's 1") == 1
        assert as_json(daemon, "stats")["totals"]["done"] == 4
        seen = as_json(daemon, "sync", "status")
        assert {d["name"] for d in seen["devices"]} >= {"desk"} and len(seen["devices"]) == 2, seen
        assert "Traceback" not in daemon.log and daemon.proc.poll() is None
    finally:
        daemon.stop()
