"""The bytes of the control channel: frames, the key handshake, and a deadline on every step.

On Linux and macOS a Unix stream socket carries frames of a 4-byte big-endian length and
that many bytes. On Windows a named pipe (``multiprocessing.connection`` without its own
handshake) carries them as its messages.

Both ends prove that they hold the key of the 0600 key file, and every message is bound to
fresh random nonces, so a recorded exchange cannot be replayed (HMAC-SHA256; Python 3.11's
multiprocessing handshake, used before, is HMAC-MD5 and proved nothing about the messages):

    daemon -> client   01 Ns                                (Ns: 32 random bytes)
                       00 reason                            (turned away, e.g. too many clients)
    client -> daemon   HMAC(key, "client" Ns Nc request) Nc request
    daemon -> client   HMAC(key, "daemon" Nc reply) reply

Every read and write is given the time left until one deadline for the whole exchange, so a
stopped daemon, a silent listener or a client sending a byte at a time cannot hold the
other end past it. Standard library only, and cheap to import: the CLI verbs load it.
"""

from __future__ import annotations

import hmac
import os
import sys
import time

from postured.i18n import _

NONCE = 32
MAC = 32  # bytes of an HMAC-SHA256
CHALLENGE, TURNED_AWAY = b"\x01", b"\x00"
MAX_REASON = 1024  # bytes of a turned-away reason


class WireError(Exception):
    """The other end broke the handshake or the framing (not a timeout or a hang-up)."""


class TurnedAway(WireError):
    """The daemon declined to serve this client; str() is its reason."""


def left(deadline: float) -> float:
    """Seconds until ``deadline`` (a time.monotonic() value); TimeoutError once it has passed."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the deadline passed")
    return remaining


def _mac(key: bytes, *parts: bytes) -> bytes:
    return hmac.digest(key, b"".join(parts), "sha256")


# ------------------------------------------------------------------ streams of frames


class SocketStream:
    def __init__(self, sock):
        self.sock = sock

    def send(self, payload: bytes, deadline: float) -> None:
        self.sock.settimeout(left(deadline))  # since 3.5 a bound on the whole sendall
        self.sock.sendall(len(payload).to_bytes(4, "big") + payload)

    def receive(self, limit: int, deadline: float) -> bytes:
        size = int.from_bytes(self._exactly(4, deadline), "big")
        if size > limit:
            raise WireError(f"a message of {size} bytes (at most {limit} expected)")
        return self._exactly(size, deadline)

    def _exactly(self, count: int, deadline: float) -> bytes:
        data = bytearray()
        while len(data) < count:
            self.sock.settimeout(left(deadline))
            chunk = self.sock.recv(min(count - len(data), 1 << 16))
            if not chunk:
                raise EOFError("the other end hung up")
            data += chunk
        return bytes(data)

    def peer_uid(self) -> int | None:
        """The other process's user id (Linux), None where the system does not say."""
        import socket

        option = getattr(socket, "SO_PEERCRED", None)
        if option is None:
            return None
        credentials = self.sock.getsockopt(socket.SOL_SOCKET, option, 12)  # pid, uid, gid
        return int.from_bytes(credentials[4:8], sys.byteorder)

    def turn_away(self, reason: str) -> None:
        """Say why, without waiting on the client (this runs on the accepting thread)."""
        frame = TURNED_AWAY + reason.encode()[:MAX_REASON]
        try:
            self.sock.setblocking(False)
            self.sock.send(len(frame).to_bytes(4, "big") + frame)
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        self.sock.close()


