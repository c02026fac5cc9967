"""ICS feeds over HTTP, cached on disk: conditional requests, and the last good copy kept.

Each feed has two files in the cache folder, named by a hash of its URL (the URL may hold
a secret token): the body (``.ics``) and what the server said about it (``.json``: ETag,
Last-Modified, when it was fetched). A request sends ``If-None-Match`` and
``If-Modified-Since``; a 304 only renews the date. A body is kept only if ``accept``
takes it (it parses as a calendar), so a broken answer never replaces a good copy.
Standard library only (urllib), with a timeout; run it off the engine lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

TIMEOUT = 10.0  # seconds: an unreachable server must not hold up a reminder for long
MAX_BYTES = 20 * 1024 * 1024  # a calendar larger than this is no calendar


@dataclass(frozen=True)
class Copy:
    body: bytes
    fetched_at: datetime  # when the server last vouched for it (200 or 304)
    etag: str | None = None
    last_modified: str | None = None


class FetchError(Exception):
    """Why a feed could not be fetched or used; str() is for people."""


def http_url(entry: str) -> str:
    """webcal:// is http(s) by convention; it is fetched as https."""
    return "https://" + entry[len("webcal://"):] if entry.lower().startswith("webcal://") else entry


class FeedCache:
    def __init__(self, folder: Path):
        self.folder = folder

    def _files(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()[:24]
        return self.folder / f"{key}.ics", self.folder / f"{key}.json"

    def cached(self, url: str) -> Copy | None:
        """The last good copy on disk, or None."""
        body_file, meta_file = self._files(url)
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            return Copy(body_file.read_bytes(), datetime.fromisoformat(meta["fetched_at"]),
                        meta.get("etag"), meta.get("last_modified"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def fetch(self, url: str, now: datetime, accept: Callable[[bytes], object],
              timeout: float = TIMEOUT) -> Copy:
        """A fresh copy (200), the cached one renewed (304), or FetchError; the cache keeps
        the last good copy whatever happens."""
        old = self.cached(url)
        request = urllib.request.Request(http_url(url), headers={"User-Agent": "postured"})
        if old is not None and old.etag:
            request.add_header("If-None-Match", old.etag)
        if old is not None and old.last_modified:
            request.add_header("If-Modified-Since", old.last_modified)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                body = answer.read(MAX_BYTES + 1)
                etag, modified = answer.headers.get("ETag"), answer.headers.get("Last-Modified")
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and old is not None:
                renewed = Copy(old.body, now, exc.headers.get("ETag") or old.etag,
                               exc.headers.get("Last-Modified") or old.last_modified)
                self._save(url, renewed, body_changed=False)
                return renewed
            raise FetchError(f"the server answered {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FetchError(f"cannot fetch it ({reason})") from None
        if len(body) > MAX_BYTES:
            raise FetchError(f"the answer is larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            accept(body)
        except ValueError as exc:
            raise FetchError(f"the answer is no usable calendar: {exc}") from None
        fresh = Copy(body, now, etag, modified)
        self._save(url, fresh, body_changed=True)
        return fresh

    def _save(self, url: str, copy: Copy, body_changed: bool) -> None:
        """Written to a temporary file and renamed: a crash never leaves half a copy."""
        body_file, meta_file = self._files(url)
        meta = {"url_sha256": hashlib.sha256(url.encode()).hexdigest(), "fetched_at": copy.fetched_at.isoformat(),
                "etag": copy.etag, "last_modified": copy.last_modified}
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if body_changed:
                _replace(body_file, copy.body)
            _replace(meta_file, json.dumps(meta).encode())
        except OSError:
            pass  # no cache on disk: the copy in memory still serves this run


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
