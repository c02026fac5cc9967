"""The report as an A4 PDF, laid out with fpdf2 (pure Python, maintained by the py-pdf
project). DejaVu Sans is embedded where the system has it (any name, any script);
without it the PDF's built-in Helvetica is used and characters outside Latin-1 are
replaced."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from postured.i18n import _
from postured.report import charts, text
from postured.report.model import Report

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts"),
             Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
INK = (33, 37, 41)
MUTED = (90, 98, 106)
PAIN = (176, 32, 32)
NOTE_FILL = (241, 243, 245)
HEAD_FILL = (233, 236, 239)
BODY, SMALL, HEADING = 10.5, 9, 13


class _Document(FPDF):
    def __init__(self, report: Report):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.family = _fonts(self)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(_(text.TITLE))
        self.set_creator("postured")
        self.set_creation_date(report.made)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.clean(f"{text.footer(self.report)} · {text.page(self.page_no())}"), align="C")

    def clean(self, value: str) -> str:
        """Text the font in use can draw."""
        if self.family != "Helvetica":
            return value
        value = value.replace("–", "-").replace("—", "-").replace("→", "->")
        return value.encode("latin-1", "replace").decode("latin-1")

    def say(self, value: str, size: float = BODY, style: str = "", colour=INK, height: float | None = None) -> None:
        self.set_font(self.family, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, height or size * 0.5, self.clean(value), align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, value: str, colour=INK, room: float = 30) -> None:
        if self.will_page_break(room):
            self.add_page()
        self.ln(4)
        self.say(value, HEADING, "B", colour, height=7)
        self.ln(1)

    def rows(self, headings, rows, widths, colour=INK, numbers: int = 0) -> None:
        """A table; the last ``numbers`` columns but the first are right-aligned figures."""
        self.set_font(self.family, "", SMALL)
        self.set_text_color(*INK)
        self.set_draw_color(206, 212, 218)
        align = ["LEFT"] * len(widths)
        for index in range(1, 1 + numbers):
            align[index] = "RIGHT"
        size = self.heading_size(headings, widths) if headings is not None else SMALL
        with self.table(col_widths=widths, text_align=align, line_height=5.2, first_row_as_headings=headings is not None,
                        headings_style=FontFace(emphasis="BOLD", size_pt=size, color=colour, fill_color=HEAD_FILL),
                        padding=1.2, borders_layout="HORIZONTAL_LINES") as table:
            for line in [headings, *rows] if headings is not None else rows:
                row = table.row()
                for cell in line:
                    row.cell(self.clean(cell))
        self.ln(2)


    def heading_size(self, headings, widths) -> float:
        """The size at which every word of the headings fits its column: a longer word in
        another language ("Erledigt") is set smaller rather than broken in the middle."""
        scale = self.epw / sum(widths)  # fpdf2 stretches the widths to the page
        size = SMALL
        while size > 6.5:
            self.set_font(self.family, "B", size)
            if all(self.get_string_width(self.clean(word)) <= width * scale - 2 * 1.2 - 0.4
                   for heading, width in zip(headings, widths) for word in heading.split()):
                break
            size -= 0.5
        self.set_font(self.family, "", SMALL)
        return size


def render(report: Report) -> bytes:
    pdf = _Document(report)
    pdf.add_page()
    _header(pdf)
    _pain(pdf)
    _too_hard(pdf)
    _program(pdf)
    _weeks(pdf)
    _exercises(pdf)
    _doses(pdf)
    return bytes(pdf.output())


def _header(pdf: _Document) -> None:
    r = pdf.report
    pdf.say(_(text.TITLE), 17, "B", height=9)
    pdf.say(text.period(r), 12, "B", height=6.5)
    pdf.say(text.meta(r), BODY, colour=MUTED, height=5.5)
    pdf.ln(3)
    pdf.set_fill_color(*NOTE_FILL)
    pdf.set_font(pdf.family, "", BODY)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 5.2, pdf.clean(_(text.NOTE)), fill=True, padding=3, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.say(text.glance(r), 11.5, "B", height=6)


def _pain(pdf: _Document) -> None:
    r = pdf.report
    pdf.heading(f"{_(text.PAIN_TITLE)} ({text.number(len(r.pain))})", PAIN)
    if r.pain:
        pdf.rows(text.pain_columns(), [text.incident_row(i) for i in r.pain], (38, 17, 52, 67), colour=PAIN)
        pdf.say(text.pain_after(r), SMALL, colour=MUTED)
    else:
        pdf.say(text.pain_none())
    for caution in r.cautions:
        pdf.ln(1.5)
        pdf.say(caution, SMALL, colour=INK)


def _too_hard(pdf: _Document) -> None:
    r = pdf.report
    pdf.heading(f"{_(text.TOO_HARD_TITLE)} ({text.number(len(r.too_hard))})")
    if r.too_hard:
        pdf.rows(text.too_hard_columns(), [text.incident_row(i) for i in r.too_hard], (38, 17, 52, 67))
        pdf.say(text.too_hard_after(), SMALL, colour=MUTED)
    else:
        pdf.say(text.too_hard_none())


def _program(pdf: _Document) -> None:
    pdf.heading(_(text.PROGRAM_TITLE))
    lines = text.program_lines(pdf.report)
    if lines is None:
        pdf.say(text.no_program())
        return
    pdf.rows(None, lines, (55, 119))


def _weeks(pdf: _Document) -> None:
    r = pdf.report
    pdf.heading(_(text.WEEKS_TITLE), room=60)
    pdf.rows(text.week_columns(), [*(text.week_row(w) for w in r.weeks), text.total_row(r)],
             (38, 17, 17, 15, 17, 17, 16, 13, 24), numbers=8)
    if pdf.will_page_break(64):
        pdf.add_page()
    pdf.say(_(text.WEEKS_CHART), BODY, "B", height=6)
    pdf.image(io.BytesIO(charts.weekly(r)), w=174)
    pdf.ln(1)
    pdf.say(text.terms(r), SMALL, colour=MUTED)


def _exercises(pdf: _Document) -> None:
    r = pdf.report
    pdf.heading(_(text.EXERCISES_TITLE))
    if not r.exercises:
        pdf.say(text.no_exercises())
        return
    pdf.rows(text.exercise_columns(), [text.exercise_row(e) for e in r.exercises],
             (37, 23, 13, 14, 12, 37.5, 37.5), numbers=4)


def _doses(pdf: _Document) -> None:
    r = pdf.report
    drawn = [e for e in r.exercises if e.levels > 1 and e.steps]
    if not drawn:
        return
    pdf.heading(_(text.DOSE_TITLE), room=52)
    pdf.say(text.dose_explained(), SMALL, colour=MUTED)
    for record in drawn:
        if pdf.will_page_break(42):
            pdf.add_page()
        pdf.ln(2)
        pdf.say(text.dose_heading(record), BODY, "B", height=5.5)
        pdf.image(io.BytesIO(charts.dose_steps(record, r)), w=174)


def _fonts(pdf: FPDF) -> str:
    """DejaVu Sans if found, else the built-in Helvetica."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "Helvetica"
