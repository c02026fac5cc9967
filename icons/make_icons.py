"""Draws the tray icons, one per state: python icons/make_icons.py (needs Pillow).

Each state has its own shape, so it reads at panel size (16-32 px) and without colour:

    waiting    a round badge with a person standing tall      (all well, next break planned)
    due        a triangle with a person stretching, arms up   (a break is due now)
    snoozed    a crescent moon with a big Z cut out           (pushed back a little)
    paused     a round badge with two bars cut out of it      (reminders paused)
    off_hours  a clock: an open ring with two hands           (outside work hours)

Every shape has a rim of the opposite brightness (dark fills a light rim, light fills a
dark rim), so it stands out on light and on dark panels. Drawn 8x larger and scaled down
at each size: icons/<state>.png is 64 px (what the tray loads, HiDPI panels included);
`--sizes` also writes a preview of 16-32 px on light and dark panels (docs/tray-icons.png).
tests/test_icons.py checks at 16 px that every pair of states differs in shape.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

STATES = ("waiting", "due", "snoozed", "paused", "off_hours")
SIZE = 64  # the shipped PNGs
SUPERSAMPLE = 8

FILL = {
    "waiting": (46, 125, 50),     # green
    "due": (230, 81, 0),          # orange
    "snoozed": (249, 168, 37),    # amber
    "paused": (97, 97, 97),       # grey
    "off_hours": (176, 190, 197),  # light slate
}
LIGHT = (255, 255, 255, 255)
DARK = (33, 33, 33, 255)
PANELS = {"light": (242, 242, 242), "dark": (40, 40, 44)}


def _rim_and_ink(state: str) -> tuple[tuple, tuple]:
    r, g, b = FILL[state]
    bright = 0.299 * r + 0.587 * g + 0.114 * b > 140
    return (DARK, DARK) if bright else (LIGHT, LIGHT)


def draw(state: str, size: int = SIZE) -> Image.Image:
    """The icon of ``state`` at ``size`` px, on a transparent background."""
    k = size * SUPERSAMPLE / 64  # shapes are laid out on a 64-unit grid
    image = Image.new("RGBA", (size * SUPERSAMPLE,) * 2, (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    fill = FILL[state] + (255,)
    rim, ink = _rim_and_ink(state)
    clear = (0, 0, 0, 0)

    def box(x0, y0, x1, y1):
        return (x0 * k, y0 * k, x1 * k, y1 * k)

    def pts(*points):
        return [(x * k, y * k) for x, y in points]

    def person(cx: float, top: float, scale: float, arms_up: bool, colour) -> None:
        s = scale
        pen.ellipse(box(cx - 5 * s, top, cx + 5 * s, top + 10 * s), fill=colour)  # head
        pen.rounded_rectangle(box(cx - 4 * s, top + 11 * s, cx + 4 * s, top + 30 * s), 3 * s * k, fill=colour)
        width = round(5 * s * k)
        if arms_up:  # stretching: arms in a Y above the head
            for side in (-1, 1):
                pen.line(pts((cx + side * 3 * s, top + 14 * s), (cx + side * 12 * s, top + 1 * s)), fill=colour,
                         width=width)
        # legs
        for side in (-1, 1):
            pen.line(pts((cx + side * 2 * s, top + 28 * s), (cx + side * 4.5 * s, top + 40 * s)), fill=colour,
                     width=width)

    if state == "waiting":
        pen.ellipse(box(1, 1, 63, 63), fill=rim)
        pen.ellipse(box(5, 5, 59, 59), fill=fill)
        person(32, 10, 1.05, False, ink)
    elif state == "due":
        corner = 6
        outer = [(32, 0), (64, 60), (0, 60)]
        pen.polygon(pts(*outer), fill=rim)
        pen.rounded_rectangle(box(0, 54, 64, 63), corner * k, fill=rim)
        pen.polygon(pts((32, 8), (58.5, 57), (5.5, 57)), fill=fill)
        person(32, 20, 0.85, True, ink)
    elif state == "snoozed":
        # A crescent: the disc less a bite; the rim's crescent reaches 4 units further into
        # the bite than the fill's, so the rim runs along the cut edge too.
        rim_layer = Image.new("RGBA", image.size, clear)
        ImageDraw.Draw(rim_layer).ellipse(box(1, 1, 63, 63), fill=rim)
        ImageDraw.Draw(rim_layer).ellipse(box(28, -6, 70, 36), fill=clear)
        fill_layer = Image.new("RGBA", image.size, clear)
        ImageDraw.Draw(fill_layer).ellipse(box(5, 5, 59, 59), fill=fill)
        ImageDraw.Draw(fill_layer).ellipse(box(24, -10, 74, 40), fill=clear)
        image.alpha_composite(rim_layer)
        image.alpha_composite(fill_layer)
        pen = ImageDraw.Draw(image)
        # A bold Z in the crescent's belly.
        pen.line(pts((15, 31), (33, 31), (15, 50), (34, 50)), fill=ink, width=round(6 * k), joint="curve")
    elif state == "paused":
        pen.ellipse(box(1, 1, 63, 63), fill=rim)
        pen.ellipse(box(5, 5, 59, 59), fill=fill)
        for x in (19, 37):  # two bars cut right through: the panel shows in them
            pen.rounded_rectangle(box(x - 2, 14, x + 10, 50), 3 * k, fill=rim)
            pen.rounded_rectangle(box(x, 16, x + 8, 48), 2 * k, fill=clear)
    elif state == "off_hours":
        pen.ellipse(box(1, 1, 63, 63), fill=rim)
        pen.ellipse(box(4, 4, 60, 60), fill=fill)
        pen.ellipse(box(13, 13, 51, 51), fill=rim)
        pen.ellipse(box(16, 16, 48, 48), fill=clear)
        # two hands, a rim around each so they show on the panel inside the ring
        pen.line(pts((32, 33), (32, 20)), fill=rim, width=round(8 * k))
        pen.line(pts((32, 33), (41, 38)), fill=rim, width=round(8 * k))
        pen.line(pts((32, 33), (32, 20)), fill=fill, width=round(4 * k))
        pen.line(pts((32, 33), (41, 38)), fill=fill, width=round(4 * k))
    else:
        raise ValueError(f"no icon for state {state!r}")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def preview(sizes=(16, 22, 24, 32)) -> Image.Image:
    """Every state at every size, on a light and a dark panel (docs/tray-icons.png)."""
    gap = 10
    row_height = max(sizes) + 2 * gap
    width = gap + len(STATES) * (sum(sizes) + gap * len(sizes)) + gap * len(STATES)
    sheet = Image.new("RGB", (width, row_height * len(PANELS)), (255, 255, 255))
    for row, colour in enumerate(PANELS.values()):
        panel = Image.new("RGB", (width, row_height), colour)
        x = gap
        for state in STATES:
            for size in sizes:
                icon = draw(state, size)
                panel.paste(icon, (x, (row_height - size) // 2), icon)
                x += size + gap
            x += gap
        sheet.paste(panel, (0, row * row_height))
    return sheet


def main(argv: list[str]) -> None:
    here = Path(__file__).parent
    for state in STATES:
        draw(state).save(here / f"{state}.png")
        print(f"wrote {state}.png")
    if "--sizes" in argv:
        docs = here.parent / "docs"
        docs.mkdir(exist_ok=True)
        preview().save(docs / "tray-icons.png")
        big = preview((16, 22, 32))
        big.resize((big.width * 3, big.height * 3), Image.Resampling.NEAREST).save(docs / "tray-icons-zoomed.png")
        print("wrote docs/tray-icons.png and docs/tray-icons-zoomed.png")


if __name__ == "__main__":
    main(sys.argv[1:])
