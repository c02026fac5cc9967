"""Paints primitives with Pillow: drawn four times larger, then scaled down, so the edges
are smooth at any size (Pillow's own lines are not anti-aliased)."""

from __future__ import annotations

from PIL import Image, ImageDraw

from postured.pictures.primitives import Circle, Line, Polygon, Primitive

SUPERSAMPLE = 4

# role -> RGBA
COLOURS = {
    "background": (247, 245, 240, 255),
    "wall": (226, 221, 211, 255),
    "floor": (150, 145, 138, 255),
    "prop": (176, 141, 99, 255),
    "ball": (120, 170, 215, 255),
    "band_soft": (238, 232, 222, 255),
    "glow": (255, 200, 140, 255),
    "ghost": (205, 210, 216, 255),
    "far": (128, 142, 158, 255),
    "gap": (247, 245, 240, 255),  # the background's colour: a gap between body parts
    "body": (38, 52, 70, 255),
    "face": (247, 245, 240, 255),
    "highlight": (232, 110, 30, 255),
    "band": (36, 160, 90, 255),
    "arrow": (30, 120, 200, 255),
}


def paint(shapes: list[Primitive], size: int | tuple[int, int], background: bool = True,
          colours: dict = COLOURS) -> Image.Image:
    """An RGBA image of ``size`` px (the unit square fills it; a wider size centres it)."""
    width, height = (size, size) if isinstance(size, int) else size
    scale = SUPERSAMPLE if min(width, height) < 1024 else 1
    big = Image.new("RGBA", (width * scale, height * scale),
                    colours["background"] if background else (0, 0, 0, 0))
    pen = ImageDraw.Draw(big)
    side = min(width, height) * scale
    ox, oy = (width * scale - side) / 2, (height * scale - side) / 2

    def at(point) -> tuple[float, float]:
        return (ox + point[0] * side, oy + point[1] * side)

    for shape in shapes:
        colour = colours.get(shape.role, colours["body"])
        if isinstance(shape, Line):
            points = [at(p) for p in shape.points]
            w = max(1, round(shape.width * side))
            pen.line(points, fill=colour, width=w, joint="curve")
            for p in (points[0], points[-1]):  # round caps
                pen.ellipse((p[0] - w / 2, p[1] - w / 2, p[0] + w / 2, p[1] + w / 2), fill=colour)
        elif isinstance(shape, Circle):
            x, y = at(shape.center)
            r = shape.radius * side
            pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif isinstance(shape, Polygon):
            pen.polygon([at(p) for p in shape.points], fill=colour)
    if scale == 1:
        return big
    return big.resize((width, height), Image.Resampling.LANCZOS)
