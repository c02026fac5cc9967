"""Poses to drawing primitives (postured.pictures.primitives) in a unit square: the figure,
its arrows and highlights, and the props around it (props.py). What both painters draw,
and nothing else; widths are in units of the square, so a picture is the same at 16 px
and at 512 px. Pure: standard library only.
"""

from __future__ import annotations

import math

from postured.pictures import props
from postured.pictures.model import HEAD_R, Figure, Point, Pose, Skeleton, angle_of, skeleton, toward
from postured.pictures.primitives import Circle, Line, Polygon, Primitive
from postured.pictures.props import LIMB

TRUNK_WIDTH = 0.075


def picture(figure: Figure, side: str | None = None) -> list[Primitive]:
    """One still that tells the exercise: the start pose faint, the held pose, arrows between."""
    start, end = figure.start, figure.end(side)
    shapes = props.behind(figure.props, end)
    if end != start:
        shapes += _figure(start, ghost=True)
    shapes += _figure(end)
    shapes += props.in_front(figure.props, end)
    if end != start:
        shapes += motion_arrows(start, end)
    return shapes


def frame(figure: Figure, pose: Pose) -> list[Primitive]:
    """One pose with its props and no arrows: a frame of the guide's animation."""
    return props.behind(figure.props, pose) + _figure(pose) + props.in_front(figure.props, pose)


def pose_still(figure: Figure, name: str) -> list[Primitive]:
    """One named key pose, with the arrows that lead into it from the start (contact sheet)."""
    pose = figure.poses[name]
    shapes = frame(figure, pose)
    if name != "start":
        shapes += motion_arrows(figure.start, pose)
    return shapes


# ---------------------------------------------------------------- the person

def _figure(pose: Pose, ghost: bool = False) -> list[Primitive]:
    body = skeleton(pose)
    role = "ghost" if ghost else "body"
    far = "ghost" if ghost else "far"
    marks = set() if ghost else set(pose.highlight)
    shapes: list[Primitive] = []
    side = pose.view == "side"
    if not ghost:
        shapes += _glows(body, marks)

    def limb(name: str, kind: str, r: str) -> list[Primitive]:
        if kind == "arm":
            chain = (body[f"shoulder_{name}"], body[f"elbow_{name}"], body[f"hand_{name}"])
        else:
            chain = (body[f"hip_{name}"], body[f"knee_{name}"], body[f"ankle_{name}"])
        part = [Line(chain, LIMB, r)]
        if kind == "arm":
            part.append(Circle(chain[2], LIMB * 0.62, r))
            if r == "body":
                # A thin gap around an arm that crosses the body, so it does not melt into
                # the trunk; it starts off the shoulder, which stays joined.
                off = toward(chain[0], angle_of(chain[0], chain[1]), min(0.035, math.dist(chain[0], chain[1])))
                part = [Line((off, chain[1], chain[2]), LIMB + 0.016, "gap"),
                        Circle(chain[2], LIMB * 0.62 + 0.008, "gap")] + part
        else:
            shin = angle_of(chain[1], chain[2])
            if side:
                forward = _foot_angle(shin)
            else:  # front and back: the feet turn out, away from the middle
                outward = angle_of(body["hip"], chain[0])
                forward = outward + ((shin - outward + 180) % 360 - 180) * 0.35
            part.append(Line((chain[2], toward(chain[2], forward, 0.045)), LIMB * 0.8, r))
        return part

    if side:  # the far arm and leg behind the body, a shade lighter
        shapes += limb("r", "leg", far) + limb("r", "arm", far)
        shapes += limb("l", "leg", role)
        shapes += _trunk(body, role)
        shapes += _head(body, pose, role)
        shapes += limb("l", "arm", role)
    else:
        shapes += limb("r", "leg", role) + limb("l", "leg", role)
        shapes += _trunk(body, role)
        shapes += _head(body, pose, role)
        shapes += limb("r", "arm", role) + limb("l", "arm", role)
    if not ghost:
        shapes += _marks(body, pose, marks)
    if pose.weights and not ghost:
        for name in ("r", "l") if not side else ("l",):
            shapes += props.dumbbell(body[f"hand_{name}"], angle_of(body[f"elbow_{name}"], body[f"hand_{name}"]))
    return shapes


def _foot_angle(shin: float) -> float:
    # Feet point the way the person faces: at right angles to the shin, toes forward
    # (for a kneeling or lying figure the toes point away, along the shin's line).
    return shin - 90 if math.cos(math.radians(shin)) < -0.5 else shin


