"""The person's own exercises ([[exercises.custom]]): checked like every other key, then
suggested, listed, shown and reloaded like the built-in ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hypothesis
import pytest
from conftest import BERLIN, at, settings
from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until
from fakes import Rig
from hypothesis import strategies as st
from test_config_fuzz import toml_value
from test_cli import run as run_cli
from test_control import cli, status

from postured.catalogue import load_catalogue
from postured.config import CUSTOM_SOURCE, ConfigError, check_against_catalogue, eligible, parse_settings
from postured.core import machine

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()
SOURCE = "/home/me/.config/postured/config.toml"

DOORWAY = """
[[exercises.custom]]
id = "doorway-pec-stretch"
name = "Doorway chest stretch"
region = "shoulders"
position = "standing"
steps = ["Rest your forearms on the door frame.", "Step forward until you feel a gentle stretch."]
hold_seconds = 20
repetitions = [2, 3]
"""

# The only exercise a kneeling person who excludes the built-in kneeling one can do.
ONLY_MINE = """
[exercises]
positions = ["kneeling"]
exclude = ["midback-stretch"]

[[exercises.custom]]
id = "{id}"
name = "{name}"
region = "upper back"
position = "kneeling"
steps = ["Kneel tall and draw the shoulder blades together gently."]
repetitions = 5
"""


def checked(text: str):
    """Settings from text, checked against the catalogue as `postured` does."""
    result = parse_settings(text, SOURCE)
    check_against_catalogue(result, CATALOGUE.exercises, SOURCE, text)
    return result


# ------------------------------------------------------------------ the model


def test_a_custom_exercise_becomes_a_catalogue_exercise_marked_as_yours():
    got = checked(DOORWAY)
    (custom,) = got.exercises.custom
    assert custom.positions == ["standing"]
    exercise = custom.to_exercise()
    assert exercise.is_custom and exercise.sources == [CUSTOM_SOURCE]
    assert (exercise.hold_seconds, exercise.repetitions, exercise.per_side) == (20, (2, 3), False)
    assert not any(e.is_custom for e in CATALOGUE.exercises)


def test_positions_may_be_a_list_and_equal_bounds_are_one_number():
    got = checked(DOORWAY.replace('position = "standing"', 'positions = ["seated", "standing", "seated"]')
                  .replace("[2, 3]", "[4, 4]"))
    (custom,) = got.exercises.custom
    assert custom.positions == ["seated", "standing"] and custom.repetitions == 4


def test_eligible_filters_custom_exercises_like_built_in_ones():
    mine = {e.id for e in eligible(checked(DOORWAY), CATALOGUE.exercises) if e.is_custom}
    assert mine == {"doorway-pec-stretch"}
    seated = checked('[exercises]\npositions = ["seated"]\n' + DOORWAY)
    assert "doorway-pec-stretch" not in {e.id for e in eligible(seated, CATALOGUE.exercises)}
    excluded = checked('[exercises]\nexclude = ["doorway-pec-stretch"]\n' + DOORWAY)
    assert "doorway-pec-stretch" not in {e.id for e in eligible(excluded, CATALOGUE.exercises)}
    needs_door = DOORWAY.replace('position = "standing"', 'position = "standing"\nequipment = ["doorway"]')
    assert "doorway-pec-stretch" not in {e.id for e in eligible(checked(needs_door), CATALOGUE.exercises)}
    with_door = checked('[exercises]\nequipment = ["doorway"]\n' + needs_door)
    assert "doorway-pec-stretch" in {e.id for e in eligible(with_door, CATALOGUE.exercises)}


def test_with_custom_replaces_the_previous_config_exercises():
    first = CATALOGUE.with_custom(checked(DOORWAY))
    assert first.by_id("doorway-pec-stretch").is_custom
    assert first.exercises[: len(CATALOGUE.exercises)] == CATALOGUE.exercises
    renamed = first.with_custom(checked(DOORWAY.replace("doorway-pec-stretch", "door-stretch")))
    assert renamed.by_id("doorway-pec-stretch") is None and renamed.by_id("door-stretch") is not None
    assert len(renamed.exercises) == len(CATALOGUE.exercises) + 1
    assert first.with_custom(settings()).exercises == CATALOGUE.exercises
    # eligible() takes its custom exercises from the settings, so either catalogue gives one copy.
    assert eligible(checked(DOORWAY), first.exercises) == eligible(checked(DOORWAY), CATALOGUE.exercises)


def test_the_example_block_in_the_shipped_config_is_valid_once_uncommented():
    text = (REPO / "config" / "postured.toml").read_text()
    block = text[text.index("# [[exercises.custom]]"):]
    block = block[: block.index("\n\n")] if "\n\n" in block else block
    uncommented = "\n".join(re.sub(r"^# ?", "", line) for line in block.splitlines())
    got = checked('[exercises]\nequipment = ["doorway"]\n' + uncommented)
    assert [e.id for e in eligible(got, CATALOGUE.exercises) if e.is_custom] == ["doorway-pec-stretch"]
    assert got.exercises.custom[0].cautions


# ------------------------------------------------------------------ located errors

SECOND = DOORWAY.replace("doorway-pec-stretch", "second-one")  # its lines are DOORWAY's plus 9
# name -> (text, line, key, what else the message for that key must hold)
BROKEN = {
    "missing id": (DOORWAY.replace('id = "doorway-pec-stretch"\n', ""), 2, "exercises.custom[0].id", ["required"]),
    "unknown key": (DOORWAY + SECOND.replace("name =", "nmae ="), 13, "exercises.custom[1].nmae",
                    ['unknown key (did you mean "name"?)', "hold_seconds"]),
    "bad region": (DOORWAY + SECOND.replace('"shoulders"', '"shoulder"'), 14, "exercises.custom[1].region",
                   ['"shoulder" is not allowed', 'did you mean "shoulders"?']),
    "bad position": (DOORWAY.replace('"standing"', '"standin"'), 6, "exercises.custom[0].position",
                     ['did you mean "standing"?']),
    "bad equipment": (DOORWAY.replace('position = "standing"', 'position = "standing"\nequipment = ["dorway"]'), 7,
                      "exercises.custom[0].equipment[0]", ['did you mean "doorway"?']),
    "low above high": (DOORWAY.replace("[2, 3]", "[3, 2]"), 9, "exercises.custom[0].repetitions",
                       ["low is more than high", "[2, 3]"]),
    "hold too long": (DOORWAY.replace("hold_seconds = 20", "hold_seconds = [30, 900]"), 8,
                      "exercises.custom[0].hold_seconds", ["900 is out of range", "1 to 600"]),
    "zero repetitions": (DOORWAY.replace("[2, 3]", "0"), 9, "exercises.custom[0].repetitions", ["1 to 100"]),
    "dose not a number": (DOORWAY.replace("hold_seconds = 20", 'hold_seconds = "20s"'), 8,
                          "exercises.custom[0].hold_seconds", ['"20s" is not a dose', "[low, high]"]),
    "dose a flag": (DOORWAY.replace("hold_seconds = 20", "hold_seconds = true"), 8,
                    "exercises.custom[0].hold_seconds", ["true is not a dose"]),
    "both position and positions": (
        DOORWAY.replace('position = "standing"', 'position = "standing"\npositions = ["seated"]'), 7,
        "exercises.custom[0].positions", ["together with position", "keep one"]),
    "no position": (SECOND.replace('position = "standing"\n', ""), 2, "exercises.custom[0].positions",
                    ["is missing", 'position = "seated"']),
    "no steps": (DOORWAY.replace(DOORWAY.splitlines()[6], "steps = []"), 7, "exercises.custom[0].steps", ["empty"]),
    "blank name": (DOORWAY.replace('"Doorway chest stretch"', '"  "'), 4, "exercises.custom[0].name", ["empty"]),
    "bad id": (DOORWAY.replace("doorway-pec-stretch", "Doorway_Stretch"), 3, "exercises.custom[0].id",
               ["lower-case-kebab"]),
    "per_side not a flag": (DOORWAY + 'per_side = "yes"\n', 10, "exercises.custom[0].per_side", ["wrong type"]),
    "clash with a built-in id": (DOORWAY + SECOND.replace("second-one", "chin-tuck"), 12, "exercises.custom[1].id",
                                 ['"chin-tuck"', 'built-in exercise "Chin tuck"']),
    "duplicate ids": (DOORWAY + SECOND + DOORWAY, 21, "exercises.custom[2].id",
                      ['"doorway-pec-stretch"', "exercises.custom[0] (line 3)"]),
    "unknown exclude": ('[exercises]\nexclude = ["doorway-pec-strech"]\n' + DOORWAY, 2, "exercises.exclude",
                        ['did you mean "doorway-pec-stretch"?']),
    "inline entries": ("[exercises]\ncustom = [{id = 'a', name = 'A', region = 'nek', position = 'seated', "
                       "steps = ['x']}]\n", 2, "exercises.custom[0].region", ['did you mean "neck"?']),
    "entry not a table": ("[exercises]\ncustom = [3]\n", 2, "exercises.custom[0]", ["should be a table"]),
    # Text that would reach a terminal, the log or `jq -r .status` raw.
    "bell in the name": (DOORWAY.replace("Doorway chest", "Doorway\\u0007 chest"), 4, "exercises.custom[0].name",
                         ["control character '\\x07' (at character 8)", "remove it"]),
    "colour escape in a step": (DOORWAY.replace("Rest your", "\\u001b[31mRest your"), 7, "exercises.custom[0].steps",
                                ["entry 1 holds the control character '\\x1b'"]),
    "newline in a caution": (DOORWAY + 'cautions = ["Ease off.\\nNow."]\n', 10, "exercises.custom[0].cautions",
                             ["entry 1 holds the control character '\\n'"]),
    "bidi override in the name": (DOORWAY.replace("Doorway chest", "\\u202eDoorway chest"), 4,
                                  "exercises.custom[0].name", ["control character '\\u202e'"]),
    "name too long": (DOORWAY.replace("Doorway chest stretch", "x" * 81), 4, "exercises.custom[0].name",
                      ["longer than 80 characters"]),
    "too many steps": (DOORWAY.replace('steps = ["Rest', 'steps = [' + '"Go.", ' * 10 + '"Rest'), 7,
                       "exercises.custom[0].steps", ["has 12 entries; at most 10"]),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_bad_custom_exercise_names_file_line_key_and_fix(name):
    text, line, key, fragments = BROKEN[name]
    with pytest.raises(ConfigError) as broken:
        checked(text)
    message = str(broken.value)
    assert "Traceback" not in message and "pydantic" not in message.lower()
    assert all(row.startswith(f"{SOURCE}: line ") for row in message.splitlines()), message
    prefix = f"{SOURCE}: line {line}: {key}: "
    row = next((row for row in message.splitlines() if row.startswith(prefix)), None)
    assert row is not None, f"no {prefix!r} in {message!r}"
    for fragment in fragments:
        assert fragment in row, f"{fragment!r} not in {row!r}"
    assert message.replace("\n", "").isprintable(), "a message puts no control character on the terminal"


def test_joiners_and_no_break_spaces_are_ordinary_writing():
    got = checked(DOORWAY.replace("Doorway chest stretch", "Dehliz\\u200ckashesh\\u00a0\\U0001f9d1\\u200d\\U0001f4bb"))
    assert got.exercises.custom[0].name == "Dehliz\u200ckashesh\u00a0\U0001f9d1\u200d\U0001f4bb"


def test_errors_in_two_blocks_each_name_their_own_line():
    text = DOORWAY.replace('"shoulders"', '"sholders"') + SECOND.replace("[2, 3]", "[3, 1]")
    with pytest.raises(ConfigError) as broken:
        checked(text)
    lines = str(broken.value).splitlines()
    assert lines == [
        f'{SOURCE}: line 5: exercises.custom[0].region: "sholders" is not allowed (did you mean "shoulders"?) '
        "(use one of: neck, upper back, shoulders)",
        f"{SOURCE}: line 18: exercises.custom[1].repetitions: [3, 1]: low is more than high; write [1, 3]",
    ]


# ------------------------------------------------------------------ everywhere an exercise shows


def test_postured_exercises_lists_yours_and_marks_it(tmp_path):
    listed = run_cli(tmp_path, "exercises", config=DOORWAY)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "doorway-pec-stretch" in line)
    assert row.startswith("*") and "Doorway chest stretch" in row and "shoulders" in row
    entries = json.loads(run_cli(tmp_path, "exercises", "--json", config=DOORWAY).stdout)
    mine = [e for e in entries if e["sources"] == [CUSTOM_SOURCE]]
    assert [(e["id"], e["eligible"], e["positions"], e["repetitions"]) for e in mine] == [
        ("doorway-pec-stretch", True, ["standing"], [2, 3])]
    assert len(entries) == len(CATALOGUE.exercises) + 1


def test_postured_next_suggests_yours(tmp_path):
    done = run_cli(tmp_path, "next", "--count", "3", "--json", config=ONLY_MINE.format(id="mine", name="Mine"))
    assert done.returncode == 0, done.stderr
    assert [row["exercise"]["id"] for row in json.loads(done.stdout)] == ["mine"] * 3


def test_a_clash_is_exit_2_with_one_located_line(tmp_path):
    done = run_cli(tmp_path, "config", "check", config=DOORWAY.replace("doorway-pec-stretch", "chin-tuck"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"postured: {tmp_path / 'config.toml'}: line 3: exercises.custom[0].id: ")
    assert "Traceback" not in done.stderr


def test_the_reminder_shows_your_steps(small_catalogue):
    mine = settings(ONLY_MINE.format(id="mine", name="Kneeling squeeze").replace(
        'exclude = ["midback-stretch"]\n', ""))
    rig = Rig(mine, small_catalogue.with_custom(mine), BERLIN, at("2026-03-23 08:50"))
    rig.handle(machine.Start())
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.notifier.shown == [("Posture break: Kneeling squeeze",
                                   "Today: 2 times\nKneel tall and draw the shoulder blades…")]
    # A picture goes with it: without an image or figure of its own, the neutral figure.
    assert rig.notifier.images == [""]  # the rig draws none; app.py wires the renderer


def test_a_reloaded_config_brings_its_new_exercise_to_the_engine(small_catalogue):
    # The engine gets new settings, never a new catalogue: it must take the exercises from them.
    first = settings(ONLY_MINE.format(id="mine", name="Mine").replace('exclude = ["midback-stretch"]\n', ""))
    rig = Rig(first, small_catalogue.with_custom(first), BERLIN, at("2026-03-23 08:50"))
    rig.handle(machine.Start())
    renamed = settings(ONLY_MINE.format(id="yours", name="Yours").replace('exclude = ["midback-stretch"]\n', ""))
    rig.engine.apply_settings(renamed)
    rig.run_until(at("2026-03-23 09:30"))
    assert rig.engine.catalogue.by_id("mine") is None
    assert [title for title, _ in rig.notifier.shown] == ["Posture break: Yours"]


def test_the_daemon_keeps_the_last_good_exercises_when_a_custom_block_is_broken(tmp_path):
    env = private_env(tmp_path)
    config = ALL_DAY.format(interval="1h") + ONLY_MINE
    daemon = Daemon(tmp_path, env, config.format(id="mine", name="Mine"), args=("run", "--no-tray"))
    try:
        wait_until(lambda: (Path(env["XDG_RUNTIME_DIR"]) / "postured" / "control.sock").exists()
                   or daemon.proc.poll() is not None, "the control socket", 20)
        assert status(env)["exercise"] == {"id": "mine", "name": "Mine"}

        daemon.config.write_text(config.format(id="yours", name="Yours"))
        wait_until(lambda: status(env)["exercise"] == {"id": "yours", "name": "Yours"}, "the new exercise", 5)

        daemon.config.write_text(config.format(id="chin-tuck", name="Mine again"))
        reported = wait_until(lambda: (s := status(env))["config_error"] and s, "the error to be reported", 5)
        line = config.splitlines().index('id = "{id}"') + 1
        expected = f'config.toml: line {line}: exercises.custom[0].id: "chin-tuck" is already the id'
        assert expected in reported["config_error"]
        assert reported["exercise"] == {"id": "yours", "name": "Yours"}  # the last good config stays
        reload = cli(env, "reload")
        assert reload.returncode == 1 and "built-in exercise" in reload.stderr
        assert daemon.proc.poll() is None
    finally:
        daemon.stop()


# ------------------------------------------------------------------ any value in any key

# Values that are often nearly right, and anything else (text that toml_value writes as valid TOML).
text = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=10)
values = st.one_of(
    st.sampled_from(["neck", "shoulders", "seated", "kneeling", "door", "doorway", "a-b", "chin-tuck", "", " "]),
    st.integers(min_value=-5, max_value=1000), st.booleans(), st.floats(allow_nan=False), text,
    st.lists(st.one_of(st.integers(min_value=-5, max_value=700), st.sampled_from(["seated", "band", "Step."]), text),
             max_size=3),
)
CUSTOM_KEYS = ["id", "name", "region", "position", "positions", "equipment", "steps", "hold_seconds",
               "repetitions", "per_side", "cautions", "sets"]


@hypothesis.settings(max_examples=300, deadline=1000, suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(st.lists(st.dictionaries(st.sampled_from(CUSTOM_KEYS), values, max_size=8), max_size=3))
def test_any_custom_block_is_settings_or_one_located_error(blocks):
    text = "".join("[[exercises.custom]]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in block.items())
                   for block in blocks)
    try:
        checked(text)
    except ConfigError as exc:
        for row in str(exc).splitlines():
            assert row.startswith(f"{SOURCE}: line "), row
