"""The pure parts of sharing events between computers: ids, lines, merging, and when an
answer given on another computer ends the reminder here. Times are passed in."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from postured.core import shared

UTC = timezone.utc
A = "a" * 32
B = "b" * 32


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Row:
    def __init__(self, when, kind, exercise="chin-tuck", source="cli", detail=None):
        self.at, self.kind, self.exercise_id, self.source, self.detail = at(when), kind, exercise, source, detail


def test_ids_are_stable_and_tell_identical_events_apart():
    rows = [Row("2026-12-01 10:00:00", "shown", source="alarm"), Row("2026-12-01 10:00:00", "shown", source="alarm"),
            Row("2026-12-01 10:01:00", "done")]
    first, again = shared.with_ids(A, rows), shared.with_ids(A, rows)
    assert [e.id for e in first] == [e.id for e in again]  # rebuilt from the history: the same ids
    assert len({e.id for e in first}) == 3
    assert first[0].id.startswith(A + ".") and first[1].id.endswith(".1")
    assert shared.with_ids(B, rows)[0].id != first[0].id  # another device, another id


def test_a_line_round_trips_and_a_newer_format_is_read_as_far_as_understood():
    event = shared.with_ids(A, [Row("2026-12-01 10:01:00", "done", detail="too hard")])[0]
    assert shared.parse_event(shared.event_line(event), A) == event
    newer = json.dumps({"id": "x1", "at": "2026-12-01T10:00:00+00:00", "kind": "done", "exercise": "w",
                        "source": "cli", "detail": None, "mood": "good", "v": 2})
    assert shared.parse_event(newer, B).kind == "done"
    header = shared.parse_header(json.dumps({"kind": shared.KIND, "format": 2, "device": B, "name": "desk"}))
    assert header == shared.Header(2, B, "desk")


def test_a_chunk_consumes_whole_lines_only():
    events = shared.with_ids(A, [Row("2026-12-01 10:00:00", "shown"), Row("2026-12-01 10:01:00", "done")])
    text = (shared.header_line(A, "laptop") + shared.event_line(events[0]) + shared.event_line(events[1])).encode()
    cut = text[:-10]  # the last line half-synced
    chunk = shared.parse_chunk(cut, None, A, at_start=True)
    assert chunk.header.name == "laptop" and chunk.events == events[:1] and chunk.skipped == 0
    rest = shared.parse_chunk(text[chunk.consumed:], chunk.header, A, at_start=False)
    assert rest.events == events[1:] and chunk.consumed + rest.consumed == len(text)


def test_unreadable_lines_are_skipped_and_counted():
    good = shared.with_ids(A, [Row("2026-12-01 10:00:00", "done")])[0]
    text = (shared.header_line(A, "x") + "not json\n" + '{"id": "q"}\n' + shared.event_line(good)).encode()
    chunk = shared.parse_chunk(text, None, A, at_start=True)
    assert chunk.events == [good] and chunk.skipped == 2


def test_a_line_with_control_characters_is_not_read():
    line = json.dumps({"id": "x", "at": "2026-12-01T10:00:00+00:00", "kind": "done", "exercise": "w\u001b[31m"})
    try:
        shared.parse_event(line, B)
    except ValueError as exc:
        assert "control characters" in str(exc)
    else:
        raise AssertionError("read")


def test_merge_dedupes_by_id_and_orders_by_time():
    mine = shared.with_ids(A, [Row("2026-12-01 10:05:00", "done")])
    theirs = shared.with_ids(B, [Row("2026-12-01 10:00:00", "shown"), Row("2026-12-01 10:06:00", "done")])
    merged = shared.merge(mine, theirs, theirs[:1])
    assert [e.at.minute for e in merged] == [0, 5, 6]


def test_an_answer_in_the_second_the_round_began_counts():
    """The shared files keep whole seconds: 10:00:00.900 is written 10:00:00, after a round
    that began at 10:00:00.600 on the other computer."""
    began = at("2026-12-01 10:00:00") + timedelta(milliseconds=600)
    assert shared.answer_counts(at("2026-12-01 10:00:00"), began, began + timedelta(seconds=2))
    assert not shared.answer_counts(at("2026-12-01 09:59:59"), began, began + timedelta(seconds=2))


def test_an_answer_counts_within_the_last_minutes_and_after_the_round_began():
    now = at("2026-12-01 10:31:00")
    began = at("2026-12-01 10:00:00")  # this computer's interval, then its reminder at 10:30
    assert shared.answer_counts(at("2026-12-01 10:30:30"), began, now)
    # The other computer's clock is 4 minutes ahead: still this round's answer.
    assert shared.answer_counts(at("2026-12-01 10:35:00"), began, now)
    # Given more than RECENT_ANSWER ago (a laptop syncing its day): old news.
    assert not shared.answer_counts(now - shared.RECENT_ANSWER - timedelta(seconds=1), None, now)
    # Given before this round began (an earlier round's answer, however late it arrives).
    assert not shared.answer_counts(at("2026-12-01 09:59:00"), began, at("2026-12-01 10:05:00"))
    # A clock an hour off: never.
    assert not shared.answer_counts(now + timedelta(hours=1), began, now)


def test_the_latest_answer_or_snooze_is_the_one_that_counts():
    events = shared.with_ids(B, [Row("2026-12-01 10:00:00", "shown"), Row("2026-12-01 10:01:00", "snoozed"),
                                 Row("2026-12-01 10:06:00", "done"), Row("2026-12-01 10:07:00", "paused")])
    assert shared.latest_answer(events).kind == "done"
    assert shared.latest_answer(events[:1]) is None


# ---------------------------------------------------------------- any interleaving merges the same

KINDS = ["shown", "done", "snoozed", "skipped", "missed", "hurt"]
rows_strategy = st.lists(
    st.tuples(st.integers(0, 3000), st.sampled_from(KINDS), st.sampled_from(["chin-tuck", "w-raise", None])),
    min_size=0, max_size=25,
)


def device_events(device, rows):
    start = at("2026-12-01 08:00:00")
    return shared.with_ids(device, [Row((start + timedelta(seconds=s)).isoformat()[:19], k, e) for s, k, e in rows])


def file_bytes(device, events):
    return (shared.header_line(device, device[:4]) + "".join(shared.event_line(e) for e in events)).encode()


def read_through(snapshots: list[bytes], device: str) -> set[str]:
    """What a reader remembering its offset sees of a file that passes through ``snapshots``
    (appended to, cut mid-line by a sync in progress, replaced by a shorter older copy)."""
    seen, offset, header, last = set(), 0, None, b""
    for data in snapshots:
        if len(data) < offset or data[:offset] != last[:offset]:
            offset, header = 0, None  # replaced or shorter: from the start again
        chunk = shared.parse_chunk(data[offset:], header, device, at_start=offset == 0)
        seen |= {e.id for e in chunk.events}
        offset += chunk.consumed
        header, last = chunk.header, data
    return seen


@settings(max_examples=150, deadline=None)
@given(rows_a=rows_strategy, rows_b=rows_strategy, data=st.data())
def test_any_interleaving_of_appends_cuts_and_conflict_copies_merges_to_the_same_set(rows_a, rows_b, data):
    files = {A: device_events(A, rows_a), B: device_events(B, rows_b)}
    expected = {e.id for events in files.values() for e in events}
    seen: set[str] = set()
    for device, events in files.items():
        whole = file_bytes(device, events)
        # The file as a sync engine delivers it: growing, sometimes cut mid-line, sometimes an
        # older (shorter) copy for a while, and always whole in the end.
        points = sorted(data.draw(st.lists(st.integers(0, len(whole)), max_size=8)))
        snapshots = [whole[:p] for p in points]
        if snapshots and data.draw(st.booleans()):
            snapshots.insert(data.draw(st.integers(0, len(snapshots))), whole[: len(whole) // 3])
        snapshots.append(whole)
        seen |= read_through(snapshots, device)
        # A conflict copy: an older version of the same file, read as well.
        copy = whole[: data.draw(st.integers(0, len(whole)))]
        seen |= {e.id for e in shared.parse_chunk(copy, None, device, at_start=True).events}
    assert seen == expected
    merged = shared.merge(*[[e for e in files[d] if e.id in seen] for d in files])
    assert len(merged) == len(expected) and merged == sorted(merged, key=lambda e: (e.at, e.id))
