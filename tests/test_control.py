"""A real `postured run --no-tray` driven through the CLI verbs and its control socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until


@pytest.fixture
def env(tmp_path):
    return private_env(tmp_path)


@pytest.fixture
def daemon(tmp_path, env):
    running = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    wait_until(lambda: (Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock").exists()
               or running.proc.poll() is not None, "the control socket", 20)
    yield running
    running.stop()


def cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "postured", *args], env=env, capture_output=True,
                          text=True, timeout=30)


def status(env) -> dict:
    done = cli(env, "status", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_verb_through_the_running_daemon(daemon, env):
    first = status(env)
    assert set(first) >= {"state", "next_reminder", "exercise", "until", "today", "config_path", "config_error"}
    assert first["state"] == "waiting" and first["next_reminder"].endswith("+00:00")
    assert first["config_path"] == str(daemon.config) and first["config_error"] is None

    refused = cli(env, "done")
    assert refused.returncode == 1 and refused.stderr.strip() == "postured: nothing is due right now"
    assert "Traceback" not in refused.stderr

    assert cli(env, "break-now").returncode == 0
    due = status(env)
    assert due["state"] == "due" and due["next_reminder"] is None
    assert due["exercise"]["id"] == first["exercise"]["id"]

    snoozed = cli(env, "snooze", "10m")
    assert snoozed.returncode == 0 and snoozed.stdout.startswith("Snoozed until")
    after = status(env)
    assert after["state"] == "snoozed" and after["until"] == after["next_reminder"]
    assert {k: after["today"][k] for k in ("done", "snoozed", "skipped")} == {"done": 0, "snoozed": 1, "skipped": 0}
    assert after["today"]["planned"] > 0

    assert cli(env, "done").returncode == 0
    assert status(env)["today"]["done"] == 1
    assert cli(env, "pause", "30m").returncode == 0
    paused = status(env)
    assert paused["state"] == "paused" and paused["until"]
    assert cli(env, "resume").returncode == 0
    assert status(env)["state"] == "waiting"
    assert cli(env, "pause", "tomorrow").returncode == 0
    assert cli(env, "resume").returncode == 0
    assert cli(env, "break-now").returncode == 0
    assert cli(env, "skip").returncode == 0

    assert daemon.events() == [
        ("shown", first["exercise"]["id"], "cli"), ("snoozed", first["exercise"]["id"], "cli"),
        ("done", first["exercise"]["id"], "cli"), ("paused", None, "cli"), ("resumed", None, "cli"),
        ("paused", None, "cli"), ("resumed", None, "cli"),
        ("shown", daemon.events()[7][1], "cli"), ("skipped", daemon.events()[7][1], "cli"),
    ]
    human = cli(env, "status")
    assert human.returncode == 0 and "today: 1 done, 1 snoozed, 1 skipped" in human.stdout

    assert cli(env, "quit").returncode == 0
    assert daemon.wait_exit(10) == 0
    assert not (Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock").exists()


def test_bad_arguments_are_usage_errors(daemon, env):
    done = cli(env, "snooze", "ten minutes")
    assert done.returncode == 2 and '"ten minutes" is not a duration' in done.stderr


def test_not_running(env):
    done = cli(env, "status")
    assert done.returncode == 3
    assert done.stderr.strip() == "postured: not running (start it with: postured run)"


def test_one_instance_and_a_stale_socket_does_not_block(daemon, env, tmp_path):
    second = cli(env, "--config", str(daemon.config), "run", "--no-tray")
    assert second.returncode == 1 and "already running" in second.stderr
    os.killpg(daemon.proc.pid, signal.SIGKILL)
    daemon.proc.wait()
    assert (Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock").exists()  # stale
    restarted = Daemon(tmp_path / "again", env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        wait_until(lambda: cli(env, "status").returncode == 0 or restarted.proc.poll() is not None,
                   "the new daemon to answer", 20)
        assert restarted.proc.poll() is None, restarted.log
    finally:
        restarted.stop()


def test_endpoint_is_private(daemon, env):
    folder = Path(env["XDG_RUNTIME_DIR"]) / "postured"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "control.sock").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "control.key").stat().st_mode) == 0o600


# ------------------------------------------------------------------ bad input


def raw_socket(env) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    try:
        sock.connect(str(Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"))
    except OSError:
        sock.close()
        raise
    return sock


def raw_socket_in_turn(env) -> socket.socket:
    """A raw connection, once the socket's queue has room (it is full for a moment at times)."""
    def attempt():
        try:
            return raw_socket(env)
        except BlockingIOError:
            return None

    return wait_until(attempt, "room in the control socket's queue", 10)


