"""One guided exercise as a state machine: repetitions (× sides), a countdown per hold.

Pure: standard library only, no Tk, never reads the clock. Every method that needs the
time takes ``now``, monotonic seconds from whatever clock the caller uses, and returns a
new Session (the old one is unchanged).

    ready    --next-->                 holding (timed) / the repetition counts (untimed)
    holding  --hold time passes-->     resting (more to do) / finished
    holding  --next (end it early)-->  the same as when the time is up
    resting  --rest time passes-->     holding (timed) / ready (untimed)
    resting  --next-->                 holding / ready at once

The first hold waits for the person (they read the steps and get into position first);
after that each rest runs into the next hold by itself, so nobody has to watch the screen
while the head is turned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from postured.i18n import _, ngettext

REST_SECONDS = 3.0  # back to the start position between holds (and between sides)
SET_REST_SECONDS = 30.0  # the catalogue's advice: about 30-60 s between sets
SIDES = ("right", "left")  # the catalogue's steps begin on the right


@dataclass(frozen=True)
class Dose:
    hold_seconds: int | None = None  # None: no hold, the person counts each repetition
    repetitions: int = 1
    sets: int = 1
    per_side: bool = False

    @property
    def sides(self) -> tuple[str | None, ...]:
        return SIDES if self.per_side else (None,)

    @property
    def per_set(self) -> int:
        return self.repetitions * len(self.sides)

    @property
    def total(self) -> int:
        """Holds (or counted repetitions) in the whole session, both sides and all sets."""
        return self.sets * self.per_set


def _low(value) -> int | None:
    """The low end of a catalogue amount: 5, (5, 10) or None."""
    if isinstance(value, (tuple, list)):
        value = value[0] if value else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def dose_for(exercise: Any, chosen: dict | None = None) -> Dose:
    """Today's dose: ``chosen`` (e.g. the daemon's {"hold_seconds": 5, "repetitions": 6})
    where it gives a usable whole number, else the low end of the catalogue's range."""
    chosen = chosen if isinstance(chosen, dict) else {}

    def pick(key: str) -> int | None:
        return _low(chosen.get(key)) or _low(getattr(exercise, key, None))

    return Dose(
        hold_seconds=pick("hold_seconds"),
        repetitions=pick("repetitions") or 1,
        sets=pick("sets") or 1,
        per_side=bool(getattr(exercise, "per_side", False)),
    )


class Phase(StrEnum):
    READY = "ready"
    HOLDING = "holding"
    RESTING = "resting"
    FINISHED = "finished"


