"""Two real Syncthing instances on 127.0.0.1 sharing one folder, for the sync tests.

Use it as a context manager (or through a fixture that closes it)::

    from syncthing import SyncPair, require_syncthing

    require_syncthing()                      # at module level: skip, or fail under CI

    def test_something(tmp_path):
        with SyncPair(tmp_path) as pair:     # both running, connected, folder idle
            (pair.folder_a / "x.jsonl").write_text("one\\n")
            pair.wait_same("x.jsonl")        # B has the same bytes as A
            pair.wait_idle()                 # both scanned, nothing left to pull

Or take the fixture: ``from syncthing import syncthing_pair`` in the test module, then
``def test_x(syncthing_pair): ...``. ``pair.apart()`` disconnects the two for a block
(to make both sides change one file: a conflict). Typical figures on the 2-core test
machine: start-up 1.3-1.6 s, a created file or an append arrives in 0.9-1.1 s (the
watcher's one-second delay is most of it), close 1 s.

``folder_a`` belongs to instance ``a``, ``folder_b`` to instance ``b``; each instance has
its own home (keys, config, database, ``syncthing.log``) beside its folder under
``root``. Nothing leaves the machine: no discovery (global or local), no relays, no
NAT traversal or STUN, no usage or crash reports, no upgrades; both listen on
127.0.0.1 only, on free ports; ``a`` calls ``b`` at b's tcp://127.0.0.1 address. The
folder watcher is on with a one-second delay and the periodic rescan is an hour away,
so a change travels by the watcher, not by polling.

What a reader of the synced folder sees (what the feature must cope with): a
``.stfolder`` directory (Syncthing's marker); a pulled file is written as
``.syncthing.NAME.tmp`` and renamed over NAME, so on the receiving side a file is
replaced (a new inode, a move event), never appended to in place; when both sides
changed one file while apart, one version keeps the name and the other is kept
beside it as ``NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT`` (see
``conflict_copies``), in both folders.

All processes are direct children of this process (``die_with_parent``) and are
stopped and reaped by ``close``, also when start-up fails half-way.
"""

from __future__ import annotations

import fnmatch
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

import pytest

from desktop import die_with_parent, wait_until

FOLDER_ID = "postured-history"


def require_syncthing() -> None:
    """Skip without syncthing, but never in CI (tools/setup.sh --test installs it)."""
    if shutil.which("syncthing") is None:
        message = "the sync tests need the Debian package: syncthing"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run these tests, not skip them)", pytrace=False)
        pytest.skip(message, allow_module_level=True)


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now, all different (held open together while chosen)."""
    held = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            held.append(sock)
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def conflict_copies(folder: Path, name: str) -> list[Path]:
    """Syncthing's conflict copies of ``name`` in ``folder``: NAME.sync-conflict-*.EXT."""
    stem, dot, ext = name.rpartition(".")
    pattern = f"{stem}.sync-conflict-*.{ext}" if dot else f"{name}.sync-conflict-*"
    return sorted(path for path in folder.iterdir() if fnmatch.fnmatchcase(path.name, pattern))


def _set(parent: ET.Element, tag: str, value: str) -> None:
    element = parent.find(tag)
    if element is None:
        element = ET.SubElement(parent, tag)
    element.text = value


# Options that keep every byte on this machine and every decision in the test's hands.
LOCAL_ONLY_OPTIONS = {
    "globalAnnounceEnabled": "false",   # no global discovery servers
    "localAnnounceEnabled": "false",    # no LAN broadcast/multicast announcements
    "relaysEnabled": "false",           # no relay servers
    "natEnabled": "false",              # no UPnP/NAT-PMP, and with it no STUN
    "stunKeepaliveStartS": "0",         # STUN off twice over
    "announceLANAddresses": "false",
    "urAccepted": "-1",                 # usage reporting declined, never asked
    "crashReportingEnabled": "false",
    "autoUpgradeIntervalH": "0",        # no upgrade checks
    "startBrowser": "false",
    "setLowPriority": "false",          # the test machine is busy: do not yield further
    "reconnectionIntervalS": "2",       # reconnect quickly after a test pauses a device
}


