"""The report's charts as PNG bytes, drawn with Pillow (already a dependency) in DejaVu Sans
where the system has it (the letters of every language shipped), at about 240 dpi for a
17 cm wide printed column."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw

from postured import i18n
from postured.adapters.chart import GRID, INK, MUTED, grid_step, text_font
from postured.i18n import _
from postured.report.model import ExerciseRecord, Report

WIDTH = 1600
PLANNED = (206, 212, 218)
DONE = (42, 157, 143)
STEP = (38, 70, 83)
TOO_HARD = (231, 150, 40)  # told apart from pain by shape as well (triangle, circle)
PAIN = (200, 40, 40)


font = text_font  # the weekly chart's DejaVu, so every language's letters show


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def weekly(report: Report) -> bytes:
    """Per week, the breaks planned (grey) beside those done (green), with their numbers."""
    height = 520
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = 90, 70, WIDTH - 30, height - 80
    # Translators: the legend of the report's weekly chart: breaks planned, breaks done
    _legend(draw, [(PLANNED, _("Planned")), (DONE, _("Done"))], left, 18)
    scale = max([max(w.planned, w.counts.done) for w in report.weeks] + [1])
    step = grid_step(scale)
    scale = -(-scale // step) * step
    for value in range(0, scale + 1, step):
        y = bottom - (bottom - top) * value / scale
        draw.line((left, y, right, y), fill=GRID, width=2)
        draw.text((left - 12, y), i18n.number(value), font=font(30), fill=MUTED, anchor="rm")
    slot = (right - left) / len(report.weeks)
    bar = min(90, slot * 0.34)
    for index, week in enumerate(report.weeks):
        centre = left + slot * (index + 0.5)
        for offset, value, colour in ((-bar / 2 - 3, week.planned, PLANNED), (bar / 2 + 3, week.counts.done, DONE)):
            x = centre + offset
            y = bottom - (bottom - top) * value / scale
            if value:
                draw.rectangle((x - bar / 2, y, x + bar / 2, bottom), fill=colour)
            draw.text((x, y - 6), i18n.number(value), font=font(32), fill=INK, anchor="md")
        if len(report.weeks) <= 13 or index % 4 == 0:
            draw.text((centre, bottom + 14), i18n.day_month(week.first), font=font(30), fill=INK, anchor="mt")
    draw.line((left, bottom, right, bottom), fill=MUTED, width=2)
    # Translators: under the dates of the weekly chart: each is the first day of its week
    draw.text((left, height - 22), _("Weeks starting"), font=font(26), fill=MUTED, anchor="lm")
    return png(image)


def dose_steps(record: ExerciseRecord, report: Report) -> bytes:
    """The dose step at the end of each day as a stepped line; a triangle marks a day with a
    "too hard", a circle one with a pain report."""
    height = 340
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    levels = max(record.levels, 1)
    # Translators: a level of the dose chart's axis, "step 1" to "step 12"
    labels = {level: _("step {level}").format(level=i18n.number(level)) for level in range(1, levels + 1)}
    widest = max(draw.textlength(label, font=font(30)) for label in labels.values())
    left, top, right, bottom = max(150, round(widest) + 24), 70, WIDTH - 30, height - 60
    days = report.days

    def y_of(level: float) -> float:
        return bottom if levels == 1 else bottom - (bottom - top) * (level - 1) / (levels - 1)

    def x_of(index: float) -> float:
        return left + (right - left) * index / len(days)

    every = 1 if levels <= 6 else -(-levels // 6)
    for level in [*range(1, levels + 1, every), *([levels] if (levels - 1) % every else [])]:
        draw.line((left, y_of(level), right, y_of(level)), fill=GRID, width=2)
        draw.text((left - 12, y_of(level)), labels[level], font=font(30), fill=MUTED, anchor="rm")
    for index in range(0, len(days), 7):  # week boundaries, labelled with their first day
        x = x_of(index)
        draw.line((x, top, x, bottom), fill=GRID, width=2)
        if len(days) <= 12 * 7 or index % 28 == 0:
            draw.text((x + 4, bottom + 12), i18n.day_month(days[index]), font=font(30), fill=MUTED, anchor="lt")
    draw.line((left, bottom, right, bottom), fill=MUTED, width=2)

    points = []
    for index, level in enumerate(record.steps):
        points += [(x_of(index), y_of(level)), (x_of(index + 1), y_of(level))]
    if points:
        draw.line(points, fill=STEP, width=6, joint="curve")
    for day in record.too_hard_days:
        _marker(draw, "triangle", x_of(_index(day, days) + 0.5), y_of(_level(record, day, days)) - 22, TOO_HARD)
    for day in record.pain_days:  # above the triangle of the same day, if any
        lift = 54 if day in record.too_hard_days else 24
        _marker(draw, "circle", x_of(_index(day, days) + 0.5), y_of(_level(record, day, days)) - lift, PAIN)
    return png(image)


def _index(day: date, days: list[date]) -> int:
    return (day - days[0]).days


def _level(record: ExerciseRecord, day: date, days: list[date]) -> int:
    return record.steps[_index(day, days)] if record.steps else 1


def _marker(draw: ImageDraw.ImageDraw, shape: str, x: float, y: float, colour) -> None:
    r = 12
    if shape == "triangle":
        draw.polygon([(x - r, y - r), (x + r, y - r), (x, y + r)], fill=colour)
    else:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _legend(draw: ImageDraw.ImageDraw, entries, x: int, y: int) -> None:
    for colour, label in entries:
        draw.rectangle((x, y, x + 28, y + 28), fill=colour)
        draw.text((x + 38, y + 14), label, font=font(30), fill=INK, anchor="lm")
        x += 38 + int(draw.textlength(label, font=font(30))) + 40
