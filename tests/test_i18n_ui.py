"""What a person reads in the tray, the reminders and their buttons speaks their language.

With the pseudo-language (tests/pseudo_locale.py) every text that went through gettext comes
back wrapped in ‹›, so a text never marked shows up unwrapped. A tiny German catalogue,
compiled here, checks that a real translation and the German time format arrive, and that
a new ``[ui] language`` reaches a running engine: its tray menu, its next reminder and the
exercise names.
"""

from __future__ import annotations

import functools
import textwrap
from datetime import datetime, timedelta

import pytest
from conftest import BERLIN, at, settings
from fakes import Rig
from pseudo_locale import pseudo_language, wrapped

from postured import i18n
from postured.catalogue import load_catalogue
from postured.core import machine, view
from postured.core.calendar import WorkCalendar
from postured.core.holds import Hold
from postured.core.machine import Phase, State
from postured.i18n_build import compile_po

WORK = '[schedule]\ninterval = "30m"\ndays = ["mon", "tue", "wed", "thu", "fri"]\nhours = ["09:00-17:00"]\n'
MONDAY = at("2026-03-23 10:00")  # a work day in Berlin


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.use("en", "en_GB")


def states(now: datetime) -> dict[str, State]:
    """The tray's states, each as the core would hold it at ``now``."""
    later, tomorrow = now + timedelta(minutes=30), now + timedelta(days=1)
    return {
        "waiting": State(Phase.WAITING, alarm_at=later, exercise_id="chin-tuck"),
        "waiting, nothing chosen": State(Phase.WAITING, alarm_at=later),
        "program done": State(Phase.WAITING, alarm_at=now + timedelta(hours=2)),
        "due": State(Phase.DUE, exercise_id="chin-tuck", shown_at=now),
        "snoozed": State(Phase.SNOOZED, alarm_at=later, until=later, exercise_id="chin-tuck"),
        "paused": State(Phase.PAUSED, alarm_at=tomorrow, until=tomorrow),
        "no work ahead": State(Phase.WAITING),
        "held": State(Phase.WAITING, alarm_at=later, exercise_id="chin-tuck", held_by=Hold.CALL),
        "away": State(Phase.WAITING, alarm_at=later, exercise_id="chin-tuck", away_since=now - timedelta(minutes=9)),
    }


def test_every_tray_state_and_line_comes_through_gettext():
    calendar = WorkCalendar(settings(WORK).schedule, BERLIN)
    names = {"chin-tuck": "Chin tuck"}
    with pseudo_language():
        shown = {label: view.tray_view(state, calendar, MONDAY, names) for label, state in states(MONDAY).items()}
        evening = view.tray_view(states(MONDAY)["waiting"], calendar, at("2026-03-23 20:00"), names)
        today = [view.today_line(4, 9), view.today_line(1, 0)]
    for label, tray in [*shown.items(), ("off hours", evening)]:
        assert wrapped(tray.status), (label, tray.status)
        assert wrapped(tray.tooltip), (label, tray.tooltip)
    assert evening.state == "off_hours" and evening.status.startswith("‹Off hours")
    assert "‹you are in a call›" in shown["held"].status  # what the hold says is translated too
    assert all(wrapped(line) for line in today), today


def test_without_a_language_the_tray_reads_as_before():
    calendar = WorkCalendar(settings(WORK).schedule, BERLIN)
    shown = {label: view.tray_view(state, calendar, MONDAY, {"chin-tuck": "Chin tuck"}).status
             for label, state in states(MONDAY).items()}
    assert shown["waiting"] == "Next break 10:30 — Chin tuck"
    assert shown["paused"] == "Paused until Tue 10:00"
    assert shown["held"] == "Break held: you are in a call — Chin tuck"
    assert shown["away"] == "Away since 09:51 — the next break counts from your return"
    assert (view.today_line(4, 9), view.today_line(1, 0)) == ("Today: 4 of 9 done", "Today: 1 done")


def test_times_in_the_tray_follow_the_locale_12_hours_in_the_us():
    calendar = WorkCalendar(settings(WORK).schedule, BERLIN)
    i18n.use("en", "en_US")
    shown = {label: view.tray_view(state, calendar, MONDAY, {"chin-tuck": "Chin tuck"}).status
             for label, state in states(MONDAY).items()}
    assert shown["waiting"].replace("\u202f", " ") == "Next break 10:30 AM — Chin tuck"
    assert shown["paused"].replace("\u202f", " ") == "Paused until Tue 10:00 AM"


