"""The drawing primitives both painters know: lines, circles, polygons in a unit square.

A primitive names a ``role`` (body, far, ghost, highlight, arrow, prop, band, floor, ...),
not a colour; each painter maps roles to its colours. Widths are in units of the square.
"""

from __future__ import annotations

from dataclasses import dataclass

from postured.pictures.model import Point


@dataclass(frozen=True)
class Line:
    points: tuple[Point, ...]
    width: float
    role: str


@dataclass(frozen=True)
class Circle:
    center: Point
    radius: float
    role: str


@dataclass(frozen=True)
class Polygon:
    points: tuple[Point, ...]
    role: str


Primitive = Line | Circle | Polygon

ROLES = ("background", "wall", "floor", "prop", "ball", "band_soft", "glow", "ghost", "far", "gap", "body",
         "face", "highlight", "band", "arrow")
