"""The daemon's end of the control channel (the grammar is in postured/control.py).

One thread waits in accept() (no wakeups while idle); each connection gets a short-lived
thread that authenticates it, reads one bounded request, and answers. A client that
stalls, sends garbage, a wrong key or a huge message is dropped after a few seconds
without touching the daemon's state.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import sys
import threading
from collections.abc import Callable
from multiprocessing import AuthenticationError
from multiprocessing.connection import Listener, answer_challenge, deliver_challenge

from postured import control

log = logging.getLogger("postured")

# More concurrent clients than this are turned away at once (status bars poll often).
MAX_CLIENTS = 32

Responder = Callable[[str, "str | None"], dict]


class ControlServer:
    def __init__(self, where: control.Endpoint, respond: Responder):
        self._where = where
        self._respond = respond
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._listener: Listener | None = None
        self._key = b""

    def start(self) -> None:
        self._key = self._where.make_key()
        address = self._where.address
        if sys.platform != "win32":
            # Left by a daemon that was killed: the caller has made sure none answers.
            try:
                os.unlink(address)
            except FileNotFoundError:
                pass
        old_mask = os.umask(0o177)  # the socket is born 0600
        try:
            self._listener = Listener(address)
        finally:
            os.umask(old_mask)
        threading.Thread(target=self._accept_forever, name="control", daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()  # also removes the socket file
            self._listener = None

    def _accept_forever(self) -> None:
        while self._listener is not None:
            try:
                connection = self._listener.accept()
            except OSError:
                return  # closed by stop()
            if not self._slots.acquire(blocking=False):
                connection.close()
                continue
            threading.Thread(target=self._serve, args=(connection,), name="control-client", daemon=True).start()

    def _serve(self, connection) -> None:
        try:
            _limit_wait(connection)
            deliver_challenge(connection, self._key)
            answer_challenge(connection, self._key)
            if not connection.poll(control.TIMEOUT):
                return
            data = connection.recv_bytes(control.MAX_MESSAGE)
            try:
                verb, argument = control.parse_request(control.decode(data))
                answer = self._respond(verb, argument)
            except control.ProtocolError as exc:
                answer = control.reply(False, error=str(exc))
            connection.send_bytes(control.encode(answer))
        except (AuthenticationError, EOFError, OSError) as exc:
            log.debug("control client dropped: %s", exc)
        except Exception as exc:  # never let one client take the daemon down
            log.warning("control request failed: %s: %s", type(exc).__name__, exc)
        finally:
            connection.close()
            self._slots.release()


def claim(where: control.Endpoint):
    """Hold the one-instance lock for the daemon's life; None if another holds it.

    The kernel drops the lock when its holder dies, so it never goes stale.
    """
    where.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def _limit_wait(connection) -> None:
    """Make every read on this client's socket give up after control.TIMEOUT seconds."""
    if sys.platform == "win32":
        return
    with socket.socket(fileno=os.dup(connection.fileno())) as sock:
        seconds = int(control.TIMEOUT)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, 0))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", seconds, 0))
