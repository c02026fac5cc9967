"""The alarm clock: one APScheduler job, replaced whenever the core picks a new time.

The scheduler only wakes the engine; the core decides what the wake-up means. A
missed run (laptop asleep) still fires once on wake (coalesce, no grace limit), and
the core treats a late alarm as a fresh start rather than a burst of reminders.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

JOB_ID = "next-alarm"


class SchedulerAlarm:
    """APScheduler is imported in ``start``, after the tray icon shows: it costs 0.2 s.

    An alarm set before then is kept and handed over at start.
    """

    def __init__(self, on_alarm: Callable[[], None]):
        self._on_alarm = on_alarm
        self._scheduler = None
        self._wanted: datetime | None = None

    def start(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone="UTC",
        )
        self._scheduler.start()
        self.set(self._wanted)

    def set(self, at: datetime | None) -> None:
        self._wanted = at
        if self._scheduler is None:
            return
        from apscheduler.triggers.date import DateTrigger

        if at is None:
            if self._scheduler.get_job(JOB_ID):
                self._scheduler.remove_job(JOB_ID)
            return
        self._scheduler.add_job(
            self._on_alarm, DateTrigger(run_date=at), id=JOB_ID, replace_existing=True
        )

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
