"""The sync folder adapter on real files and real inotify (watchdog): this computer's file
written and topped up, the others' read as they change, and every fault logged once."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from desktop import wait_until
from test_storage_faults import needs_mount, remount, tmpfs
from hypothesis import given, settings, strategies as st

from postured.adapters.sync_folder import PeerFiles, SyncFolder, own_file
from postured.adapters.sync_folder.device import device_id, read_device_id
from postured.adapters.sync_folder.own import OwnLog
from postured.core import shared

UTC = timezone.utc
A = "a" * 32
B = "b" * 32
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Row:
    def __init__(self, minute, kind="done", exercise="chin-tuck"):
        self.at, self.kind, self.exercise_id, self.source, self.detail = (
            START + timedelta(minutes=minute), kind, exercise, "cli", None)


def events(device, count, first=0):
    return shared.with_ids(device, [Row(m) for m in range(first, first + count)])


class Said:
    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, key, message):
        if message is not None and (key, message) not in self.lines:
            self.lines.append((key, message))


def ids_in(path: Path, device: str) -> list[str]:
    return [e.id for e in shared.parse_chunk(path.read_bytes(), None, device, True).events]


def test_the_device_id_is_made_once_and_kept(tmp_path):
    assert read_device_id(tmp_path) is None
    made = device_id(tmp_path)
    assert device_id(tmp_path) == made == read_device_id(tmp_path) and len(made) == 32


def test_own_file_is_topped_up_and_never_written_twice(tmp_path):
    own = OwnLog(tmp_path, A, "laptop", Said())
    mine = events(A, 3)
    assert own.write(mine[:2]) == 2 and own.write(mine) == 1 and own.write(mine) == 0
    path = own_file(tmp_path, A)
    assert ids_in(path, A) == [e.id for e in mine]
    assert shared.parse_header(path.read_text().splitlines()[0]).name == "laptop"
    # Lost (deleted by hand, or the folder was another disk): rebuilt, with the same ids.
    path.unlink()
    assert own.write(mine) == 3 and ids_in(path, A) == [e.id for e in mine]
    # Cut mid-line (this computer stopped while writing): the half line goes, its event comes again.
    data = path.read_bytes()
    path.write_bytes(data[:-7])
    assert own.write(mine) == 1
    assert ids_in(path, A) == [e.id for e in mine] and path.read_bytes() == data
    # Replaced by an older copy (a sync engine's doing): topped up, nothing doubled.
    lines = data.splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:2]))
    assert own.write(mine) == 2 and sorted(ids_in(path, A)) == sorted(e.id for e in mine)


@needs_mount
def test_a_read_only_folder_is_said_once_and_topped_up_when_writable(tmp_path):
    said = Said()
    with tmpfs(tmp_path / "sync") as folder:
        own = OwnLog(folder, A, "laptop", said)
        mine = events(A, 3)
        assert own.write(mine[:1]) == 1
        remount(folder, "ro")  # what a cloud folder mounted read-only is
        assert own.write(mine[:2]) == 0 and own.write(mine) == 0
        assert [k for k, _m in said.lines] == ["write"] and "Read-only file system" in own.problem
        remount(folder, "rw")
        assert own.write(mine) == 2 and own.problem is None
        assert ids_in(own_file(folder, A), A) == [e.id for e in mine]


def test_peer_files_read_appends_replacements_copies_and_newer_formats(tmp_path, caplog):
    said = Said()
    peers = PeerFiles(tmp_path, said)
    theirs = events(B, 4)
    path = own_file(tmp_path, B)
    text = shared.header_line(B, "desk") + "".join(shared.event_line(e) for e in theirs)
    path.write_text(text[: text.index(theirs[2].id) + 20])  # two whole lines and half of a third
    assert [e.id for e in peers.read(path)] == [e.id for e in theirs[:2]]
    with open(path, "a") as out:
        out.write(text[len(path.read_text()):])
    assert [e.id for e in peers.read(path)] == [e.id for e in theirs[2:]]
    # Replaced by rename (how Syncthing delivers a file), with one more event: only that one is new.
    more = events(B, 5)
    (tmp_path / ".syncthing.tmp").write_text(text + shared.event_line(more[4]))
    os.replace(tmp_path / ".syncthing.tmp", path)
    assert [e.id for e in peers.read(path)] == [more[4].id]
    # A conflict copy holding the same events and one of its own: that one only, and one log line.
    copy = tmp_path / f"postured-{B}.sync-conflict-20261201-101500-ABCDEFG.jsonl"
    stray = shared.with_ids(B, [Row(90, "skipped")])[0]
    copy.write_text(text + shared.event_line(stray))
    assert [e.id for e in peers.scan()] == [stray.id]
    dropbox = tmp_path / f"postured-{B} (conflicted copy 2026-12-01).jsonl"
    shutil.copy(copy, dropbox)
    assert peers.scan() == []
    assert [k for k, _m in said.lines] == [f"copy {copy.name}", f"copy {dropbox.name}"]
    # A newer format: read as far as understood, said once.
    newer = tmp_path / f"postured-{'c' * 32}.jsonl"
    newer.write_text('{"kind": "postured-events", "format": 7, "device": "' + "c" * 32 + '", "name": "new"}\n'
                     '{"id": "c1", "at": "2026-12-01T09:00:00+00:00", "kind": "done", "mood": 3}\n'
                     '{"id": "c2", "when": "tomorrow"}\n')
    assert [e.id for e in peers.read(newer)] == ["c1"]
    peers.read(newer)
    assert [k for k, _m in said.lines][2:] == [f"format {'c' * 32}", f"lines {newer.name}"]
    assert peers.devices[B].name == "desk" and peers.devices[B].events == 6


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 12), data=st.data())
def test_any_interleaving_on_disk_reads_every_event_once(count, data):
    """Appends, cuts mid-line, replacements by an older copy and conflict copies, in any
    order, on real files: the events handed on are the file's, each once."""
    folder = Path(tempfile.mkdtemp(prefix="postured-sync-"))
    try:
        peers = PeerFiles(folder, Said())
        theirs = events(B, count)
        whole = (shared.header_line(B, "desk") + "".join(shared.event_line(e) for e in theirs)).encode()
        path = own_file(folder, B)
        handed: list[str] = []
        for step in data.draw(st.lists(st.tuples(st.sampled_from(["append", "replace", "copy"]),
                                                 st.integers(0, len(whole))), max_size=10)):
            how, cut = step
            if how == "append":
                size = path.stat().st_size if path.exists() else 0
                with open(path, "ab") as out:
                    out.write(whole[size:max(cut, size)])
            elif how == "replace":
                (folder / ".tmp").write_bytes(whole[:cut])
                os.replace(folder / ".tmp", path)
            else:
                (folder / f"postured-{B}.sync-conflict-2026120{cut % 9}-000000-X.jsonl").write_bytes(whole[:cut])
            handed += [e.id for e in peers.scan()]
        path.write_bytes(whole)
        handed += [e.id for e in peers.scan()]
        assert sorted(handed) == sorted(e.id for e in theirs)
    finally:
        shutil.rmtree(folder)


