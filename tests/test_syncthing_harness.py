"""The two-Syncthing harness (tests/syncthing.py) against real Syncthing: what the sync
feature's tests rely on — bytes arrive unchanged, appends travel both ways, a change on
both sides at once leaves a conflict copy, nothing listens or talks beyond 127.0.0.1,
and every process is gone after the pair closes, also when the test inside fails."""

from __future__ import annotations

import ipaddress
import os
import time
from pathlib import Path

import pytest

from desktop import wait_until
from syncthing import SyncPair, conflict_copies, require_syncthing, syncthing_pair  # noqa: F401

require_syncthing()

# Bytes a history line may hold: non-ASCII, a tab, no final newline yet.
LINE = '{"event": "answered", "note": "Nackendehnung \u2013 gut\tok"}'.encode()


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as out:
        out.write(data)


def timed_wait_same(pair: SyncPair, name: str) -> tuple[bytes, float]:
    started = time.monotonic()
    content = pair.wait_same(name)
    return content, time.monotonic() - started


def test_a_file_created_on_a_arrives_on_b_with_the_same_bytes(syncthing_pair):
    (syncthing_pair.folder_a / "a.jsonl").write_bytes(LINE)
    content, took = timed_wait_same(syncthing_pair, "a.jsonl")
    print(f"created on a, arrived on b after {took:.2f} s")
    assert content == LINE
    assert (syncthing_pair.folder_b / "a.jsonl").read_bytes() == LINE


def test_an_append_on_a_arrives_on_b(syncthing_pair):
    path = syncthing_pair.folder_a / "a.jsonl"
    path.write_bytes(LINE + b"\n")
    syncthing_pair.wait_same("a.jsonl")
    append(path, b'{"event": "skipped"}\n')
    content, took = timed_wait_same(syncthing_pair, "a.jsonl")
    print(f"append on a arrived on b after {took:.2f} s")
    assert content.splitlines() == [LINE, b'{"event": "skipped"}']


def test_an_append_on_b_arrives_on_a(syncthing_pair):
    """The other direction: b is the instance that is called, not the one that calls."""
    (syncthing_pair.folder_b / "b.jsonl").write_bytes(LINE + b"\n")
    syncthing_pair.wait_same("b.jsonl")
    append(syncthing_pair.folder_b / "b.jsonl", b'{"event": "done"}\n')
    content, took = timed_wait_same(syncthing_pair, "b.jsonl")
    print(f"append on b arrived on a after {took:.2f} s")
    assert (syncthing_pair.folder_a / "b.jsonl").read_bytes().splitlines() == [LINE, b'{"event": "done"}']
    assert content.endswith(b'{"event": "done"}\n')


def test_the_receiving_side_gets_a_new_file_in_place_of_the_old(syncthing_pair):
    """What a reader on b must expect: an append on a arrives as a new file (Syncthing
    writes .syncthing.NAME.tmp and renames it over NAME), not as an append in place."""
    path_b = syncthing_pair.folder_b / "a.jsonl"
    append(syncthing_pair.folder_a / "a.jsonl", b"one\n")
    syncthing_pair.wait_same("a.jsonl")
    before = path_b.stat().st_ino
    with open(path_b, "rb") as held:  # a reader that keeps the file open sees the old one
        append(syncthing_pair.folder_a / "a.jsonl", b"two\n")
        assert syncthing_pair.wait_same("a.jsonl") == b"one\ntwo\n"
        assert held.read() == b"one\n"
    assert path_b.stat().st_ino != before
    assert not [p.name for p in syncthing_pair.folder_b.iterdir() if p.name.startswith(".syncthing.")]


def test_each_side_appending_to_its_own_file_meets_in_both_folders(syncthing_pair):
    """The feature's layout: one file per device, both growing at once."""
    append(syncthing_pair.folder_a / "device-a.jsonl", b"a1\n")
    append(syncthing_pair.folder_b / "device-b.jsonl", b"b1\n")
    append(syncthing_pair.folder_a / "device-a.jsonl", b"a2\n")
    assert syncthing_pair.wait_same("device-a.jsonl") == b"a1\na2\n"
    assert syncthing_pair.wait_same("device-b.jsonl") == b"b1\n"
    syncthing_pair.wait_idle()
    assert not conflict_copies(syncthing_pair.folder_a, "device-a.jsonl")
    assert not conflict_copies(syncthing_pair.folder_b, "device-b.jsonl")


