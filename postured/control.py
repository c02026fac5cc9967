"""The control channel between the CLI verbs and the running daemon: one grammar, both ends.

Transport (postured/wire.py): a Unix socket on Linux and macOS, a named pipe on Windows, in
the user's private runtime folder (0700, owned by the user: anything else is refused by
both ends), the socket 0600, and an HMAC challenge both ways with a key kept in a 0600 file
beside it. No network listener, ever. Every step of an exchange has a deadline.

Messages are JSON objects (never pickle), one request and one reply per connection:

    request  {"v": 1, "verb": "snooze", "args": {"duration": "10m"}, "source": "cli"}
    reply    {"v": 1, "ok": true, "message": "...", "status": {...}}
             {"v": 1, "ok": false, "error": "nothing is due to snooze"}

A request is at most MAX_REQUEST bytes; the daemon cuts every text of a reply to MAX_TEXT
characters, so a reply always fits in the MAX_REPLY bytes a client reads.

Standard library only: the CLI side must stay light (no pydantic, no GUI libraries, and not
even argparse, pathlib or multiprocessing on Linux).
"""

from __future__ import annotations

import json
import os
import sys
import time

from postured.i18n import _

VERSION = 1
MAX_REQUEST = 4 * 1024  # requests are tiny; anything larger is refused unread
MAX_TEXT = 4000  # characters of any one text in a reply (a config error can name 1000 windows)
MAX_REPLY = 1024 * 1024  # bytes a client reads; a reply cut to MAX_TEXT stays far below
TIMEOUT = 5.0  # seconds a client gives the whole exchange, connecting included
SOURCES = ("cli", "guide")  # who sent a request: the history and the log say it

# verb -> the argument it takes (None: no argument)
VERBS: dict[str, str | None] = {
    "status": None,
    "snooze": "duration",  # optional: "10m"; absent means the first configured choice
    "skip": None,
    "done": None,
    "too-hard": None,
    "hurts": None,
    "pause": "duration",  # optional: "30m" or "tomorrow" (absent means tomorrow)
    "resume": None,
    "break-now": None,
    "reload": None,
    "quit": None,
}


class ProtocolError(ValueError):
    """A request or reply that does not follow the grammar."""


class NotRunning(Exception):
    """No daemon answers at the endpoint."""


class NoAnswer(Exception):
    """A daemon is there but gave no proper answer (timed out, hung up, garbled, busy)."""


class UnsafeFolder(NoAnswer):
    """The runtime folder is not this user's alone: neither end talks through it."""


