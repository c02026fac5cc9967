"""An answer given on another computer, arriving through the sync folder, through the
engine's one door with recording fakes and a clock set by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import BERLIN, at, local, settings
from fakes import Rig

from postured.core import machine, shared
from postured.core.machine import Phase

PEER = "b" * 32


def answer(kind: str, when, detail=None) -> shared.SharedEvent:
    return shared.SharedEvent(f"{PEER}.{kind}.{when.isoformat()}", PEER, when, kind, "chin-tuck", "cli", detail)


@pytest.fixture
def rig(small_catalogue):
    rig = Rig(settings(), small_catalogue, BERLIN, at("2026-03-23 08:50"))
    rig.handle(machine.Start())
    return rig


def test_done_elsewhere_withdraws_the_due_reminder_and_the_interval_counts_from_it(rig):
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.engine.state.phase is Phase.DUE and rig.notifier.on_screen
    rig.clock.advance(seconds=40)  # the answer was given at 09:30:20 and synced in 20 s
    rig.engine.elsewhere([answer("done", at("2026-03-23 09:30:20"))])
    assert rig.engine.state.phase is Phase.WAITING
    assert not rig.notifier.on_screen
    assert local(rig.alarm.at) == "Mon 2026-03-23 10:00 +0100"  # 09:30:20 + 30 min, to the minute shown
    assert rig.engine.state.alarm_at == at("2026-03-23 10:00:20")
    assert rig.history.kinds() == ["shown"]  # no "missed": it was answered, elsewhere
    counts, _planned = rig.engine.today()
    assert counts["done"] == 1  # today's count includes the other computer's


def test_an_answer_from_before_this_round_withdraws_nothing(rig):
    rig.run_until(at("2026-03-23 09:30"))
    # Given at 08:45 on the other computer (before this interval began at 08:50), arriving late.
    rig.engine.elsewhere([answer("done", at("2026-03-23 08:45"))])
    assert rig.engine.state.phase is Phase.DUE and rig.notifier.on_screen


def test_an_old_answer_arriving_now_withdraws_nothing(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.clock.advance(minutes=25)
    # Given at 09:31 (this round), but it took 24 minutes to come: the person did not stop here.
    rig.engine.elsewhere([answer("done", at("2026-03-23 09:31"))])
    assert rig.engine.state.phase is Phase.DUE


def test_a_clock_minutes_ahead_still_counts_but_the_next_interval_starts_no_later_than_now(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.clock.advance(seconds=30)
    rig.engine.elsewhere([answer("skipped", at("2026-03-23 09:34"))])  # that clock is 4 min ahead
    assert rig.engine.state.phase is Phase.WAITING
    assert rig.engine.state.alarm_at == at("2026-03-23 10:00:30")


def test_while_waiting_an_answer_elsewhere_restarts_the_interval(rig):
    rig.clock.now = at("2026-03-23 09:10")
    rig.engine.elsewhere([answer("done", at("2026-03-23 09:09"))])
    assert rig.engine.state.phase is Phase.WAITING
    assert rig.engine.state.alarm_at == at("2026-03-23 09:39")


def test_snooze_elsewhere_snoozes_here_until_the_same_time(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.clock.advance(seconds=30)
    rig.engine.elsewhere([answer("snoozed", at("2026-03-23 09:30:10"), "10m")])
    assert rig.engine.state.phase is Phase.SNOOZED and not rig.notifier.on_screen
    assert rig.engine.state.until == at("2026-03-23 09:40:10")


def test_pause_elsewhere_is_not_taken_over_and_a_pause_here_holds(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.engine.elsewhere([answer("paused", at("2026-03-23 09:30"))])
    assert rig.engine.state.phase is Phase.DUE
    rig.handle(machine.Pause(timedelta(hours=1)))
    rig.engine.elsewhere([answer("done", at("2026-03-23 09:30"))])
    assert rig.engine.state.phase is Phase.PAUSED


def test_the_coach_does_not_suggest_what_was_just_done_elsewhere(rig):
    upcoming = rig.engine.state.exercise_id
    rig.clock.now = at("2026-03-23 09:10")
    done = shared.SharedEvent(f"{PEER}.1", PEER, at("2026-03-23 09:09"), "done", upcoming, "cli", None)
    shown = shared.SharedEvent(f"{PEER}.0", PEER, at("2026-03-23 09:08"), "shown", upcoming, "alarm", None)
    rig.engine.elsewhere([shown, done])
    assert rig.engine.state.exercise_id != upcoming


def test_a_snooze_elsewhere_longer_than_any_here_is_cut_to_the_longest_here(rig):
    rig.run_until(at("2026-03-23 09:30"))
    rig.engine.elsewhere([answer("snoozed", at("2026-03-23 09:30"), "2h")])
    assert rig.engine.state.phase is Phase.SNOOZED
    assert rig.engine.state.until == at("2026-03-23 09:30") + max(rig.engine.settings.reminders.snooze)
