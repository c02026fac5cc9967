"""Build hook: compiles the translations (.po -> .mo) into the wheel and editable installs."""

from __future__ import annotations

import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TranslationsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from postured.i18n_build import compile_all
        finally:
            sys.path.pop(0)
        for mo in compile_all(root / "postured" / "locale"):
            # .mo files are ignored by git, so hatch would leave them out: name each one.
            build_data["force_include"][str(mo)] = str(mo.relative_to(root))