def key(env) -> bytes:
    return (Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.key").read_bytes()


def still_fine(daemon, env, expected_state="waiting"):
    assert daemon.proc.poll() is None, daemon.log
    assert status(env)["state"] == expected_state


def test_garbage_bytes(daemon, env):
    with raw_socket(env) as sock:
        sock.sendall(os.urandom(4096))
        try:
            sock.recv(100)
        except OSError:
            pass
    still_fine(daemon, env)


def test_half_written_message_is_dropped(daemon, env):
    with raw_socket(env) as sock:
        sock.sendall(b"\x00\x00\x10\x00{\"v\": 1")  # says 4096 bytes follow, sends 8, stalls
        still_fine(daemon, env)  # other clients are served meanwhile


def read_frame(sock) -> bytes:
    def exactly(count):
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            assert chunk, "the daemon hung up"
            data += chunk
        return data

    return exactly(int.from_bytes(exactly(4), "big"))


def test_a_100_mb_message_is_refused_unread(daemon, env):
    with raw_socket(env) as sock:
        assert read_frame(sock)[:1] == b"\x01"  # the challenge
        try:
            sock.sendall((100 * 1024 * 1024).to_bytes(4, "big") + b"x" * (1 << 20))
            assert sock.recv(1) == b""  # dropped after the length, not after 100 MB
        except OSError:
            pass  # or reset while we were still writing
    still_fine(daemon, env)


def exchange(env, key_bytes: bytes, request: bytes) -> bytes:
    from postured import control, wire

    deadline = time.monotonic() + 10
    stream = wire.connect(control.endpoint(env).address, deadline)
    try:
        return wire.ask(stream, key_bytes, request, control.MAX_REPLY, deadline)
    finally:
        stream.close()


def test_wrong_key_is_refused_and_nothing_happens(daemon, env):
    from postured import control

    assert cli(env, "break-now").returncode == 0
    with pytest.raises((EOFError, OSError)):
        exchange(env, b"wrong" * 6, control.encode(control.request("done")))
    still_fine(daemon, env, "due")
    assert daemon.kinds() == ["shown"]


def test_unknown_verb_bad_version_and_bad_source_get_an_answer(daemon, env):
    from postured import control

    where = control.endpoint(env)
    answer = control.call(where, {"v": 1, "verb": "explode", "args": {}})
    assert answer["ok"] is False and "unknown verb 'explode'" in answer["error"]
    # The reply names the problem; it is written in version 1 of the grammar.
    answer = json.loads(exchange(env, key(env), b'{"v": 99, "verb": "status"}'))
    assert answer["v"] == 1 and "protocol version 99" in answer["error"]
    answer = control.call(where, {**control.request("done"), "source": "tray"})
    assert answer["ok"] is False and "source 'tray' is not one of cli, guide" in answer["error"]
    still_fine(daemon, env)


def test_fifty_clients_at_once(daemon, env):
    from postured import control

    where = control.endpoint(env)
    answers, failures = [], []

    def ask():
        try:
            answers.append(control.call(where, control.request("status")))
        except Exception as exc:  # noqa: BLE001 - counted below
            failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Every client is answered or cleanly turned away; most are answered.
    assert len(answers) + len(failures) == 50
    assert all(answer["ok"] for answer in answers) and len(answers) >= 25
    still_fine(daemon, env)


# ------------------------------------------------------------------ live config


def test_saving_the_config_applies_it_and_a_broken_one_is_kept_out(daemon, env):
    before = status(env)
    daemon.config.write_text(ALL_DAY.format(interval="3h"))
    changed = wait_until(lambda: (s := status(env))["next_reminder"] != before["next_reminder"] and s,
                         "the new interval to apply", 5)
    assert changed["config_error"] is None

    broken = ALL_DAY.format(interval="3 hours")
    daemon.config.write_text(broken)
    reported = wait_until(lambda: (s := status(env))["config_error"] and s, "the error to be reported", 5)
    assert "config.toml: line 3: schedule.interval: \"3 hours\" is not a duration" in reported["config_error"]
    assert reported["next_reminder"] == changed["next_reminder"]  # the last good config stays
    assert daemon.proc.poll() is None

    reload = cli(env, "reload")
    assert reload.returncode == 1 and "is not a duration" in reload.stderr

    # An editor that saves by writing a new file and renaming it over the old one.
    fresh = daemon.config.with_name("config.toml.swp")
    fresh.write_text(ALL_DAY.format(interval="2h"))
    fresh.replace(daemon.config)
    repaired = wait_until(lambda: (s := status(env))["config_error"] is None and s, "the good file to apply", 5)
    assert repaired["next_reminder"] != changed["next_reminder"]
    assert cli(env, "reload").returncode == 0
    assert daemon.kinds() == []  # history untouched


def test_deleting_the_config_while_running_keeps_the_last_good_one(daemon, env):
    before = status(env)
    daemon.config.unlink()
    daemon.wait_for_log("is gone; keeping the current settings", timeout=5)
    after = status(env)
    assert after["next_reminder"] == before["next_reminder"] and after["config_error"] is None
    assert daemon.proc.poll() is None


def test_no_runtime_dir_is_one_log_line_not_a_python_warning(monkeypatch):
    """Without XDG_RUNTIME_DIR the socket goes to platformdirs' fallback, said in the log."""
    import warnings

    from postured import control

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning that escaped would fail here
        where = control.endpoint({})
    assert where.folder.name == "postured"


# ------------------------------------------------------------------ deadlines (issue 13, item 4)


def test_a_stopped_daemon_gets_every_client_a_clear_answer_in_time(daemon, env):
    """SIGSTOP: the kernel still queues the connections, and nobody answers them."""
    assert status(env)["state"] == "waiting"
    commands = {"status": ["status"], "done": ["done"],
                "a second run": ["--config", str(daemon.config), "run", "--no-tray"]}
    results, clients = {}, {}
    os.kill(daemon.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        clients = {name: subprocess.Popen([sys.executable, "-m", "postured", *argv], env=env, text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for name, argv in commands.items()}
        finished = {}

        def all_gave_up() -> bool:
            for name, client in clients.items():
                if name not in finished and client.poll() is not None:
                    finished[name] = time.monotonic()
            return len(finished) == len(clients)

        wait_until(all_gave_up, "every client to give up on the stopped daemon", 20)
        for name, client in clients.items():
            results[name] = (client.returncode, client.communicate()[1].strip(), finished[name] - started)
    finally:
        os.kill(daemon.proc.pid, signal.SIGCONT)
        for client in clients.values():
            if client.poll() is None:
                client.kill()
                client.communicate()
    print({name: f"{seconds:.1f} s" for name, (_, _, seconds) in results.items()})  # for the report
    late = "postured: the daemon did not answer within 5 s (stopped, or busy with something else?)"
    assert results["status"][:2] == (1, late)
    assert results["done"][:2] == (1, late)
    assert results["a second run"][0] == 1 and "already running" in results["a second run"][1]
    still_fine(daemon, env)
    assert daemon.kinds() == []


def test_a_stopped_daemon_with_a_full_queue_is_given_up_in_time(daemon, env):
    """A status bar that kept polling a stopped daemon has filled its socket's queue."""
    queued = []
    os.kill(daemon.proc.pid, signal.SIGSTOP)
    try:
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.setblocking(False)
            queued.append(sock)
            try:
                sock.connect(str(Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"))
            except BlockingIOError:
                break
            assert len(queued) < 1000
        done = cli(env, "status")
        assert done.returncode == 1
        # Refused at once, or queued by the kernel after all and then not answered.
        assert done.stderr.strip() in (
            "postured: the daemon takes no connections: its queue is full (stopped, or busy with something else?)",
            "postured: the daemon did not take the connection within 5 s (stopped, or busy with something else?)",
            "postured: the daemon did not answer within 5 s (stopped, or busy with something else?)")
    finally:
        os.kill(daemon.proc.pid, signal.SIGCONT)
        for sock in queued:
            sock.close()
    still_fine(daemon, env)


def test_a_silent_listener_neither_hangs_the_cli_nor_blocks_the_start(tmp_path, env):
    folder = Path(env["XDG_RUNTIME_DIR"]) / "postured"
    folder.mkdir(mode=0o700)
    (folder / "control.key").write_bytes(os.urandom(32))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(folder / "control.sock"))
        silent.listen(8)  # takes connections, never accepts or says a word
        done = cli(env, "status")
        assert done.returncode == 1 and "did not answer within 5 s" in done.stderr, done.stderr
        # No daemon holds the lock: a real one takes the socket's place.
        running = Daemon(tmp_path / "real", env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
        try:
            wait_until(lambda: cli(env, "status").returncode == 0 or running.proc.poll() is not None,
                       "the daemon to answer", 30)
            assert running.proc.poll() is None, running.log
        finally:
            running.stop()


def test_slow_clients_cannot_lock_the_socket_out(daemon, env):
    """Clients that send a byte every half second hold a slot for one deadline, not for ever."""
    from postured import control
    from postured.adapters.control_server import MAX_CLIENTS

    stop = threading.Event()
    holding, dropped = [], []

    def trickle():
        with raw_socket_in_turn(env) as sock:
            read_frame(sock)  # the challenge: the daemon gave this client a slot
            holding.append(sock)
            sock.setblocking(False)  # a recv() below only looks whether the daemon hung up
            try:
                sock.sendall((100).to_bytes(4, "big"))  # 100 bytes follow, one at a time
                while not stop.wait(0.5):
                    sock.sendall(b"x")
                    try:
                        if sock.recv(1) == b"":
                            break
                    except BlockingIOError:
                        pass
            except OSError:
                pass
            if not stop.is_set():
                dropped.append(sock)

    threads = [threading.Thread(target=trickle) for _ in range(MAX_CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(holding) == MAX_CLIENTS, "every slow client to hold a slot", 15)
        # One more is turned away at once, and told why.
        with pytest.raises(control.NoAnswer, match=r"the daemon is busy \(32 other clients at once\)"):
            control.call(control.endpoint(env), control.request("status"))
        wait_until(lambda: cli(env, "status").returncode == 0, "the socket to answer again", 15)
        wait_until(lambda: len(dropped) == MAX_CLIENTS, "every slow client to be dropped", 10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    still_fine(daemon, env)


# ------------------------------------------------------------------ sizes (issue 13, item 7)

LONG_NAME = """
[exercises]
positions = ["kneeling"]
exclude = ["midback-stretch"]

[[exercises.custom]]
id = "long-name"
name = "{name}"
region = "upper back"
position = "kneeling"
steps = ["Kneel tall and draw the shoulder blades together gently."]
repetitions = 5
"""


def test_huge_texts_never_break_the_channel(tmp_path, env):
    """A 40 000-character exercise name and a 120 000-character config error (1000 bad windows).

    The config refuses the name at once (names are at most 80 characters) and lists at most
    20 errors, so no reply comes near the limit; ``encode_reply`` cuts any text that would
    (test_cut_replies_fit_what_a_client_reads)."""
    name = ("Long " * 8000).strip()
    refused = Daemon(tmp_path / "long", env, ALL_DAY.format(interval="1h") + LONG_NAME.format(name=name),
                     args=("run", "--no-tray"))
    assert refused.proc.wait(timeout=30) == 2
    assert "exercises.custom[0].name" in refused.log and len(refused.log) < 2000

    running = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        wait_until(lambda: (Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock").exists()
                   or running.proc.poll() is not None, "the control socket", 30)
        windows = ", ".join(f'"25:{minute % 60:02d}-26:00"' for minute in range(1000))
        running.config.write_text(ALL_DAY.format(interval="1h").replace('["00:00-24:00"]', f"[{windows}]"))
        reported = wait_until(lambda: (s := status(env))["config_error"] and s, "the error to be reported", 10)
        assert "schedule.hours[0]" in reported["config_error"] and "more error" in reported["config_error"]
        reload = cli(env, "reload")
        assert reload.returncode == 1 and "is not a time window" in reload.stderr, reload.stderr
        assert cli(env, "break-now").returncode == 0 and cli(env, "done").returncode == 0
        assert running.kinds() == ["shown", "done"]
        assert running.proc.poll() is None
    finally:
        running.stop()


def test_cut_replies_fit_what_a_client_reads():
    from postured import control

    huge = {"status": {"texts": ["\U0001F600" * 100_000] * 20, "name": "x" * 10**6}}
    data = control.encode_reply(control.reply(True, **huge))
    assert len(data) <= control.MAX_REPLY
    assert len(control.decode(data)["status"]["name"]) < control.MAX_TEXT + 50
    everything = control.encode_reply(control.reply(True, items=["x" * 4000] * 1000))
    assert len(everything) <= control.MAX_REPLY and "too long to send" in control.decode(everything)["error"]


# ------------------------------------------------------------------ who answered (issue 13, item 16)


def test_an_answer_from_the_guide_window_is_recorded_as_the_guides(daemon, env, monkeypatch):
    from postured import guide

    monkeypatch.setenv("XDG_RUNTIME_DIR", env["XDG_RUNTIME_DIR"])
    assert cli(env, "break-now").returncode == 0
    assert guide._answer_daemon("done") is None  # what the window's Done button calls
    (_, shown_id, _), done = daemon.events()
    assert done == ("done", shown_id, "guide")
    daemon.wait_for_log("done (from guide)")
