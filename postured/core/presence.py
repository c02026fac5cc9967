"""What the platform can tell about the person at the keyboard, as plain data.

The adapters in ``postured.adapters.presence`` read it; the core only receives it, with
an alarm, and never asks for it itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Presence:
    idle: timedelta  # time since the last keyboard or mouse input
    fullscreen: bool = False  # the active window covers the screen (slides, a call, a game)
    locked: bool = False  # the screen is locked: the person counts as away

    def away_for(self, natural_break: timedelta) -> bool:
        return self.locked or self.idle >= natural_break
