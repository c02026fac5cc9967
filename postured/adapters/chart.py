"""The week at a glance as a PNG: one stacked bar a day (done, skipped, missed).

Drawn with Pillow, in DejaVu Sans where the system has it (Pillow's built-in font has no
letters like ä, ß, ç or ã), else the built-in one. ``postured stats --chart FILE.png`` is
its only caller; Pillow is imported only then.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from postured import i18n
from postured.i18n import N_, _, ngettext
from postured.stats import Summary

SIZE = (800, 440)
# Told apart by lightness as well as hue, so they survive colour blindness and greyscale.
COLOURS = {"done": (42, 157, 143), "skipped": (233, 196, 106), "missed": (231, 111, 81)}
LABELS = {"done": N_("Done"), "skipped": N_("Skipped"), "missed": N_("Missed")}
STACK = ("done", "skipped", "missed")  # bottom to top
BACKGROUND = (255, 255, 255)
PLOT_BACKGROUND = (248, 249, 250)
GRID = (222, 226, 230)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
GOAL = (73, 80, 87)
DONE_INK = (24, 110, 100)  # the done count above a bar, a darker shade of its colour
TODAY = (232, 242, 240)  # a faint band behind today
MARGINS = (56, 108, 24, 62)  # left, top, right, bottom: axis labels, title and legend, day labels
HEADROOM = 24  # above the tallest bar, for its number


def plot_box(size: tuple[int, int] = SIZE) -> tuple[int, int, int, int]:
    """The plot rectangle (left, top, right, bottom) inside an image of ``size``."""
    left, top, right, bottom = MARGINS
    return left, top, size[0] - right, size[1] - bottom


def draw_week(summary: Summary, size: tuple[int, int] = SIZE) -> Image.Image:
    """One bar group per day of ``summary`` (meant for 7 days), a title, a legend."""
    image = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    box = plot_box(size)
    _title(draw, summary, size[0])
    _legend(draw, summary)
    draw.rectangle(box, fill=PLOT_BACKGROUND)
    _today_band(draw, summary, box)

    heights = [sum(getattr(day.counts, kind) for kind in STACK) for day in summary.days]
    if not any(heights):
        _axis(draw, box, 4, 1, None)
        _days(draw, summary, box, [0] * len(summary.days), None)
        headline = _("No breaks recorded yet") if not summary.has_history else _("No breaks recorded this week")
        _message(draw, box, headline, _("Answer a reminder with Done or Skip and it shows here."))
        return image

    top = max(max(heights), summary.goal + 1)  # the goal line below the top grid line, not on it
    step = grid_step(top)
    scale_top = math.ceil(top / step) * step
    _axis(draw, box, scale_top, step, summary.goal)
    _days(draw, summary, box, heights, scale_top)
    return image


def write_week_chart(summary: Summary, path: Path, size: tuple[int, int] = SIZE) -> None:
    """Save as PNG whatever the file name says. Raises OSError when it cannot be written."""
    draw_week(summary, size).save(path, format="PNG", optimize=True)


# ---------------------------------------------------------------- parts


FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/Library/Fonts/DejaVuSans.ttf")


@lru_cache(maxsize=16)
def text_font(size: int):
    """DejaVu Sans (Pillow looks for the bare name in the system's font folders), else the
    built-in font, which draws only unaccented Latin letters."""
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: one small bitmap size only
        return ImageFont.load_default()


def fitting(draw: ImageDraw.ImageDraw, text: str, size: int, width: float):
    """The font of ``size``, or smaller until ``text`` fits in ``width`` (a longer language)."""
    while size > 9 and draw.textlength(text, font=text_font(size)) > width:
        size -= 1
    return text_font(size)


def _title(draw: ImageDraw.ImageDraw, summary: Summary, width: int) -> None:
    first, last = summary.days[0].date, summary.days[-1].date
    # Translators: the chart's title; {first} and {last} are dates with their weekday
    title = _("Posture breaks, {first} to {last}").format(first=i18n.short_day(first), last=i18n.day(last))
    room = width - MARGINS[0] - MARGINS[2]
    draw.text((MARGINS[0], 14), title, font=fitting(draw, title, 22, room), fill=INK)
    totals = _totals(summary)
    streak = summary.streak.days
    # Translators: part of the chart's subtitle, after the counts
    streak_text = (ngettext("streak {count} day", "streak {count} days", streak).format(count=i18n.number(streak))
                   if streak else _("no streak yet"))
    # Translators: the chart's subtitle; {streak} is "streak 2 days" or "no streak yet", {goal} breaks a day
    line = _("{done} done \u00b7 {skipped} skipped \u00b7 {missed} missed \u00b7 {streak} (goal {goal} a day)").format(
        done=i18n.number(totals["done"]), skipped=i18n.number(totals["skipped"]), missed=i18n.number(totals["missed"]),
        streak=streak_text, goal=i18n.number(summary.goal))
    draw.text((MARGINS[0], 44), line, font=fitting(draw, line, 15, room), fill=MUTED)


def _totals(summary: Summary) -> dict[str, int]:
    # The days drawn, which may be fewer than the summary's period.
    return {kind: sum(getattr(day.counts, kind) for day in summary.days) for kind in STACK}


def _legend(draw: ImageDraw.ImageDraw, summary: Summary) -> None:
    font = text_font(14)
    x, y = MARGINS[0], 74
    for kind in STACK:
        draw.rectangle((x, y, x + 14, y + 14), fill=COLOURS[kind])
        label = _(LABELS[kind])
        draw.text((x + 20, y + 7), label, font=font, fill=INK, anchor="lm")
        x += 20 + int(draw.textlength(label, font=font)) + 24
    _dashed(draw, x, x + 24, y + 7)
    # Translators: the legend of the chart's dashed goal line
    goal = ngettext("Goal ({count} done)", "Goal ({count} done)", summary.goal).format(count=i18n.number(summary.goal))
    draw.text((x + 30, y + 7), goal, font=font, fill=INK, anchor="lm")


def _message(draw: ImageDraw.ImageDraw, box, headline: str, hint: str) -> None:
    x0, y0, x1, y1 = box
    centre, middle = (x0 + x1) / 2, (y0 + y1) / 2
    big, small = text_font(22), text_font(14)
    width = max(draw.textlength(headline, font=big), draw.textlength(hint, font=small)) + 48
    draw.rounded_rectangle((centre - width / 2, middle - 40, centre + width / 2, middle + 40), radius=10,
                           fill=BACKGROUND, outline=GRID)
    draw.text((centre, middle - 10), headline, font=big, fill=INK, anchor="mm")
    draw.text((centre, middle + 18), hint, font=small, fill=MUTED, anchor="mm")


def _today_band(draw: ImageDraw.ImageDraw, summary: Summary, box) -> None:
    x0, y0, x1, y1 = box
    slot = (x1 - x0) / len(summary.days)
    for index, day in enumerate(summary.days):
        if day.date == summary.today:
            draw.rectangle((round(x0 + slot * index) + 1, y0, round(x0 + slot * (index + 1)) - 1, y1), fill=TODAY)


def _axis(draw: ImageDraw.ImageDraw, box, scale_top: int, step: int, goal: int | None) -> None:
    x0, y0, x1, y1 = box
    font = text_font(13)
    for value in range(0, scale_top + 1, step):
        y = _y(value, box, scale_top)
        draw.line((x0, y, x1, y), fill=GRID, width=1)
        draw.text((x0 - 8, y), i18n.number(value), font=font, fill=MUTED, anchor="rm")
    draw.line((x0, y1, x1, y1), fill=MUTED, width=1)
    if goal is not None and goal <= scale_top:
        y = _y(goal, box, scale_top)
        _dashed(draw, x0, x1, y)


def _days(draw: ImageDraw.ImageDraw, summary: Summary, box, heights: list[int], scale_top: int | None) -> None:
    x0, y0, x1, y1 = box
    slot = (x1 - x0) / len(summary.days)
    bar = min(56, slot * 0.56)
    label_font, number_font = text_font(14), text_font(15)
    for index, (day, height) in enumerate(zip(summary.days, heights)):
        centre = x0 + slot * (index + 0.5)
        is_today = day.date == summary.today
        left, right = round(centre - bar / 2), round(centre + bar / 2)
        if scale_top is not None and height:
            base = 0
            for kind in STACK:
                count = getattr(day.counts, kind)
                if count:
                    draw.rectangle((left, _y(base + count, box, scale_top), right, _y(base, box, scale_top) - 1),
                                   fill=COLOURS[kind])
                base += count
            draw.text((centre, _y(height, box, scale_top) - 5), i18n.number(day.counts.done),
                      font=number_font, fill=DONE_INK, anchor="md")
        colour = MUTED if day.rest_day and not is_today else INK
        # Translators: the chart's label under today's bar, in place of its weekday: one short word
        weekday = _("Today") if is_today else i18n.weekday(day.date)
        draw.text((centre, y1 + 8), weekday, font=label_font, fill=colour, anchor="mt")
        draw.text((centre, y1 + 28), i18n.day_month(day.date), font=text_font(12), fill=MUTED, anchor="mt")


def _y(value: float, box, scale_top: int) -> int:
    x0, y0, x1, y1 = box
    return round(y1 - (y1 - y0 - HEADROOM) * value / scale_top)


def _dashed(draw: ImageDraw.ImageDraw, x0: float, x1: float, y: float) -> None:
    x = x0
    while x < x1:
        draw.line((x, y, min(x + 6, x1), y), fill=GOAL, width=2)
        x += 10


def grid_step(top: int) -> int:
    """A grid step of 1, 2 or 5 times a power of ten giving at most 6 lines."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if top / (factor * magnitude) <= 6:
                return factor * magnitude
        magnitude *= 10
