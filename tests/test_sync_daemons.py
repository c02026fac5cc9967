"""Two real daemons with separate homes sharing a sync folder on disk: an answer on A
withdraws B's due reminder from a real notification server (dunst), and the streak and the
dose ladder agree on both."""

from __future__ import annotations


import pytest
from daemon import Daemon, private_env
from desktop import Desktop, require_desktop, wait_until
from sync_daemons import as_json, cli, config, seed_regular_use

pytestmark = pytest.mark.desktop

require_desktop()



def test_an_answer_on_one_computer_withdraws_the_reminder_on_the_other(tmp_path):
    folder = tmp_path / "Sync" / "postured"
    folder.mkdir(parents=True)
    desktop = Desktop(tmp_path / "desktop", tray=False)
    env_a = private_env(tmp_path / "a")
    seeded = seed_regular_use(tmp_path / "a" / "data" / "postured" / "history.sqlite3")
    a = b = None
    try:
        a = Daemon(tmp_path / "a", env_a, config(folder), args=("run", "--no-tray"))
        b = Daemon(tmp_path / "b", desktop.env, config(folder), args=("run", "--no-tray"),
                   extra_env={"POSTURED_NOTIFIER": "", "TZ": "UTC"}, used_before=True)
        for daemon in (a, b):
            daemon.wait_for_log("sync: sharing events through")
        # B has all of A's history: the streak and the dose of the exercise it suggests.
        wait_until(lambda: as_json(b, "stats").get("streak", {}).get("days") == 3, "B's streak of A's 3 days", 30)
        assert cli(b, "break-now").returncode == 0
        wait_until(lambda: desktop.displayed() == 1, "B's reminder on dunst's screen")
        due_on_b = as_json(b, "status")
        assert due_on_b["state"] == "due" and due_on_b["dose"]["level"] == 2, due_on_b
        # The person is at A: a break there, answered there.
        assert cli(a, "break-now").returncode == 0
        assert cli(a, "done").returncode == 0
        try:
            wait_until(lambda: desktop.displayed() == 0, "B's reminder to leave dunst's screen", 15)
        except TimeoutError as exc:  # say what each daemon saw
            raise TimeoutError(f"{exc}\n--- A:\n{a.log}\n--- B:\n{b.log}") from None
        after = as_json(b, "status")
        assert after["state"] != "due" and after["today"]["done"] == 1, after
        assert "answeredelsewhere (from another computer): Next break" in b.log
        assert b.kinds() == ["shown"]  # B recorded its reminder; the answer is A's
        assert a.kinds()[seeded:] == ["shown", "done"]

        # Both decide from the same events: the same next exercise at the same dose, the same stats.
        def same() -> bool:
            sa, sb = as_json(a, "status"), as_json(b, "status")
            return bool(sa) and (sa["exercise"], sa["dose"], sa["today"]) == (sb["exercise"], sb["dose"], sb["today"])

        wait_until(same, "A and B to suggest the same exercise at the same dose", 15)
        assert as_json(a, "status")["dose"]["level"] == 2
        stats_a, stats_b = as_json(a, "stats"), as_json(b, "stats")
        assert stats_a == stats_b and stats_a["streak"]["days"] == 3 and stats_a["totals"]["done"] >= 1
        # `sync status` on each names both devices, without asking a daemon.
        seen = as_json(b, "sync", "status")
        assert len(seen["devices"]) == 2 and sum(d["this_computer"] for d in seen["devices"]) == 1, seen
        for daemon in (a, b):
            assert "Traceback" not in daemon.log
    finally:
        for daemon in (a, b):
            if daemon is not None:
                daemon.stop()
        desktop.close()
