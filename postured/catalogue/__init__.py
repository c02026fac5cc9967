"""The built-in exercise catalogue: exercises.toml beside this file, as models."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from postured.config import Exercise, SafetyNote, Settings, with_custom
from postured.i18n import catalogue_text


@dataclass(frozen=True)
class Catalogue:
    exercises: list[Exercise]
    safety: list[SafetyNote]

    def by_id(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def with_custom(self, settings: Settings) -> "Catalogue":
        """This catalogue with the config's own exercises ([[exercises.custom]]) in place of any
        earlier ones; built-in ids come first. Checked configs never clash (check_against_catalogue)."""
        return Catalogue(with_custom(self.exercises, settings), self.safety)


# The texts a person reads; ids, sources and numbers stay as they are in every language.
TRANSLATED = ("name", "purpose", "cue", "key_caution", "text")
TRANSLATED_LISTS = ("steps", "cautions")


def translated(entry: dict) -> dict:
    """An exercise or safety entry of exercises.toml in the active language (postured.i18n)."""
    entry = dict(entry)
    for key in TRANSLATED:
        if isinstance(entry.get(key), str):
            entry[key] = catalogue_text(entry[key])
    for key in TRANSLATED_LISTS:
        if isinstance(entry.get(key), list):
            entry[key] = [catalogue_text(item) for item in entry[key]]
    return entry


def load_catalogue() -> Catalogue:
    """The built-in catalogue in the active language."""
    text = resources.files(__package__).joinpath("exercises.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    exercises = [Exercise.model_validate(translated(entry)) for entry in data.get("exercise", [])]
    safety = [SafetyNote.model_validate(translated(entry)) for entry in data.get("safety", [])]
    ids = [exercise.id for exercise in exercises]
    if len(ids) != len(set(ids)):
        raise ValueError("exercises.toml: an exercise id appears twice")
    return Catalogue(exercises, safety)
