"""`postured stats`: per-day counts in the config's zone, the streak, the weekly chart.

The summaries are pure and get explicit times (Berlin's DST weekends of 2026: the clocks
jump 02:00 -> 03:00 on Sun 29 March and fall 03:00 -> 02:00 on Sun 25 October). The verb
runs end to end as a subprocess over a real SQLite history.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from daemon import private_env

from postured import i18n, stats

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
DESCRIBE = {"chin-tuck": ("Chin tuck", "neck"), "wall-slide": ("Wall slide", "upper back"),
            "shoulder-roll": ("Shoulder roll", "shoulders")}


@dataclass(frozen=True)
class Ev:
    at: datetime
    kind: str
    exercise_id: str | None = "chin-tuck"
    detail: str | None = None


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def berlin(text: str) -> datetime:
    """A Berlin wall-clock time (fold 0) as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


def day(summary: stats.Summary, iso: str) -> stats.Counts:
    return next(d.counts for d in summary.days if d.date == date.fromisoformat(iso))


def done_on(*days_and_counts: tuple[str, int]) -> list[Ev]:
    """``count`` done breaks on each Berlin date, from 10:00 on."""
    return [Ev(berlin(f"{iso} {10 + i:02d}:00"), "done") for iso, count in days_and_counts for i in range(count)]


# ---------------------------------------------------------------- days in the zone


def test_days_split_at_local_midnight_across_spring_forward():
    events = [
        Ev(utc("2026-03-27 22:59"), "done"),  # 23:59 CET, Fri 27
        Ev(utc("2026-03-27 23:00"), "done"),  # 00:00 CET, Sat 28
        Ev(utc("2026-03-28 22:59"), "done"),  # 23:59 CET, Sat 28
        Ev(utc("2026-03-28 23:00"), "done"),  # 00:00 CET, Sun 29 (the 23-hour day)
        Ev(utc("2026-03-29 01:00"), "skipped"),  # 03:00 CEST, an hour after 01:59 CET
        Ev(utc("2026-03-29 21:59"), "done"),  # 23:59 CEST, Sun 29; a fixed +01:00 would say 22:59
        Ev(utc("2026-03-29 22:00"), "missed"),  # 00:00 CEST, Mon 30; a fixed +01:00 would say Sun 23:00
    ]
    summary = stats.summarize(events, berlin("2026-03-30 12:00"), BERLIN, days=4)
    assert [d.date.isoformat() for d in summary.days] == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
    assert [d.counts.done for d in summary.days] == [1, 2, 2, 0]
    assert day(summary, "2026-03-29").skipped == 1
    assert day(summary, "2026-03-30").missed == 1 and day(summary, "2026-03-29").missed == 0


def test_days_split_at_local_midnight_across_fall_back():
    events = [
        Ev(utc("2026-10-24 21:59"), "done"),  # 23:59 CEST, Sat 24
        Ev(utc("2026-10-24 22:00"), "done"),  # 00:00 CEST, Sun 25 (the 25-hour day)
        Ev(utc("2026-10-25 00:30"), "snoozed"),  # 02:30 CEST, the first time round
        Ev(utc("2026-10-25 01:30"), "done"),  # 02:30 CET, the second time round: the same day
        Ev(utc("2026-10-25 22:59"), "done"),  # 23:59 CET, Sun 25; a fixed +02:00 would say Mon 00:59
        Ev(utc("2026-10-25 23:00"), "skipped"),  # 00:00 CET, Mon 26
    ]
    summary = stats.summarize(events, berlin("2026-10-26 09:00"), BERLIN, days=3)
    assert [d.counts.done for d in summary.days] == [1, 3, 0]
    assert day(summary, "2026-10-25").snoozed == 1
    assert day(summary, "2026-10-26").skipped == 1 and day(summary, "2026-10-25").skipped == 0


def test_the_period_starts_at_local_midnight_of_its_first_day():
    assert stats.period_start(berlin("2026-03-30 12:00"), BERLIN, 1) == utc("2026-03-29 22:00")
    assert stats.period_start(berlin("2026-03-30 12:00"), BERLIN, 2) == utc("2026-03-28 23:00")
    assert stats.period_start(berlin("2026-03-30 00:00"), BERLIN, 7) == utc("2026-03-23 23:00")
    assert stats.period_start(berlin("2026-10-26 00:30"), BERLIN, 2) == utc("2026-10-24 22:00")
    # Where midnight itself is skipped (Santiago, first Sunday of September 2026), the day
    # starts at the first moment it has: 01:00 local, 04:00 UTC.
    santiago = ZoneInfo("America/Santiago")
    start = stats.period_start(datetime(2026, 9, 6, 12, tzinfo=santiago), santiago, 1)
    assert start == utc("2026-09-06 04:00") and start.astimezone(santiago).hour == 1


