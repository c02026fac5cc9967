"""`postured stats` and `postured report` in the person's language (issue 17).

With the pseudo-language every text a person reads comes out wrapped in ‹›: what is left
outside the brackets must be figures, dates and times from postured.i18n, or names the
person gave (the zone). A real German catalogue, compiled in tmp_path, reaches the stats
text, the PDF (read back with pdftotext) and the HTML, with German dates, numbers and
plural forms.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pseudo_locale import CLOSE, OPEN, pseudo_language
from test_stats import Ev  # the stats tests' event rows

from postured import i18n, stats
from postured.i18n_build import compile_po

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
DESCRIBE = {"chin-tuck": ("Chin tuck", "neck"), "wall-slide": ("Wall slide", "upper back")}
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"),
                                   reason="poppler-utils not installed (bash tools/setup.sh --test)")


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.use("en", "en_GB")


def outside_brackets(text: str) -> str:
    """``text`` without its ‹…› parts (nested ones too)."""
    while True:
        shorter = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if shorter == text:
            return text
        text = shorter


def leftover_words(text: str, allowed: list[str]) -> list[str]:
    """Words outside the brackets, once the ``allowed`` texts (dates, names …) are taken out."""
    rest = " ".join(text.split())
    for known in sorted({" ".join(a.split()) for a in allowed if a}, key=len, reverse=True):
        rest = rest.replace(known, " ")
    return re.findall(r"[^\W\d_]{2,}", outside_brackets(rest))


def dates_of(first: date, last: date) -> list[str]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [f(d) for d in days for f in (i18n.day, i18n.short_day, i18n.weekday, i18n.day_month)]


# ---------------------------------------------------------------- stats


def stats_events() -> list[Ev]:
    done = [Ev(berlin(f"2026-12-01 {10 + i}:00"), "done") for i in range(3)]
    return done + [Ev(berlin("2026-12-02 10:00"), "done", "wall-slide"), Ev(berlin("2026-12-02 11:00"), "missed"),
                   Ev(berlin("2026-12-02 12:00"), "done", None)]


def test_every_text_of_stats_goes_through_gettext():
    now = berlin("2026-12-02 18:00")
    with pseudo_language():
        summary = stats.summarize(stats_events(), now, BERLIN, days=7, describe=DESCRIBE)
        text = stats.as_text(summary)
        empty = stats.as_text(stats.summarize([], now, BERLIN))
        quiet = stats.as_text(stats.summarize([Ev(berlin("2026-10-01 10:00"), "done")], now, BERLIN))
    allowed = [*dates_of(summary.first, summary.today), "Europe/Berlin", "Chin tuck", "Wall slide"]
    assert leftover_words(text, allowed) == [], text
    assert leftover_words(empty, allowed) == [] and leftover_words(quiet, allowed) == [], (empty, quiet)
    assert "‹Streak: ‹1 day with at least 3 done" in text and "‹neck›" in text
    assert "‹(no exercise recorded)›" in text


def test_stats_json_stays_language_neutral():
    with pseudo_language():
        pseudo = stats.as_json(stats.summarize(stats_events(), berlin("2026-12-02 18:00"), BERLIN, days=2,
                                               describe=DESCRIBE))
    assert [d["weekday"] for d in pseudo["days"]] == ["Tue", "Wed"]  # English ids, whatever the language
    assert [d["date"] for d in pseudo["days"]] == ["2026-12-01", "2026-12-02"]
    assert list(pseudo["regions"]) == ["neck", "upper back", "unknown"] and pseudo["streak"]["from"] == "2026-12-01"


def german(tmp_path: Path, messages: dict[str, str | tuple[str, str]]) -> None:
    """A German postured.po of ``messages`` compiled into tmp_path and made active."""
    entries = []
    for msgid, msgstr in messages.items():
        if isinstance(msgstr, tuple):
            singular, plural = msgid.split("|")
            entries.append(f'msgid "{esc(singular)}"\nmsgid_plural "{esc(plural)}"\n'
                           f'msgstr[0] "{esc(msgstr[0])}"\nmsgstr[1] "{esc(msgstr[1])}"\n')
        else:
            entries.append(f'msgid "{esc(msgid)}"\nmsgstr "{esc(msgstr)}"\n')
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "postured.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n' + "\n".join(entries), encoding="utf-8")
    compile_po(po)
    i18n.use("de", "de_DE", localedir=tmp_path)


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


STREAK = "{count} day with at least {goal} done, since {first}, through {last}|" \
         "{count} days with at least {goal} done, since {first}, through {last}"


def test_a_german_catalogue_reaches_the_stats_text(tmp_path):
    german(tmp_path, {
        "Posture breaks, {first} - {last} ({zone}); goal: {count} done a day|"
        "Posture breaks, {first} - {last} ({zone}); goal: {count} done a day":
            ("Haltungspausen, {first} - {last} ({zone}); Ziel: {count} am Tag",
             "Haltungspausen, {first} - {last} ({zone}); Ziel: {count} am Tag"),
        "Streak: {streak}": "Serie: {streak}",
        STREAK: ("{count} Tag mit mindestens {goal}, seit {first}, bis {last}",
                 "{count} Tage mit mindestens {goal}, seit {first}, bis {last}"),
        "Done": "Erledigt", "met": "erreicht", "Total": "Summe", "neck": "Nacken",
    })
    events = [Ev(berlin(f"2026-{day} {10 + i}:00"), "done") for day in ("11-30", "12-01") for i in range(3)]
    two = stats.as_text(stats.summarize(events, berlin("2026-12-02 09:00"), BERLIN, describe=DESCRIBE))
    one = stats.as_text(stats.summarize(events[3:], berlin("2026-12-02 09:00"), BERLIN, describe=DESCRIBE))
    lines = two.splitlines()
    assert lines[0] == "Haltungspausen, Do., 26. Nov. 2026 - Mi., 2. Dez. 2026 (Europe/Berlin); Ziel: 3 am Tag"
    assert "Erledigt" in lines[2] and lines[2].startswith("Day ")  # an untranslated heading stays English
    assert any(line.startswith("Di., 1. Dez. ") and line.endswith("erreicht") for line in lines), two
    assert "Serie: 2 Tage mit mindestens 3, seit Mo., 30. Nov., bis Di., 1. Dez." in two.splitlines()[-4]
    assert "Serie: 1 Tag mit mindestens 3, seit Di., 1. Dez., bis Di., 1. Dez." in one
    assert "Nacken" in two and "Summe" in two


# ---------------------------------------------------------------- the report


def report_events() -> list[Ev]:
    events = []
    for day in (30, 1, 2, 3, 4):
        month = "11" if day == 30 else "12"
        events += [Ev(berlin(f"2026-{month}-{day:02d} 09:30"), "shown"),
                   Ev(berlin(f"2026-{month}-{day:02d} 09:31"), "done", detail="too hard" if day == 2 else None)]
    return events + [
        Ev(berlin("2026-12-01 10:30"), "shown", "lateral-neck-flexion"),
        Ev(berlin("2026-12-01 14:47"), "hurt", "lateral-neck-flexion"),
        Ev(berlin("2026-12-03 12:30"), "natural_break", None),
    ]


def build_report(planned: int = 25):
    from postured.catalogue import load_catalogue
    from postured.report import model

    catalogue = load_catalogue()
    cautions = {note.id: note.text for note in catalogue.safety}
    return model.build(report_events(), date(2026, 12, 6), 1, BERLIN, berlin("2026-12-07 08:05"),
                       catalogue.exercises, lambda start, end: planned, cautions=[cautions["ease-off-with-pain"]])


def pdf_text(report, tmp_path: Path, name: str = "report.pdf") -> str:
    from postured.report import pdf

    out = tmp_path / name
    out.write_bytes(pdf.render(report))
    return subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True).stdout


def report_allowed(report) -> list[str]:
    """What may stand outside the brackets: dates, times, the zone, and the doses (their
    words are coach.dose_text's, outside this part of the work)."""
    doses = [e.dose_first for e in report.exercises] + [e.dose_last for e in report.exercises]
    doses = [dose.split(" (")[0] for dose in doses + [i.dose for i in (*report.pain, *report.too_hard)]]
    times = [i18n.clock(i.at) for i in (*report.pain, *report.too_hard)] + [i18n.clock(report.made)]
    return [*doses, *times, *dates_of(report.first - timedelta(days=7), report.made.date()), report.zone]


@needs_poppler
def test_every_text_of_the_pdf_goes_through_gettext(tmp_path):
    with pseudo_language():
        report = build_report()
        text = pdf_text(report, tmp_path)
    assert leftover_words(text, report_allowed(report)) == [], text
    flat = " ".join(text.split())
    for wrapped in ("‹Posture exercises: a record from postured›", "‹Pain reported›", "‹Dose at the time›",
                    "‹Week by week›", "‹Natural breaks›", "‹Total›", "‹page 1 of "):
        assert wrapped in flat, wrapped


def test_every_text_of_the_html_goes_through_gettext():
    from postured.report import html

    with pseudo_language():
        report = build_report()
        page = html.render(report)
    texts = Texts()
    texts.feed(page)
    assert leftover_words(" ".join(texts.found), report_allowed(report)) == [], texts.found
    assert "‹Dose that was too hard›" in texts.found and f"{OPEN}Per exercise{CLOSE}" in texts.found


class Texts(HTMLParser):
    """The texts of a page a person reads: its text and the images' alt texts, not the style."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        self._style = tag == "style"
        self.found += [value for key, value in attrs if key == "alt"]

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if data.strip() and not self._style:
            self.found.append(data.strip())


REPORT_DE = {
    "Posture exercises: a record from postured": "Haltungsübungen: ein Protokoll von postured",
    "Pain reported": "Schmerzen gemeldet",
    "Date": "Datum", "Time": "Uhrzeit",
    "{first} to {last} ({count} week)|{first} to {last} ({count} weeks)":
        ("{first} bis {last} ({count} Woche)", "{first} bis {last} ({count} Wochen)"),
    "{planned} breaks planned, {shown} reminders shown, {done} done ({share} of planned)":
        "{planned} Pausen geplant, {shown} Erinnerungen gezeigt, {done} erledigt ({share} der geplanten)",
    "{too_hard} too hard, {count} pain report|{too_hard} too hard, {count} pain reports":
        ("{too_hard} zu schwer, {count} Schmerzmeldung", "{too_hard} zu schwer, {count} Schmerzmeldungen"),
    "Planned": "Geplant", "Done": "Erledigt",
}


@needs_poppler
def test_a_german_catalogue_reaches_the_pdf(tmp_path):
    german(tmp_path, REPORT_DE)
    report = build_report(planned=1250)
    text = pdf_text(report, tmp_path)
    flat = " ".join(text.split())
    assert "Haltungsübungen: ein Protokoll von postured" in flat  # the ü drawn with the embedded DejaVu
    assert "Mo., 30. Nov. 2026 bis So., 6. Dez. 2026 (1 Woche)" in flat
    assert "Schmerzen gemeldet (1)" in flat and "Datum Uhrzeit" in flat
    assert "Di., 1. Dez. 2026 14:47" in flat
    assert "30. Nov. – 6. Dez. 1.250 " in flat  # the week row: German dates, thousands with a dot
    # A heading word longer than its column in German is set smaller, not broken ("Erledi" / "gt").
    assert text.split().count("Erledigt") == 2 and "Erledi\n" not in text
    # German numbers: a thousands dot and a percent sign after a (no-break) space; one form for 1 and 1.
    assert re.search(r"1\.250 Pausen geplant, 6 Erinnerungen gezeigt, 5 erledigt \(0\s%\sder geplanten\); "
                     r"1 zu schwer, 1 Schmerzmeldung, 1 natural break\.", flat), flat


def test_a_german_catalogue_reaches_the_html(tmp_path):
    from postured.report import html

    german(tmp_path, REPORT_DE)
    page = html.render(build_report())
    assert page.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert "<title>Haltungsübungen: ein Protokoll von postured</title>" in page
    assert "<td>Di., 1. Dez. 2026</td><td>14:47</td>" in page
    assert "(20\u00a0% der geplanten)" in page
    i18n.use("pt_BR", "pt_BR", localedir=tmp_path)
    assert '<html lang="pt-BR">' in html.render(build_report())


def test_the_charts_draw_only_translated_words(monkeypatch):
    """Every text the charts draw is wrapped, a figure or a date from postured.i18n."""
    from PIL import ImageDraw

    from postured.adapters import chart
    from postured.report import charts

    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def text(self, xy, value, *args, **kwargs):
        drawn.append(value)
        return original(self, xy, value, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    with pseudo_language():
        report = build_report()
        charts.weekly(report)
        for record in report.exercises:
            if record.levels > 1 and record.steps:
                charts.dose_steps(record, report)
        summary = stats.summarize(stats_events(), berlin("2026-12-02 18:00"), BERLIN, days=7)
        chart.draw_week(summary)
        chart.draw_week(stats.summarize([], berlin("2026-12-02 18:00"), BERLIN))
    allowed = dates_of(date(2026, 11, 23), date(2026, 12, 7))
    assert drawn and leftover_words("  ".join(drawn), allowed) == [], drawn
    assert "‹Weeks starting›" in drawn and "‹Today›" in drawn and "‹step 1›" in drawn


def test_the_report_verb_speaks_the_language(tmp_path):
    from types import SimpleNamespace

    from postured import report as formats
    from postured.catalogue import load_catalogue
    from postured.program import read_program
    from postured.report import verb

    example = Path(__file__).resolve().parents[1] / "config" / "program.example.toml"
    (tmp_path / "folder.pdf").mkdir()
    failed: list[str] = []
    with pseudo_language():
        catalogue = load_catalogue()
        loaded = SimpleNamespace(program=read_program(example, catalogue.exercises, None), catalogue=catalogue)
        lines = verb.program_lines(loaded, date(2027, 1, 10))
        verb.run(SimpleNamespace(out=str(tmp_path / "folder.pdf")), None, None, failed.append)
        with pytest.raises(ValueError) as wrong:
            formats.format_of(Path("r.docx"))
    labels = [label for label, _value in lines]
    # The program's own exercises (the clinician's words) stay as written; the labels are ours.
    assert [f"{OPEN}{label}{CLOSE}" for label in ("Program", "By", "Start", "Review", "Status", "Note")] == \
        labels[:6], labels
    about = loaded.program.program
    assert (f"{OPEN}Start{CLOSE}", i18n.day(about.start)) in lines and \
           (f"{OPEN}Review{CLOSE}", i18n.day(about.review)) in lines
    assert failed == [f"{OPEN}cannot write the report {tmp_path / 'folder.pdf'}: it is a folder{CLOSE}"]
    assert str(wrong.value) == f"{OPEN}'r.docx': the report is written as .pdf or .html{CLOSE}"
