"""The guided exercise window (Tk): steps, cautions, a countdown per hold, the answers.

It only shows a Session (postured.guide.session) and passes the person's answer to the
``answer`` callback (the daemon's control verbs, or a print in try-out mode). The clock
is injected: real use passes time.monotonic and lets Tk's ``after`` wake it when the
shown second changes; tests pass their own clock and call ``refresh``.

Focus: the window never takes the keyboard by itself (no focus_force). On X11 it is
mapped with _NET_WM_USER_TIME = 0, which tells an EWMH window manager "not opened by a
user action: do not focus it", so an Enter typed into an editor at that moment stays
there. The person clicks into the window (or its buttons) to use it. It is also typed
as a dialog, so tiling window managers float it instead of re-tiling the screen.
"""

from __future__ import annotations

import sys
import time
import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

from postured.guide.motion import pose_at
from postured.i18n import N_, _, ngettext
from postured.guide.session import Dose, Phase, Session
from postured.pictures import tk_painter
from postured.pictures.cache import figure_for
from postured.pictures.draw import figure_bounds, fitted, frame
from postured.pictures.model import Figure

FIGURE_PX = 180  # the animated figure's square
WRAP = 620  # px: the width text wraps at; the window is about 670 px wide, under 768 px tall
CLOSE_AFTER_MS = 1500  # "well done" stays this long before the window closes itself
# Always in the cautions box, after the exercise's own (catalogue note see-a-clinician, shortened).
STOP_IF_IT_HURTS = N_("Stop if it hurts. Move slowly and gently.")
WARNING_SIGNS = N_("See a doctor or other health professional if pain lasts beyond one to two weeks, "
                   "or with tingling or numbness in an arm or a loss of coordination.")
NOTE_CLOSE_AFTER_MS = 120_000  # the safety note after "This hurts": time enough to read it

BACKGROUND = "#f7f7f5"
CAUTION_BACKGROUND = "#fff3dc"
CAUTION_BORDER = "#d9a441"
MUTED = "#555555"
ERROR = "#a01818"

Answer = Callable[[str], "str | None"]  # verb -> None when accepted, else why not


