"""Composition root: builds the paths, clock, adapters and engine, and runs the daemon."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from postured import i18n
from postured.i18n import _
from postured.catalogue import Catalogue, load_catalogue
from postured.config import ConfigError, Settings, check_against_catalogue, parse_settings, warnings_of
from postured.paths import Paths
from postured.program import Program

log = logging.getLogger("postured")


@dataclass(frozen=True)
class Loaded:
    settings: Settings
    catalogue: Catalogue
    zone: tzinfo
    program: Program | None = None  # the imported program (postured program import)
    text: str | None = None  # what was read; None: no file, the defaults
    warnings: tuple[str, ...] = ()  # located lines for values that work but look unmeant


def load(paths: Paths) -> Loaded:
    """The config and the imported program, both checked against the catalogue."""
    from dataclasses import replace

    from postured.program_store import load_stored

    loaded = load_config(paths)
    program = load_stored(paths.data, [e for e in loaded.catalogue.exercises if not e.is_custom])
    return replace(loaded, program=program)


def load_config(paths: Paths) -> Loaded:
    """The config (defaults when there is no file) checked against the catalogue."""
    from postured.config_file import read_config

    text = read_config(paths.config, required=paths.config_named)
    settings = Settings() if text is None else parse_settings(text, str(paths.config))
    before = i18n.current()
    _log_once(i18n.apply(settings.ui.language))  # the catalogue is read in the person's language
    try:
        catalogue = load_catalogue()
        check_against_catalogue(settings, catalogue.exercises, str(paths.config), text)
    except ConfigError:
        i18n.use(*before)  # the config is refused whole: the last good one's language stays
        raise
    warnings = tuple(warnings_of(settings, text, str(paths.config)))
    return Loaded(settings, catalogue.with_custom(settings), zone_of(settings), text=text, warnings=warnings)


_logged: set[str] = set()


def _log_once(lines: list[str]) -> None:
    """A language note is worth one line, not one at every config reload."""
    for line in lines:
        if line not in _logged:
            _logged.add(line)
            log.info("%s", line)


def zone_of(settings: Settings) -> tzinfo:
    from zoneinfo import ZoneInfo

    if settings.schedule.timezone:
        return ZoneInfo(settings.schedule.timezone)
    try:
        import tzlocal

        return tzlocal.get_localzone()
    except Exception as exc:
        log.warning("cannot tell the system time zone (%s); using UTC", exc)
        return timezone.utc


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def start_guided_exercise(engine, paths: Paths) -> None:
    """Make a break due (unless one is), then open the guided window as its own process.

    The window (Tk) lives only while it is open, and answers through the control
    socket like any CLI verb, so the daemon never holds a second GUI toolkit.
    """
    from postured.core import machine

    if engine.state.phase is not machine.Phase.DUE:
        engine.handle(machine.BreakNow("tray"))
    # The default path may be absent (the defaults); only a path that was named must exist.
    named = ["--config", str(paths.config)] if paths.config_named else []
    argv = [sys.executable, "-m", "postured", *named, "guide"]
    try:
        window = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        log.warning("cannot open the exercise window: %s", exc.strerror)
        return
    # Reap it when it closes, so no zombie is left behind.
    threading.Thread(target=window.wait, name="guide-window", daemon=True).start()


def run(paths: Paths, use_tray: bool) -> int:
    logging.basicConfig(level=logging.INFO, format="postured: %(levelname)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job is noise
    from postured.stop_signals import StopSignals

    signals = StopSignals()
    try:
        loaded = load(paths)
    except ConfigError as exc:
        print(f"postured: {exc}", file=sys.stderr)
        return 2

    from postured import control
    from postured.adapters.control_server import ControlServer, claim

    where = control.endpoint()
    try:
        where.check(create=True)
    except control.UnsafeFolder as exc:
        print(f"postured: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(_("postured: cannot make the runtime folder {path}: {reason}").format(
            path=where.path, reason=exc.strerror or exc), file=sys.stderr)
        return 1
    if _answers(where) or (instance_lock := claim(where)) is None:
        print(_("postured: already running (its control socket is {address}); "
                     "use `postured status`, or `postured quit` first").format(address=where.address), file=sys.stderr)
        return 1

    from postured.adapters.history import SqliteHistory
    from postured.adapters.scheduler import SchedulerAlarm
    from postured.core import machine
    from postured.engine import Engine
    from postured.live_config import ConfigKeeper, ConfigWatcher
    from postured.remote import Remote

    stopped = threading.Event()
    tray = None

    def stop() -> None:
        stopped.set()
        if tray is not None:
            tray.stop()

    notifier = _notifier(lambda key: _answer_from_notification(key, engine, paths))

    def tell(message: str) -> None:
        log.warning(message)
        # Translators: the title of a notification; why the history cannot be written follows.
        notifier.show(_("postured: history problem"), message)

    history = SqliteHistory(paths.history, warn=tell)
    synced = _synced(history, paths, loaded)
    if synced is not None:
        history = synced
    calendars = _calendars(paths, loaded, lambda: engine.handle(machine.HoldsChanged()))

    def on_alarm() -> None:
        # A feed is fetched here, in the scheduler's worker thread and off the engine lock,
        # only when a reminder is due or held and its copy is older than 15 minutes.
        if calendars.sources and machine.wants_holds(engine.state, utc_now()):
            calendars.refresh(utc_now())
        engine.handle(machine.AlarmFired())

    alarm = SchedulerAlarm(on_alarm)
    sensor = _presence_sensor()
    calls, dnd = _hold_sensors(lambda: engine.handle(machine.HoldsChanged()))
    engine = Engine(
        loaded.settings, loaded.catalogue, loaded.zone, utc_now, alarm, notifier, history, on_stop=stop,
        presence=sensor, holds=(calls, dnd), program=loaded.program, calendars=calendars,
    )
    engine.picture = _exercise_picture
    sleep_watcher = _sleep_watcher(engine)
    clock_watcher = _clock_watcher(engine)
    idle_watcher = _idle_watcher(engine, sensor)
    earlier_hook = engine.on_settings

    def on_settings(settings: Settings) -> None:
        earlier_hook(settings)
        calendars.configure(settings.presence, engine.zone)
        if settings.sync != loaded.settings.sync:
            log.warning("config: a changed [sync] folder is used from the next start of postured")

    engine.on_settings = on_settings
    keeper = ConfigKeeper(paths, engine, notifier, load, loaded.text)
    server = ControlServer(where, Remote(engine, keeper).respond)
    watcher = ConfigWatcher(keeper)
    signals.engine = engine  # from now on a signal quits through the engine
    if use_tray:
        tray = _start_tray(engine, paths)
    for warning in loaded.warnings:
        log.warning("config: %s", warning)
    # Without a tray, the config is watched before anything is logged or answered: a config
    # saved right after a `status` is then never missed (the watch is on once start() returns).
    watch_first = tray is None
    if watch_first:
        watcher.start()
    log.info(
        "running with %s (%s), history in %s",
        paths.config if loaded.text is not None else "the default config",
        getattr(loaded.zone, "key", loaded.zone), paths.history,
    )
    background_started = threading.Event()
    # Starting the background pieces (on the tray's thread) and stopping them (here, in
    # finally) never overlap: a signal during start-up would stop a piece half started.
    background = threading.Lock()

    def start_background() -> None:
        # After the icon shows: the scheduler and the file watcher are not needed to draw it.
        with background:
            if background_started.is_set() or stopped.is_set():
                return
            background_started.set()
            alarm.start()
            if not watch_first:
                watcher.start()
            keeper.catch_up()
            sleep_watcher.start()
            dnd.start()
            clock_watcher.start()
            calendars.start()
            if synced is not None:
                synced.watch(engine.elsewhere)
            if idle_watcher is not None and idle_watcher.start():
                engine.presence_watched = True  # no more looks between alarms

    def tray_ready() -> None:
        if stopped.is_set():  # a signal came before the icon's loop ran: tray.stop missed it
            tray.stop()
            return
        tray.refresh()
        from postured.adapters.tray import missing_host_advice

        advice = missing_host_advice(tray.backend)  # "ready" only for an icon that can be seen
        if advice:
            log.warning(advice)
        else:
            log.info("tray icon ready")
        start_background()

    try:
        engine.handle(machine.Start())
        server.start()
        if signals.requested:  # a signal during start-up: stop now, nothing left running
            stop()
        if tray is not None and not stopped.is_set():
            engine.tray = tray
            try:
                tray.run(on_ready=tray_ready)
            except Exception as exc:
                log.warning("the tray stopped working (%s); reminders come as notifications only", exc)
                engine.tray = tray = None
        if not stopped.is_set():
            start_background()
            stopped.wait()
    finally:
        with background:
            background_started.set()  # too late to start anything now
            if idle_watcher is not None:
                idle_watcher.stop()
            sleep_watcher.stop()
            dnd.stop()
            clock_watcher.stop()
            calendars.stop()
            watcher.stop()
            server.stop()
            alarm.stop()
        history.close()
        close_notifier = getattr(notifier, "close", None)
        if close_notifier is not None:  # sends what is still queued (a withdrawn reminder)
            close_notifier()
        instance_lock.close()
    log.info("stopped")
    return 0


def _notifier(on_action):
    """Reminders with Done, Snooze and Start buttons where the notification server has
    buttons (freedesktop actions); else plyer; POSTURED_NOTIFIER=null|plyer forces one."""
    from postured.adapters.notify import make_notifier
    from postured.resources import icon_path

    icon = str(icon_path("due"))
    if os.environ.get("POSTURED_NOTIFIER", "").lower() not in ("null", "plyer"):
        from postured.adapters.notify_actions import make_action_notifier

        with_buttons = make_action_notifier(icon, on_action)
        if with_buttons is not None:
            return with_buttons
    return make_notifier(icon)


def _exercise_picture(exercise) -> str:
    """The reminder's picture: drawn (Pillow) and cached on the first reminder, not at start-up."""
    from postured.pictures.cache import picture_path

    return picture_path(exercise)


