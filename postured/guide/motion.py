"""Which pose the guide's figure shows at a moment: a pure function of the session and time.

As a hold starts the figure moves into the held pose (the side being counted), stays
there while the countdown runs, and moves back to the start while the person rests.
Counted repetitions (no hold) are shown as a slow loop until the last one is counted.
Standard library and postured.pictures.model only; the time is an argument.
"""

from __future__ import annotations

import math

from postured.guide.session import Phase, Session
from postured.pictures.model import Figure, Pose, blend

MOVE_SECONDS = 1.2  # into the held pose, and back out
LOOP_SECONDS = 4.0  # counted repetitions: in, a moment there, out, a moment at the start
FRAME_SECONDS = 0.04  # 25 frames a second while the figure moves


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def _last_side(session: Session) -> str | None:
    sides = session.dose.sides
    return sides[(session.slot - 1) % len(sides)] if session.slot > 0 else sides[0]


def pose_at(figure: Figure, session: Session, now: float) -> tuple[Pose, float | None]:
    """(the pose to draw, seconds until it changes; None while the figure stands still)."""
    start = figure.start
    if session.phase is Phase.HOLDING and session.since is not None:
        t = (now - session.since) / MOVE_SECONDS
        pose = blend(start, figure.end(session.side), _ease(t))
        return pose, (FRAME_SECONDS if t < 1 else None)
    if session.phase is Phase.RESTING and session.since is not None:
        t = (now - session.since) / MOVE_SECONDS
        pose = blend(figure.end(_last_side(session)), start, _ease(t))
        return pose, (FRAME_SECONDS if t < 1 else None)
    if session.phase is Phase.READY and not session.timed and figure.ends:
        # The person counts: show the movement, over and over, on the side of this repetition.
        phase = (now % LOOP_SECONDS) / LOOP_SECONDS
        move = MOVE_SECONDS / LOOP_SECONDS
        wait = FRAME_SECONDS
        if phase < move:
            share = phase / move
        elif phase < 0.5:
            share, wait = 1.0, (0.5 - phase) * LOOP_SECONDS  # still until it moves back
        elif phase < 0.5 + move:
            share = 1.0 - (phase - 0.5) / move
        else:
            share, wait = 0.0, (1.0 - phase) * LOOP_SECONDS
        return blend(start, figure.end(session.side), _ease(share)), max(FRAME_SECONDS, wait)
    return start, None
