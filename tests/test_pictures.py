"""Pictures of the exercises: every catalogue exercise has poses and draws at any size; the
guide's figure follows the count (explicit times); the reminder's body fits every server;
the cached PNG is drawn once; the daemon does not load the renderer before a reminder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import settings
from PIL import Image, ImageChops

from postured import i18n
from postured.catalogue import load_catalogue
from postured.config import ConfigError, parse_settings
from postured.core import coach, view
from postured.guide.motion import FRAME_SECONDS, MOVE_SECONDS, pose_at
from postured.guide.session import Dose, Phase, Session
from postured.pictures import cache
from postured.pictures.draw import frame, picture, pose_still
from postured.pictures.model import NEUTRAL, PoseError, blend, figures_from, load_figures, skeleton
from postured.pictures.pillow_painter import paint

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()
FIGURES = load_figures()


def body_share(image: Image.Image) -> float:
    """The share of pixels drawn in the body's dark colour (after anti-aliasing: near it)."""
    return sum(image.convert("L").histogram()[:110]) / (image.width * image.height)


def changed_share(a: Image.Image, b: Image.Image) -> float:
    difference = ImageChops.difference(a.convert("L"), b.convert("L"))
    return sum(difference.histogram()[41:]) / (a.width * a.height)


# ---------------------------------------------------------------- every exercise, drawn


def test_every_catalogue_exercise_has_a_start_and_a_held_pose():
    assert sorted(FIGURES) == sorted(e.id for e in CATALOGUE.exercises)
    for exercise in CATALOGUE.exercises:
        figure = FIGURES[exercise.id]
        assert "start" in figure.poses and figure.ends, exercise.id
        if exercise.per_side:  # one held pose for each side, mirrored
            assert {"right", "left"} <= set(figure.poses), exercise.id


@pytest.mark.parametrize("size", [64, 256])
@pytest.mark.parametrize("exercise_id", sorted(FIGURES))
def test_every_exercise_draws_a_figure_at_64_and_256_px(exercise_id, size):
    figure = FIGURES[exercise_id]
    still = paint(picture(figure), size)
    assert still.size == (size, size)
    assert body_share(still) > 0.04, "the picture is (almost) blank"
    # The held pose is not the start pose: the picture shows a movement.
    start = paint(pose_still(figure, "start"), size)
    for name in figure.ends:
        assert changed_share(start, paint(pose_still(figure, name), size)) > 0.005, (exercise_id, name)


def test_a_neutral_figure_for_a_custom_exercise_without_a_picture():
    mine = settings("""
[[exercises.custom]]
id = "kneeling-squeeze"
name = "Kneeling squeeze"
region = "upper back"
position = "kneeling"
steps = ["Kneel tall and draw the shoulder blades together gently."]
[[exercises.custom]]
id = "my-tuck"
name = "My tuck"
region = "neck"
position = "seated"
steps = ["Tuck."]
figure = "chin-tuck"
[[exercises.custom]]
id = "odd"
name = "Odd"
region = "neck"
position = "seated"
steps = ["Tuck."]
figure = "no-such-exercise"
""")
    plain, borrowed, unknown = (c.to_exercise() for c in mine.exercises.custom)
    assert cache.figure_for(plain) is NEUTRAL
    assert cache.figure_for(borrowed) == FIGURES["chin-tuck"]
    assert cache.figure_for(unknown) is NEUTRAL  # never an error: just the neutral figure
    assert body_share(paint(picture(NEUTRAL), 64)) > 0.04


def test_a_custom_exercise_may_bring_its_own_image(tmp_path):
    own = tmp_path / "stretch.png"
    Image.new("RGB", (8, 8), "white").save(own)
    text = f"""
[[exercises.custom]]
id = "mine"
name = "Mine"
region = "neck"
position = "seated"
steps = ["Tuck."]
image = "{own}"
"""
    exercise = parse_settings(text, "/c.toml").exercises.custom[0].to_exercise()
    assert cache.picture_path(exercise, 128, tmp_path / "cache") == str(own)
    with pytest.raises(ConfigError, match=r"line 8: exercises.custom\[0\].image: .*no such file"):
        parse_settings(text.replace(str(own), str(tmp_path / "gone.png")), "/c.toml")
    with pytest.raises(ConfigError, match=r"image: .*not a full path"):
        parse_settings(text.replace(str(own), "stretch.png"), "/c.toml")


