"""Where postured keeps its files. Computed once at start-up, never at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    config: Path
    data: Path
    # True when --config or POSTURED_CONFIG named the file: then it must exist. The
    # default path may be absent, which means the defaults.
    config_named: bool = False
    cache: Path | None = None  # None: under data (tests that build Paths by hand)

    @property
    def history(self) -> Path:
        return self.data / "history.sqlite3"

    @property
    def calendar_cache(self) -> Path:
        """The last good copy of each calendar feed ([presence] calendars)."""
        return (self.cache or self.data / "cache") / "calendars"


def resolve(config_option: str | None = None, environ: dict[str, str] | None = None) -> Paths:
    """--config wins over POSTURED_CONFIG, which wins over the platform's config dir."""
    import platformdirs

    environ = os.environ if environ is None else environ
    chosen = config_option or environ.get("POSTURED_CONFIG")
    config = Path(chosen).expanduser() if chosen else Path(platformdirs.user_config_dir("postured")) / "config.toml"
    return Paths(config=config, data=Path(platformdirs.user_data_dir("postured")), config_named=bool(chosen),
                 cache=Path(platformdirs.user_cache_dir("postured")))
