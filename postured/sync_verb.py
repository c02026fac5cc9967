"""``postured sync status``: the devices seen in the sync folder and how recent each is.

Reads the config, this computer's device id and the folder's files; needs no daemon.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from datetime import datetime, timezone


def run(args, paths, load, fail) -> int:
    from postured.adapters.sync_folder import PeerFiles, read_device_id
    from postured.adapters.sync_folder.names import is_copy
    from postured.config import ConfigError
    from postured.synced_history import folder_of

    try:
        loaded = load(paths)
    except ConfigError as exc:
        return fail(str(exc))
    folder = folder_of(loaded.settings)
    if folder is None:
        print(f"no sync folder: add [sync] folder = \"~/Sync/postured\" to {paths.config} to share "
              "history between your computers (see the README, \"Several computers\")")
        return 1
    device = read_device_id(paths.data)
    problems: list[str] = []
    peers = PeerFiles(folder, lambda key, message: message and problems.append(message))
    peers.scan()
    now = time.time()
    rows = []
    for known in sorted(peers.devices.values(), key=lambda d: (d.id != device, d.name, d.id)):
        rows.append({
            "id": known.id, "name": known.name, "this_computer": known.id == device, "events": known.events,
            "last_event": known.last_event.isoformat() if known.last_event else None,
            "file_changed": datetime.fromtimestamp(known.changed, timezone.utc).isoformat(timespec="seconds")
            if known.changed else None,
            "file_age_seconds": round(now - known.changed) if known.changed else None,
            "copies": sorted(name for name in known.files if is_copy(name)),
        })
    state = "present" if folder.is_dir() else ("not a folder" if folder.exists() else "missing")
    if args.json:
        print(json.dumps({"folder": str(folder), "folder_state": state, "device": device,
                          "host": socket.gethostname(), "devices": rows, "problems": problems}, indent=2))
        return 0
    print(f"sync folder: {folder} ({state})")
    print(f"this computer: {socket.gethostname()}, device {device or '(none yet: made when postured runs)'}")
    if not rows:
        print("no device's events in the folder yet")
    for row in rows:
        mark = " (this computer)" if row["this_computer"] else ""
        last = _local(row["last_event"])
        age = _age(row["file_age_seconds"]) if row["file_age_seconds"] is not None else "only copies"
        copies = f"; {len(row['copies'])} conflict cop{'y' if len(row['copies']) == 1 else 'ies'}" if row["copies"] else ""
        print(f"  {row['name'] or '(no name)'}{mark}  {row['id'][:8]}  {row['events']} events, "
              f"last {last}, file changed {age}{copies}")
    for problem in problems:
        print(f"postured: {problem}", file=sys.stderr)
    return 0


def _local(iso: str | None) -> str:
    if iso is None:
        return "-"
    return f"{datetime.fromisoformat(iso).astimezone():%a %Y-%m-%d %H:%M}"


def _age(seconds: int) -> str:
    seconds = max(seconds, 0)
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"
