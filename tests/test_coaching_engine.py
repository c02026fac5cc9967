"""The coach through the engine's door: today's dose in the reminder, pain rests the
exercise and shows the safety notes once, and the clinician advice after three reports."""

from datetime import timedelta

import pytest
from conftest import BERLIN, at, settings
from fakes import Rig

from postured.catalogue import load_catalogue
from postured.core import machine

CONFIG = """
[schedule]
interval = "30m"
hours = ["09:00-17:00"]
"""


@pytest.fixture
def rig():
    rig = Rig(settings(CONFIG), load_catalogue(), BERLIN, at("2026-03-23 08:55"))
    rig.handle(machine.Start())
    return rig


def test_the_reminder_names_todays_dose_the_low_end_at_first(rig):
    rig.run_until(at("2026-03-23 09:30"))
    title, body = rig.notifier.shown[-1]
    exercise = rig.engine.catalogue.by_id(rig.engine.state.exercise_id)
    assert body.splitlines()[0] == "Today: " + rig.engine.dose_text(exercise)
    assert rig.engine.dose(exercise).level == 1


def test_this_hurts_ends_the_break_rests_the_exercise_and_shows_the_ease_off_note_once(rig):
    rig.run_until(at("2026-03-23 09:30"))
    hurting = rig.engine.state.exercise_id
    rig.handle(machine.Hurts())
    assert rig.history.events[-1][1] == machine.Record("hurt", hurting, "tray")
    title, body = rig.notifier.shown[-1]
    assert title == "Take care" and "ease off" in body.lower()
    # Three days of breaks, every one done: the painful exercise never comes back.
    suggested = []
    for _ in range(3 * 24):
        if rig.alarm.at is None or rig.alarm.at > at("2026-03-26 09:00"):
            break
        rig.run_until(rig.alarm.at)
        if rig.engine.state.phase is machine.Phase.DUE:
            suggested.append(rig.engine.state.exercise_id)
            rig.handle(machine.Done())
    assert len(suggested) > 20 and hurting not in suggested
    # A second report on another exercise: nothing new to say (the note came once).
    rig.handle(machine.BreakNow())
    shown_before = len(rig.notifier.shown)
    rig.handle(machine.Hurts())
    assert len(rig.notifier.shown) == shown_before


def test_three_reports_in_a_week_bring_the_advice_to_see_a_clinician(rig):
    for day in range(3):
        rig.clock.now = at("2026-03-23 10:00") + timedelta(days=day)
        rig.handle(machine.BreakNow())
        rig.handle(machine.Hurts())
    advice = [body for title, body in rig.notifier.shown if title == "Take care"]
    # The first report: ease off, and the warning signs; the third: the warning signs again.
    assert len(advice) == 2
    assert "ease off" in advice[0].lower() and "numbness" in advice[0].lower()
    assert "ease off" not in advice[1].lower() and "numbness" in advice[1].lower()
    before = [body for title, body in rig.notifier.shown if title == "Before you start"]
    assert len(before) == 1 and "doctor" in before[0].lower()  # with the very first reminder, once


def test_too_hard_counts_as_done_and_steps_the_dose_back(rig):
    exercise = rig.engine.catalogue.by_id("chin-tuck")
    # Four weeks of regular chin tucks: the dose climbs.
    for day in range(28):
        rig.engine.past.append(machine.coach.Past(at("2026-02-20 10:00") + timedelta(days=day), "done", "chin-tuck"))
    high = rig.engine.dose(exercise).level
    assert high > 1
    rig.clock.now = at("2026-03-23 10:00")
    rig.engine.state = machine.State(phase=machine.Phase.DUE, exercise_id="chin-tuck", shown_at=rig.clock.now)
    rig.handle(machine.TooHard())
    assert rig.history.events[-1][1] == machine.Record("done", "chin-tuck", "tray", "too hard")
    assert rig.engine.dose(exercise).level == high - 1


BAND_CONFIG = CONFIG + """
[exercises]
equipment = ["band"]
"""


def test_the_safety_notes_come_before_the_first_reminder_and_the_first_strength_work_of_a_day():
    rig = Rig(settings(BAND_CONFIG), load_catalogue(), BERLIN, at("2026-03-23 08:55"))
    rig.handle(machine.Start())
    while rig.alarm.at is not None and rig.alarm.at <= at("2026-03-25 17:00"):  # Monday to Wednesday
        rig.run_until(rig.alarm.at)
        if rig.engine.state.phase is machine.Phase.DUE:
            rig.handle(machine.Done())
    shown = rig.notifier.shown
    notes = [(i, title, body) for i, (title, body) in enumerate(shown) if not title.startswith("Posture break:")]
    # Each note is followed by its reminder, which comes last and stays on top.
    following = [rig.engine.catalogue.by_id(e.exercise_id) for _, e in rig.history.events if e.kind == "shown"]
    names = {f"Posture break: {e.name}": e for e in following}
    (first, first_title, first_body), *strength = notes
    assert first == 0 and first_title == "Before you start" and "doctor" in first_body
    assert [title for _, title, _ in strength] == ["Before strength work", "Before strength work"]
    for i, _, _ in strength:
        assert machine.coach.is_loaded(names[shown[i + 1][0]])
    (_, _, monday_body), (_, _, wednesday_body) = strength
    assert "warm up" in monday_body.lower() and "light weights" in monday_body.lower()
    assert "warm up" in wednesday_body.lower() and "light weights" not in wednesday_body.lower()  # weekly
