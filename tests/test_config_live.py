"""A running daemon and a config file that turns hostile: a FIFO, 50 MB, an edit during start-up.

Real `postured run --no-tray` processes (tests/daemon.py), real files, the real CLI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until
from test_control import cli, status
from test_custom_exercises import ONLY_MINE

CONFIG = ALL_DAY.format(interval="1h") + ONLY_MINE


def socket_of(env) -> Path:
    return Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"


@pytest.fixture
def env(tmp_path):
    return private_env(tmp_path)


@pytest.fixture
def daemon(tmp_path, env):
    running = Daemon(tmp_path, env, CONFIG.format(id="mine", name="Mine"), args=("run", "--no-tray"))
    wait_until(lambda: socket_of(env).exists() or running.proc.poll() is not None, "the control socket", 20)
    running.wait_for_log("running with")
    yield running
    running.stop()


def test_a_fifo_in_place_of_the_config_is_refused_and_jams_nothing(daemon, env):
    daemon.config.unlink()
    os.mkfifo(daemon.config)  # the watcher sees it appear and reloads
    reload = cli(env, "reload")
    assert reload.returncode == 1, reload.stderr
    assert f"{daemon.config}: is a named pipe (FIFO), not a regular file" in reload.stderr
    assert "no reply" not in reload.stderr
    assert "named pipe" in status(env)["config_error"]
    assert cli(env, "break-now").returncode == 0  # the other verbs still answer
    assert status(env)["exercise"] == {"id": "mine", "name": "Mine"}  # the last good config stays

    daemon.config.unlink()
    daemon.config.write_text(CONFIG.format(id="yours", name="Yours"))
    assert cli(env, "reload").returncode == 0
    assert status(env)["config_error"] is None
    assert daemon.proc.poll() is None and "Traceback" not in daemon.log


def test_a_50_mb_config_is_refused_at_once_with_its_size(daemon, env):
    padding = "# a long comment line, saved over and over by a runaway script\n"
    big = daemon.config.with_name("big.toml")
    with open(big, "w") as out:
        out.write(CONFIG.format(id="yours", name="Yours"))
        out.write(padding * (50_000_000 // len(padding)))
    big.replace(daemon.config)  # at once: the watcher never sees a half-written file
    reload = cli(env, "reload")
    assert reload.returncode == 1
    assert f"{daemon.config}: is 50.0 MB; a config file may have at most 256 KB" in reload.stderr, reload.stderr
    assert status(env)["exercise"] == {"id": "mine", "name": "Mine"}


def test_an_edit_saved_while_the_daemon_starts_is_applied(tmp_path, env):
    daemon = Daemon(tmp_path, env, CONFIG.format(id="mine", name="Mine"), args=("run", "--no-tray"))
    try:
        # After the config was read, before the watcher is up (the scheduler starts first).
        daemon.wait_for_log("running with")
        daemon.config.write_text(CONFIG.format(id="yours", name="Yours"))
        wait_until(lambda: socket_of(env).exists() or daemon.proc.poll() is not None, "the control socket", 20)
        wait_until(lambda: status(env)["exercise"] == {"id": "yours", "name": "Yours"}, "the edit to apply", 10)
        assert status(env)["config_error"] is None
    finally:
        daemon.stop()


def test_a_broken_edit_saved_while_the_daemon_starts_is_reported(tmp_path, env):
    daemon = Daemon(tmp_path, env, CONFIG.format(id="mine", name="Mine"), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("running with")
        daemon.config.write_text(CONFIG.format(id="chin-tuck", name="Mine"))
        wait_until(lambda: socket_of(env).exists() or daemon.proc.poll() is not None, "the control socket", 20)
        reported = wait_until(lambda: status(env)["config_error"], "the error to be reported", 10)
        assert 'exercises.custom[0].id: "chin-tuck" is already the id' in reported
    finally:
        daemon.stop()
