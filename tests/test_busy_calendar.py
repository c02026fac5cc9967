"""A busy calendar holds a reminder: which events are busy (real ICS text), and the core
holding a reminder until the meeting's end, with explicit times."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import UTC, at, local, settings
from fakes import Desk, Rig

from postured.adapters import ics
from postured.busy_calendars import Calendars
from postured.core import machine
from postured.core.busy import Busy, holding
from postured.core.holds import Hold

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = (Path(__file__).parent / "calendars" / "week.ics").read_bytes()
SPRING = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))


def utc_rows(blocks):
    return [(b.start.astimezone(UTC).strftime("%m-%d %H:%M"), b.end.astimezone(UTC).strftime("%H:%M"), b.title)
            for b in blocks]


def test_busy_events_of_a_real_calendar():
    blocks = ics.busy_blocks(ics.parse(WEEK), *SPRING, BERLIN, me="ana@example.org")
    assert utc_rows(blocks) == [
        ("03-19 09:00", "10:00", "Team meeting"),  # 10:00 CET
        ("03-20 08:30", "08:45", "Stand-up (floating time)"),  # no zone: the person's
        ("03-26 09:00", "10:00", "Team meeting"),
        # not the declined review (13:00), the free focus time, the cancelled offsite
        ("04-02 08:00", "09:00", "Team meeting"),  # still 10:00 local, now CEST
        # 04-03 Good Friday: all-day and not marked busy; 04-09: EXDATE
        ("04-05 22:00", "22:00", "Day off"),  # all-day, TRANSP:OPAQUE: the whole local day
        ("04-16 12:00", "13:00", "Team meeting (moved)"),  # RECURRENCE-ID moved it to 14:00
        # 04-23: that occurrence is cancelled
    ]


def test_without_the_persons_address_a_declined_invitation_still_counts():
    blocks = ics.busy_blocks(ics.parse(WEEK), *SPRING, BERLIN, me="")
    assert ("03-26 13:00", "14:00", "Design review") in utc_rows(blocks)
    # Another attendee's answer is not the person's.
    other = ics.busy_blocks(ics.parse(WEEK), *SPRING, BERLIN, me="bo@example.org")
    assert ("03-26 13:00", "14:00", "Design review") in utc_rows(other)


@pytest.mark.parametrize("text, says", [
    (b"hello", "not an ICS calendar"),
    (b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART:2026-03-26 10:00\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
     "line 4: DTSTART"),
    (b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nnot a content line\nEND:VEVENT\nEND:VCALENDAR\n", "line 4:"),
])
def test_a_malformed_calendar_names_its_line(text, says):
    with pytest.raises(ics.CalendarError) as error:
        ics.parse(text)
    assert says in str(error.value)


def test_back_to_back_blocks_hold_until_the_last_ends():
    t = lambda hm: at(f"2026-03-26 {hm}")
    blocks = [Busy(t("10:00"), t("10:30"), "a"), Busy(t("10:30"), t("11:00"), "b"), Busy(t("11:15"), t("12:00"), "c")]
    assert holding(blocks, t("10:10")) == Busy(t("10:00"), t("11:00"), "a")
    assert holding(blocks, t("11:00")) is None and holding(blocks, t("09:59")) is None
    assert holding(blocks, t("11:59")).end == t("12:00")


# ---------------------------------------------------------------- the core, explicit times

DAY = "2026-03-26"  # a Thursday


def t(clock: str):
    return at(f"{DAY} {clock}")


def meeting(summary: str, start: str, end: str, extra: str = "") -> str:
    return (f"BEGIN:VEVENT\nUID:{summary}-{start}@test\nDTSTAMP:20260301T000000Z\n"
            f"DTSTART;TZID=Europe/Berlin:20260326T{start.replace(':', '')}00\n"
            f"DTEND;TZID=Europe/Berlin:20260326T{end.replace(':', '')}00\nSUMMARY:{summary}\n{extra}END:VEVENT\n")


def calendar_text(*events: str) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + "".join(events) + "END:VCALENDAR\n"


def rig_with(catalogue, tmp_path, events, desk=None, extra=""):
    path = tmp_path / "work.ics"
    path.write_text(calendar_text(*events))
    config = f"""
