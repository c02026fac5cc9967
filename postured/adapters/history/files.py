"""The history's files on disk when something is wrong with them: damaged, or not writable."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from pathlib import Path

from postured.adapters.history.rows import SELECT

log = logging.getLogger("postured")


def salvage(path: Path) -> list[tuple]:
    """The rows still readable in a damaged file: read forward and backward up to the damage."""
    rows: dict[int, tuple] = {}
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        for order in ("ASC", "DESC"):
            with contextlib.suppress(sqlite3.Error):
                for row_id, at, kind, exercise_id, source, detail in db.execute(f"{SELECT} ORDER BY id {order}"):
                    if isinstance(at, str) and isinstance(kind, str) and isinstance(source, str):
                        rows[row_id] = (at, kind, exercise_id, source, detail)
    finally:
        db.close()
    return [rows[row_id] for row_id in sorted(rows)]


def repair_side_files(path: Path) -> None:
    """Make our own -wal and -shm writable again when the database is.

    SQLite gives them the database's mode when it creates them: a history that was once
    read-only leaves a read-only -shm behind, and every later connection is then read-only
    too, however the database file itself is fixed.
    """
    if not os.access(path, os.W_OK) or _read_only_mount(path):
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if side.exists() and not os.access(side, os.W_OK) and side.stat().st_uid == os.geteuid():
                side.chmod(mode)
                log.info("made %s writable again (SQLite had left it read-only from when %s was)", side, path)


def explain(exc: BaseException, path: Path) -> str:
    """The error, and for a file or folder that cannot be written, which one and the remedy."""
    reason = str(exc) or type(exc).__name__
    for where in (path.parent, path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if where.exists() and not os.access(where, os.W_OK):
            return f"{reason}: {where} is not writable; {_remedy(where)}"
    return reason


def _remedy(where: Path) -> str:
    if _read_only_mount(where):
        return "its file system is mounted read-only"
    owner = where.stat().st_uid
    if owner == os.geteuid():
        return f"fix with: chmod u+w {where}"
    import pwd

    def name(uid: int) -> str:
        with contextlib.suppress(KeyError):
            return pwd.getpwuid(uid).pw_name
        return str(uid)

    return f"it belongs to {name(owner)}; fix with: sudo chown {name(os.geteuid())} {where}"


def _read_only_mount(where: Path) -> bool:
    try:
        return bool(os.statvfs(where).f_flag & os.ST_RDONLY)
    except OSError:
        return False
