"""The figure model: a pose is a few joint angles; ``skeleton`` turns it into points.

Coordinates are a unit square, x to the right, y down. Angles are degrees clockwise
from straight up (0 up, 90 right, 180 down). In the side view the person faces right
and every angle is as drawn. In the front and back views each arm and leg is given as
if it were the one on the viewer's right ("outward" is positive) and mirrored for the
other, so a symmetric pose reads the same numbers on both sides, and relative to the
trunk (a person lying face down seen from above is the back view with trunk = 90). Arms may instead name
where the hand goes (``hand_r = [x, y]``): a two-bone solver bends the elbow.

Pure: standard library only.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources

VIEWS = ("side", "front", "back")

# Segment lengths, in units of the square (a standing figure is about 0.86 tall).
TRUNK = 0.27
NECK = 0.05
HEAD_R = 0.062
UPPER_ARM = 0.135
FOREARM = 0.125
THIGH = 0.2
SHIN = 0.2
SHOULDER_HALF = 0.085  # front and back views
HIP_HALF = 0.042

Point = tuple[float, float]


@dataclass(frozen=True)
class Pose:
    view: str = "side"
    hip: Point = (0.5, 0.5)
    trunk: float = 0.0
    round: float = 0.0  # how far the upper back bows (side view), share of the trunk's length
    neck: float = 0.0
    head: float = 0.0
    head_shift: Point = (0.0, 0.0)  # the head slides without turning (a chin tuck)
    turn: float = 0.0  # front view: -1 the face turned to the viewer's left .. 1 right
    nod: float = 0.0  # front view: 0 level .. 1 chin on the chest
    shoulders: Point = (0.0, 0.0)  # both shoulders moved: (+ forward / outward, + down)
    blades: float = 0.0  # back view: 0 apart .. 1 squeezed together
    arm_r: tuple[float, float] = (180.0, 180.0)  # upper arm, forearm
    arm_l: tuple[float, float] = (180.0, 180.0)
    hand_r: Point | None = None  # where the hand goes; overrides arm_r
    hand_l: Point | None = None
    leg_r: tuple[float, float] = (180.0, 180.0)  # thigh, shin
    leg_l: tuple[float, float] = (180.0, 180.0)
    highlight: tuple[str, ...] = ()  # body parts to mark: neck, blades, upper_back, shoulders, arms
    motion: tuple[str, ...] = ()  # points whose path from the start pose gets an arrow
    band: tuple = ()  # two points (names or [x, y]) joined by an elastic band
    weights: bool = False  # a dumbbell in each hand


@dataclass(frozen=True)
class Figure:
    """An exercise's picture: its props and key poses (start, end or right/left)."""

    exercise_id: str
    props: dict = field(default_factory=dict)
    poses: dict[str, Pose] = field(default_factory=dict)

    @property
    def start(self) -> Pose:
        return self.poses["start"]

    def end(self, side: str | None = None) -> Pose:
        """The held pose; for an exercise done on each side, that side's."""
        if side and side in self.poses:
            return self.poses[side]
        for name in ("end", "right", "left"):
            if name in self.poses:
                return self.poses[name]
        return self.start

    @property
    def ends(self) -> list[str]:
        return [name for name in self.poses if name != "start"]


NEUTRAL = Figure("neutral", {}, {"start": Pose(view="front")})


# ---------------------------------------------------------------- loading the data

_TUPLES = {"hip", "head_shift", "shoulders", "arm_r", "arm_l", "hand_r", "hand_l", "leg_r", "leg_l"}
_NAMES = {"highlight", "motion"}
_FIELDS = {f.name for f in fields(Pose)}


class PoseError(ValueError):
    """A poses.toml entry that cannot be drawn; the message names where."""


def pose_from(values: dict, where: str, base: Pose = Pose()) -> Pose:
    changes = {}
    for key, value in values.items():
        if key not in _FIELDS:
            raise PoseError(f"{where}: unknown key {key!r}")
        if key in _TUPLES:
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)):
                raise PoseError(f"{where}.{key}: expected two numbers, got {value!r}")
            value = (float(value[0]), float(value[1]))
        elif key in _NAMES:
            value = tuple(value)
        elif key == "band":
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        elif key == "view" and value not in VIEWS:
            raise PoseError(f"{where}.view: {value!r} is not one of {', '.join(VIEWS)}")
        changes[key] = value
    return replace(base, **changes)


