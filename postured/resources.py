"""Files shipped with postured: the icons and the example config.

In a wheel they sit inside the package (postured/_data, see pyproject.toml); in a
source checkout they are the top-level icons/ and config/ folders.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(folder: str) -> Path:
    packaged = Path(str(resources.files("postured"))) / "_data" / folder
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / folder


def icon_path(state: str) -> Path:
    return shipped("icons") / f"{state}.png"


def example_config() -> Path:
    return shipped("config") / "postured.toml"
