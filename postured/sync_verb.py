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
    from postured.i18n import _, ngettext
    from postured.synced_history import folder_of

    try:
        loaded = load(paths)
    except ConfigError as exc:
        return fail(str(exc))
    folder = folder_of(loaded.settings)
    if folder is None:
        print(_("no sync folder: add [sync] folder = \"~/Sync/postured\" to {config} to share "
                "history between your computers (see the README, \"Several computers\")").format(config=paths.config))
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
    shown_state = {"present": _("present"), "not a folder": _("not a folder"), "missing": _("missing")}[state]
    if args.json:
        print(json.dumps({"folder": str(folder), "folder_state": state, "device": device,
                          "host": socket.gethostname(), "devices": rows, "problems": problems}, indent=2))
        return 0
    print(_("sync folder: {folder} ({state})").format(folder=folder, state=shown_state))
    print(_("this computer: {host}, device {device}").format(
        host=socket.gethostname(), device=device or _("(none yet: made when postured runs)")))
    if not rows:
        print(_("no device's events in the folder yet"))
    for row in rows:
        mark = _(" (this computer)") if row["this_computer"] else ""
        age = _age(row["file_age_seconds"]) if row["file_age_seconds"] is not None else _("only copies")
        copies = len(row["copies"])
        # Translators: one device in `postured sync status`; {events} is "12 events".
        line = _("{name}{mark}  {id}  {events}, last {last}, file changed {age}").format(
            name=row["name"] or _("(no name)"), mark=mark, id=row["id"][:8],
            events=ngettext("{count} event", "{count} events", row["events"]).format(count=row["events"]),
            last=_local(row["last_event"]), age=age)
        if copies:
            line += ngettext("; {count} conflict copy", "; {count} conflict copies", copies).format(count=copies)
        print(f"  {line}")
    for problem in problems:
        print(f"postured: {problem}", file=sys.stderr)
    return 0


def _local(iso: str | None) -> str:
    """'Tue 2026-12-01 14:47' as `postured next` and `history` write a time, in the locale's words."""
    from postured import i18n

    if iso is None:
        return "-"
    moment = datetime.fromisoformat(iso).astimezone()
    return f"{i18n.weekday(moment)} {moment:%Y-%m-%d} {i18n.clock(moment)}"


def _age(seconds: int) -> str:
    from postured.i18n import _, ngettext

    seconds = max(seconds, 0)
    if seconds < 90:
        return _("{count} s ago").format(count=seconds)
    if seconds < 90 * 60:
        return _("{count} min ago").format(count=round(seconds / 60))
    if seconds < 36 * 3600:
        return _("{count} h ago").format(count=round(seconds / 3600))
    days = round(seconds / 86400)
    return ngettext("{count} day ago", "{count} days ago", days).format(count=days)
