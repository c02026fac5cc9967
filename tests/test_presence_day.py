"""Presence in the core: natural breaks, walking away, fullscreen, quiet times, sleep.

One whole day is scripted with explicit times, on the day Berlin's clocks go back
(Sunday 2026-10-25, 03:00 -> 02:00), and the reminders it produces are checked exactly.
"""

from datetime import timedelta
from functools import partial

import pytest
from conftest import at, local, settings
from fakes import Person, Rig

from postured.core import machine
from postured.core.machine import Phase

DAY = "2026-10-25"  # a Sunday, and the end of summer time in Berlin

CONFIG = """
[schedule]
interval = "30m"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
hours = ["09:00-17:00"]
timezone = "Europe/Berlin"
[presence]
natural_break = "5m"
"""


def t(clock: str, day: str = DAY):
    return at(f"{day} {clock}")


def shown_at(rig) -> list[str]:
    return [local(moment)[15:20] + moment.strftime(":%S")[:3] for moment, event in rig.history.events
            if event.kind == "shown"]


def kinds_between(rig, start, end) -> list[str]:
    return [event.kind for moment, event in rig.history.events if start <= moment < end]


def live(rig, script):
    """Play the day: the alarms fire as the scheduler would, and the person acts at the scripted times."""
    for moment, command in script:
        rig.run_until(moment)
        if command is not None:
            rig.handle(command)


@pytest.fixture
def day(small_catalogue):
    person = partial(
        Person,
        away=[(t("10:20"), t("10:35")), (t("11:10"), t("11:40")), (t("12:00"), t("13:00"))],
        fullscreen=[(t("09:25"), t("09:40"))],
    )
    rig = Rig(settings(CONFIG), small_catalogue, None, t("08:55"), person=person)
    from zoneinfo import ZoneInfo

    rig.engine.zone = ZoneInfo("Europe/Berlin")
    rig.engine.apply_settings(settings(CONFIG))
    rig.handle(machine.Start())
    live(rig, [
        (t("09:41"), machine.Done()),  # the 09:30 reminder, held by the slides until 09:40
        (t("10:12"), machine.Done()),
        # 10:20-10:35 coffee; 11:10 walks away from a due reminder; 12:00-13:00 lunch.
        (t("13:20"), None),
    ])
    # The lid closes at 13:20 and opens three hours later: logind says so on wake.
    rig.clock.now = t("16:20")
    rig.handle(machine.Woke(timedelta(hours=3)))
    rig.handle(machine.AlarmFired())  # the scheduler's stale job, once, on wake
    live(rig, [(t("16:51"), machine.Done()), (t("17:30"), None)])
    return rig


def test_the_day_gives_exactly_the_expected_reminders(day):
    shown = [moment for moment, event in day.history.events if event.kind == "shown"]
    assert [local(m)[15:20] for m in shown][:2] == ["09:40", "10:11"]
    # Back from coffee is seen at the first look after 10:35 (looks are 2.5 min apart),
    # so the third reminder comes 30 minutes after that.
    assert t("11:05") < shown[2] <= t("11:07:30")
    # Nothing between: not during lunch, not on waking, none after the walk-away.
    assert [local(m)[15:20] for m in shown][3:] == ["16:50"]
    assert len(shown) == 4


def test_none_while_away_none_during_fullscreen_none_doubled(day):
    for moment, event in day.history.events:
        if event.kind == "shown":
            assert not any(start <= moment < end for start, end in day.person.away), local(moment)
            assert not any(start <= moment < end for start, end in day.person.fullscreen), local(moment)
    shown = [m for m, e in day.history.events if e.kind == "shown"]
    assert all(later - earlier >= timedelta(minutes=30) for earlier, later in zip(shown, shown[1:]))


def test_absences_are_natural_breaks_and_the_abandoned_reminder_is_missed(day):
    breaks = [(m, e.detail) for m, e in day.history.events if e.kind == "natural_break"]
    # coffee, the walk-away, lunch, each seen within one look of five minutes away; then the sleep
    assert [t("10:25") <= breaks[0][0] <= t("10:27:30"), t("11:15") <= breaks[1][0] <= t("11:17:30"),
            t("12:05") <= breaks[2][0] <= t("12:07:30")] == [True, True, True]
    assert breaks[3] == (t("16:20"), "asleep 3h")
    assert len(breaks) == 4
    missed = [m for m, e in day.history.events if e.kind == "missed"]
    assert len(missed) == 1 and t("11:15") <= missed[0] <= t("11:17:30")  # walked away from it
    assert "done" not in kinds_between(day, t("11:07"), t("16:00"))


