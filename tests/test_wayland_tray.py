"""The tray tells the truth on Wayland: headless sway with a private session bus, with and
without waybar (whose tray module is the StatusNotifierWatcher and host)."""

from __future__ import annotations

import pytest

from daemon import ALL_DAY, Daemon
from desktop import Desktop, require_desktop, wait_until
from wayland import Sway, require_wayland
from postured.adapters.tray import choose_backend, missing_host_advice, tray_host_present

require_wayland()
require_desktop()


@pytest.fixture
def sway():
    shown = Sway(bus=True)
    yield shown
    shown.close()


def run_daemon(sway: Sway, tmp_path, **env) -> Daemon:
    environ = {**sway.env, "TZ": "UTC", "POSTURED_NOTIFIER": "null", **env}
    return Daemon(tmp_path, environ, ALL_DAY.format(interval="1h"))


def test_under_waybar_the_icon_registers_even_when_gtk_was_asked_for(sway, tmp_path):
    sway.start_waybar()
    assert tray_host_present("appindicator", sway.env) is True
    # An X server beside it, as XWayland would be, with nobody owning its X11 tray: the
    # X selection must not decide (issue 14 logged "no system tray host" here).
    xserver = Desktop(tmp_path / "x", tray=False, notifications=False)
    daemon = run_daemon(sway, tmp_path, PYSTRAY_BACKEND="gtk", DISPLAY=xserver.display)
    try:
        daemon.wait_for_log("tray icon ready", timeout=30)
        assert "PYSTRAY_BACKEND=gtk cannot show an icon on a Wayland session" in daemon.log
        assert "tray icon through pystray's appindicator backend" in daemon.log
        wait_until(lambda: "string" in sway.registered_items(), "postured's item at waybar's watcher", 15)
        assert "no tray icon can be seen" not in daemon.log and "no system tray host" not in daemon.log
        assert "Traceback" not in daemon.log
    finally:
        daemon.stop()
        xserver.close()


def test_without_a_tray_host_one_line_says_what_to_install_and_none_says_ready(sway, tmp_path):
    assert tray_host_present("appindicator", sway.env) is False
    daemon = run_daemon(sway, tmp_path)
    try:
        daemon.wait_for_log("no tray icon can be seen: no StatusNotifierItem host", timeout=30)
        daemon.wait_for_log("running with")
        assert "tray icon ready" not in daemon.log
        assert daemon.log.count("no tray icon can be seen") == 1
    finally:
        daemon.stop()


def test_gnome_on_wayland_is_told_about_the_appindicator_extension(sway):
    environ = {**sway.env, "XDG_CURRENT_DESKTOP": "GNOME"}
    assert "gnome-shell-extension-appindicator" in missing_host_advice("appindicator", environ)


def test_xembed_backends_are_never_seen_on_wayland(sway):
    # Even with an X display (XWayland) whose tray selection someone might own.
    environ = {**sway.env, "DISPLAY": ":0"}
    assert tray_host_present("gtk", environ) is False
    assert tray_host_present("xorg", environ) is False
    assert choose_backend({**environ, "PYSTRAY_BACKEND": "xorg"}) == "appindicator"
    assert choose_backend({"DISPLAY": ":0", "PYSTRAY_BACKEND": "gtk"}) == "gtk"  # X11: as asked
