"""`postured report`: the record for an appointment, from a real SQLite history.

Two weeks of Berlin time ending Sun 29 March 2026, the night the clocks jump 02:00 ->
03:00, so the second week is 167 hours long. The PDF is read back with poppler
(pdftotext for the figures, pdftoppm for the pages as pictures).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from daemon import private_env

from postured.core import coach

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
PACKAGE = Path(__file__).resolve().parent.parent / "postured"

CONFIG = """
[schedule]
timezone = "Europe/Berlin"
days = ["mon", "tue", "wed", "thu", "fri"]
hours = ["09:00-12:00"]
interval = "30m"
"""
# 09:00-12:00 every 30 minutes: 09:30 ... 11:30, five a day, 25 in a week of five work days.
PLANNED_PER_WEEK = 25

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                                   reason="poppler-utils not installed (bash tools/setup.sh --test)")


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def history_rows() -> list[tuple[datetime, str, str | None, str | None]]:
    rows = [(utc("2026-03-15 22:30"), "done", "neck-rotation", None)]  # Sun 15 23:30 CET: the day before
    weekdays = [date(2026, 3, d) for d in (16, 17, 18, 19, 20, 23, 24, 25, 26, 27)]
    for day in weekdays:
        at = utc("2026-03-15 23:09") if day.day == 16 else berlin(f"{day} 09:30")  # Mon 16 00:09 CET
        detail = "too hard" if day.day == 25 else None
        rows += [(at, "shown", "chin-tuck", None), (at + timedelta(minutes=1), "done", "chin-tuck", detail)]
    rows += [
        (berlin("2026-03-17 10:00"), "shown", "scapular-squeeze", None),
        (berlin("2026-03-17 10:01"), "snoozed", "scapular-squeeze", None),
        (berlin("2026-03-17 10:11"), "shown", "scapular-squeeze", None),  # the same suggestion, back
        (berlin("2026-03-17 10:12"), "done", "scapular-squeeze", None),
        (berlin("2026-03-18 12:30"), "natural_break", None, None),
        (berlin("2026-03-19 11:00"), "shown", "neck-rotation", None),
        (berlin("2026-03-19 11:30"), "missed", "neck-rotation", None),
        (berlin("2026-03-24 10:00"), "shown", "scapular-squeeze", None),
        (berlin("2026-03-24 10:01"), "skipped", "scapular-squeeze", None),
        (berlin("2026-03-24 10:30"), "shown", "lateral-neck-flexion", None),
        (berlin("2026-03-24 10:31"), "hurt", "lateral-neck-flexion", None),
        (berlin("2026-03-26 12:30"), "natural_break", None, None),
        (berlin("2026-03-26 15:00"), "natural_break", None, None),
        (utc("2026-03-29 21:30"), "hurt", "lateral-neck-flexion", None),  # Sun 29 23:30 CEST (a fixed +01:00: 22:30)
        (utc("2026-03-29 22:30"), "done", "neck-rotation", None),  # Mon 30 00:30 CEST: the day after
    ]
    return rows


@pytest.fixture
def home(tmp_path):
    from postured.adapters.history import SqliteHistory
    from postured.core.machine import Record

    env = private_env(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG)
    env["POSTURED_CONFIG"] = str(tmp_path / "config.toml")
    history = SqliteHistory(Path(env["XDG_DATA_HOME"]) / "postured" / "history.sqlite3")
    for moment, kind, exercise, detail in history_rows():
        history.record(moment, Record(kind, exercise, "cli", detail))
    history.close()
    return env


def postured(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "postured", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def report(env, out: Path, *extra) -> subprocess.CompletedProcess:
    done = postured(env, "report", "--weeks", "2", "--to", "2026-03-29", "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return done


def chin_tuck_dose(level: int) -> str:
    from postured.catalogue import load_catalogue

    exercise = load_catalogue().by_id("chin-tuck")
    step = coach.ladder(exercise)[level - 1]
    return f"{coach.dose_text(exercise, step)} (step {level} of {step.levels})"


def cells(line: str) -> list[str]:
    """A table row of `pdftotext -layout`: cells are separated by two spaces or more."""
    return [cell for cell in re.split(r"\s{2,}", line.strip()) if cell]


def figures(text: str, name: str) -> list[str]:
    """The figures of an exercise's row: left of the dose columns, on the name's line or the
    line after it (a name or a dose that wraps puts the figures on the middle line)."""
    lines = text.splitlines()
    column = next(line.index("Dose at the start") for line in lines if "Dose at the start" in line)
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(name))
    for line in lines[start - 1:start + 2]:
        found = re.findall(r"(?<![\w(])\d+(?![\w)])", line[:column])
        if found:
            return found
    raise AssertionError(f"no figures for {name}")


def row(text: str, first_cell: str) -> list[str]:
    found = [cells(line) for line in text.splitlines() if cells(line)[:1] == [first_cell]]
    assert len(found) == 1, (first_cell, found)
    return found[0]


# ---------------------------------------------------------------- the figures, in the PDF


@needs_poppler
def test_pdf_figures_come_from_the_history(home, tmp_path):
    out = tmp_path / "report.pdf"
    done = report(home, out)
    assert "report:" in done.stderr and "2026-03-16 to 2026-03-29" in done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout

    # Dates as en_GB writes them with no locale set (Babel): "Mon, 16 Mar 2026", a comma after the weekday.
    assert "Mon, 16 Mar 2026 to Sun, 29 Mar 2026 (2 weeks)" in text
    assert "Time zone Europe/Berlin" in text
    assert "not a diagnosis" in text
    # Week by week: planned, shown, done, too hard, skipped, missed, pain, natural breaks.
    # The 00:09 CET Monday counts in week one; 23:30 CEST Sunday in week two, 00:30 Monday not at all.
    assert row(text, "16 Mar – 22 Mar")[1:] == ["25", "8", "6", "0", "0", "1", "0", "1"]
    assert row(text, "23 Mar – 29 Mar")[1:] == ["25", "7", "5", "1", "1", "0", "2", "2"]
    assert row(text, "Total")[1:] == ["50", "15", "11", "1", "1", "1", "2", "3"]
    assert f"{2 * PLANNED_PER_WEEK} breaks planned, 15 reminders shown, 11 done (22% of planned)" in text
    # Per exercise: suggested (a snoozed one that came back counts once), done, too hard, pain.
    assert figures(text, "Chin tuck") == ["10", "10", "1", "0"]
    assert figures(text, "Shoulder blade") == ["2", "1", "0", "0"]
    assert figures(text, "Side neck bend") == ["1", "0", "0", "2"]
    assert figures(text, "Neck rotation") == ["1", "0", "0", "0"]
    # Pain, with dates and times in the zone; and what happens after.
    flat = " ".join(text.split())
    assert "Pain reported (2)" in flat
    assert "Tue, 24 Mar 2026 10:31 Side neck bend" in flat
    assert "Sun, 29 Mar 2026 23:30 Side neck bend" in flat
    assert "nothing here should be pushed through pain" in flat
    assert "stops suggesting that exercise for 3 days" in flat
    # Too hard at step 2, reached on Mon 23 (a week after the first done, on 5 of 7 days).
    assert "Reported as too hard (1)" in flat
    assert f"Wed, 25 Mar 2026 09:31 Chin tuck {chin_tuck_dose(2)}" in flat
    assert f"Chin tuck: {chin_tuck_dose(1)} → {chin_tuck_dose(1)}" in flat
    assert "No program from a clinician has been imported into postured." in flat
    for urging in ("push through", "no pain, no gain", "work through the pain", "despite the pain"):
        assert urging not in flat.lower()


@needs_poppler
def test_pdf_pages_are_a4_and_not_blank(home, tmp_path):
    from PIL import Image, ImageStat

    out = tmp_path / "report.pdf"
    report(home, out)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    # Page 1: header, pain, too hard, program, weeks; 2: chart, exercises, first dose charts; 3: the rest.
    assert pages == 3, info
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(out), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    print(f"report pages: {images}")
    assert len(images) == pages
    for path in images:
        with Image.open(path) as page:
            grey = page.convert("L")
            assert abs(grey.size[0] - 496) <= 1 and abs(grey.size[1] - 702) <= 1  # A4 at 60 dpi
            inked = sum(grey.point(lambda v: 255 if v < 200 else 0).histogram()[255:])
            assert inked > 500, (path, inked)
            assert ImageStat.Stat(grey).mean[0] < 254
    with Image.open(images[0]) as first:  # the pain heading is red: it stands out on the page
        colours = first.convert("RGB").getcolors(maxcolors=1 << 24)
        red = sum(count for count, (r, g, b) in colours if r > 140 and g < 80 and b < 80)
        assert red > 50, red


def test_dose_steps_are_replayed_day_by_day(home):
    from postured.adapters.history import read_events
    from postured.catalogue import load_catalogue
    from postured.report import model

    events = read_events(Path(home["XDG_DATA_HOME"]) / "postured" / "history.sqlite3",
                         datetime(1970, 1, 1, tzinfo=UTC))
    spans = []

    def planned(start, end):
        spans.append((start, end))
        return 7

    built = model.build(events, date(2026, 3, 29), 2, BERLIN, utc("2026-04-01 12:00"),
                        load_catalogue().exercises, planned)
    chin = next(e for e in built.exercises if e.id == "chin-tuck")
    # Step 1 from Mon 16; step 2 on Mon 23 (7 days on, done on 5 of the last 7); down on Wed 25 (too hard).
    assert chin.steps == (1,) * 7 + (2, 2) + (1,) * 5
    assert chin.too_hard_days == (date(2026, 3, 25),)
    bend = next(e for e in built.exercises if e.id == "lateral-neck-flexion")
    assert bend.pain_days == (date(2026, 3, 24), date(2026, 3, 29))
    # Weeks run from local midnight to local midnight: the second is an hour short.
    assert [end - start for start, end in spans] == [timedelta(hours=168), timedelta(hours=167)]
    assert spans[0][0] == utc("2026-03-15 23:00") and spans[1][1] == utc("2026-03-29 22:00")
    assert built.planned == 14
    # A week still running is planned up to now only.
    model.build(events, date(2026, 3, 29), 1, BERLIN, utc("2026-03-25 08:00"), load_catalogue().exercises, planned)
    assert spans[-1] == (utc("2026-03-22 23:00"), utc("2026-03-25 08:00"))
    # Nothing is planned before the history's first local day (Sun 15 March) or after now.
    spans.clear()
    early = model.build(events, date(2026, 3, 29), 4, BERLIN, utc("2026-03-25 08:00"),
                        load_catalogue().exercises, planned)
    assert spans == [(utc("2026-03-14 23:00"), utc("2026-03-15 23:00")),
                     (utc("2026-03-15 23:00"), utc("2026-03-22 23:00")),
                     (utc("2026-03-22 23:00"), utc("2026-03-25 08:00"))]
    assert [w.planned for w in early.weeks] == [0, 7, 7, 7]
    assert model.build([], date(2026, 3, 29), 2, BERLIN, utc("2026-04-01 12:00"), [], planned).planned == 0


def test_program_lines_are_shown_as_given_and_none_says_so():
    from postured.report import html, model

    def built(program):
        return model.build([], date(2026, 3, 29), 1, BERLIN, utc("2026-04-01 12:00"), [], lambda a, b: 0,
                           program=program)

    page = html.render(built([("From", "a physiotherapist, 1 Mar 2026"), ("Chin tuck", "10 times, 3 a day")]))
    assert "<td>Chin tuck</td><td>10 times, 3 a day</td>" in page
    assert model.NO_PROGRAM not in page
    assert model.NO_PROGRAM in html.render(built(None))


# ---------------------------------------------------------------- HTML


def test_html_is_one_file_without_scripts(home, tmp_path):
    out = tmp_path / "report.html"
    report(home, out)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page.lower()
    assert re.findall(r'<img [^>]*src="([a-z]+):', page) == ["data"] * 5  # weeks + 4 dose charts
    assert "<td>Sun, 29 Mar 2026</td><td>23:30</td><td>Side neck bend</td>" in page
    assert '<td>Total</td><td class="n">50</td><td class="n">15</td><td class="n">11</td>' in page
    assert "@page { size: A4" in page


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("args, message", [
    (("--weeks", "0"), "must be 1 or more"),
    (("--weeks", "53"), "must be 52 or less"),
    (("--weeks", "many"), "not a whole number"),
    (("--to", "29.03.2026"), "not a date like"),
])
def test_bad_arguments_exit_2(home, tmp_path, args, message):
    from postured.report.model import MAX_WEEKS

    assert MAX_WEEKS == 52  # the limit the CLI checks
    done = postured(home, "report", "--out", str(tmp_path / "r.pdf"), *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_bad_out_paths_exit_2_with_the_reason(home, tmp_path):
    (tmp_path / "folder.pdf").mkdir()
    for out, message in [(tmp_path / "r.docx", "the report is written as .pdf or .html"),
                         (tmp_path / "no" / "such" / "r.pdf", "cannot write the report"),
                         (tmp_path / "folder.pdf", "it is a folder")]:
        done = postured(home, "report", "--out", str(out))
        assert done.returncode == 2, (out, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "r.docx").exists()
    assert "required: --out" in postured(home, "report").stderr


def test_default_period_ends_today_in_the_zone(home, tmp_path):
    for _attempt in range(2):
        today = datetime.now(BERLIN).date()
        done = postured(home, "report", "--out", str(tmp_path / "now.html"))
        if datetime.now(BERLIN).date() == today:
            break
    assert done.returncode == 0, done.stderr
    assert f"(4 weeks, {today - timedelta(days=27)} to {today})" in done.stderr


def test_only_the_report_verb_imports_the_report_code():
    """The daemon never loads fpdf2 or the report: only cli.py names the package."""
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "report" or path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith("postured.report") or n == "fpdf" for n in names), path
    source = (PACKAGE / "cli.py").read_text()
    assert source.count("from postured.report") == 1 and "def _verb_report" in source


def test_the_imported_program_is_in_the_report(home, tmp_path):
    example = Path(__file__).resolve().parents[1] / "config" / "program.example.toml"
    imported = postured(home, "program", "import", str(example))
    assert imported.returncode == 0, imported.stderr + imported.stdout
    out = tmp_path / "with-program.pdf"
    report(home, out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Neck and upper back, weeks 1-6" in flat and "No program from a clinician" not in flat
    assert "Mon, 4 Jan 2027" in flat and "Mon, 15 Feb 2027" in flat  # start and review, as the locale writes them
    assert "Chin tuck" in flat and "Stop any exercise that hurts" in flat