def figures_from(data: dict) -> dict[str, Figure]:
    """Figures from the parsed poses.toml: ``[base.NAME]`` postures, ``[exercise.ID]``
    with ``base``, ``props`` and ``[exercise.ID.pose.NAME]`` changes to the base."""
    bases = {name: pose_from(values, f"base.{name}") for name, values in data.get("base", {}).items()}
    figures = {}
    for exercise_id, entry in data.get("exercise", {}).items():
        where = f"exercise.{exercise_id}"
        base = bases.get(entry.get("base", ""), Pose())
        if "base" in entry and entry["base"] not in bases:
            raise PoseError(f"{where}.base: no base posture {entry['base']!r}")
        poses: dict[str, Pose] = {}
        for name, values in entry.get("pose", {}).items():
            values = dict(values)
            mirror = values.pop("mirror", None)
            if mirror is not None:
                if mirror not in poses:
                    raise PoseError(f"{where}.pose.{name}.mirror: no earlier pose {mirror!r}")
                poses[name] = pose_from(values, f"{where}.pose.{name}", mirrored(poses[mirror]))
            else:
                start = poses.get("start", base)
                poses[name] = pose_from(values, f"{where}.pose.{name}", start)
        if "start" not in poses:
            raise PoseError(f"{where}: no start pose")
        figures[exercise_id] = Figure(exercise_id, dict(entry.get("props", {})), poses)
    return figures


def load_figures() -> dict[str, Figure]:
    text = resources.files("postured.catalogue").joinpath("poses.toml").read_text(encoding="utf-8")
    return figures_from(tomllib.loads(text))


# ---------------------------------------------------------------- between poses

def _swap(name: str) -> str:
    return name[:-2] + {"_r": "_l", "_l": "_r"}[name[-2:]] if name[-2:] in ("_r", "_l") else name


def mirrored(pose: Pose) -> Pose:
    """The pose done to the other side (front and back views): left and right change places."""
    cx = pose.hip[0]

    def flip(point):
        return None if point is None else (2 * cx - point[0], point[1])

    return replace(
        pose, trunk=-pose.trunk, neck=-pose.neck, head=-pose.head, turn=-pose.turn,
        head_shift=(-pose.head_shift[0], pose.head_shift[1]),
        arm_r=pose.arm_l, arm_l=pose.arm_r, hand_r=flip(pose.hand_l), hand_l=flip(pose.hand_r),
        leg_r=pose.leg_l, leg_l=pose.leg_r,
        highlight=tuple(_swap(n) for n in pose.highlight), motion=tuple(_swap(n) for n in pose.motion),
        band=tuple(_swap(p) if isinstance(p, str) else flip(p) for p in pose.band),
    )