def folder_pair(folder: Path, mine_a, mine_b):
    got_a, got_b = [], []
    a = SyncFolder(folder, A, lambda: list(mine_a), name="laptop")
    b = SyncFolder(folder, B, lambda: list(mine_b), name="desk")
    return a, b, got_a, got_b


def test_two_computers_see_each_others_events_as_they_are_written(tmp_path):
    mine_a, mine_b = events(A, 2), events(B, 1, first=50)
    a, b, got_a, got_b = folder_pair(tmp_path, mine_a, mine_b)
    try:
        assert a.catch_up() == []
        assert [e.id for e in b.catch_up()] == [e.id for e in mine_a]
        a.watch(got_a.extend)
        b.watch(got_b.extend)
        wait_until(lambda: [e.id for e in got_a] == [e.id for e in mine_b], "A to read B's file")
        mine_a.append(shared.with_ids(A, [Row(100, "skipped")])[0])
        a.written()
        wait_until(lambda: [e.id for e in got_b] == [mine_a[-1].id], "B to read A's new event", 10)
    finally:
        a.stop()
        b.stop()


def test_a_folder_missing_at_start_or_gone_for_a_while_is_picked_up(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="postured")
    folder = tmp_path / "cloud" / "postured"
    mine_a, mine_b = events(A, 2), events(B, 3, first=50)
    a, b, got_a, _got_b = folder_pair(folder, mine_a, mine_b)
    try:
        assert a.catch_up() == []
        a.watch(got_a.extend)
        assert sum("does not exist (yet)" in r.message for r in caplog.records) == 1
        folder.mkdir(parents=True)  # the cloud folder appears (mounted, or made by the sync engine)
        wait_until(lambda: own_file(folder, A).exists(), "A to write its file into the new folder")
        b.catch_up()
        wait_until(lambda: len(got_a) == 3, "A to read B's file")
        # Gone (unmounted) and back with B's file only: A's is rebuilt, nothing read twice.
        moved = tmp_path / "elsewhere"
        folder.rename(moved)
        wait_until(lambda: any("is gone" in r.message for r in caplog.records), "the folder to be missed")
        mine_a.append(shared.with_ids(A, [Row(100, "skipped")])[0])
        a.written()  # nothing to write into: kept in the history
        moved.mkdir(exist_ok=True)
        (moved / own_file(folder, A).name).unlink()
        moved.rename(folder)
        wait_until(lambda: own_file(folder, A).exists() and len(ids_in(own_file(folder, A), A)) == 3,
                   "A's file rebuilt with all three of its events")
        assert len(got_a) == 3
        assert sum("is gone" in r.message for r in caplog.records) == 1
        assert "Traceback" not in caplog.text
    finally:
        a.stop()
        b.stop()


