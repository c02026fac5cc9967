"""A history file that was once read-only, for a person who is not root.

Root ignores file modes, so the daemon and the CLI run here as the unprivileged user
``nobody`` (the test itself must be root to start them; elsewhere it skips, in CI it runs).
SQLite gives -wal and -shm the database's mode when it makes them: a history that was
read-only leaves a read-only -shm behind, and every later connection was read-only too.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from daemon import ALL_DAY, Daemon, as_user, private_env
from desktop import wait_until

USER = "nobody"

pytestmark = pytest.mark.skipif(os.geteuid() != 0 and not os.environ.get("CI"),
                                reason="running the daemon as a second user needs root")


@pytest.fixture
def home():
    reach = subprocess.run([*as_user(USER), sys.executable, "-c", "import postured"], capture_output=True,
                           text=True, timeout=30, cwd="/")
    if reach.returncode != 0:
        why = f"{USER} cannot run {sys.executable} with postured: {reach.stderr.strip()[-300:]}"
        pytest.fail(why) if os.environ.get("CI") else pytest.skip(why)
    # Not under pytest's tmp_path: /tmp/pytest-of-root is root's alone (0700).
    base = Path(tempfile.mkdtemp(prefix="postured-other-user-", dir="/tmp"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


def give(folder: Path) -> None:
    uid, gid = pwd.getpwnam(USER).pw_uid, pwd.getpwnam(USER).pw_gid
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, gid)


class Person:
    """The daemon and the CLI as ``nobody``, one daemon at a time."""

    def __init__(self, home: Path):
        self.home = home
        self.env = private_env(home)
        self.history = home / "data" / "postured" / "history.sqlite3"
        self.history.parent.mkdir(parents=True)
        give(home)
        self.daemon: Daemon | None = None

    def cli(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([*as_user(USER), sys.executable, "-m", "postured", *args], env=self.env,
                              capture_output=True, text=True, timeout=30, cwd=self.home)

    def start(self) -> None:
        self.daemon = Daemon(self.home / "run", self.env, ALL_DAY.format(interval="1h"),
                             args=("run", "--no-tray"), cwd=self.home, user=USER)
        wait_until(lambda: self.cli("status").returncode == 0 or self.daemon.proc.poll() is not None,
                   "the daemon to answer", 20)
        assert self.daemon.proc.poll() is None, self.daemon.log

    def quit(self) -> None:
        self.cli("quit")
        assert self.daemon.wait_exit() == 0, self.daemon.log
        assert "Traceback" not in self.daemon.log

    def shown(self) -> int:
        return self.daemon.kinds().count("shown")


def test_a_history_once_read_only_works_again_once_fixed(home):
    person = Person(home)
    try:
        person.start()
        assert person.cli("break-now").returncode == 0
        person.quit()  # (no reader opens the file here: it would make the -shm now)

        person.history.chmod(0o400)  # e.g. a backup tool restored it read-only
        person.start()
        answer = person.cli("break-now")
        assert answer.returncode == 4, answer.stderr
        assert f"{person.history} is not writable; fix with: chmod u+w {person.history}" in answer.stderr
        status = json.loads(person.cli("status", "--json").stdout)
        assert "chmod u+w" in status["history_error"]
        person.quit()
        assert "1 event could not be written" in person.daemon.log  # and the log says so
        shm = Path(f"{person.history}-shm")
        assert stat.S_IMODE(shm.stat().st_mode) == 0o400  # what SQLite leaves behind

        person.history.chmod(0o600)  # the person fixes the file, not knowing about the -shm
        person.start()
        answer = person.cli("break-now")
        assert answer.returncode == 0, answer.stderr
        assert json.loads(person.cli("status", "--json").stdout)["history_error"] is None
        assert person.shown() == 2
        assert f"made {shm} writable again" in person.daemon.log
        person.quit()
    finally:
        if person.daemon is not None:
            person.daemon.stop()


def test_a_side_file_of_another_user_is_named_with_the_remedy(home):
    person = Person(home)
    try:
        person.start()
        assert person.cli("break-now").returncode == 0
        person.quit()
        shm = Path(f"{person.history}-shm")
        assert not shm.exists()
        shm.write_bytes(b"")  # e.g. left by `sudo postured stats`: root's, 0644
        shm.chmod(0o644)
        person.start()
        answer = person.cli("break-now")
        assert answer.returncode == 4
        assert f"{shm} is not writable; it belongs to root; fix with: sudo chown {USER} {shm}" in answer.stderr
        give(shm.parent)  # the remedy
        assert person.cli("done").returncode == 0
        # The reminder waited in memory and was written with the answer.
        assert person.daemon.kinds() == ["shown", "shown", "done"]
        person.quit()
    finally:
        if person.daemon is not None:
            person.daemon.stop()
