"""Exercise pictures as PNG files, rendered once per exercise and size.

The notification servers read a picture by path (the freedesktop ``image-path`` hint),
so each one is written to the user cache dir. The name carries a digest of the figure
and of the drawing code's version: a changed pose gets a new file, an old one is never
shown. The daemon imports this module only when it shows a reminder.
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cache
from pathlib import Path

from postured.pictures.model import NEUTRAL, Figure, load_figures

log = logging.getLogger("postured")

VERSION = "2"  # change with the drawing code, so cached files are drawn again
REMINDER_SIZE = 128


@cache
def figures() -> dict[str, Figure]:
    return load_figures()


def figure_for(exercise) -> Figure:
    """The exercise's figure; a custom one may borrow a catalogue figure; else neutral."""
    known = figures()
    for key in (getattr(exercise, "id", None), getattr(exercise, "figure", None)):
        if key and key in known:
            return known[key]
    return NEUTRAL


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("postured")) / "pictures"


def picture_path(exercise, size: int = REMINDER_SIZE, cache_dir: Path | None = None) -> str:
    """A PNG of the exercise at ``size`` px (its own image for a custom exercise that gives
    one); "" when none can be written (one log line; the reminder goes without)."""
    own = getattr(exercise, "image", None)
    if own and Path(own).is_file():
        return str(own)
    figure = figure_for(exercise)
    digest = hashlib.sha256(f"{VERSION}{figure!r}".encode()).hexdigest()[:12]
    folder = cache_dir or default_cache_dir()
    path = folder / f"{figure.exercise_id}-{size}-{digest}.png"
    if path.is_file():
        return str(path)
    try:
        from postured.pictures.draw import fitted, picture
        from postured.pictures.pillow_painter import paint

        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        paint(fitted(picture(figure)), size).save(partial, format="PNG")
        partial.replace(path)  # whole or not at all: a server never reads half a file
    except OSError as exc:
        log.warning("could not save the exercise picture in %s: %s", folder, exc)
        return ""
    return str(path)
