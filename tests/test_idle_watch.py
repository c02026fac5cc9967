"""The SYNC idle watcher on a real Xvfb: away after the threshold, back on input, and a
thread that does nothing at all while nothing happens."""

from __future__ import annotations

import itertools
import logging
import os
import socket
import struct
import threading
import time
from datetime import timedelta

import pytest

from desktop import Desktop, require_desktop, wait_until
from postured.adapters.idle_watch import THREAD_NAME, IdleWatcher

require_desktop()

SECOND = timedelta(seconds=1)
# Idle this long already, then a threshold below it: "at once" (< 1 s) is then told apart
# from "a threshold after the start or change" (>= 1.2 s) even on a loaded machine.
LONG_IDLE, SHORTER = timedelta(milliseconds=1500), timedelta(milliseconds=1200)
_positions = itertools.count(1)


@pytest.fixture(scope="module")
def desktop():
    shown = Desktop(tray=False, notifications=False)
    yield shown
    shown.close()


@pytest.fixture
def watchers():
    """Every watcher a test makes is stopped, and no watcher thread outlives the test."""
    made: list[IdleWatcher] = []
    yield made
    for watcher in made:
        watcher.stop()
    assert not watcher_threads()


class Recorder:
    """The callbacks' timeline: ("away", idle, monotonic time) and ("back", None, time)."""

    def __init__(self):
        self.events: list[tuple[str, timedelta | None, float]] = []
        self._changed = threading.Condition()

    def on_away(self, idle: timedelta) -> None:
        self._add("away", idle)

    def on_back(self) -> None:
        self._add("back", None)

    def _add(self, kind: str, idle: timedelta | None) -> None:
        with self._changed:
            self.events.append((kind, idle, time.monotonic()))
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> tuple[str, timedelta | None, float]:
        """The count-th event (1-based), once it has happened."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.events) >= count, timeout):
                raise AssertionError(f"event {count} never came; got {self.events}")
            return self.events[count - 1]

    def kinds(self) -> list[str]:
        with self._changed:
            return [kind for kind, _, _ in self.events]


def watch(desktop, watchers, threshold: timedelta, recorder: Recorder | None = None, **callbacks) -> IdleWatcher:
    recorder = recorder or Recorder()
    watcher = IdleWatcher(threshold, callbacks.get("on_away", recorder.on_away),
                          callbacks.get("on_back", recorder.on_back), desktop.display)
    watchers.append(watcher)
    assert watcher.start()
    return watcher


def touch(desktop) -> float:
    """Real input through XTEST (it resets the server's idle time); returns when it was done."""
    step = next(_positions)
    desktop.xdotool("mousemove", "--sync", str(10 + step % 500), str(10 + step % 300))
    return time.monotonic()


@pytest.fixture(scope="module")
def server_idle(desktop):
    """The idle time by another route (MIT-SCREEN-SAVER), to check the watcher against.

    One connection held open: Xvfb resets itself, idle time included, whenever its last
    client leaves, so a connection per question would read a fresh server each time.
    """
    from Xlib import display as xdisplay

    shown = xdisplay.Display(desktop.display)
    yield lambda: timedelta(milliseconds=shown.screen().root.screensaver_query_info().idle)
    shown.close()


def watcher_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD_NAME and thread.is_alive()]


# select/pselect6/poll/ppoll on x86_64 and pselect6/ppoll on aarch64 (a GIL wait is a futex)
WAITING_SYSCALLS = {"23", "270", "7", "271", "72", "73"}


def blocked_waiting(thread: threading.Thread) -> bool:
    """The thread sleeps in select() (not finishing a callback, not waiting for the GIL)."""
    task = f"/proc/self/task/{thread.native_id}"
    state = open(f"{task}/stat").read().rsplit(") ", 1)[1].split()[0]
    return state == "S" and open(f"{task}/syscall").read().split()[0] in WAITING_SYSCALLS


def context_switches(thread: threading.Thread) -> tuple[int, int]:
    status = open(f"/proc/self/task/{thread.native_id}/status").read()
    values = dict(line.split(":\t") for line in status.splitlines() if "ctxt_switches" in line)
    return int(values["voluntary_ctxt_switches"]), int(values["nonvoluntary_ctxt_switches"])


# ---------------------------------------------------------------- away and back

def test_away_after_the_threshold_back_on_input_and_away_again(desktop, watchers):
    recorder = Recorder()
    touched = touch(desktop)
    watch(desktop, watchers, SECOND, recorder)

    kind, idle, at = recorder.wait_for(1)
    assert kind == "away" and idle >= SECOND
    assert at - touched >= 0.9, "away came before the threshold"

    touch(desktop)
    assert recorder.wait_for(2)[0] == "back"
    touched = time.monotonic()

    kind, idle, at = recorder.wait_for(3)
    assert kind == "away" and idle >= SECOND
    assert at - touched >= 0.9
    assert recorder.kinds() == ["away", "back", "away"]


