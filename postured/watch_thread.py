"""A watcher on a thread of its own that sleeps in select() on its connection and a wake-up
pipe, so nothing runs while nothing happens: the shared part of the X11 and Wayland idle
watchers (postured/adapters/idle_watch.py, postured/adapters/wayland_idle/).

A subclass opens its connection (``_open``, raising ``unavailable`` when this session cannot
tell) and runs its loop (``_watch``); this class starts and stops the thread, wakes it, closes
the connection and the pipe, and keeps a failing callback from ending the thread.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable

log = logging.getLogger("postured")


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class WakeableWatcher:
    thread_name = "watch"
    unavailable: type[Exception] = OSError  # what _open raises when it cannot work here

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the thread and the pipe's lifetime (subclasses: their state too)
        self._thread: threading.Thread | None = None
        self._wake_r: int | None = None
        self._wake_w: int | None = None
        self._stopping = False

    # ------------------------------------------------------------ for subclasses

    def _open(self):
        """The connection to watch (with ``fileno`` and ``close()``); raises ``unavailable``."""
        raise NotImplementedError

    def _watch(self, connection, wake_r: int) -> None:
        """The loop: select() on the connection and ``wake_r`` until ``self._stopping``."""
        raise NotImplementedError

    def _reset(self) -> None:
        """Called under the lock as the thread starts and as it ends."""

    # ------------------------------------------------------------ the thread

    @property
    def watching(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> bool:
        """True when watching; False, with one log line, when this session cannot tell."""
        with self._lock:
            if self.watching:
                return True
            try:
                connection = self._open()
            except self.unavailable as exc:
                log.warning("idle watch off: %s", exc)
                return False
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_w, False)
            self._stopping = False
            self._reset()
            self._thread = threading.Thread(target=self._run, args=(connection, self._wake_r),
                                            name=self.thread_name, daemon=True)
            self._thread.start()
            return True

    def stop(self) -> None:
        """Stops the thread and waits for it (unless called from one of the callbacks)."""
        with self._lock:
            thread = self._thread
            self._stopping = True
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
            if thread.is_alive():
                log.warning("idle watch: the %s thread did not stop within 10 s", self.thread_name)

    def _wake(self) -> None:
        with self._lock:
            if self._wake_w is None:
                return
            try:
                os.write(self._wake_w, b"!")
            except BlockingIOError:  # the pipe is full of wake-ups already
                pass

    def _run(self, connection, wake_r: int) -> None:
        try:
            self._watch(connection, wake_r)
        except Exception as exc:  # the server went away, or a protocol error
            log.warning("idle watch stopped: %s", one_line(exc))
        finally:
            connection.close()
            with self._lock:
                self._reset()
                os.close(wake_r)
                if self._wake_w is not None:
                    os.close(self._wake_w)
                self._wake_r = self._wake_w = None

    @staticmethod
    def _call(callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception as exc:
            name = getattr(callback, "__name__", repr(callback))
            log.warning("idle watch: %s failed: %s", name, one_line(exc))
