"""The names of the files in the sync folder: whose they are and which are copies.

One file per device, ``postured-<device id>.jsonl``. Sync engines that find a file changed
on two sides keep the other version beside it under a name of their own (Syncthing:
``postured-<id>.sync-conflict-20261201-101500-ABCDEFG.jsonl``; Dropbox and Nextcloud:
``postured-<id> (conflicted copy 2026-12-01).jsonl``): any name that starts like a device's
file and ends in ``.jsonl`` is read as a copy of it. Their temporary files (``.syncthing.*.tmp``,
``.~*``) do not match and are never read half-written.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

PREFIX = "postured-"
SUFFIX = ".jsonl"
_NAME = re.compile(r"^postured-(?P<device>[0-9a-f]{32})(?P<copy>.*)\.jsonl$", re.DOTALL)


def own_file(folder: Path, device: str) -> Path:
    return folder / f"{PREFIX}{device}{SUFFIX}"


def device_of(name: str) -> str | None:
    """The device whose file (or a copy of it) ``name`` is; None for any other file."""
    found = _NAME.match(name)
    return found["device"] if found else None


def is_copy(name: str) -> bool:
    """A sync engine's conflict copy (or any other copy) of a device's file."""
    found = _NAME.match(name)
    return bool(found and found["copy"])


def new_device_id() -> str:
    return uuid.uuid4().hex


def is_device_id(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{32}", text))