def _answer_from_notification(key: str, engine, paths: Paths) -> None:
    from postured.core import machine

    if key == "done":
        engine.handle(machine.Done("notification"))
    elif key == "snooze":
        engine.handle(machine.Snooze(source="notification"))
    elif key == "start":
        start_guided_exercise(engine, paths)


def _presence_sensor():
    """The platform's idle-time reader, or None (reminders then come as scheduled)."""
    from postured.adapters.presence import make_presence_sensor
    from postured.adapters.wayland_idle import make_wayland_sensor  # pywayland loads only on Wayland

    sensor = make_presence_sensor(wayland=make_wayland_sensor)
    if sensor.name == "null":  # make_presence_sensor has said why, in one line
        return None
    log.info("away detection through %s", sensor.name)
    return sensor


def _hold_sensors(on_change) -> tuple:
    """What can say "not now" to a due reminder: calls, screen casts and cameras (PipeWire,
    /proc), and the desktop's do-not-disturb, which also says when it ends (``on_change``)."""
    from postured.adapters.calls import CallSensor
    from postured.adapters.dnd import DoNotDisturb

    return CallSensor(), DoNotDisturb(on_change)


def _synced(history, paths: Paths, loaded: Loaded):
    """The history shared through the [sync] folder, or None when none is set (the folder is
    read at start; a change of it in the config applies at the next start)."""
    from postured.synced_history import SyncedHistory, folder_of

    folder = folder_of(loaded.settings)
    if folder is None:
        return None
    synced = SyncedHistory(history, folder, paths.data)
    synced.catch_up()
    return synced