class GuideWindow:
    def __init__(self, exercise: Any, dose: Dose, answer: Answer, hurts_notes: list[str],
                 clock: Callable[[], float] = time.monotonic, screen: str | None = None,
                 close_after_ms: int = CLOSE_AFTER_MS, note_close_after_ms: int = NOTE_CLOSE_AFTER_MS,
                 figure: Figure | None = None):
        self.exercise = exercise
        self.session = Session(dose)
        self._answer_to = answer
        self._hurts_notes = hurts_notes
        self._clock = clock
        self._close_after_ms = close_after_ms
        self._note_close_after_ms = note_close_after_ms
        self._timer: str | None = None
        self._frame_timer: str | None = None  # the animation's next frame, only while it moves
        self._closing: str | None = None
        self.figure = figure if figure is not None else figure_for(exercise)
        self._figure_box = figure_bounds(self.figure)  # zoomed to its poses, the same for every frame
        self.shown_pose = None
        self.answered: str | None = None  # the verb the daemon accepted
        self.closed = False
        self.x_window: int | None = None  # Tk's wrapper: what the window manager (and xdotool) sees

        self.root = tk.Tk(screenName=screen, className="postured-guide")
        self.root.withdraw()  # built and marked unfocusable before it is ever mapped
        # Translators: the guide window's title; {name} is the exercise's name.
        self.root.title(_("postured — {name}").format(name=exercise.name))
        self._set_icon()
        self.root.configure(background=BACKGROUND)
        self.root.resizable(False, False)  # it sizes itself to its text
        self.root.minsize(WRAP + 48, 1)  # the same width for every exercise
        self.root.protocol("WM_DELETE_WINDOW", self.escape)
        self._fonts()
        self._build()
        self.root.bind("<Return>", lambda _e: self.enter())
        self.root.bind("<KP_Enter>", lambda _e: self.enter())
        self.root.bind("<Escape>", lambda _e: self.escape())
        self.render()
        self._show_without_focus()

    # ------------------------------------------------------------ building

    def _fonts(self) -> None:
        family = tkfont.nametofont("TkDefaultFont").actual("family")
        self.font_body = tkfont.Font(self.root, family=family, size=11)
        self.font_small = tkfont.Font(self.root, family=family, size=10)
        self.font_bold = tkfont.Font(self.root, family=family, size=11, weight="bold")
        self.font_title = tkfont.Font(self.root, family=family, size=17, weight="bold")
        self.font_count = tkfont.Font(self.root, family=family, size=46, weight="bold")
        style = ttk.Style(self.root)
        if "clam" in style.theme_names():
            style.theme_use("clam")
        style.configure("TButton", font=self.font_body, padding=(10, 5), width=-8)  # at least 8 characters wide
        style.configure("Next.TButton", font=self.font_bold, padding=(16, 8))
        style.configure("TFrame", background=BACKGROUND)

    def _label(self, parent, text="", font=None, color="#1a1a1a", background=BACKGROUND, wrap=WRAP) -> tk.Label:
        """Left-aligned text that wraps, for the steps, cautions and notes."""
        return tk.Label(parent, text=text, font=font or self.font_body, fg=color, bg=background,
                        justify="left", anchor="w", wraplength=wrap)

    def _build(self) -> None:
        exercise = self.exercise
        outer = tk.Frame(self.root, bg=BACKGROUND, padx=24, pady=14)
        outer.pack(fill="both", expand=True)
        self._label(outer, exercise.name, self.font_title).pack(fill="x")
        if getattr(exercise, "purpose", ""):
            self._label(outer, exercise.purpose, self.font_small, MUTED).pack(fill="x", pady=(2, 0))
        self.dose_label = self._label(outer, _dose_text(self.session.dose), self.font_bold)
        self.dose_label.pack(fill="x", pady=(8, 6))

        steps = tk.Frame(outer, bg=BACKGROUND)
        steps.pack(fill="x")
        for number, step in enumerate(exercise.steps, start=1):
            tk.Label(steps, text=f"{number}.", font=self.font_body, bg=BACKGROUND, anchor="ne").grid(
                row=number, column=0, sticky="ne", padx=(0, 6))
            self._label(steps, step, wrap=WRAP - 28).grid(row=number, column=1, sticky="w", pady=1)

        # The cautions are always on screen, whatever else changes below.
        cautions = tk.Frame(outer, bg=CAUTION_BACKGROUND, highlightthickness=1,
                            highlightbackground=CAUTION_BORDER, padx=12, pady=8)
        cautions.pack(fill="x", pady=(12, 0))
        self._label(cautions, _("Take care"), self.font_bold, background=CAUTION_BACKGROUND).grid(
            row=0, column=0, columnspan=2, sticky="w")
        for row, caution in enumerate([*exercise.cautions, _(STOP_IF_IT_HURTS), _(WARNING_SIGNS)], start=1):
            tk.Label(cautions, text="•", font=self.font_body, bg=CAUTION_BACKGROUND).grid(
                row=row, column=0, sticky="n", padx=(0, 6))
            self._label(cautions, caution, background=CAUTION_BACKGROUND, wrap=WRAP - 44).grid(
                row=row, column=1, sticky="w", pady=1)

        # The part that changes: the session (counter, countdown) or, after "This hurts", the note.
        self.session_frame = tk.Frame(outer, bg=BACKGROUND)
        self.session_frame.pack(fill="x", pady=(10, 0))
        # The figure doing the exercise, moving with the count (postured.guide.motion).
        self.canvas = tk.Canvas(self.session_frame, width=FIGURE_PX, height=FIGURE_PX, bg=BACKGROUND,
                                highlightthickness=0)
        self.canvas.pack(side="left", padx=(0, 12))
        column = tk.Frame(self.session_frame, bg=BACKGROUND)
        column.pack(side="left", fill="x", expand=True)
        self.counter = tk.Label(column, font=self.font_bold, bg=BACKGROUND)
        self.counter.pack()
        self.countdown = tk.Label(column, font=self.font_count, bg=BACKGROUND, fg="#1f5f8b")
        if self.session.timed:  # repetitions the person counts have no countdown
            self.countdown.pack()
        self.caption = tk.Label(column, font=self.font_body, bg=BACKGROUND, fg=MUTED,
                                wraplength=WRAP - FIGURE_PX - 12)
        self.caption.pack()
        self.next_button = ttk.Button(column, style="Next.TButton", command=self.next)
        self.next_button.pack(pady=(6, 0))

        self.note_frame = tk.Frame(outer, bg=BACKGROUND)
        self._label(self.note_frame, _("Stop this exercise for now."), self.font_bold).pack(fill="x", pady=(0, 6))
        for note in self._hurts_notes:
            self._label(self.note_frame, note).pack(fill="x", pady=(0, 6))
        ttk.Button(self.note_frame, text=_("Close"), style="Next.TButton", command=self.close).pack(pady=(6, 0))

        self.message = self._label(outer, "", self.font_body, ERROR)
        self.message.configure(anchor="center", justify="center")
        self.message.pack(fill="x", pady=(8, 0))

        self.answers = tk.Frame(outer, bg=BACKGROUND)
        self.answers.pack(pady=(6, 0))
        self.buttons: dict[str, ttk.Button] = {}
        # (verb, label, the letter that Alt+letter presses, action). The keys stay the same in
        # every language; the letter is underlined where the translated label has it.
        # Translators: the guide window's answer buttons.
        for verb, label, key, action in (("done", N_("Done"), "d", self.done),
                                         ("snooze", N_("Snooze"), "s", self.snooze),
                                         ("skip", N_("Skip"), "k", self.skip),
                                         ("too-hard", N_("Too hard"), "t", self.too_hard),
                                         ("hurts", N_("This hurts"), "h", self.hurts)):
            text = _(label)
            button = ttk.Button(self.answers, text=text, command=action, underline=text.lower().rfind(key))
            button.pack(side="left", padx=3)
            self.buttons[verb] = button
            self.root.bind(f"<Alt-{key}>", lambda _e, b=button: b.invoke())
        self.hint = self._label(outer, _("Enter: next  ·  Esc: close (the break stays due)"), self.font_small, MUTED)
        self.hint.configure(anchor="center", justify="center")
        self.hint.pack(fill="x", pady=(8, 0))

    def _set_icon(self) -> None:
        # postured's own icon in the title bar, task bar and Alt+Tab, not Tk's feather.
        from postured.resources import icon_path

        try:
            self._icon = tk.PhotoImage(master=self.root, file=str(icon_path("waiting")))
            self.root.iconphoto(True, self._icon)
        except tk.TclError:  # a broken install: Tk's own icon is no reason to fail
            pass

    def _show_without_focus(self) -> None:
        self.root.update_idletasks()
        if self.root._windowingsystem == "x11":
            try:
                self.root.attributes("-type", "dialog")
            except tk.TclError:
                pass
            self.x_window = _set_user_time_zero(self.root)
        self.root.deiconify()

    # ------------------------------------------------------------ showing

    def render(self) -> None:
        now = self._clock()
        session = self.session
        self.counter.configure(text=session.counter_text())
        self.countdown.configure(text=session.countdown_text(now))
        self.caption.configure(text=session.caption_text())
        self.next_button.configure(text=session.next_label())
        self._draw_figure(now)

    def _draw_figure(self, now: float) -> None:
        """Draw the pose of this moment; while it moves, the next frame is booked."""
        if self._frame_timer is not None:
            self.root.after_cancel(self._frame_timer)
            self._frame_timer = None
        if self.closed:
            return
        pose, next_in = pose_at(self.figure, self.session, now)
        self.shown_pose = pose
        tk_painter.paint(self.canvas, fitted(frame(self.figure, pose), 0.06, self._figure_box), FIGURE_PX)
        if next_in is not None and not self.answered:
            self._frame_timer = self.root.after(max(15, int(next_in * 1000)), self._on_frame)

    def _on_frame(self) -> None:
        self._frame_timer = None
        self._draw_figure(self._clock())

    def refresh(self) -> None:
        """Read the clock, let the session move on, redraw; at the end, answer done."""
        if self.closed:
            return
        self.session = self.session.tick(self._clock())
        self.render()
        if self.session.finished and self.answered is None and self._closing is None:
            self.done()
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self.root.after_cancel(self._timer)
            self._timer = None
        delay = self.session.next_change(self._clock())
        if delay is not None and not self.closed:
            # A few ms late rather than early, so the second has surely changed.
            self._timer = self.root.after(max(20, int(delay * 1000) + 10), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        before = self.session.phase
        self.refresh()
        if before is Phase.HOLDING and self.session.phase is not Phase.HOLDING:
            self.root.bell()  # the hold is over: a cue for someone looking over a shoulder

    def _say(self, text: str, color: str = ERROR) -> None:
        self.message.configure(text=text, fg=color)

    # ------------------------------------------------------------ the person's actions

    def next(self) -> None:
        """Enter or the Next button: start the hold, end it, skip the rest, count a repetition."""
        if self.closed or self.answered:
            return
        self.session = self.session.next(self._clock())
        self.refresh()

    def enter(self) -> None:
        if self.answered or self._closing or self.session.finished:
            self.close()
        else:
            self.next()

    def escape(self) -> None:
        """Close without answering: the break stays due."""
        self.close()

    def done(self) -> None:
        if self._send("done"):
            self.session = Session(self.session.dose, phase=Phase.FINISHED, slot=self.session.dose.total)
            self.render()
            self.caption.configure(text=_("Well done!"))
            self._say(_("Well done — see you at the next break."), "#1d6b2f")
            self._close_soon(self._close_after_ms)

    def too_hard(self) -> None:
        if self._send("too-hard"):
            self._say(_("Noted as too hard. Thank you for doing what felt right."), "#1d6b2f")
            self._close_soon(self._close_after_ms)

    def skip(self) -> None:
        if self._send("skip"):
            self.close()

    def snooze(self) -> None:
        if self._send("snooze"):
            self.close()

    def hurts(self) -> None:
        if self._send("hurts"):
            self.session_frame.pack_forget()
            self.note_frame.pack(fill="x", pady=(14, 0), before=self.message)
            self.answers.pack_forget()
            self.hint.configure(text=_("Enter or Esc: close"))
            self._close_soon(self._note_close_after_ms)

    def _send(self, verb: str) -> bool:
        if self.closed or self.answered:
            return False
        error = self._answer_to(verb)
        if error:
            self._say(error)
            return False
        self.answered = verb
        if self._timer is not None:
            self.root.after_cancel(self._timer)
            self._timer = None
        if self._frame_timer is not None:  # answered: the figure stops where it is
            self.root.after_cancel(self._frame_timer)
            self._frame_timer = None
        for button in self.buttons.values():
            button.state(["disabled"])
        self.next_button.state(["disabled"])
        return True

    def _close_soon(self, delay_ms: int) -> None:
        self._closing = self.root.after(delay_ms, self.close)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for pending in (self._timer, self._closing, self._frame_timer):
            if pending is not None:
                self.root.after_cancel(pending)
        self._frame_timer = None  # no frames for a closed window
        self.root.destroy()

    # ------------------------------------------------------------ running

    def run(self) -> None:
        self._schedule()
        self.root.mainloop()

    def pump(self) -> None:
        """Process pending Tk events once (tests use it instead of mainloop)."""
        if not self.closed:
            self.root.update()


def _dose_text(dose: Dose) -> str:
    parts = []
    if dose.hold_seconds:
        # Translators: parts of the guide window's dose line, joined with " · "; "s" is seconds.
        parts.append(_("Hold {count} s").format(count=dose.hold_seconds))
    if dose.repetitions > 1:
        parts.append(ngettext("{count} time", "{count} times", dose.repetitions).format(count=dose.repetitions))
    if dose.per_side:
        parts.append(_("each side"))
    if dose.sets > 1:
        parts.append(ngettext("{count} set", "{count} sets", dose.sets).format(count=dose.sets))
    return " · ".join(parts) or _("Once, slowly")


def _set_user_time_zero(root: tk.Tk) -> int | None:
    """_NET_WM_USER_TIME = 0 on Tk's wrapper window (the one the window manager manages; it
    exists once the withdrawn toplevel went through update_idletasks): EWMH window managers
    then map it without focus. Returns the wrapper's X id."""
    try:
        from Xlib import X, Xatom, display as xdisplay

        shown = xdisplay.Display(root.winfo_screen())
        try:
            inner = shown.create_resource_object("window", root.winfo_id())
            wrapper = inner.query_tree().parent
            wrapper.change_property(shown.intern_atom("_NET_WM_USER_TIME"), Xatom.CARDINAL, 32, [0],
                                    X.PropModeReplace)
            shown.sync()
            return wrapper.id
        finally:
            shown.close()
    except Exception as exc:  # no python-xlib, or an odd display: the window still works
        print(f"postured: could not ask the window manager to leave the focus alone: {exc}", file=sys.stderr)
        return None