class PipeStream:
    """A Windows named pipe: its messages are the frames. Not tested on this project's CI."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, payload: bytes, deadline: float) -> None:
        left(deadline)
        self.connection.send_bytes(payload)

    def receive(self, limit: int, deadline: float) -> bytes:
        if not self.connection.poll(left(deadline)):
            raise TimeoutError("no message in time")
        try:
            return self.connection.recv_bytes(limit)
        except OSError as exc:  # "bad message length": longer than limit
            raise WireError(str(exc)) from None

    def peer_uid(self) -> None:
        return None  # a pipe's default ACL admits only this user, SYSTEM and administrators

    def turn_away(self, reason: str) -> None:
        try:
            self.connection.send_bytes(TURNED_AWAY + reason.encode()[:MAX_REASON])
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        self.connection.close()


def connect(address: str, deadline: float):
    """A stream to the daemon at ``address``; OSError (e.g. FileNotFoundError) if none listens."""
    if sys.platform == "win32":
        from multiprocessing.connection import Client  # gives up after 20 s of a busy pipe

        left(deadline)
        return PipeStream(Client(address))
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(left(deadline))
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return SocketStream(sock)


class Listener:
    """The daemon's socket (a 0600 Unix socket, or a named pipe on Windows)."""

    def __init__(self, address: str, backlog: int = 64):
        self.address = address
        if sys.platform == "win32":
            from multiprocessing.connection import Listener as PipeListener

            self._pipe = PipeListener(address)
            return
        import socket

        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)  # the socket is born 0600
        try:
            self._sock.bind(address)
        except BaseException:
            self._sock.close()
            raise
        finally:
            os.umask(old_mask)
        self._sock.listen(backlog)

    def accept(self):
        """The next client's stream; OSError once closed."""
        if sys.platform == "win32":
            return PipeStream(self._pipe.accept())
        sock, _ = self._sock.accept()
        return SocketStream(sock)

    def close(self) -> None:
        if sys.platform == "win32":
            self._pipe.close()
            return
        import socket

        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting in accept()
        except OSError:
            pass
        self._sock.close()
        try:
            os.unlink(self.address)
        except OSError:
            pass


# ------------------------------------------------------------------ the handshake


def ask(stream, key: bytes, request: bytes, limit: int, deadline: float) -> bytes:
    """The client's side: send ``request``, return the daemon's signed reply (at most limit bytes).

    WireError if the daemon does not prove it holds the key; TurnedAway with its reason.
    """
    first = stream.receive(1 + max(NONCE, MAX_REASON), deadline)
    if first[:1] == TURNED_AWAY:
        raise TurnedAway(first[1:].decode("utf-8", "replace") or _("turned away"))
    if first[:1] != CHALLENGE or len(first) != 1 + NONCE:
        raise WireError(_("the first message is not a challenge"))  # the client's side only: the CLI says it
    daemon_nonce, client_nonce = first[1:], os.urandom(NONCE)
    stream.send(_mac(key, b"client", daemon_nonce, client_nonce, request) + client_nonce + request, deadline)
    answer = stream.receive(MAC + limit, deadline)
    proof, reply = answer[:MAC], answer[MAC:]
    if not hmac.compare_digest(proof, _mac(key, b"daemon", client_nonce, reply)):
        raise WireError(_("the reply is not signed with the key in control.key"))
    return reply


class Served:
    """The daemon's side of one exchange: read() the proven request, then answer() it."""

    def __init__(self, stream, key: bytes):
        self._stream, self._key = stream, key
        self._client_nonce = b""

    def read(self, limit: int, deadline: float) -> bytes:
        daemon_nonce = os.urandom(NONCE)
        self._stream.send(CHALLENGE + daemon_nonce, deadline)
        frame = self._stream.receive(MAC + NONCE + limit, deadline)
        proof, client_nonce, request = frame[:MAC], frame[MAC:MAC + NONCE], frame[MAC + NONCE:]
        if len(client_nonce) != NONCE or not hmac.compare_digest(
                proof, _mac(self._key, b"client", daemon_nonce, client_nonce, request)):
            raise WireError("the client does not hold the key")
        self._client_nonce = client_nonce
        return request

    def answer(self, reply: bytes, deadline: float) -> None:
        self._stream.send(_mac(self._key, b"daemon", self._client_nonce, reply) + reply, deadline)