def _calendars(paths: Paths, loaded: Loaded, on_change):
    """The [presence] calendars; icalendar is imported only when some are configured."""
    from postured.busy_calendars import Calendars

    calendars = Calendars(paths.calendar_cache, loaded.zone, on_change)
    calendars.configure(loaded.settings.presence)
    if calendars.sources:
        log.info("busy events of %d calendar(s) hold reminders", len(calendars.sources))
    return calendars


def _idle_watcher(engine, sensor):
    """On X11 (SYNC alarms) and Wayland (the compositor's idle protocol), the desktop says
    when idle time reaches the natural break and when input comes back: no polling.
    Elsewhere None, and the core looks instead."""
    if sensor is None or not (sensor.name == "x11" or getattr(sensor, "watches", False)):
        return None
    from datetime import timedelta

    from postured.adapters.idle_watch import IdleWatcher
    from postured.core import machine
    from postured.core.presence import Presence

    def changed(idle: timedelta) -> None:
        engine.handle(machine.PresenceChanged(Presence(idle=idle)))

    threshold, back = engine.settings.presence.natural_break, lambda: changed(timedelta(0))
    if getattr(sensor, "watches", False):  # Wayland: the sensor is its own watcher
        watcher = sensor
        watcher.watch(threshold, on_away=changed, on_back=back)
    else:
        watcher = IdleWatcher(threshold, on_away=changed, on_back=back)
    engine.on_settings = lambda settings: watcher.set_threshold(settings.presence.natural_break)
    return watcher


def _sleep_watcher(engine):
    """Tells the engine when the machine wakes: its timers did not run while asleep."""
    from postured.adapters.sleep import SleepWatcher
    from postured.core import machine

    asleep_at: list[datetime] = []

    def on_sleep() -> None:
        asleep_at[:] = [utc_now()]

    def on_wake() -> None:
        if asleep_at:
            engine.handle(machine.Woke(utc_now() - asleep_at.pop()))

    return SleepWatcher(on_sleep, on_wake)


def _clock_watcher(engine):
    """Tells the engine when the wall clock is set: the interval is elapsed time."""
    from postured.adapters.clock_watch import ClockWatcher
    from postured.core import machine

    return ClockWatcher(lambda step: engine.handle(machine.ClockStepped(step)))


def _answers(where) -> bool:
    from postured import control

    try:
        control.call(where, control.request("status"), timeout=2)
        return True
    except (control.NotRunning, control.NoAnswer):  # stopped or stuck: claim() decides
        return False


def _start_tray(engine, paths: Paths):
    """The tray, or None with one clear log line when there is none to be had."""
    import os

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        log.warning("no display (DISPLAY is not set): no tray icon; reminders come as notifications only")
        return None
    try:
        from postured.adapters.tray import PystrayTray

        from postured.editor import open_in_editor

        tray = PystrayTray(engine, lambda: open_in_editor(paths.config, engine.notifier.show),
                           lambda: start_guided_exercise(engine, paths))
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning("no tray icon (%s); reminders come as notifications only", reason)
        return None
    log.info("tray icon through pystray's %s backend", tray.backend)
    return tray
