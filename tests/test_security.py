"""Config text is data, never code or shell; files holding private data are the user's alone."""

import stat
import subprocess
import sys
from pathlib import Path

from postured.editor import open_in_editor


def test_config_text_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    hostile = (
        f'[schedule]\ntimezone = "$(touch {marker})"\n'
        f'[exercises]\nexclude = ["`touch {marker}`", "; touch {marker}"]\nequipment = ["__import__(\'os\')"]\n'
    )
    path = tmp_path / "config.toml"
    path.write_text(hostile)
    for verb in (["config", "check"], ["next"], ["exercises"]):
        done = subprocess.run([sys.executable, "-m", "postured", "--config", str(path), *verb],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 2 and "Traceback" not in done.stderr
    assert not marker.exists()


def test_open_config_runs_the_opener_without_a_shell(tmp_path, monkeypatch):
    # A stand-in editor on PATH records the arguments it was given.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "argv"
    opener = bin_dir / "mousepad"
    opener.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a" >> {record}; done\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    marker = tmp_path / "pwned"
    config = tmp_path / f"cfg; touch {marker}" / "config.toml"
    open_in_editor(config, lambda title, body: None)
    from desktop import wait_until

    wait_until(record.exists, "the opener to run", 10)
    assert record.read_text().splitlines() == [str(config)]
    assert not marker.exists()
    assert config.read_text().startswith("# postured")  # a missing file is created from the example


def test_files_the_daemon_creates_are_private(tmp_path):
    from daemon import ALL_DAY, Daemon, private_env

    env = private_env(tmp_path)
    runtime = Path(env["XDG_RUNTIME_DIR"])
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        daemon.wait_for_log("start: ")
        private = [tmp_path / "data" / "postured" / "history.sqlite3", runtime / "postured" / "control.key",
                   runtime / "postured" / "control.sock"]
        from desktop import wait_until

        wait_until(private[2].exists, "the control socket", 10)
        for path in private:
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
        for folder in (tmp_path / "data" / "postured", runtime / "postured"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    finally:
        daemon.stop()
