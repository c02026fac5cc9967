"""Every dose, side, position, piece of equipment and caution of the catalogue, held to its seed.

The checks are derived from the catalogue's own fields and the passages that
postured/catalogue/SOURCES.md names for each exercise: a value that its source does
not give, and that SOURCES.md does not list as our choice, fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from postured.catalogue import load_catalogue

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SOURCES_MD = Path(__file__).resolve().parents[1] / "postured" / "catalogue" / "SOURCES.md"
CATALOGUE = load_catalogue()

NUMBER_WORDS = {
    "one": 1, "once": 1, "first": 1, "two": 2, "twice": 2, "second": 2, "three": 3, "third": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
}
N = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
RANGE = N + r"(?:\s*(?:-|–|to)\s*" + N + r")?"
POSITION_WORDS = {
    "seated": r"\bsit\b(?! back)|\bseated\b",  # "sit back on your ankles" is kneeling
    "standing": r"\bstand", "lying": r"\blie\b|\blying\b", "kneeling": r"\bkneel",
}
EQUIPMENT_WORDS = {
    "band": r"\bband\b|tubing", "dumbbells": r"dumbbell", "ball": r"\bball\b", "wall": r"\bwall\b",
    "chair": r"\bchair\b", "towel": r"\btowel\b",
}
EACH_SIDE = r"each side|other side|repeat (?:turning your head to your |on the )left"
EACH_DIRECTION = r"other direction|each direction"
# A sentence of the source that warns or gives a cue: it must be in the entry's cautions or steps.
WARNING = re.compile(r"\b(?:not|never|avoid|make sure|if you have|if you feel|should|without)\b", re.I)
STOPWORDS = set(
    "the and your you that this with from into them they then there should would could while these those "
    "have will when each keep make sure does done over only than what which about".split()
)


def number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


def table(heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after ``## heading`` in SOURCES.md."""
    section = SOURCES_MD.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows if not set(row[0].strip()) <= {"-"}][1:]


