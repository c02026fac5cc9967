"""The things an exercise uses, drawn around the figure: wall, chair, bed, mat, ball, post,
band and dumbbells. Pure: standard library only."""

from __future__ import annotations

import math

from postured.pictures.model import Point, Pose, skeleton, toward
from postured.pictures.primitives import Circle, Line, Polygon, Primitive

FLOOR = 0.93
LIMB = 0.042


def behind(props: dict, pose: Pose) -> list[Primitive]:
    shapes: list[Primitive] = []
    side = pose.view == "side"
    floor = FLOOR
    if "wall" in props:
        x = props["wall"]
        if side:
            shapes.append(Polygon(((x, 0.02), (0.99, 0.02), (0.99, floor), (x, floor)), "wall"))
        else:  # seen from the front or back: the wall is the backdrop
            shapes.append(Polygon(((0.08, 0.02), (0.92, 0.02), (0.92, floor), (0.08, floor)), "wall"))
    if "mat" in props:  # seen from above: the mat under a person lying down
        x0, y0, x1, y1 = props["mat"]
        shapes.append(Polygon(((x0, y0), (x1, y0), (x1, y1), (x0, y1)), "wall"))
    if "bed" in props:
        x0, x1 = props["bed"]
        top = floor - 0.09
        shapes.append(Polygon(((x0, top), (x1, top), (x1, floor - 0.02), (x0, floor - 0.02)), "prop"))
        for x in (x0 + 0.02, x1 - 0.02):
            shapes.append(Line(((x, floor - 0.02), (x, floor)), 0.025, "prop"))
    if "pillow" in props:
        x, y = props["pillow"]
        shapes.append(Polygon(tuple((x + 0.07 * math.cos(a / 8 * math.pi), y + 0.022 * math.sin(a / 8 * math.pi))
                                    for a in range(16)), "band_soft"))
    if "post" in props:
        x = props["post"]
        shapes.append(Polygon(((x - 0.02, 0.3), (x + 0.02, 0.3), (x + 0.02, floor), (x - 0.02, floor)), "prop"))
    if "ball" in props:
        x, y, r = props["ball"]
        shapes.append(Circle((x, y), r, "ball"))
    if "chair" in props:
        shapes += _chair(pose, floor)
    if "rug" in props:
        x0, x1 = props["rug"]
        shapes.append(Polygon(((x0, floor - 0.012), (x1, floor - 0.012), (x1, floor + 0.004), (x0, floor + 0.004)),
                              "ball"))
    if props.get("floor", True):
        shapes.append(Line(((0.04, floor + 0.012), (0.96, floor + 0.012)), 0.018, "floor"))
    return shapes


def _chair(pose: Pose, floor: float) -> list[Primitive]:
    x, y = pose.hip
    seat = y + 0.045
    if pose.view == "side":
        front, back = x + 0.13, x - 0.09
        return [Line(((back, seat), (front, seat)), 0.03, "prop"),
                Line(((back, seat), (back - 0.02, y - 0.2)), 0.03, "prop"),
                Line(((back + 0.01, seat), (back + 0.01, floor)), 0.022, "prop"),
                Line(((front - 0.01, seat), (front - 0.01, floor)), 0.022, "prop")]
    return [Line(((x - 0.15, seat), (x + 0.15, seat)), 0.03, "prop"),
            Line(((x - 0.13, seat), (x - 0.13, floor)), 0.022, "prop"),
            Line(((x + 0.13, seat), (x + 0.13, floor)), 0.022, "prop")]


def in_front(props: dict, pose: Pose) -> list[Primitive]:
    if len(pose.band) != 2:
        return []
    body = skeleton(pose)
    ends = [body[p] if isinstance(p, str) else (float(p[0]), float(p[1])) for p in pose.band]
    return [Line(tuple(ends), 0.016, "band")]


def dumbbell(hand: Point, along: float) -> list[Primitive]:
    a, b = toward(hand, along + 90, 0.035), toward(hand, along - 90, 0.035)
    return [Line((a, b), LIMB * 0.35, "prop"), Circle(a, 0.02, "prop"), Circle(b, 0.02, "prop")]