[schedule]
interval = "30m"
hours = ["09:00-17:00"]
timezone = "Europe/Berlin"
[presence]
calendars = ["{path}"]
calendar_email = "ana@example.org"
{extra}"""
    rig = Rig(settings(config), catalogue, BERLIN, t("09:00"))
    calendars = Calendars(tmp_path / "cache", BERLIN)
    calendars.configure(settings(config).presence)
    rig.engine.calendars = calendars
    if desk is not None:
        rig.engine.holds = (Desk(rig.clock, desk),)
    rig.handle(machine.Start())
    return rig, calendars, path


def held_and_shown(rig):
    return [(local(m)[15:20], e.kind, e.detail) for m, e in rig.history.events if e.kind in ("held", "shown")]


def test_a_reminder_falling_in_a_meeting_comes_at_its_end(small_catalogue, tmp_path):
    rig, _, _ = rig_with(small_catalogue, tmp_path, [meeting("Team meeting", "09:15", "10:05")])
    fired = rig.run_until(t("09:45"))
    assert rig.engine.state.held_by is Hold.CALENDAR and rig.notifier.shown == []
    assert rig.tray.views[-1].status.startswith("Break held: you are in a meeting — ")
    assert rig.alarm.at == t("10:05")  # the block's end is known: no look every 30 s
    assert fired == [t("09:30")]
    rig.run_until(t("10:30"))
    assert held_and_shown(rig) == [("09:30", "held", "calendar"), ("10:05", "shown", "calendar")]
    assert len(rig.notifier.shown) == 1


def test_a_meeting_overlapping_a_call_the_reminder_comes_once_when_both_end(small_catalogue, tmp_path):
    desk = {Hold.CALL: [(t("09:55"), t("10:12"))]}
    rig, _, _ = rig_with(small_catalogue, tmp_path, [meeting("Team meeting", "09:15", "10:00")], desk=desk)
    rig.run_until(t("10:30"))
    assert held_and_shown(rig) == [
        ("09:30", "held", "calendar"),
        ("10:00", "held", "call"),  # the meeting ran over into a call
        ("10:12", "shown", "call"),  # within the 30 s look after the call ended
    ]
    assert len(rig.notifier.shown) == 1


@pytest.mark.parametrize("extra_event, extra_config", [
    ("TRANSP:TRANSPARENT\n", ""),
    ("STATUS:CANCELLED\n", ""),
    ("ATTENDEE;PARTSTAT=DECLINED:mailto:ANA@example.org\n", ""),
    ("", "quiet_in_meetings = false\n"),
])
def test_free_cancelled_declined_or_switched_off_holds_nothing(small_catalogue, tmp_path, extra_event, extra_config):
    rig, _, _ = rig_with(small_catalogue, tmp_path, [meeting("Team meeting", "09:15", "10:05", extra_event)],
                         extra=extra_config)
    rig.run_until(t("09:45"))
    assert held_and_shown(rig) == [("09:30", "shown", None)]


def test_a_meeting_cut_short_in_the_file_ends_the_hold(small_catalogue, tmp_path):
    rig, calendars, path = rig_with(small_catalogue, tmp_path, [meeting("Team meeting", "09:15", "11:00")])
    rig.engine.calendars = calendars
    calendars._on_change = lambda: rig.handle(machine.HoldsChanged())
    rig.run_until(t("09:40"))
    assert rig.engine.state.held_by is Hold.CALENDAR and rig.alarm.at == t("11:00")
    path.write_text(calendar_text(meeting("Team meeting", "09:15", "09:40")))
    calendars.file_changed(path)  # what the file watch calls (the daemon test uses the real one)
    assert held_and_shown(rig) == [("09:30", "held", "calendar"), ("09:40", "shown", "calendar")]


def test_a_broken_file_keeps_the_last_good_calendar_with_one_warning(small_catalogue, tmp_path, caplog):
    rig, calendars, path = rig_with(small_catalogue, tmp_path, [meeting("Team meeting", "09:15", "10:05")])
    path.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:soon\nEND:VEVENT\nEND:VCALENDAR\n")
    calendars.file_changed(path)
    calendars.file_changed(path)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"calendar {path}: not used, line 3: DTSTART 'soon' is not a date or time"]
    rig.run_until(t("09:45"))
    assert rig.engine.state.held_by is Hold.CALENDAR  # the last good copy still holds
    assert "Team meeting" not in caplog.text  # titles stay out of the log


def test_the_busy_blocks_are_asked_for_only_when_a_reminder_is_due(small_catalogue, tmp_path):
    rig, calendars, _ = rig_with(small_catalogue, tmp_path, [meeting("Team meeting", "09:15", "10:05")])
    asked = []
    real = calendars.blocks
    calendars.blocks = lambda now: asked.append(now) or real(now)
    rig.handle(machine.BreakNow())
    rig.handle(machine.Done())
    assert asked == []
    rig.run_until(t("10:10"))
    assert asked and min(asked) >= t("09:30")


# ---------------------------------------------------------------- postured next, config check

def cli(tmp_path, config: str, *args):
    import os
    import subprocess
    import sys

    path = tmp_path / "config.toml"
    path.write_text(config)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "TZ": "UTC",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "postured", "--config", str(path), *args],
                          env=env, capture_output=True, text=True, timeout=60)


NEXT_CONFIG = """
[schedule]
interval = "30m"
hours = ["09:00-17:00"]
timezone = "Europe/Berlin"
[presence]
calendars = ["{path}"]
calendar_email = "ana@example.org"
"""


def test_next_marks_the_reminders_a_meeting_would_hold(tmp_path):
    import json

    path = Path(__file__).parent / "calendars" / "week.ics"
    done = cli(tmp_path, NEXT_CONFIG.format(path=path), "next", "--count", "12", "--from", "2026-03-26T09:00")
    assert done.returncode == 0, done.stderr
    lines = {line[15:20]: line[28:] for line in done.stdout.splitlines()}
    assert lines["10:00"].startswith("(held: Team meeting until 11:00) ")
    assert lines["10:30"].startswith("(held: Team meeting until 11:00) ")
    assert not lines["11:00"].startswith("(held")
    assert not lines["14:30"].startswith("(held")  # the declined review
    as_json = json.loads(cli(tmp_path, NEXT_CONFIG.format(path=path), "next", "--count", "12", "--from",
                             "2026-03-26T09:00", "--json").stdout)
    held = {row["at"][11:16]: row["held_by"] for row in as_json}
    assert held["10:00"] == {"reason": "calendar", "event": "Team meeting", "until": "2026-03-26T11:00:00+01:00"}
    assert held["09:30"] is None and held["11:00"] is None


def test_config_check_names_a_calendar_it_cannot_read(tmp_path):
    missing = tmp_path / "gone.ics"
    done = cli(tmp_path, NEXT_CONFIG.format(path=missing), "config", "check")
    assert done.returncode == 0  # the config itself is good; the daemon would keep running
    assert done.stderr.strip() == f"postured: calendar {missing}: cannot read it (No such file or directory)"


def test_the_calendar_libraries_load_only_when_calendars_are_configured(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import datetime, timezone\n"
        "from pathlib import Path\n"
        "from postured.busy_calendars import Calendars\n"
        "from postured.config import Settings\n"
        "calendars = Calendars(Path(sys.argv[1]), timezone.utc)\n"
        "calendars.configure(Settings().presence)\n"
        "calendars.refresh(datetime.now(timezone.utc)); calendars.blocks(datetime.now(timezone.utc))\n"
        "print(sorted(m for m in ('icalendar', 'recurring_ical_events', 'postured.adapters.ics_feed') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
