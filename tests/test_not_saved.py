"""What the person is told when an answer waits in memory: the real history on a real
SQLite file, held locked by another connection, behind the engine and the control verbs."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from conftest import BERLIN, at, settings
from fakes import Clock, RecordingAlarm, RecordingNotifier

from postured.adapters.history import SqliteHistory, read_events
from postured.core import machine
from postured.engine import Engine
from postured.remote import Remote

EPOCH = at("1970-01-02 00:00")


def test_an_answer_kept_in_memory_is_never_called_saved(tmp_path, small_catalogue):
    path = tmp_path / "history.sqlite3"
    history = SqliteHistory(path)
    engine = Engine(settings(), small_catalogue, BERLIN, Clock(at("2026-03-23 10:00")), RecordingAlarm(),
                    RecordingNotifier(), history)
    remote = Remote(engine, SimpleNamespace(path=tmp_path / "config.toml", error=None))
    engine.handle(machine.Start())
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the file

    reply = remote.respond("break-now", None)  # waits the 2 s busy timeout, then keeps it
    assert reply["ok"]  # the break is due: the command happened
    assert reply["not_saved"].startswith("database is locked; 1 event is kept in memory only")
    assert reply["status"]["history_error"] == reply["not_saved"]
    assert engine.view().today.endswith(" — 1 not saved to disk")

    other.execute("COMMIT")
    reply = remote.respond("done", None)
    assert reply["not_saved"] is None and reply["status"]["history_error"] is None
    assert "not saved" not in engine.view().today
    assert [e.kind for e in read_events(path, EPOCH)] == ["shown", "done"]  # on disk before the reply

    other.execute("BEGIN EXCLUSIVE")
    assert remote.respond("break-now", None)["not_saved"]
    assert remote.respond("quit", None)["not_saved"].endswith("the log names what is lost")
    other.execute("COMMIT")
    other.close()
    history.close()  # the last try as postured stops
    assert [e.kind for e in read_events(path, EPOCH)][:3] == ["shown", "done", "shown"]
