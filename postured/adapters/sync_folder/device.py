"""This computer's device id: made once, kept in the data folder, never shared with config."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from postured.adapters.sync_folder.names import is_device_id, new_device_id

FILE_NAME = "device-id"


def device_id(data: Path) -> str:
    """The id kept in ``data``; made (and kept) on first use. A damaged file gets a new one."""
    path = data / FILE_NAME
    with contextlib.suppress(OSError, UnicodeDecodeError):
        kept = path.read_text(encoding="ascii").strip()
        if is_device_id(kept):
            return kept
    made = new_device_id()
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    temporary.write_text(made + "\n", encoding="ascii")
    os.replace(temporary, path)  # whole or not at all
    return made


def read_device_id(data: Path) -> str | None:
    """The id if one was made already (for `postured sync status`, which makes none)."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        kept = (data / FILE_NAME).read_text(encoding="ascii").strip()
        if is_device_id(kept):
            return kept
    return None
