"""The daemon's end of the control channel (the grammar is in postured/control.py, the
bytes and the handshake in postured/wire.py).

One thread waits in accept() (no wakeups while idle); each connection gets a short-lived
thread that authenticates it, reads one bounded request, and answers. Each client has one
deadline for its whole exchange, not one per read: a client that stalls, trickles a byte
at a time, sends garbage, a wrong key or a huge message is dropped after CLIENT_SECONDS
without touching the daemon's state, so slow clients cannot hold the socket. Past
MAX_CLIENTS at once, a client is told it was turned away, and why.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

from postured import control, wire

log = logging.getLogger("postured")

# More concurrent clients than this are turned away at once (status bars poll often).
MAX_CLIENTS = 32
CLIENT_SECONDS = 2.0  # to send the request, and again to take the reply; a real client needs ms

Responder = Callable[[str, "str | None", str], dict]


class ControlServer:
    def __init__(self, where: control.Endpoint, respond: Responder):
        self._where = where
        self._respond = respond
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._listener: wire.Listener | None = None
        self._key = b""

    def start(self) -> None:
        """Open the socket; control.UnsafeFolder if the runtime folder is not the user's alone."""
        self._key = self._where.make_key()
        address = self._where.address
        if sys.platform != "win32":
            # Left by a daemon that was killed: the caller has made sure none answers, and
            # make_key() that it is a socket.
            try:
                os.unlink(address)
            except FileNotFoundError:
                pass
        self._listener = wire.Listener(address)
        threading.Thread(target=self._accept_forever, name="control", daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            listener.close()  # also removes the socket file

    def _accept_forever(self) -> None:
        while (listener := self._listener) is not None:
            try:
                stream = listener.accept()
            except OSError:
                return  # closed by stop()
            if not self._slots.acquire(blocking=False):
                stream.turn_away(f"{MAX_CLIENTS} other clients at once")
                continue
            threading.Thread(target=self._serve, args=(stream,), name="control-client", daemon=True).start()

    def _serve(self, stream) -> None:
        try:
            owner = stream.peer_uid()
            if owner is not None and owner != os.getuid():
                log.debug("control client of uid %s dropped", owner)
                return
            exchange = wire.Served(stream, self._key)
            data = exchange.read(control.MAX_REQUEST, time.monotonic() + CLIENT_SECONDS)
            try:
                verb, argument, source = control.parse_request(control.decode(data))
                answer = self._respond(verb, argument, source)
            except control.ProtocolError as exc:
                answer = control.reply(False, error=str(exc))
            exchange.answer(control.encode_reply(answer), time.monotonic() + CLIENT_SECONDS)
        except (wire.WireError, TimeoutError, EOFError, OSError) as exc:
            log.debug("control client dropped: %s", exc or type(exc).__name__)
        except Exception as exc:  # never let one client take the daemon down
            log.warning("control request failed: %s: %s", type(exc).__name__, exc)
        finally:
            stream.close()
            self._slots.release()


def claim(where: control.Endpoint):
    """Hold the one-instance lock for the daemon's life; None if another holds it.

    control.UnsafeFolder if the runtime folder is not the user's alone. The kernel drops
    the lock when its holder dies, so it never goes stale.
    """
    where.check(create=True)
    handle = open(where.folder / "instance.lock", "a+")
    if sys.platform == "win32":
        return handle  # the named pipe itself refuses a second server
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