@needs_mount
def test_a_folder_unmounted_and_mounted_again_loses_and_doubles_nothing(tmp_path, caplog):
    """A real mount under the folder: unmounted, the folder is an empty mount point; mounted
    again (an empty disk here), this computer's file is rebuilt and nothing is read twice."""
    caplog.set_level(logging.INFO, logger="postured")
    folder = tmp_path / "mnt"
    mine_a, mine_b = events(A, 2), events(B, 2, first=50)
    with tmpfs(folder):
        a, b, got_a, _got_b = folder_pair(folder, mine_a, mine_b)
        try:
            a.catch_up()
            b.catch_up()
            a.watch(got_a.extend)
            wait_until(lambda: len(got_a) == 2, "A to read B's file")
            subprocess.run(["umount", str(folder)], check=True)
            mine_a.append(shared.with_ids(A, [Row(100, "skipped")])[0])
            a.written()  # into the empty mount point: the folder is there, just empty
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(folder)], check=True)
            b.written()  # B's sync engine brings its file back
            mine_a.append(shared.with_ids(A, [Row(101, "done")])[0])
            a.written()
            wait_until(lambda: len(ids_in(own_file(folder, A), A)) == 4, "A's file rebuilt with all its events")
            # The new file system is watched: B's next event reaches A, and only it.
            mine_b.append(shared.with_ids(B, [Row(102, "done")])[0])
            b.written()
            wait_until(lambda: len(got_a) == 3, "A to read B's event written after the mount")
            assert [e.id for e in got_a] == [e.id for e in mine_b]
            assert "Traceback" not in caplog.text
        finally:
            a.stop()
            b.stop()


def test_the_sync_table_names_the_line_and_what_is_wrong(tmp_path):
    from postured.config import ConfigError, parse_settings

    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    cases = {
        f'[sync]\nfolder = "{a_file}"\n': f"c.toml: line 2: sync.folder: {a_file} is a file, not a folder",
        '[sync]\nfolder = "Sync/postured"\n': 'c.toml: line 2: sync.folder: give the full path of the folder',
        '[sync]\ndir = "~/Sync"\n': 'c.toml: line 2: sync.dir: unknown key',
    }
    for text, start in cases.items():
        with pytest.raises(ConfigError) as caught:
            parse_settings(text, "c.toml")
        assert str(caught.value).startswith(start), str(caught.value)
    # A folder that is not there (yet) is no error: the daemon waits for it.
    assert parse_settings(f'[sync]\nfolder = "{tmp_path}/later"\n').sync.folder == f"{tmp_path}/later"
    assert parse_settings("").sync.folder == ""


def test_stats_and_the_report_read_this_history_merged_with_the_folder(tmp_path):
    from postured.adapters.history import SqliteHistory
    from postured.config import parse_settings
    from postured.core.machine import Record
    from postured.paths import Paths
    from postured.synced_history import EPOCH, merged_events

    paths = Paths(config=tmp_path / "config.toml", data=tmp_path / "data")
    folder = tmp_path / "Sync"
    folder.mkdir()
    mine = device_id(paths.data)
    history = SqliteHistory(paths.history)
    history.record(START + timedelta(minutes=30), Record("done", "chin-tuck", "cli"))
    history.close()
    # This computer's own file (as the daemon wrote it) and another's, with a conflict copy.
    OwnLog(folder, mine, "laptop", Said()).write(shared.with_ids(mine, [Row(30)]))
    theirs = events(B, 2)
    text = shared.header_line(B, "desk") + "".join(shared.event_line(e) for e in theirs)
    own_file(folder, B).write_text(text)
    (folder / f"postured-{B} (conflicted copy 2026-12-01).jsonl").write_text(text)
    settings_ = parse_settings(f'[sync]\nfolder = "{folder}"\n')
    merged = merged_events(paths, settings_, EPOCH, warn=lambda message: None)
    assert [(e.at.minute, e.kind) for e in merged] == [(0, "done"), (1, "done"), (30, "done")]
    assert len(merged_events(paths, parse_settings(""), EPOCH, warn=lambda message: None)) == 1


def test_the_daemon_s_history_writes_each_event_once_across_restarts_and_a_lost_file(tmp_path):
    from postured.adapters.history import SqliteHistory
    from postured.core.machine import Record
    from postured.synced_history import SyncedHistory

    data, folder = tmp_path / "data", tmp_path / "Sync"
    folder.mkdir()

    def start():
        synced = SyncedHistory(SqliteHistory(data / "history.sqlite3"), folder, data)
        synced.catch_up()
        return synced

    synced = start()
    for minute in (0, 0, 1):  # two identical events in one second are two events
        synced.record(START + timedelta(minutes=minute, microseconds=500), Record("shown", "chin-tuck", "alarm"))
    synced.close()
    path = own_file(folder, read_device_id(data))
    written = ids_in(path, read_device_id(data))
    assert len(set(written)) == 3
    before = path.read_bytes()
    start().close()  # started again: nothing to add
    assert path.read_bytes() == before
    path.unlink()  # lost: rebuilt from the history with the same ids
    synced = start()
    assert ids_in(path, read_device_id(data)) == written
    synced.record(START + timedelta(minutes=2), Record("done", "chin-tuck", "cli"))
    synced.close()
    assert len(ids_in(path, read_device_id(data))) == 4