def first_reminder(catalogue) -> Rig:
    rig = Rig(settings(WORK), catalogue, BERLIN, at("2026-03-23 08:55"))
    rig.handle(machine.Start())
    rig.run_until(at("2026-03-23 09:31"))
    return rig


def test_the_reminder_its_safety_note_and_its_dose_come_through_gettext():
    with pseudo_language():
        rig = first_reminder(load_catalogue())  # the catalogue is read in the language too
    (note_title, _note), (title, body) = rig.notifier.shown[-2:]
    assert note_title == "‹Before you start›"  # the very first reminder brings the safety notes
    assert wrapped(title) and title.startswith("‹Posture break: ‹"), title
    lines = body.splitlines()
    # Each line starts wrapped (the ‹› make some too long for a reminder line, so they are cut).
    assert lines[0].startswith("‹Today: ‹hold"), lines  # today's dose, and its parts
    assert len(lines) == 3 and all(line.startswith("‹") for line in lines), lines  # cue, caution: the catalogue's


def test_every_dose_part_comes_through_gettext():
    with pseudo_language():
        catalogue = load_catalogue()
        doses = [view.dose(exercise) for exercise in catalogue.exercises]
    for text in filter(None, doses):
        assert all(part.startswith("‹") and part.endswith("›") for part in text.split(" · ")), text


def test_the_notification_buttons_come_through_gettext_with_their_keys_unchanged():
    from postured.adapters import notify_actions

    assert notify_actions.buttons() == ["done", "Done", "snooze", "Snooze", "start", "Start exercise"]
    with pseudo_language():
        shown = notify_actions.buttons()
    assert shown[0::2] == ["done", "snooze", "start"]
    assert all(wrapped(label) for label in shown[1::2]), shown


class Keeper:
    path, error = "/nowhere/config.toml", None

    def reload(self):
        return None


def test_the_daemons_replies_and_refusals_come_through_gettext():
    from postured.remote import Remote

    rig = Rig(settings(WORK), load_catalogue(), BERLIN, MONDAY)
    rig.handle(machine.Start())
    remote = Remote(rig.engine, Keeper())
    with pseudo_language():
        refused = remote.respond("done", None)
        reloaded = remote.respond("reload", None)
    assert refused["error"] == "‹nothing is due right now›"
    assert reloaded["message"] == "‹config reloaded›" and wrapped(reloaded["status"]["status"])
    assert remote.respond("done", None)["error"] == "nothing is due right now"


# ---------------------------------------------------------------- the tray menu


def tray_of(engine, monkeypatch):
    """The real PystrayTray and its pystray menu, on pystray's dummy backend (no display)."""
    monkeypatch.setenv("PYSTRAY_BACKEND", "dummy")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    from postured.adapters.tray import PystrayTray

    return PystrayTray(engine, lambda: None, lambda: None)


def menu_texts(menu) -> list[str]:
    """Every visible text of the menu and its submenus, as read at this redraw."""
    texts = []
    for item in menu.items:
        if item is menu.SEPARATOR or not item.visible:
            continue
        texts.append(item.text)
        if item.submenu:
            texts += menu_texts(item.submenu)
    return texts


def test_every_menu_item_comes_through_gettext_at_each_redraw(monkeypatch):
    rig = Rig(settings(WORK), load_catalogue(), BERLIN, MONDAY)
    rig.handle(machine.Start())
    tray = tray_of(rig.engine, monkeypatch)
    english = menu_texts(tray._icon.menu)
    assert {"Start exercise", "Done", "Snooze", "5 min", "For 30 min", "For 1 h", "Until tomorrow",
            "Quit"} <= set(english)
    with pseudo_language():  # the language changed after the menu was built: it follows
        texts = menu_texts(tray._icon.menu)
    assert len(texts) == len(english)
    unwrapped = [text for text in texts if not wrapped(text)]
    assert not unwrapped
    assert "‹For ‹30 min››" in texts


# ---------------------------------------------------------------- a real German translation

GERMAN = {
    "Next break {when} — {name}": "Nächste Pause {when} — {name}",
    "Posture break: {name}": "Haltungspause: {name}",
    "Today: {dose}": "Heute: {dose}",
    "hold {count} s": "{count} s halten",
    "{amount} each side": "{amount} je Seite",
    "Done": "Erledigt",
    "Break due: {name}": "Pause fällig: {name}",
}
GERMAN_PLURALS = {("{count} time", "{count} times"): ("{count}-mal", "{count}-mal")}
GERMAN_CATALOGUE = {"Chin tuck": "Kinn einziehen", "Neck rotation": "Kopfdrehen"}


