"""Make the README's picture of `postured report`: four weeks of a made-up history in a
temporary home, the report of them as PDF, its first page as PNG (poppler's pdftoppm).

    .venv/bin/python tools/report_example.py docs/report-page1.png
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from postured.adapters.history import SqliteHistory
from postured.core.machine import Record

BERLIN = ZoneInfo("Europe/Berlin")
EXERCISES = ("chin-tuck", "scapular-squeeze", "lateral-neck-flexion", "rhomboid-stretch")


def write_history(path: Path, first: date) -> None:
    history = SqliteHistory(path)
    for offset in range(28):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot in range(5):
            at = datetime.combine(day, time(9 + slot, 30), tzinfo=BERLIN)
            exercise = EXERCISES[(offset + slot) % len(EXERCISES)]
            history.record(at, Record("shown", exercise, "alarm"))
            answer = "skipped" if (offset * 5 + slot) % 7 == 3 else "done"
            detail = "too hard" if (offset, slot) == (10, 1) else None
            history.record(at + timedelta(minutes=2), Record(answer, exercise, "tray", detail))
        if offset in (8, 22):
            history.record(datetime.combine(day, time(15, 10), tzinfo=BERLIN),
                           Record("hurt", EXERCISES[offset % len(EXERCISES)], "tray"))
        history.record(datetime.combine(day, time(12, 40), tzinfo=BERLIN), Record("natural_break", None, "alarm"))
    history.close()


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        config = Path(home) / "config.toml"
        config.write_text('[schedule]\ntimezone = "Europe/Berlin"\n')
        env = {**os.environ, "HOME": home, "XDG_DATA_HOME": f"{home}/data", "XDG_CONFIG_HOME": f"{home}/cfg",
               "POSTURED_CONFIG": str(config)}
        write_history(Path(home) / "data" / "postured" / "history.sqlite3", date(2026, 3, 2))
        pdf = Path(home) / "report.pdf"
        subprocess.run([sys.executable, "-m", "postured", "report", "--weeks", "4", "--to", "2026-03-29",
                        "--out", str(pdf)], env=env, check=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(out.with_suffix(""))], check=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/report-page1.png"))