def test_the_period_ends_today_and_leaves_out_older_and_later_days():
    events = [Ev(berlin("2026-06-03 23:59"), "done"), Ev(berlin("2026-06-04 00:00"), "done"),
              Ev(berlin("2026-06-10 23:59"), "done"), Ev(berlin("2026-06-11 00:00"), "done")]
    summary = stats.summarize(events, berlin("2026-06-10 08:00"), BERLIN, days=7)
    assert summary.first == date(2026, 6, 4) and summary.today == date(2026, 6, 10)
    assert len(summary.days) == 7 and summary.totals.done == 2


def test_counts_of_every_kind_and_a_snooze_then_done_is_one_of_each():
    events = [
        Ev(berlin("2026-06-10 09:30"), "shown"),
        Ev(berlin("2026-06-10 09:31"), "snoozed"),
        Ev(berlin("2026-06-10 09:41"), "shown"),
        Ev(berlin("2026-06-10 09:42"), "done"),
        Ev(berlin("2026-06-10 10:15"), "done", "wall-slide", stats.TOO_HARD),
        Ev(berlin("2026-06-10 11:00"), "skipped"),
        Ev(berlin("2026-06-10 11:30"), "missed"),
        Ev(berlin("2026-06-10 12:00"), "hurt", "shoulder-roll"),
        Ev(berlin("2026-06-10 13:00"), "natural_break", None),
        Ev(berlin("2026-06-10 14:00"), "paused", None),
        Ev(berlin("2026-06-10 15:00"), "resumed", None),
    ]
    counts = day(stats.summarize(events, berlin("2026-06-10 18:00"), BERLIN, days=1), "2026-06-10")
    assert counts == stats.Counts(shown=2, done=2, too_hard=1, snoozed=1, skipped=1, missed=1, hurt=1,
                                  natural_break=1)


def test_too_hard_is_the_detail_the_machine_records():
    from postured.core import machine

    assert stats.TOO_HARD == machine.TOO_HARD


def test_done_per_exercise_and_region_with_retired_ids_under_their_own_id():
    events = [
        *[Ev(berlin(f"2026-06-09 1{i}:00"), "done", "chin-tuck") for i in range(3)],
        Ev(berlin("2026-06-10 10:00"), "done", "wall-slide", stats.TOO_HARD),
        Ev(berlin("2026-06-10 11:00"), "done", "retired-stretch"),
        Ev(berlin("2026-06-10 12:00"), "done", None),
        Ev(berlin("2026-06-10 13:00"), "skipped", "shoulder-roll"),
        Ev(berlin("2026-05-01 10:00"), "done", "shoulder-roll"),  # before the period
    ]
    summary = stats.summarize(events, berlin("2026-06-10 18:00"), BERLIN, days=7, describe=DESCRIBE)
    assert [(e.id, e.name, e.region, e.done) for e in summary.exercises] == [
        ("chin-tuck", "Chin tuck", "neck", 3),
        (None, stats.NO_EXERCISE, "unknown", 1),
        ("retired-stretch", "retired-stretch", "unknown", 1),
        ("wall-slide", "Wall slide", "upper back", 1),
    ]
    assert summary.regions == {"neck": 3, "upper back": 1, "shoulders": 0, "unknown": 2}
    assert sum(e.done for e in summary.exercises) == summary.totals.done == 6


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        stats.summarize([], datetime(2026, 6, 10, 12), BERLIN)  # naive: which instant?
    with pytest.raises(ValueError):
        stats.summarize([], berlin("2026-06-10 12:00"), BERLIN, days=0)
    with pytest.raises(ValueError):
        stats.summarize([], berlin("2026-06-10 12:00"), BERLIN, goal=0)


# ---------------------------------------------------------------- streak


def streak_of(events, now="2026-06-10 18:00", goal=3, days=7, rest_days=()):
    return stats.summarize(events, berlin(now), BERLIN, days=days, goal=goal, rest_days=rest_days).streak


