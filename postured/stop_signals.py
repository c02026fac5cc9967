"""TERM, INT and HUP stop the daemon cleanly, however many come and whenever they come."""

from __future__ import annotations

import logging
import signal
import threading

log = logging.getLogger("postured")


class StopSignals:
    """TERM, INT and HUP stop the daemon, however many come and whenever they come.

    Installed first thing, so no signal meets a default handler half-way through start-up
    or shutdown. The handler only starts a thread that sends Quit to the engine: run on
    the main thread, in the middle of whatever it interrupted, it must take no lock the
    interrupted code may hold. Later signals change nothing: the stop is under way.
    (PyGObject's main loop wakes for Python's handlers, so this works under GTK too.)
    """

    NUMBERS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self):
        self.engine = None
        self.requested = False
        self.install()

    def install(self) -> None:
        for number in self.NUMBERS:
            signal.signal(number, self._on_signal)

    def _on_signal(self, number, _frame) -> None:
        if self.requested:
            return
        self.requested = True
        log.info("stopping on %s", signal.Signals(number).name)
        engine = self.engine
        if engine is not None:
            from postured.core import machine

            threading.Thread(target=engine.handle, args=(machine.Quit("signal"),), name="quit", daemon=True).start()
