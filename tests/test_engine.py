"""The reminder lifecycle driven through the engine's one door, with recording fakes."""

from datetime import timedelta

import pytest
from conftest import BERLIN, at, local, settings
from fakes import Rig

from postured.core import machine
from postured.core.machine import Phase


@pytest.fixture
def rig(small_catalogue):
    rig = Rig(settings(), small_catalogue, BERLIN, at("2026-03-23 08:50"))
    rig.handle(machine.Start())
    return rig


def test_start_plans_the_first_reminder_inside_the_window(rig):
    assert local(rig.alarm.at) == "Mon 2026-03-23 09:30 +0100"
    view = rig.tray.views[-1]
    assert view.state == "off_hours"
    assert view.status.startswith("Off hours — next break 09:30")


def test_reminder_shows_then_done_starts_a_new_interval(rig):
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.engine.state.phase is Phase.DUE
    assert rig.notifier.shown[-1][0].startswith("Posture break: ")
    assert rig.tray.views[-1].state == "due" and rig.tray.views[-1].can_answer
    rig.clock.advance(minutes=2)
    rig.handle(machine.Done())
    assert rig.history.kinds() == ["shown", "done"]
    assert local(rig.alarm.at) == "Mon 2026-03-23 10:02 +0100"
    assert rig.tray.views[-1].status.startswith("Next break 10:02 — ")


def test_snooze_brings_the_same_exercise_back(rig):
    rig.run_until(at("2026-03-23 09:30"))
    due = rig.engine.state.exercise_id
    rig.handle(machine.Snooze(timedelta(minutes=10)))
    assert rig.engine.state.phase is Phase.SNOOZED
    assert rig.tray.views[-1].status.startswith("Snoozed until 09:40")
    fired = rig.run_until(at("2026-03-23 09:45"))
    assert [local(t) for t in fired] == ["Mon 2026-03-23 09:40 +0100"]
    assert rig.engine.state.phase is Phase.DUE and rig.engine.state.exercise_id == due
    assert rig.history.kinds() == ["shown", "snoozed", "shown"]
    assert rig.history.events[1][1].detail == "10m"