def _trunk(body: Skeleton, role: str) -> list[Primitive]:
    if body.view == "side":
        return [Line(body.spine, TRUNK_WIDTH, role),
                Line((body["neck_base"], body["neck_end"]), LIMB * 0.9, role)]
    torso = (body["shoulder_r"], body["shoulder_l"], body["hip_l"], body["hip_r"])
    shapes: list[Primitive] = [Polygon(torso, role),
                               Line(torso + (torso[0],), LIMB * 0.8, role),
                               Line((body["neck_base"], body["neck_end"]), LIMB * 0.9, role)]
    return shapes


def _head(body: Skeleton, pose: Pose, role: str) -> list[Primitive]:
    head = body["head"]
    shapes: list[Primitive] = [Circle(head, HEAD_R, role)]
    if role == "ghost":
        return shapes
    if body.view == "side":
        # A nose and an eye say which way the face looks.
        look = body.face
        nose = (toward(head, look - 22, HEAD_R * 0.96), toward(head, look + 8, HEAD_R * 1.32),
                toward(head, look + 30, HEAD_R * 0.9))
        shapes.append(Polygon(nose, role))
        shapes.append(Circle(toward(head, look - 30, HEAD_R * 0.5), HEAD_R * 0.13, "face"))
    elif body.view == "front":
        turn, nod = pose.turn, pose.nod
        y = head[1] - HEAD_R * 0.1 + nod * HEAD_R * 0.35
        for dx in (-0.38, 0.38):
            x = head[0] + (dx * math.cos(turn * 1.1) + turn * 0.55) * HEAD_R
            if abs(x - head[0]) < HEAD_R * 0.9:
                shapes.append(Circle((x, y), HEAD_R * 0.12, "face"))
        nose_x = head[0] + turn * HEAD_R * 0.75
        shapes.append(Line(((nose_x, y + HEAD_R * 0.12), (nose_x + turn * HEAD_R * 0.2, y + HEAD_R * 0.38)),
                           HEAD_R * 0.14, "face"))
    return shapes


def _glows(body: Skeleton, marks: set[str]) -> list[Primitive]:
    """A soft patch behind the body part that works."""
    shapes: list[Primitive] = []
    for mark in marks:
        if mark == "neck":
            shapes.append(Circle(_mid(body["neck_base"], body["neck_end"]), HEAD_R * 0.95, "glow"))
        elif mark in ("upper_back", "blades"):
            shapes.append(Circle(body["upper_back"], 0.085, "glow"))
        elif mark == "shoulders":
            for name in ("r", "l"):
                shapes.append(Circle(body[f"shoulder_{name}"], 0.05, "glow"))
        elif mark.startswith("shoulder_") or mark.startswith("hand_") or mark.startswith("elbow_"):
            shapes.append(Circle(body[mark], 0.05, "glow"))
    return shapes


def _marks(body: Skeleton, pose: Pose, marks: set[str]) -> list[Primitive]:
    """Lines drawn over the body: the neck's working side, the shoulder blades."""
    shapes: list[Primitive] = []
    if "neck" in marks:
        # Up to the chin's edge, not over the face.
        edge = toward(body["head"], angle_of(body["head"], body["neck_base"]), HEAD_R * 0.9)
        start = toward(body["neck_base"], angle_of(body["neck_base"], edge), 0.012)
        shapes.append(Line((start, edge), LIMB * 0.75, "highlight"))
    if "blades" in marks and body.view == "back":
        # Two short strokes either side of the spine; they come closer as they squeeze.
        apart = 0.05 - 0.028 * pose.blades
        top = toward(body["neck_base"], pose.trunk + 180, 0.045)
        for s in (1, -1):
            a = toward(top, pose.trunk + 90, s * apart)
            b = toward(toward(a, pose.trunk + 180, 0.075), pose.trunk + 90, -s * 0.012)
            shapes.append(Line((a, b), LIMB * 0.55, "highlight"))
    if "upper_back" in marks and body.view == "side":
        shapes.append(Line(body.spine[4:], TRUNK_WIDTH * 0.45, "highlight"))
    if body.view == "back":
        shapes.append(Line((body["neck_base"], body["hip"]), LIMB * 0.18, "face"))  # the spine
    return shapes


# ---------------------------------------------------------------- arrows

