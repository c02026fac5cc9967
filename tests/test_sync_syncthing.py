"""End to end over real Syncthing: two daemons, each with its own home and its own Syncthing
instance on 127.0.0.1 (tests/syncthing.py), share history through the synced folder. An
answer on A withdraws B's reminder from dunst's screen within the sync delay, the streak and
the dose agree on both, and answers given while the two are apart meet without conflicts."""

from __future__ import annotations

import time

import pytest
from daemon import Daemon, private_env
from desktop import Desktop, require_desktop, wait_until
from sync_daemons import as_json, cli, config, seed_regular_use
from syncthing import SyncPair, conflict_copies, require_syncthing

pytestmark = pytest.mark.desktop

require_desktop()
require_syncthing()



def test_an_answer_on_a_withdraws_b_s_reminder_through_syncthing(tmp_path):
    desktop = Desktop(tmp_path / "desktop", tray=False)
    a = b = None
    try:
        with SyncPair(tmp_path / "sync") as pair:
            seeded = seed_regular_use(tmp_path / "a" / "data" / "postured" / "history.sqlite3")
            a = Daemon(tmp_path / "a", private_env(tmp_path / "a"), config(pair.folder_a), args=("run", "--no-tray"))
            b = Daemon(tmp_path / "b", desktop.env, config(pair.folder_b), args=("run", "--no-tray"),
                       extra_env={"POSTURED_NOTIFIER": "", "TZ": "UTC"}, used_before=True)
            for daemon in (a, b):
                daemon.wait_for_log("sync: sharing events through")
            # A's history crosses over: B's streak and dose are A's.
            wait_until(lambda: as_json(b, "stats").get("streak", {}).get("days") == 3,
                       "A's history to reach B through Syncthing", 60)
            assert cli(b, "break-now").returncode == 0
            wait_until(lambda: desktop.displayed() == 1, "B's reminder on dunst's screen")
            assert as_json(b, "status")["dose"]["level"] == 2
            assert cli(a, "break-now").returncode == 0
            answered = time.monotonic()
            assert cli(a, "done").returncode == 0
            wait_until(lambda: desktop.displayed() == 0, "B's reminder to leave dunst's screen", 60)
            delay = time.monotonic() - answered
            print(f"answer on A to B's reminder withdrawn: {delay:.1f} s")
            assert "answeredelsewhere (from another computer): Next break" in b.log
            assert b.kinds() == ["shown"] and a.kinds()[seeded:] == ["shown", "done"]

            def agree() -> bool:
                sa, sb = as_json(a, "status"), as_json(b, "status")
                return bool(sa) and bool(sb) and all(sa[k] == sb[k] for k in ("exercise", "dose", "today"))

            wait_until(agree, "A and B to suggest the same exercise at the same dose", 60)
            wait_until(lambda: as_json(a, "stats") == as_json(b, "stats"), "the same stats on both", 60)
            assert as_json(a, "stats")["streak"]["days"] == 3

            # Apart (a train without network): a break answered on each. Each computer writes
            # only its own file, so when they meet again nothing conflicts and nothing is lost.
            with pair.apart():
                for daemon in (a, b):
                    assert cli(daemon, "break-now").returncode == 0
                    assert cli(daemon, "skip").returncode == 0
            wait_until(lambda: as_json(a, "stats")["totals"]["skipped"] == 2
                       and as_json(b, "stats")["totals"]["skipped"] == 2, "both skips on both computers", 60)
            assert as_json(a, "stats") == as_json(b, "stats")
            for folder in (pair.folder_a, pair.folder_b):
                for own in folder.glob("postured-*.jsonl"):
                    assert conflict_copies(folder, own.name) == []
            seen = as_json(a, "sync", "status")
            assert len(seen["devices"]) == 2 and not any(d["copies"] for d in seen["devices"]), seen
            for daemon in (a, b):
                assert "Traceback" not in daemon.log
    finally:
        for daemon in (a, b):
            if daemon is not None:
                daemon.stop()
        desktop.close()
