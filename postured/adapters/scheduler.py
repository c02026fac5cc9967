"""The alarm clock: one APScheduler job, replaced whenever the core picks a new time.

The scheduler only wakes the engine; the core decides what the wake-up means. A
missed run (laptop asleep) still fires once on wake (coalesce, no grace limit), and
the core treats a late alarm as a fresh start rather than a burst of reminders.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger

JOB_ID = "next-alarm"


class SchedulerAlarm:
    def __init__(self, on_alarm: Callable[[], None]):
        self._on_alarm = on_alarm
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone="UTC",
        )

    def start(self) -> None:
        self._scheduler.start()

    def set(self, at: datetime | None) -> None:
        if at is None:
            if self._scheduler.get_job(JOB_ID):
                self._scheduler.remove_job(JOB_ID)
            return
        self._scheduler.add_job(
            self._on_alarm, DateTrigger(run_date=at), id=JOB_ID, replace_existing=True
        )

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