def test_a_new_threshold_while_away_counts_from_the_next_absence(desktop, watchers):
    recorder = Recorder()
    touch(desktop)
    watcher = watch(desktop, watchers, SECOND, recorder)
    assert recorder.wait_for(1)[0] == "away"

    watcher.set_threshold(2 * SECOND)
    touched = touch(desktop)
    assert recorder.wait_for(2)[0] == "back"
    kind, idle, at = recorder.wait_for(3)
    assert kind == "away" and idle >= 2 * SECOND
    assert at - touched >= 1.9, "the new threshold was not used"


def test_lowering_the_threshold_below_the_idle_time_fires_at_once(desktop, watchers, server_idle):
    recorder = Recorder()
    touch(desktop)
    watcher = watch(desktop, watchers, timedelta(hours=1), recorder)
    wait_until(lambda: server_idle() >= LONG_IDLE, "1.5 s without input")
    assert recorder.kinds() == []

    lowered = time.monotonic()
    watcher.set_threshold(SHORTER)
    kind, idle, at = recorder.wait_for(1)
    assert kind == "away" and idle >= LONG_IDLE
    assert at - lowered < 1.0, "away should come at once, not after another absence"


def test_already_idle_when_watching_starts_fires_at_once(desktop, watchers, server_idle):
    recorder = Recorder()
    touch(desktop)
    wait_until(lambda: server_idle() >= LONG_IDLE, "1.5 s without input")

    started = time.monotonic()
    watch(desktop, watchers, SHORTER, recorder)
    kind, idle, at = recorder.wait_for(1)
    assert kind == "away" and idle >= LONG_IDLE
    assert at - started < 1.0, "away should come at once, not a threshold after the start"


# ---------------------------------------------------------------- cheap when idle

def test_the_watcher_thread_never_wakes_while_nothing_happens(desktop, watchers):
    recorder = Recorder()
    touch(desktop)
    watch(desktop, watchers, timedelta(milliseconds=300), recorder)
    assert recorder.wait_for(1)[0] == "away"
    [thread] = watcher_threads()
    wait_until(lambda: blocked_waiting(thread), "the watcher thread to go back to select()")

    before = context_switches(thread)
    threading.Event().wait(3)  # a quiet stretch: no input, nothing to report
    after = context_switches(thread)
    assert after == before, f"the watcher thread woke while idle: {before} -> {after}"

    touch(desktop)  # and it still answers
    assert recorder.wait_for(2)[0] == "back"


# ---------------------------------------------------------------- robustness

def test_a_failing_callback_is_logged_in_one_line_and_watching_goes_on(desktop, watchers, caplog):
    recorder = Recorder()

    def on_away(idle):
        recorder.on_away(idle)
        raise RuntimeError("boom\nsecond line")

    touch(desktop)
    with caplog.at_level(logging.WARNING, logger="postured"):
        watch(desktop, watchers, timedelta(milliseconds=300), recorder, on_away=on_away)
        assert recorder.wait_for(1)[0] == "away"
        touch(desktop)
        assert recorder.wait_for(2)[0] == "back"
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert failures == ["idle watch: on_away failed: RuntimeError: boom"]


def test_stop_leaves_no_thread_and_may_be_called_from_a_callback(desktop, watchers):
    watcher = IdleWatcher(timedelta(milliseconds=300), lambda idle: watcher.stop(), lambda: None,
                          desktop.display)
    watchers.append(watcher)
    touch(desktop)
    assert watcher.start()
    assert len(watcher_threads()) == 1
    wait_until(lambda: not watcher.watching, "the watcher to stop itself from on_away")
    assert not watcher_threads()

    other = watch(desktop, watchers, timedelta(hours=1))
    assert other.watching
    other.stop()
    other.stop()  # twice is harmless
    assert not other.watching and not watcher_threads()
    assert other.start() and len(watcher_threads()) == 1  # and it starts again
    other.stop()
    assert not watcher_threads()


def test_the_threshold_must_be_positive():
    for bad in (timedelta(0), timedelta(seconds=-1)):
        with pytest.raises(ValueError, match="positive"):
            IdleWatcher(bad, lambda idle: None, lambda: None)
    watcher = IdleWatcher(SECOND, lambda idle: None, lambda: None)
    with pytest.raises(ValueError, match="positive"):
        watcher.set_threshold(timedelta(0))