def test_streak_includes_today_once_today_reaches_the_goal():
    events = done_on(("2026-06-07", 2), ("2026-06-08", 3), ("2026-06-09", 4), ("2026-06-10", 3))
    assert streak_of(events) == stats.Streak(3, True, date(2026, 6, 8), date(2026, 6, 10))


def test_streak_runs_through_yesterday_while_today_is_short_of_the_goal():
    events = done_on(("2026-06-08", 3), ("2026-06-09", 3), ("2026-06-10", 2))
    assert streak_of(events) == stats.Streak(2, False, date(2026, 6, 8), date(2026, 6, 9))
    assert streak_of(done_on(("2026-06-10", 2))) == stats.Streak(0, False, None, None)
    assert streak_of(events, goal=2) == stats.Streak(3, True, date(2026, 6, 8), date(2026, 6, 10))


def test_a_missed_work_day_ends_the_streak():
    events = done_on(("2026-06-06", 5), ("2026-06-07", 0), ("2026-06-08", 3), ("2026-06-09", 3))
    assert streak_of(events).days == 2
    # Yesterday short of the goal: nothing carries over from before it.
    assert streak_of(done_on(("2026-06-08", 3), ("2026-06-09", 2))).days == 0


def test_rest_days_are_passed_over_unless_their_goal_is_met():
    # Fri 5 June, weekend, Mon 8 ... Wed 10 June; Saturday and Sunday are rest days.
    events = done_on(("2026-06-05", 3), ("2026-06-08", 3), ("2026-06-09", 3), ("2026-06-10", 3))
    weekend = (5, 6)
    assert streak_of(events, rest_days=weekend) == stats.Streak(4, True, date(2026, 6, 5), date(2026, 6, 10))
    assert streak_of(events).days == 3  # without rest days the weekend breaks it
    worked_saturday = events + done_on(("2026-06-06", 3))
    assert streak_of(worked_saturday, rest_days=weekend).days == 5
    # On a rest day with nothing done yet the streak still stands, through Friday.
    on_sunday = streak_of(done_on(("2026-06-04", 3), ("2026-06-05", 3)), now="2026-06-07 11:00", rest_days=weekend)
    assert on_sunday == stats.Streak(2, False, date(2026, 6, 4), date(2026, 6, 5))


def test_streak_reaches_back_past_the_days_shown_and_across_dst():
    events = done_on(*[((date(2026, 3, 20) + timedelta(days=n)).isoformat(), 3) for n in range(15)])
    streak = streak_of(events, now="2026-04-03 20:00", days=3)
    assert streak == stats.Streak(15, True, date(2026, 3, 20), date(2026, 4, 3))


def test_a_too_hard_done_counts_for_the_goal():
    events = done_on(("2026-06-10", 2)) + [Ev(berlin("2026-06-10 16:00"), "done", "chin-tuck", stats.TOO_HARD)]
    assert streak_of(events).days == 1


# ---------------------------------------------------------------- output

JSON_KEYS = {"period", "goal", "days", "totals", "streak", "exercises", "regions"}
COUNT_KEYS = {"shown", "done", "too_hard", "snoozed", "skipped", "missed", "hurt", "natural_break"}


def test_json_has_stable_keys():
    events = done_on(("2026-06-09", 3), ("2026-06-10", 1)) + [Ev(berlin("2026-06-10 17:00"), "missed")]
    data = stats.as_json(stats.summarize(events, berlin("2026-06-10 18:00"), BERLIN, days=2, describe=DESCRIBE))
    assert set(data) == JSON_KEYS
    assert data["period"] == {"from": "2026-06-09", "to": "2026-06-10", "days": 2, "timezone": "Europe/Berlin"}
    assert data["goal"] == 3
    assert [set(d) for d in data["days"]] == [COUNT_KEYS | {"date", "weekday", "goal_met", "rest_day"}] * 2
    assert data["days"][1] == {"date": "2026-06-10", "weekday": "Wed", "shown": 0, "done": 1, "too_hard": 0,
                               "snoozed": 0, "skipped": 0, "missed": 1, "hurt": 0, "natural_break": 0,
                               "goal_met": False, "rest_day": False}
    assert set(data["totals"]) == COUNT_KEYS and data["totals"]["done"] == 4
    assert data["streak"] == {"days": 1, "includes_today": False, "from": "2026-06-09", "to": "2026-06-09"}
    assert data["exercises"] == [{"id": "chin-tuck", "name": "Chin tuck", "region": "neck", "done": 4}]
    assert data["regions"] == {"neck": 4, "upper back": 0, "shoulders": 0}
    json.dumps(data)  # plain JSON types only