def blend(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a share ``t`` (0..1) of the way from ``a`` to ``b``; words come from the nearer."""
    t = min(1.0, max(0.0, t))
    if t == 0.0:
        return a
    if t == 1.0:
        return b
    near = a if t < 0.5 else b
    changes = {}
    for f in fields(Pose):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, int | float) and isinstance(y, int | float) and not isinstance(x, bool):
            changes[f.name] = x + (y - x) * t
        elif f.name in _TUPLES and x is not None and y is not None:
            changes[f.name] = (x[0] + (y[0] - x[0]) * t, x[1] + (y[1] - x[1]) * t)
        elif f.name in ("hand_r", "hand_l") and (x is None) != (y is None):
            changes[f.name] = None  # one pose places the hand, the other bends the arm: use angles
        else:
            changes[f.name] = getattr(near, f.name)
    return replace(a, **changes)


# ---------------------------------------------------------------- where the joints are

def toward(point: Point, angle: float, length: float) -> Point:
    rad = math.radians(angle)
    return (point[0] + math.sin(rad) * length, point[1] - math.cos(rad) * length)


def angle_of(a: Point, b: Point) -> float:
    return math.degrees(math.atan2(b[0] - a[0], -(b[1] - a[1])))


@dataclass(frozen=True)
class Skeleton:
    view: str
    points: dict[str, Point]  # hip, neck_base, head, chin, shoulder_r/l, elbow_r/l, hand_r/l, ...
    spine: tuple[Point, ...]  # hip to neck base, bowed where the back rounds
    face: float  # side view: the way the face looks (an angle); front view: the turn

    def __getitem__(self, name: str) -> Point:
        return self.points[name]


def _reach(shoulder: Point, hand: Point, bend: float) -> tuple[Point, Point]:
    """Elbow and hand for a hand placed at ``hand`` (clamped to the arm's reach)."""
    a, b = UPPER_ARM, FOREARM
    dx, dy = hand[0] - shoulder[0], hand[1] - shoulder[1]
    distance = max(1e-6, min(math.hypot(dx, dy), a + b - 1e-4))
    direction = angle_of(shoulder, hand)
    cos_inner = (a * a + distance * distance - b * b) / (2 * a * distance)
    inner = math.degrees(math.acos(max(-1.0, min(1.0, cos_inner))))
    elbow = toward(shoulder, direction + bend * inner, a)
    return elbow, toward(shoulder, direction, distance)


def skeleton(pose: Pose) -> Skeleton:
    side = pose.view == "side"
    hip = pose.hip
    trunk_end = toward(hip, pose.trunk, TRUNK)
    # The spine: a gentle bow toward the back where the upper back rounds.
    middle = toward(toward(hip, pose.trunk, TRUNK * 0.55), pose.trunk - 90, pose.round * TRUNK)
    spine = tuple(_bezier(hip, middle, trunk_end, i / 8) for i in range(9))
    neck_base = spine[-1]
    neck_end = toward(neck_base, pose.neck, NECK)
    head = toward(neck_end, pose.head, HEAD_R * 0.95)
    head = (head[0] + pose.head_shift[0], head[1] + pose.head_shift[1])
    if not side:
        head = (head[0], head[1] + pose.nod * HEAD_R * 0.35)
    points = {"hip": hip, "neck_base": neck_base, "neck_end": neck_end, "head": head,
              "upper_back": spine[6]}
    # The shoulders sit a little below the neck's base, to the sides in front and back views.
    shoulder_mid = toward(neck_base, pose.trunk + 180, 0.02)
    across = pose.trunk + 90
    turned = 0.0 if side else pose.trunk  # front and back: limbs turn with the body (lying seen from above)
    for name, sign in (("r", 1), ("l", -1)):
        s = 1 if side else (sign if pose.view == "back" else -sign)  # which side of the picture
        width = 0.0 if side else SHOULDER_HALF
        shoulder = toward(shoulder_mid, across, s * width)
        dx, dy = pose.shoulders
        if side:
            shoulder = toward(toward(shoulder, pose.trunk + 90, dx), pose.trunk + 180, dy)
        else:
            shoulder = toward(toward(shoulder, across, s * dx), pose.trunk + 180, dy)
        upper, fore = getattr(pose, f"arm_{name}")
        target = getattr(pose, f"hand_{name}")
        if target is not None:
            elbow, hand = _reach(shoulder, target, bend=s)  # elbows bend outward / down
        else:
            elbow = toward(shoulder, turned + s * upper, UPPER_ARM)
            hand = toward(elbow, turned + s * fore, FOREARM)
        hip_point = toward(hip, across, s * (0.0 if side else HIP_HALF))
        thigh, shin = getattr(pose, f"leg_{name}")
        knee = toward(hip_point, turned + s * thigh, THIGH)
        ankle = toward(knee, turned + s * shin, SHIN)
        points.update({f"shoulder_{name}": shoulder, f"elbow_{name}": elbow, f"hand_{name}": hand,
                       f"hip_{name}": hip_point, f"knee_{name}": knee, f"ankle_{name}": ankle})
    face = pose.head + 90 if side else pose.turn
    if side:
        points["chin"] = toward(head, pose.head + 140, HEAD_R)
        points["nose"] = toward(head, pose.head + 90, HEAD_R * 1.2)
    else:
        points["nose"] = (head[0] + pose.turn * HEAD_R * 0.8, head[1])
    points["blades"] = spine[6]
    for name, s in (("r", 1 if pose.view != "front" else -1), ("l", -1 if pose.view != "front" else 1)):
        points[f"blade_{name}"] = toward(spine[6], pose.trunk + 90, s * (0.05 - 0.028 * pose.blades))
    return Skeleton(pose.view, points, spine, face)


def _bezier(a: Point, control: Point, b: Point, t: float) -> Point:
    # A quadratic curve through ``control``'s pull (used as a control point of 2x weight).
    u = 1 - t
    return (u * u * a[0] + 2 * u * t * control[0] + t * t * b[0],
            u * u * a[1] + 2 * u * t * control[1] + t * t * b[1])
