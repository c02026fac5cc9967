"""What the config path points at: only a regular UTF-8 file of bounded size is read.

Real files throughout: a FIFO (os.mkfifo), /dev/zero, a symlink loop, a folder. Each is a
located message and exit 2 at once; before, a FIFO hung `config check` and `run`, and
/dev/zero was read until memory ran out (each subprocess here is capped at 1 GB, so a
regression fails instead of taking the machine with it).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from postured.config import ConfigError, load_settings


def postured(tmp_path, *args, config: Path | str | None = None, extra_env=None) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "TZ": "UTC",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_RUNTIME_DIR": str(tmp_path), "POSTURED_NOTIFIER": "null", **(extra_env or {})}
    named = ["--config", str(config)] if config is not None else []

    def one_gigabyte():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "postured", *named, *args], env=env, capture_output=True,
                          text=True, timeout=20, preexec_fn=one_gigabyte, stdin=subprocess.DEVNULL)


def fifo(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    return path


def loop(tmp_path) -> Path:
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    return tmp_path / "a.toml"


def folder(tmp_path) -> Path:
    (tmp_path / "config.toml").mkdir()
    return tmp_path / "config.toml"


def dangling(tmp_path) -> Path:
    (tmp_path / "config.toml").symlink_to(tmp_path / "moved.toml")
    return tmp_path / "config.toml"


NOT_A_FILE = {
    "fifo": (fifo, "is a named pipe (FIFO), not a regular file"),
    "dev zero": (lambda _: Path("/dev/zero"), "is a character device, not a regular file"),
    "dev urandom": (lambda _: Path("/dev/urandom"), "is a character device, not a regular file"),
    "symlink loop": (loop, "is a loop of symbolic links"),
    "folder": (folder, "is a folder, not a regular file"),
    "dangling symlink": (dangling, "which does not exist"),
    "missing": (lambda tmp: tmp / "typo.toml", "does not exist; create it with `postured --config"),
}


@pytest.mark.parametrize("verb", [["config", "check"], ["run", "--no-tray"], ["next"]])
@pytest.mark.parametrize("name", NOT_A_FILE)
def test_a_config_path_that_is_not_a_regular_file_is_one_message_and_exit_2(tmp_path, name, verb):
    make, expected = NOT_A_FILE[name]
    path = make(tmp_path)
    done = postured(tmp_path, *verb, config=path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"postured: {path}: ")
    assert expected in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_postured_config_names_the_file_as_firmly_as_the_option(tmp_path):
    done = postured(tmp_path, "config", "check", extra_env={"POSTURED_CONFIG": str(tmp_path / "nope.toml")})
    assert done.returncode == 2 and "nope.toml: does not exist" in done.stderr


def test_the_default_path_absent_still_means_the_defaults(tmp_path):
    done = postured(tmp_path, "config", "check")
    assert done.returncode == 0 and "(absent: defaults apply)" in done.stdout


def test_config_init_creates_the_named_file_that_does_not_exist_yet(tmp_path):
    path = tmp_path / "new" / "config.toml"
    assert postured(tmp_path, "config", "init", config=path).returncode == 0
    assert postured(tmp_path, "config", "check", config=path).stdout == f"ok: {path}\n"


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + '[schedule]\ninterval = "45m"\n'.encode())
    assert load_settings(path).schedule.interval.total_seconds() == 45 * 60
    done = postured(tmp_path, "next", "--count", "1", "--from", "2026-03-23T08:00", config=path)
    assert done.returncode == 0 and done.stdout.startswith("Mon 2026-03-23 09:45"), done.stderr


def test_a_bom_in_text_parses_and_an_error_after_it_keeps_its_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf[schedule]\nintervall = '1h'\n")
    with pytest.raises(ConfigError, match=r"config.toml: line 2: schedule.intervall: unknown key"):
        load_settings(path)


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from postured.config_file import MAX_BYTES, read_config

    path = tmp_path / "config.toml"
    with open(path, "wb") as big:
        big.truncate(50_000_000)  # sparse: 50 MB of size, nothing on disk
    with pytest.raises(ConfigError) as refused:
        read_config(path, required=True)
    assert str(refused.value) == (f"{path}: is 50.0 MB; a config file may have at most {MAX_BYTES // 1000} KB "
                                  "(the example is about 4 KB)")


def test_a_file_not_in_utf8_names_the_line(tmp_path):
    from postured.config_file import read_config

    path = tmp_path / "config.toml"
    path.write_bytes(b"[schedule]\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"config.toml: line 2: not UTF-8 text \(byte 16\)"):
        read_config(path, required=True)