def test_text_table_reads_well():
    events = done_on(("2026-06-09", 3), ("2026-06-10", 1))
    text = stats.as_text(stats.summarize(events, berlin("2026-06-10 18:00"), BERLIN, days=2, describe=DESCRIBE))
    lines = text.splitlines()
    # Dates as the locale writes them (en_GB with no locale set: no leading zero, a comma after
    # the weekday where the year follows), no longer strftime's "Tue 09 Jun".
    assert lines[0].startswith("Posture breaks, Tue, 9 Jun 2026 - Wed, 10 Jun 2026 (Europe/Berlin)")
    assert any(line.startswith("Tue 9 Jun ") and line.split()[3] == "3" and line.endswith("met")
               for line in lines)
    assert any(line.startswith("Wed 10 Jun ") and line.endswith("today") for line in lines)
    assert any(line.startswith("Total") and line.split()[1] == "4" for line in lines)
    assert "Streak: 1 day with at least 3 done, since Tue 9 Jun, through Tue 9 Jun (2 more today keeps it going)" \
        in lines
    assert "     4  Chin tuck (neck)" in lines
    empty = stats.as_text(stats.summarize([], berlin("2026-06-10 18:00"), BERLIN))
    assert "No breaks recorded yet" in empty and "Streak: none yet" in empty


