"""Paints primitives on a Tk canvas (the guide window's animation).

Each frame replaces the canvas items under one tag; a Tk canvas has no alpha, so the
roles map to flat colours (the same as Pillow's, without the transparency).
"""

from __future__ import annotations

from postured.pictures.primitives import Circle, Line, Polygon, Primitive
from postured.pictures.pillow_painter import COLOURS

TAG = "figure"


def _hex(rgba) -> str:
    return "#%02x%02x%02x" % tuple(rgba[:3])


HEX = {role: _hex(colour) for role, colour in COLOURS.items()}


def paint(canvas, shapes: list[Primitive], size: int, x0: int = 0, y0: int = 0) -> None:
    canvas.delete(TAG)
    canvas.create_rectangle(x0, y0, x0 + size, y0 + size, fill=HEX["background"], width=0, tags=TAG)

    def at(point) -> list[float]:
        return [x0 + point[0] * size, y0 + point[1] * size]

    for shape in shapes:
        colour = HEX.get(shape.role, HEX["body"])
        if isinstance(shape, Line):
            coords = [c for p in shape.points for c in at(p)]
            canvas.create_line(*coords, fill=colour, width=max(1.0, shape.width * size),
                               capstyle="round", joinstyle="round", tags=TAG)
        elif isinstance(shape, Circle):
            x, y = at(shape.center)
            r = shape.radius * size
            canvas.create_oval(x - r, y - r, x + r, y + r, fill=colour, width=0, tags=TAG)
        elif isinstance(shape, Polygon):
            coords = [c for p in shape.points for c in at(p)]
            canvas.create_polygon(*coords, fill=colour, width=0, tags=TAG)