def test_presence_is_read_only_every_half_natural_break_and_only_in_work_time(day):
    reads = day.person.reads
    assert reads and all(t("09:00") <= moment <= t("17:00") for moment in reads)
    gaps = [later - earlier for earlier, later in zip(reads, reads[1:]) if later.date() == earlier.date()]
    # 2.5 min apart, 1 min while the slides hold a reminder; never a busy loop
    assert min(gaps) >= timedelta(seconds=30)
    assert len(reads) <= 8 * 24 + 20


def test_no_reminder_on_wake_after_sleep_and_the_interval_starts_fresh(day):
    assert kinds_between(day, t("16:20"), t("16:50")) == ["natural_break"]


def test_dst_day_reminders_are_on_the_local_wall_clock(day):
    # 10:11 local is 09:11 UTC after the clocks went back (UTC+1).
    shown = [m for m, e in day.history.events if e.kind == "shown"]
    assert shown[1].strftime("%H:%M") == "09:11"


def test_quiet_time_holds_a_due_reminder_until_it_ends_then_it_comes_once(small_catalogue):
    text = CONFIG + 'quiet = ["12:00-12:30"]\n'
    rig = Rig(settings(text), small_catalogue, None, t("11:40"), person=partial(Person))
    from zoneinfo import ZoneInfo

    rig.engine.zone = ZoneInfo("Europe/Berlin")
    rig.engine.apply_settings(settings(text))
    rig.handle(machine.Start())  # due 12:10, inside the quiet time
    rig.run_until(t("12:29"))
    assert rig.engine.state.held_by == "quiet" and rig.notifier.shown == []
    assert rig.tray.views[-1].status.startswith("Break held: it is quiet time")
    rig.run_until(t("12:31"))
    assert [local(m)[15:20] for m, e in rig.history.events if e.kind == "shown"] == ["12:30"]


def test_a_locked_screen_counts_as_away(small_catalogue):
    person = partial(Person, locked=[(t("10:00"), t("10:20"))])
    rig = Rig(settings(CONFIG), small_catalogue, None, t("09:50"), person=person)
    from zoneinfo import ZoneInfo

    rig.engine.zone = ZoneInfo("Europe/Berlin")
    rig.engine.apply_settings(settings(CONFIG))
    rig.handle(machine.Start())  # due 10:20
    rig.run_until(t("10:21"))
    assert [e.detail for _, e in rig.history.events if e.kind == "natural_break"] == ["screen locked"]
    assert rig.engine.state.phase is Phase.WAITING and rig.engine.state.alarm_at > t("10:40")


def test_without_a_presence_sensor_nothing_extra_wakes(small_catalogue):
    rig = Rig(settings(CONFIG), small_catalogue, None, t("08:55"))
    from zoneinfo import ZoneInfo

    rig.engine.zone = ZoneInfo("Europe/Berlin")
    rig.engine.apply_settings(settings(CONFIG))
    rig.handle(machine.Start())
    fired = rig.run_until(t("10:00"))
    assert [local(m)[15:20] for m in fired] == ["09:30", "10:00"]


def test_where_the_desktop_reports_absences_nothing_is_polled(small_catalogue):
    """X11's SYNC alarms say when idle time reaches the natural break and when input
    comes back: the core then reads presence only when a reminder falls due."""
    from zoneinfo import ZoneInfo

    from postured.core.presence import Presence

    coffee = (t("10:20"), t("10:35"))
    rig = Rig(settings(CONFIG), small_catalogue, None, t("08:55"), person=partial(Person, away=[coffee]))
    rig.engine.zone = ZoneInfo("Europe/Berlin")
    rig.engine.presence_watched = True
    rig.engine.apply_settings(settings(CONFIG))
    rig.handle(machine.Start())
    live(rig, [(t("09:31"), machine.Done()), (t("10:02"), machine.Done())])  # next due 10:32
    rig.clock.now = coffee[0] + timedelta(minutes=5)  # the alarm at the natural break
    rig.handle(machine.PresenceChanged(Presence(idle=timedelta(minutes=5))))
    assert rig.engine.state.away_since == coffee[0] and rig.alarm.at is None
    rig.clock.now = coffee[1]  # input again
    rig.handle(machine.PresenceChanged(Presence(idle=timedelta(0))))
    assert local(rig.alarm.at)[15:20] == "11:05"  # 30 minutes from the return, not 10:32
    live(rig, [(t("11:06"), machine.Done())])
    shown = [local(m)[15:20] for m, e in rig.history.events if e.kind == "shown"]
    assert shown == ["09:30", "10:01", "11:05"]
    assert [e.detail for _, e in rig.history.events if e.kind == "natural_break"] == ["away 5m"]
    # Read once per reminder, never in between.
    assert [local(m)[15:20] for m in rig.person.reads] == ["09:30", "10:01", "11:05"]