@pytest.mark.parametrize("path", [Path(stats.__file__), Path(stats.__file__).with_name("stats_text.py")])
def test_stats_module_is_pure(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        for name in names:
            # postured.i18n: standard library at import, a pure lookup after (Babel loads on the first date)
            allowed = ("__future__", "postured", "postured.i18n", "postured.stats", "postured.stats_text")
            assert name.split(".")[0] in sys.stdlib_module_names or name in allowed, name
    source = path.read_text()
    for forbidden in (".now(", "utcnow(", "time.time(", ".today(", "open("):
        assert forbidden not in source


# ---------------------------------------------------------------- the chart


def bar_pixels(image, box=None) -> dict[str, int]:
    from postured.adapters import chart

    x0, y0, x1, y1 = box or chart.plot_box(image.size)
    found = dict((colour, count) for count, colour in colours(image.crop((x0, y0, x1, y1))))
    return {kind: found.get(colour, 0) for kind, colour in chart.COLOURS.items()}


def colours(image) -> list[tuple[int, tuple[int, int, int]]]:
    return image.getcolors(image.size[0] * image.size[1])


def week_summary(events, now="2026-06-10 18:00"):
    return stats.summarize(events, berlin(now), BERLIN, days=7, describe=DESCRIBE)


def test_chart_bars_match_the_counts():
    from postured.adapters import chart

    events = done_on(("2026-06-05", 2), ("2026-06-08", 4), ("2026-06-10", 1))
    events += [Ev(berlin("2026-06-08 17:00"), "skipped"), Ev(berlin("2026-06-10 17:00"), "missed"),
               Ev(berlin("2026-06-10 17:30"), "missed")]
    image = chart.draw_week(week_summary(events))
    assert image.size == chart.SIZE and image.size[0] >= 600 and image.size[1] >= 300
    pixels = bar_pixels(image)
    assert all(pixels[kind] > 0 for kind in ("done", "skipped", "missed")), pixels
    # Areas follow the counts: 7 done, 1 skipped, 2 missed, each bar the same width.
    unit = pixels["done"] / 7
    assert pixels["skipped"] == pytest.approx(unit, rel=0.1)
    assert pixels["missed"] == pytest.approx(2 * unit, rel=0.1)
    # Each bar stands in its day's column: nothing drawn in the columns of empty days.
    x0, y0, x1, y1 = chart.plot_box(image.size)
    slot = (x1 - x0) / 7
    columns = [bar_pixels(image, (round(x0 + slot * i), y0, round(x0 + slot * (i + 1)), y1))["done"] for i in range(7)]
    assert [c > 0 for c in columns] == [False, True, False, False, True, False, True]
    assert columns[4] == pytest.approx(4 * columns[6], rel=0.1)  # Monday's 4 against today's 1


def test_chart_without_history_says_so_in_the_plot():
    from PIL import Image, ImageChops

    from postured.adapters import chart

    image = chart.draw_week(week_summary([]))
    assert sum(bar_pixels(image).values()) == 0
    box = chart.plot_box(image.size)
    blank = Image.new("RGB", image.size, chart.BACKGROUND)
    blank.paste(chart.PLOT_BACKGROUND, box)
    # Not just an empty frame: the message is written inside the plot rectangle.
    x0, y0, x1, y1 = box
    middle = (x0 + (x1 - x0) // 4, y0 + (y1 - y0) // 3, x1 - (x1 - x0) // 4, y1 - (y1 - y0) // 3)
    dark = sum(count for count, colour in colours(image.crop(middle)) if sum(colour) < 3 * 128)
    assert dark > 200, dark
    assert ImageChops.difference(image, blank).getbbox() is not None


# ---------------------------------------------------------------- the verb, end to end

CONFIG = """
[schedule]
timezone = "Europe/Berlin"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""


def berlin_today() -> date:
    return datetime.now(BERLIN).date()


def write_history(env: dict[str, str], today: date) -> None:
    """A real history: a good run two days long, today short of the goal so far."""
    from postured.adapters.history import SqliteHistory
    from postured.core.machine import Record

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=BERLIN)

    history = SqliteHistory(Path(env["XDG_DATA_HOME"]) / "postured" / "history.sqlite3")
    rows = [
        (at(10, 10), "done", "chin-tuck", None), (at(10, 11), "done", "chin-tuck", None),
        (at(10, 12), "done", "chin-tuck", None),
        (at(3, 10), "done", "wall-slide", None), (at(3, 11), "missed", "chin-tuck", None),
        (at(3, 12), "skipped", "shoulder-roll", None),
        (at(2, 10), "done", "chin-tuck", None), (at(2, 11), "done", "shoulder-roll", None),
        (at(2, 12), "done", "wall-slide", None),
        (at(1, 0, 0), "done", "chin-tuck", None), (at(1, 11), "done", "wall-slide", "too hard"),
        (at(1, 23, 59), "done", "chin-tuck", None), (at(1, 13), "hurt", "shoulder-roll", None),
        (at(1, 14), "natural_break", None, None),
        (at(0, 0, 1), "shown", "chin-tuck", None), (at(0, 0, 2), "snoozed", "chin-tuck", None),
        (at(0, 0, 12), "done", "chin-tuck", None), (at(0, 0, 30), "done", "retired-stretch", None),
    ]
    for moment, kind, exercise, detail in rows:
        history.record(moment, Record(kind, exercise, "cli", detail))
    history.close()


@pytest.fixture
def home(tmp_path):
    env = private_env(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG)
    env["POSTURED_CONFIG"] = str(tmp_path / "config.toml")
    return env


def postured(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "postured", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def on_one_day(run):
    """Run, again if Berlin's midnight passed meanwhile: the history is written relative to today."""
    for _attempt in range(2):
        today = berlin_today()
        result = run(today)
        if berlin_today() == today:
            return today, result
    raise AssertionError("the date kept changing")


def test_stats_json_end_to_end(home):
    def run(today):
        write_history(home, today)
        return postured(home, "stats", "--json"), postured(home, "stats", "--json", "--goal", "2", "--days", "14")

    today, (week, fortnight) = on_one_day(run)
    assert week.returncode == 0, week.stderr
    data = json.loads(week.stdout)
    assert data["period"] == {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat(),
                              "days": 7, "timezone": "Europe/Berlin"}
    done = {d["date"]: d["done"] for d in data["days"]}
    iso = lambda days_ago: (today - timedelta(days=days_ago)).isoformat()  # noqa: E731
    assert done == {iso(n): {3: 1, 2: 3, 1: 3, 0: 2}.get(n, 0) for n in range(7)}
    yesterday, now = data["days"][-2], data["days"][-1]
    assert (yesterday["too_hard"], yesterday["hurt"], yesterday["natural_break"]) == (1, 1, 1)
    assert (now["shown"], now["snoozed"], now["done"]) == (1, 1, 2)
    assert data["totals"]["done"] == 9 and data["totals"]["missed"] == 1 and data["totals"]["skipped"] == 1
    assert data["streak"] == {"days": 2, "includes_today": False, "from": iso(2), "to": iso(1)}
    exercises = {e["id"]: (e["name"], e["region"], e["done"]) for e in data["exercises"]}
    assert exercises == {"chin-tuck": ("Chin tuck", "neck", 4), "wall-slide": ("Wall slide", "upper back", 3),
                         "shoulder-roll": ("Shoulder roll", "shoulders", 1),
                         "retired-stretch": ("retired-stretch", "unknown", 1)}
    assert data["regions"] == {"neck": 4, "upper back": 3, "shoulders": 1, "unknown": 1}

    assert fortnight.returncode == 0, fortnight.stderr
    wide = json.loads(fortnight.stdout)
    assert len(wide["days"]) == 14 and wide["totals"]["done"] == 12
    assert wide["streak"] == {"days": 3, "includes_today": True, "from": iso(2), "to": iso(0)}


def test_stats_text_end_to_end(home):
    today, done = on_one_day(lambda today: (write_history(home, today), postured(home, "stats"))[1])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "(Europe/Berlin); goal: 3 done a day" in lines[0]
    yesterday = today - timedelta(days=1)  # "Tue 9 Jun", or with its year when the week spans New Year
    row = next(line for line in lines if line.startswith((i18n.short_day(yesterday) + " ", i18n.day(yesterday) + " ")))
    assert row.split()[-8:] == ["3", "1", "0", "0", "0", "1", "1", "met"]
    assert any(line.startswith("Streak: 2 days with at least 3 done") for line in lines)
    assert "Done by region: neck 4, upper back 3, shoulders 1, unknown 1" in lines


def test_stats_without_history(home):
    done = postured(home, "stats")
    assert done.returncode == 0, done.stderr
    assert "No breaks recorded yet" in done.stdout and "Streak: none yet" in done.stdout
    data = json.loads(postured(home, "stats", "--json").stdout)
    assert data["totals"]["done"] == 0 and data["streak"]["days"] == 0 and data["exercises"] == []


def test_stats_chart_end_to_end(home, tmp_path):
    from PIL import Image

    from postured.adapters import chart

    path = tmp_path / "week.png"
    today, done = on_one_day(lambda today: (write_history(home, today),
                                            postured(home, "stats", "--chart", str(path), "--days", "3"))[1])
    assert done.returncode == 0, done.stderr
    assert f"chart: {path}" in done.stderr
    assert done.stdout.count("\n") > 5  # the table still comes, for 3 days
    print(f"stats chart artifact: {path}")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 300
        image = image.convert("RGB")
    pixels = bar_pixels(image)
    assert pixels["done"] > 0 and pixels["missed"] > 0 and pixels["skipped"] > 0, pixels

    empty = tmp_path / "empty.png"
    quiet = dict(home, XDG_DATA_HOME=str(tmp_path / "nothing"))
    done = postured(quiet, "stats", "--chart", str(empty))
    assert done.returncode == 0, done.stderr
    with Image.open(empty) as image:
        assert image.size == chart.SIZE
        assert sum(bar_pixels(image.convert("RGB")).values()) == 0


def test_stats_refuses_bad_input_with_a_message(home, tmp_path):
    for args, expected in [(("--days", "0"), "must be 1 or more"), (("--goal", "x"), "not a whole number"),
                           (("--chart", str(tmp_path / "no" / "such" / "dir.png")), "cannot write the chart")]:
        done = postured(home, "stats", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert expected in done.stderr and "Traceback" not in done.stderr
    history = Path(home["XDG_DATA_HOME"]) / "postured" / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"this is no database" * 100)
    done = postured(home, "stats")
    assert done.returncode == 2 and "cannot read the history" in done.stderr and "Traceback" not in done.stderr
    Path(home["POSTURED_CONFIG"]).write_text("[schedule]\ntimezone = 'Mars/Olympus'\n")
    done = postured(home, "stats")
    assert done.returncode == 2 and "Mars/Olympus" in done.stderr and "Traceback" not in done.stderr


PROBE = """
import sys
from postured.cli import main
code = main(sys.argv[1:])
print(sorted(m for m in sys.modules if m.split(".")[0] == "PIL"), file=sys.stderr)
"""


def test_pillow_loads_only_for_a_chart(home, tmp_path):
    plain = subprocess.run([sys.executable, "-c", PROBE, "stats"], env=home, capture_output=True, text=True)
    assert plain.stderr.strip().splitlines()[-1] == "[]", plain.stderr
    charted = subprocess.run([sys.executable, "-c", PROBE, "stats", "--chart", str(tmp_path / "c.png")], env=home,
                             capture_output=True, text=True)
    assert "'PIL'" in charted.stderr.strip().splitlines()[-1], charted.stderr
    assert os.path.getsize(tmp_path / "c.png") > 0
