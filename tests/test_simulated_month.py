"""Thirty days through the engine with a hand-moved clock and seeded random answers.

Answers, snoozes, pauses, config reloads, sleeps, clock jumps and the March DST change,
with the invariants checked after every step.
"""

import random
from datetime import timedelta

import pytest
from conftest import BERLIN, at, settings
from fakes import Rig

from postured.catalogue import load_catalogue
from postured.core import machine
from postured.core.machine import Phase

CONFIGS = [
    settings('[schedule]\ninterval = "30m"'),
    settings('[schedule]\ninterval = "20m"\ndays = ["mon", "tue", "wed", "thu", "fri", "sat"]\n'
             'hours = ["08:00-12:00", "12:30-18:00"]'),
    settings('[schedule]\ninterval = "45m"\n[schedule.overrides.fri]\nhours = ["09:00-13:00"]\n'
             '[exercises]\npositions = ["seated", "standing", "lying"]\nequipment = ["band"]'),
]


@pytest.mark.parametrize("seed", range(5))
def test_a_month_keeps_every_invariant(seed):
    rng = random.Random(seed)
    rig = Rig(CONFIGS[0], load_catalogue(), BERLIN, at("2026-03-10 07:00"))  # DST change on 29 March
    rig.handle(machine.Start())
    end = at("2026-04-09 07:00")
    accepted_answers = 0
    shown_while_due = 0

    while rig.clock.now < end:
        before_phase = rig.engine.state.phase
        before_records = len(rig.history.events)
        roll = rng.random()
        if roll < 0.55 and rig.alarm.at is not None:
            # Time passes until the alarm (the common case): the scheduler wakes us.
            target = rig.alarm.at + timedelta(seconds=rng.choice([0, 0, 0, 1, 30]))
            rig.clock.now = max(rig.clock.now, target)
            rig.handle(machine.AlarmFired())
        elif roll < 0.75:
            command = rng.choice([machine.Done(), machine.Skip(), machine.Snooze(),
                                  machine.Snooze(timedelta(minutes=10))])
            outcome = rig.handle(command)
            if outcome.refused is None:
                accepted_answers += 1
                kinds = [e.kind for _, e in rig.history.events[before_records:]]
                assert len(kinds) == 1 and kinds[0] in ("done", "skipped", "snoozed")
            else:
                assert before_phase not in (Phase.DUE, Phase.SNOOZED)
                assert len(rig.history.events) == before_records
        elif roll < 0.80:
            rig.handle(machine.Pause(rng.choice([timedelta(minutes=30), timedelta(hours=2), None])))
        elif roll < 0.84:
            rig.handle(machine.Resume())
        elif roll < 0.87:
            rig.handle(machine.BreakNow())
        elif roll < 0.90:
            rig.engine.apply_settings(rng.choice(CONFIGS))
        elif roll < 0.94:
            rig.clock.advance(hours=rng.choice([1, 3, 9, 15]))  # the laptop sleeps
            rig.handle(machine.AlarmFired())
        elif roll < 0.96:
            rig.clock.advance(minutes=-rng.choice([5, 60]))  # the clock is set back
            rig.handle(machine.AlarmFired())
        else:
            # A few minutes pass; any alarm due meanwhile fires on time.
            rig.run_until(rig.clock.now + timedelta(minutes=rng.choice([1, 7, 13])))

        state = rig.engine.state
        now = rig.clock.now
        # The next alarm is always ahead (or none, when nothing is planned).
        assert state.alarm_at is None or state.alarm_at > now or state.phase is Phase.DUE and state.alarm_at >= now
        assert rig.alarm.at == state.alarm_at
        if state.phase is Phase.WAITING:
            assert state.alarm_at is not None and rig.engine.calendar.is_work_time(state.alarm_at)
        if state.phase is Phase.PAUSED:
            assert state.until is not None and state.until > now - timedelta(hours=1)
        new = rig.history.events[before_records:]
        for when, event in new:
            if event.kind == "shown" and event.source == "alarm":
                assert rig.engine.calendar.is_work_time(when), f"reminder off hours at {when}"
                assert before_phase is not Phase.PAUSED
        shown_while_due += sum(1 for _, e in new if e.kind == "shown") > 1

    kinds = rig.history.kinds()
    assert kinds.count("shown") > 100 and accepted_answers > 30
    assert sum(kinds.count(k) for k in ("done", "skipped", "snoozed")) == accepted_answers
    assert shown_while_due == 0  # never two reminders at once
    # A reminder is shown again only after it was snoozed; otherwise the one before it
    # ended first (answered, missed or dropped by a pause).
    pending, snoozed = None, False
    for _, event in rig.history.events:
        if event.kind == "shown":
            assert pending is None or (snoozed and event.exercise_id == pending), event
            pending, snoozed = event.exercise_id, False
        elif event.kind == "snoozed":
            snoozed = True
        elif event.kind in ("done", "skipped", "missed", "paused"):
            pending, snoozed = None, False