class Instance:
    """One Syncthing: its home, its folder, its ports, its REST API."""

    def __init__(self, root: Path, name: str, listen_port: int, gui_port: int):
        self.name = name
        self.home = root / f"syncthing-{name}"
        self.folder = root / f"folder-{name}"
        self.listen_port = listen_port
        self.gui_port = gui_port
        self.api_key = secrets.token_urlsafe(24)
        self.proc: subprocess.Popen | None = None
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
                    "LANG": "C.UTF-8", "STNODEFAULTFOLDER": "1", "STNOUPGRADE": "1",
                    "STMONITORED": "1",  # no monitor process: the child is Syncthing itself
                    "STHASHING": "minio"}  # skips a one-second benchmark that chooses it
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["syncthing", "generate", f"--home={self.home}", "--no-default-folder",
                        "--skip-port-probing"], env=self.env, check=True, capture_output=True, timeout=30)
        self.device_id = subprocess.run(
            ["syncthing", "serve", f"--home={self.home}", "--device-id"], env=self.env,
            check=True, capture_output=True, text=True, timeout=30).stdout.strip()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.listen_port}"

    def configure(self, peer: Instance, dial: bool) -> None:
        """Rewrite the generated config.xml: local-only options, the peer, the shared folder.

        Only one side dials (``dial``); the other knows its peer as "dynamic", which with
        discovery off means "wait to be called". When both dialled at once, Syncthing 1.19
        stalled in its Hello exchange until a 20 s timeout in 2 of 10 start-ups.
        """
        path = self.home / "config.xml"
        tree = ET.parse(path)
        config = tree.getroot()
        me = config.find(f"device[@id='{self.device_id}']")
        me.set("name", self.name)
        other = ET.fromstring(ET.tostring(me))  # same shape, then the peer's values
        other.set("id", peer.device_id)
        other.set("name", peer.name)
        _set(other, "address", peer.address if dial else "dynamic")
        config.insert(list(config).index(me) + 1, other)

        gui = config.find("gui")
        _set(gui, "address", f"127.0.0.1:{self.gui_port}")
        _set(gui, "apikey", self.api_key)
        options = config.find("options")
        _set(options, "listenAddress", self.address)
        for tag, value in LOCAL_ONLY_OPTIONS.items():
            _set(options, tag, value)
        for extra in options.findall("globalAnnounceServer")[1:]:
            options.remove(extra)
        _set(options, "globalAnnounceServer", "")

        # The folder starts as a copy of the generated defaults: an element left out
        # reads as zero (maxConflicts 0 would delete the losing version of a conflict).
        folder = ET.fromstring(ET.tostring(config.find("defaults/folder")))
        folder.attrib.update({
            "id": FOLDER_ID, "label": "postured history", "path": str(self.folder),
            "type": "sendreceive", "rescanIntervalS": "3600", "fsWatcherEnabled": "true",
            "fsWatcherDelayS": "1"})
        template = folder.find("device")
        position = list(folder).index(template)
        folder.remove(template)
        for device in (peer.device_id, self.device_id):
            shared = ET.fromstring(ET.tostring(template))
            shared.set("id", device)
            folder.insert(position, shared)
        config.insert(0, folder)
        tree.write(path, encoding="unicode")

    def start(self) -> None:
        with open(self.home / "syncthing.log", "ab") as log:
            self.proc = subprocess.Popen(
                ["syncthing", "serve", f"--home={self.home}", "--no-browser", "--no-restart",
                 "--no-upgrade", "--logflags=7"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=die_with_parent)

    def rest(self, path: str, method: str = "GET", **query: str):
        """Call the REST API; the decoded JSON answer (None for an empty one)."""
        url = f"http://127.0.0.1:{self.gui_port}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(url, method=method, headers={"X-API-Key": self.api_key})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
        return json.loads(body) if body.strip() else None

    def answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"syncthing {self.name} exited with {self.proc.returncode}: {self.log_tail()}")
        try:
            return self.rest("/rest/system/ping") == {"ping": "pong"}
        except (urllib.error.URLError, ConnectionError):
            return False

    def connected_to(self, peer: Instance) -> bool:
        connection = self.rest("/rest/system/connections")["connections"].get(peer.device_id, {})
        return bool(connection.get("connected"))

    def in_sync_with(self, peer: Instance) -> bool:
        """Folder scanned and idle here, nothing to pull here, and the peer has all we have."""
        status = self.rest("/rest/db/status", folder=FOLDER_ID)
        if status["state"] != "idle" or status["needTotalItems"] or status["pullErrors"]:
            return False
        return self.rest("/rest/db/completion", folder=FOLDER_ID, device=peer.device_id)["completion"] == 100

    def scan(self) -> None:
        """Scan the folder now (returns when the scan is done), not waiting for the watcher."""
        self.rest("/rest/db/scan", method="POST", folder=FOLDER_ID)

    def log_tail(self, lines: int = 20) -> str:
        path = self.home / "syncthing.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def stop(self) -> None:
        """Terminate (if not yet asked), wait, kill if it will not go; reaped either way."""
        if self.proc is None:
            return
        self.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class SyncPair:
    """Instances ``a`` and ``b`` sharing one folder: ``folder_a`` on a, ``folder_b`` on b."""

    def __init__(self, root: Path, timeout: float = 60.0):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.instances: list[Instance] = []
        started = time.monotonic()
        try:
            listen_a, gui_a, listen_b, gui_b = free_ports(4)
            self.a = Instance(self.root, "a", listen_a, gui_a)
            self.instances.append(self.a)
            self.b = Instance(self.root, "b", listen_b, gui_b)
            self.instances.append(self.b)
            self.a.configure(self.b, dial=True)
            self.b.configure(self.a, dial=False)
            # b (called) first, listening, so that a's first call finds it: a refused call
            # is retried only seconds later.
            for instance in (self.b, self.a):
                instance.start()
                wait_until(instance.answers, f"syncthing {instance.name}'s REST API", timeout)
            self.wait_connected(timeout)
            self.wait_idle(timeout)
        except BaseException:
            self.close()
            raise
        self.startup_seconds = time.monotonic() - started

    @property
    def folder_a(self) -> Path:
        return self.a.folder

    @property
    def folder_b(self) -> Path:
        return self.b.folder

    def wait_connected(self, timeout: float = 30.0) -> None:
        wait_until(lambda: self.a.connected_to(self.b) and self.b.connected_to(self.a),
                   "the two syncthing instances to connect", timeout)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Both folders scanned, idle, and in sync with each other.

        A change the watcher has not picked up yet (within its one-second delay) is not
        seen here: after writing, wait for the content (``wait_same``) or call ``scan``.
        """
        wait_until(lambda: self.a.in_sync_with(self.b) and self.b.in_sync_with(self.a),
                   "both syncthing folders to be idle and in sync", timeout)

    def scan(self) -> None:
        """Scan both folders now; what is on disk is then what they announce."""
        for instance in self.instances:
            instance.scan()

    def wait_same(self, name: str, timeout: float = 30.0) -> bytes:
        """Wait until ``name`` has the same bytes in both folders; those bytes."""
        a, b = self.folder_a / name, self.folder_b / name

        def same():  # a one-tuple, so that empty bytes still count as arrived
            try:
                content = a.read_bytes()
                return (content,) if content == b.read_bytes() else None
            except FileNotFoundError:
                return None

        return wait_until(same, f"{name} to be the same in both folders", timeout)[0]

    @contextmanager
    def apart(self, timeout: float = 30.0):
        """While inside, the two are disconnected (a pauses b, b pauses a); each still
        scans its own folder. On leaving they reconnect and exchange what changed."""
        for me, peer in ((self.a, self.b), (self.b, self.a)):
            me.rest("/rest/system/pause", method="POST", device=peer.device_id)
        wait_until(lambda: not self.a.connected_to(self.b) and not self.b.connected_to(self.a),
                   "the two syncthing instances to disconnect", timeout)
        try:
            yield self
        finally:
            for me, peer in ((self.a, self.b), (self.b, self.a)):
                me.rest("/rest/system/resume", method="POST", device=peer.device_id)
        self.wait_connected(timeout)

    def close(self) -> None:
        for instance in self.instances:  # both shut down at once: each takes about a second
            instance.terminate()
        for instance in self.instances:
            instance.stop()
        self.instances.clear()

    def __enter__(self) -> SyncPair:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@pytest.fixture
def syncthing_pair(tmp_path):
    """A running, connected, idle ``SyncPair`` under ``tmp_path``; closed after the test."""
    with SyncPair(tmp_path / "sync") as pair:
        print(f"syncthing artifacts: {pair.root} (started in {pair.startup_seconds:.1f} s)")
        yield pair