def motion_arrows(start: Pose, end: Pose) -> list[Primitive]:
    """An arrow along the path of each point the end pose names in ``motion``."""
    a, b = skeleton(start), skeleton(end)
    shapes: list[Primitive] = []
    for name in end.motion:
        if name == "turn":
            shapes += _turn_arrow(b["head"], end.turn - start.turn)
            continue
        if name.startswith("push:"):  # "push:POINT:ANGLE": a short arrow into the point
            _, point, angle = name.split(":")
            end_at = toward(b[point], float(angle) + 180, 0.03)
            shapes += arrow(toward(end_at, float(angle) + 180, 0.075), end_at)
            continue
        if name.startswith("circle:"):
            shapes += _circle_arrow(b[name.split(":", 1)[1]])
            continue
        if name not in a.points:
            continue
        p, q = a[name], b[name]
        if math.dist(p, q) < 0.02:
            continue
        # Set the arrow off the body a little, to the side of the path away from the hip.
        direction = angle_of(p, q)
        offset = 0.05 if name not in ("hand_r", "hand_l", "elbow_r", "elbow_l") else 0.035
        normal = direction - 90
        mid = _mid(p, q)
        if math.dist(toward(mid, normal, 0.01), b["hip"]) < math.dist(toward(mid, normal + 180, 0.01), b["hip"]):
            normal += 180
        shapes += arrow(toward(p, normal, offset), toward(q, normal, offset))
    return shapes


def arrow(p: Point, q: Point, width: float = 0.024) -> list[Primitive]:
    direction = angle_of(p, q)
    length = math.dist(p, q)
    head = min(0.055, max(0.035, length * 0.55))
    base = toward(q, direction + 180, head)
    wing = head * 0.62
    tip = (q, toward(base, direction + 90, wing), toward(base, direction - 90, wing))
    return [Line((p, base), width, "arrow"), Polygon(tip, "arrow")]


def _arc(center: Point, radius: float, start: float, end: float, steps: int = 14) -> tuple[Point, ...]:
    return tuple(toward(center, start + (end - start) * i / steps, radius) for i in range(steps + 1))


def _arc_arrow(points: tuple[Point, ...]) -> list[Primitive]:
    q = points[-1]
    direction = angle_of(points[-2], q)
    head = 0.045
    base = toward(q, direction + 180, head)
    tip = Polygon((toward(q, direction, head * 0.35), toward(base, direction + 90, head * 0.62),
                   toward(base, direction - 90, head * 0.62)), "arrow")
    return [Line(points, 0.024, "arrow"), tip]


def _turn_arrow(head: Point, amount: float) -> list[Primitive]:
    """A curved arrow over the head, the way it turns."""
    if abs(amount) < 0.05:
        return []
    sweep = 70 * (1 if amount > 0 else -1)
    return _arc_arrow(_arc(head, HEAD_R * 1.75, -sweep / 2, sweep / 2))


def _circle_arrow(center: Point) -> list[Primitive]:
    return _arc_arrow(_arc(center, 0.07, -40, 250, 20))


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def bounds(shapes: list[Primitive]) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of the person and what they use; the backdrop (a wall, the floor
    line) is left out of the measure, not out of the picture."""
    xs: list[float] = []
    ys: list[float] = []
    for shape in shapes:
        if shape.role in ("wall", "floor"):
            continue
        pad = shape.radius if isinstance(shape, Circle) else getattr(shape, "width", 0.0) / 2
        points = (shape.center,) if isinstance(shape, Circle) else shape.points
        for x, y in points:
            xs += [x - pad, x + pad]
            ys += [y - pad, y + pad]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def figure_bounds(figure: Figure) -> tuple[float, float, float, float] | None:
    """The bounds of every key pose together: an animation zoomed to them never jumps."""
    shapes = [shape for name in figure.poses for shape in pose_still(figure, name)]
    return bounds(shapes)


def fitted(shapes: list[Primitive], margin: float = 0.05,
           box: tuple[float, float, float, float] | None = None) -> list[Primitive]:
    """The same picture zoomed so the person (or ``box``) fills the square: a notification
    shows it at 32-64 px, where the empty room around a figure costs detail."""
    box = box or bounds(shapes)
    if box is None:
        return shapes
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0, 1e-6)
    scale = min(4.0, (1 - 2 * margin) / side)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2

    def move(p: Point) -> Point:
        return (0.5 + (p[0] - cx) * scale, 0.5 + (p[1] - cy) * scale)

    moved: list[Primitive] = []
    for shape in shapes:
        if isinstance(shape, Circle):
            moved.append(Circle(move(shape.center), shape.radius * scale, shape.role))
        elif isinstance(shape, Line):
            moved.append(Line(tuple(move(p) for p in shape.points), shape.width * scale, shape.role))
        else:
            moved.append(Polygon(tuple(move(p) for p in shape.points), shape.role))
    return moved
