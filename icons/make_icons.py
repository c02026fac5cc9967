"""Draws the tray icons, one per state: python icons/make_icons.py (needs Pillow).

A person seen from the side with an upright neck; the ring's colour says the state.
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 64
COLOURS = {
    "waiting": (46, 125, 50),     # green: all well, next break planned
    "due": (230, 81, 0),          # orange: a break is due now
    "snoozed": (249, 168, 37),    # amber: pushed back a little
    "paused": (97, 97, 97),       # grey: reminders paused
    "off_hours": (69, 90, 100),   # slate: outside work hours
}


def draw(colour: tuple[int, int, int], state: str) -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((2, 2, SIZE - 3, SIZE - 3), fill=colour + (255,))
    white = (255, 255, 255, 255)
    pen.ellipse((25, 10, 39, 24), fill=white)                 # head
    pen.rounded_rectangle((28, 24, 36, 50), 4, fill=white)    # upright neck and spine
    pen.line((32, 32, 44, 40), fill=white, width=5)           # arm
    if state == "paused":
        pen.rectangle((12, 38, 17, 54), fill=white)
        pen.rectangle((20, 38, 25, 54), fill=white)
    if state == "due":
        pen.ellipse((44, 6, 58, 20), fill=(255, 235, 59, 255))
    if state == "snoozed":
        pen.text((44, 4), "z", fill=white)
    if state == "off_hours":
        pen.arc((8, 36, 24, 52), 0, 360, fill=white, width=2)
        pen.line((16, 44, 16, 39), fill=white, width=2)
        pen.line((16, 44, 20, 44), fill=white, width=2)
    return image


if __name__ == "__main__":
    here = Path(__file__).parent
    for state, colour in COLOURS.items():
        draw(colour, state).save(here / f"{state}.png")
        print(f"wrote {state}.png")
