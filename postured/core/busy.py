"""Busy blocks from the person's calendars, as data the core can reason about.

The calendar adapter turns ICS events into ``Busy`` blocks ahead of time; the core
then knows when a block ends and sets its alarm there (no polling), and
``postured next`` marks a planned reminder with the same ``holding``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, order=True)
class Busy:
    start: datetime  # aware
    end: datetime  # aware, after start
    title: str = "busy"  # the event's summary: shown locally (`postured next`), never logged


def holding(blocks: Iterable[Busy], moment: datetime) -> Busy | None:
    """The block in force at ``moment``, its end stretched over the blocks that follow it
    without a gap (back-to-back meetings hold the reminder until the last one ends)."""
    found: Busy | None = None
    for block in sorted(blocks):
        if found is None:
            if block.start <= moment < block.end:
                found = block
        elif block.start <= found.end:
            if block.end > found.end:
                found = replace(found, end=block.end)
        else:
            break
    return found