def test_a_lost_x_server_ends_the_watch_with_one_line(caplog):
    own = Desktop(tray=False, notifications=False)
    try:
        watcher = IdleWatcher(timedelta(hours=1), lambda idle: None, lambda: None, own.display)
        with caplog.at_level(logging.WARNING, logger="postured"):
            assert watcher.start()
            own.stop("xvfb")
            wait_until(lambda: not watcher.watching, "the watcher to notice the server is gone")
        watcher.stop()
    finally:
        own.close()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("idle watch stopped:"), lines


# ---------------------------------------------------------------- nothing to watch

def test_no_display_means_no_watch_and_one_line(monkeypatch, caplog):
    monkeypatch.delenv("DISPLAY", raising=False)
    with caplog.at_level(logging.INFO, logger="postured"):
        assert IdleWatcher(SECOND, lambda idle: None, lambda: None).start() is False
    assert [r.getMessage() for r in caplog.records] == ["idle watch off: no X display (DISPLAY is not set)"]
    assert not watcher_threads()


def test_an_unreachable_display_means_no_watch_and_one_line(caplog):
    number = next(n for n in range(4242, 4342) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    with caplog.at_level(logging.INFO, logger="postured"):
        assert IdleWatcher(SECOND, lambda idle: None, lambda: None, f":{number}").start() is False
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith(f"idle watch off: cannot connect to X display ':{number}'")
    assert not watcher_threads()


def test_a_server_without_sync_means_no_watch_and_one_line(desktop, caplog):
    # Xvfb cannot switch SYNC off (it is not among its -extension options), so a relay in
    # front of the real server renames the extension in the client's QueryExtension.
    with HideSync(desktop.display) as relay, caplog.at_level(logging.INFO, logger="postured"):
        assert IdleWatcher(SECOND, lambda idle: None, lambda: None, relay.display).start() is False
        assert relay.hidden >= 1, "the relay never saw the SYNC query"
    assert [r.getMessage() for r in caplog.records] == [
        f"idle watch off: the X server on {relay.display!r} has no SYNC extension"]
    assert not watcher_threads()


class HideSync:
    """A TCP relay to an Xvfb's socket that turns QueryExtension("SYNC") into a query for
    an unknown name, so the real server answers "not present"."""

    QUERY_EXTENSION = 98

    def __init__(self, display: str):
        self._socket_path = f"/tmp/.X11-unix/X{display.lstrip(':')}"
        self._listener = socket.socket()
        for number in range(150, 250):  # TCP display :N is port 6000 + N
            try:
                self._listener.bind(("127.0.0.1", 6000 + number))
                break
            except OSError:
                continue
        else:
            raise RuntimeError("no free port for the relay")
        self._listener.listen()
        self.display = f"127.0.0.1:{number}"
        self.hidden = 0
        self._sockets = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX)
            server.connect(self._socket_path)
            self._sockets += [client, server]
            threading.Thread(target=self._requests, args=(client, server), daemon=True).start()
            threading.Thread(target=self._copy, args=(server, client), daemon=True).start()

    @staticmethod
    def _copy(source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass

    def _requests(self, client, server) -> None:
        buffer, setup_done = b"", False
        try:
            while data := client.recv(65536):
                buffer += data
                while True:
                    size = self._next_size(buffer, setup_done)
                    if size is None or len(buffer) < size:
                        break
                    chunk, buffer = buffer[:size], buffer[size:]
                    if setup_done and chunk[0] == self.QUERY_EXTENSION and chunk[8:12] == b"SYNC":
                        chunk = chunk[:8] + b"NOPE" + chunk[12:]
                        self.hidden += 1
                    setup_done = True
                    server.sendall(chunk)
        except OSError:
            pass

    @staticmethod
    def _next_size(buffer: bytes, setup_done: bool) -> int | None:
        """Bytes in the next setup block or request. python-xlib speaks the host's byte
        order: little-endian ("l") on the machines these tests run on."""
        if not setup_done:  # byte order, pad, version (4), auth name and data lengths, pad
            if len(buffer) < 12:
                return None
            assert buffer[:1] == b"l", "the relay only reads little-endian clients"
            name, data = struct.unpack("<HH", buffer[6:10])
            return 12 + (name + 3) // 4 * 4 + (data + 3) // 4 * 4
        if len(buffer) < 4:
            return None
        length = struct.unpack("<H", buffer[2:4])[0]
        if length == 0:  # BIG-REQUESTS: a 32-bit length follows
            if len(buffer) < 8:
                return None
            length = struct.unpack("<I", buffer[4:8])[0]
        return length * 4
