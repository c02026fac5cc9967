"""A program from a clinician: checked with located errors, shown as a change, followed by the coach
within its limits, and imported, shown and removed through the CLI while the real daemon follows."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import BERLIN, at, settings
from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until
from fakes import Rig
from test_control import cli, status

from postured.catalogue import load_catalogue
from postured.config import ConfigError
from postured.core import coach, machine
from postured.program import parse_program, read_program, rotation, schema
from postured.program_store import changes, load_stored, status_of

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()
BUILT_IN = CATALOGUE.exercises
TODAY = date(2026, 12, 1)

GOOD = """\
[program]
title = "Neck, weeks 1-6"
by = "A. Physio"
start = 2026-12-02
review = 2027-01-13

[[exercise]]
id = "chin-tuck"
repetitions = [4, 8]
hold_seconds = 5
times_per_day = 2
days_per_week = 3

[[exercise]]
id = "scapular-squeeze"
repetitions = [5, 6]
times_per_day = 1

[[custom]]
id = "towel-neck-glide"
name = "Towel neck glide"
region = "neck"
position = "seated"
steps = ["Hold a rolled towel behind your neck.", "Glide your head gently back into it."]
cautions = ["Keep it gentle."]
repetitions = 4
times_per_day = 1
"""


def write(folder: Path, text: str, name: str = "program.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (4, 4), "white").save(path)
    return path


# ------------------------------------------------------------------ the file


def test_the_shipped_schema_is_the_one_the_models_generate():
    shipped = json.loads((REPO / "config" / "program.schema.json").read_text(encoding="utf-8"))
    assert shipped == schema()
    assert set(shipped["properties"]) == {"program", "exercise", "custom"}


def test_the_example_program_is_valid_and_names_what_it_prescribes():
    path = REPO / "config" / "program.example.toml"
    program = read_program(path, BUILT_IN, today=TODAY)
    assert program.ids() == ["chin-tuck", "scapular-squeeze", "shoulder-roll", "towel-neck-glide"]
    text = path.read_text(encoding="utf-8").lower()
    for urging in ("push through", "through the pain", "no pain, no gain", "cure", "heal"):
        assert urging not in text


def test_a_good_program_becomes_the_coachs_exercises_with_its_limits(tmp_path):
    program = read_program(write(tmp_path, GOOD), BUILT_IN, today=TODAY)
    chin, squeeze, towel = rotation(program, BUILT_IN)
    assert (chin.repetitions, chin.hold_seconds, chin.times_per_day, chin.days_per_week) == ((4, 8), (5, 5), 2, 3)
    assert chin.steps == CATALOGUE.by_id("chin-tuck").steps and chin.cautions  # the catalogue's text stays
    assert [step.repetitions for step in coach.ladder(chin)] == [4, 6, 8]  # from the start up to the most
    assert [step.repetitions for step in coach.ladder(towel)] == [4]  # one number: that dose every time
    assert squeeze.times_per_day == 1 and towel.sources == ["program"]




BAD = [
    # (what is wrong, the change to GOOD, line, key, words of the message)
    ("broken TOML", ("times_per_day = 1\n", "times_per_day = \n"), None, None, "not valid TOML"),
    ("unknown exercise", ('id = "chin-tuck"', 'id = "chin-tuk"'), 8, "exercise[0].id", 'did you mean "chin-tuck"'),
    ("dose above the catalogue", ("[4, 8]", "[4, 12]"), 9, "exercise[0].repetitions",
     "12 is above the catalogue's most"),
    ("more times a day than the catalogue", ("times_per_day = 2", "times_per_day = 4"), 11,
     "exercise[0].times_per_day", "above the catalogue's most"),
    ("a dose the catalogue does not give", ('id = "scapular-squeeze"', 'id = "shoulder-roll"\nhold_seconds = 5'),
     16, "exercise[1].hold_seconds", "gives no hold"),
    ("start above the program's most", ("[5, 6]", "[7, 6]"), 16, "exercise[1].repetitions",
     "starts above the most this program allows"),
    ("start in the past", ("start = 2026-12-02", "start = 2026-11-30"), 4, "program.start", "in the past"),
    ("review before start", ("review = 2027-01-13", "review = 2026-12-02"), 5, "program.review", "not after start"),
    ("a typo in a key", ("days_per_week = 3", "days_per_weak = 3"), 12, "exercise[0].days_per_weak",
     'did you mean "days_per_week"'),
    ("a custom exercise with a catalogue id", ('id = "towel-neck-glide"', 'id = "chin-tuck"'), 20,
     "custom[0].id", "is the id of the catalogue's"),
    ("a missing image", ("repetitions = 4\ntimes_per_day = 1\n", "repetitions = 4\ntimes_per_day = 1\nimage = \"gone.png\"\n"), 28,
     "custom[0].image", "does not exist"),
    ("an image that is no PNG", ("repetitions = 4\ntimes_per_day = 1\n", "repetitions = 4\ntimes_per_day = 1\nimage = \"program.toml\"\n"), 28,
     "custom[0].image", "is not a PNG"),
    ("an image in another folder", ("repetitions = 4\ntimes_per_day = 1\n", "repetitions = 4\ntimes_per_day = 1\nimage = \"../x.png\"\n"), 28,
     "custom[0].image", "is not a file name"),
    ("no exercise", (GOOD[GOOD.index("[[exercise]]"):], ""), None, "(top level)", "names no exercise"),
    ("a bad region", ('region = "neck"', 'region = "back"'), 22, "custom[0].region", "not allowed"),
    ("too many days a week", ("days_per_week = 3", "days_per_week = 8"), 12, "exercise[0].days_per_week",
     "less than or equal to 7"),
]


@pytest.mark.parametrize("kind, change, line, key, words", BAD, ids=[case[0] for case in BAD])
def test_bad_programs_get_an_error_naming_file_line_and_key(kind, change, line, key, words, tmp_path):
    old, new = change
    text = GOOD.replace(old, new, 1) if old in GOOD else pytest.fail(f"{old!r} not in GOOD")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        read_program(path, BUILT_IN, today=TODAY)
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    if line:
        assert f": line {line}: " in message, message
    if key:
        assert f" {key}: " in message or f": {key}: " in message, message
    assert words in message, message


def test_every_problem_of_a_program_is_named_at_once(tmp_path):
    text = GOOD.replace('id = "chin-tuck"', 'id = "chin-tuk"').replace("[5, 6]", "[5, 60]")
    with pytest.raises(ConfigError) as raised:
        read_program(write(tmp_path, text), BUILT_IN, today=TODAY)
    assert [re.search(r"line (\d+)", line).group(1) for line in str(raised.value).splitlines()] == ["8", "16"]


def test_an_image_beside_the_program_is_accepted_and_copied(tmp_path):
    from postured.program_store import store

    handed = tmp_path / "handed"
    handed.mkdir()
    png(handed / "towel.png")
    path = write(handed, GOOD.replace("repetitions = 4\n", 'repetitions = 4\nimage = "towel.png"\n'))
    program = read_program(path, BUILT_IN, today=TODAY)
    where = store(path, program, tmp_path / "data")
    assert (where.parent / "towel.png").read_bytes() == (path.parent / "towel.png").read_bytes()
    path.unlink()  # the file the clinician handed may go
    stored = load_stored(tmp_path / "data", BUILT_IN)
    assert stored.model_dump() == program.model_dump()
    # The picture the reminder and the guide show is the stored copy.
    from postured.program import rotation

    (towel,) = [e for e in rotation(stored, BUILT_IN) if e.image]
    assert Path(towel.image) == where.parent / "towel.png" and Path(towel.image).is_file()


# ------------------------------------------------------------------ what changes


def test_the_change_names_what_is_added_taken_out_and_limited():
    program = parse_program(GOOD, "p.toml")
    own = [CATALOGUE.by_id(i) for i in ("chin-tuck", "scapular-squeeze", "shoulder-roll")]
    assert changes(own, rotation(program, BUILT_IN)) == [
        "  ~ Chin tuck (chin-tuck): hold 5 up to 10 s -> 5 s; repetitions 5 up to 10 -> 4 up to 8; "
        "days a week any -> at most 3",
        "  ~ Shoulder blade squeeze (scapular-squeeze): repetitions 5 up to 10 -> 5 up to 6; "
        "times a day at most 3 -> at most 1",
        "  + Towel neck glide (towel-neck-glide): repetitions 4; sets 1; times a day at most 1; days a week any",
        "  - Shoulder roll (shoulder-roll)",
    ]


def test_after_the_review_date_the_program_stays_and_is_due_for_review():
    program = parse_program(GOOD, "p.toml")
    assert status_of(program, date(2026, 12, 1))["in_force"] is False
    during = status_of(program, date(2027, 1, 13))
    assert during["in_force"] and not during["review_due"]
    after = status_of(program, date(2027, 1, 14))
    assert after["in_force"] and after["review_due"] and "due for review since Wed 2027-01-13" in after["text"]


# ------------------------------------------------------------------ the coach follows it

WORKDAYS = """
[schedule]
interval = "30m"
days = ["mon", "tue", "wed", "thu", "fri"]
hours = ["09:00-17:00"]
timezone = "Europe/Berlin"
"""


def test_the_coach_follows_the_program_within_its_limits_from_its_start_day():
    program = parse_program(GOOD, "p.toml")
    limits = {e.id: e for e in rotation(program, BUILT_IN)}
    start = at("2026-11-30 08:00")  # Monday; the program starts on Wednesday
    rig = Rig(settings(WORKDAYS), CATALOGUE, BERLIN, start, program=program)
    rig.handle(machine.Start())
    shown: list[tuple[date, str, coach.Dose]] = []
    while rig.alarm.at is not None and rig.alarm.at < start + timedelta(days=35):
        rig.clock.now = rig.alarm.at
        rig.handle(machine.AlarmFired())
        state = rig.engine.state
        if state.phase is machine.Phase.DUE:
            exercise = rig.engine.catalogue.by_id(state.exercise_id)
            shown.append((rig.clock.now.astimezone(BERLIN).date(), exercise.id, rig.engine.dose(exercise)))
            rig.handle(machine.Done("test"))
    before = [row for row in shown if row[0] < program.program.start]
    during = [row for row in shown if row[0] >= program.program.start]
    assert {i for _, i, _ in before} - set(limits), "before its start the config's rotation is used"
    assert {i for _, i, _ in during} == set(limits)  # only its exercises, and all of them
    per_day = Counter((day, i) for day, i, _ in during)
    for (day, exercise_id), count in per_day.items():
        assert count <= coach.daily_cap(limits[exercise_id]), (day, exercise_id, count)
    chin_days = sorted({day for day, i, _ in during if i == "chin-tuck"})
    for day in chin_days:
        assert len([d for d in chin_days if 0 <= (day - d).days < 7]) <= 3, chin_days
    ceiling = {"chin-tuck": 8, "scapular-squeeze": 6, "towel-neck-glide": 4}
    top = defaultdict(int)
    for _, exercise_id, dose in during:
        assert dose.repetitions <= ceiling[exercise_id]
        top[exercise_id] = max(top[exercise_id], dose.repetitions)
    assert top == ceiling  # it rises to the program's most over five weeks, and no further
    # Once the day's limits are reached, no reminder names an exercise beyond them.
    assert max(Counter(day for day, _, _ in during).values()) == 4


def test_break_now_is_refused_once_the_programs_day_is_full():
    program = parse_program(GOOD, "p.toml")
    rig = Rig(settings(WORKDAYS), CATALOGUE, BERLIN, at("2026-12-02 09:00"), program=program)
    rig.handle(machine.Start())
    for _ in range(4):
        assert not rig.handle(machine.BreakNow("test")).refused
        rig.handle(machine.Done("test"))
    refused = rig.handle(machine.BreakNow("test")).refused
    assert refused and "limit for today" in refused
    # Nothing is planned, and the tray says so rather than naming a break that will not come.
    assert rig.engine.state.exercise_id is None
    assert rig.engine.view().status == "Your program's breaks are done for today"
    shown = len(rig.notifier.shown)
    rig.run_until(at("2026-12-02 16:59"))
    assert len(rig.notifier.shown) == shown  # no reminder for the rest of the day
    rig.run_until(at("2026-12-02 23:00"))
    assert rig.engine.view().status == "Off hours — next break Thu 09:30"  # chosen when it comes
    rig.run_until(at("2026-12-03 09:31"))
    assert rig.engine.state.phase is machine.Phase.DUE  # the next day's first break comes
    assert rig.engine.state.exercise_id in {"chin-tuck", "scapular-squeeze", "towel-neck-glide"}


# ------------------------------------------------------------------ through the CLI, with the daemon


def program_for(start: date, exercise: str = "wall-slide", extra: str = "repetitions = 3") -> str:
    return (f'[program]\ntitle = "Test program"\nstart = {start.isoformat()}\n'
            f'review = {(start + timedelta(days=42)).isoformat()}\n\n[[exercise]]\nid = "{exercise}"\n{extra}\n')


@pytest.fixture
def env(tmp_path):
    return private_env(tmp_path)


def answering(env) -> bool:
    return cli(env, "status").returncode == 0


def stored(env) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "postured" / "program"


def test_import_show_remove_with_a_running_daemon_following(tmp_path, env):
    daemon = Daemon(tmp_path, env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        wait_until(lambda: answering(env), "the daemon answering", 20)
        before = status(env)
        assert before["program"] is None and before["exercise"]["id"] != "wall-slide"  # wall-slide needs a wall
        today = datetime.now(timezone.utc).date()
        handed = write(tmp_path, program_for(today), "from-the-physio.toml")

        done = cli(env, "--config", str(daemon.config), "program", "import", str(handed), "--dry-run")
        assert done.returncode == 0, done.stderr
        assert "+ Wall slide (wall-slide): repetitions 3" in done.stdout and "dry run" in done.stdout
        assert not stored(env).exists() and status(env)["program"] is None

        done = cli(env, "--config", str(daemon.config), "program", "import", str(handed))
        assert done.returncode == 0, done.stderr + done.stdout
        assert "The running postured follows it now." in done.stdout
        handed.unlink()  # the copy is what counts
        now = status(env)
        assert now["program"]["title"] == "Test program" and now["program"]["in_force"]
        assert now["exercise"]["id"] == "wall-slide"
        assert cli(env, "break-now").returncode == 0
        due = status(env)
        assert (due["exercise"]["id"], due["dose"]["repetitions"], due["dose"]["levels"]) == ("wall-slide", 3, 1)
        shown = cli(env, "--config", str(daemon.config), "program", "show")
        assert shown.returncode == 0 and "Wall slide (wall-slide): repetitions 3" in shown.stdout
        assert "program: Test program, in force until the review" in cli(env, "status").stdout

        # A bad program changes nothing: not the copy, not what the daemon follows.
        copy = (stored(env) / "program.toml").read_bytes()
        bad = write(tmp_path, program_for(today, extra="repetitions = 30"), "bad.toml")
        done = cli(env, "--config", str(daemon.config), "program", "import", str(bad))
        assert done.returncode == 2 and f"{bad}: line 8: exercise[0].repetitions: 30 is above" in done.stderr
        assert (stored(env) / "program.toml").read_bytes() == copy
        assert sorted(p.name for p in stored(env).parent.iterdir() if p.name.startswith("program")) == ["program"]
        assert status(env)["program"]["title"] == "Test program"

        # A copy broken by hand is refused by the daemon, which keeps following the last good one.
        (stored(env) / "program.toml").write_text(copy.decode().replace("repetitions = 3", "repetitions = 0"))
        refused = cli(env, "reload")
        assert refused.returncode == 1 and "program.toml: line 8: exercise[0].repetitions: 0 is out of range" \
            in refused.stderr, refused.stderr
        kept = status(env)
        assert kept["program"]["title"] == "Test program" and kept["dose"]["repetitions"] == 3
        assert "program.toml: line 8" in kept["config_error"]
        (stored(env) / "program.toml").write_bytes(copy)
        assert cli(env, "reload").returncode == 0 and status(env)["config_error"] is None

        assert cli(env, "done").returncode == 0
        done = cli(env, "--config", str(daemon.config), "program", "remove")
        assert done.returncode == 0 and "- Wall slide (wall-slide)" in done.stdout
        assert not stored(env).exists()
        after = status(env)
        assert after["program"] is None and after["exercise"]["id"] != "wall-slide"
        assert after["config_error"] is None
        assert cli(env, "--config", str(daemon.config), "program", "show").returncode == 1
    finally:
        daemon.stop()


def test_next_previews_the_program_from_its_start_day(tmp_path, env):
    config = write(tmp_path, ALL_DAY.format(interval="30m"), "config.toml")
    start = datetime.now(timezone.utc).date() + timedelta(days=1)
    handed = write(tmp_path, program_for(start, "neck-rotation", "times_per_day = 1"), "p.toml")
    assert cli(env, "--config", str(config), "program", "import", str(handed)).returncode == 0
    done = cli(env, "--config", str(config), "next", "--from", f"{start - timedelta(days=1)}T22:00", "--count", "6",
               "--json")
    rows = json.loads(done.stdout)
    before = [r["exercise"]["id"] for r in rows if r["at"] < start.isoformat() + "T00:00"]
    after = [r["exercise"] and r["exercise"]["id"] for r in rows if r["at"] >= start.isoformat() + "T00:00"]
    assert len(before) == 3 and set(before) - {"neck-rotation"}  # the config's rotation the day before
    assert after == ["neck-rotation", None, None], rows  # once a day, then no break for the rest of it


def test_a_program_imported_while_postured_is_stopped_is_followed_when_it_starts(tmp_path, env):
    config = write(tmp_path, ALL_DAY.format(interval="1h"), "config.toml")
    handed = write(tmp_path, program_for(datetime.now(timezone.utc).date(), "neck-rotation", ""), "p.toml")
    done = cli(env, "--config", str(config), "program", "import", str(handed))
    assert done.returncode == 0 and "postured is not running: it follows this when it starts" in done.stdout
    daemon = Daemon(tmp_path / "d", env, ALL_DAY.format(interval="1h"), args=("run", "--no-tray"))
    try:
        wait_until(lambda: answering(env), "the daemon answering", 20)
        assert status(env)["exercise"]["id"] == "neck-rotation"
    finally:
        daemon.stop()
