"""Calls, cameras and screen casts hold a due reminder: PipeWire's graph and /proc, for real.

The rules are checked on node properties as pw-dump prints them; the sensor and the
whole daemon against a real PipeWire session (pipewire, wireplumber, pipewire-pulse)
with a real recording stream (parecord), started by these tests.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from daemon import ALL_DAY, Daemon, private_env
from desktop import wait_until
from pipewire import PipeWire, require_pipewire

from postured.adapters.calls import CallSensor, devices_open, holds_in
from postured.core.holds import SENSED, Hold

OWN = 4242


def node(state="running", **props):
    return {"id": 42, "type": "PipeWire:Interface:Node", "info": {"state": state, "props": props}}


PARECORD = {"media.class": "Stream/Input/Audio", "application.name": "parecord",
            "application.process.id": 12948, "client.api": "pipewire-pulse", "media.name": "/dev/null"}


@pytest.mark.parametrize("entry, expected", [
    (node(**PARECORD), {Hold.CALL}),
    (node("idle", **PARECORD), set()),  # opened, not recording
    (node(**{**PARECORD, "application.process.id": OWN}), set()),  # our own
    (node(**{**PARECORD, "resample.peaks": True}), set()),  # pavucontrol's level meter
    (node(**{**PARECORD, "stream.capture.sink": "true"}), set()),  # recording what plays
    (node(**{"media.class": "Stream/Output/Audio", "application.name": "mpv"}), set()),  # playing
    (node(**{"media.class": "Video/Source", "node.name": "xdpw_stream"}), {Hold.SCREENCAST}),
    (node(**{"media.class": "Stream/Output/Video", "node.name": "gnome-shell-screencast"}), {Hold.SCREENCAST}),
    (node("suspended", **{"media.class": "Video/Source", "node.name": "xdpw_stream"}), set()),
    (node(**{"media.class": "Stream/Input/Video", "media.role": "Screen"}), {Hold.SCREENCAST}),
    (node(**{"media.class": "Video/Source", "device.api": "v4l2", "node.name": "v4l2_input.usb"}),
     {Hold.CAMERA}),
    (node("suspended", **{"media.class": "Video/Source", "device.api": "v4l2"}), set()),
    ({"id": 1, "type": "PipeWire:Interface:Core", "info": {"props": {}}}, set()),
])
def test_which_nodes_say_call_screencast_or_camera(entry, expected):
    assert holds_in([entry], OWN) == expected


def test_a_camera_held_open_by_another_process_is_found_in_proc(tmp_path):
    camera = tmp_path / "video0"
    camera.write_bytes(b"")
    (tmp_path / "video1").write_bytes(b"")
    pattern = str(tmp_path / "video*")
    assert devices_open(pattern) == []
    # A real other process opens the device and waits for its stdin to close.
    holder = subprocess.Popen([sys.executable, "-c", f"f = open({str(camera)!r}); input()"],
                              stdin=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: devices_open(pattern), "the camera to be open")
        assert devices_open(pattern) == [(holder.pid, str(camera))]
        sensor = CallSensor(pw_dump="true", cameras=pattern)  # `true` prints an empty graph
        assert sensor.read(SENSED) == {Hold.CAMERA}
        assert sensor.read(SENSED - {Hold.CAMERA}) == set()  # switched off: not even scanned
    finally:
        holder.communicate("\n", timeout=10)
    assert devices_open(pattern) == []
    with open(camera) as _ours:  # our own process holding it is no camera in use
        assert devices_open(pattern) == []


def test_without_pipewire_one_line_says_so_and_nothing_holds(tmp_path, caplog):
    empty = tmp_path / "runtime"
    empty.mkdir(mode=0o700)
    sensor = CallSensor(cameras=str(tmp_path / "no-video*"), environ={"XDG_RUNTIME_DIR": str(empty),
                                                                        "PATH": "/usr/bin:/bin"})
    missing = CallSensor(pw_dump=str(tmp_path / "pw-dump"), cameras=str(tmp_path / "no-video*"))
    with caplog.at_level(logging.INFO, logger="postured"):
        assert [sensor.read(SENSED), sensor.read(SENSED), missing.read(SENSED)] == [set()] * 3
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("cannot tell calls or screen sharing: no PipeWire (")
    assert "pipewire-bin" in lines[1]


# ---------------------------------------------------------------- a real PipeWire session


@pytest.fixture
def pipewire(tmp_path):
    require_pipewire()
    session = PipeWire(tmp_path / "pipewire")
    yield session
    session.close()


def test_a_recording_stream_is_a_call_while_it_records(pipewire, caplog):
    sensor = CallSensor(cameras="/nonexistent/video*", environ=pipewire.env)
    assert sensor.read(SENSED) == set()
    recorder = pipewire.record()
    wait_until(lambda: sensor.read(SENSED) == {Hold.CALL}, "the recording to be seen as a call")
    assert sensor.read(SENSED - {Hold.CALL}) == set()
    pipewire.stop(recorder)
    wait_until(lambda: pipewire.recordings() == 0, "the stream to end")
    assert sensor.read(SENSED) == set()


def test_the_daemon_holds_the_break_during_a_call_and_brings_it_once_when_it_ends(pipewire, tmp_path):
    env = private_env(tmp_path / "daemon")
    pipewire_env = {**env, "XDG_RUNTIME_DIR": str(pipewire.runtime)}  # where PipeWire listens
    recorder = pipewire.record()
    wait_until(lambda: pipewire.recordings() == 1, "parecord to record")
    daemon = Daemon(tmp_path / "daemon", pipewire_env, ALL_DAY.format(interval="20s"), args=("run", "--no-tray"))
    try:
        def status() -> dict:
            done = subprocess.run([sys.executable, "-m", "postured", "--config", str(daemon.config),
                                   "status", "--json"], env=daemon.env, capture_output=True, text=True, timeout=30)
            return json.loads(done.stdout) if done.returncode == 0 else {}

        wait_until(lambda: status().get("held_by") == "call", "the due break to be held by the call", 40)
        assert status()["status"].startswith("Break held: you are in a call — ")
        assert daemon.kinds() == ["held"]
        pipewire.stop(recorder)
        daemon.wait_for_event("shown", timeout=45)  # at the next look, within 30 s
        assert daemon.kinds() == ["held", "shown"]  # once
        assert status()["held_by"] is None and status()["state"] == "due"
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