def test_a_broken_poses_entry_names_where():
    with pytest.raises(PoseError, match=r"exercise.x.pose.end: unknown key 'elbow'"):
        figures_from({"exercise": {"x": {"pose": {"start": {}, "end": {"elbow": 3}}}}})
    with pytest.raises(PoseError, match=r"exercise.x.base: no base posture 'sitting'"):
        figures_from({"exercise": {"x": {"base": "sitting", "pose": {"start": {}}}}})
    with pytest.raises(PoseError, match=r"exercise.x.pose.start.hip: expected two numbers"):
        figures_from({"exercise": {"x": {"pose": {"start": {"hip": [1]}}}}})


def test_the_other_side_is_the_mirror_of_the_first():
    figure = FIGURES["neck-rotation"]
    right, left = skeleton(figure.poses["right"]), skeleton(figure.poses["left"])
    centre = figure.start.hip[0]
    assert right["nose"][0] < centre < left["nose"][0]  # front view: the person's right is our left
    assert right["nose"][0] == pytest.approx(2 * centre - left["nose"][0])


# ---------------------------------------------------------------- the cache


def test_a_picture_is_drawn_once_per_exercise_and_size(tmp_path):
    chin = CATALOGUE.by_id("chin-tuck")
    first = cache.picture_path(chin, 128, tmp_path)
    stamp = os.stat(first).st_mtime_ns
    assert cache.picture_path(chin, 128, tmp_path) == first and os.stat(first).st_mtime_ns == stamp
    other = cache.picture_path(chin, 64, tmp_path)
    assert other != first and Image.open(other).size == (64, 64)
    assert Image.open(first).size == (128, 128)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(first).name, Path(other).name])


def test_a_picture_that_cannot_be_saved_is_one_log_line_and_no_picture(tmp_path, caplog):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert cache.picture_path(CATALOGUE.by_id("chin-tuck"), 128, blocked / "pictures") == ""
    assert "could not save the exercise picture" in caplog.text


