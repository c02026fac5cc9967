"""The tray icons read at panel size, on light and dark panels, without telling colours apart.

The measure: each icon is drawn at 16 px and reduced to what a person who sees no hue
still sees: every pixel is "panel" (alpha < 50 %), "dark" or "light" (its grey value,
ITU-R 601 luma, below or above the middle). Two states differ in shape when at least
SHAPE_DIFFERENCE of the pixels either one covers fall into different classes. Orange and
amber of the same shape come out the same here; so do two badges that differ only in a
small mark. Every pair of states must clear it.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest
from PIL import Image

from postured.core.view import TRAY_STATES
from postured.resources import icon_path

REPO = Path(__file__).resolve().parent.parent
SHAPE_DIFFERENCE = 0.25
PANELS = {"light": (242, 242, 242), "dark": (40, 40, 44)}


def make_icons():
    spec = importlib.util.spec_from_file_location("make_icons", REPO / "icons" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def classes(icon: Image.Image) -> list[int]:
    """0 panel, 1 dark, 2 light, per pixel."""
    icon = icon.convert("RGBA")
    grey = icon.convert("L").tobytes()
    alpha = icon.getchannel("A").tobytes()
    return [0 if a < 128 else (1 if g < 128 else 2) for g, a in zip(grey, alpha, strict=True)]


def shape_difference(a: Image.Image, b: Image.Image) -> float:
    ca, cb = classes(a), classes(b)
    covered = sum(1 for x, y in zip(ca, cb, strict=True) if x or y)
    return sum(1 for x, y in zip(ca, cb, strict=True) if x != y) / covered


def shipped_at(state: str, size: int) -> Image.Image:
    # The shipped 64-px PNG scaled down, as a panel would do it.
    return Image.open(icon_path(state)).convert("RGBA").resize((size, size), Image.Resampling.LANCZOS)


@pytest.mark.parametrize("drawn", ["at 16 px", "shipped 64 px scaled to 16"])
def test_every_pair_of_states_differs_in_shape_at_16_px(drawn):
    icons = {state: make_icons().draw(state, 16) if drawn == "at 16 px" else shipped_at(state, 16)
             for state in TRAY_STATES}
    for a, b in itertools.combinations(TRAY_STATES, 2):
        difference = shape_difference(icons[a], icons[b])
        assert difference >= SHAPE_DIFFERENCE, f"{a} and {b} differ in only {difference:.0%} of their pixels"


@pytest.mark.parametrize("panel", sorted(PANELS))
@pytest.mark.parametrize("size", [16, 22, 24, 32])
def test_every_icon_stands_out_on_light_and_dark_panels(panel, size):
    """Against the panel colour, some of the icon's rim or fill differs clearly in grey."""
    background = PANELS[panel]
    panel_grey = round(0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2])
    for state in TRAY_STATES:
        icon = make_icons().draw(state, size)
        on_panel = Image.new("RGBA", icon.size, background + (255,))
        on_panel.alpha_composite(icon)
        grey = on_panel.convert("L").tobytes()
        contrasting = sum(1 for g in grey if abs(g - panel_grey) > 80)
        assert contrasting >= size * size * 0.12, f"{state} hardly shows on a {panel} panel at {size} px"


def test_the_shipped_icons_are_the_drawn_ones():
    drawer = make_icons()
    for state in TRAY_STATES:
        shipped = Image.open(icon_path(state)).convert("RGBA")
        assert shipped.size == (drawer.SIZE, drawer.SIZE)
        assert shipped.tobytes() == drawer.draw(state).tobytes(), f"icons/{state}.png is stale: run icons/make_icons.py"
