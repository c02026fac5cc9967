"""Config text is data, never code or shell; files holding private data are the user's alone."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

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


# ------------------------------------------------------------------ the runtime folder (issue 13, item 6)

OTHER_USER = "nobody"


def other_user():
    import pwd

    if os.geteuid() != 0:
        pytest.skip("running a process as a second Unix user needs root")
    return pwd.getpwnam(OTHER_USER)


def python_for(user) -> tuple[list[str], dict[str, str]]:
    """An interpreter ``user`` may run with postured importable: this one, or the system's
    of the same version given this venv's packages (this one may live in root's home)."""
    import sysconfig

    repo = Path(__file__).resolve().parent.parent
    system = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    for argv, extra in (([sys.executable], {}),
                        ([system], {"PYTHONPATH": f"{repo}{os.pathsep}{sysconfig.get_paths()['purelib']}"})):
        try:
            probe = subprocess.run([*argv, "-c", "import postured.app"], env={**os.environ, **extra}, cwd="/",
                                   user=user.pw_uid, group=user.pw_gid, extra_groups=[], capture_output=True,
                                   timeout=60)
        except OSError:
            continue
        if probe.returncode == 0:
            return argv, extra
    pytest.skip(f"no Python interpreter that user {user.pw_name} may run imports postured")


@pytest.fixture
def shared_root():
    """A folder both users can reach (pytest's own tmp folder is root's alone)."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="postured-shared-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_another_users_daemon_in_a_shared_runtime_dir_is_not_believed(shared_root):
    """A real `postured run` of user nobody, in an XDG_RUNTIME_DIR both users share."""
    from daemon import ALL_DAY, Daemon, private_env
    from desktop import wait_until

    other = other_user()
    runtime = shared_root / "runtime"
    runtime.mkdir()
    runtime.chmod(0o1777)  # like /tmp
    theirs_root = shared_root / "theirs"
    theirs = private_env(theirs_root)
    theirs["XDG_RUNTIME_DIR"] = str(runtime)
    for path in [theirs_root, *theirs_root.rglob("*")]:
        os.chown(path, other.pw_uid, other.pw_gid)
    python, extra_env = python_for(other)
    program = [*python, "-m", "postured", "--config", str(theirs_root / "config.toml")]
    fake = Daemon(theirs_root, theirs, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"),
                  program=program, extra_env=extra_env, cwd=Path("/"), user=OTHER_USER)
    try:
        wait_until(lambda: (runtime / "postured" / "control.sock").exists() or fake.proc.poll() is not None,
                   "the other user's control socket", 30)
        assert fake.proc.poll() is None, fake.log
        assert (runtime / "postured").stat().st_uid == other.pw_uid

        mine = {**private_env(shared_root / "mine"), "XDG_RUNTIME_DIR": str(runtime)}
        for verb in ("status", "break-now", "done"):
            done = subprocess.run([sys.executable, "-m", "postured", verb], env=mine, capture_output=True,
                                  text=True, timeout=30)
            assert done.returncode == 1, (verb, done.stdout)
            assert done.stderr.strip() == (
                f"postured: the runtime folder {runtime}/postured belongs to another user "
                f"(uid {other.pw_uid}): remove it, or set XDG_RUNTIME_DIR to a private folder of yours")
        assert fake.kinds() == []  # the other daemon was never told anything
        started = subprocess.run([sys.executable, "-m", "postured", "--config", str(fake.config), "run", "--no-tray"],
                                 env=mine, capture_output=True, text=True, timeout=30)
        assert started.returncode == 1 and "belongs to another user" in started.stderr
        assert fake.proc.poll() is None
    finally:
        fake.stop()


def runtime_folder_case(case: str, runtime: Path, elsewhere: Path) -> Path:
    """Lay out ``runtime``/postured as the case says; returns the path whose state must not change."""
    folder = runtime / "postured"
    if case == "another user's":
        other = other_user()
        folder.mkdir(mode=0o700)
        os.chown(folder, other.pw_uid, other.pw_gid)
        return folder
    if case == "a symbolic link":
        elsewhere.mkdir(mode=0o755)
        elsewhere.chmod(0o755)
        folder.symlink_to(elsewhere)
        return elsewhere
    if case == "open to others":
        folder.mkdir()
        folder.chmod(0o755)
        return folder
    folder.mkdir(mode=0o700)  # "control.sock is a folder"
    (folder / "control.sock").mkdir()
    return folder / "control.sock"


@pytest.mark.parametrize("case, message", [
    ("another user's", "belongs to another user (uid 65534): remove it, or set XDG_RUNTIME_DIR to a private "
                       "folder of yours"),
    ("a symbolic link", "is a symbolic link: remove it, or set XDG_RUNTIME_DIR to a private folder of yours"),
    ("open to others", "is open to other users (mode 755): chmod 700 it, or remove it, or set "
                       "XDG_RUNTIME_DIR to a private folder of yours"),
    ("control.sock is a folder", "control.sock is in the way: it is not a socket; remove it"),
])
def test_a_runtime_folder_that_is_not_the_users_alone_is_refused_untouched(tmp_path, case, message):
    from daemon import ALL_DAY, private_env

    env = private_env(tmp_path)
    runtime = Path(env["XDG_RUNTIME_DIR"])
    watched = runtime_folder_case(case, runtime, tmp_path / "elsewhere")
    before = watched.stat()
    config = tmp_path / "config.toml"
    config.write_text(ALL_DAY.format(interval="1h"))
    started = subprocess.run([sys.executable, "-m", "postured", "--config", str(config), "run", "--no-tray"],
                             env=env, capture_output=True, text=True, timeout=30)
    assert started.returncode == 1
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("postured: ") and lines[0].endswith(message), started.stderr
    after = watched.stat()
    assert (after.st_mode, after.st_uid) == (before.st_mode, before.st_uid)  # never chmod-ed
    assert not (runtime / "postured" / "control.key").exists()  # no key written anywhere
    asked = subprocess.run([sys.executable, "-m", "postured", "status"], env=env, capture_output=True,
                           text=True, timeout=30)
    assert asked.returncode in (1, 3) and "Traceback" not in asked.stderr
