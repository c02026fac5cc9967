"""Reminder times from the schedule: explicit datetimes, DST days, midnight, weekends."""

import pytest
from datetime import timedelta
from zoneinfo import ZoneInfo

from conftest import BERLIN, at, local, settings

from postured.core.calendar import WorkCalendar
from postured.core import planner
from postured.core.planner import next_reminder, pause_until_tomorrow, reminder_times


def calendar(text: str = "", zone=BERLIN) -> WorkCalendar:
    return WorkCalendar(settings(text).schedule, zone)


def times(text: str, start: str, count: int, zone=BERLIN) -> list[str]:
    cal = calendar(text, zone)
    return [local(t, zone) for t in reminder_times(cal, at(start, zone), settings(text).schedule.interval, count)]


def test_default_day_fills_both_windows_and_skips_the_end_of_each():
    got = times("", "2026-03-27 08:00", 13)
    assert got[0] == "Fri 2026-03-27 09:30 +0100"
    assert got[4] == "Fri 2026-03-27 11:30 +0100"  # not 12:00: the window ends there
    assert got[5] == "Fri 2026-03-27 13:30 +0100"
    assert got[-1] == "Fri 2026-03-27 17:00 +0100"


def test_spring_forward_weekend_is_skipped_and_monday_is_in_summer_time():
    got = times("", "2026-03-27 08:00", 20)
    assert got[13:] == [f"Mon 2026-03-30 {h} +0200" for h in ("09:30", "10:00", "10:30", "11:00", "11:30", "13:30", "14:00")]
    assert not any(day in t for t in got for day in ("Sat", "Sun"))


def test_interval_is_elapsed_time_across_a_spring_forward_night():
    text = 'days = ["sat", "sun"]\nhours = ["00:00-24:00"]\ninterval = "1h"'
    got = times(f"[schedule]\n{text}", "2026-03-29 00:30", 3)
    # 01:30 CET, then one real hour later is 03:30 CEST (02:xx does not exist).
    assert got == ["Sun 2026-03-29 01:30 +0100", "Sun 2026-03-29 03:30 +0200", "Sun 2026-03-29 04:30 +0200"]


def test_fall_back_night_repeats_the_hour_without_doubling_reminders():
    text = '[schedule]\ndays = ["sun"]\nhours = ["00:00-24:00"]\ninterval = "1h"'
    cal = calendar(text)
    got = reminder_times(cal, at("2026-10-25 00:30"), timedelta(hours=1), 4)
    gaps = {b - a for a, b in zip(got, got[1:])}
    assert gaps == {timedelta(hours=1)}
    assert [local(t) for t in got] == [
        "Sun 2026-10-25 01:30 +0200", "Sun 2026-10-25 02:30 +0200",
        "Sun 2026-10-25 02:30 +0100", "Sun 2026-10-25 03:30 +0100",
    ]


def test_window_edge_that_does_not_exist_lands_an_hour_later():
    text = '[schedule]\ndays = ["sun"]\nhours = ["02:30-05:00"]\ninterval = "30m"'
    assert times(text, "2026-03-29 00:00", 1) == ["Sun 2026-03-29 04:00 +0200"]


def test_night_shift_runs_past_midnight():
    text = '[schedule]\ndays = ["mon"]\nhours = ["22:00-06:00"]\ninterval = "2h"'
    got = times(text, "2026-03-23 20:00", 4)
    assert got == ["Tue 2026-03-24 00:00 +0100", "Tue 2026-03-24 02:00 +0100", "Tue 2026-03-24 04:00 +0100",
                   "Tue 2026-03-31 00:00 +0200"]


def test_whole_days_join_across_midnight():
    text = '[schedule]\ndays = ["mon", "tue"]\nhours = ["00:00-24:00"]\ninterval = "45m"'
    got = times(text, "2026-03-23 23:00", 2)
    assert got == ["Mon 2026-03-23 23:45 +0100", "Tue 2026-03-24 00:30 +0100"]


def test_a_window_shorter_than_the_interval_gets_no_reminder():
    text = '[schedule]\nhours = ["09:00-09:20", "10:00-11:00"]\ninterval = "30m"'
    assert times(text, "2026-03-23 08:00", 1) == ["Mon 2026-03-23 10:30 +0100"]


def test_per_weekday_override():
    text = '[schedule]\ninterval = "1h"\n[schedule.overrides.fri]\nhours = ["09:00-11:00"]'
    got = times(text, "2026-03-27 08:00", 2)
    assert got == ["Fri 2026-03-27 10:00 +0100", "Mon 2026-03-30 10:00 +0200"]


def test_interval_counts_from_the_moment_given():
    cal = calendar()
    assert local(next_reminder(cal, at("2026-03-23 10:07"), timedelta(minutes=30))) == "Mon 2026-03-23 10:37 +0100"
    # An answer at 11:45 would put the next at 12:15, after the window: it moves to 13:30.
    assert local(next_reminder(cal, at("2026-03-23 11:45"), timedelta(minutes=30))) == "Mon 2026-03-23 13:30 +0100"


def test_pause_until_tomorrow_is_the_first_window_of_the_next_work_day():
    cal = calendar()
    assert local(pause_until_tomorrow(cal, at("2026-03-23 10:00"))) == "Tue 2026-03-24 09:00 +0100"
    assert local(pause_until_tomorrow(cal, at("2026-03-27 10:00"))) == "Mon 2026-03-30 09:00 +0200"


def test_other_zone():
    tokyo = ZoneInfo("Asia/Tokyo")
    got = times('[schedule]\ntimezone = "Asia/Tokyo"', "2026-03-27 08:00", 1, tokyo)
    assert got == ["Fri 2026-03-27 09:30 +0900"]


def test_work_time_edges():
    cal = calendar()
    assert cal.is_work_time(at("2026-03-23 09:00"))
    assert not cal.is_work_time(at("2026-03-23 12:00"))
    assert not cal.is_work_time(at("2026-03-28 10:00"))  # Saturday


def test_next_edge_is_where_work_time_starts_or_ends():
    cal = calendar()
    assert local(cal.next_edge(at("2026-03-23 10:00"))) == "Mon 2026-03-23 12:00 +0100"
    assert local(cal.next_edge(at("2026-03-23 12:00"))) == "Mon 2026-03-23 13:00 +0100"
    assert local(cal.next_edge(at("2026-03-27 18:00"))) == "Mon 2026-03-30 09:00 +0200"


@pytest.mark.parametrize("interval", ["2s", "7m", "30m", "45m", "1h30m", "5h"])
def test_the_days_plan_counts_what_answering_at_once_would_give(interval):
    """The tray's "Today: n of m" count, checked against walking the reminders one by one."""
    schedule = settings(f'[schedule]\ninterval = "{interval}"\nhours = ["09:00-12:00", "13:00-17:30", "22:00-06:00"]')
    calendar = WorkCalendar(schedule.schedule, BERLIN)
    for day in ("2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"):  # Fri, weekend with DST, Mon
        start, end = at(f"{day} 00:00"), calendar.start_of_next_day(at(f"{day} 12:00"))
        walked, moment = 0, start
        while (found := planner.next_reminder(calendar, moment, schedule.schedule.interval)) and found < end:
            walked, moment = walked + 1, found
        assert planner.planned_between(calendar, start, end, schedule.schedule.interval) == walked
