"""The built-in exercise catalogue: exercises.toml beside this file, as models."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from postured.config import Exercise, SafetyNote, Settings, with_custom


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


def load_catalogue() -> Catalogue:
    text = resources.files(__package__).joinpath("exercises.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    exercises = [Exercise.model_validate(entry) for entry in data.get("exercise", [])]
    safety = [SafetyNote.model_validate(entry) for entry in data.get("safety", [])]
    ids = [exercise.id for exercise in exercises]
    if len(ids) != len(set(ids)):
        raise ValueError("exercises.toml: an exercise id appears twice")
    return Catalogue(exercises, safety)
