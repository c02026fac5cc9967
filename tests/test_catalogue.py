"""The exercise catalogue: complete, sourced, safe, and filtered by the config."""

import os
import re
from pathlib import Path

import pytest
from conftest import settings

from postured.catalogue import load_catalogue
from postured.config import eligible

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = {
    "000_086d68870233433d.txt", "001_3e0ddb49c000dd55.txt", "002_ad382647f28e5eee.txt",
    "003_730636282b7ef56a.txt", "004_a2078d37ef1fda89.txt",
}
# Every exercise the five articles describe, by the name the article uses.
ARTICLE_NAMES = [
    "cervical retraction", "prone w's", "cervical deep flexion lift", "wall slide", "exercise ball rows",
    "resistance band wall walks", "scapular squeeze", "external rotation and scapular squeeze with exercise band",
    "neck rotation", "lateral neck flexion", "chin tuck", "levator scapulae stretch",
    "lower neck and upper back stretch", "midback stretch", "shoulder roll", "wall push-up",
    "resisted shoulder blade squeeze", "resisted rows",
]

catalogue = load_catalogue()


def test_every_article_exercise_is_in_the_catalogue():
    names = [n.lower() for e in catalogue.exercises for n in (e.name, *e.aliases)]
    for article_name in ARTICLE_NAMES:
        assert any(article_name in name or name in article_name for name in names), article_name
    assert 15 <= len(catalogue.exercises) <= 20


def test_each_exercise_names_its_seed_and_every_seed_is_used():
    used = set()
    for exercise in catalogue.exercises:
        assert exercise.sources and set(exercise.sources) <= SEED_FILES, exercise.id
        used.update(exercise.sources)
    assert used == SEED_FILES


def test_text_is_our_own_words():
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail("shared/seeds must be beside the checkout in CI")
        pytest.skip("shared/seeds is not beside the checkout")
    def words(text):
        return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))

    seed_words = words(" ".join(p.read_text() for p in SEEDS.glob("*.txt")))
    runs = {tuple(seed_words[i:i + 8]) for i in range(len(seed_words) - 7)}
    for exercise in catalogue.exercises:
        for text in [*exercise.steps, *exercise.cautions, exercise.purpose]:
            w = words(text)
            copied = [" ".join(w[i:i + 8]) for i in range(len(w) - 7) if tuple(w[i:i + 8]) in runs]
            assert not copied, f"{exercise.id}: {copied[0]!r} is copied from a seed"


def test_the_cautions_the_sources_give_are_kept():
    by_id = {e.id: e for e in catalogue.exercises}
    assert any("full circle" in c for c in by_id["neck-rotation"].cautions)
    assert any("knee pain" in c for c in by_id["midback-stretch"].cautions)
    assert any("closer to the wall" in c for c in by_id["wall-push-up"].cautions)
    safety = " ".join(note.text for note in catalogue.safety)
    assert "one to two weeks" in safety and "numbness" in safety and "coordination" in safety
    assert "never two days in a row" in safety


def test_nothing_urges_pushing_through_pain():
    text = " ".join(
        [*(s for e in catalogue.exercises for s in (*e.steps, *e.cautions, e.purpose))]
        + [n.text for n in catalogue.safety]
    ).lower()
    for phrase in ("push through", "no pain, no gain", "work through the pain", "ignore the pain"):
        assert phrase not in text.replace("nothing here should be pushed through pain", "")


def test_default_filters_need_no_floor_and_no_equipment():
    chosen = eligible(settings(), catalogue.exercises)
    assert len(chosen) >= 5
    for exercise in chosen:
        assert set(exercise.positions) & {"seated", "standing"}
        assert exercise.equipment == []
    assert {e.region for e in chosen} == {"neck", "upper back", "shoulders"}


def test_equipment_and_positions_open_up_more():
    wider = eligible(settings('[exercises]\npositions = ["standing", "lying"]\nequipment = ["band", "wall"]'),
                     catalogue.exercises)
    ids = {e.id for e in wider}
    assert {"wall-slide", "band-row", "prone-w"} <= ids and "ball-row" not in ids