def po(entries: dict, plurals: dict | None = None) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
             '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', ""]
    for msgid, msgstr in entries.items():
        lines += [f"msgid {quoted(msgid)}", f"msgstr {quoted(msgstr)}", ""]
    for (singular, plural), forms in (plurals or {}).items():
        lines += [f"msgid {quoted(singular)}", f"msgid_plural {quoted(plural)}"]
        lines += [f"msgstr[{index}] {quoted(form)}" for index, form in enumerate(forms)] + [""]
    return "\n".join(lines)


@pytest.fixture
def german(tmp_path):
    """A compiled German catalogue of a few messages, in its own locale folder."""
    folder = tmp_path / "locale" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "postured.po").write_text(po(GERMAN, GERMAN_PLURALS), encoding="utf-8")
    (folder / "catalogue.po").write_text(po(GERMAN_CATALOGUE), encoding="utf-8")
    for source in folder.glob("*.po"):
        compile_po(source)
    return tmp_path / "locale"


def test_a_german_translation_reaches_the_tray_and_the_reminder_with_german_times(german):
    assert i18n.use("de", "de_DE", localedir=german) is None
    rig = first_reminder(load_catalogue())
    title, body = rig.notifier.shown[-1]
    exercise = rig.engine.catalogue.by_id(rig.engine.state.exercise_id)
    assert title == f"Haltungspause: {exercise.name}"
    assert body.splitlines()[0].startswith("Heute: ")
    assert "-mal" in body.splitlines()[0] or "s halten" in body.splitlines()[0], body
    rig.handle(machine.Done("tray"))
    assert rig.engine.view().status.startswith("Nächste Pause 10:01 — "), rig.engine.view().status
    calendar = WorkCalendar(settings(WORK).schedule, BERLIN)
    late = view.tray_view(State(Phase.WAITING, alarm_at=at("2026-03-24 13:30"), exercise_id="chin-tuck"),
                          calendar, at("2026-03-23 16:50"), {"chin-tuck": "Kinn einziehen"})
    assert late.status == "Nächste Pause Di., 13:30 — Kinn einziehen"  # the German weekday and 24 hours


def test_a_new_ui_language_reaches_the_running_engine_its_menu_and_next_reminder(german, tmp_path, monkeypatch):
    from postured.app import load
    from postured.live_config import ConfigKeeper
    from postured.paths import Paths

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(i18n, "use", functools.partial(i18n.use, localedir=german))
    config = tmp_path / "config.toml"
    everyday = textwrap.dedent("""\
        [schedule]
        interval = "30m"
        days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        hours = ["00:00-23:59"]
        timezone = "Europe/Berlin"
        """)
    config.write_text(everyday)
    paths = Paths(config=config, data=tmp_path / "data", config_named=True)
    loaded = load(paths)
    rig = Rig(loaded.settings, loaded.catalogue, loaded.zone, MONDAY)
    rig.handle(machine.Start())
    tray = tray_of(rig.engine, monkeypatch)
    assert "Done" in menu_texts(tray._icon.menu)

    config.write_text(everyday + '\n[ui]\nlanguage = "de"\n')
    keeper = ConfigKeeper(paths, rig.engine, rig.notifier, load, loaded.text)
    assert keeper.reload() is None
    assert rig.engine.catalogue.by_id("chin-tuck").name == "Kinn einziehen"  # the catalogue read again
    assert "Erledigt" in menu_texts(tray._icon.menu)
    rig.handle(machine.BreakNow("tray"))
    title, _body = rig.notifier.shown[-1]
    exercise = rig.engine.catalogue.by_id(rig.engine.state.exercise_id)
    assert title == f"Haltungspause: {exercise.name}"
    assert rig.engine.view().status == f"Pause fällig: {exercise.name}"
    assert {"Kinn einziehen", "Kopfdrehen"} <= {e.name for e in rig.engine.catalogue.exercises}


# ---------------------------------------------------------------- the guide's words


@pytest.mark.parametrize("dose", [
    {"hold_seconds": 5, "repetitions": 2, "sets": 2, "per_side": True},
    {"hold_seconds": None, "repetitions": 3},
    {"hold_seconds": None, "repetitions": 1},
])
def test_every_line_of_a_guided_session_comes_through_gettext(dose):
    from postured.guide.session import Dose, Session
    from postured.guide.window import _dose_text

    session, now, seen = Session(Dose(**dose)), 0.0, []
    with pseudo_language():
        seen.append(_dose_text(session.dose))
        while True:
            seen += [session.counter_text(), session.caption_text(), session.next_label()]
            if session.finished:
                break
            now += 1.0
            session = session.next(now)
    assert all(wrapped(text) for text in seen), [text for text in seen if not wrapped(text)]