class Endpoint:
    # A plain class of strings: dataclasses and pathlib cost the light CLI verbs milliseconds.
    def __init__(self, folder):
        self.path = os.fspath(folder)

    @property
    def folder(self):
        from pathlib import Path

        return Path(self.path)

    @property
    def address(self) -> str:
        if sys.platform == "win32":
            return rf"\\.\pipe\postured-{os.environ.get('USERNAME', 'user')}"
        return os.path.join(self.path, "control.sock")

    @property
    def key_file(self) -> str:
        return os.path.join(self.path, "control.key")

    def read_key(self) -> bytes:
        with open(self.key_file, "rb") as key:
            return key.read()

    def check(self, create: bool = False) -> None:
        """UnsafeFolder unless the folder is a real folder of this user's, closed to others.

        FileNotFoundError if it is missing and not ``create``. Nothing here ever changes the
        mode of what it finds: a symbolic link's target could be anyone's folder.
        """
        if sys.platform == "win32":
            return  # the user's local app data; no uid or mode bits to check
        import stat

        try:
            found = os.lstat(self.path)
        except FileNotFoundError:
            if not create:
                raise
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            os.mkdir(self.path, 0o700)
            found = os.lstat(self.path)
        if stat.S_ISLNK(found.st_mode):
            raise UnsafeFolder(_("the runtime folder {path} is a symbolic link: remove it, or set XDG_RUNTIME_DIR "
                                 "to a private folder of yours").format(path=self.path))
        if not stat.S_ISDIR(found.st_mode):
            raise UnsafeFolder(_("the runtime folder {path} is not a folder: remove it, or set XDG_RUNTIME_DIR "
                                 "to a private folder of yours").format(path=self.path))
        if found.st_uid != os.getuid():
            raise UnsafeFolder(_("the runtime folder {path} belongs to another user (uid {uid}): remove it, or set "
                                 "XDG_RUNTIME_DIR to a private folder of yours").format(path=self.path, uid=found.st_uid))
        if found.st_mode & 0o077:
            raise UnsafeFolder(_("the runtime folder {path} is open to other users (mode {mode}): chmod 700 it, or "
                                 "remove it, or set XDG_RUNTIME_DIR to a private folder of yours").format(
                path=self.path, mode=f"{stat.S_IMODE(found.st_mode):o}"))
        if create:
            try:
                socket_mode = os.lstat(self.address).st_mode
            except FileNotFoundError:
                return
            if not stat.S_ISSOCK(socket_mode):
                raise UnsafeFolder(_("{path} is in the way: it is not a socket; remove it").format(path=self.address))

    def make_key(self) -> bytes:
        """A fresh key in a file only the user can read (written before the socket)."""
        import secrets

        self.check(create=True)
        key = secrets.token_bytes(32)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(self.key_file, flags, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        return key


def endpoint(environ: dict[str, str] | None = None) -> Endpoint:
    """$XDG_RUNTIME_DIR/postured, else the platform's user runtime dir."""
    environ = os.environ if environ is None else environ
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Endpoint(os.path.join(runtime, "postured"))
    import warnings

    import platformdirs

    # Without XDG_RUNTIME_DIR, newer platformdirs picks a fallback folder and says so
    # with a Python warning (a source path and line): one log line says it instead.
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        folder = platformdirs.user_runtime_dir("postured")
    if said:
        import logging  # only here: the light CLI verbs do not otherwise load it

        for warning in said:
            logging.getLogger("postured").info("control socket: %s", warning.message)
    return Endpoint(folder)


# ------------------------------------------------------------------ grammar


def encode(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


def decode(data: bytes) -> dict:
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    if message.get("v") != VERSION:
        raise ProtocolError(f"protocol version {message.get('v')!r} is not {VERSION}")
    return message


def request(verb: str, argument: str | None = None, source: str = "cli") -> dict:
    message: dict = {"v": VERSION, "verb": verb, "args": {}, "source": source}
    if argument is not None:
        message["args"][VERBS[verb]] = argument
    return message


def parse_request(message: dict) -> tuple[str, str | None, str]:
    """(verb, argument, source) from a decoded request, or ProtocolError."""
    verb = message.get("verb")
    if verb not in VERBS:
        raise ProtocolError(f"unknown verb {_short(verb)} (known: {', '.join(VERBS)})")
    args = message.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError("args must be an object")
    name = VERBS[verb]
    unknown = set(args) - ({name} if name else set())
    if unknown:
        raise ProtocolError(f"{verb} takes no argument {_short(', '.join(sorted(map(str, unknown))))}")
    argument = args.get(name) if name else None
    if argument is not None and not isinstance(argument, str):
        raise ProtocolError(f"{name} must be a string")
    source = message.get("source", "cli")
    if source not in SOURCES:
        raise ProtocolError(f"source {_short(source)} is not one of {', '.join(SOURCES)}")
    return verb, argument, source


def reply(ok: bool, **fields) -> dict:
    return {"v": VERSION, "ok": ok, **fields}


def encode_reply(message: dict) -> bytes:
    """The reply as sent: every text cut to MAX_TEXT, so it fits the client's MAX_REPLY."""
    data = encode(_cut(message))
    if len(data) > MAX_REPLY:  # only a reply of hundreds of long texts; none is built so
        data = encode(reply(False, error=f"the reply ({len(data)} bytes) is too long to send"))
    return data


def _cut(value):
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return f"{value[:MAX_TEXT]} … [{len(value) - MAX_TEXT} more characters cut]"
    if isinstance(value, dict):
        return {key: _cut(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut(item) for item in value]
    return value


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


# ------------------------------------------------------------------ client


def ask(verb: str, argument: str | None = None, source: str = "cli") -> dict:
    """The running daemon's reply to ``verb``; NotRunning or NoAnswer when there is none."""
    return call(endpoint(), request(verb, argument, source))


def call(where: Endpoint, message: dict, timeout: float = TIMEOUT) -> dict:
    """Send one request and return the daemon's reply, all within ``timeout`` seconds.

    NotRunning if nothing listens; NoAnswer (UnsafeFolder among them) for anything else.
    """
    from postured import wire

    deadline = time.monotonic() + timeout
    try:
        where.check()
        key = where.read_key()
        stream = wire.connect(where.address, deadline)
    except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError):
        raise NotRunning() from None
    except TimeoutError:
        raise NoAnswer(_("the daemon did not take the connection within {seconds} s "
                         "(stopped, or busy with something else?)").format(seconds=f"{timeout:g}")) from None
    except BlockingIOError:  # its queue of connections is full
        raise NoAnswer(_("the daemon takes no connections: its queue is full "
                         "(stopped, or busy with something else?)")) from None
    except OSError as exc:
        raise NotRunning(str(exc)) from None
    data = encode(message)
    if len(data) > MAX_REQUEST:
        raise NoAnswer(_("the request is longer than {limit} bytes").format(limit=MAX_REQUEST))
    try:
        owner = stream.peer_uid()
        if owner is not None and owner != os.getuid():
            raise UnsafeFolder(_("the control socket {path} is held by another user (uid {uid})").format(
                path=where.address, uid=owner))
        return decode(wire.ask(stream, key, data, MAX_REPLY, deadline))
    except wire.TurnedAway as exc:
        # Translators: {reason} is the daemon's own reason, as it sent it
        raise NoAnswer(_("the daemon is busy ({reason}); try again in a few seconds").format(reason=exc)) from None
    except TimeoutError:
        raise NoAnswer(_("the daemon did not answer within {seconds} s "
                         "(stopped, or busy with something else?)").format(seconds=f"{timeout:g}")) from None
    except EOFError:
        raise NoAnswer(_("the daemon hung up without answering")) from None
    except (wire.WireError, ProtocolError, OSError) as exc:
        # Translators: {problem} is a detail of the exchange (translated where it is the client's own)
        raise NoAnswer(_("the daemon did not answer properly: {problem}").format(
            problem=exc or type(exc).__name__)) from None
    finally:
        stream.close()
