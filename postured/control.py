"""The control channel between the CLI verbs and the running daemon: one grammar, both ends.

Transport: ``multiprocessing.connection`` (a Unix socket on Linux and macOS, a named pipe
on Windows) in the user's private runtime directory (0700), the socket 0600, and an HMAC
challenge with a key kept in a 0600 file beside it. No network listener, ever.

Messages are JSON objects (never pickle), one request and one reply per connection:

    request  {"v": 1, "verb": "snooze", "args": {"duration": "10m"}}
    reply    {"v": 1, "ok": true, "message": "...", "status": {...}}
             {"v": 1, "ok": false, "error": "nothing is due to snooze"}

Standard library only: the CLI side must stay light (no pydantic, no GUI libraries).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

VERSION = 1
MAX_MESSAGE = 64 * 1024  # requests are tiny; anything larger is refused unread
TIMEOUT = 5.0  # seconds a client waits for a reply, and the daemon for a request

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


class Endpoint:
    # A plain class: dataclasses costs the light CLI verbs several milliseconds to import.
    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def address(self) -> str:
        if sys.platform == "win32":
            return rf"\\.\pipe\postured-{os.environ.get('USERNAME', 'user')}"
        return str(self.folder / "control.sock")

    @property
    def key_file(self) -> Path:
        return self.folder / "control.key"

    def read_key(self) -> bytes:
        return self.key_file.read_bytes()

    def make_key(self) -> bytes:
        """A fresh key in a file only the user can read (written before the socket)."""
        import secrets

        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        key = secrets.token_bytes(32)
        descriptor = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        return key


def endpoint(environ: dict[str, str] | None = None) -> Endpoint:
    """$XDG_RUNTIME_DIR/postured, else the platform's user runtime dir."""
    environ = os.environ if environ is None else environ
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Endpoint(Path(runtime) / "postured")
    import platformdirs

    # Without XDG_RUNTIME_DIR, newer platformdirs picks a fallback folder and says so
    # with a Python warning (a source path and line): one log line says it instead.
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        folder = Path(platformdirs.user_runtime_dir("postured"))
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


def request(verb: str, argument: str | None = None) -> dict:
    message: dict = {"v": VERSION, "verb": verb, "args": {}}
    if argument is not None:
        message["args"][VERBS[verb]] = argument
    return message


def parse_request(message: dict) -> tuple[str, str | None]:
    """(verb, argument) from a decoded request, or ProtocolError."""
    verb = message.get("verb")
    if verb not in VERBS:
        raise ProtocolError(f"unknown verb {verb!r} (known: {', '.join(VERBS)})")
    args = message.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError("args must be an object")
    name = VERBS[verb]
    unknown = set(args) - ({name} if name else set())
    if unknown:
        raise ProtocolError(f"{verb} takes no argument {', '.join(sorted(unknown))}")
    argument = args.get(name) if name else None
    if argument is not None and not isinstance(argument, str):
        raise ProtocolError(f"{name} must be a string")
    return verb, argument


def reply(ok: bool, **fields) -> dict:
    return {"v": VERSION, "ok": ok, **fields}


# ------------------------------------------------------------------ client


class NotRunning(Exception):
    """No daemon answers at the endpoint."""


class NoAnswer(Exception):
    """A daemon is there but gave no proper answer (timed out, hung up, garbled)."""


def ask(verb: str, argument: str | None = None) -> dict:
    """The running daemon's reply to ``verb``; NotRunning or NoAnswer when there is none."""
    try:
        return call(endpoint(), request(verb, argument))
    except (TimeoutError, EOFError, OSError, ProtocolError) as exc:
        raise NoAnswer(f"the daemon did not answer properly: {exc}") from None


def call(where: Endpoint, message: dict, timeout: float = TIMEOUT) -> dict:
    """Send one request and return the daemon's reply."""
    from multiprocessing.connection import Client

    try:
        key = where.read_key()
        connection = Client(where.address, authkey=key)
    except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError):
        raise NotRunning() from None
    except OSError as exc:
        raise NotRunning(str(exc)) from None
    with connection:
        connection.send_bytes(encode(message))
        if not connection.poll(timeout):
            raise TimeoutError(f"no reply within {timeout:.0f} s")
        return decode(connection.recv_bytes(MAX_MESSAGE))