@dataclass(frozen=True)
class Session:
    dose: Dose
    phase: Phase = Phase.READY
    slot: int = 0  # holds (or counted repetitions) completed so far; the current one is slot + 1
    since: float | None = None  # when the current hold or rest began
    rest_seconds: float = REST_SECONDS
    set_rest_seconds: float = SET_REST_SECONDS

    # ------------------------------------------------------------ where we are

    @property
    def timed(self) -> bool:
        return self.dose.hold_seconds is not None

    @property
    def finished(self) -> bool:
        return self.phase is Phase.FINISHED

    @property
    def set_number(self) -> int:
        return min(self.slot, self.dose.total - 1) // self.dose.per_set + 1

    @property
    def repetition(self) -> int:
        return min(self.slot, self.dose.total - 1) % self.dose.per_set // len(self.dose.sides) + 1

    @property
    def side(self) -> str | None:
        return self.dose.sides[min(self.slot, self.dose.total - 1) % len(self.dose.sides)]

    def _length(self) -> float:
        if self.phase is Phase.HOLDING:
            return float(self.dose.hold_seconds or 0)
        if self.phase is Phase.RESTING:
            return self.set_rest_seconds if self._new_set() else self.rest_seconds
        return 0.0

    def _new_set(self) -> bool:
        return 0 < self.slot < self.dose.total and self.slot % self.dose.per_set == 0

    def remaining(self, now: float) -> float | None:
        """Seconds left in the current hold or rest; None when nothing is counting down."""
        if self.phase not in (Phase.HOLDING, Phase.RESTING) or self.since is None:
            return None
        return max(0.0, self.since + self._length() - now)

    def next_change(self, now: float) -> float | None:
        """Seconds until the whole-second countdown shown can change (for a UI timer)."""
        left = self.remaining(now)
        if left is None:
            return None
        fraction = left - math.floor(left)
        return fraction if fraction > 0 else min(1.0, left)

    # ------------------------------------------------------------ moving on

    def tick(self, now: float) -> Session:
        """Let time pass: holds and rests that have run out end (several, if ``now`` is late)."""
        session = self
        while session.phase in (Phase.HOLDING, Phase.RESTING):
            end = session.since + session._length()
            if now < end:
                break
            session = session._hold_over(end) if session.phase is Phase.HOLDING else session._rest_over(end)
        return session

    def next(self, now: float) -> Session:
        """Enter / the Next button: start the hold, end it early, cut the rest short, count a rep."""
        session = self.tick(now)
        if session.phase is Phase.READY:
            if session.timed:
                return replace(session, phase=Phase.HOLDING, since=now)
            return session._hold_over(now)
        if session.phase is Phase.HOLDING:
            return session._hold_over(now)
        if session.phase is Phase.RESTING:
            return session._rest_over(now)
        return session

    def _hold_over(self, at: float) -> Session:
        done = self.slot + 1
        if done >= self.dose.total:
            return replace(self, phase=Phase.FINISHED, slot=self.dose.total, since=None)
        resting = replace(self, phase=Phase.RESTING, slot=done, since=at)
        if not self.timed and not resting._new_set():
            return replace(resting, phase=Phase.READY, since=None)  # untimed: the person paces it
        return resting

    def _rest_over(self, at: float) -> Session:
        if self.timed:
            return replace(self, phase=Phase.HOLDING, since=at)
        return replace(self, phase=Phase.READY, since=None)

    # ------------------------------------------------------------ words

    def counter_text(self) -> str:
        """'Set 1 of 2 · Repetition 3 of 10 · right side'."""
        dose = self.dose
        if self.finished:
            if dose.total == 1:
                return _("All done")
            if self.timed:
                return ngettext("All {count} hold done", "All {count} holds done", dose.total).format(count=dose.total)
            return ngettext("All {count} repetition done", "All {count} repetitions done",
                            dose.total).format(count=dose.total)
        if dose.total == 1 and not self.timed:
            return _("Once, slowly")
        parts = []
        if dose.sets > 1:
            # Translators: parts of the guide's counter line, joined with " · " ("Set 1 of 2 ·
            # Repetition 3 of 10 · right side"); the line's first letter is made a capital.
            parts.append(_("set {number} of {count}").format(number=self.set_number, count=dose.sets))
        parts.append(_("repetition {number} of {count}").format(number=self.repetition, count=dose.repetitions))
        if self.side:
            parts.append(_("right side") if self.side == "right" else _("left side"))
        text = " · ".join(parts)
        # Translators: {next} is the counter line of the repetition that comes after the rest.
        return _("Next: {next}").format(next=text) if self.phase is Phase.RESTING else text[:1].upper() + text[1:]

    def countdown_text(self, now: float) -> str:
        """The big number: whole seconds left (rounded up), or the hold to come."""
        left = self.remaining(now)
        if left is not None:
            return str(math.ceil(left))
        if self.phase is Phase.READY and self.timed:
            return str(self.dose.hold_seconds)
        if self.phase is Phase.FINISHED:
            return "✓"
        return ""

    def caption_text(self) -> str:
        """The line under the countdown: what to do now."""
        if self.phase is Phase.HOLDING:
            return _("Hold gently; ease off if it hurts")
        if self.phase is Phase.RESTING:
            if self._new_set():
                return _("Rest before the next set")
            if self.side and self.side != self.dose.sides[0]:
                return _("Relax, then the same to the right") if self.side == "right" else \
                    _("Relax, then the same to the left")
            return _("Relax and come back to the start")
        if self.phase is Phase.FINISHED:
            return _("Well done!")
        if self.timed:
            if self.slot == 0:
                # Translators: {seconds} is the hold's length; Enter is the key.
                return _("Get into position, then press Enter to start the first hold ({seconds} s)").format(
                    seconds=self.dose.hold_seconds)
            return _("Get into position, then press Enter to start the hold ({seconds} s)").format(
                seconds=self.dose.hold_seconds)
        if self.dose.total == 1:
            return _("Follow the steps slowly, then press Enter")
        return _("Do one slowly, then press Enter")

    def next_label(self) -> str:
        """The text of the Next button in this phase."""
        if self.phase is Phase.HOLDING:
            # Translators: the guide window's main button (this and the five below), in each phase.
            return _("End hold")
        if self.phase is Phase.RESTING:
            return _("Start now")
        if self.phase is Phase.FINISHED:
            return _("Close")
        if self.timed:
            return _("Start hold")
        return _("Finish") if self.slot + 1 >= self.dose.total else _("Next")
