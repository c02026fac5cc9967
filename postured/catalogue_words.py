"""The catalogue's positions and equipment (ids in the config and --json) as a person reads them."""

from __future__ import annotations

from postured.i18n import N_, _

WORDS = {
    "seated": N_("seated"), "standing": N_("standing"), "lying": N_("lying"), "kneeling": N_("kneeling"),
    "band": N_("band"), "dumbbells": N_("dumbbells"), "ball": N_("ball"), "wall": N_("wall"),
    "chair": N_("chair"), "towel": N_("towel"), "doorway": N_("doorway"), "table": N_("table"),
    "bench": N_("bench"),
}


def word(key: str) -> str:
    """'seated' -> 'sitzend' in German; a word not listed (a custom one) as it is."""
    return _(WORDS[key]) if key in WORDS else key
