"""One model of "not now": every reason to hold a due reminder, in the core, with explicit times.

The desktop's reasons come from a scripted ``Desk`` (the engine's hold sensor); quiet
windows from the config; fullscreen from the scripted person. The reminder comes once,
when the last reason ends; each reason can be switched off in ``[presence]``.
"""

from functools import partial
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from conftest import at, local, settings
from fakes import Desk, Person, Rig

from postured.core import machine
from postured.core.holds import SENSED, Hold
from postured.remote import Remote

DAY = "2026-03-27"  # a Friday
CONFIG = """
[schedule]
interval = "30m"
hours = ["09:00-17:00"]
timezone = "Europe/Berlin"
[presence]
natural_break = "5m"
"""


def t(clock: str):
    return at(f"{DAY} {clock}")


def rig_for(catalogue, start: str, config: str = CONFIG, desk=None, person=None) -> Rig:
    rig = Rig(settings(config), catalogue, None, t(start), person=person)
    rig.engine.zone = ZoneInfo("Europe/Berlin")
    rig.engine.apply_settings(settings(config))
    if desk is not None:
        rig.desk = Desk(rig.clock, desk)
        rig.engine.holds = (rig.desk,)
    rig.handle(machine.Start())
    return rig


def events(rig, *kinds) -> list[tuple[str, str, str | None]]:
    return [(local(m)[15:20] + m.strftime(":%S")[:3], e.kind, e.detail) for m, e in rig.history.events
            if e.kind in kinds]


def test_two_reasons_overlapping_the_reminder_comes_once_when_the_last_ends(small_catalogue):
    # Due 09:30, in a call 09:25-09:50; do-not-disturb 09:40-10:05.
    desk = {Hold.CALL: [(t("09:25"), t("09:50"))], Hold.DO_NOT_DISTURB: [(t("09:40"), t("10:05"))]}
    rig = rig_for(small_catalogue, "09:00", desk=desk)
    rig.run_until(t("09:45"))
    assert rig.engine.state.held_by is Hold.CALL and rig.notifier.shown == []
    assert rig.tray.views[-1].status.startswith("Break held: you are in a call — ")
    rig.run_until(t("10:04:59"))
    assert rig.engine.state.held_by is Hold.DO_NOT_DISTURB and rig.notifier.shown == []
    assert rig.tray.views[-1].status.startswith("Break held: do not disturb is on — ")
    rig.run_until(t("10:20"))
    assert events(rig, "held", "shown") == [
        ("09:30:00", "held", "call"),
        ("09:50:00", "held", "do_not_disturb"),  # the call ended, do-not-disturb still on
        ("10:05:00", "shown", "do_not_disturb"),  # once, as the last one ended
    ]
    assert len(rig.notifier.shown) == 1
    assert rig.engine.state.phase is machine.Phase.DUE and rig.engine.state.held_by is None


def test_a_quiet_window_and_a_fullscreen_window_overlapping(small_catalogue):
    config = CONFIG + 'quiet = ["12:00-12:30"]\n'
    person = partial(Person, fullscreen=[(t("12:20"), t("12:45"))])
    rig = rig_for(small_catalogue, "11:40", config, person=person)  # due 12:10
    rig.run_until(t("13:00"))
    assert events(rig, "held", "shown") == [
        ("12:10:00", "held", "quiet"),
        ("12:30:00", "held", "fullscreen"),
        ("12:45:00", "shown", "fullscreen"),
    ]


def test_the_desktop_is_asked_only_when_a_reminder_is_due_or_held(small_catalogue):
    # Idle time is polled every 2.5 min here, but calls and do-not-disturb are not.
    desk = {Hold.SCREENCAST: [(t("09:30"), t("09:31:10"))]}
    rig = rig_for(small_catalogue, "09:00", desk=desk, person=partial(Person))
    rig.run_until(t("09:55"))
    assert len(rig.person.reads) > 10
    assert [local(m)[15:20] + m.strftime(":%S")[:3] for m, _ in rig.desk.reads] == [
        "09:30:00", "09:30:30", "09:31:00", "09:31:30"]
    assert all(wanted == SENSED for _, wanted in rig.desk.reads)
    assert events(rig, "shown") == [("09:31:30", "shown", "screencast")]


