"""The guided exercise window: the pure session with explicit times, then the real Tk window
on a throw-away X server (Xvfb, and openbox for the focus test), then `postured guide`
against a real daemon.

The window's clock is injected: the tests move it and call ``refresh``; nothing sleeps.
Keys and clicks are real X input from xdotool. Screenshots are kept in the test's tmp dir
(the path is printed, and pytest shows it when a test fails).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from daemon import ALL_DAY, Daemon
from desktop import Desktop, missing_programs, wait_until

from postured.catalogue import load_catalogue
from postured.guide.session import Dose, Phase, Session, dose_for

CATALOGUE = load_catalogue()


# ---------------------------------------------------------------- the session, pure


def test_the_dose_is_the_low_end_unless_the_daemon_chose_one():
    chin = CATALOGUE.by_id("chin-tuck")  # hold 5-10 s, 10 times
    assert dose_for(chin) == Dose(hold_seconds=5, repetitions=10, sets=1, per_side=False)
    assert dose_for(chin, {"hold_seconds": 7, "repetitions": 6, "sets": 2}) == Dose(7, 6, 2, False)
    # Unusable values fall back to the catalogue, one key at a time.
    assert dose_for(chin, {"hold_seconds": "7", "repetitions": 0, "sets": True}) == Dose(5, 10, 1, False)
    assert dose_for(chin, "not a dict") == Dose(5, 10, 1, False)
    assert dose_for(CATALOGUE.by_id("neck-rotation")).per_side
    assert dose_for(CATALOGUE.by_id("band-row")) == Dose(None, 8, 1, False)  # reps only, no hold
    assert dose_for(CATALOGUE.by_id("neck-press")) == Dose(None, 1, 1, False)  # neither: once through


def test_a_hold_counts_down_in_whole_seconds_then_rests_then_holds_again():
    session = Session(Dose(hold_seconds=5, repetitions=2))
    assert session.phase is Phase.READY and session.countdown_text(100) == "5"
    assert session.tick(500) == session  # the first hold waits for the person

    holding = session.next(100.0)
    assert holding.phase is Phase.HOLDING
    assert [holding.countdown_text(t) for t in (100.0, 100.2, 101.0, 103.5, 104.9)] == ["5", "5", "4", "2", "1"]
    assert holding.counter_text() == "Repetition 1 of 2"
    assert holding.tick(104.99).phase is Phase.HOLDING

    resting = holding.tick(105.0)
    assert resting.phase is Phase.RESTING and resting.slot == 1
    assert resting.countdown_text(105.0) == "3" and resting.counter_text() == "Next: repetition 2 of 2"
    assert resting.caption_text() == "Relax and come back to the start"

    second = resting.tick(108.5)  # the rest ran out at 108: the hold started then, not at 108.5
    assert second.phase is Phase.HOLDING and second.since == 108.0
    assert second.countdown_text(108.5) == "5" and second.countdown_text(109.0) == "4"
    assert second.counter_text() == "Repetition 2 of 2"

    done = second.tick(113.0)
    assert done.finished and done.slot == 2
    assert done.counter_text() == "All 2 holds done" and done.caption_text() == "Well done!"
    assert done.remaining(113.0) is None and done.next(114.0) == done


def test_per_side_exercises_alternate_right_and_left_each_repetition():
    session = Session(Dose(hold_seconds=5, repetitions=2, per_side=True)).next(0.0)
    seen, now = [], 0.0
    while not session.finished:
        if session.phase is Phase.HOLDING:
            seen.append((session.repetition, session.side, session.counter_text()))
        if session.phase is Phase.RESTING and session.side == "left":
            assert session.caption_text() == "Relax, then the same to the left"
        now += 0.5
        session = session.tick(now)
    assert seen[0] == (1, "right", "Repetition 1 of 2 · right side")
    assert [(rep, side) for rep, side, _ in dict.fromkeys(seen)] == [
        (1, "right"), (1, "left"), (2, "right"), (2, "left")]
    assert now == 5 * 4 + 3 * 3  # four holds, three rests in between


def test_next_ends_a_hold_early_and_cuts_a_rest_short():
    session = Session(Dose(hold_seconds=10, repetitions=2)).next(0.0)
    resting = session.next(2.0)  # the person had enough after 2 s: that counts, no pushing on
    assert resting.phase is Phase.RESTING and resting.slot == 1 and resting.since == 2.0
    holding = resting.next(3.0)
    assert holding.phase is Phase.HOLDING and holding.since == 3.0 and holding.countdown_text(3.0) == "10"
    assert holding.next_label() == "End hold" and resting.next_label() == "Start now"


def test_a_late_tick_passes_every_hold_and_rest_that_ran_out():
    session = Session(Dose(hold_seconds=5, repetitions=10, per_side=True)).next(0.0)
    # Holds 0-5 (right), 8-13 (left), 16-21 (right); at 22 the rest before rep 2 left.
    late = session.tick(22.0)
    assert (late.phase, late.slot, late.since, late.countdown_text(22.0)) == (Phase.RESTING, 3, 21.0, "2")
    assert late.counter_text() == "Next: repetition 2 of 10 · left side"
    assert session.tick(10_000.0).finished


def test_repetitions_without_a_hold_are_counted_by_the_person():
    session = Session(Dose(hold_seconds=None, repetitions=3))
    assert session.countdown_text(0) == "" and session.next_label() == "Next"
    assert session.caption_text() == "Do one slowly, then press Enter"
    for expected in ("Repetition 2 of 3", "Repetition 3 of 3"):
        session = session.next(0.0)
        assert session.phase is Phase.READY and session.counter_text() == expected
    assert session.next_label() == "Finish"
    assert session.next(0.0).finished
    assert session.tick(1e9) == session  # no clock involved at all


def test_sets_rest_longer_between_them():
    session = Session(Dose(hold_seconds=5, repetitions=1, sets=2)).next(0.0)
    between = session.tick(5.0)
    assert between.phase is Phase.RESTING and between.remaining(5.0) == 30.0
    assert between.caption_text() == "Rest before the next set"
    assert between.counter_text() == "Next: set 2 of 2 · repetition 1 of 1"
    assert between.tick(35.0).phase is Phase.HOLDING and between.tick(35.0).set_number == 2


def test_next_change_is_when_the_shown_second_changes():
    session = Session(Dose(hold_seconds=5, repetitions=1)).next(100.0)
    assert session.next_change(100.0) == 1.0
    assert session.next_change(100.3) == pytest.approx(0.7)
    assert Session(Dose(5, 1)).next_change(100.0) is None  # ready: no timer needed


@pytest.mark.parametrize("exercise", CATALOGUE.exercises, ids=lambda e: e.id)
def test_every_catalogue_exercise_can_be_guided_to_the_end(exercise):
    dose = dose_for(exercise)
    session, presses, now = Session(dose), 0, 0.0
    while not session.finished:
        session, presses, now = session.next(now), presses + 1, now + 1.0
        assert presses <= dose.total * 2 + 2 * dose.sets, "the session never finishes"
    assert session.slot == dose.total
    text = " ".join([session.counter_text(), session.caption_text(), *exercise.cautions])
    for phrase in ("push through", "no pain, no gain", "work through the pain", "ignore the pain"):
        assert phrase not in text.lower()


# ---------------------------------------------------------------- the window, on a real X server

MISSING = missing_programs()


def needs_desktop(test):
    skip = pytest.mark.skipif(bool(MISSING) and not os.environ.get("CI"),
                              reason="the test desktop needs the Debian packages: " + " ".join(MISSING))
    return pytest.mark.desktop(skip(test))


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _start_desktop(root: Path) -> Desktop:
    if MISSING and os.environ.get("CI"):
        pytest.fail("the test desktop needs the Debian packages: " + " ".join(MISSING))
    shown = Desktop(root, tray=False, notifications=False)
    print(f"desktop artifacts: {shown.root}")
    return shown


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    """One X server for every Tk window made in this process. Tk keeps its connection to a
    display after the last window on it is gone, and exits the process (XIO error) when it
    next touches a display whose server was stopped; so this one outlives them all."""
    shown = _start_desktop(tmp_path_factory.mktemp("guide-screen"))
    yield shown
    shown.close()


@pytest.fixture
def desktop(tmp_path):
    """A desktop of its own, for `postured guide` run as a subprocess."""
    shown = _start_desktop(tmp_path / "desktop")
    yield shown
    shown.close()


def notes() -> list[str]:
    texts = {note.id: note.text for note in CATALOGUE.safety}
    return [texts["ease-off-with-pain"], texts["see-a-clinician"]]


@pytest.fixture
def open_window(screen):
    """open_window(exercise_id, dose=None, refuse=None, **options) -> (window, clock, answers)."""
    from postured.guide.window import GuideWindow

    opened = []

    def make(exercise_id="neck-rotation", dose=None, refuse=None, **options):
        exercise = CATALOGUE.by_id(exercise_id)
        answers: list[str] = []

        def answer(verb: str):
            answers.append(verb)
            return refuse

        clock = Clock()
        window = GuideWindow(exercise, dose_for(exercise, dose), answer, notes(), clock=clock,
                             screen=screen.display, **options)
        opened.append(window)
        pump_until(window, window.root.winfo_viewable, "the guide window on screen")
        return window, clock, answers

    yield make
    for window in opened:
        window.close()


def text(widget) -> str:
    return str(widget.cget("text"))


def pump_until(window, condition, what: str, timeout: float = 10):
    def check():
        window.pump()
        return condition()
    return wait_until(check, what, timeout)


def click(desktop, window, widget) -> None:
    """A real mouse click in the middle of ``widget``."""
    window.pump()
    x = widget.winfo_rootx() + widget.winfo_width() // 2
    y = widget.winfo_rooty() + widget.winfo_height() // 2
    # No --sync: it waits for the pointer to move, forever when it is already there.
    desktop.xdotool("mousemove", str(x), str(y), "click", "1")


def key(desktop, window: int | str, name: str) -> None:
    """Give ``window`` the X input focus (what a window manager does on a click), then a real
    key press through XTEST. (Tk ignores `xdotool key --window`: its XSendEvent key events
    reach a Tk window only while that window has the focus anyway.)"""
    desktop.xdotool("windowfocus", "--sync", str(window))
    desktop.xdotool("key", name)


@needs_desktop
def test_the_window_counts_down_and_answers_done(screen, open_window, tmp_path):
    window, clock, answers = open_window(close_after_ms=300)
    assert window.root.title() == "postured — Neck rotation"
    assert text(window.counter) == "Repetition 1 of 10 · right side"
    assert text(window.countdown) == "5" and text(window.next_button) == "Start hold"

    key(screen, window.x_window, "Return")
    pump_until(window, lambda: window.session.phase is Phase.HOLDING, "Enter to start the hold")
    assert window.session.since == 1000.0
    clock.now += 1.2
    window.refresh()
    assert text(window.countdown) == "4" and text(window.next_button) == "End hold"
    clock.now += 3.0
    window.refresh()
    assert text(window.countdown) == "1"
    clock.now += 1.0  # 5.2 s: the hold is over, a rest before the left side
    window.refresh()
    assert text(window.counter) == "Next: repetition 1 of 10 · left side"
    assert text(window.countdown) == "3" and text(window.caption) == "Relax, then the same to the left"
    clock.now += 3.0
    window.refresh()
    assert text(window.counter) == "Repetition 1 of 10 · left side" and text(window.countdown) == "5"  # since 1008
    window.pump()
    shot = screen.screenshot(tmp_path / "guide-window.png")
    print(f"screenshot of the guide window: {shot}")

    click(screen, window, window.buttons["done"])
    pump_until(window, lambda: answers == ["done"], "the Done click")
    assert text(window.message).startswith("Well done")
    assert window.buttons["skip"].instate(["disabled"])
    assert not window.closed  # it says well done first, then closes by itself
    pump_until(window, lambda: window.closed, "the window to close itself")
    assert answers == ["done"]


@needs_desktop
def test_the_window_carries_postureds_icon_class_and_title(screen, open_window):
    from PIL import Image
    from Xlib import X, display as xdisplay

    from postured.resources import icon_path

    window, _clock, _answers = open_window()
    shown = xdisplay.Display(screen.display)
    try:
        wrapper = shown.create_resource_object("window", window.x_window)
        assert wrapper.get_wm_class() == ("postured-guide", "Postured-guide")
        prop = wrapper.get_full_property(shown.intern_atom("_NET_WM_ICON"), X.AnyPropertyType)
    finally:
        shown.close()
    assert prop is not None, "no _NET_WM_ICON: the window manager shows Tk's default icon"
    width, height, *argb = prop.value
    png = Image.open(icon_path("waiting")).convert("RGBA")
    assert (width, height) == png.size
    r, g, b, a = png.getpixel((width // 2, height // 2))
    assert argb[(height // 2) * width + width // 2] & 0xFFFFFFFF == (a << 24) | (r << 16) | (g << 8) | b
    assert window.root.title() == "postured — Neck rotation"


@needs_desktop
def test_escape_closes_without_answering(screen, open_window):
    window, _clock, answers = open_window()
    key(screen, window.x_window, "Escape")
    pump_until(window, lambda: window.closed, "Esc to close the window")
    assert answers == []


@pytest.mark.parametrize("verb", ["skip", "snooze"])
@needs_desktop
def test_skip_and_snooze_answer_and_close(screen, open_window, verb):
    window, _clock, answers = open_window()
    click(screen, window, window.buttons[verb])
    pump_until(window, lambda: window.closed, f"{verb} to close the window")
    assert answers == [verb]


@needs_desktop
def test_alt_letters_press_the_buttons(screen, open_window):
    window, _clock, answers = open_window(close_after_ms=60_000)
    key(screen, window.x_window, "alt+t")
    pump_until(window, lambda: answers == ["too-hard"], "Alt+T for Too hard")
    assert text(window.message).startswith("Noted as too hard")
    key(screen, window.x_window, "alt+d")  # one answer per window: the second press does nothing
    key(screen, window.x_window, "Return")  # after the answer, Enter closes
    pump_until(window, lambda: window.closed, "Enter to close after the answer")
    assert answers == ["too-hard"]


@needs_desktop
def test_every_text_of_the_window_comes_through_gettext(screen):
    """With the pseudo-language, every word on the window (its own and the catalogue's) is wrapped."""
    from pseudo_locale import pseudo_language, wrapped

    from postured.guide.window import GuideWindow

    def texts(widget):
        for child in widget.winfo_children():
            if "text" in child.keys():
                yield text(child)
            yield from texts(child)

    with pseudo_language():
        catalogue = load_catalogue()
        notes = [note.text for note in catalogue.safety if note.id in ("ease-off-with-pain", "see-a-clinician")]
        exercise = catalogue.by_id("neck-rotation")
        window = GuideWindow(exercise, dose_for(exercise), lambda verb: None, notes, clock=Clock(),
                             screen=screen.display)
        try:
            pump_until(window, window.root.winfo_viewable, "the guide window on screen")
            shown = [*texts(window.root), window.root.title()]
            window.hurts()  # the note that replaces the session, and its hint
            window.pump()
            shown += list(texts(window.root))
        finally:
            window.close()
    words = [t for t in shown if t and not t.rstrip(".").isdigit() and t not in ("•", "✓")]
    assert len(words) > 15 and "‹Take care›" in words and "‹This hurts›" in words
    assert [t for t in words if not wrapped(t)] == []


@needs_desktop
def test_the_warning_signs_are_on_screen_before_anything_hurts(screen, open_window, tmp_path):
    window, _clock, _answers = open_window("levator-scapulae-stretch")

    def texts(widget):
        for child in widget.winfo_children():
            if "text" in child.keys():
                yield child, text(child)
            yield from texts(child)

    window.pump()
    signs = [w for w, label in texts(window.root)
             if "tingling or numbness" in label and "one to two weeks" in label and w.winfo_ismapped()]
    assert len(signs) == 1
    # Within the window and not cut off: its whole height is inside the toplevel.
    window.pump()
    top, bottom = signs[0].winfo_rooty(), signs[0].winfo_rooty() + signs[0].winfo_height()
    assert window.root.winfo_rooty() <= top and bottom <= window.root.winfo_rooty() + window.root.winfo_height()
    print(f"screenshot: {screen.screenshot(tmp_path / 'guide-warning-signs.png')}")


@needs_desktop
def test_this_hurts_shows_the_safety_notes_and_closes_on_enter(screen, open_window, tmp_path):
    window, _clock, answers = open_window("chin-tuck")
    click(screen, window, window.buttons["hurts"])
    pump_until(window, lambda: answers == ["hurts"], "the This hurts click")
    pump_until(window, lambda: window.note_frame.winfo_ismapped(), "the safety note")
    shown = " ".join(text(w) for w in window.note_frame.winfo_children() if "text" in w.keys())
    assert "ease off as soon as it starts to hurt" in shown and "See your doctor" in shown
    assert not window.session_frame.winfo_ismapped() and not window.answers.winfo_ismapped()
    shot = screen.screenshot(tmp_path / "guide-hurts.png")
    print(f"screenshot of the safety note: {shot}")
    assert not window.closed  # time to read it
    key(screen, window.x_window, "Return")
    pump_until(window, lambda: window.closed, "Enter to close the note")
    assert answers == ["hurts"]


@needs_desktop
def test_the_last_hold_ending_answers_done_by_itself(screen, open_window):
    window, clock, answers = open_window("chin-tuck", dose={"hold_seconds": 2, "repetitions": 1},
                                         close_after_ms=200)
    assert text(window.counter) == "Repetition 1 of 1"
    click(screen, window, window.next_button)
    pump_until(window, lambda: window.session.phase is Phase.HOLDING, "the Start hold click")
    clock.now += 2.0
    window.refresh()
    assert answers == ["done"] and text(window.caption) == "Well done!"
    pump_until(window, lambda: window.closed, "the window to close itself")


@needs_desktop
def test_with_the_real_clock_tk_timers_run_the_countdown(screen, open_window):
    """The one test on real time: Tk's `after` wakes the window when the shown second changes."""
    import time

    window, _clock, answers = open_window("chin-tuck", dose={"hold_seconds": 2, "repetitions": 1},
                                         close_after_ms=100)
    window._clock = time.monotonic  # what `postured guide` uses
    shown = []
    click(screen, window, window.next_button)
    pump_until(window, lambda: window.closed or shown.append(text(window.countdown)), "the hold to run out", 10)
    assert answers == ["done"]
    assert ["2", "1", "✓"] == list(dict.fromkeys(shown))


@needs_desktop
def test_a_refused_answer_is_shown_and_the_window_stays(screen, open_window):
    window, _clock, answers = open_window(refuse="nothing is due right now")
    click(screen, window, window.buttons["skip"])
    pump_until(window, lambda: text(window.message) == "nothing is due right now", "the refusal shown")
    assert answers == ["skip"] and not window.closed and window.answered is None
    assert not window.buttons["done"].instate(["disabled"])


@needs_desktop
def test_when_done_is_refused_at_the_end_enter_still_closes(screen, open_window):
    window, clock, answers = open_window("neck-press", refuse="nothing is due right now")  # once, untimed
    key(screen, window.x_window, "Return")
    pump_until(window, lambda: answers == ["done"], "Enter to finish and answer done")
    assert window.session.finished and text(window.message) == "nothing is due right now"
    key(screen, window.x_window, "Return")
    pump_until(window, lambda: window.closed, "Enter to close")


def set_user_time(display: str, inner_window: int, fresh: bool) -> None:
    """_NET_WM_USER_TIME on a Tk toplevel's wrapper: the X server's time now (a window the
    user just launched), read from a PropertyNotify, as a launcher would set it."""
    from Xlib import X, Xatom, display as xdisplay

    shown = xdisplay.Display(display)
    try:
        wrapper = shown.create_resource_object("window", inner_window).query_tree().parent
        wrapper.change_attributes(event_mask=X.PropertyChangeMask)
        atom = shown.intern_atom("_NET_WM_USER_TIME")
        wrapper.change_property(shown.intern_atom("_POSTURED_TEST"), Xatom.STRING, 8, b"now")
        while True:
            event = shown.next_event()
            if event.type == X.PropertyNotify:
                break
        wrapper.change_property(atom, Xatom.CARDINAL, 32, [event.time if fresh else 0])
        shown.sync()
    finally:
        shown.close()


@needs_desktop
def test_the_window_does_not_take_the_focus_from_someone_typing(screen, open_window):
    import tkinter as tk

    def settled(*apps, condition, what: str):
        """Wait until ``condition()``, letting the Tk apps handle their events meanwhile."""
        def check():
            for app in apps:
                app.update()
            return condition()
        return wait_until(check, what, 10)

    def active() -> str:
        return screen.xdotool("getactivewindow").strip()

    def activate(window: str) -> bool:
        # Asked again until it holds: openbox, just started, was seen to drop the first request.
        if active() == window:
            return True
        screen.xdotool("windowactivate", window)
        return False

    screen.start_window_manager()
    editor = None
    try:
        editor = tk.Tk(screenName=screen.display, className="editor")
        typed = tk.Text(editor, width=40, height=5)
        typed.pack()
        settled(editor, condition=lambda: screen.windows("editor"), what="the editor window")
        editor_window = screen.windows("editor")[0]
        settled(editor, condition=lambda: activate(editor_window), what="the editor to be active")
        typed.focus_set()

        # Control: a window that says a person just launched it (a fresh _NET_WM_USER_TIME, as
        # a launcher sets it) does take the focus under openbox, so the check below can fail.
        plain = tk.Tk(screenName=screen.display, className="plain")
        plain.withdraw()
        plain.update_idletasks()
        set_user_time(screen.display, plain.winfo_id(), fresh=True)
        plain.deiconify()
        settled(plain, editor, condition=lambda: active() in screen.windows("plain"),
                what="openbox to focus a window launched just now")
        plain.destroy()
        settled(editor, condition=lambda: activate(editor_window), what="the editor to be active again")

        window, _clock, _answers = open_window()  # waits until it is on screen (mapped by openbox)
        settled(window.root, editor, condition=window.root.winfo_viewable, what="the guide on screen")
        assert active() == editor_window
        screen.xdotool("type", "--delay", "20", "hello")
        screen.xdotool("key", "Return")
        settled(window.root, editor, condition=lambda: typed.get("1.0", "end").startswith("hello\n"),
                what="the typing to reach the editor")
        assert window.session.phase is Phase.READY  # Enter went to the editor, not to the guide

        # A click into the guide gives it the keyboard; then Enter works there.
        click(screen, window, window.countdown)
        settled(window.root, editor, condition=lambda: active() == str(window.x_window),
                what="the guide to be active after a click")
        screen.xdotool("key", "Return")
        settled(window.root, condition=lambda: window.session.phase is Phase.HOLDING,
                what="Enter typed into the guide to start the hold")
    finally:
        if editor is not None:
            editor.destroy()
        screen.stop("openbox")  # the other tests share this display: leave it as it was


# ---------------------------------------------------------------- `postured guide`, end to end


def shown_guide(desktop) -> list[str]:
    """The guide's window once mapped (its wrapper exists, withdrawn, a moment before)."""
    return desktop.xdotool("search", "--onlyvisible", "--class", "postured-guide").split()


def guide(env, *args, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "postured", "guide", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


def test_guide_without_a_daemon_or_display_says_so(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "XDG_RUNTIME_DIR": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    proc = guide(env)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3 and err.startswith("postured: not running") and "Traceback" not in err

    proc = guide(env, "--exercise", "no-such-thing")
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "no exercise 'no-such-thing'" in err and "Traceback" not in err

    proc = guide(env, "--exercise", "chin-tuck")  # no DISPLAY
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "cannot open the exercise window" in err and "Traceback" not in err


@needs_desktop
def test_try_out_mode_prints_the_answer(desktop):
    proc = guide(desktop.env, "--exercise", "chin-tuck")
    try:
        window = wait_until(lambda: shown_guide(desktop), "the guide window on screen", 20)[0]
        assert desktop.xdotool("getwindowname", window).strip() == "postured — Chin tuck"
        key(desktop, window, "alt+k")
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0 and out == "skip\n" and err == ""


@needs_desktop
def test_guide_answers_the_running_daemon(desktop, tmp_path):
    daemon = Daemon(tmp_path / "daemon", desktop.env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"),
                    extra_env={"POSTURED_NOTIFIER": "null"})
    socket = Path(desktop.env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock"
    try:
        wait_until(lambda: socket.exists() or daemon.proc.poll() is not None, "the control socket", 20)

        nothing_due = guide(daemon.env)
        _out, err = nothing_due.communicate(timeout=30)
        assert nothing_due.returncode == 1 and "no break is due" in err

        cli = [sys.executable, "-m", "postured"]
        subprocess.run([*cli, "break-now"], env=daemon.env, check=True, capture_output=True, timeout=30)
        status = json.loads(subprocess.run([*cli, "status", "--json"], env=daemon.env, check=True,
                                           capture_output=True, text=True, timeout=30).stdout)
        proc = guide(daemon.env)
        try:
            window = wait_until(lambda: shown_guide(desktop), "the guide window on screen", 20)[0]
            assert desktop.xdotool("getwindowname", window).strip() == f"postured — {status['exercise']['name']}"
            desktop.screenshot(tmp_path / "guide-end-to-end.png")
            key(desktop, window, "alt+d")  # Done
            daemon.wait_for_event("done")
            assert proc.wait(15) == 0  # it closes itself after "well done"
        finally:
            proc.kill()
        assert daemon.events() == [("shown", status["exercise"]["id"], "cli"),
                                   ("done", status["exercise"]["id"], "guide")]  # the window answered
        assert "Traceback" not in proc.stderr.read()
    finally:
        daemon.stop()


@needs_desktop
def test_the_window_shows_the_figure_moving_with_the_count(screen, open_window, tmp_path):
    """The canvas draws the exercise's figure (a screenshot of it is not blank); as the hold
    starts it moves into the held pose and stays; no frame is booked while it stands still."""
    from PIL import Image, ImageChops

    from postured.guide.motion import MOVE_SECONDS
    from postured.pictures.cache import figures

    figure = figures()["chin-tuck"]
    window, clock, _answers = open_window("chin-tuck", close_after_ms=300)
    canvas = window.canvas

    def canvas_shot(name: str) -> Image.Image:
        window.pump()
        shot = Image.open(screen.screenshot(tmp_path / name)).convert("L")
        x, y = canvas.winfo_rootx(), canvas.winfo_rooty()
        return shot.crop((x, y, x + canvas.winfo_width(), y + canvas.winfo_height()))

    assert window.shown_pose == figure.start and window._frame_timer is None
    start = canvas_shot("guide-figure-start.png")
    dark = sum(start.histogram()[:110]) / (start.width * start.height)
    assert dark > 0.04, f"the figure's canvas is nearly blank ({dark:.1%} dark)"

    window.next()  # the hold starts: the figure moves
    assert window._frame_timer is not None
    clock.now += MOVE_SECONDS / 2
    window.refresh()
    assert window.shown_pose not in (figure.start, figure.end())
    clock.now += MOVE_SECONDS / 2
    window.refresh()
    assert window.shown_pose == figure.end() and window._frame_timer is None  # held: no frames
    held = canvas_shot("guide-figure-held.png")
    moved = sum(ImageChops.difference(start, held).histogram()[41:])
    assert moved > 200, "the figure on screen did not move into the held pose"
    print(f"screenshots of the figure: {tmp_path}")
    window.next()  # end the hold early: it moves back out, frames booked ...
    assert window._frame_timer is not None
    window.close()  # ... and none once the window is closed
    assert window.closed and window._frame_timer is None
