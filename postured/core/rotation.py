"""Which exercise to suggest next.

Deterministic: among the exercises the person can do, never the one just shown (unless
it is the only one), then the region used longest ago, then the exercise used longest
ago, then catalogue order. That walks through neck, upper back and shoulders in turn
and through every exercise of a region before repeating one.
"""

from __future__ import annotations

from collections.abc import Sequence

from postured.config import Exercise

# How many past suggestions the rotation remembers; more than any catalogue holds.
MEMORY = 64


def choose(eligible: Sequence[Exercise], recent: Sequence[str]) -> Exercise:
    """``recent`` holds exercise ids, most recent first."""
    if not eligible:
        raise ValueError("no eligible exercise")
    candidates = [e for e in eligible if not recent or e.id != recent[0]] or list(eligible)
    region_of = {e.id: e.region for e in eligible}
    recent_regions = [region_of.get(exercise_id) for exercise_id in recent]

    def age(items: list, item: object) -> int:
        # Larger is longer ago; never used counts as longest ago.
        return items.index(item) if item in items else len(items) + 1

    return max(
        candidates,
        key=lambda e: (age(recent_regions, e.region), age(list(recent), e.id), -eligible.index(e)),
    )


def remember(recent: Sequence[str], exercise_id: str) -> tuple[str, ...]:
    return (exercise_id, *recent)[:MEMORY]