def test_a_watcher_saying_the_reason_ended_brings_the_reminder_at_once(small_catalogue):
    desk = {Hold.DO_NOT_DISTURB: [(t("09:20"), t("09:41:10"))]}
    rig = rig_for(small_catalogue, "09:00", desk=desk)
    rig.run_until(t("09:41:10"))
    assert rig.notifier.shown == []
    rig.handle(machine.HoldsChanged())  # dunst's PropertiesChanged: paused is false
    assert events(rig, "shown") == [("09:41:10", "shown", "do_not_disturb")]
    assert rig.alarm.at == t("10:11:10")  # a new interval from the reminder shown


def test_news_from_a_watcher_while_nothing_is_held_changes_nothing(small_catalogue):
    desk = {Hold.DO_NOT_DISTURB: [(t("09:05"), t("09:10"))]}
    rig = rig_for(small_catalogue, "09:00", desk=desk)
    rig.clock.now = t("09:10")
    outcome = rig.handle(machine.HoldsChanged())
    assert outcome.effects == [] and rig.desk.reads == [] and rig.alarm.at == t("09:30")


SWITCHES = {
    Hold.CALL: "quiet_in_calls",
    Hold.CAMERA: "quiet_when_camera_on",
    Hold.SCREENCAST: "quiet_when_sharing_screen",
    Hold.DO_NOT_DISTURB: "quiet_when_do_not_disturb",
    Hold.FULLSCREEN: "quiet_when_fullscreen",
}


@pytest.mark.parametrize("reason", list(SWITCHES))
def test_each_reason_holds_and_can_be_switched_off(small_catalogue, reason):
    span = [(t("09:20"), t("10:00"))]

    def build(config):
        if reason is Hold.FULLSCREEN:
            return rig_for(small_catalogue, "09:00", config, person=partial(Person, fullscreen=span))
        return rig_for(small_catalogue, "09:00", config, desk={reason: span})

    held = build(CONFIG)
    held.run_until(t("09:59"))
    assert held.engine.state.held_by is reason and held.notifier.shown == []
    keeper = SimpleNamespace(path="test.toml", error=None)
    assert Remote(held.engine, keeper).status()["held_by"] == reason.value

    off = build(CONFIG + f"{SWITCHES[reason]} = false\n")
    off.run_until(t("09:31"))
    assert events(off, "held", "shown") == [("09:30:00", "shown", None)]
    if reason is not Hold.FULLSCREEN:  # a switched-off reason is not even asked about
        assert all(reason not in wanted for _, wanted in off.desk.reads)


def test_with_every_reason_switched_off_the_desktop_is_not_asked(small_catalogue):
    config = CONFIG + "".join(f"{key} = false\n" for key in SWITCHES.values())
    rig = rig_for(small_catalogue, "09:00", config, desk={Hold.CALL: [(t("09:00"), t("17:00"))]})
    rig.run_until(t("09:31"))
    assert rig.desk.reads == [] and events(rig, "shown") == [("09:30:00", "shown", None)]


def test_a_bad_switch_is_a_located_error():
    from postured.config import ConfigError

    with pytest.raises(ConfigError) as error:
        settings(CONFIG + 'quiet_in_calls = "maybe"\n')
    assert str(error.value).startswith("test.toml: line 8: presence.quiet_in_calls: ")
    with pytest.raises(ConfigError, match='line 8: presence.quiet_in_call: unknown key .did you mean "quiet_in_calls"'):
        settings(CONFIG + "quiet_in_call = false\n")