def test_a_file_changed_on_both_sides_while_apart_leaves_a_conflict_copy(syncthing_pair):
    """Syncthing keeps one version under the name and the other as
    NAME.sync-conflict-DATE-TIME-DEVICE.EXT, in both folders: nothing is lost."""
    pair = syncthing_pair
    (pair.folder_a / "shared.jsonl").write_bytes(b"first\n")
    pair.wait_same("shared.jsonl")
    pair.wait_idle()
    with pair.apart():
        append(pair.folder_a / "shared.jsonl", b"from a\n")
        append(pair.folder_b / "shared.jsonl", b"from b\n")
        pair.scan()  # each side has indexed its own version before they meet again

    def both_have_a_conflict_copy():
        copies = [conflict_copies(folder, "shared.jsonl") for folder in (pair.folder_a, pair.folder_b)]
        return copies if all(copies) else None

    copies_a, copies_b = wait_until(both_have_a_conflict_copy, "a conflict copy in both folders", 30)
    kept = pair.wait_same("shared.jsonl")
    assert [path.name for path in copies_a] == [path.name for path in copies_b]
    assert len(copies_a) == 1
    copy = pair.wait_same(copies_a[0].name)
    assert {kept, copy} == {b"first\nfrom a\n", b"first\nfrom b\n"}
    assert copies_a[0].name.startswith("shared.sync-conflict-") and copies_a[0].suffix == ".jsonl"


def sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def inet_sockets(pid: int) -> list[tuple[str, str, str]]:
    """(table, local address, remote address) of each IP socket the process holds."""
    mine = sockets_of(pid)
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = row.split()
            if int(fields[9]) in mine:
                found.append((table, decode(fields[1]), decode(fields[2])))
    return found


def decode(hex_address: str) -> str:
    """/proc/net/tcp's HEXADDR:HEXPORT (little-endian words) as ip:port."""
    address, port = hex_address.split(":")
    raw = bytes.fromhex(address)
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return f"{ipaddress.ip_address(raw)}:{int(port, 16)}"


def test_nothing_listens_or_talks_beyond_the_loopback(syncthing_pair):
    pair = syncthing_pair
    (pair.folder_a / "a.jsonl").write_bytes(LINE)
    pair.wait_same("a.jsonl")
    for instance in (pair.a, pair.b):
        held = inet_sockets(instance.proc.pid)
        assert held, "the instance holds its listening sockets"
        for table, local, remote in held:
            assert table.startswith("tcp"), f"{instance.name} holds a {table} socket {local}: discovery?"
            assert local.startswith("127.0.0.1:"), f"{instance.name} listens on {local}"
            assert remote.split(":")[0] in ("127.0.0.1", "0.0.0.0"), f"{instance.name} talks to {remote}"
        # What Syncthing made of the options it read (it would reset values it rejects).
        options = instance.rest("/rest/config/options")
        assert options["listenAddresses"] == [instance.address]
        assert not (options["globalAnnounceEnabled"] or options["localAnnounceEnabled"]
                    or options["relaysEnabled"] or options["natEnabled"] or options["crashReportingEnabled"])
        assert options["urAccepted"] == -1 and options["autoUpgradeIntervalH"] == 0
        status = instance.rest("/rest/system/status")
        assert status["myID"] == instance.device_id
        assert list(status["connectionServiceStatus"]) == [instance.address]  # no relay, no QUIC
        assert not status.get("discoveryEnabled") and not status.get("discoveryMethods")
        assert instance.rest("/rest/system/discovery") == {}


def test_close_stops_and_reaps_every_process_even_when_the_test_fails(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with SyncPair(tmp_path / "sync") as pair:
            procs = [pair.a.proc, pair.b.proc]
            print(f"started in {pair.startup_seconds:.2f} s")
            1 / 0
    assert all(proc.returncode is not None for proc in procs)
    for proc in procs:
        with pytest.raises(ChildProcessError):
            os.waitpid(proc.pid, os.WNOHANG)  # reaped: no zombie left behind
