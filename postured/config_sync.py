"""The [sync] table: a folder that a sync engine keeps the same on the person's computers."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from postured.i18n import _


class SyncSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # e.g. "~/Sync/postured": each computer writes its own events there and reads the others'.
    # "" (the default): nothing is shared.
    folder: str = ""

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not value.startswith(("/", "~")):
            raise PydanticCustomError("folder", _('give the full path of the folder (/... or ~/...), not "{value}"'),
                                      {"value": value})
        path = Path(value).expanduser()
        if path.exists() and not path.is_dir():
            raise PydanticCustomError("folder", _("{path} is a file, not a folder"), {"path": str(path)})
        return value
