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
from multiprocessing.connection import Client
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
    sock.connect(str(Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"))
    return sock


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


def test_a_100_mb_message_is_refused(daemon, env):
    connection = Client(str(Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"), authkey=key(env))
    with connection:
        try:
            connection.send_bytes(b"x" * (100 * 1024 * 1024))
            connection.recv_bytes()
        except (OSError, EOFError):
            pass
    still_fine(daemon, env)


def test_wrong_key_is_refused(daemon, env):
    from multiprocessing import AuthenticationError

    with pytest.raises((AuthenticationError, EOFError, OSError)):
        Client(str(Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"), authkey=b"wrong" * 6)
    still_fine(daemon, env)


def test_unknown_verb_and_bad_version_get_an_answer(daemon, env):
    from postured import control

    where = control.endpoint(env)
    answer = control.call(where, {"v": 1, "verb": "explode", "args": {}})
    assert answer["ok"] is False and "unknown verb 'explode'" in answer["error"]
    with Client(where.address, authkey=key(env)) as connection:
        connection.send_bytes(b'{"v": 99, "verb": "status"}')
        # The reply names the problem; it is written in version 1 of the grammar.
        assert "protocol version 99" in json.loads(connection.recv_bytes())["error"]
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