def test_snooze_without_a_choice_takes_the_first_configured(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.handle(machine.Snooze())
    assert rig.engine.state.until == at("2026-03-23 09:35")


def test_skip_and_done_are_refused_when_nothing_is_due(rig):
    for command in (machine.Done(), machine.Skip(), machine.Snooze()):
        outcome = rig.handle(command)
        assert outcome.refused and "nothing is due" in outcome.refused
    assert rig.history.kinds() == []


def test_unanswered_reminder_is_missed_after_an_interval_and_the_next_one_comes(rig):
    rig.run_until(at("2026-03-23 10:00"))
    assert rig.history.kinds() == ["shown", "missed", "shown"]
    first, missed, second = (event.exercise_id for _, event in rig.history.events)
    assert missed == first and second != first
    assert rig.engine.state.phase is Phase.DUE and rig.engine.state.exercise_id == second


def test_pause_and_resume(rig):
    rig.clock.now = at("2026-03-23 10:00")
    rig.handle(machine.Pause(timedelta(minutes=30)))
    assert rig.tray.views[-1].status == "Paused until 10:30" and rig.tray.views[-1].paused
    assert rig.handle(machine.BreakNow(source="cli")).refused is None  # a break is always allowed
    rig.handle(machine.Done())
    rig.handle(machine.Pause(None))
    assert local(rig.engine.state.until) == "Tue 2026-03-24 09:00 +0100"
    rig.clock.advance(minutes=5)
    rig.handle(machine.Resume())
    assert rig.engine.state.phase is Phase.WAITING
    assert local(rig.alarm.at) == "Mon 2026-03-23 10:35 +0100"
    assert rig.handle(machine.Resume()).refused == "reminders are not paused"


def test_pause_ends_by_itself(rig):
    rig.clock.now = at("2026-03-23 10:00")
    rig.handle(machine.Pause(timedelta(hours=1)))
    rig.run_until(at("2026-03-23 11:00"))
    assert rig.engine.state.phase is Phase.WAITING
    assert local(rig.alarm.at) == "Mon 2026-03-23 11:30 +0100"
    assert rig.history.kinds() == ["paused", "resumed"]


def test_break_now_shows_the_planned_exercise_and_is_refused_while_due(rig):
    planned = rig.engine.state.exercise_id
    rig.handle(machine.BreakNow())
    assert rig.engine.state.phase is Phase.DUE and rig.engine.state.exercise_id == planned
    assert "already due" in rig.handle(machine.BreakNow()).refused


def test_late_alarm_after_sleep_starts_fresh_instead_of_a_burst(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.handle(machine.Done())  # next at 10:00
    rig.clock.now = at("2026-03-23 14:10")  # the laptop slept; the job fires once on wake
    rig.handle(machine.AlarmFired())
    # Four hours asleep: a natural break, and a fresh interval, no reminder on wake.
    assert rig.history.kinds() == ["shown", "done", "natural_break"]
    assert rig.engine.state.phase is Phase.WAITING
    assert local(rig.alarm.at) == "Mon 2026-03-23 14:40 +0100"


def test_early_alarm_changes_nothing(rig):
    rig.clock.now = at("2026-03-23 09:00")
    outcome = rig.handle(machine.AlarmFired())
    assert outcome.effects == [machine.SetAlarm(at("2026-03-23 09:30"))]
    assert rig.notifier.shown == []


def test_new_settings_replan_without_touching_history(rig, small_catalogue):
    rig.run_until(at("2026-03-23 09:30"))
    rig.handle(machine.Done())
    rig.clock.now = at("2026-03-23 09:40")
    rig.engine.apply_settings(settings('[schedule]\ninterval = "20m"'))
    assert local(rig.alarm.at) == "Mon 2026-03-23 09:50 +0100"
    rig.clock.now = at("2026-03-23 09:55")
    rig.engine.apply_settings(settings('[schedule]\ninterval = "10m"'))
    assert local(rig.alarm.at) == "Mon 2026-03-23 10:05 +0100"  # 09:40 would be in the past
    assert rig.history.kinds() == ["shown", "done"]


def test_quit_stops(rig):
    rig.handle(machine.Quit())
    assert rig.stopped


@pytest.mark.parametrize("source", ["tray", "signal"])
def test_quit_while_a_break_is_due_takes_the_reminder_off_the_screen(rig, source):
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.notifier.on_screen
    outcome = rig.handle(machine.Quit(source))
    assert outcome.effects == [machine.Withdraw(), machine.Stop()]
    assert not rig.notifier.on_screen and rig.stopped


def test_a_full_day_answered_at_once(rig):
    """Every reminder of a day answered when it shows: the times `postured next` lists."""
    shown_at = []
    while rig.alarm.at is not None and rig.alarm.at < at("2026-03-23 18:00"):
        rig.run_until(rig.alarm.at)
        shown_at.append(local(rig.clock.now)[-11:-6])
        rig.handle(machine.Done())
    assert shown_at == ["09:30", "10:00", "10:30", "11:00", "11:30",
                        "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]
    names = [e.exercise_id for _, e in rig.history.events if e.kind == "shown"]
    assert all(a != b for a, b in zip(names, names[1:]))


def test_the_tray_counts_todays_breaks_against_the_days_plan(rig):
    # 09:00-12:00 and 13:00-17:30 with 30 minutes: 5 + 8 reminders if each is answered at once
    assert rig.tray.views[-1].today == "Today: 0 of 13 done"
    rig.run_until(at("2026-03-23 09:30"))
    rig.handle(machine.Done())
    assert rig.tray.views[-1].today == "Today: 1 of 13 done"


@pytest.mark.parametrize("answer", [machine.Done(), machine.Skip(), machine.Snooze(), machine.Pause(None)])
def test_a_reminder_ended_from_anywhere_leaves_the_screen(rig, answer):
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.notifier.on_screen
    outcome = rig.handle(answer)
    assert outcome.effects[0] == machine.Withdraw()
    assert not rig.notifier.on_screen


def test_a_refused_command_leaves_the_reminder_on_screen(rig):
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.handle(machine.BreakNow()).refused
    assert rig.notifier.on_screen


# ------------------------------------------------------------ the wall clock set back or forward
# The engine's clock is the wall clock; a step moves it with no time passing. The watcher
# (postured/adapters/clock_watch.py) tells the engine by how much.


def step_clock(rig, minutes: int):
    rig.clock.now += timedelta(minutes=minutes)
    return rig.handle(machine.ClockStepped(timedelta(minutes=minutes)))


def test_the_clock_set_back_does_not_delay_the_next_reminder(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.handle(machine.Done())  # at 09:30: the next reminder 30 minutes of elapsed time later
    rig.clock.now = at("2026-03-23 09:40")
    step_clock(rig, -5)  # now reads 09:35, 10 minutes after the answer
    assert local(rig.alarm.at) == "Mon 2026-03-23 09:55 +0100"  # 20 minutes from now, as before the step
    rig.run_until(at("2026-03-23 09:55"))
    assert rig.history.kinds() == ["shown", "done", "shown"]


def test_the_clock_set_forward_is_no_natural_break_and_keeps_the_interval(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.handle(machine.Done())
    rig.clock.now = at("2026-03-23 09:40")
    step_clock(rig, 30)  # now reads 10:10; the reminder was 20 minutes away and still is
    assert local(rig.alarm.at) == "Mon 2026-03-23 10:30 +0100"
    rig.run_until(at("2026-03-23 10:30"))
    assert rig.history.kinds() == ["shown", "done", "shown"]  # no "natural_break", no "missed"


def test_a_due_reminder_and_a_snooze_move_with_the_clock(rig):
    rig.run_until(at("2026-03-23 09:30"))
    step_clock(rig, -5)
    assert local(rig.alarm.at) == "Mon 2026-03-23 09:55 +0100"  # missed one interval after it showed
    rig.handle(machine.Snooze(timedelta(minutes=10)))  # until 09:35 by the new clock
    step_clock(rig, 60)
    assert rig.engine.state.until == at("2026-03-23 10:35")
    assert local(rig.alarm.at) == "Mon 2026-03-23 10:35 +0100"
    rig.run_until(at("2026-03-23 10:35"))
    assert rig.engine.state.phase is Phase.DUE and rig.history.kinds() == ["shown", "snoozed", "shown"]


def test_a_reminder_counted_from_a_later_span_stays_on_that_spans_start(rig):
    rig.run_until(at("2026-03-23 11:45"))  # 09:00-12:00, 13:00-17:30: the lunch break is next
    while rig.engine.state.phase is Phase.DUE:
        rig.handle(machine.Done())
    assert local(rig.alarm.at) == "Mon 2026-03-23 13:30 +0100"
    step_clock(rig, -5)
    assert local(rig.alarm.at) == "Mon 2026-03-23 13:30 +0100"  # 30 minutes after 13:00, whatever the clock did


def test_a_pause_until_a_wall_clock_time_keeps_its_end(rig):
    rig.run_until(at("2026-03-23 10:00"))
    rig.handle(machine.Pause(None))  # until tomorrow's first window, a wall-clock time
    until = rig.engine.state.until
    step_clock(rig, -5)
    assert rig.engine.state.until == until and rig.alarm.at == until