def test_the_daemon_loads_no_renderer_until_a_reminder_is_shown():
    code = ("import sys, postured.app, postured.engine, postured.adapters.notify_actions; "
            "print(sorted(m for m in sys.modules if m.startswith(('postured.pictures', 'PIL'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- the guide's animation


def test_the_figure_moves_into_the_hold_stays_there_and_moves_back_out():
    figure = FIGURES["chin-tuck"]
    ready = Session(Dose(hold_seconds=5, repetitions=2))
    assert pose_at(figure, ready, 100.0) == (figure.start, None)  # still: no frames booked

    holding = ready.next(100.0)
    moving, next_in = pose_at(figure, holding, 100.0 + MOVE_SECONDS / 2)
    assert next_in == FRAME_SECONDS
    halfway = blend(figure.start, figure.end(), 0.5)
    assert moving.neck == pytest.approx(halfway.neck) and moving.head_shift == pytest.approx(halfway.head_shift)
    assert figure.end().neck < moving.neck < figure.start.neck
    assert pose_at(figure, holding, 100.0 + MOVE_SECONDS) == (figure.end(), None)
    assert pose_at(figure, holding, 104.9) == (figure.end(), None)  # held while it counts down

    resting = holding.tick(105.0)
    assert resting.phase is Phase.RESTING
    assert pose_at(figure, resting, 105.0)[0] == figure.end()
    assert pose_at(figure, resting, 105.0 + MOVE_SECONDS / 2)[1] == FRAME_SECONDS
    assert pose_at(figure, resting, 105.0 + MOVE_SECONDS) == (figure.start, None)
    # The rest runs into the second hold by itself: in again.
    second = resting.tick(108.0)
    assert second.phase is Phase.HOLDING
    assert pose_at(figure, second, 108.0 + MOVE_SECONDS) == (figure.end(), None)
    finished = second.tick(113.0)
    assert finished.finished and pose_at(figure, finished, 200.0) == (figure.start, None)


def test_the_figure_turns_to_the_side_the_counter_names():
    figure = FIGURES["neck-rotation"]
    session = Session(Dose(hold_seconds=5, repetitions=1, per_side=True)).next(0.0)
    assert session.side == "right"
    assert pose_at(figure, session, 2.0)[0] == figure.poses["right"]
    resting = session.tick(5.0)  # back from the right, then the left
    assert resting.side == "left"
    assert pose_at(figure, resting, 5.0)[0] == figure.poses["right"]
    assert pose_at(figure, resting, 5.0 + MOVE_SECONDS)[0] == figure.start
    left = resting.tick(8.0)
    assert pose_at(figure, left, 10.0)[0] == figure.poses["left"]


def test_counted_repetitions_loop_the_movement_and_rest_between_moves():
    figure = FIGURES["wall-slide"]
    session = Session(Dose(repetitions=10))
    assert not session.timed
    still_in, wait_in = pose_at(figure, session, 1.5)  # in the held part of the loop
    assert still_in == figure.end() and wait_in > 0.3
    moving, wait = pose_at(figure, session, 0.6)
    assert moving not in (figure.start, figure.end()) and wait == FRAME_SECONDS


def test_a_frame_is_drawn_from_any_blended_pose():
    figure = FIGURES["levator-scapulae-stretch"]
    for t in (0.0, 0.3, 0.7, 1.0):
        shapes = frame(figure, blend(figure.start, figure.poses["right"], t))
        assert body_share(paint(shapes, 64)) > 0.04


# ---------------------------------------------------------------- the reminder's body


@pytest.mark.parametrize("language", i18n.SHIPPED)
def test_every_reminder_body_fits_what_every_server_shows(language):
    """The limits in README ("Reminders"): 3 lines of at most 42 characters (GNOME Shell's
    banner is the smallest); the dose, one cue and the key caution, at every step of the dose,
    in every language shipped (the catalogue read in it; a language not compiled reads English)."""
    i18n.use(language)
    try:
        catalogue = load_catalogue()
        bodies = [(exercise, view.reminder_body(exercise, coach.dose_text(exercise, step)))
                  for exercise in catalogue.exercises for step in coach.ladder(exercise)]
    finally:
        i18n.use("en", "en_GB")
    for exercise, body in bodies:
        lines = body.splitlines()
        assert len(lines) <= view.BODY_LINES, (language, exercise.id, body)
        assert all(len(line) <= view.BODY_LINE_CHARS for line in lines), (language, exercise.id, body)
        assert exercise.key_caution in lines and exercise.cue in lines, (language, exercise.id)
        assert "…" not in body, (language, body)  # the catalogue's own lines are never cut


def test_a_long_custom_step_is_shortened_at_a_word():
    assert view.short("Kneel tall and draw the shoulder blades together gently.") == \
        "Kneel tall and draw the shoulder blades…"
    assert view.short("Short.") == "Short."
    # French typography: the no-break space before ";" is kept, so the catalogue's line is shown as written
    assert view.short("Sans forcer\u00a0; doucement.") == "Sans forcer\u00a0; doucement."


# ---------------------------------------------------------------- the engine hands it over


def test_the_engine_sends_each_reminder_with_its_picture_and_without_one_if_drawing_fails(caplog):
    from conftest import BERLIN, at
    from fakes import Rig

    from postured.core import machine

    config = settings('[schedule]\ninterval = "30m"\ndays = ["mon"]\nhours = ["09:00-17:00"]\n')
    rig = Rig(config, CATALOGUE, BERLIN, at("2026-03-23 08:55"))
    rig.engine.picture = lambda exercise: f"/cache/{exercise.id}.png"
    rig.handle(machine.Start())
    rig.run_until(at("2026-03-23 09:31"))
    assert rig.notifier.images == [f"/cache/{rig.engine.state.exercise_id}.png"]

    def broken(exercise):
        raise OSError("disk full")

    rig.engine.picture = broken
    rig.handle(machine.Done("tray"))
    rig.run_until(at("2026-03-23 10:02"))
    reminders = [title for title, _body in rig.notifier.shown if title.startswith("Posture break:")]
    assert len(reminders) == 2 and rig.notifier.images[-1] == ""  # the reminder still comes
    assert "could not draw the picture" in caplog.text