def tables(heading: str) -> list[list[list[str]]]:
    """Every Markdown table under ``## heading``, each without its header row."""
    section = SOURCES_MD.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found, current = [], []
    for line in [*section.splitlines(), ""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            found.append([row for row in current[1:] if not set(row[0]) <= {"-"}])
            current = []
    return found


def folded(text: str) -> str:
    """White space of any kind (the seeds have no-break spaces) as single spaces."""
    return " ".join(text.split())


def seed_text(number_: str) -> list[str]:
    (path,) = SEEDS.glob(f"{number_}_*.txt")
    return [folded(line) for line in path.read_text(encoding="utf-8").splitlines()]


def cut(lines: list[str], start: str, stops: list[str]) -> str:
    start, stops = folded(start), [folded(stop) for stop in stops]
    begin = next(i for i, line in enumerate(lines) if line.startswith(start))
    end = next((i for i in range(begin + 1, len(lines)) if any(lines[i].startswith(s) for s in stops)), len(lines))
    return "\n".join(lines[begin:end])


def load_passages():
    """{exercise id: [(own passage, general passage, general applies to all)]}."""
    starts, generals = tables("Passages")
    general = {row[0]: row for row in generals}
    by_seed: dict[str, list[tuple[str, str]]] = {}
    for exercise_id, seed, start in starts:
        by_seed.setdefault(seed, []).append((exercise_id, start))
    passages: dict[str, list[tuple[str, str, bool]]] = {}
    for seed, entries in by_seed.items():
        lines = seed_text(seed)
        _, general_start, general_end, to_all, last_end = general[seed]
        general_text = cut(lines, general_start, [] if general_end == "(end)" else [general_end])
        others = [start for _, start in entries]
        for exercise_id, start in entries:
            own = cut(lines, start, [s for s in others if s != start] + [last_end])
            passages.setdefault(exercise_id, []).append((own, general_text, to_all == "yes"))
    return passages


def our_choices() -> dict[tuple[str, str], str]:
    return {(row[0], row[1]): row[2] for row in table("Our choices")}


@pytest.fixture(scope="module")
def passages():
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail("shared/seeds must be beside the checkout in CI")
        pytest.skip("shared/seeds is not beside the checkout")
    return load_passages()


def text_of(passages, exercise_id: str, general: str = "all") -> str:
    """The exercise's own passages, with the general ones (all of them, or those that apply to all)."""
    parts = []
    for own, general_text, to_all in passages[exercise_id]:
        parts.append(own)
        if general == "all" or (general == "to all" and to_all):
            parts.append(general_text)
    return "\n".join(parts)


def amounts(text: str, unit: str) -> set[tuple[int, int]]:
    """Every (low, high) the text gives for a unit; a single number is (n, n)."""
    patterns = {
        "seconds": [RANGE + r"[\s-]*seconds?"],
        "repetitions": [RANGE + r"\s+(?:times|repetitions|reps)\b",
                        r"(?:repeat|complete|perform)\s+(?:at least\s+)?" + RANGE],
        "sets": [N + r"\s+sets?\b", r"(?:a|add a)\s+" + N + r"\s+set\b"],
        "per day": [RANGE + r"\s+times\s+(?:a|per)\s+day", r"(twice|once)\s+(?:a|per)\s+day"],
        "per week": [RANGE + r"\s+times\s+(?:a|per)\s+week"],
    }[unit]
    found = set()
    for pattern in patterns:
        for match in re.finditer(pattern, text, re.I):
            low, high = match.group(1), (match.group(2) if match.lastindex and match.lastindex >= 2 else None)
            found.add((number(low), number(high or low)))
    return found


def as_range(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, tuple) else (value, value)


FIELDS = {"hold_seconds": "seconds", "repetitions": "repetitions", "sets": "sets",
          "times_per_day": "per day", "days_per_week": "per week"}
BUILT_IN = [e for e in CATALOGUE.exercises if not e.is_custom]


def test_every_exercise_has_its_passage_in_every_seed_it_names(passages):
    for exercise in BUILT_IN:
        seeds = sorted(source[:3] for source in exercise.sources)
        named = sorted(seed for seed, in [(row[1],) for row in tables("Passages")[0] if row[0] == exercise.id])
        assert named == seeds, exercise.id
        for own, _general, _to_all in passages[exercise.id]:
            assert len(own) > 80, f"{exercise.id}: its passage is too short to be the right one"


@pytest.mark.parametrize("field", list(FIELDS))
def test_every_amount_is_the_sources(passages, field):
    choices = our_choices()
    for exercise in BUILT_IN:
        value = getattr(exercise, field)
        if value is None or (exercise.id, field) in choices:
            continue
        found = amounts(text_of(passages, exercise.id, general="to all"), FIELDS[field])
        low, high = as_range(value)
        # A range must be given as such, or its two ends each as a number of that unit.
        ends = {n for pair in found for n in pair}
        assert (low, high) in found or {low, high} <= ends, (
            f"{exercise.id}: {field} = {value!r}, but its sources give {sorted(found) or 'none'}"
        )


@pytest.mark.parametrize("field", ["times_per_day", "days_per_week"])
def test_a_frequency_the_source_gives_is_not_dropped(passages, field):
    for exercise in BUILT_IN:
        if getattr(exercise, field) is None and (exercise.id, field) not in our_choices():
            own = text_of(passages, exercise.id, general="to all")
            assert not amounts(own, FIELDS[field]), f"{exercise.id}: its source gives {field}"


def test_sides_and_directions_follow_the_source(passages):
    for exercise in BUILT_IN:
        own = text_of(passages, exercise.id, general="none")
        assert exercise.per_side == bool(re.search(EACH_SIDE, own, re.I)), f"{exercise.id}: per_side"
        assert exercise.per_direction == bool(re.search(EACH_DIRECTION, own, re.I)), f"{exercise.id}: per_direction"


def test_positions_and_equipment_are_the_sources(passages):
    choices = our_choices()
    for exercise in BUILT_IN:
        text = text_of(passages, exercise.id, general="to all")
        if (exercise.id, "positions") not in choices:
            for position in exercise.positions:
                assert re.search(POSITION_WORDS[position], text, re.I), f"{exercise.id}: {position}"
        for item in exercise.equipment:
            assert re.search(EQUIPMENT_WORDS.get(item, re.escape(item)), text, re.I), f"{exercise.id}: {item}"


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower().replace("\u2019", "'"))
    return {w[:6] for w in words if len(w) >= 4 and w not in STOPWORDS}


def test_every_warning_of_the_source_is_in_the_entry(passages):
    for exercise in BUILT_IN:
        ours = content_words(" ".join([*exercise.cautions, *exercise.steps]))
        own = text_of(passages, exercise.id, general="none")
        for sentence in re.split(r"(?<=[.!])\s+|\n", own):
            if WARNING.search(sentence) and len(content_words(sentence)) >= 3:
                words = content_words(sentence)
                # At least half of what the sentence speaks of (and two words) must be in the entry.
                assert len(words & ours) >= max(2, -(-len(words) // 2)), (
                    f"{exercise.id}: the source says {sentence.strip()!r}; the entry shares only {sorted(words & ours)}"
                )


def test_a_seed_that_says_ease_off_with_pain_says_it_for_each_of_its_exercises(passages):
    for exercise in BUILT_IN:
        for _own, general, to_all in passages[exercise.id]:
            if to_all and re.search(r"ease off", general, re.I):
                assert any(re.search(r"ease off", c, re.I) for c in exercise.cautions), exercise.id


def test_our_choices_name_real_fields_of_real_exercises():
    ids = {e.id for e in BUILT_IN}
    for exercise_id, field in our_choices():
        assert exercise_id in ids and field in {*FIELDS, "positions", "equipment"}, (exercise_id, field)
