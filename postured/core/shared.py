"""Events shared between one person's computers through a synced folder: pure parts.

Each computer appends its own events to its own file in the folder, one JSON object a
line, after a header line that names the format version and the device. Nothing here
touches a file: lines come in as text, times as arguments.

- ``event_id``: stable and unique across devices, worked out from the event itself (device,
  time, kind, exercise, source, detail and how many identical events came before it on that
  device), so rebuilding the file from the local history, or the history from a salvaged
  database, gives every event the id it had before: nothing is written or counted twice.
- ``merge``: the union of event sets, deduplicated by id and ordered by time.
- ``answer_counts``: was a reminder answered on another computer, in a way that concerns the
  reminder here? Clocks may disagree by minutes, so the rule is one of rounds, not seconds.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

FORMAT = 1  # the version of the line format written here; a newer one is read as far as understood
KIND = "postured-events"  # the header's "kind": what the file is
# Answers that end a reminder on every computer; a snooze defers it on every computer.
ANSWERS = frozenset({"done", "skipped", "hurt"})
SNOOZE = "snoozed"
# "Within the last minutes": an answer older than this (by this computer's clock) when it
# arrives is news of the past (a laptop that was off syncs its day) and withdraws nothing.
# Ten minutes covers a sync delay of a minute or two and clocks minutes apart.
RECENT_ANSWER = timedelta(minutes=10)


@dataclass(frozen=True)
class SharedEvent:
    id: str
    device: str
    at: datetime  # aware UTC, by the clock of the device that recorded it
    kind: str
    exercise_id: str | None
    source: str
    detail: str | None


@dataclass(frozen=True)
class Header:
    format: int
    device: str
    name: str  # the host name the device had when it began the file


def event_id(device: str, at: datetime, kind: str, exercise_id: str | None, source: str,
             detail: str | None, repeat: int = 0) -> str:
    """``repeat``: how many events with the same fields the device recorded before this one."""
    text = json.dumps([_utc(at), kind, exercise_id, source, detail], separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{device}.{digest}" + (f".{repeat}" if repeat else "")


def with_ids(device: str, events: Iterable) -> list[SharedEvent]:
    """A device's own events (``at``, ``kind``, ``exercise_id``, ``source``, ``detail``), in the
    order it recorded them, with their ids."""
    seen: Counter[tuple] = Counter()
    found = []
    for e in events:
        fields = (_utc(e.at), e.kind, e.exercise_id, e.source, e.detail)
        found.append(SharedEvent(event_id(device, e.at, e.kind, e.exercise_id, e.source, e.detail, seen[fields]),
                                 device, e.at.astimezone(timezone.utc), e.kind, e.exercise_id, e.source, e.detail))
        seen[fields] += 1
    return found


def header_line(device: str, name: str) -> str:
    return json.dumps({"kind": KIND, "format": FORMAT, "device": device, "name": name}) + "\n"


def event_line(event: SharedEvent) -> str:
    return json.dumps({"id": event.id, "at": _utc(event.at), "kind": event.kind, "exercise": event.exercise_id,
                       "source": event.source, "detail": event.detail}, ensure_ascii=False) + "\n"


def parse_header(line: str) -> Header | None:
    """The header of a file, or None when the line is not one."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        return None
    version, device, name = data.get("format"), data.get("device"), data.get("name", "")
    if not isinstance(version, int) or not isinstance(device, str) or not device:
        return None
    return Header(version, device, name if isinstance(name, str) else "")


def aware_time(at: str) -> datetime:
    """An ISO 8601 time with its zone, as the history and the shared files keep them;
    ValueError says what is wrong with it."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"time {at!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise ValueError(f"time {at!r} has no time zone")
    return moment


def parse_event(line: str, device: str) -> SharedEvent:
    """One event line of ``device``'s file. Fields a newer format adds are ignored; a line
    without the fields this version needs raises ValueError saying what is missing."""
    try:
        data = json.loads(line)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("not an object")
    event_id, at, kind, source = data.get("id"), data.get("at"), data.get("kind"), data.get("source", "")
    exercise, detail = data.get("exercise"), data.get("detail")
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("no id")
    if not isinstance(kind, str) or not kind:
        raise ValueError("no kind")
    if not isinstance(at, str):
        raise ValueError("no time")
    moment = aware_time(at)
    if not all(value is None or isinstance(value, str) for value in (exercise, detail, source)):
        raise ValueError("exercise, source or detail is not text")
    if any(_unshown(value) for value in (event_id, kind, exercise, detail, source) if value):
        raise ValueError("control characters in a field")  # they would reach a terminal or the log
    return SharedEvent(event_id, device, moment.astimezone(timezone.utc), kind, exercise, source or "", detail)


@dataclass(frozen=True)
class Chunk:
    header: Header | None  # the file's header: the one given, or the one found at its start
    events: list[SharedEvent]
    consumed: int  # bytes read up to the end of the last whole line
    skipped: int  # whole lines that could not be read


def parse_chunk(data: bytes, header: Header | None, device: str, at_start: bool) -> Chunk:
    """The whole lines of ``data``, read from a file at its start (``at_start``) or further on.

    Only lines ending in a newline are consumed: a last line still being written or synced is
    left for the next read. ``device``: the one the file's name gives, used until a header
    says otherwise. Lines that cannot be read are skipped and counted.
    """
    consumed = data.rfind(b"\n") + 1
    events, skipped = [], 0
    for number, raw in enumerate(data[:consumed].split(b"\n")[:-1]):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            skipped += 1
            continue
        if not line.strip():
            continue
        if number == 0 and at_start:
            found = parse_header(line)
            if found is not None:
                header = found
                continue
        try:
            events.append(parse_event(line, header.device if header else device))
        except ValueError:
            skipped += 1
    return Chunk(header, events, consumed, skipped)


def merge(*sets: Iterable[SharedEvent]) -> list[SharedEvent]:
    """Every event once (the first seen of each id), ordered by time, then by id."""
    found: dict[str, SharedEvent] = {}
    for events in sets:
        for event in events:
            found.setdefault(event.id, event)
    return sorted(found.values(), key=lambda e: (e.at, e.id))


def latest_answer(events: Iterable[SharedEvent]) -> SharedEvent | None:
    """The newest answer or snooze among events from other devices, or None."""
    answers = [e for e in events if e.kind in ANSWERS or e.kind == SNOOZE]
    return max(answers, key=lambda e: (e.at, e.id), default=None)


def answer_counts(answer_at: datetime, round_began: datetime | None, now: datetime) -> bool:
    """Does an answer given on another computer at ``answer_at`` (its clock) end the reminder
    round that began here at ``round_began`` (the start of the interval that led to the
    reminder, or of the waiting one)?

    Only when it arrives within ``RECENT_ANSWER`` of it being given (either way: that
    computer's clock may be ahead), and it was given after the round began: an answer from
    before belongs to an earlier round, however late it comes.
    """
    if abs(now - answer_at) > RECENT_ANSWER:
        return False
    # Events keep whole seconds (as the history does): an answer in the second the round
    # began counts, or one given within a second of a reminder would be lost to rounding.
    return round_began is None or answer_at >= round_began.replace(microsecond=0)


def _unshown(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\u200c\u200d" for c in text)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
